"""Limitations generated from the results, not boilerplate."""

from __future__ import annotations

import numpy as np

from ...i18n import t
from ...evaluate import Evaluation
from ..context import ProvinceContext
from ..formatting import count_text, fmt, pct_effect
from ..html import render


def limitations_html(ctx: ProvinceContext, evaluation: Evaluation) -> str:
    """Limitations generated from the results, not boilerplate."""
    lang = ctx.lang
    ev = evaluation
    items = []
    if ctx.synthetic:
        items.append(t("lim_synthetic", lang))
    est = ev.estimates
    if ev.pretest is not None and ev.pretest.p_value < 0.05:
        items.append(t("lim_pretrend", lang, p=fmt(ev.pretest.p_value, lang, 3)))
    if 0 < ev.n_supported < 30 and est:
        items.append(t("lim_few_supported", lang, n=count_text(ev.n_supported, ctx.k, lang)))
    cs, tw = est.get("callaway_santanna"), est.get("twfe")
    if cs is not None and cs.conf_high - cs.conf_low > 0.2:
        items.append(t("lim_wide", lang, lo=pct_effect(cs.conf_low, lang), hi=pct_effect(cs.conf_high, lang)))
    if cs is not None and tw is not None:
        if np.sign(tw.estimate) != np.sign(cs.estimate) or \
                abs(tw.estimate - cs.estimate) > max(tw.std_error, cs.std_error):
            items.append(t("lim_disagree", lang))
    nd = sum(int((ctx.scorecard(m)["status"] == "no_data").sum()) for m in ctx.members)
    if nd:
        items.append(t("lim_no_data", lang, n=nd))
    for reason in dict.fromkeys(r for k, r in ev.reasons_text(lang).items() if k in ("att_gt", "twfe")):
        items.append(t("lim_missing_estimate", lang, reason=reason))
    items.append(t("lim_selection", lang))
    return render("list_section.html.j2", heading=t("limitations_heading", lang), items=items)
