"""The bundled industry classifications: GB/T 4754-2017 sections and divisions, 战略性新兴产业分类（2018）."""

from __future__ import annotations

import pytest

from hqd.errors import HqdError
from hqd.model import industries as ind


def test_bundled_gbt4754_lists_20_sections_and_97_divisions() -> None:
    listed = ind.gbt4754_2017()
    assert sum(i.level == "section" for i in listed.values()) == 20
    assert len(ind.divisions()) == 97
    assert listed["C36"].name_zh == "汽车制造业" and listed["I65"].section == "I"
    assert [d.code for d in ind.divisions()][:3] == ["A01", "A02", "A03"] and ind.divisions()[-1].code == "T97"
    assert len(ind.sei_2018()) == 9 and ind.sei_2018()["5"].name_zh == "新能源汽车产业"


@pytest.mark.parametrize(("raw", "canon"), [("36", "C36"), ("C36", "C36"), ("c 3612", "C3612"), ("3612", "C3612"),
                                            ("I", "I"), ("651", "I651")])
def test_codes_normalise(raw: str, canon: str) -> None:
    assert ind.normalise_industry_code(raw) == canon


@pytest.mark.parametrize("raw", ["99", "C44", "Z", "3", "汽车", "C12345"])
def test_invalid_codes_are_rejected(raw: str) -> None:
    assert not ind.is_industry_code(raw)
    with pytest.raises(HqdError) as err:
        ind.normalise_industry_code(raw)
    assert err.value.codes == ["unknown_industry"]


def test_labels_map_to_codes_and_sei_fields_are_checked() -> None:
    assert ind.code_for_label("36 汽车制造业") == "C36"
    assert ind.code_for_label("C39计算机、通信和其他电子设备制造业") == "C39"
    assert ind.code_for_label("制造业") == "C"
    assert ind.code_for_label("房地产业") == "K" and ind.single_division_sections() == {"K": "K70", "P": "P83", "T": "T97"}
    assert ind.code_for_label("汽车") is None
    assert ind.industry_level("C3612") == "class" and "by division" in ind.CHECKED_BY["class"]
    ind.check_sei_codes(["1", "5.1", "9"])
    with pytest.raises(HqdError) as err:
        ind.check_sei_codes(["10", "0.1"])
    assert err.value.codes == ["unknown_sei_field", "unknown_sei_field"]
