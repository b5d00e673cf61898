"""Every catalogue method has a Chinese name and one-liner (hqd methods, the API), with no English words."""

from __future__ import annotations

import re

from typer.testing import CliRunner

import hqd.methods  # noqa: F401  (the complete catalogue)
from hqd.methods import catalog
from hqd.methods.labels import LABELS_ZH, label


def test_the_table_and_the_catalogue_agree() -> None:
    keys = {(m.family, m.name) for m in catalog.all_methods()}
    assert keys == set(LABELS_ZH), (sorted(keys - set(LABELS_ZH)), sorted(set(LABELS_ZH) - keys))
    for key, (name, text) in LABELS_ZH.items():
        assert name and text.endswith("。"), key
        assert not re.search(r"[A-Za-z]{2,}", name + text), key
    assert label("normalize", "vector", "zh") == LABELS_ZH[("normalise", "vector")]
    assert label("weight", "entropy", "en")[1].startswith("Entropy weights")


def test_hqd_methods_shows_both_languages() -> None:
    from hqd.cli import messages
    from hqd.cli.main import app

    runner = CliRunner()
    english = runner.invoke(app, ["methods"], env={"COLUMNS": "250"})
    # short words only: the table wraps long cells at the terminal width
    assert english.exit_code == 0 and "熵权法" in english.output and "中文名称" in english.output
    messages.set_language("zh")  # what `hqd --lang zh` (or LANG=zh_CN) sets before the command runs
    try:
        chinese = runner.invoke(app, ["methods"], env={"COLUMNS": "250"})
    finally:
        messages.set_language("en")
    assert chinese.exit_code == 0 and "熵权法" in chinese.output and "步骤" in chinese.output
