"""Key findings: the headline effect, the targets' statuses and productivity growth against 7% a year."""

from __future__ import annotations

import numpy as np

from ...i18n import fmt_number, t
from ...evaluate import Evaluation
from ..context import ProvinceContext
from ..formatting import count_text, pct_effect
from ..html import render
from .productivity import productivity_trend


def key_findings_html(ctx: ProvinceContext, evaluation: Evaluation) -> str:
    """The boxed key findings at the top of the report."""
    lang = ctx.lang
    items = []
    cs = evaluation.estimates.get("callaway_santanna")
    if cs is not None:
        items.append(t("kf_effect", lang, pct=pct_effect(cs.estimate, lang), lo=pct_effect(cs.conf_low, lang),
                       hi=pct_effect(cs.conf_high, lang), n=count_text(evaluation.n_supported, ctx.k, lang),
                       sig=t("kf_sig" if cs.p_value < 0.05 else "kf_not_sig", lang)))
    else:
        items.append(t("kf_no_effect", lang, reason=evaluation.reason("att_gt", lang)))
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
    trend = productivity_trend(ctx)
    y0, y1 = ctx.defaults.plan_period[0] - 1, int(trend["year"].max())
    a = trend.set_index("year")["province"]
    if y0 in a.index and np.isfinite(a.get(y0, np.nan)) and np.isfinite(a.get(y1, np.nan)) and y1 > y0:
        g = 100 * ((a[y1] / a[y0]) ** (1 / (y1 - y0)) - 1)
        items.append(t("kf_lp_growth", lang, g=fmt_number(g, lang, 1), y0=y0, y1=y1,
                       verdict=t("kf_above" if g > 7 else "kf_below", lang)))
    return render("key_findings.html.j2", heading=t("kf_heading", lang), items=items)
