"""``--out`` is checked before any work: located ``unwritable_output`` / ``unsupported_output`` problems, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hqd.cli.outputs import output_file, output_folder, template_file
from hqd.errors import HqdError

ENV = {"PYTHONIOENCODING": "utf-8", "COLUMNS": "200", "PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}


def hqd(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hqd.cli", *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd, env=ENV)


def test_a_folder_under_a_file_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(HqdError) as raised:
        output_folder(blocker / "run")
    problem = raised.value.problems[0]
    assert problem.code == "unwritable_output" and problem.file == str(blocker / "run")
    with pytest.raises(HqdError) as raised:
        output_file(blocker / "sub" / "report.pdf")
    assert raised.value.codes == ["unwritable_output"] and "cannot create the folder" in raised.value.problems[0].message
    assert "is a file, not a folder" in raised.value.problems[0].message


def test_a_folder_is_not_a_file_and_a_file_is_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(HqdError, match="is a folder; name a file"):
        output_file(tmp_path)
    (tmp_path / "f").write_text("", encoding="utf-8")
    with pytest.raises(HqdError, match="is a file, not a folder"):
        output_folder(tmp_path / "f")
    assert output_folder(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    assert not (tmp_path / "new").exists()  # checked, not created: a command that then fails leaves nothing


def test_a_template_is_written_under_the_name_out_gives_or_refused(tmp_path: Path) -> None:
    with pytest.raises(HqdError) as raised:
        template_file("framework", tmp_path / "fw.txt")
    assert raised.value.codes == ["unsupported_output"] and "fw.xlsx" in raised.value.problems[0].message
    assert template_file("framework", tmp_path / "fw.csv") == tmp_path / "fw.csv"
    assert template_file("recipe", tmp_path / "r.yml") == tmp_path / "r.yml"


def test_cli_template_never_writes_a_name_other_than_out(tmp_path: Path) -> None:
    done = hqd("template", "framework", "--out", str(tmp_path / "fw.json"))
    assert done.returncode == 2 and "unsupported_output" in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # neither fw.json nor a silent fw.xlsx
    done = hqd("template", "framework", "--out", str(tmp_path / "fw.csv"))
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["fw.csv"]  # what --out names, as CSV
    done = hqd("template", "framework", "--out", str(tmp_path / "made" / "fw.xlsx"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "made" / "fw.xlsx").is_file()


@pytest.mark.parametrize("args", [
    ["template", "recipe", "--out", "{blocked}/r.yaml"],
    ["run", "-f", "{fw}", "-d", "{data}", "--out", "{blocked}/run"],
    ["report", "{tmp}", "--out", "{blocked}/report.xlsx"],
    ["analyze", "gini", "{data}", "--column", "x", "--out", "{blocked}/out"],
], ids=["template", "run", "report", "analyze"])
def test_an_unwritable_out_is_a_located_problem_with_exit_2(args: list[str], tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("x", encoding="utf-8")
    framework, data = tmp_path / "fw.csv", tmp_path / "d.csv"
    framework.write_text("code,parent,direction\nI,,\nx,I,1\ny,I,1\n", encoding="utf-8")
    data.write_text("region,year,x,y\nA,2020,1,2\nB,2020,2,3\nC,2020,4,1\n", encoding="utf-8")
    done = hqd(*[a.format(blocked=blocked, fw=framework, data=data, tmp=tmp_path) for a in args])
    assert done.returncode == 2, done.stdout + done.stderr
    assert "unwritable_output" in done.stderr and str(blocked) in done.stderr
    assert "Traceback" not in done.stderr
