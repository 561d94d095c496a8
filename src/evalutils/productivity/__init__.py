"""Productivity and TFP measurement.

Labour productivity (:func:`labour_productivity`, :func:`productivity_growth`),
production-function estimation and firm-level TFP
(:func:`estimate_production_function`), the dynamic Olley–Pakes decomposition of
aggregate productivity growth (:func:`melitz_polanec`) and growth accounting
(:func:`growth_accounting`). See ``docs/productivity.md``.
"""

from .decomposition import melitz_polanec
from .growth_accounting import GrowthAccountingResult, growth_accounting
from .labour import labour_productivity, productivity_growth
from .prodfn import GroupFit, ProductionFunctionResult, estimate_production_function

__all__ = [
    "GroupFit",
    "GrowthAccountingResult",
    "ProductionFunctionResult",
    "estimate_production_function",
    "growth_accounting",
    "labour_productivity",
    "melitz_polanec",
    "productivity_growth",
]
