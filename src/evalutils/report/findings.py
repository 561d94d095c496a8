"""What the report says about targets and data sources, from the numbers themselves (one story, issue 14).

Two kinds of figures meet in a report: the province's **monitoring returns** (the yearly figures a province reports
under its plan; the scorecard judges targets on them) and the **enterprise panel** (firm accounts of the enterprises
in the sample; trend, growth accounting and effects come from it). A sentence that compares a figure with a target
names the target from the province's own parameter file, never a target the province did not set, and when both
sources measure the same thing, the report gives both and says why they differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..i18n import Lang, fmt_number, t
from ..panel.params import Target
from .context import MemberProvince, ProvinceContext
from .formatting import count_text
from .sources import source_mark


#: |normalised difference| (as printed, 2 decimals) from which the report calls supported and other firms different
#: (the balance table's text states it, the selection limitation applies it)
SELECTION_THRESHOLD = 0.1


@dataclass(frozen=True)
class PlanTarget:
    """A target of the unit's own plans on one indicator, with its scorecard row (the monitoring returns)."""

    member: MemberProvince
    target: Target
    status: str
    observed: float | None
    judged_over: str
    source_mark: str

    def goal_text(self, lang: Lang) -> str:
        """``more than 7%`` / ``khoảng 30%``: the target as the plan words it (unit percent or the indicator's)."""
        tg = self.target
        if tg.comparison == "between":
            text = t("cmp_between", lang, lo=fmt_number(tg.range[0], lang, 0), hi=fmt_number(tg.range[1], lang, 0))
        else:
            v = tg.value
            text = t(f"cmp_{tg.comparison}_word", lang, v=fmt_number(v, lang, 0 if float(v).is_integer() else 1))
        return text + ("%" if tg.unit == "percent" else " " + t(f"unit_{tg.unit}", lang))

    @property
    def rate(self) -> float | None:
        """The target's yearly rate (for a growth path): the value, or the lower end of a range."""
        tg = self.target
        return tg.range[0] if tg.comparison == "between" else tg.value

    def as_dict(self) -> dict:
        tg = self.target
        return {"province": self.member.slug, "target_id": tg.id, "indicator": tg.indicator,
                "comparison": tg.comparison, "value": tg.value, "range": list(tg.range) if tg.range else None,
                "status": self.status, "observed": self.observed, "source": "monitoring_returns",
                "judged_over": self.judged_over}


def plan_target(ctx: ProvinceContext, indicator: str) -> PlanTarget | None:
    """The unit's own target on ``indicator`` (the first member province that has one), or None.

    None means the report states no target on that indicator: no line, no verdict, no "7% a year".
    """
    for m in ctx.members:
        sc = ctx.scorecard(m).set_index("target_id")
        for tg in m.params.targets:
            if tg.indicator == indicator:
                row = sc.loc[tg.id]
                observed = None if pd.isna(row["observed"]) else float(row["observed"])
                return PlanTarget(m, tg, str(row["status"]), observed, str(row["judged_over"]),
                                  source_mark(ctx, tg.source))
    return None


def supported_text(ctx: ProvinceContext, evaluation) -> str:
    """The supported firms an estimate is about; "10 (of 11)" when the analysis kept fewer than the "Who was
    supported" section counts (the sample chosen, missing outcomes, a firm alone in its cohort), so that the
    sections tell one story."""
    lang = ctx.lang
    n, total = evaluation.n_supported, ctx.n_supported_firms
    if n == total or total == 0:
        return count_text(n, ctx.k, lang)
    return t("kf_n_of_total", lang, n=count_text(n, ctx.k, lang), total=count_text(total, ctx.k, lang))


def productivity_target_rate(ctx: ProvinceContext) -> float | None:
    """The yearly labour-productivity growth the productivity figure draws as a path: the province's own target,
    or None (no line)."""
    target = plan_target(ctx, "labour_productivity_growth")
    return None if target is None else float(target.rate)
