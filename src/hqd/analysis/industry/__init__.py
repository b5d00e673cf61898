"""The industrial-coordination measures (产业协同): an industry statistics layer.

Pure, vectorised functions over arrays whose last two axes are (regions, industries):

- :mod:`~hqd.analysis.industry.concentration`: location quotient (区位熵), structural similarity
  (产业结构相似系数), Krugman specialisation and dissimilarity, Hoover localisation, locational Gini,
  Ellison–Glaeser agglomeration and two co-agglomeration indices (协同集聚);
- :mod:`~hqd.analysis.industry.shift_share`: classic and dynamic shift-share decomposition;
- :mod:`~hqd.analysis.industry.io_linkages`: Leontief inverse, linkages and Rasmussen indices;
- :mod:`~hqd.analysis.industry.tables`: the same measures on an :class:`hqd.io.industry.IndustryTable`
  as tidy tables with bilingual verdicts, and as indicator columns for an 产业协同 dimension.
"""

from hqd.analysis.industry.concentration import (
    coagglomeration_eg,
    coagglomeration_lq,
    ellison_glaeser,
    hoover_localisation,
    krugman_dissimilarity,
    krugman_specialisation,
    location_quotient,
    locational_gini,
    region_shares,
    structural_similarity,
)
from hqd.analysis.industry.io_linkages import (
    IOLinkages,
    io_linkages,
    leontief_inverse,
    technical_coefficients,
)
from hqd.analysis.industry.shift_share import COMPONENTS, ShiftShareResult, dynamic_shift_share, shift_share

__all__ = [
    "COMPONENTS",
    "IOLinkages",
    "ShiftShareResult",
    "coagglomeration_eg",
    "coagglomeration_lq",
    "dynamic_shift_share",
    "ellison_glaeser",
    "hoover_localisation",
    "io_linkages",
    "krugman_dissimilarity",
    "krugman_specialisation",
    "leontief_inverse",
    "location_quotient",
    "locational_gini",
    "region_shares",
    "shift_share",
    "structural_similarity",
    "technical_coefficients",
]
