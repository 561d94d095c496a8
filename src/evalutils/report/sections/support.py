"""Who was supported: support by type and start year, and the balance of supported versus other firms."""

from __future__ import annotations

import pandas as pd

from ...i18n import t
from ...measures.disclosure import coarsen_counts
from ...measures.outcomes import balance_table
from ...panel.schema import SUPPORT_TYPES
from ..context import ProvinceContext, analysis_panel
from ..findings import SELECTION_THRESHOLD
from ..formatting import count_text, fmt
from ..exhibits import shown_table
from ..html import render


def support_html(ctx: ProvinceContext) -> str:
    """Supported firms by type and by start year, in groups of at least k firms (small ones pooled, nothing hidden),
    and the balance table."""
    lang = ctx.lang
    part = support_rows(ctx)
    heading = t("support_heading", lang)
    if part.empty:
        return render("support.html.j2", heading=heading, empty=t("support_none", lang))
    k = ctx.k
    # coarser groups instead of hidden cells: every published count has at least k firms, the total is published
    by_type = coarsen_counts(part["support_type"].value_counts().to_dict(), threshold=k, ordered=False)
    by_year = coarsen_counts(part["support_start_year"].value_counts().sort_index().to_dict(), threshold=k,
                             ordered=True)
    col_firms, total = t("col_firms", lang), len(part)

    def type_label(members: tuple) -> str:
        names = [SUPPORT_TYPES[m][lang] for m in members]
        return names[0] if len(names) == 1 else t("support_pooled", lang, names="; ".join(names))

    def year_label(members: tuple) -> str:
        ys = sorted(int(y) for y in members)
        return str(ys[0]) if len(ys) == 1 else f"{ys[0]}–{ys[-1]}"

    type_of = {m: type_label(g) for g, _ in by_type for m in g}
    year_of = {m: year_label(g) for g, _ in by_year for m in g}
    cross = pd.crosstab(part["support_type"].map(type_of), part["support_start_year"].map(year_of))
    if ((cross == 0) | (cross >= k)).all().all():  # a two-way table needs no hidden cell either: publish it
        cross = cross.reindex(index=[type_label(g) for g, _ in by_type], columns=[year_label(g) for g, _ in by_year])
        rows = [{t("col_support_type", lang): typ, **{y: count_text(int(v), k, lang) for y, v in r.items()},
                 t("col_total", lang): count_text(int(r.sum()), k, lang)} for typ, r in cross.iterrows()]
        rows.append({t("col_support_type", lang): t("col_total", lang),
                     **{y: count_text(int(v), k, lang) for y, v in cross.sum().items()},
                     t("col_total", lang): count_text(total, k, lang)})
        tab = pd.DataFrame(rows)
        return _with_balance(ctx, dict(
            heading=heading, empty="", text=t("support_text", lang, n=count_text(total, k, lang), k=k),
            balance_heading=t("balance_heading", lang),
            t=shown_table("support-table", heading, tab, numeric=list(tab.columns[1:])), t_years=None))
    type_rows = [{t("col_support_type", lang): type_label(g), col_firms: count_text(n, k, lang)} for g, n in by_type]
    type_rows.append({t("col_support_type", lang): t("col_total", lang), col_firms: count_text(total, k, lang)})
    year_rows = [{t("col_start_year", lang): year_label(g), col_firms: count_text(n, k, lang)} for g, n in by_year]
    year_rows.append({t("col_start_year", lang): t("col_total", lang), col_firms: count_text(total, k, lang)})
    values = dict(heading=heading, empty="", text=t("support_text", lang, n=count_text(total, k, lang), k=k),
                  balance_heading=t("balance_heading", lang),
                  t=shown_table("support-type-table", heading, pd.DataFrame(type_rows), numeric=[col_firms]),
                  t_years=shown_table("support-year-table", heading, pd.DataFrame(year_rows), numeric=[col_firms]))
    return _with_balance(ctx, values)


def support_rows(ctx: ProvinceContext) -> pd.DataFrame:
    """The unit's supported firms, one row each, with no identity: type of support and start year."""
    return ctx.stored("support-rows", lambda: ctx.participation[["support_type", "support_start_year"]]
                      .reset_index(drop=True), pd.DataFrame)


def _with_balance(ctx: ProvinceContext, values: dict) -> str:
    """The support section with the balance table of supported versus other firms (when there are others)."""
    lang = ctx.lang
    bal = balance(ctx)
    if bal is None:
        return render("support.html.j2", **values, balance_text=_sentence(t("reason_all_supported", lang)),
                      balance=None)
    btab = pd.DataFrame({
        t("col_variable", lang): [t(f"bal_{v}", lang) for v in bal["variable"]],
        t("col_supported", lang): [fmt(v, lang, 3) for v in bal["supported"]],
        t("col_others", lang): [fmt(v, lang, 3) for v in bal["others"]],
        t("col_norm_diff", lang): [fmt(v, lang, 2) for v in bal["normalised_difference"]],
    })
    return render("support.html.j2", **values, balance_text=t("balance_text", lang,
                                                              threshold=fmt(SELECTION_THRESHOLD, lang, 2)),
                  balance=shown_table("balance-table", t("balance_heading", lang), btab,
                                      numeric=list(btab.columns[1:])))


def _sentence(text: str) -> str:
    """A reason (lower case, no full stop: it is also used inside sentences) as a sentence of its own."""
    return text[:1].upper() + text[1:] + "."


def balance(ctx: ProvinceContext) -> pd.DataFrame | None:
    """Supported versus other firms before support (:func:`evalutils.measures.outcomes.balance_table`), computed
    once per report; None when every firm was supported. The limitations read it too (one story)."""
    def build():
        if ctx.participation["firm_id"].nunique() >= ctx.panel["firm_id"].nunique():
            return None
        panel = analysis_panel(ctx)
        if ctx.deflators is not None:
            panel = panel.merge(ctx.deflators, on="year", how="left")
        return balance_table(panel, min_firms=ctx.k)
    return ctx.stored("balance", build, (pd.DataFrame, type(None)))
