"""The enterprise landscape and productivity: trend against the nation, firms by group, TFP, growth accounting."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...i18n import fmt_number, t
from ...measures.aggregates import firm_log_tfp
from ...measures.disclosure import cell_reasons, suppress_dominated, suppress_small_cells, top_share
from ...productivity import growth_accounting
from ..context import ProvinceContext
from ..findings import plan_target
from ..formatting import count_text
from ..exhibits import shown_table
from ..html import render
from .methods import sample_text

SIZE_CLASSES = [(1, 9, "1–9"), (10, 49, "10–49"), (50, 199, "50–199"), (200, np.inf, "200+")]


def productivity_trend(ctx: ProvinceContext) -> pd.DataFrame:
    """Real value added per worker by year, province and whole country, with firm counts.

    Years built from fewer firms than the disclosure threshold, or where one firm holds more than the dominance
    share of value added, are suppressed.
    """
    return ctx.stored("trend", lambda: _productivity_trend(ctx), pd.DataFrame).copy()


def _productivity_trend(ctx: ProvinceContext) -> pd.DataFrame:
    tot = ctx.totals
    prov = tot[tot["province_code"].isin(ctx.codes)].groupby("year")[
        ["value_added_real", "employment", "n_firms"]].sum()
    nat = tot.groupby("year")[["value_added_real", "employment", "n_firms"]].sum()
    out = pd.DataFrame({
        "year": prov.index,
        "province": (prov["value_added_real"] / prov["employment"]).to_numpy(),
        "n_firms": prov["n_firms"].to_numpy(),
    })
    out["national"] = (nat["value_added_real"] / nat["employment"]).reindex(out["year"]).to_numpy()
    out = suppress_small_cells(out, count_col="n_firms", value_cols=["province"], threshold=ctx.k)
    return suppress_dominated(out, top_share(ctx.panel["value_added"], ctx.panel["year"]), key="year",
                              value_cols=["province"], max_share=ctx.defaults.disclosure.max_firm_share)


def trend_html(ctx: ProvinceContext, trend: pd.DataFrame) -> str:
    """Heading and caption of the productivity trend, naming the suppressed years."""
    suppressed = ""
    if trend["suppressed"].any():
        years = ", ".join(str(y) for y in trend.loc[trend["suppressed"], "year"])
        suppressed = f"{years}: {t('suppressed', ctx.lang, k=ctx.k)}"
    caption = t("trend_caption", ctx.lang, province=ctx.name) + scope_text(ctx, "scope_whole_panel")
    target = plan_target(ctx, "labour_productivity_growth")
    if target is not None:  # only a target of the province's own plan is drawn (issue 14, item 1)
        caption += " " + t("trend_target_line", ctx.lang, base_year=ctx.defaults.plan_period[0] - 1,
                           rate=fmt_number(target.rate, ctx.lang, 0 if float(target.rate).is_integer() else 1),
                           goal=target.goal_text(ctx.lang), src=target.source_mark)
    return render("trend.html.j2", heading=t("trend_heading", ctx.lang), caption=caption, suppressed=suppressed)


def scope_text(ctx: ProvinceContext, key: str) -> str:
    """Under a sample restriction (``analysis.sample``), the sentence saying that this section covers every firm of
    the enterprise panel while the effects use only the firms kept (named in words); empty without one."""
    a = ctx.analysis
    return " " + t(key, ctx.lang, sample=sample_text(a, ctx.lang)) if a.sample.restricted else ""


def landscape_table(ctx: ProvinceContext) -> pd.DataFrame:
    """Firms and employment by sector, size class and ownership in the latest year (small cells suppressed)."""
    lang, k = ctx.lang, ctx.k
    rows = []
    for cell in ctx.stored("landscape", lambda: _landscape_cells(ctx), pd.DataFrame).itertuples():
        label = t(f"own_{cell.level}", lang) if cell.column == "ownership" else (
            t(f"vsic_{cell.level}", lang) if cell.column == "vsic_section" else str(cell.level))
        shown = {"small": f"<{k}", "dominated": "‡", "complementary": "×",
                 "": fmt_number(int(cell.n_firms), lang)}[cell.reason]
        rows.append({t("col_dimension", lang): t(cell.dimension, lang), t("col_group", lang): label,
                     t("col_firms", lang): shown,
                     t("col_emp_share", lang): "—" if cell.reason else fmt_number(cell.employment_share, lang, 1) + "%"})
    return pd.DataFrame(rows)


def _landscape_cells(ctx: ProvinceContext) -> pd.DataFrame:
    """The landscape's cells, in no language: dimension, column, level, why suppressed ("" when shown), firms and
    share of employment (percent)."""
    p = ctx.panel[ctx.panel["year"] == ctx.panel["year"].max()].copy()
    p["size"] = pd.cut(p["employment"], [0, 9, 49, 199, np.inf], labels=[c[2] for c in SIZE_CLASSES])
    total_emp = p["employment"].sum()
    rows = []
    for dim, col in (("dim_sector", "vsic_section"), ("dim_size", "size"), ("dim_ownership", "ownership")):
        groups = {level: g for level, g in p.groupby(col, observed=True)}
        reasons = cell_reasons({level: g["firm_id"].nunique() for level, g in groups.items()},
                               {level: g["value_added"].max() / g["value_added"].sum() for level, g in groups.items()},
                               threshold=ctx.k, max_share=ctx.defaults.disclosure.max_firm_share)
        for level, g in groups.items():
            rows.append({"dimension": dim, "column": col, "level": str(level), "reason": reasons[level],
                         "n_firms": int(g["firm_id"].nunique()),
                         "employment_share": float(100 * g["employment"].sum() / total_emp)})
    return pd.DataFrame(rows, columns=["dimension", "column", "level", "reason", "n_firms", "employment_share"])


def landscape_html(ctx: ProvinceContext) -> str:
    """The landscape table with its explanation of the suppression marks."""
    lang = ctx.lang
    year = ctx.last_year
    return render("landscape.html.j2", heading=t("landscape_heading", lang),
                  text=t("landscape_text", lang, year=year, k=ctx.k), marks=t("suppression_marks", lang, k=ctx.k),
                  t=shown_table("landscape-table", t("landscape_heading", lang), landscape_table(ctx),
                                numeric=[t("col_firms", lang), t("col_emp_share", lang)]))


def tfp_trend(ctx: ProvinceContext) -> pd.DataFrame:
    """Mean firm log TFP by year, as a change from the first year (log points × 100), unit and nation."""
    return ctx.stored("tfp-trend", lambda: _tfp_trend(ctx), pd.DataFrame).copy()


def _tfp_trend(ctx: ProvinceContext) -> pd.DataFrame:
    model = ctx.tfp_model
    p = ctx.panel.assign(log_tfp=firm_log_tfp(ctx.panel, ctx.deflators, model))
    prov = p.groupby("year").agg(mean=("log_tfp", "mean"), n_firms=("firm_id", "nunique"))
    tot = ctx.totals.groupby("year")[["sum_log_tfp", "n_tfp"]].sum()
    nat = tot["sum_log_tfp"] / tot["n_tfp"]
    y0 = prov.index.min()
    out = pd.DataFrame({"year": prov.index, "province": 100 * (prov["mean"] - prov["mean"].loc[y0]).to_numpy(),
                        "national": 100 * (nat.reindex(prov.index) - nat.loc[y0]).to_numpy(),
                        "n_firms": prov["n_firms"].to_numpy()})
    return suppress_small_cells(out, count_col="n_firms", value_cols=["province"], threshold=ctx.k)


def tfp_html(ctx: ProvinceContext, trend: pd.DataFrame) -> str:
    """Heading and caption of the TFP trend."""
    return render("tfp.html.j2", heading=t("tfp_heading", ctx.lang),
                  caption=t("tfp_caption", ctx.lang, province=ctx.name))


def growth_accounting_result(ctx: ProvinceContext) -> pd.Series | None:
    """The plan period's growth accounting row of all the enterprises in the panel (None when it cannot be computed
    or is built from fewer than k firms); computed once per report (the key findings and payload read it too)."""
    row, _ = _growth_accounting(ctx)
    return row


def _growth_accounting(ctx: ProvinceContext) -> tuple[pd.Series | None, str]:
    found = ctx.stored("growth-accounting", lambda: _growth_accounting_row(ctx), dict)
    if found["error"] is not None:
        return None, t("ga_unavailable", ctx.lang, reason=found["error"])
    r = pd.Series(found["row"])
    if min(r["n_firms_start"], r["n_firms_end"]) < ctx.k:
        return None, t("suppressed", ctx.lang, k=ctx.k)
    return r, ""


def _growth_accounting_row(ctx: ProvinceContext) -> dict:
    """The plan period's growth accounting of the unit's firms, in no language: ``{"row": the period row as a
    dict, "error": None}`` or ``{"row": None, "error": the first line of why it cannot be computed}``."""
    model = ctx.tfp_model["pooled"]
    start, end = ctx.defaults.plan_period[0] - 1, ctx.last_year
    try:
        ga = growth_accounting(ctx.panel, output="value_added", capital="capital", labour="employment",
                               group=None, year="year", period=(start, end), unit="firm_id",
                               elasticities={"capital": model["capital"], "labour": model["labour"]},
                               deflators=ctx.deflators)
    except Exception as exc:  # noqa: BLE001 - reported in the report, not raised
        return {"row": None, "error": str(exc).splitlines()[0]}
    row = ga.period.iloc[0]
    return {"row": {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}, "error": None}


def growth_accounting_html(ctx: ProvinceContext) -> str:
    """Output growth over the plan period split into TFP, capital and labour (estimated elasticities).

    Growth and contributions are in log points (100 × the change in logs; they add up), TFP's share in percent of
    that growth; the text gives the growth as a percentage too. Where the plan sets a TFP target, the text names it,
    the province's monitoring returns (which the scorecard judges) and this sample's share, and why they differ.
    """
    lang = ctx.lang
    model = ctx.tfp_model["pooled"]
    start, end = ctx.defaults.plan_period[0] - 1, ctx.last_year
    target = plan_target(ctx, "tfp_contribution_share")
    heading = t("ga_heading", lang)
    r, why = _growth_accounting(ctx)
    if r is None:
        return render("growth_accounting.html.j2", heading=heading, t=None, text=why)
    if min(r["n_firms_start"], r["n_firms_end"]) < ctx.k:
        return render("growth_accounting.html.j2", heading=heading, t=None, text=t("suppressed", lang, k=ctx.k))
    lp = lambda x: fmt_number(100 * x, lang, 1)  # noqa: E731 - log points
    pct = lambda x: fmt_number(100 * x, lang, 1) + "%"  # noqa: E731
    log_points, share = t("unit_log_points", lang), t("unit_share_of_growth", lang)
    tab = pd.DataFrame({
        t("ga_component", lang): [t("ga_output", lang), t("ga_capital", lang), t("ga_labour", lang),
                                  t("ga_tfp", lang), t("ga_tfp_share", lang)],
        f"{start}–{end}": [lp(r["output_growth"]), lp(r["capital_contribution"]), lp(r["labour_contribution"]),
                           lp(r["tfp_contribution"]), pct(r["tfp_share"])],
        t("col_unit", lang): [log_points] * 4 + [share],
    })
    text = " ".join([
        t("ga_intro", lang),
        t("ga_text", lang, start=start, end=end, n0=count_text(int(r["n_firms_start"]), ctx.k, lang),
          n1=count_text(int(r["n_firms_end"]), ctx.k, lang),
          bk=fmt_number(model["capital"], lang, 3), bl=fmt_number(model["labour"], lang, 3)),
        t("ga_growth", lang, start=start, end=end, pct=fmt_number(100 * (np.exp(r["output_growth"]) - 1), lang, 1),
          lp=lp(r["output_growth"])),
    ]) + scope_text(ctx, "scope_ga")
    if target is not None:
        returns = "—" if target.observed is None else fmt_number(target.observed, lang, 1) + "%"
        text += " " + t("ga_target", lang, goal=target.goal_text(lang), src=target.source_mark, returns=returns,
                        years=target.judged_over or "—", status=t(f"status_{target.status}", lang),
                        share=pct(r["tfp_share"]))
    if r["output_growth"] <= 0:
        text += " " + t("ga_negative", lang)
    return render("growth_accounting.html.j2", heading=heading, text=text,
                  t=shown_table("growth-accounting-table", heading, tab, numeric=[f"{start}–{end}"]))
