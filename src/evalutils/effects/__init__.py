"""Programme-effect estimators: TWFE, event studies, staggered difference-in-differences.

Every estimator takes a long panel (one row per unit and period) plus column names and
returns a typed result with ``tidy()``. Estimation never prints or plots.
"""

from .diagnostics import BaconDecomposition, TWFEWeights, bacon_decomposition, twfe_weights
from .did import AggregateResult, ATTGTResult, PretestResult, att_gt
from .event_study import EventStudyResult, event_study
from .heterogeneity import HeterogeneityResult, adjust_pvalues, heterogeneity
from .imputation import ImputationResult, did_imputation
from .inference import RandomizationResult, WildBootstrapResult, randomization_inference, wild_cluster_bootstrap
from .plots import plot_event_study, plot_sensitivity
from .power import MDEResult, minimum_detectable_effect
from .sensitivity import EventStudyVector, SensitivityResult, event_study_vector, honest_did, sensitivity
from .sun_abraham import SunAbrahamResult, sun_abraham
from .tables import etable
from .twfe import TWFEResult, twfe

__all__ = [
    "AggregateResult",
    "ATTGTResult",
    "BaconDecomposition",
    "EventStudyResult",
    "EventStudyVector",
    "HeterogeneityResult",
    "ImputationResult",
    "MDEResult",
    "PretestResult",
    "RandomizationResult",
    "SensitivityResult",
    "SunAbrahamResult",
    "TWFEResult",
    "TWFEWeights",
    "WildBootstrapResult",
    "adjust_pvalues",
    "att_gt",
    "bacon_decomposition",
    "did_imputation",
    "etable",
    "event_study",
    "event_study_vector",
    "heterogeneity",
    "honest_did",
    "minimum_detectable_effect",
    "plot_event_study",
    "plot_sensitivity",
    "randomization_inference",
    "sensitivity",
    "sun_abraham",
    "twfe",
    "twfe_weights",
    "wild_cluster_bootstrap",
]
