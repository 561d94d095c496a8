"""The province report, as its notebook reads it (``import evalutils.report.province as report``).

Each function takes the loaded context (:mod:`.context`) and returns a table, a figure or a piece of HTML
rendered from a template; the sections live in :mod:`.sections`, the figures in :mod:`.figures`, the
machine-readable payload in :mod:`.payload`. Nothing here estimates by itself beyond calling
:mod:`evalutils.evaluate`, and nothing here prints.
"""

from __future__ import annotations

from ..i18n import t
from .context import MemberProvince, ProvinceContext, analysis_panel, load_province_context
from .figures import effects_figure, figure_html, figure_png, productivity_figure, scorecard_figure, \
    sensitivity_figure, show_figure, tfp_figure
from .html import render
from .payload import RESULTS_MIME, results_output, results_payload
from .sections.effects import by_type_html, effects_html, evaluate
from .sections.header import banner_html, header_html, plans_html
from .sections.limitations import limitations_html
from .sections.methods import methods_html
from .sections.productivity import growth_accounting_html, landscape_html, landscape_table, productivity_trend, \
    tfp_html, tfp_trend, trend_html
from .sections.provenance import provenance, provenance_html
from .sections.scorecard import scorecard_html, scorecard_table
from .sections.summary import key_findings_html
from .sections.support import support_html

#: Report CSS (beats the nbconvert lab template's right-aligned cells; tables scroll on phones).
STYLE = render("style.html.j2")

__all__ = [
    "RESULTS_MIME", "STYLE", "MemberProvince", "ProvinceContext", "analysis_panel", "banner_html", "by_type_html",
    "effects_figure", "effects_html", "evaluate", "figure_html", "figure_png", "growth_accounting_html",
    "header_html", "key_findings_html", "landscape_html", "landscape_table", "limitations_html",
    "load_province_context", "methods_html", "plans_html", "productivity_figure", "productivity_trend",
    "provenance", "provenance_html", "results_output", "results_payload", "scorecard_figure", "scorecard_html",
    "scorecard_table", "sensitivity_figure", "show_figure", "support_html", "t", "tfp_figure", "tfp_html", "tfp_trend", "trend_html",
]
