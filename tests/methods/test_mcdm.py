"""VIKOR and PROMETHEE II against pymcdm on random matrices; the PROMETHEE flows by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hqd.errors import HqdError
from hqd.methods.mcdm import PREFERENCES, promethee_ii, vikor

pytest.importorskip("pymcdm")


def _matrix(seed: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.05, 1.0, size=(n, m))
    w = rng.uniform(0.1, 1.0, size=m)
    return x, w / w.sum()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 25), m=st.integers(2, 8), v=st.sampled_from([0.0, 0.3, 0.5, 1.0]))
def test_vikor_equals_pymcdm(seed: int, n: int, m: int, v: float) -> None:
    from pymcdm.methods import VIKOR

    x, w = _matrix(seed, n, m)
    ours = vikor(x, w, v=v)
    theirs = VIKOR(v=v)(x, w, np.ones(m))
    np.testing.assert_allclose(ours.Q, theirs, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 20), m=st.integers(2, 6), kind=st.sampled_from(PREFERENCES))
def test_promethee_ii_equals_pymcdm(seed: int, n: int, m: int, kind: str) -> None:
    from pymcdm.methods import PROMETHEE_II

    x, w = _matrix(seed, n, m)
    q, p = np.full(m, 0.1), np.full(m, 0.4)
    needs_q, needs_p = kind in ("ushape", "level", "vshape_2"), kind in ("vshape", "level", "vshape_2")
    ours = promethee_ii(x, w, kind, q=q if needs_q else None, p=p if needs_p else None)
    theirs = PROMETHEE_II(kind, p=list(p) if needs_p else None, q=list(q) if needs_q else None)(x, w, np.ones(m))
    np.testing.assert_allclose(ours, theirs, atol=1e-12)


def test_promethee_flows_by_hand_and_batched() -> None:
    x = np.array([[0.8, 0.2, 0.5], [0.4, 0.9, 0.3], [0.6, 0.6, 0.9]])
    w = np.array([0.4, 0.3, 0.3])
    # π(1,2) = .4 + .3, π(1,3) = .4, π(2,1) = .3, π(2,3) = .3, π(3,1) = .3 + .3, π(3,2) = .4 + .3
    np.testing.assert_allclose(promethee_ii(x, w), [(1.1 - 0.9) / 2, (0.6 - 1.4) / 2, (1.3 - 0.7) / 2])
    batch = np.stack([x, x[::-1]])
    np.testing.assert_allclose(promethee_ii(batch, w)[1], promethee_ii(x[::-1], w))
    assert promethee_ii(x, w).sum() == pytest.approx(0.0)  # net flows sum to zero


def test_bad_inputs_are_refused() -> None:
    x = np.array([[0.8, 0.2], [0.4, 0.9], [0.6, np.nan]])
    for call in (lambda: vikor(x, [0.5, 0.5]), lambda: promethee_ii(x, [0.5, 0.5]),
                 lambda: vikor([[1, 2], [1, 3]], [0.5, 0.5]),  # a column without range
                 lambda: promethee_ii([[1, 2], [2, 1]], [0.5, 0.5], "vshape"),  # p missing
                 lambda: promethee_ii([[1, 2], [2, 1]], [0.5, 0.5], "level", q=0.5, p=0.2),
                 lambda: promethee_ii([[1, 2], [2, 1]], [0.5, 0.5], "gaussian"),
                 lambda: vikor([[1, 2], [2, 3]], [0.5, -0.5])):
        with pytest.raises(HqdError) as caught:
            call()
        assert caught.value.problems[0].code in ("invalid_parameter", "invalid_choice"), caught.value
