"""The method appendix: outcome, estimators, TFP, targets and disclosure control, with the settings used."""

from __future__ import annotations

from ...i18n import fmt_number, t
from ..context import ProvinceContext
from ..html import render


def methods_html(ctx: ProvinceContext) -> str:
    """The method appendix, filled with the settings of ``params/defaults.yml``."""
    lang = ctx.lang
    d = ctx.defaults
    keys = ["m_outcome", "m_twfe", "m_cs", "m_bjs", "m_weights", "m_tfp", "m_targets", "m_disclosure"]
    vals = dict(outcome=d.outcome, control=t(f"control_{d.control_group}", lang), n_boot=d.n_boot, seed=d.seed, k=ctx.k,
                share=fmt_number(100 * d.disclosure.max_firm_share, lang, 0),
                tol=fmt_number(100 * d.about_tolerance, lang, 0), min_sup=d.min_supported_for_estimate)
    return render("list_section.html.j2", heading=t("methods_heading", lang), items=[t(k, lang, **vals) for k in keys])
