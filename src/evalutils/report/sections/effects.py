"""The programme's effects: the estimators side by side, why they differ, the pre-trend test, effects by type."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..._dist import norm
from ...evaluate import evaluate_effects_cached
from ...i18n import t
from ...panel.schema import SUPPORT_TYPES
from ..context import ProvinceContext, analysis_panel
from ..formatting import count_text, fmt, pct_effect, stars
from ..html import render, table


def evaluate(ctx: ProvinceContext, *, cache: bool = True):
    """Run every effect estimator for the unit (see :func:`evalutils.evaluate.evaluate_effects`).

    The results do not depend on the report's language: they are computed once per unit, data,
    parameters and code, and kept in ``<data_dir>/derived/effects/`` for the other language
    (``cache=False`` always recomputes).
    """
    d = ctx.defaults
    cache = Path(ctx.data_dir) / "derived" / "effects" if cache else None
    return evaluate_effects_cached(analysis_panel(ctx), cache_dir=cache, name=f"{ctx.geography}-{ctx.slug}",
                                   outcome=d.outcome, seed=d.seed,
                                   min_supported=d.min_supported_for_estimate, n_boot=d.n_boot,
                                   control_group=d.control_group, cluster=d.cluster,
                                   secondary_outcomes=("log_tfp",), disclosure_k=ctx.k)


def estimates(bundle) -> dict[str, tuple[float, float, float, float, float]]:
    """(estimate, SE, CI low, CI high, p) of each overall estimator that ran."""
    out = {}
    if bundle.twfe is not None:
        r = bundle.twfe.tidy().iloc[0]
        out["twfe"] = (float(r["estimate"]), float(r["std_error"]), float(r["conf_low"]), float(r["conf_high"]),
                       float(r["p_value"]))
    if bundle.simple is not None:
        r = bundle.simple.tidy().iloc[0]
        est, se = float(bundle.simple.overall_estimate), float(bundle.simple.overall_std_error)
        out["callaway_santanna"] = (est, se, float(r["conf_low"]), float(r["conf_high"]),
                                    float(2 * norm.sf(abs(est / se))) if se > 0 else float("nan"))
    if bundle.imputation is not None:
        r = bundle.imputation.tidy().iloc[0]
        out["imputation"] = (float(r["estimate"]), float(r["std_error"]), float(r["conf_low"]),
                             float(r["conf_high"]), float(r["p_value"]))
    return out


_EST_NAMES = {"twfe": "est_twfe", "callaway_santanna": "est_cs", "imputation": "est_bjs"}


def effects_html(ctx: ProvinceContext, bundle) -> str:
    """The overall effect by each estimator, why TWFE and the robust estimate differ, the pre-trend test."""
    lang = ctx.lang
    values = dict(heading=t("effect_heading", lang),
                  intro=t("effects_intro", lang, n=count_text(bundle.n_supported, ctx.k, lang),
                          N=count_text(bundle.n_firms, ctx.k, lang)))
    est = estimates(bundle)
    if not est:
        reason = bundle.reason("twfe", lang) or bundle.reason("att_gt", lang)
        return render("effects.html.j2", **values, unavailable=t("effect_unavailable", lang, reason=reason))
    rows = []
    for name, (e, se, lo, hi, p) in est.items():
        rows.append({t("col_estimator", lang): t(_EST_NAMES[name], lang),
                     t("col_estimate", lang): fmt(e, lang, 4) + stars(p),
                     t("col_se", lang): fmt(se, lang, 4),
                     t("col_ci", lang): f"[{fmt(lo, lang, 4)}; {fmt(hi, lang, 4)}]",
                     t("col_pct", lang): pct_effect(e, lang),
                     t("col_p", lang): fmt(p, lang, 3)})
    for outcome, agg in bundle.secondary.items():
        if isinstance(agg, str):
            continue
        e, se = float(agg.overall_estimate), float(agg.overall_std_error)
        r = agg.tidy().iloc[0]
        p = float(2 * norm.sf(abs(e / se))) if se > 0 else float("nan")
        rows.append({t("col_estimator", lang): t("est_cs_" + outcome, lang),
                     t("col_estimate", lang): fmt(e, lang, 4) + stars(p), t("col_se", lang): fmt(se, lang, 4),
                     t("col_ci", lang): f"[{fmt(r['conf_low'], lang, 4)}; {fmt(r['conf_high'], lang, 4)}]",
                     t("col_pct", lang): pct_effect(e, lang), t("col_p", lang): fmt(p, lang, 3)})
    tab = pd.DataFrame(rows)
    missing = [t("estimator_missing", lang, name=t(_EST_NAMES[k] if k != "att_gt" else "est_cs", lang),
                 reason=bundle.reason(k, lang)) for k in ("att_gt", "imputation", "twfe") if k in bundle.reasons]
    paragraphs = []
    if "twfe" in est and "callaway_santanna" in est:  # why TWFE and the robust estimate differ
        d = est["twfe"][0] - est["callaway_santanna"][0]
        se = max(est["twfe"][1], est["callaway_santanna"][1])
        w = bundle.weights
        neg = f"{w.n_negative}" if w is not None else "—"
        key = "diff_large" if abs(d) > se else "diff_small"
        paragraphs.append(t(key, lang, d=fmt(d, lang, 4), neg=neg, n=w.n_treated_obs if w else "—"))
    if bundle.pretest is not None:
        p = bundle.pretest["p_value"]
        text = t("pretest_reject" if p < 0.05 else "pretest_ok", lang, p=fmt(p, lang, 3),
                 df=int(bundle.pretest["df"]))
        if bundle.n_supported < 30:
            text += " " + t("pretest_few", lang)
        paragraphs.append(text)
    return render("effects.html.j2", **values, unavailable="", t=table(tab, numeric=list(tab.columns[1:])),
                  stars_note=t("stars_note", lang), missing=missing, paragraphs=paragraphs,
                  notes=bundle.notes_text(lang))


def by_type_html(ctx: ProvinceContext, bundle) -> str:
    """Effects by type of support, with Holm-adjusted p-values and a test of equal effects."""
    lang = ctx.lang
    heading = t("by_type_heading", lang)
    if bundle.by_type is None:
        return render("by_type.html.j2", heading=heading,
                      unavailable=t("by_type_unavailable", lang, reason=bundle.reason("by_type", lang)))
    e = bundle.by_type.tidy()
    rows = []
    for r in e.itertuples():
        typ = str(r.term).split("=", 1)[-1]
        rows.append({t("col_support_type", lang): SUPPORT_TYPES.get(typ, {lang: typ})[lang],
                     t("col_estimate", lang): fmt(r.estimate, lang, 4),
                     t("col_ci", lang): f"[{fmt(r.conf_low, lang, 4)}; {fmt(r.conf_high, lang, 4)}]",
                     t("col_p", lang): fmt(r.p_value, lang, 3),
                     t("col_p_holm", lang): fmt(r.p_holm, lang, 3)})
    tab = pd.DataFrame(rows)
    eq = bundle.by_type.equality_test
    return render("by_type.html.j2", heading=heading, unavailable="", text=t("by_type_text", lang),
                  t=table(tab, numeric=list(tab.columns[1:])),
                  equality=t("by_type_equality", lang, p=fmt(eq.get("p_value"), lang, 3)))
