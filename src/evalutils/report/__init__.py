"""The reports: the province report (:mod:`.province`), the national synthesis (:mod:`.national`) and the
machine-readable payload both display (:mod:`.payload`). Notebooks import ``evalutils.report.province as report``.

:func:`analysis_panel` (in :mod:`.analysis`) returns the panel a province report analyses, to re-run its estimates.
"""

from __future__ import annotations

__all__ = ["AnalysisPanel", "analysis_panel"]


def __getattr__(name: str):
    # loaded on first use: the render side imports evalutils.report.payload and must stay light
    if name in __all__:
        from . import analysis  # noqa: PLC0415

        return getattr(analysis, name)
    raise AttributeError(f"module 'evalutils.report' has no attribute {name!r}")
