"""Sobol estimators on the Ishigami function (known indices), against SALib, and their design."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from hqd.errors import HqdError
from hqd.robustness.sensitivity import (
    SOBOL_COLUMNS,
    leave_one_out_summary,
    leave_one_out_table,
    needed_n,
    saltelli_design,
    sobol,
    sobol_indices,
)

ANALYTIC_S1 = np.array([0.3139, 0.4424, 0.0])
ANALYTIC_ST = np.array([0.5576, 0.4424, 0.2437])


def ishigami(u: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    x = -np.pi + 2 * np.pi * u
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


@pytest.mark.parametrize("sampler", ["random", "qmc"])
def test_ishigami_indices_are_inside_their_intervals(sampler: str) -> None:
    res = sobol(ishigami, [1, 1, 1], n=4096, seed=7, conf=0.95, sampler=sampler)  # type: ignore[arg-type]
    t = res.table
    assert list(t.columns) == [*SOBOL_COLUMNS, "note"]
    assert ((t["S1_lo"] <= ANALYTIC_S1) & (t["S1_hi"] >= ANALYTIC_S1)).all(), t
    assert ((t["ST_lo"] <= ANALYTIC_ST) & (t["ST_hi"] >= ANALYTIC_ST)).all(), t
    np.testing.assert_allclose(t["S1"], ANALYTIC_S1, atol=0.05)
    np.testing.assert_allclose(t["ST"], ANALYTIC_ST, atol=0.05)
    # x3 has no first-order effect: the note says so and gives an N
    assert "treat as 0" in t.loc[2, "note"] and res.notes


def test_ishigami_agrees_with_salibs_reference_run() -> None:
    import conftest

    ref = json.loads(conftest.shared_path("reference", "salib_sobol_ishigami.json").read_text())
    res = sobol(ishigami, [1, 1, 1], n=ref["N"], seed=42, sampler="qmc")
    for key in ("S1", "ST"):
        ours = res.table[key].to_numpy()
        lo = np.asarray(ref[key]) - 2 * np.asarray(ref[f"{key}_conf"])
        hi = np.asarray(ref[key]) + 2 * np.asarray(ref[f"{key}_conf"])
        assert ((lo <= ours) & (ours <= hi)).all(), (key, ours, ref[key])


def test_estimators_equal_salibs_on_the_same_outputs() -> None:
    """SALib's first-order (Saltelli 2010) and total (Jansen) estimators on our design give our values
    × 2N/(2N − 1) (SALib divides by the population variance, we by the sample variance, as COINr), once
    the outputs are centred the way SALib centres them (by the mean of all N(d + 2) outputs)."""
    from SALib.analyze import sobol as salib_sobol

    n, d = 512, 3
    design = saltelli_design(n, [1] * d, seed=3)
    y = ishigami(design.u)
    ours, nv = sobol_indices(y - y.mean(), design, n_boot=0, center=False)
    blocks = y.reshape(d + 2, n)
    layout = np.empty((n, d + 2))  # SALib's row order per base sample: A, AB_1 … AB_d, B
    layout[:, 0], layout[:, 1:d + 1], layout[:, d + 1] = blocks[0], blocks[2:].T, blocks[1]
    problem = {"num_vars": d, "names": ["x1", "x2", "x3"], "bounds": [[0, 1]] * d}
    si = salib_sobol.analyze(problem, layout.reshape(-1), calc_second_order=False, num_resamples=10, seed=1)
    factor = 2 * n / (2 * n - 1)
    np.testing.assert_allclose(ours["S1"][:, 0] * factor, si["S1"], rtol=1e-10)
    np.testing.assert_allclose(ours["ST"][:, 0] * factor, si["ST"], rtol=1e-10)
    assert nv == n


def test_seeded_regression_values() -> None:
    res = sobol(ishigami, [1, 1, 1], n=256, seed=2024, n_boot=200)
    np.testing.assert_allclose(res.table["S1"], [0.41803197614897, 0.49205909831748, 0.03200834253584], rtol=1e-10)
    np.testing.assert_allclose(res.table["ST"], [0.61967670427813, 0.49922112954297, 0.20444395266629], rtol=1e-10)
    again = sobol(ishigami, [1, 1, 1], n=256, seed=2024, n_boot=200)
    pd.testing.assert_frame_equal(res.table, again.table)


def test_design_blocks_and_groups() -> None:
    design = saltelli_design(4, [2, 1], seed=0, names=["w", "a"])
    assert design.u.shape == (16, 3) and list(pd.unique(design.block)) == ["A", "B", "w", "a"]
    a, b, ab_w, ab_a = design.u.reshape(4, 4, 3)
    np.testing.assert_array_equal(ab_w[:, :2], b[:, :2])
    np.testing.assert_array_equal(ab_w[:, 2], a[:, 2])
    np.testing.assert_array_equal(ab_a[:, 2], b[:, 2])
    np.testing.assert_array_equal(ab_a[:, :2], a[:, :2])


def test_group_index_of_a_two_column_input_is_its_joint_effect() -> None:
    # y = u1 + u2 + 0.1·u3: the group (u1, u2) carries 200/201 of the variance
    res = sobol(lambda u: u[:, 0] + u[:, 1] + 0.1 * u[:, 2], [2, 1], n=4096, seed=1, names=["g", "z"])
    np.testing.assert_allclose(res.table["S1"], [200 / 201, 1 / 201], atol=0.03)
    np.testing.assert_allclose(res.table["ST"], [200 / 201, 1 / 201], atol=0.03)


def test_failed_runs_drop_their_base_rows() -> None:
    def flaky(u: np.ndarray) -> np.ndarray:
        y = ishigami(u)
        y[::97] = np.nan
        return y

    res = sobol(flaky, [1, 1, 1], n=512, seed=5, n_boot=100)
    assert res.n_valid < 512 and np.isfinite(res.table["S1"]).all()


def test_needed_n_scales_with_the_square_of_the_interval() -> None:
    assert needed_n(1000, -0.04, 0.06, 0.01) == 25_000  # half-width 0.05 vs 0.01: (5)² × N
    assert needed_n(1000, 0.1, 0.5, 0.1) == 4000


def test_bad_arguments() -> None:
    with pytest.raises(HqdError) as err:
        saltelli_design(1, [1], seed=0)
    assert err.value.codes == ["invalid_range"]
    with pytest.raises(HqdError):
        sobol_indices(np.zeros(10), saltelli_design(4, [1], seed=0))


def test_leave_one_out_tables() -> None:
    nominal = np.array([[1.0, 2.0, 3.0]])
    dropped = np.array([[[1.0, 3.0, 2.0]], [[1.0, 2.0, 3.0]]])
    table = leave_one_out_table(nominal, dropped, ["a", "b", "c"], ["x", "y"], [2020], "I")
    assert table["shift"].tolist() == [0, 1, -1, 0, 0, 0]
    summary = leave_one_out_summary(table)
    assert summary[["indicator", "regions_moved", "max_abs_shift"]].values.tolist() == [["x", 2, 1.0], ["y", 0, 0.0]]
