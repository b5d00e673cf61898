"""The Jing-Jin-Ji analyses of the bundled demo, as one call returning named tables.

:func:`jjj_demo_analyses` runs, on an HQD ``Result`` (or its long score table) of the 13 cities:
coupling coordination of the dimensions per city (standard and corrected C), Beijing–Tianjin–Hebei
coordination (Hebei = mean of its cities), the Theil decomposition by province and the Dagum decomposition
by the four functional zones of the 《京津冀协同发展规划纲要》 (the province grouping, 1 + 1 + 11 cities,
leaves Dagum's transvariation term zero by construction; a zone missing from ``regions_df`` falls back
to the provinces and says so in ``notes``), σ and β
convergence, Moran's I with the bundled contiguity of the 13 cities, and the top obstacles per city.
An analysis whose inputs are not there (e.g. no weights for obstacles) is skipped and the reason is
listed in the ``notes`` table — never a half-computed number.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from hqd.analysis._data import level_nodes, root_node, scores_long
from hqd.analysis.convergence import beta_convergence, sigma_convergence
from hqd.analysis.coupling import coupling_coordination, regional_coupling
from hqd.analysis.dynamics import kernel_density
from hqd.analysis.inequality import dagum_gini, theil
from hqd.analysis.obstacle import obstacle_degree
from hqd.analysis.spatial import local_morans_i, morans_i
from hqd.errors import HqdError
from hqd.model.regions import JJJ_PROVINCES

#: Seed of the permutation tests in the demo (documented so the numbers can be reproduced).
DEMO_SEED = 20230612


def _names(regions: pd.DataFrame) -> pd.DataFrame:
    return regions[["code", "name_zh", "name_en"]].rename(columns={"code": "region"})


def jjj_demo_analyses(
    result_or_scores: Any,
    regions_df: pd.DataFrame,
    *,
    permutations: int = 999,
    seed: int = DEMO_SEED,
    top: int = 3,
) -> dict[str, pd.DataFrame]:
    """Every Jing-Jin-Ji analysis of the demo as ``{name: DataFrame}``.

    ``regions_df`` has columns ``code, name_zh, name_en, province`` (``province`` = GB/T 2260 code of
    the provincial unit: 110000, 120000, 130000).  Tables: ``coupling_dimensions``,
    ``coupling_dimensions_corrected``, ``coupling_jjj``, ``coupling_jjj_corrected``, ``theil``,
    ``theil_groups``, ``dagum``, ``dagum_groups``, ``dagum_pairs``, ``sigma``, ``beta``, ``moran``, ``lisa``,
    ``kde``, ``kde_curves`` (Silverman bandwidth), ``obstacles_top``, ``obstacles_dimensions``, ``notes``
    (analysis, status, message).
    """
    long = scores_long(result_or_scores)
    if long is None:
        raise HqdError("the demo analyses need an HQD Result or its long score table", code="bad_input")
    missing_cols = [c for c in ("code", "name_zh", "name_en", "province") if c not in regions_df.columns]
    if missing_cols:
        raise HqdError(f"regions table lacks column(s): {', '.join(missing_cols)}", code="unknown_column")
    regions = regions_df.assign(
        code=regions_df["code"].astype(str), province=regions_df["province"].astype(str)
    )
    names = _names(regions)
    province_name = {p.code: p.name_en for p in JJJ_PROVINCES}
    groups = {
        code: province_name.get(p, p) for code, p in zip(regions["code"], regions["province"], strict=True)
    }
    order = [province_name.get(p, p) for p in pd.unique(regions["province"])]
    members = {p: list(regions.loc[regions["province"] == p, "code"]) for p in pd.unique(regions["province"])}
    root = root_node(long)
    index_scores = long.loc[long["node"].astype(str) == root]
    out: dict[str, pd.DataFrame] = {}
    notes: list[dict[str, str]] = []

    def attempt(name: str, build: Any) -> None:
        try:
            out.update(build())
            notes.append({"analysis": name, "status": "done", "message": ""})
        except HqdError as error:
            notes.append(
                {"analysis": name, "status": "skipped", "message": "; ".join(str(p) for p in error.problems)}
            )

    dims = level_nodes(long, 1, result_or_scores)

    def coupling() -> dict[str, pd.DataFrame]:
        frames = {}
        for key, variant in (("coupling_dimensions", "standard"), ("coupling_dimensions_corrected", "corrected")):
            result = coupling_coordination(result_or_scores, dims, variant)
            frames[key] = result.frame.merge(names, on="region", how="left").assign(
                variant=variant, subsystem_scale=result.subsystem_scale)
        for key, variant in (("coupling_jjj", "standard"), ("coupling_jjj_corrected", "corrected")):
            frames[key] = regional_coupling(index_scores, members, variant).frame.assign(
                variant=variant, aggregation="mean of member cities")
        return frames

    attempt("coupling", coupling)

    def inequality() -> dict[str, pd.DataFrame]:
        from hqd.datasets.jjj_geo import functional_zones, zone_order

        t = theil(index_scores, groups, group_order=order)
        zones = functional_zones("en")
        if set(regions["code"]) <= set(zones):
            present = set(regions["code"])
            zone_groups = {c: z for c, z in zones.items() if c in present}
            labels = [z for z in zone_order("en") if z in set(zone_groups.values())]
            d = dagum_gini(index_scores, zone_groups, group_order=labels)
        else:
            d = dagum_gini(index_scores, groups, group_order=order)
        notes.extend({"analysis": "dagum", "status": "warning", "message": w} for w in d.warnings)
        return {
            "theil": t.to_frame(),
            "theil_groups": t.groups_frame(),
            "dagum": d.to_frame(),
            "dagum_groups": d.groups_frame(),
            "dagum_pairs": d.pairs_frame(),
        }

    attempt("inequality", inequality)
    attempt("sigma", lambda: {"sigma": sigma_convergence(index_scores).to_frame()})
    attempt(
        "beta",
        lambda: {
            "beta": pd.concat(
                [
                    beta_convergence(index_scores, kind).to_frame()
                    for kind in ("absolute_cross_section", "absolute_panel", "conditional")
                ],
                ignore_index=True,
            )
        },
    )

    def moran() -> dict[str, pd.DataFrame]:
        from hqd.datasets.jjj_geo import contiguity_weights

        return {
            "moran": morans_i(
                index_scores, contiguity_weights(), permutations=permutations, seed=seed
            ).to_frame()
        }

    attempt("moran", moran)

    def lisa() -> dict[str, pd.DataFrame]:
        from hqd.datasets.jjj_geo import contiguity_weights

        local = local_morans_i(index_scores, contiguity_weights(), permutations=permutations, seed=seed)
        return {"lisa": local.to_frame().merge(names, on="region", how="left")}

    attempt("lisa", lisa)

    def densities() -> dict[str, pd.DataFrame]:
        result = kernel_density(index_scores, "silverman")
        return {"kde": result.to_frame(), "kde_curves": result.curves_frame()}

    attempt("kde", densities)

    def obstacles() -> dict[str, pd.DataFrame]:
        result = obstacle_degree(result_or_scores)
        frames = {"obstacles_top": result.top(top).merge(names, on="region", how="left")}
        if result.dimensions is not None:
            frames["obstacles_dimensions"] = result.dimensions.merge(names, on="region", how="left")
        return frames

    attempt("obstacles", obstacles)
    out["notes"] = pd.DataFrame(notes, columns=["analysis", "status", "message"])
    return out
