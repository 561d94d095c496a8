"""Firm outcomes for the evaluation: the analysis panel and the balance of supported versus other firms."""

from __future__ import annotations

import numpy as np
import pandas as pd


def outcome_panel(panel: pd.DataFrame, participation: pd.DataFrame,
                  deflators: pd.DataFrame | None) -> pd.DataFrame:
    """The firm-year panel joined to participation, with the outcome ``log_va_per_worker`` (deflated when
    deflators are given), ``supported`` and the post-support indicator ``post_support``."""
    df = panel.merge(participation[["firm_id", "support_start_year", "support_type"]], on="firm_id", how="left")
    d = df["year"].map(deflators.set_index("year")["deflator"]) if deflators is not None else 1.0
    df["log_va_per_worker"] = np.log(df["value_added"] / d / df["employment"])
    df["supported"] = df["support_start_year"].notna()
    df["post_support"] = (df["supported"] & (df["year"] >= df["support_start_year"])).astype(int)
    return df


def balance_table(df: pd.DataFrame, *, min_firms: int) -> pd.DataFrame:
    """Supported versus other firms in the year before support began (or 2020 for the others).

    Means of log employment, log real VA per worker, log real capital per worker and
    the foreign-owned share, with the normalised difference (difference of means
    over the root mean of the variances; |d| > 0.25 is a common warning sign).
    """
    pre = df.copy()
    pre["ref_year"] = pre["support_start_year"].fillna(2021) - 1
    pre = pre[pre["year"] == pre["ref_year"]]
    d = pre["deflator"] if "deflator" in pre else 1.0
    vars_ = pd.DataFrame({
        "log_employment": np.log(pre["employment"].astype(float)),
        "log_va_per_worker": np.log(pre["value_added"] / d / pre["employment"]),
        "log_capital_per_worker": np.log(pre["capital"] / d / pre["employment"]),
        "foreign_share": (pre["ownership"] == "foreign").astype(float),
    })
    supported = pre["support_start_year"].notna().to_numpy()
    rows = []
    for col in vars_.columns:
        a, c = vars_.loc[supported, col], vars_.loc[~supported, col]
        sd = np.sqrt((a.var(ddof=1) + c.var(ddof=1)) / 2) if len(a) > 1 and len(c) > 1 else np.nan
        rows.append({"variable": col, "supported": a.mean(), "others": c.mean(),
                     "normalised_difference": (a.mean() - c.mean()) / sd if sd and sd > 0 else np.nan,
                     "n_supported": int(len(a)), "n_others": int(len(c))})
    out = pd.DataFrame(rows)
    small = (out["n_supported"] < min_firms) | (out["n_others"] < min_firms)
    out.loc[small, ["supported", "others", "normalised_difference"]] = np.nan
    out["suppressed"] = small
    return out
