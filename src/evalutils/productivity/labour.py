"""Labour productivity: real value added per worker, and its growth by group and year."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from evalutils.errors import DataValidationError

from ._panel import as_list, bad_rows, check_choice, deflate, numeric_column, require_columns

Aggregate = Literal["ratio", "weighted_log_mean", "mean"]
_AGGREGATES = ("ratio", "weighted_log_mean", "mean")


def _checked_va_emp(
    data: pd.DataFrame, value_added: str, employment: str
) -> tuple[np.ndarray, np.ndarray]:
    va = numeric_column(data, value_added)
    emp = numeric_column(data, employment)
    missing = ~np.isfinite(va)
    if missing.any():
        raise DataValidationError(
            "value added is missing", column=value_added, rows=bad_rows(data, missing),
            hint="drop or impute these rows before computing productivity",
        )
    negative = va < 0
    if negative.any():
        raise DataValidationError(
            "value added is negative", column=value_added, rows=bad_rows(data, negative),
            hint="negative value added has no productivity interpretation; drop these firm-years "
            "(and report how many) before computing productivity",
        )
    bad_emp = ~np.isfinite(emp) | (emp <= 0)
    if bad_emp.any():
        raise DataValidationError(
            "employment must be a positive number of persons", column=employment,
            rows=bad_rows(data, bad_emp),
        )
    return va, emp


def labour_productivity(
    data: pd.DataFrame,
    *,
    value_added: str,
    employment: str,
    year: str,
    deflators: pd.DataFrame | None = None,
    deflator_col: str = "deflator",
    deflator_year_col: str | None = None,
) -> pd.Series:
    """Real value added per worker for each firm-year.

    Parameters
    ----------
    data
        Firm-year panel.
    value_added, employment, year
        Column names: value added (money, current prices), employment (persons,
        > 0) and year (int).
    deflators
        Table with one row per year: ``year`` (or ``deflator_year_col``) and
        ``deflator_col`` (price index, base year = 1). Value added is divided by
        the deflator of its year. If ``None``, the result is nominal and a
        ``UserWarning`` saying so is emitted.

    Returns
    -------
    pandas.Series named ``"labour_productivity"``, aligned with ``data.index``
    (money per worker, base-year prices when deflated).

    Raises
    ------
    DataValidationError
        Missing or negative value added, non-positive employment, or a year with
        no deflator; the message names the column and the rows.

    Examples
    --------
    >>> from evalutils.productivity import labour_productivity
    >>> import pandas as pd
    >>> df = pd.DataFrame({"year": [2015, 2016], "va": [100.0, 121.0], "workers": [10, 11]})
    >>> defl = pd.DataFrame({"year": [2015, 2016], "deflator": [1.0, 1.1]})
    >>> labour_productivity(df, value_added="va", employment="workers", year="year", deflators=defl).round(6).tolist()
    [10.0, 10.0]
    """
    require_columns(data, [value_added, employment, year])
    va, emp = _checked_va_emp(data, value_added, employment)
    real = deflate(
        data, va, year=year, deflators=deflators, deflator_col=deflator_col,
        deflator_year_col=deflator_year_col, what="labour productivity",
    )
    return pd.Series(real / emp, index=data.index, name="labour_productivity")


def productivity_growth(
    data: pd.DataFrame,
    *,
    value_added: str,
    employment: str,
    year: str,
    by: str | Sequence[str] | None = None,
    unit: str | None = None,
    deflators: pd.DataFrame | None = None,
    deflator_col: str = "deflator",
    deflator_year_col: str | None = None,
    aggregate: Aggregate = "ratio",
    target_growth: float | None = None,
) -> pd.DataFrame:
    """Aggregate labour productivity per group and year, and its growth rate.

    Aggregation (``aggregate``):

    - ``"ratio"`` (default): sum of real value added / sum of employment. This
      is the statistical-office definition and equals the employment-weighted
      arithmetic mean of firm productivity.
    - ``"weighted_log_mean"``: exp of the employment-weighted mean of firm log
      productivity (a geometric mean; less driven by a few very large firms and
      the index decomposed by :func:`melitz_polanec`).
    - ``"mean"``: unweighted mean of firm productivity (the typical firm).

    Growth is ``level_t / level_{t-1} - 1`` and is only computed when the
    group has a row for the exact previous year; otherwise it is missing.

    Parameters
    ----------
    by
        Grouping column(s), e.g. ``"province_code"``; ``None`` for the whole panel.
    unit
        Firm identifier; when given, ``n_firms`` counts distinct firms, otherwise rows.
    target_growth
        Optional target (e.g. ``0.07`` for "more than 7% a year"); adds a
        boolean column ``meets_target``.

    Returns
    -------
    DataFrame with the ``by`` columns, ``year``, ``value_added`` (real),
    ``employment``, ``productivity``, ``growth``, ``n_firms`` (firms behind the
    level), ``n_firms_prev`` (firms behind the previous year's level),
    ``aggregate`` and, if a target is given, ``target_growth`` and ``meets_target``.

    Examples
    --------
    >>> from evalutils.productivity import productivity_growth
    >>> import pandas as pd
    >>> df = pd.DataFrame({"year": [2020, 2021, 2020, 2021], "va": [100.0, 110.0, 50.0, 60.0], "workers": [10, 10, 5, 5]})
    >>> g = productivity_growth(df, value_added="va", employment="workers", year="year")
    >>> g[["year", "productivity", "growth"]].round(4).values.tolist()[1]
    [2021.0, 11.3333, 0.1333]
    """
    check_choice("aggregate", aggregate, _AGGREGATES)
    groups = as_list(by)
    require_columns(data, [value_added, employment, year, *groups, *as_list(unit)])
    va, emp = _checked_va_emp(data, value_added, employment)
    real = deflate(
        data, va, year=year, deflators=deflators, deflator_col=deflator_col,
        deflator_year_col=deflator_year_col, what="labour productivity",
    )
    frame = pd.DataFrame({"_va": real, "_emp": emp, "_year": data[year].to_numpy()}, index=data.index)
    for g in groups:
        frame[g] = data[g].to_numpy()
    frame["_unit"] = data[unit].to_numpy() if unit else np.arange(len(data))
    lp = frame["_va"] / frame["_emp"]
    frame["_lp"] = lp
    with np.errstate(divide="ignore"):
        frame["_loglp_w"] = np.log(lp) * frame["_emp"]
    if aggregate == "weighted_log_mean" and (lp <= 0).any():
        raise DataValidationError(
            "zero value added has no log: aggregate='weighted_log_mean' needs positive value added",
            column=value_added, rows=bad_rows(data, (lp <= 0).to_numpy()),
        )
    keys = [*groups, "_year"]
    agg = frame.groupby(keys, sort=True, dropna=False).agg(
        value_added=("_va", "sum"),
        employment=("_emp", "sum"),
        mean_lp=("_lp", "mean"),
        loglp_w=("_loglp_w", "sum"),
        n_firms=("_unit", "nunique"),
    ).reset_index()
    if aggregate == "ratio":
        agg["productivity"] = agg["value_added"] / agg["employment"]
    elif aggregate == "weighted_log_mean":
        agg["productivity"] = np.exp(agg["loglp_w"] / agg["employment"])
    else:
        agg["productivity"] = agg["mean_lp"]
    agg = agg.drop(columns=["mean_lp", "loglp_w"])
    prev = agg[[*groups, "_year", "productivity", "n_firms"]].copy()
    prev["_year"] = prev["_year"] + 1
    prev = prev.rename(columns={"productivity": "_prev_level", "n_firms": "n_firms_prev"})
    out = agg.merge(prev, on=keys, how="left")
    out["growth"] = out["productivity"] / out["_prev_level"] - 1.0
    out["n_firms_prev"] = out["n_firms_prev"].astype("Int64")
    out = out.drop(columns=["_prev_level"]).rename(columns={"_year": year})
    out["aggregate"] = aggregate
    if target_growth is not None:
        out["target_growth"] = float(target_growth)
        out["meets_target"] = (out["growth"] > target_growth).where(out["growth"].notna())
    cols = [*groups, year, "value_added", "employment", "productivity", "growth",
            "n_firms", "n_firms_prev", "aggregate"]
    cols += [c for c in ("target_growth", "meets_target") if c in out.columns]
    return out[cols]
