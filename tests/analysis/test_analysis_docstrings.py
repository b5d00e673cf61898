"""Every public analysis states its formula, its policies and its references (STYLE.md habit 5)."""

from __future__ import annotations

import inspect

import pytest

import hqd.analysis as analysis

METHODS = [name for name in analysis.__all__
           if inspect.isfunction(getattr(analysis, name)) and name not in ("row_standardise",)]


@pytest.mark.parametrize("name", METHODS)
def test_public_analysis_docstring_has_formula_policy_and_reference(name: str) -> None:
    doc = inspect.getdoc(getattr(analysis, name)) or ""
    if name in ("jjj_demo_analyses", "weights_from_points", "weights_from_matrix", "weights_from_geojson",
                "coupling_degree", "regional_coupling"):
        assert len(doc) > 200  # composite or helper: described, formulas live on the method it calls
        return
    assert ".. math::" in doc or ":math:" in doc, "formula"
    assert "olicy" in doc or "Policy" in doc, "missing/zero/negative-value policy"
    assert "Reference" in doc or "Replicates" in doc, "references"
