"""Power and the minimum detectable effect (MDE) of a staggered-adoption design, before estimation.

:func:`minimum_detectable_effect` answers: with these supported firms, cohorts and years, and an
outcome this noisy and this persistent, how large an effect on the outcome would the headline
estimate (Callaway–Sant'Anna, "simple" aggregation, no covariates) detect with probability
``power`` in a two-sided test at level ``alpha``? It looks at the outcome only through its
untreated observations (never-supported firms, and supported firms before support), never at the
estimate.

1. The estimator is linear in the outcome: tau_hat = sum_it c_it y_it, with weights c_it fixed by
   the design (who is supported when, who is observed when, the comparison group and the cohort-size
   weights of the aggregation). Each firm's weights sum to zero over its years.
2. Hence Var(tau_hat) = sum_i Var(sum_t c_it u_it) = -sum_i sum_{t<s} c_it c_is gamma(s - t), with
   gamma(h) = E[(u_{t+h} - u_t)^2] the outcome's variogram after year effects: firm fixed effects
   drop out and any serial correlation (AR(1) or not) enters through gamma. gamma(h) is estimated
   from the untreated observations, demeaned by year.
3. With V_s the variance contributed by stratum s (each cohort, the comparison firms) and n_s its
   firms, df = V^2 / sum_s V_s^2 / (n_s - 1) (Welch–Satterthwaite, as the estimate's interval) and
   MDE = (t_{1-alpha/2, df} + t_{power, df}) * sqrt(V) (Bloom 1995; Burlig, Preonas and Woerman 2020
   for panel designs with serial correlation).

The MDE assumes one common effect; heterogeneous effects add variance and lower the power
somewhat. It is checked against simulated power in ``bench/effects/inference_mc.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from evalutils.errors import EstimationError

from .. import _dist
from ._common import check_choice, check_columns, html_table
from ._smallsample import t_power


@dataclass(frozen=True)
class MDEResult:
    """Minimum detectable effect of a design (see module docstring)."""

    mde: float
    std_error: float  # design standard error of the overall ATT
    df: float
    alpha: float
    power: float
    n_units: int
    n_supported: int
    n_cohorts: int
    n_periods: int
    variogram: pd.DataFrame  # lag, gamma, n_pairs
    method: str = "design-based MDE of the Callaway-Sant'Anna simple ATT (variogram of untreated outcomes)"

    def power_at(self, effect: float | np.ndarray) -> np.ndarray:
        """Power of the level-``alpha`` test against a common effect ``effect``."""
        crit = float(_dist.StudentT(self.df).ppf(1 - self.alpha / 2))
        return t_power(np.asarray(effect, dtype=float) / self.std_error, self.df, crit)

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "term": "MDE", "estimate": self.mde, "std_error": self.std_error, "df": self.df, "alpha": self.alpha,
            "power": self.power, "n_units": self.n_units, "n_supported": self.n_supported,
            "n_cohorts": self.n_cohorts, "n_periods": self.n_periods, "method": self.method,
        }])

    def _repr_html_(self) -> str:
        return html_table("Minimum detectable effect", self.tidy(),
                          [f"{self.power:.0%} power, two-sided {self.alpha:.0%} test; {self.method}."])


def _wide(data: pd.DataFrame, *, outcome: str, unit: str, time: str, group: str):
    df = data[[unit, time, group, outcome]]
    df = df[np.isfinite(df[outcome].to_numpy(dtype=float))]
    if df.duplicated([unit, time]).any():
        raise EstimationError("minimum_detectable_effect: more than one row per unit and period", column=unit)
    ucodes, units = pd.factorize(df[unit], sort=True)
    periods = np.unique(df[time].to_numpy(dtype=np.int64))
    tcodes = np.searchsorted(periods, df[time].to_numpy(dtype=np.int64))
    Y = np.full((len(units), len(periods)), np.nan)
    Y[ucodes, tcodes] = df[outcome].to_numpy(dtype=float)
    G = np.zeros(len(units), dtype=np.int64)
    G[ucodes] = df[group].to_numpy(dtype=np.int64)
    G[G > periods[-1]] = 0
    return Y, G, periods


def design_weights(G: np.ndarray, observed: np.ndarray, periods: np.ndarray, *, control_group: str,
                   anticipation: int) -> np.ndarray:
    """Weights c (units x periods) with tau_hat = sum c * y for att_gt(...).aggregate("simple") without covariates
    (unbalanced="pairwise" convention: each cell uses the units observed in t and its base period)."""
    n, T = observed.shape
    C = np.zeros((n, T))
    glist, gsize = np.unique(G[G > 0], return_counts=True)
    cells = []
    for gg, size in zip(glist, gsize, strict=True):
        cand = np.flatnonzero(periods < gg - anticipation)
        if len(cand) == 0:
            continue
        bi = int(cand[-1])
        for ti in np.flatnonzero(periods >= gg):
            tt, tb = int(periods[ti]), int(periods[bi])
            treat = (G == gg) & observed[:, ti] & observed[:, bi]
            if control_group == "never_treated":
                ctrl = G == 0
            else:
                ctrl = (G == 0) | ((G > max(tt, tb) + anticipation) & (G != gg))
            ctrl = ctrl & observed[:, ti] & observed[:, bi]
            if treat.any() and ctrl.any():
                cells.append((float(size), ti, bi, treat, ctrl))
    if not cells:
        raise EstimationError("minimum_detectable_effect: no post-support cell has supported and comparison units",
                              hint="the design has no valid comparison; no effect is detectable")
    wsum = sum(c[0] for c in cells)
    for size, ti, bi, treat, ctrl in cells:
        w = size / wsum
        nt, nc = treat.sum(), ctrl.sum()
        C[treat, ti] += w / nt
        C[treat, bi] -= w / nt
        C[ctrl, ti] -= w / nc
        C[ctrl, bi] += w / nc
    return C


def variogram(Y: np.ndarray, untreated: np.ndarray) -> pd.DataFrame:
    """gamma(h) = mean (u_{t+h} - u_t)^2 over untreated, observed pairs, after removing year means."""
    Yu = np.where(untreated, Y, np.nan)
    counts = np.isfinite(Yu).sum(axis=0)
    mu = np.where(counts > 0, np.nansum(Yu, axis=0) / np.maximum(counts, 1), np.nan)
    U = Yu - mu[None, :]
    T = Y.shape[1]
    rows = []
    for h in range(1, T):
        d = U[:, h:] - U[:, :-h]
        ok = np.isfinite(d)
        rows.append({"lag": h, "gamma": float(np.mean(d[ok] ** 2)) if ok.any() else np.nan, "n_pairs": int(ok.sum())})
    out = pd.DataFrame(rows)
    g = out["gamma"].to_numpy()
    if not np.isfinite(g).any():
        raise EstimationError("minimum_detectable_effect: no unit is observed untreated in two periods",
                              hint="the outcome's variance over time cannot be estimated")
    out["gamma"] = pd.Series(g).ffill().bfill().to_numpy()
    return out


def design_variance(C: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """Per-unit variance of sum_t c_it u_it given the variogram gamma[h-1] = gamma(h)."""
    T = C.shape[1]
    v = np.zeros(C.shape[0])
    for h in range(1, T):
        v -= gamma[h - 1] * np.sum(C[:, h:] * C[:, :-h], axis=1)
    return v


def minimum_detectable_effect(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    control_group: Literal["never_treated", "not_yet_treated"] = "never_treated",
    anticipation: int = 0,
    alpha: float = 0.05,
    power: float = 0.8,
) -> MDEResult:
    """Smallest common effect on ``outcome`` that the Callaway–Sant'Anna simple ATT of this design detects with
    probability ``power`` at level ``alpha`` (two-sided), computed from the design and the untreated outcomes only.

    Examples
    --------
    >>> from evalutils.effects import minimum_detectable_effect
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"firm": np.repeat(np.arange(40), 6), "year": np.tile(np.arange(2016, 2022), 40)})
    >>> df["g"] = np.select([df["firm"] < 10, df["firm"] < 20], [2018, 2020], 0)
    >>> df["d"] = ((df["g"] > 0) & (df["year"] >= df["g"])).astype(int)
    >>> df["y"] = 0.5 * df["d"] + np.random.default_rng(0).normal(scale=0.1, size=len(df))
    >>> mde = minimum_detectable_effect(df, outcome="y", unit="firm", time="year", group="g")
    >>> 0 < mde.mde < 0.5
    True
    """
    check_choice("control_group", control_group, ("never_treated", "not_yet_treated"))
    if not (0 < alpha < 1 and 0 < power < 1):
        raise ValueError(f"alpha and power must be in (0, 1), not {alpha!r}, {power!r}")
    check_columns(data, [outcome, unit, time, group], estimator="minimum_detectable_effect")
    Y, G, periods = _wide(data, outcome=outcome, unit=unit, time=time, group=group)
    early = (G > 0) & (G - anticipation <= periods[0])
    Y, G = Y[~early], G[~early]
    n_sup = int((G > 0).sum())
    sizes = pd.Series(G[G > 0]).value_counts()
    if n_sup == 0:
        raise EstimationError("minimum_detectable_effect: no supported unit with a period before support", column=group)
    if (sizes < 2).any():
        raise EstimationError(
            f"minimum_detectable_effect: cohort(s) {sorted(sizes[sizes < 2].index.tolist())} have a single unit; "
            "no valid interval, hence no power", column=group,
            hint="drop or merge these cohorts with a neighbouring one",
        )
    observed = np.isfinite(Y)
    untreated = observed & ((G[:, None] == 0) | (periods[None, :] < G[:, None] - anticipation))
    vg = variogram(Y, untreated)
    C = design_weights(G, observed, periods, control_group=control_group, anticipation=anticipation)
    v_unit = np.clip(design_variance(C, vg["gamma"].to_numpy()), 0, None)
    strata, codes = np.unique(G, return_inverse=True)
    V_s = np.bincount(codes, weights=v_unit)
    n_s = np.bincount(codes).astype(float)
    V = float(V_s.sum())
    den = float(np.sum(V_s**2 / np.maximum(n_s - 1, 1)))
    df = max(V**2 / den, 1.0) if den > 0 else float(max(len(G) - 1, 1))
    se = float(np.sqrt(V))
    t = _dist.StudentT(df)
    mde = float((t.ppf(1 - alpha / 2) + t.ppf(power)) * se)
    return MDEResult(mde=mde, std_error=se, df=float(df), alpha=alpha, power=power, n_units=len(G),
                     n_supported=n_sup, n_cohorts=int(len(sizes)), n_periods=len(periods), variogram=vg)
