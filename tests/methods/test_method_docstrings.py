"""Every example in the docstrings of hqd.methods runs and prints what it says (they quote peer numbers)."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

import hqd.methods  # noqa: F401  (complete catalogue)
from hqd.methods import catalog

MODULES = sorted({m.func.__module__ for m in catalog.all_methods()} | {"hqd.methods.catalog"})


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_run(module_name: str) -> None:
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tests = finder.find(module, module_name, globs={**vars(module), "np": np})
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0


def test_every_method_has_an_example() -> None:
    missing = [f"{m.family}.{m.name}" for m in catalog.all_methods() if ">>>" not in (m.func.__doc__ or "")]
    assert missing == []
