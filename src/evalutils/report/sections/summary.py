"""Key findings and the facts they state: the headline effect, the targets' statuses, labour-productivity growth.

:func:`facts` computes, once per report, every number the key findings, the limitations and the results payload
state about targets, growth and selection (one story, issue 14): a target is the province's own (its parameter
file) or none, each figure names its source (the monitoring returns or the enterprise panel), and the selection
of supported firms is described from the balance table the report prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...i18n import Lang, fmt_number, t
from ..context import ProvinceContext
from ..findings import SELECTION_THRESHOLD, plan_target, supported_text
from ..formatting import count_text, pct_effect
from ..html import render
from .credibility import key_breakdown_sentence, mde_sentence
from .productivity import growth_accounting_result, productivity_trend
from .support import balance

if TYPE_CHECKING:
    from ...evaluate import Evaluation



def _direction(nd: float) -> str:
    nd = round(float(nd), 2)
    return "more" if nd >= SELECTION_THRESHOLD else "less" if nd <= -SELECTION_THRESHOLD else "similar"


def facts(ctx: ProvinceContext) -> dict:
    """The numbers behind the key findings and limitations, machine-readable (they go into the payload)."""
    return ctx.once("facts", lambda: _facts(ctx))


def _facts(ctx: ProvinceContext) -> dict:
    trend = productivity_trend(ctx)
    y0, y1 = ctx.defaults.plan_period[0] - 1, int(trend["year"].max())
    a = trend.set_index("year")["province"]
    g = None
    if y0 in a.index and y1 > y0 and np.isfinite(a.get(y0, np.nan)) and np.isfinite(a.get(y1, np.nan)):
        g = float(100 * ((a[y1] / a[y0]) ** (1 / (y1 - y0)) - 1))
    lp_target = plan_target(ctx, "labour_productivity_growth")
    tfp_target = plan_target(ctx, "tfp_contribution_share")
    ga = growth_accounting_result(ctx)
    bal = balance(ctx)
    selection = None
    if bal is not None:
        nd = bal.set_index("variable")["normalised_difference"]
        size, prod = nd.get("log_employment", np.nan), nd.get("log_va_per_worker", np.nan)
        if np.isfinite(size) or np.isfinite(prod):
            selection = {"size": _direction(size) if np.isfinite(size) else None,
                         "productivity": _direction(prod) if np.isfinite(prod) else None,
                         "size_nd": float(size) if np.isfinite(size) else None,
                         "productivity_nd": float(prod) if np.isfinite(prod) else None,
                         "source": "balance_table"}
    return {
        "labour_productivity": {"value": g, "y0": y0, "y1": y1, "source": "enterprise_panel",
                                "definition": "compound yearly growth of real value added per worker (2015 prices)",
                                "target": None if lp_target is None else lp_target.as_dict()},
        "growth_accounting": None if ga is None else {
            "output_growth": float(ga["output_growth"]), "tfp_share": float(ga["tfp_share"]),
            "source": "enterprise_panel", "target": None if tfp_target is None else tfp_target.as_dict()},
        "selection": selection,
        "figures": {"productivity": {"target_rate": None if lp_target is None else float(lp_target.rate)}},
    }


def _effect_item(ctx: ProvinceContext, evaluation: Evaluation, lang: Lang) -> str:
    """The headline effect (:attr:`Evaluation.headline`: Callaway–Sant'Anna when shown, else TWFE, else imputation),
    on the outcome analysed, naming the estimator that made it."""
    head = evaluation.headline
    if head is None:
        missing = [evaluation.reason(k, lang) for k in ("att_gt", "twfe", "imputation")
                   if k in evaluation.reasons and (k == "att_gt" or k in ctx.analysis.estimators)]
        text = t("kf_no_effect", lang, reason="; ".join(dict.fromkeys(missing)) or "—")
        total = ctx.n_supported_firms
        if evaluation.n_supported < total:  # fewer than "Who was supported" counts: one story
            text += t("kf_kept", lang, total=count_text(total, ctx.k, lang))
        return text
    # the size of the change, its sign given by "higher"/"lower": 100 |e^b - 1| (not e^|b| - 1)
    return t("kf_effect_dir", lang, pct=pct_effect(head.estimate, lang).lstrip("-\u2212"),
             direction=t("kf_higher" if head.estimate >= 0 else "kf_lower", lang),
             what=t(f"kf_what_{head.outcome}", lang), method=t(f"kf_method_{head.estimator}", lang),
             lo=pct_effect(head.conf_low, lang), hi=pct_effect(head.conf_high, lang),
             n=supported_text(ctx, evaluation),
             sig=t("kf_sig" if head.p_value < 0.05 else "kf_not_sig", lang))



def _growth_item(ctx: ProvinceContext, f: dict, lang: Lang) -> str | None:
    lp = f["labour_productivity"]
    if lp["value"] is None:
        return None
    text = t("kf_lp_panel", lang, g=fmt_number(lp["value"], lang, 1), y0=lp["y0"], y1=lp["y1"])
    target = plan_target(ctx, "labour_productivity_growth")
    if target is not None:  # the plan's own target, judged (as in the scorecard) on the monitoring returns
        returns = "—" if target.observed is None else fmt_number(target.observed, lang, 1)
        text += " " + t("kf_lp_target", lang, goal=target.goal_text(lang), src=target.source_mark,
                        years=target.judged_over or "—", returns=returns,
                        status=t(f"status_{target.status}", lang).lower())
    return text


def key_findings_html(ctx: ProvinceContext, evaluation: Evaluation) -> str:
    """The boxed key findings at the top of the report, every number from :func:`facts` or the evaluation."""
    lang = ctx.lang
    f = facts(ctx)
    items = [_effect_item(ctx, evaluation, lang)]
    if evaluation.headline is not None:  # how large an effect the design could detect (issue 12)
        items += [x for x in (mde_sentence(evaluation, lang), key_breakdown_sentence(evaluation, lang)) if x]
    counts: dict[str, int] = {}
    n = 0
    for m in ctx.members:
        for s in ctx.scorecard(m)["status"]:
            counts[s] = counts.get(s, 0) + 1
            n += 1
    if n:
        items.append(t("kf_targets", lang, n=n, met=counts.get("met", 0), on_track=counts.get("on_track", 0),
                       behind=counts.get("behind", 0), no_data=counts.get("no_data", 0)))
    else:
        items.append(t("kf_no_targets", lang))
    growth = _growth_item(ctx, f, lang)
    if growth:
        items.append(growth)
    return render("key_findings.html.j2", heading=t("kf_heading", lang), items=items)
