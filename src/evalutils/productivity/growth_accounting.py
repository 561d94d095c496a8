"""Growth accounting: output growth split into TFP, capital and labour contributions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from evalutils.errors import DataValidationError, EstimationError

from ._panel import bad_rows, check_choice, deflate, numeric_column, require_columns
from .prodfn import ProductionFunctionResult

ALL = "all"


@dataclass(frozen=True)
class GrowthAccountingResult:
    """Result of :func:`growth_accounting`.

    ``period`` has one row per group plus ``"all"`` (the whole panel) for the
    period; ``annual`` the same split year by year (consecutive years only).
    """

    period: pd.DataFrame
    annual: pd.DataFrame
    shares: str
    start: int
    end: int
    target_tfp_share: float | None

    def tidy(self) -> pd.DataFrame:
        """The period table (one row per group)."""
        return self.period.copy()


def _elasticities_for(elasticities, group: str) -> tuple[float, float]:
    """(capital, labour) elasticities for ``group`` from a dict or a production-function result."""
    if isinstance(elasticities, ProductionFunctionResult):
        fits = elasticities.fits
        if len(fits) == 1:
            fit = next(iter(fits.values()))
        elif group in fits:
            fit = fits[group]
        else:
            raise EstimationError(
                f"the production-function result has no estimates for group {group!r}",
                key=group, hint="estimate with by= the same grouping, or pass a dict of elasticities",
            )
        p = fit.params
        return float(p[list(elasticities.state)].sum()), float(p[list(elasticities.free)].sum())
    if isinstance(elasticities, dict):
        if group in elasticities and isinstance(elasticities[group], dict):
            elasticities = elasticities[group]
        try:
            return float(elasticities["capital"]), float(elasticities["labour"])
        except KeyError as exc:
            raise ValueError(
                "elasticities must be a dict with keys 'capital' and 'labour' "
                "(or a dict of such dicts by group, or a ProductionFunctionResult)"
            ) from exc
    raise ValueError("shares='estimated' needs elasticities= (dict or ProductionFunctionResult)")


def growth_accounting(
    data: pd.DataFrame,
    *,
    output: str,
    capital: str,
    labour: str,
    group: str | None,
    year: str,
    period: tuple[int, int],
    shares: Literal["estimated", "income"] = "estimated",
    elasticities: dict | ProductionFunctionResult | None = None,
    labour_share_col: str | None = None,
    target_tfp_share: float | None = None,
    unit: str | None = None,
    deflators: pd.DataFrame | None = None,
    deflator_col: str = "deflator",
    deflator_year_col: str | None = None,
) -> GrowthAccountingResult:
    r"""Split aggregate output growth into TFP, capital and labour contributions.

    For each group (e.g. province) and for the whole panel (``"all"``), output,
    capital and labour are summed over the firms present in each year, and with
    log growth rates :math:`g_X = \ln X_{end} - \ln X_{start}`:

    .. math::
        g_Y = \underbrace{\alpha_K g_K}_{\text{capital}}
        + \underbrace{\alpha_L g_L}_{\text{labour}}
        + \underbrace{g_{TFP}}_{\text{residual}}

    TFP's share of growth is :math:`g_{TFP} / g_Y`. Factor shares:

    - ``shares="estimated"``: output elasticities, from ``elasticities`` — a
      dict ``{"capital": β_k, "labour": β_l}`` (or such dicts keyed by group)
      or a :class:`ProductionFunctionResult` (labour = sum of the free-input
      elasticities, capital = sum of the state ones; per group when it was
      estimated with the same ``by``). Returns to scale need not be constant.
    - ``shares="income"``: :math:`\alpha_L` is labour income over output,
      ``sum(labour_share_col) / sum(output)`` per group, averaged over the start
      and end years (Törnqvist); :math:`\alpha_K = 1 - \alpha_L` (constant returns).
      ``labour_share_col`` names the labour-compensation column (e.g. ``"wage_bill"``).

    Aggregates include entering and exiting firms; ``n_firms_start`` /
    ``n_firms_end`` say how many firms (or rows, without ``unit``) stand behind
    each figure, and ``years`` which years. Output and capital should be real:
    pass ``deflators`` (one deflator applied to both) or real columns; without
    deflators a ``UserWarning`` says the split is nominal.

    Returns
    -------
    GrowthAccountingResult with ``period`` (columns: group, start, end, years,
    output_growth, capital_contribution, labour_contribution, tfp_contribution,
    tfp_share, annual_output_growth, annual_tfp_growth, alpha_capital,
    alpha_labour, n_firms_start, n_firms_end, target_tfp_share, meets_target)
    and ``annual`` (the same split for each pair of consecutive years).

    Examples
    --------
    >>> from evalutils.productivity import growth_accounting
    >>> import pandas as pd
    >>> df = pd.DataFrame({"year": [2020, 2021] * 2, "sector": ["C", "C", "G", "G"], "va": [100.0, 110.0, 50.0, 52.0],
    ...                    "capital": [200.0, 210.0, 80.0, 80.0], "workers": [10.0, 10.0, 5.0, 5.0]})
    >>> ga = growth_accounting(df, output="va", capital="capital", labour="workers", group="sector", year="year",
    ...                        period=(2020, 2021), elasticities={"capital": 0.3, "labour": 0.6})
    >>> ga.tidy()[["group", "output_growth", "tfp_contribution"]].round(4).values.tolist()
    [['C', 0.0953, 0.0807], ['G', 0.0392, 0.0392], ['all', 0.077, 0.0664]]
    """
    check_choice("shares", shares, ("estimated", "income"))
    start, end = int(period[0]), int(period[1])
    if not start < end:
        raise ValueError(f"period must be (start, end) with start < end; got {period!r}")
    if shares == "income" and labour_share_col is None:
        raise ValueError("shares='income' needs labour_share_col= (labour compensation column, e.g. 'wage_bill')")
    if shares == "estimated" and elasticities is None:
        raise ValueError("shares='estimated' needs elasticities= (dict or ProductionFunctionResult)")
    cols = [output, capital, labour, year]
    cols += [c for c in (group, unit, labour_share_col) if c]
    require_columns(data, cols)
    vals = {}
    for c in (output, capital, labour) + ((labour_share_col,) if labour_share_col else ()):
        v = numeric_column(data, c)
        bad = ~np.isfinite(v) | (v < 0)
        if bad.any():
            raise DataValidationError(f"{c!r} is missing or negative", column=c, rows=bad_rows(data, bad))
        vals[c] = v
    y_real = deflate(data, vals[output], year=year, deflators=deflators, deflator_col=deflator_col,
                     deflator_year_col=deflator_year_col, what="growth accounting (output and capital)")
    k_real = vals[capital] if deflators is None else deflate(
        data, vals[capital], year=year, deflators=deflators, deflator_col=deflator_col,
        deflator_year_col=deflator_year_col, what="capital")
    frame = pd.DataFrame({
        "_y": y_real, "_k": k_real, "_l": vals[labour],
        "_wl": vals[labour_share_col] if labour_share_col else np.nan,
        "_ynom": vals[output],
        "_t": pd.to_numeric(data[year]).to_numpy(),
        "_g": data[group].astype(str).to_numpy() if group else ALL,
        "_unit": data[unit].to_numpy() if unit else np.arange(len(data)),
    })
    frame = frame[(frame["_t"] >= start) & (frame["_t"] <= end)]
    if frame.empty:
        raise DataValidationError(f"no rows in the period {start}–{end}", column=year)

    def totals(f: pd.DataFrame) -> pd.DataFrame:
        return f.groupby("_t").agg(Y=("_y", "sum"), K=("_k", "sum"), L=("_l", "sum"),
                                   WL=("_wl", "sum"), YN=("_ynom", "sum"), n=("_unit", "nunique"))

    parts = [(g, f) for g, f in frame.groupby("_g", sort=True)]
    if group:
        parts.append((ALL, frame))
    period_rows, annual_rows = [], []
    for g, f in parts:
        tot = totals(f)
        if shares == "estimated":
            a_k, a_l = _elasticities_for(elasticities, g)

        def split(t1: int, t2: int) -> dict | None:
            if t1 not in tot.index or t2 not in tot.index:
                return None
            r1, r2 = tot.loc[t1], tot.loc[t2]
            if min(r1.Y, r2.Y, r1.K, r2.K, r1.L, r2.L) <= 0:
                return None
            if shares == "income":
                al = 0.5 * (r1.WL / r1.YN + r2.WL / r2.YN)
                ak = 1.0 - al
            else:
                ak, al = a_k, a_l
            gy, gk, gl = np.log(r2.Y / r1.Y), np.log(r2.K / r1.K), np.log(r2.L / r1.L)
            cap, lab = ak * gk, al * gl
            tfp = gy - cap - lab
            return {
                "group": g, "start": t1, "end": t2, "years": f"{t1}–{t2}",
                "output_growth": gy, "capital_contribution": cap, "labour_contribution": lab,
                "tfp_contribution": tfp, "tfp_share": tfp / gy if gy != 0 else np.nan,
                "annual_output_growth": gy / (t2 - t1), "annual_tfp_growth": tfp / (t2 - t1),
                "alpha_capital": ak, "alpha_labour": al,
                "n_firms_start": int(r1.n), "n_firms_end": int(r2.n),
            }

        row = split(start, end)
        if row is None:
            row = {"group": g, "start": start, "end": end, "years": f"{start}–{end}",
                   "n_firms_start": int(tot.loc[start].n) if start in tot.index else 0,
                   "n_firms_end": int(tot.loc[end].n) if end in tot.index else 0}
        period_rows.append(row)
        years = sorted(tot.index)
        for t1, t2 in zip(years[:-1], years[1:]):
            if t2 == t1 + 1:
                r = split(t1, t2)
                if r is not None:
                    annual_rows.append(r)
    cols = ["group", "start", "end", "years", "output_growth", "capital_contribution",
            "labour_contribution", "tfp_contribution", "tfp_share", "annual_output_growth",
            "annual_tfp_growth", "alpha_capital", "alpha_labour", "n_firms_start", "n_firms_end"]
    per = pd.DataFrame(period_rows).reindex(columns=cols)
    ann = pd.DataFrame(annual_rows).reindex(columns=cols)
    if target_tfp_share is not None:
        per["target_tfp_share"] = float(target_tfp_share)
        per["meets_target"] = (per["tfp_share"] >= target_tfp_share).where(per["tfp_share"].notna())
    return GrowthAccountingResult(period=per, annual=ann, shares=shares, start=start, end=end,
                                  target_tfp_share=target_tfp_share)
