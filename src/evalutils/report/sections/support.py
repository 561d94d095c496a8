"""Who was supported: support by type and start year, and the balance of supported versus other firms."""

from __future__ import annotations

import pandas as pd

from ...i18n import fmt_number, t
from ...measures.disclosure import hidden_row_totals
from ...measures.outcomes import balance_table
from ...panel.schema import SUPPORT_TYPES
from ..context import ProvinceContext, analysis_panel
from ..formatting import count_text, fmt
from ..html import render, table


def support_html(ctx: ProvinceContext) -> str:
    """Support by type and start year (cells below the threshold suppressed) and the balance table."""
    lang = ctx.lang
    part = ctx.participation
    heading = t("support_heading", lang)
    if part.empty:
        return render("support.html.j2", heading=heading, empty=t("support_none", lang))
    ct = pd.crosstab(part["support_type"], part["support_start_year"])
    years = [int(y) for y in ct.columns]
    k = ctx.k
    hidden_total = hidden_row_totals(ct, threshold=k)
    rows = []
    for typ, r in ct.iterrows():
        row = {t("col_support_type", lang): SUPPORT_TYPES[typ][lang]}
        for y in years:
            v = int(r[y])
            row[str(y)] = "0" if v == 0 else (f"<{k}" if v < k else fmt_number(v, lang))
        row[t("col_total", lang)] = "×" if typ in hidden_total else fmt_number(int(r.sum()), lang)
        rows.append(row)
    values = dict(heading=heading, empty="", text=t("support_text", lang, n=count_text(len(part), k, lang), k=k),
                  marks=t("suppression_marks", lang, k=k), balance_heading=t("balance_heading", lang),
                  t=table(pd.DataFrame(rows), numeric=[str(y) for y in years] + [t("col_total", lang)]))
    if ctx.participation["firm_id"].nunique() >= ctx.panel["firm_id"].nunique():
        return render("support.html.j2", **values, balance_text=t("reason_all_supported", lang) + ".", balance=None)
    bal = balance_table(analysis_panel(ctx).merge(ctx.deflators, on="year", how="left")
                        if ctx.deflators is not None else analysis_panel(ctx), min_firms=k)
    btab = pd.DataFrame({
        t("col_variable", lang): [t(f"bal_{v}", lang) for v in bal["variable"]],
        t("col_supported", lang): [fmt(v, lang, 3) for v in bal["supported"]],
        t("col_others", lang): [fmt(v, lang, 3) for v in bal["others"]],
        t("col_norm_diff", lang): [fmt(v, lang, 2) for v in bal["normalised_difference"]],
    })
    return render("support.html.j2", **values, balance_text=t("balance_text", lang),
                  balance=table(btab, numeric=list(btab.columns[1:])))
