"""The targets scorecard: each target of the province's plans against the monitoring data."""

from __future__ import annotations

import pandas as pd

from ...geography import province_name
from ...i18n import Lang, fmt_number, t
from ...measures.targets import rule_text
from ..context import MemberProvince, ProvinceContext
from ..formatting import STATUS_COLOURS
from ..exhibits import shown_cells
from ..html import render
from ..sources import source_mark


def _goal_text(row: pd.Series, lang: Lang) -> str:
    if row["comparison"] == "between":
        lo, hi = row["target_range"]
        goal = t("cmp_between", lang, lo=fmt_number(lo, lang, 0 if lo == int(lo) else 1),
                 hi=fmt_number(hi, lang, 0 if hi == int(hi) else 1))
    else:
        v = row["target_value"]
        goal = t(f"cmp_{row['comparison']}", lang, v=fmt_number(v, lang, 0 if v == int(v) else 1))
    unit = "%" if row["unit"] == "percent" else " " + t(f"unit_{row['unit']}", lang)
    if lang == "en" and row["comparison"] != "between" and row["target_value"] == 1:
        unit = unit.removesuffix("s")  # "≥ 1 enterprise", not "≥ 1 enterprises"
    return f"{goal}{unit} ({t('agg_' + row['aggregation'], lang)})"


def _observed_text(row: pd.Series, lang: Lang) -> str:
    """The observed figure as compared: years met for a per-year target, else the value (— when none)."""
    if row["aggregation"] == "per_year" and pd.notna(row["years_counted"]):
        return t("obs_years", lang, k=int(row["years_met"]), n=int(row["years_counted"]))
    v = row["observed"]
    if pd.isna(v):
        return "—"
    text = fmt_number(v, lang, 0 if float(v).is_integer() else 1)
    return text + ("%" if row["unit"] == "percent" else "")


def scorecard_table(ctx: ProvinceContext, member: MemberProvince) -> pd.DataFrame:
    """The scorecard of one province's targets in the report's language, one row per target.

    Beside each status, the rule that decided it (``docs/report.md``); each quote cites its source by number
    (the list under the plans).
    """
    sc = ctx.scorecard(member)
    lang = ctx.lang
    return pd.DataFrame({
        t("col_target", lang): sc["label_vi"] if lang == "vi" else sc["label_en"],
        t("col_period", lang): [p if p else t("no_period", lang) for p in sc["period"]],
        t("col_goal", lang): [_goal_text(r, lang) for _, r in sc.iterrows()],
        t("col_observed", lang): [_observed_text(r, lang) for _, r in sc.iterrows()],
        t("col_status", lang): [t(f"status_{s}", lang) for s in sc["status"]],
        t("col_rule", lang): [rule_text(r, lang) for r in sc["rule"]],
        t("col_source", lang): [f"“{q}” {source_mark(ctx, s)}" for q, s in zip(sc["quote_vi"], sc["source"])],
        "status": sc["status"],
    })


def scorecard_html(ctx: ProvinceContext) -> str:
    """The scorecard tables (one per member province), statuses coloured.

    Each fact once: a province without any plan entered is said so in the plans section above (and the key
    findings say no target is scored), so the scorecard leaves it out; a province whose plans have no target
    entered is said so here. Empty when no member has a plan."""
    if not any(m.params.plans or m.params.targets for m in ctx.members):
        return ""
    members = []
    for m in ctx.members:
        name = province_name(m.code, ctx.lang)
        entry = {"name": name if len(ctx.members) > 1 else "", "empty": ""}
        if not m.params.targets:
            if not m.params.plans:
                continue  # the plans section says so
            entry["empty"] = t("no_targets", ctx.lang, slug=m.slug)
        else:
            table = scorecard_table(ctx, m)
            cols = [c for c in table.columns if c != "status"]
            rows = [{"cells": [str(r[c]) for c in cols], "colour": STATUS_COLOURS[r["status"]]}
                    for _, r in table.iterrows()]
            exhibit = "scorecard-table" if len(ctx.members) == 1 else f"scorecard-{m.slug}-table"
            entry.update(columns=cols, status_column=cols.index(t("col_status", ctx.lang)), rows=rows,
                         exhibit=shown_cells(exhibit, t("scorecard_heading", ctx.lang) + (f": {name}" if
                                             len(ctx.members) > 1 else ""), cols, [r["cells"] for r in rows]))
        members.append(entry)
    return render("scorecard.html.j2", heading=t("scorecard_heading", ctx.lang),
                  intro=t("scorecard_intro", ctx.lang) if any(m.params.targets for m in ctx.members) else "",
                  members=members)
