"""HQD: regional high-quality development evaluation and coordination monitoring."""

from hqd.errors import HqdError, Problem

__version__ = "0.1.0"

__all__ = ["HqdError", "Problem", "__version__"]
