"""Productivity and TFP measurement.

Labour productivity (:func:`labour_productivity`, :func:`productivity_growth`),
production-function estimation and firm-level TFP
(:func:`estimate_production_function`), the dynamic Olley–Pakes decomposition of
aggregate productivity growth (:func:`melitz_polanec`) and growth accounting
(:func:`growth_accounting`). See ``docs/productivity.md``.
"""

from .labour import labour_productivity, productivity_growth

__all__ = ["labour_productivity", "productivity_growth"]
