"""Pure numerical methods of the index engine, one module per family, found through :mod:`.catalog`.

Importing this package imports every family module, so the catalogue is complete:
``hqd.methods.catalog.get("weight", "entropy")``.
"""

from hqd.methods import (
    aggregate,
    catalog,
    combination,
    denominate,
    dispersion,
    impute,
    mcdm,
    normalize,
    screen,
    treat,
    weight,
)
from hqd.methods.catalog import Method, Param, all_methods, get, names, register, validate_params

__all__ = [
    "Method",
    "Param",
    "aggregate",
    "all_methods",
    "catalog",
    "combination",
    "denominate",
    "dispersion",
    "get",
    "impute",
    "mcdm",
    "names",
    "normalize",
    "register",
    "screen",
    "treat",
    "validate_params",
    "weight",
]
