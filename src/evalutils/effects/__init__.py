"""Programme-effect estimators: TWFE, event studies, staggered difference-in-differences.

Every estimator takes a long panel (one row per unit and period) plus column names and
returns a typed result with ``tidy()``. Estimation never prints or plots.
"""

from .did import AggregateResult, ATTGTResult, att_gt
from .twfe import TWFEResult, twfe

__all__ = ["AggregateResult", "ATTGTResult", "TWFEResult", "att_gt", "twfe"]
