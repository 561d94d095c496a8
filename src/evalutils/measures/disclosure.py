"""Statistical disclosure control for published tables: every rule in one place.

Firm-level microdata are confidential. A published cell (a total, mean or
share) is suppressed (set to missing and flagged) when it is built from fewer
firms than ``params/defaults.yml: disclosure.min_firms_per_cell`` (the threshold
rule), when one firm holds more than ``disclosure.max_firm_share`` of its total
(the dominance rule), or when it would give a hidden cell away by subtraction
from a published total (complementary suppression). Firm identifiers never
leave the analysis.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Literal

import pandas as pd

Reason = Literal["", "small", "dominated", "complementary"]


def suppress_small_cells(table: pd.DataFrame, *, count_col: str, value_cols: list[str],
                         threshold: int) -> pd.DataFrame:
    """Blank ``value_cols`` where ``count_col`` < ``threshold``; add a boolean ``suppressed`` column."""
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    out = table.copy()
    small = out[count_col] < threshold
    out.loc[small, value_cols] = float("nan")
    out["suppressed"] = small
    return out


def check_no_firm_ids(text: str, firm_ids: pd.Series) -> list[str]:
    """Firm identifiers that appear verbatim in ``text`` (for scans of published files)."""
    ids = set(firm_ids.astype(str))
    return sorted(i for i in ids if i in text)


def top_share(values: pd.Series, by: pd.Series) -> pd.Series:
    """Share of each group's total held by its largest contributor (the dominance rule's measure), by ``by``."""
    g = values.groupby(by)
    return g.max() / g.sum()


def suppress_dominated(table: pd.DataFrame, shares: pd.Series, *, key: str, value_cols: list[str],
                       max_share: float) -> pd.DataFrame:
    """Blank ``value_cols`` of the rows whose ``key`` has a largest-firm share above ``max_share``.

    ``shares`` is indexed by ``key`` (see :func:`top_share`); the ``suppressed`` column (added when missing)
    flags the rows hidden by either rule."""
    if not 0 < max_share <= 1:
        raise ValueError("max_share must be in (0, 1]")
    out = table.copy()
    dominated = shares.reindex(out[key]).to_numpy() > max_share
    out.loc[dominated, value_cols] = float("nan")
    out["suppressed"] = (out["suppressed"] if "suppressed" in out else False) | dominated
    return out


def cell_reasons(counts: Mapping[Hashable, int], shares: Mapping[Hashable, float], *, threshold: int,
                 max_share: float) -> dict[Hashable, Reason]:
    """Why each group of one dimension of a table is hidden ("" = shown), with complementary suppression.

    Groups are hidden when they count fewer than ``threshold`` firms ("small") or their largest firm holds more than
    ``max_share`` ("dominated"). Shares add to 100% and counts to the published total, so a dimension with exactly
    one hidden group would give it away by subtraction: the smallest shown group is hidden too ("complementary").
    """
    out: dict[Hashable, Reason] = {}
    for g, n in counts.items():
        out[g] = "small" if n < threshold else ("dominated" if shares[g] > max_share else "")
    hidden = [g for g, r in out.items() if r]
    shown = [g for g, r in out.items() if not r]
    if len(hidden) == 1 and shown:
        out[min(shown, key=lambda g: counts[g])] = "complementary"
    return out


def hidden_row_totals(table: pd.DataFrame, *, threshold: int) -> set:
    """Rows of a table of counts whose row total must be hidden.

    A row total pins the row's hidden cells (e.g. "<3 <3 | 2"), so the total of every row with a small cell (or a
    small total) is hidden; when that leaves a single hidden total (recoverable from the overall count), the
    smallest other row total is hidden too.
    """
    hidden = {row for row, r in table.iterrows() if ((r > 0) & (r < threshold)).any() or 0 < r.sum() < threshold}
    if len(hidden) == 1 and len(table) > 1:
        others = table.drop(index=list(hidden)).sum(axis=1)
        hidden.add(others.idxmin())
    return hidden


def coarsen_counts(counts: Mapping[Hashable, int], *, threshold: int,
                   ordered: bool) -> list[tuple[tuple[Hashable, ...], int]]:
    """Merge the groups of a one-way table of firm counts until every published count is at least ``threshold``.

    Instead of hiding cells (and then, to stop subtraction, the totals), the table is made coarser: nothing is
    hidden, so the total is published and no count below the threshold can be derived. ``ordered`` groups (years)
    merge with their neighbours, from the first, the remainder joining the last group formed; unordered groups
    (types) below the threshold are pooled into one group ("other"), which takes in the smallest remaining group
    until it reaches the threshold. Groups with no firm are dropped. Returns ``[(members, count), ...]``; a total
    below the threshold comes back as one group (the caller prints ``<k``).
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    items = [(g, int(n)) for g, n in counts.items() if int(n) > 0]
    total = sum(n for _, n in items)
    if not items:
        return []
    if total < threshold:
        return [(tuple(g for g, _ in items), total)]
    if ordered:
        bins: list[tuple[list, int]] = []
        current: list = []
        n_cur = 0
        for g, n in items:
            current.append(g)
            n_cur += n
            if n_cur >= threshold:
                bins.append((current, n_cur))
                current, n_cur = [], 0
        if current:  # a remainder below the threshold joins the last group
            last, n_last = bins.pop()
            bins.append((last + current, n_last + n_cur))
        return [(tuple(b), n) for b, n in bins]
    keep = sorted([(g, n) for g, n in items if n >= threshold], key=lambda x: -x[1])
    other = [(g, n) for g, n in items if n < threshold]
    while other and sum(n for _, n in other) < threshold:
        other.append(keep.pop())  # the smallest kept group joins the pool
    out = [((g,), n) for g, n in keep]
    if other:
        out.append((tuple(g for g, _ in other), sum(n for _, n in other)))
    return out
