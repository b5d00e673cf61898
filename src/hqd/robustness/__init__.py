"""Robustness of an index: statistical audit, Monte Carlo uncertainty analysis and Sobol sensitivity.

* :func:`audit` — indicator statistics and flags, correlations, Cronbach's alpha, PCA (COINr's definitions).
* :func:`uncertainty_analysis` — rank bands under the uncertain choices of a spec (:func:`load_spec`),
  with ``method="sobol"`` also Sobol indices; all runs batched as arrays (:mod:`hqd.robustness.engine`).
* :func:`sobol` — the Saltelli design and the Saltelli-2010 / Jansen estimators in one call.
* :func:`leave_one_out` — rank shifts when each indicator is dropped.
* :func:`demo_uncertainty` — the bundled Jing-Jin-Ji demo's analysis.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from hqd.robustness.audit import Audit, Thresholds, audit
from hqd.robustness.sensitivity import SobolResult, saltelli_design, sobol, sobol_indices
from hqd.robustness.spec import UncertainInput, UncertaintySpec, load_spec
from hqd.robustness.uncertainty import (
    Analysis,
    Progress,
    UncertaintyResult,
    leave_one_out,
    prepare,
    rebuild,
    run_analysis,
    uncertainty_analysis,
)


def demo_spec_path() -> Path:
    """The bundled uncertainty spec of the Jing-Jin-Ji demo (``hqd/datasets/data/jjj_uncertainty.yaml``)."""
    return Path(str(resources.files("hqd.datasets") / "data" / "jjj_uncertainty.yaml"))


def demo_uncertainty(
    paths: dict[str, Any] | None = None,
    *,
    n: int = 1000,
    seed: int = 1,
    out: str | Path | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> UncertaintyResult:
    """The Jing-Jin-Ji demo's uncertainty analysis: weighting method (equal, entropy, CRITIC), arithmetic
    vs geometric means and ±20% weight noise, N runs; per-city rank bands in ``result.rank_bands()``.

    Parameters
    ----------
    paths
        The dict :func:`hqd.datasets.jjj.write_demo_inputs` returns (``framework``, ``data``, ``regions``,
        ``recipe``); None writes the demo inputs to a temporary folder first.
    n, seed, workers, progress
        As :func:`uncertainty_analysis`.
    out
        When given, the results are written there (:meth:`UncertaintyResult.write`); pass the demo's run
        directory to get ``<run>/uncertainty/``.

    The panel is SYNTHETIC (see :mod:`hqd.datasets.jjj`); the result says so in every file it writes.
    """
    if paths is None:
        import tempfile

        from hqd.datasets.jjj import write_demo_inputs

        paths = write_demo_inputs(Path(tempfile.mkdtemp(prefix="hqd-demo-")))
    result = uncertainty_analysis(paths["framework"], paths["data"], paths["recipe"], demo_spec_path(), n=n,
                                  seed=seed, regions=paths.get("regions"), workers=workers, progress=progress)
    if out is not None:
        result.write(out)
    return result


__all__ = [
    "Analysis",
    "Audit",
    "SobolResult",
    "Thresholds",
    "UncertainInput",
    "UncertaintyResult",
    "UncertaintySpec",
    "audit",
    "demo_spec_path",
    "demo_uncertainty",
    "leave_one_out",
    "load_spec",
    "prepare",
    "rebuild",
    "run_analysis",
    "saltelli_design",
    "sobol",
    "sobol_indices",
    "uncertainty_analysis",
]
