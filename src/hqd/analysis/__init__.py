"""Regional analysis on HQD results or plain tables: coordination, inequality, convergence, dynamics,
spatial autocorrelation, obstacles and grey relations (METHODS.md §2.7–2.14).

Every function takes an HQD ``Result`` (duck-typed: ``.scores`` long table, optionally ``.weights``
and ``.framework.nodes``) or a plain DataFrame, computes every year of a panel at once, and returns a
frozen result object with ``.to_frame()`` that keeps the intermediates.
"""

from hqd.analysis.centrography import centre_of_gravity, standard_deviational_ellipse
from hqd.analysis.classify import class_breaks
from hqd.analysis.convergence import BetaResult, SigmaResult, beta_convergence, sigma_convergence
from hqd.analysis.coupling import (
    LIAO_10,
    CouplingResult,
    GradeTable,
    coupling_coordination,
    coupling_degree,
    regional_coupling,
)
from hqd.analysis.demo import jjj_demo_analyses
from hqd.analysis.dynamics import KDEResult, MarkovResult, kernel_density, markov_transition
from hqd.analysis.econometrics import sar, sdm, sem
from hqd.analysis.grey import GreyResult, grey_relational
from hqd.analysis.hotspots import getis_ord
from hqd.analysis.inequality import (
    CVResult,
    DagumResult,
    GiniResult,
    TheilResult,
    coefficient_of_variation,
    dagum_gini,
    gini,
    theil,
)
from hqd.analysis.obstacle import ObstacleResult, obstacle_degree
from hqd.analysis.panel_regression import fixed_effects, mediation, threshold_regression
from hqd.analysis.spatial import (
    LocalMoranResult,
    MoranResult,
    economic_distance_weights,
    local_morans_i,
    morans_i,
    nested_weights,
    row_standardise,
    weights_from_geojson,
    weights_from_matrix,
    weights_from_points,
)

__all__ = [
    "LIAO_10",
    "BetaResult",
    "CVResult",
    "CouplingResult",
    "DagumResult",
    "GiniResult",
    "GradeTable",
    "GreyResult",
    "KDEResult",
    "LocalMoranResult",
    "MarkovResult",
    "MoranResult",
    "ObstacleResult",
    "SigmaResult",
    "TheilResult",
    "beta_convergence",
    "centre_of_gravity",
    "class_breaks",
    "coefficient_of_variation",
    "coupling_coordination",
    "coupling_degree",
    "dagum_gini",
    "economic_distance_weights",
    "fixed_effects",
    "getis_ord",
    "gini",
    "grey_relational",
    "jjj_demo_analyses",
    "kernel_density",
    "local_morans_i",
    "markov_transition",
    "mediation",
    "morans_i",
    "nested_weights",
    "obstacle_degree",
    "regional_coupling",
    "row_standardise",
    "sar",
    "sdm",
    "sem",
    "sigma_convergence",
    "standard_deviational_ellipse",
    "theil",
    "threshold_regression",
    "weights_from_geojson",
    "weights_from_matrix",
    "weights_from_points",
]
