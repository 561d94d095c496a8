"""Programme-effect estimators: TWFE, event studies, staggered difference-in-differences.

Every estimator takes a long panel (one row per unit and period) plus column names and
returns a typed result with ``tidy()``. Estimation never prints or plots.
"""

from .did import AggregateResult, ATTGTResult, att_gt
from .diagnostics import BaconDecomposition, TWFEWeights, bacon_decomposition, twfe_weights
from .event_study import EventStudyResult, event_study
from .imputation import ImputationResult, did_imputation
from .plots import plot_event_study
from .twfe import TWFEResult, twfe

__all__ = [
    "AggregateResult",
    "ATTGTResult",
    "BaconDecomposition",
    "EventStudyResult",
    "ImputationResult",
    "TWFEResult",
    "TWFEWeights",
    "att_gt",
    "bacon_decomposition",
    "did_imputation",
    "event_study",
    "plot_event_study",
    "twfe",
    "twfe_weights",
]
