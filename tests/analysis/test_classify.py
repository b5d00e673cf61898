"""Class breaks: mapclassify's, with the class table of a legend."""

from __future__ import annotations

import mapclassify
import numpy as np
import pandas as pd
import pytest

from hqd.analysis.classify import class_breaks
from hqd.errors import HqdError


def test_natural_breaks_and_quantiles_are_mapclassifys() -> None:
    rng = np.random.default_rng(0)
    y = rng.lognormal(0, 0.5, 60)
    values = pd.DataFrame({"region": [f"r{i}" for i in range(60)], "score": y})
    jenks = class_breaks(values, "natural_breaks", 5)
    ref = mapclassify.FisherJenks(y, k=5)
    np.testing.assert_allclose(jenks.table["upper"], ref.bins)
    np.testing.assert_array_equal(jenks.frame["class"], ref.yb)
    assert jenks.table["count"].sum() == 60 and jenks.table["lower"].iloc[0] == y.min()
    q = class_breaks(values, "quantiles", 4)
    np.testing.assert_allclose(q.table["upper"], mapclassify.Quantiles(y, k=4).bins)
    user = class_breaks(values, "user_defined", bins=[1.0, 2.0])
    assert list(user.table["upper"])[:2] == [1.0, 2.0]
    with pytest.raises(HqdError) as err:
        class_breaks(values, "jenks")
    assert err.value.codes == ["unknown_option"] and "natural_breaks" in str(err.value)
    with pytest.raises(HqdError):
        class_breaks(values.iloc[:3], "natural_breaks", 5)


@pytest.mark.parametrize(("n", "k", "seed"), [(40, 3, 1), (120, 5, 2), (200, 7, 3), (60, 4, 4)])
def test_fisher_jenks_bins_equal_mapclassify(n: int, k: int, seed: int) -> None:
    from hqd.analysis.classify import fisher_jenks_bins

    y = np.random.default_rng(seed).gamma(2.0, 1.0, n)
    np.testing.assert_allclose(fisher_jenks_bins(y, k), mapclassify.FisherJenks(y, k=k).bins, rtol=1e-12)
