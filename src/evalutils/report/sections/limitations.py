"""Limitations generated from the results they speak about, not boilerplate."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...i18n import t
from ..context import ProvinceContext
from ..formatting import count_text, fmt, pct_effect
from ..html import render
from .summary import facts

if TYPE_CHECKING:
    from ...evaluate import Evaluation


def _selection_item(ctx: ProvinceContext) -> str:
    """Why supported firms differ from the others, in the words the balance table supports (none when it is
    not shown: then the sentence only says that support was not assigned at random)."""
    lang = ctx.lang
    sel = facts(ctx)["selection"]
    if sel is None:
        return t("lim_selection_intro", lang) + ". " + t("lim_selection_rest", lang)
    parts = []
    if sel["size"] is not None:
        parts.append(t(f"sel_size_{sel['size']}", lang, nd=fmt(sel["size_nd"], lang, 2)))
    if sel["productivity"] is not None:
        parts.append(t(f"sel_productivity_{sel['productivity']}", lang, nd=fmt(sel["productivity_nd"], lang, 2)))
    # the balance table describes every supported firm ("Who was supported"); a sample restriction analyses fewer
    scope = t("lim_selection_all_firms", lang) if ctx.analysis.sample.restricted else ""
    return (t("lim_selection_intro", lang) + ": "
            + t("lim_selection_before", lang, what=t("and", lang).join(parts), scope=scope)
            + " " + t("lim_selection_rest", lang))


def limitations(ctx: ProvinceContext, evaluation: Evaluation) -> list[tuple[str, str]]:
    """(key, sentence) of every limitation that applies, each from the number or table it cites."""
    lang = ctx.lang
    ev = evaluation
    items: list[tuple[str, str]] = []
    if ctx.synthetic:
        items.append(("synthetic", t("lim_synthetic", lang)))
    est = ev.estimates
    if ev.pretest is not None and ev.pretest.p_value < 0.05:
        items.append(("pretrend", t("lim_pretrend", lang, p=fmt(ev.pretest.p_value, lang, 3))))
    if 0 < ev.n_supported < 30 and est:
        items.append(("few_supported", t("lim_few_supported", lang, n=count_text(ev.n_supported, ctx.k, lang))))
    cs, tw, head = est.get("callaway_santanna"), est.get("twfe"), ev.headline  # head: the estimate the summary quotes
    if head is not None and head.conf_high - head.conf_low > 0.2:
        items.append(("wide", t("lim_wide", lang, lo=pct_effect(head.conf_low, lang),
                                hi=pct_effect(head.conf_high, lang))))
    if cs is not None and tw is not None:
        if np.sign(tw.estimate) != np.sign(cs.estimate) or \
                abs(tw.estimate - cs.estimate) > max(tw.std_error, cs.std_error):
            items.append(("disagree", t("lim_disagree", lang)))
    nd = sum(int((ctx.scorecard(m)["status"] == "no_data").sum()) for m in ctx.members)
    if nd:
        items.append(("no_data", t("lim_no_data", lang, n=nd)))
    # an estimator missing beside others shown (when none is, the key findings and the effects section say why)
    shown = {"att_gt": "callaway_santanna", "twfe": "twfe", "imputation": "imputation"}
    for reason in dict.fromkeys(r for k, r in ev.reasons_text(lang).items()
                                if est and k in shown and shown[k] in ctx.analysis.estimators):
        items.append(("missing_estimate", t("lim_missing_estimate", lang, reason=reason)))
    if est:
        items.append(("selection", _selection_item(ctx)))
    return items


def limitations_html(ctx: ProvinceContext, evaluation: Evaluation) -> str:
    """Limitations generated from the results, not boilerplate."""
    return render("list_section.html.j2", heading=t("limitations_heading", ctx.lang),
                  items=[text for _, text in limitations(ctx, evaluation)])
