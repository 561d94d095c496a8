"""Statistical disclosure control for published tables.

Firm-level microdata are confidential. A published cell (a total, mean or
share) built from fewer firms than ``params/defaults.yml: disclosure.min_firms_per_cell``
is suppressed (set to missing and flagged), and firm identifiers never leave
the analysis.
"""

from __future__ import annotations

import pandas as pd


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
