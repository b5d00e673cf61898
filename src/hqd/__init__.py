"""HQD: regional high-quality development (高质量发展) evaluation and coordination monitoring.

The public API::

    import hqd
    result = hqd.run("framework.csv", "data.csv", "recipe.yaml")   # -> hqd.Result
    hqd.load_framework(...), hqd.load_panel(...), hqd.HqdError, hqd.Problem

Heavy modules (pandas, the methods) are imported on first use, so ``import hqd`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hqd.errors import HqdError, Problem

__version__ = "0.1.0"

if TYPE_CHECKING:
    from hqd.io.data import load_panel
    from hqd.io.framework import load_framework
    from hqd.pipeline import run
    from hqd.result import Result

_LAZY = {"run": "hqd.pipeline", "load_framework": "hqd.io.framework", "load_panel": "hqd.io.data",
         "Result": "hqd.result"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'hqd' has no attribute {name!r}")


__all__ = ["HqdError", "Problem", "Result", "__version__", "load_framework", "load_panel", "run"]
