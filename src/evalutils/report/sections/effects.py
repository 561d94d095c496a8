"""The programme's effects: the estimators side by side, why they differ, the pre-trend test, effects by type."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from ...cache import cached
from ...evaluate import Evaluation, evaluate_effects
from ...i18n import t
from ...panel.schema import SUPPORT_TYPES
from ..context import ProvinceContext, analysis_panel
from ..findings import supported_text
from ..formatting import count_text, fmt, join_names, pct_effect, stars
from ..exhibits import shown_table
from ..html import render
from .credibility import pretrend_paragraphs, sensitivity_paragraphs
from .methods import sample_text  # the appendix words the sample the same way


def evaluate(ctx: ProvinceContext, *, cache: bool = True) -> Evaluation:
    """Run every effect estimator for the unit (see :func:`evalutils.evaluate.evaluate_effects`).

    The results do not depend on the report's language: they are computed once per unit, data,
    parameters, seed and code, and kept in ``<cache_dir>/effects/`` for the other language
    (``cache=False``, or a context without a cache directory, always recomputes).
    """
    options = evaluation_options(ctx)
    if not cache or ctx.cache_dir is None:
        return evaluate_effects(analysis_panel(ctx), **options)
    # keyed by the unit's data key (the code, the input files' contents, every setting) and the options, so that
    # a report whose targets alone changed finds its evaluation without reading the panel (ProvinceContext.stored)
    key = hashlib.sha256(f"unit-effects:{ctx.data_key}:{json.dumps(options, sort_keys=True, default=str)}"
                         .encode()).hexdigest()
    return cached(ctx.cache_dir / "effects", f"{ctx.geography}-{ctx.slug}", key,
                  lambda: evaluate_effects(analysis_panel(ctx), **options), Evaluation)


def evaluation_options(ctx: ProvinceContext) -> dict:
    """The options of the unit's evaluation: the analysis choices (``ctx.analysis``), the seed and thresholds.
    They are also the evaluation's cache key (with the code and the data)."""
    d, a = ctx.defaults, ctx.analysis
    secondary = tuple(o for o in ("log_tfp", "log_va_per_worker") if o != a.outcome)[:1]
    return dict(outcome=a.outcome, seed=d.seed, min_supported=d.min_supported_for_estimate, n_boot=a.n_boot,
                control_group=a.control_group, cluster=a.cluster, secondary_outcomes=secondary,
                disclosure_k=ctx.k, covariates=list(a.covariates),
                sample={k: list(v) for k, v in a.sample.model_dump().items() if v is not None} or None,
                estimators=list(a.estimators), anticipation=a.anticipation, base_period=a.base_period)


_EST_NAMES = {"twfe": "est_twfe", "callaway_santanna": "est_cs", "imputation": "est_bjs"}


def _est_name(estimator: str, ctx: ProvinceContext) -> str:
    """The message naming ``estimator``; Callaway–Sant'Anna's names its comparison group."""
    if estimator == "callaway_santanna" and ctx.analysis.control_group == "not_yet_treated":
        return "est_cs_not_yet_treated"
    return _EST_NAMES[estimator]


def effects_intro(ctx: ProvinceContext, evaluation: Evaluation) -> str:
    """The section's opening: the question, the comparison group, the outcome and the firms analysed (with the
    sample restriction, when there is one), all from the analysis choices used."""
    lang, ev, a = ctx.lang, evaluation, ctx.analysis
    sample = ""
    if a.sample.restricted:
        sample = t("effects_sample", lang, sample=sample_text(a, lang))
    # the comparison group chosen is Callaway–Sant'Anna's; TWFE and imputation compare with every firm not (yet)
    # supported whatever the choice
    control = a.control_group if "callaway_santanna" in a.estimators else "any"
    return t("effects_intro" if ev.outcome == "log_va_per_worker" else f"effects_intro_{ev.outcome}", lang,
             control=t(f"effects_control_{control}", lang), n=supported_text(ctx, ev),
             N=count_text(ev.n_firms, ctx.k, lang), sample=sample)


def rows_text(ctx: ProvinceContext, evaluation: Evaluation) -> str:
    """What the rows of the effects table are, from the estimators actually in it (never "the first row is TWFE"
    when TWFE is not shown)."""
    lang, ev = ctx.lang, evaluation
    shown = list(ev.estimates)
    robust = [t(f"kf_method_{e}", lang) for e in shown if e != "twfe"]
    parts = []
    if "twfe" in shown and robust:
        parts.append(t("effects_rows_twfe_first", lang, names=join_names(robust, lang)))
    elif "twfe" in shown:
        parts.append(t("effects_rows_twfe_only", lang))
    elif robust:
        parts.append(t("effects_rows_robust" if len(robust) > 1 else "effects_rows_robust_one", lang,
                       names=join_names(robust, lang)))
    if ev.secondary:
        parts.append(t("effects_rows_secondary", lang, what=t("kf_what_" + next(iter(ev.secondary)), lang)))
    return " ".join(parts)


def effects_html(ctx: ProvinceContext, evaluation: Evaluation) -> str:
    """The overall effect by each estimator, why TWFE and the robust estimate differ, the pre-trend test."""
    lang = ctx.lang
    ev = evaluation
    values = dict(heading=t("effect_heading", lang), intro=effects_intro(ctx, ev))
    est = ev.estimates
    if not est:
        reason = "; ".join(dict.fromkeys(ev.reason(k, lang) for k in ("twfe", "att_gt", "imputation")
                                         if k in ev.reasons))
        return render("effects.html.j2", **values, unavailable=t("effect_unavailable", lang, reason=reason),
                      notes=ev.notes_text(lang))
    values["intro"] += " " + rows_text(ctx, ev)
    rows = []
    for key, e in [*((_est_name(n, ctx), e) for n, e in est.items()),
                   *(("est_cs_" + outcome, e) for outcome, e in ev.secondary.items())]:
        rows.append({t("col_estimator", lang): t(key, lang),
                     t("col_estimate", lang): fmt(e.estimate, lang, 4) + stars(e.p_value),
                     t("col_se", lang): fmt(e.std_error, lang, 4),
                     t("col_ci", lang): f"[{fmt(e.conf_low, lang, 4)}; {fmt(e.conf_high, lang, 4)}]",
                     t("col_pct", lang): pct_effect(e.estimate, lang),
                     t("col_p", lang): fmt(e.p_value, lang, 3)})
    tab = pd.DataFrame(rows)
    shown = ctx.analysis.estimators  # an estimator left out by choice is not "missing"
    missing = [t("estimator_missing", lang, name=t(_est_name(e, ctx), lang), reason=ev.reason(k, lang))
               for k, e in (("att_gt", "callaway_santanna"), ("imputation", "imputation"), ("twfe", "twfe"))
               if k in ev.reasons and e in shown]
    paragraphs = []
    if "twfe" in est and "callaway_santanna" in est:  # why TWFE and the robust estimate differ
        # the count of negatively weighted observations is a technical detail: the method appendix gives it
        d = est["twfe"].estimate - est["callaway_santanna"].estimate
        se = max(est["twfe"].std_error, est["callaway_santanna"].std_error)
        key = "diff_large" if abs(d) > se else "diff_small"
        # in the unit of the table's "Change (%)" column, as the glossary asks of the main text
        # "the same conclusion" only when both are significant at 5 %, or neither is
        same = (est["twfe"].p_value < 0.05) == (est["callaway_santanna"].p_value < 0.05)
        paragraphs.append(t(key, lang, twfe=pct_effect(est["twfe"].estimate, lang),
                            cs=pct_effect(est["callaway_santanna"].estimate, lang),
                            end=t("diff_same_conclusion", lang) if same else "."))
    paragraphs += pretrend_paragraphs(ev, lang)  # the calibrated pre-trend test and its power (issue 12)
    paragraphs += sensitivity_paragraphs(ev, lang)  # and how far the conclusion survives diverging trends
    return render("effects.html.j2", **values, unavailable="",
                  t=shown_table("effects-table", t("effect_heading", lang), tab, numeric=list(tab.columns[1:])),
                  stars_note=t("stars_note" if ctx.analysis.cluster == "firm_id" else "stars_note_vsic_section", lang)
                  + " " + t("effects_units", lang),
                  missing=missing, paragraphs=paragraphs,
                  notes=ev.notes_text(lang))


def by_type_html(ctx: ProvinceContext, evaluation: Evaluation) -> str:
    """Effects by type of support, with Holm-adjusted p-values and a test of equal effects."""
    lang = ctx.lang
    heading = t("by_type_heading", lang)
    if not evaluation.estimates:  # no effect at all: the effects section said why, once
        return ""
    if evaluation.by_type is None:
        return render("by_type.html.j2", heading=heading,
                      unavailable=t("by_type_unavailable", lang, reason=evaluation.reason("by_type", lang)))
    rows = []
    for r in evaluation.by_type.effects.itertuples():
        typ = str(r.term).split("=", 1)[-1]
        rows.append({t("col_support_type", lang): SUPPORT_TYPES.get(typ, {lang: typ})[lang],
                     t("col_estimate", lang): fmt(r.estimate, lang, 4),
                     t("col_ci", lang): f"[{fmt(r.conf_low, lang, 4)}; {fmt(r.conf_high, lang, 4)}]",
                     t("col_pct", lang): pct_effect(r.estimate, lang),  # as in the effects table
                     t("col_p", lang): fmt(r.p_value, lang, 3),
                     t("col_p_holm", lang): fmt(r.p_holm, lang, 3)})
    tab = pd.DataFrame(rows)
    p_equal = evaluation.by_type.equality_p_value
    return render("by_type.html.j2", heading=heading, unavailable="",
                  text=t("by_type_text", lang, control=t(f"control_{ctx.analysis.control_group}", lang)),
                  t=shown_table("by-type-table", heading, tab, numeric=list(tab.columns[1:])),
                  equality="" if not np.isfinite(p_equal) else t(  # no test, no verdict
                      "by_type_equality", lang, p=fmt(p_equal, lang, 3),
                      verdict=t("by_type_differ" if p_equal < 0.05 else "by_type_no_diff", lang)))
