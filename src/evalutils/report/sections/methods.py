"""The method appendix: outcome, estimators, TFP, targets and disclosure control, with the settings used."""

from __future__ import annotations

from ...i18n import fmt_number, t
from ..context import ProvinceContext
from ..html import render


#: the estimators' names as the effects table prints them (never the code's identifiers)
_ESTIMATOR_NAMES = {"twfe": "est_twfe", "callaway_santanna": "est_cs", "imputation": "est_bjs"}


def _estimator_key(estimator: str, control_group: str) -> str:
    """Callaway–Sant'Anna's name states its comparison group (as in the effects table)."""
    if estimator == "callaway_santanna" and control_group == "not_yet_treated":
        return "est_cs_not_yet_treated"
    return _ESTIMATOR_NAMES[estimator]


def choices_text(a, lang) -> str:
    """The analysis choices a reader needs to re-run the estimates (covariates, sample, estimators, anticipation,
    base period), in words."""
    none = t("m_none", lang)
    sample = "; ".join(f"{t('m_sample_' + k, lang)}: {', '.join(v)}" for k, v in a.sample.model_dump().items()
                       if v is not None) or t("m_all_firms", lang)
    return t("m_choices_text", lang, covariates=", ".join(a.covariates) or none, sample=sample,
             estimators=", ".join(t(_estimator_key(e, a.control_group), lang) if e in _ESTIMATOR_NAMES else e
                                  for e in a.estimators), anticipation=a.anticipation,
             base_period=t(f"m_base_{a.base_period}", lang))


def methods_html(ctx: ProvinceContext) -> str:
    """The method appendix, filled with the report's analysis choices (:attr:`ProvinceContext.analysis`) and the
    settings of ``params/defaults.yml``."""
    lang = ctx.lang
    d = ctx.defaults
    keys = ["m_outcome", "m_twfe", "m_cs", "m_bjs", "m_inference", "m_weights", "m_tfp", "m_targets", "m_disclosure"]
    if not any(m.params.targets for m in ctx.members):
        keys.remove("m_targets")  # no target is scored: the scorecard's reading rules do not apply
    a = ctx.analysis
    if a.outcome != "log_va_per_worker":
        keys[0] = f"m_outcome_{a.outcome}"
    keys.insert(4, "m_choices")
    vals = dict(outcome=a.outcome, control=t(f"control_{a.control_group}", lang), n_boot=a.n_boot, seed=d.seed,
                k=ctx.k, choices=choices_text(a, lang),
                share=fmt_number(100 * d.disclosure.max_firm_share, lang, 0),
                tol=fmt_number(100 * d.about_tolerance, lang, 0), min_sup=d.min_supported_for_estimate)
    return render("list_section.html.j2", heading=t("methods_heading", lang), items=[t(k, lang, **vals) for k in keys])
