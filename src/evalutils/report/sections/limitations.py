"""Limitations generated from the results, not boilerplate."""

from __future__ import annotations

import numpy as np

from ...i18n import t
from ..context import ProvinceContext
from ..formatting import count_text, fmt, pct_effect
from ..html import render
from .effects import estimates


def limitations_html(ctx: ProvinceContext, bundle) -> str:
    """Limitations generated from the results, not boilerplate."""
    lang = ctx.lang
    items = []
    if ctx.synthetic:
        items.append(t("lim_synthetic", lang))
    est = estimates(bundle)
    if bundle.pretest is not None and bundle.pretest["p_value"] < 0.05:
        items.append(t("lim_pretrend", lang, p=fmt(bundle.pretest["p_value"], lang, 3)))
    if 0 < bundle.n_supported < 30 and est:
        items.append(t("lim_few_supported", lang, n=count_text(bundle.n_supported, ctx.k, lang)))
    if "callaway_santanna" in est:
        e, se, lo, hi, _ = est["callaway_santanna"]
        if hi - lo > 0.2:
            items.append(t("lim_wide", lang, lo=pct_effect(lo, lang), hi=pct_effect(hi, lang)))
    if "twfe" in est and "callaway_santanna" in est:
        a, b = est["twfe"][0], est["callaway_santanna"][0]
        if np.sign(a) != np.sign(b) or abs(a - b) > max(est["twfe"][1], est["callaway_santanna"][1]):
            items.append(t("lim_disagree", lang))
    nd = sum(int((ctx.scorecard(m)["status"] == "no_data").sum()) for m in ctx.members)
    if nd:
        items.append(t("lim_no_data", lang, n=nd))
    for reason in dict.fromkeys(r for k, r in bundle.reasons_text(lang).items() if k in ("att_gt", "twfe")):
        items.append(t("lim_missing_estimate", lang, reason=reason))
    items.append(t("lim_selection", lang))
    return render("list_section.html.j2", heading=t("limitations_heading", lang), items=items)
