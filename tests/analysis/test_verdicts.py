"""Verdict sentences: both languages hold the same placeholders; Chinese sentences hold no English words."""

from __future__ import annotations

import re
import string

import numpy as np
import pandas as pd
import pytest

from hqd.analysis import beta_convergence, sigma_convergence
from hqd.analysis import verdicts as v
from hqd.errors import HqdError

#: Latin-letter words a Chinese verdict may hold: statistic names and their symbols (proper names).
ALLOWED = {"Moran's", "I", "Getis", "Ord", "Gi", "p", "F", "AIC"}


def _fields(text: str) -> set[str]:
    """Placeholders, with a language-specific one (``direction`` / ``direction_en``) counted once."""
    return {f.removesuffix("_en") for _, f, _, _ in string.Formatter().parse(text) if f}


def test_catalogue_is_complete_and_chinese_has_no_english_words() -> None:
    for key, pair in v.VERDICTS.items():
        assert set(pair) == {"zh", "en"}, key
        assert _fields(pair["zh"]) == _fields(pair["en"]), key
        words = set(re.findall(r"[A-Za-z][A-Za-z']*", re.sub(r"\{[^}]*\}", "", pair["zh"])))
        assert words <= ALLOWED, (key, words - ALLOWED)
    for key, pair in v.TERMS.items():
        assert not re.search(r"[A-Za-z]", pair["zh"]), key


def test_verdicts_pick_the_sentence_from_the_result() -> None:
    assert v.moran_verdict(2022, 0.31, 0.004, "zh") == "2022年存在显著的空间正相关（Moran's I = 0.31，p = 0.004）。"
    assert "不存在" in v.moran_verdict(2022, 0.05, 0.4, "zh")
    assert "no significant" in v.moran_verdict(2022, 0.05, 0.4, "en")
    rng = np.random.default_rng(0)
    rows = []
    for i in range(12):
        level = rng.uniform(0.2, 0.8)
        for year in range(2012, 2022):
            rows.append((f"r{i}", year, level))
            level *= np.exp(0.04 - 0.08 * np.log(level) + rng.normal(0, 0.01))
    panel = pd.DataFrame(rows, columns=["region", "year", "score"])
    beta = beta_convergence(panel, "conditional")
    zh = v.beta_verdict(beta, "zh")
    assert zh.startswith("存在条件β收敛") and "半衰期" in zh and "按地区聚类稳健标准误" in zh
    sigma = v.sigma_verdict(sigma_convergence(panel), "zh")
    assert "区域差异" in sigma and "p =" in sigma
    row = {"year": 2022, "G_w_share": 0.2, "G_nb_share": 0.7, "G_t_share": 0.1}
    assert v.dagum_verdict(row, "zh") == "2022年区域差异主要来源于组间净差异（贡献率 70.0%）。"
    assert v.direction(44.0) == ("东北", "north-east") and v.direction(181.0) == ("南", "south")
    assert "向东" in v.gravity_verdict(2012, 2022, 10.0, 0.0, "zh")
    with pytest.raises(HqdError):
        v.verdict("verdict_moran_none", "fr", year=1, I=1, p=1)
