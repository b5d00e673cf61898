"""The bilingual message catalogue: every message in both languages with the same placeholders."""

from __future__ import annotations

import string

import pytest

from hqd.errors import HqdError
from hqd.report.messages import COLUMNS, LANGS, MESSAGES, check_lang, column_label, join, t


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_both_languages_and_the_same_placeholders() -> None:
    for key, texts in MESSAGES.items():
        assert set(texts) == set(LANGS), key
        assert _fields(texts["zh"]) == _fields(texts["en"]), key
        assert texts["zh"].strip() and texts["en"].strip(), key


def test_columns_have_chinese_and_english_labels() -> None:
    for key, (zh, en) in COLUMNS.items():
        assert zh and en, key
    assert column_label("region", "zh") == "地区" and column_label("region", "en") == "Region"
    assert column_label("2022", "zh") == "2022"


def test_lookup_and_join() -> None:
    assert t("report_title", "zh", index="高质量发展指数") == "高质量发展指数评价报告"
    assert join(["北京", "天津", "河北"], "zh") == "北京、天津和河北"
    assert join(["Beijing", "Tianjin", "Hebei"], "en") == "Beijing, Tianjin and Hebei"
    assert join(["Beijing"], "en") == "Beijing"
    with pytest.raises(HqdError) as caught:
        check_lang("de")
    assert caught.value.codes == ["invalid_parameter"] and "zh, en" in str(caught.value)


def test_catalogue_is_json_for_the_dashboard() -> None:
    import json

    from hqd.report.messages import catalogue

    data = json.loads(json.dumps(catalogue(), ensure_ascii=False))
    assert data["messages"]["sec_summary"] == {"zh": "摘要", "en": "Summary"}
    assert data["columns"]["region"] == {"zh": "地区", "en": "Region"}
