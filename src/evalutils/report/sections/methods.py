"""The method appendix: outcome, estimators, TFP, targets and disclosure control, with the settings used.

Every sentence that names a method or a setting is generated from the report's analysis choices
(:attr:`ProvinceContext.analysis`) and, when given, the evaluation: an estimator not shown has no line of its own
(Callaway–Sant'Anna, always run for the pre-trend test, says that it is not in the table), the clusters, the
comparison group, the controls and the sample are the ones used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...i18n import Lang, fmt_number, t
from ...evaluate import analysis_data, time_varying
from ..context import ProvinceContext, analysis_panel
from ..formatting import join_names
from ..html import render

if TYPE_CHECKING:
    from ...evaluate import Evaluation

#: covariates in words (choices are code identifiers; a Vietnamese report must not print them)
_COVARIATE_KEYS = {"log_employment": "cov_log_employment", "log_capital_per_worker": "cov_log_capital_per_worker",
                   "ownership": "cov_ownership", "vsic_section": "cov_vsic_section"}


def covariates_text(names, lang: Lang) -> str:
    """Covariates in words, in the report's language ("none" when there are none)."""
    return ", ".join(t(_COVARIATE_KEYS[c], lang) for c in names) or t("m_none", lang)


def sample_text(a, lang: Lang) -> str:
    """The sample restriction in words ("all firms" when there is none): sections by their VSIC letter, size
    classes and ownership in the report's language."""
    def values(key: str, vs) -> str:
        if key == "size_class":
            return ", ".join(t(f"size_{v}", lang) for v in vs)
        if key == "ownership":
            return ", ".join(t(f"own_{v}", lang).lower() for v in vs)
        return ", ".join(vs)
    return "; ".join(f"{t('m_sample_' + k, lang)}: {values(k, v)}" for k, v in a.sample.model_dump().items()
                     if v is not None) or t("m_all_firms", lang)


def choices_text(a, lang) -> str:
    """The analysis choices a reader needs to re-run the estimates (covariates, sample, estimators, anticipation,
    base period), in words."""
    return t("m_choices_text", lang, covariates=covariates_text(a.covariates, lang), sample=sample_text(a, lang),
             estimators=join_names((t(f"kf_method_{e}", lang) for e in a.estimators), lang),
             anticipation=a.anticipation, base_period=t(f"m_base_{a.base_period}", lang))


def twfe_controls(ctx: ProvinceContext) -> list[str]:
    """The covariates TWFE actually adjusts for: those of the choice that vary within a firm in the analysed panel
    (time-invariant ones are absorbed by the firm effects; :func:`evalutils.evaluate.estimator_arguments`)."""
    a = ctx.analysis
    if not a.covariates:
        return []
    return ctx.stored("twfe-controls", lambda: _twfe_controls(ctx), list)


def _twfe_controls(ctx: ProvinceContext) -> list[str]:
    a = ctx.analysis
    sample = {k: list(v) for k, v in a.sample.model_dump().items() if v is not None} or None
    df, columns, _ = analysis_data(analysis_panel(ctx), outcome=a.outcome, covariates=list(a.covariates),
                                   sample=sample)
    used = time_varying(df, columns)
    return [c for c in a.covariates if any(u == c or u.startswith(c + "_") for u in used)]


def methods_items(ctx: ProvinceContext, evaluation: Evaluation | None = None) -> list[str]:
    """The appendix's sentences, each from the choices used (and the evaluation's diagnostics when given)."""
    lang = ctx.lang
    d, a = ctx.defaults, ctx.analysis
    shown = a.estimators
    cluster = t(f"cluster_{a.cluster}", lang)
    items = [t("m_outcome" if a.outcome == "log_va_per_worker" else f"m_outcome_{a.outcome}", lang)]
    if "twfe" in shown:
        controls = twfe_controls(ctx)
        items.append(t("m_twfe", lang, cluster=cluster,
                       controls=t("m_twfe_controls", lang, names=covariates_text(controls, lang)) if controls
                       else t("m_twfe_no_controls", lang)))
    covs = covariates_text(a.covariates, lang)
    items.append(t("m_cs", lang, control=t(f"control_{a.control_group}", lang), n_boot=a.n_boot, seed=d.seed,
                   cluster=cluster, shown="" if "callaway_santanna" in shown else t("m_cs_not_shown", lang),
                   covs=t("m_cs_covariates", lang, names=covs) if a.covariates else ""))
    if "imputation" in shown:  # it takes no covariates: say so when some were chosen
        items.append(t("m_bjs", lang) + (t("m_bjs_no_covariates", lang, names=covs) if a.covariates else ""))
    items.append(t("m_choices", lang, choices=choices_text(a, lang)))
    # the cohort-stratified variance is that of the robust estimators (TWFE's is in its line); with TWFE alone,
    # Callaway–Sant'Anna's (the pre-trend test and the sensitivity analysis use it)
    robust = [e for e in shown if e != "twfe"] or ["callaway_santanna"]
    if a.cluster == "firm_id":
        items.append(t("m_inference", lang, names=join_names((t(f"kf_method_{e}", lang) for e in robust), lang)))
    else:
        items.append(t("m_inference_vsic_section", lang,
                       names=join_names((t(f"kf_method_{e}", lang) for e in shown), lang)))
    if "twfe" in shown and evaluation is not None:  # the TWFE diagnostic, with its numbers (not in the main text)
        w = evaluation.weights
        if w is not None:
            items.append(t("m_weights", lang, neg=fmt_number(w.n_negative, lang), n=fmt_number(w.n_treated_obs, lang)))
        elif "weights" in evaluation.reasons and evaluation.estimates:  # else the report said why already
            items.append(t("m_weights_missing", lang, reason=evaluation.reason("weights", lang)))
    items.append(t("m_tfp", lang))
    if any(m.params.targets for m in ctx.members):  # else the scorecard's reading rules do not apply
        items.append(t("m_targets", lang, tol=fmt_number(100 * d.about_tolerance, lang, 0)))
    items.append(t("m_disclosure", lang, k=ctx.k, share=fmt_number(100 * d.disclosure.max_firm_share, lang, 0),
                   min_sup=d.min_supported_for_estimate))
    return items


def methods_html(ctx: ProvinceContext, evaluation: Evaluation | None = None) -> str:
    """The method appendix, filled with the report's analysis choices (:attr:`ProvinceContext.analysis`), the
    settings of ``params/defaults.yml`` and, when ``evaluation`` is given, the TWFE weights diagnostic."""
    return render("list_section.html.j2", heading=t("methods_heading", ctx.lang), items=methods_items(ctx, evaluation))
