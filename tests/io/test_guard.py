"""Every reader behind one guard: library errors become located HqdErrors with a reason code; limits hold.

Each case below ended in a Python traceback before the guard (issue "never a traceback": BadZipFile,
zlib.error, ParseError, InvalidFileException, AttributeError on duplicated columns, UnicodeDecodeError in
YAML, TypeError on ``children: 5``, a zero-size reduction for ``--years 2018:2015``).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hqd.errors import HqdError
from hqd.io.data import load_panel
from hqd.io.framework import load_framework
from hqd.io.guard import LIMITS, load_yaml
from hqd.io.tables import read_table

REPO = Path(__file__).resolve().parents[2]
FRAMEWORK = pd.DataFrame({"code": ["I", "a", "b"], "parent": [None, "I", "I"], "direction": [None, 1, -1]})


def codes(excinfo: pytest.ExceptionInfo[HqdError]) -> list[str]:
    return excinfo.value.codes


def panel_frame() -> pd.DataFrame:
    return pd.DataFrame({"region": ["110000", "120000", "110000", "120000"], "year": [2015, 2015, 2016, 2016],
                         "a": [1.0, 2.0, 3.0, 4.0], "b": [4.0, 3.0, 2.0, 1.0]})


def test_a_csv_saved_as_xlsx_is_not_an_excel_file(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    panel_frame().to_csv(path, index=False)
    with pytest.raises(HqdError) as err:
        read_table(path)
    assert codes(err) == ["not_an_excel_file"]
    assert "text" in err.value.problems[0].message and err.value.problems[0].file == str(path)


def test_a_corrupt_workbook_is_unreadable_not_a_traceback(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    panel_frame().to_excel(good, index=False)
    # a damaged sheet XML inside a valid zip
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    with pytest.raises(HqdError) as err:
        read_table(bad)
    assert codes(err) == ["unreadable_file"]
    # a truncated zip (corrupt deflate stream / directory)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[:400])
    with pytest.raises(HqdError) as err:
        read_table(cut)
    assert codes(err) == ["unreadable_file"]


def test_a_zip_bomb_is_refused_from_its_declared_sizes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.xlsx"
    panel_frame().to_excel(path, index=False)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * 5_000_000)  # 5 MB of zeros: a few KB compressed
    assert path.stat().st_size < 100_000
    monkeypatch.setenv(LIMITS["max_workbook_uncompressed_bytes"].env, "1000000")
    with pytest.raises(HqdError) as err:
        read_table(path)
    assert codes(err) == ["file_too_large"]
    assert "HQD_MAX_WORKBOOK_UNCOMPRESSED_BYTES" in err.value.problems[0].message


def test_the_cell_limit_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.xlsx"
    pd.concat([panel_frame()] * 10).to_excel(path, index=False)
    monkeypatch.setenv(LIMITS["max_workbook_cells"].env, "100")
    with pytest.raises(HqdError) as err:
        read_table(path)
    assert codes(err) == ["file_too_large"]


def test_duplicated_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "dup.xlsx"
    frame = panel_frame()
    frame.insert(3, "a ", frame["b"])  # "a " and "a": the same name once stripped
    frame.to_excel(path, index=False)
    with pytest.raises(HqdError) as err:
        load_panel(path, load_framework(FRAMEWORK))
    assert codes(err) == ["duplicate_column"]
    assert err.value.problems[0].column == "a" and "columns 3 and 4" in err.value.problems[0].message
    duplicated = pd.concat([panel_frame(), panel_frame()[["region"]]], axis=1)
    with pytest.raises(HqdError) as err:
        load_panel(duplicated, load_framework(FRAMEWORK))
    assert codes(err) == ["duplicate_column"]


def test_a_duplicated_framework_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "fw.xlsx"
    frame = FRAMEWORK.copy()
    frame["direction "] = frame["direction"]
    frame.to_excel(path, index=False)
    with pytest.raises(HqdError) as err:
        load_framework(path)
    assert codes(err) == ["duplicate_column"]
    with pytest.raises(HqdError) as err:
        load_framework(pd.concat([FRAMEWORK, FRAMEWORK[["code"]]], axis=1))
    assert codes(err) == ["duplicate_column"]


def test_a_legacy_xls_data_file_is_read(tmp_path: Path) -> None:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("data")
    for j, name in enumerate(panel_frame().columns):
        sheet.write(0, j, name)
    for i, row in enumerate(panel_frame().itertuples(index=False), start=1):
        for j, value in enumerate(row):
            sheet.write(i, j, value)
    path = tmp_path / "data.xls"
    book.save(str(path))
    panel = load_panel(path, load_framework(FRAMEWORK))
    assert panel.regions == ["110000", "120000"] and list(panel.years) == [2015, 2016]
    assert panel.values[1, 0, 0] == 3.0


def test_yaml_frameworks_are_checked_against_their_shape(tmp_path: Path) -> None:
    path = tmp_path / "fw.yaml"
    path.write_text("code: I\nchildren: 5\n", encoding="utf-8")
    with pytest.raises(HqdError) as err:
        load_framework(path)
    assert codes(err) == ["invalid_framework"]
    assert err.value.problems[0].column == "(root).children"
    path.write_text("code: I\nchildren:\n  - {code: a, direction: 1, weight: [1, 2]}\n  - 7\n", encoding="utf-8")
    with pytest.raises(HqdError) as err:
        load_framework(path)
    assert codes(err) == ["invalid_framework", "invalid_framework"]
    assert [p.column for p in err.value.problems] == ["(root).children[0].weight", "(root).children[1]"]


def test_latin1_yaml_is_an_encoding_error(tmp_path: Path) -> None:
    path = tmp_path / "fw.yaml"
    path.write_bytes("code: I\nname_en: Índice\nchildren: [{code: a, direction: 1}]\n".encode("latin-1"))
    with pytest.raises(HqdError) as err:
        load_framework(path)
    assert codes(err) == ["encoding_error"]
    assert err.value.problems[0].row == 2


def test_yaml_aliases_and_oversized_yaml_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b]\n"
    with pytest.raises(HqdError) as err:
        load_yaml(laughs, name="recipe.yaml")
    assert codes(err) == ["yaml_alias"] and err.value.problems[0].row == 2
    monkeypatch.setenv(LIMITS["max_yaml_bytes"].env, "10")
    with pytest.raises(HqdError) as err:
        load_yaml("name: a long recipe\n", name="recipe.yaml")
    assert codes(err) == ["file_too_large"]


def test_recipe_yaml_goes_through_the_safe_loader(tmp_path: Path) -> None:
    from hqd.model.recipe import Recipe

    path = tmp_path / "recipe.yaml"
    path.write_text("w: &w {method: entropy}\nweight: *w\n", encoding="utf-8")
    with pytest.raises(HqdError) as err:
        Recipe.from_yaml(path)
    assert codes(err) == ["yaml_alias"]
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(HqdError) as err:
        Recipe.from_yaml(path)
    assert codes(err) == ["encoding_error"]


def test_infinite_and_huge_numbers_are_not_numbers(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    frame = panel_frame().astype(object)
    frame.loc[0, "a"] = "1e400"
    frame.loc[1, "b"] = "inf"
    frame.to_csv(path, index=False)
    with pytest.raises(HqdError) as err:
        load_panel(path, load_framework(FRAMEWORK))
    assert codes(err) == ["non_numeric", "non_numeric"]
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "a"), (3, "b")]
    assert "finite" in err.value.problems[0].message


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("years,code", [("2018:2015", "invalid_years"), ("2030:2040", "years_outside_data")])
def test_years_reversed_or_outside_the_data(tmp_path: Path, command: str, years: str, code: str) -> None:
    from hqd.cli.main import _register, app

    _register()
    fw, data = tmp_path / "fw.csv", tmp_path / "data.csv"
    FRAMEWORK.to_csv(fw, index=False)
    panel_frame().to_csv(data, index=False)
    args = [command, "--framework", str(fw), "--data", str(data), "--years", years]
    if command == "run":
        args += ["--out", str(tmp_path / "run")]
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, HqdError), result.output
    assert result.exception.codes == [code]
    assert "2015–2016" in result.exception.problems[0].message


def test_parquet_keeps_its_types_and_checks_them(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    frame = panel_frame()
    frame.loc[2, "b"] = float("inf")
    frame.to_parquet(path)
    with pytest.raises(HqdError) as err:
        load_panel(path, load_framework(FRAMEWORK))
    assert codes(err) == ["non_numeric"] and err.value.problems[0].row == 4
    path.write_bytes(b"PAR1" + b"\0" * 64)
    with pytest.raises(HqdError) as err:
        read_table(path)
    assert codes(err) == ["unreadable_file"]


def test_a_gbk_csv_without_its_encoding_is_an_encoding_error(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes("region,year,a,b\n北京,2015,1,2\n".encode("gbk"))
    with pytest.raises(HqdError) as err:
        read_table(path)
    assert codes(err) == ["encoding_error"]
    assert "--encoding" in err.value.problems[0].message
    assert read_table(path, encoding="gbk").frame.iloc[0, 0] == "北京"


def test_the_limits_are_documented() -> None:
    import re

    formats = (REPO / "docs" / "formats.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- limits:start -->\n(.*?)\n<!-- limits:end -->", formats, re.S)
    assert block
    rows = [line for line in block.group(1).splitlines()[2:] if line.strip()]
    documented = {r.split("|")[1].strip().strip("`"): r for r in rows}
    assert set(documented) == set(LIMITS)
    for name, limit in LIMITS.items():
        assert f"`{limit.env}`" in documented[name] and f"{limit.default:,}" in documented[name]


def test_official_readers_are_behind_the_guard_too(tmp_path: Path) -> None:
    from hqd.io.readers import read

    good = tmp_path / "good.xlsx"
    panel_frame().to_excel(good, index=False)
    cut = tmp_path / "nbs.xlsx"
    cut.write_bytes(good.read_bytes()[:600])
    with pytest.raises(HqdError) as err:
        read(cut, format="nbs")
    assert codes(err) == ["unreadable_file"]
    ole = tmp_path / "nbs.xls"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)  # an OLE2 signature, then nothing
    with pytest.raises(HqdError) as err:
        read(ole, format="nbs")
    assert codes(err) == ["unreadable_file"]
