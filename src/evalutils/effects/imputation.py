"""Borusyak, Jaravel and Spiess (2024) imputation estimator, ``did_imputation``.

1. Fit y_it = a_i + l_t + e_it on the untreated observations only (never treated and not yet
   treated, excluding ``anticipation`` periods before support).
2. Impute Y_it(0) = a_i + l_t for each treated observation and take tau_it = y_it - Y_it(0).
3. Average tau_it: overall (all treated observations with e >= 0, equal weights) and by event
   time e = t - g.

Standard errors follow BJS Theorem 3 (conservative, clustered): each estimate is linear in y,
tau_w = sum_it v_it y_it, with v_it = w_it on treated observations and v = -Z0 (Z0'Z0)^-1 Z1'w on
untreated ones (computed by Gauss–Seidel on the two-way normal equations, no dense dummies);
Var = sum_c (sum_{it in c} v_it e~_it)^2 where e~ is the step-1 residual for untreated rows and
tau_it minus its cohort-by-period mean for treated rows. Covariates are not supported in this
version.

Small-sample inference (``inference="small_sample"``, the default): the cluster terms
sum_{it in c} v_it e~_it are treated as a stratified sample with the support cohorts as strata
(:mod:`._smallsample`): each cohort's sum of squares is multiplied by n_g / (n_g - 1), which undoes
the shrinkage from demeaning tau within cohort-by-period cells of a few firms (the role of BJS's
leave-out correction), and intervals use Student t with Welch–Satterthwaite degrees of freedom.
``inference="asymptotic"`` gives BJS's variance with normal critical values.

Pre-trends: :meth:`ImputationResult.pretrend_test` is BJS's test, a regression on untreated
observations of y on unit and time effects and indicators for the k periods before support.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from .. import _dist

from evalutils.errors import EstimationError

from ._common import check_choice, check_columns, drop_missing, html_table, tidy_rows
from ._fe import fit_two_way, solve_normal_equations
from ._smallsample import OverallInference, stratified_variance


@dataclass(frozen=True)
class ImputationResult(OverallInference):
    overall_estimate: float
    overall_std_error: float
    event_effects: pd.DataFrame  # event_time, estimate, std_error, conf_low, conf_high, n_obs
    weights_check: float  # max |sum_i v_it| residual of the unit normal equations (diagnostic)
    n_obs: int
    n_treated_obs: int
    n_units: int
    n_clusters: int
    alpha: float
    outcome: str
    _data: pd.DataFrame = field(repr=False)
    _cols: dict = field(repr=False)
    method: str = "Imputation (Borusyak-Jaravel-Spiess)"
    notes: tuple[str, ...] = field(default_factory=tuple)
    overall_df: float | None = None  # t degrees of freedom of the overall ATT (None: normal)
    inference: str = "small_sample"

    @property
    def estimate(self) -> float:
        return self.overall_estimate

    @property
    def std_error(self) -> float:
        return self.overall_std_error

    def tidy(self) -> pd.DataFrame:
        ev = self.event_effects
        terms = ["ATT", *[f"e={e}" for e in ev["event_time"]]]
        est = np.r_[self.overall_estimate, ev["estimate"].to_numpy()]
        se = np.r_[self.overall_std_error, ev["std_error"].to_numpy()]
        lo = np.r_[self.conf_int[0], ev["conf_low"].to_numpy()]
        hi = np.r_[self.conf_int[1], ev["conf_high"].to_numpy()]
        out = tidy_rows(terms, est, se, df=None, alpha=self.alpha, n_obs=self.n_obs, n_units=self.n_units,
                        n_clusters=self.n_clusters, method=self.method, conf_low=lo, conf_high=hi)
        dfs = np.r_[np.nan if self.overall_df is None else self.overall_df,
                    ev["df"].to_numpy(dtype=float) if "df" in ev else np.full(len(ev), np.nan)]
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = np.abs(est / se)
        out["p_value"] = [float(2 * (_dist.norm if not np.isfinite(d) else _dist.StudentT(d)).sf(s_))
                          for d, s_ in zip(dfs, stat, strict=True)]
        out.insert(len(out.columns) - 1, "df", dfs)
        return out

    def pretrend_test(self, *, k: int = 3) -> dict[str, float]:
        """BJS pre-trend test on untreated observations: joint F test of k pre-period indicators."""
        from .twfe import fit_panel_ols

        c = self._cols
        d = self._data
        u = d[~d["_treated"]].copy()
        names = []
        for j in range(1, k + 1):
            nm = f"pre{j}"
            u[nm] = ((u["_g"] > 0) & (u["_e"] == -j)).astype(float)
            if u[nm].sum() > 0:
                names.append(nm)
        if not names:
            raise EstimationError("pretrend_test: no untreated observations shortly before support")
        fit = fit_panel_ols(u, outcome=c["outcome"], exog=names, unit=c["unit"], time=c["time"],
                            cluster=c["cluster"], small_sample="fixest", estimator="pretrend_test")
        b = fit.params[names].to_numpy()
        V = fit.vcov.loc[names, names].to_numpy()
        W = float(b @ np.linalg.solve(V, b))
        q = len(b)
        return {"statistic": W / q, "df1": float(q), "df2": fit.df_resid,
                "p_value": float(_dist.f_sf(W / q, q, fit.df_resid)),
                **{f"coef_{nm}": float(v) for nm, v in zip(names, b, strict=True)}}

    def _repr_html_(self) -> str:
        return html_table(
            "Imputation estimator (Borusyak, Jaravel and Spiess)",
            self.tidy()[["term", "estimate", "std_error", "conf_low", "conf_high", "p_value"]],
            [f"Outcome: {self.outcome}; {self.n_treated_obs} treated observations imputed; "
             f"SE clustered ({self.n_clusters} clusters), conservative BJS variance.", *self.notes],
        )


def did_imputation(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    horizons: list[int] | None = None,
    anticipation: int = 0,
    cluster: str | None = None,
    alpha: float = 0.05,
    inference: Literal["small_sample", "asymptotic"] = "small_sample",
) -> ImputationResult:
    """Borusyak–Jaravel–Spiess imputation estimator (see module docstring).

    ``group`` is the first treated period (0 = never). ``horizons``: event times to report
    (default every observed e >= 0). ``cluster`` defaults to the unit. ``inference``:
    ``"small_sample"`` (cohort-stratified variance, Student t with Welch–Satterthwaite df) or
    ``"asymptotic"`` (BJS's conservative variance with normal critical values).

    Examples
    --------
    >>> from evalutils.effects import did_imputation
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"firm": np.repeat(np.arange(40), 6), "year": np.tile(np.arange(2016, 2022), 40)})
    >>> df["g"] = np.select([df["firm"] < 10, df["firm"] < 20], [2018, 2020], 0)
    >>> df["d"] = ((df["g"] > 0) & (df["year"] >= df["g"])).astype(int)
    >>> df["y"] = 0.5 * df["d"] + np.random.default_rng(0).normal(scale=0.1, size=len(df))
    >>> res = did_imputation(df, outcome="y", unit="firm", time="year", group="g")
    >>> round(float(res.estimate), 3), res.tidy()["term"].iloc[0]
    (0.515, 'ATT')
    """
    check_choice("inference", inference, ("small_sample", "asymptotic"))
    cluster = unit if cluster is None else cluster
    check_columns(data, [outcome, unit, time, group, cluster], estimator="did_imputation")
    df = drop_missing(data, [outcome, unit, time, group, cluster])
    if df.duplicated([unit, time]).any():
        raise EstimationError("did_imputation: more than one row per unit and period", column=unit)
    g = df[group].to_numpy(dtype=np.int64)
    t = df[time].to_numpy(dtype=np.int64)
    e = np.where(g > 0, t - g, np.iinfo(np.int64).min // 2)
    treated = (g > 0) & (e >= 0)
    antic = (g > 0) & (e < 0) & (e >= -anticipation)
    notes: list[str] = []
    if not treated.any():
        raise EstimationError("did_imputation: no treated observations", column=group)
    unit_g = pd.Series(g, index=df[unit].to_numpy()).groupby(level=0).first()
    sizes = unit_g[unit_g > 0].value_counts()
    if (sizes < 2).any():
        raise EstimationError(
            f"did_imputation: cohort(s) {sorted(sizes[sizes < 2].index.tolist())} have a single unit; "
            "the conservative variance needs at least two units per cohort",
            column=group, hint="drop or merge these cohorts with a neighbouring one before estimation",
        )
    keep = ~antic
    if antic.any():
        notes.append(f"{int(antic.sum())} anticipation-period observations left out of the estimation")
    df = df.loc[keep].reset_index(drop=True)
    g, t, e, treated = g[keep], t[keep], e[keep], treated[keep]
    u_codes, units = pd.factorize(df[unit])
    t_codes, periods = pd.factorize(df[time])
    n_u, n_t = len(units), len(periods)
    y = df[outcome].to_numpy(dtype=float)
    untreated = ~treated
    if not untreated.any():
        raise EstimationError("did_imputation: no untreated observations to impute from", column=group)
    a, b = fit_two_way(y[untreated], u_codes[untreated], t_codes[untreated], n_u, n_t)
    imputable = treated & np.isfinite(a[u_codes]) & np.isfinite(b[t_codes])
    lost = treated & ~imputable
    if lost.any():
        notes.append(
            f"{int(lost.sum())} treated observations cannot be imputed (unit never untreated or no "
            "untreated unit in that period) and were dropped"
        )
        keepi = ~lost
        df = df.loc[keepi].reset_index(drop=True)
        g, t, e, treated, y = g[keepi], t[keepi], e[keepi], treated[keepi], y[keepi]
        u_codes, t_codes = u_codes[keepi], t_codes[keepi]
        untreated = ~treated
    if not treated.any():
        raise EstimationError(
            "did_imputation: no treated observation can be imputed",
            column=group, hint="every treated unit needs untreated periods and untreated units in its periods",
        )
    y0hat = a[u_codes] + b[t_codes]
    resid = np.where(untreated, y - y0hat, 0.0)
    tau = np.where(treated, y - y0hat, 0.0)

    # estimands: overall + each horizon
    ev_levels = np.unique(e[treated])
    if horizons is not None:
        ev_levels = np.array(sorted(set(int(h) for h in horizons) & set(ev_levels.tolist())))
        if len(ev_levels) == 0:
            raise EstimationError("did_imputation: none of the requested horizons is observed")
    n1 = int(treated.sum())
    W = np.zeros((len(df), 1 + len(ev_levels)))
    W[treated, 0] = 1.0 / n1
    for k, lev in enumerate(ev_levels, start=1):
        m = treated & (e == lev)
        W[m, k] = 1.0 / m.sum()
    est = W.T @ tau

    # v on untreated rows: -Z0 (Z0'Z0)^-1 Z1' w
    tr = np.flatnonzero(treated)
    un = np.flatnonzero(untreated)
    K = W.shape[1]
    r_u = np.column_stack([np.bincount(u_codes[tr], weights=W[tr, k], minlength=n_u) for k in range(K)])
    r_t = np.column_stack([np.bincount(t_codes[tr], weights=W[tr, k], minlength=n_t) for k in range(K)])
    gu, gt = solve_normal_equations(r_u, r_t, u_codes[un], t_codes[un], n_u, n_t)
    V = W.copy()
    V[un] = -(gu[u_codes[un]] + gt[t_codes[un]])
    # check: Z0'v0 = -Z1'w (unit block)
    chk_u = np.column_stack([np.bincount(u_codes, weights=V[:, k], minlength=n_u) for k in range(K)])
    weights_check = float(np.max(np.abs(chk_u)))

    # residuals for the variance: treated tau minus its cohort-by-period (v-weighted) mean
    cell = pd.factorize(pd.MultiIndex.from_arrays([g[tr], t[tr]]))[0]
    etilde = resid.copy()
    cl_codes, uniq = pd.factorize(df[cluster])
    n_cl = len(uniq)
    # cohort of each cluster (strata of the small-sample variance); None when clusters span cohorts
    cl_lo = np.full(n_cl, np.iinfo(np.int64).max)
    cl_hi = np.full(n_cl, np.iinfo(np.int64).min)
    np.minimum.at(cl_lo, cl_codes, g)
    np.maximum.at(cl_hi, cl_codes, g)
    strata = cl_lo if (cl_lo == cl_hi).all() else None
    if strata is None and inference == "small_sample":
        notes.append("clusters contain units of different cohorts: small-sample inference uses one stratum")
    ses = np.empty(K)
    dfs = np.full(K, np.inf)
    for k in range(K):
        v1 = V[tr, k]
        num = np.bincount(cell, weights=v1 * tau[tr])
        den = np.bincount(cell, weights=v1)
        with np.errstate(invalid="ignore", divide="ignore"):
            tbar = np.where(den != 0, num / den, 0.0)
        etilde[tr] = tau[tr] - tbar[cell]
        s = np.bincount(cl_codes, weights=V[:, k] * etilde, minlength=n_cl)
        if inference == "small_sample":
            # df from the working model of i.i.d. noise: each cluster's sum of squared weights v_it
            sv = stratified_variance(s, strata, work=np.bincount(cl_codes, weights=V[:, k] ** 2, minlength=n_cl))
            ses[k], dfs[k] = float(sv.std_error[0]), float(sv.df[0])
        else:
            ses[k] = np.sqrt(np.sum(s**2))
    if n_cl < 2:
        raise EstimationError(f"did_imputation: need at least 2 clusters, found {n_cl}", column=cluster)

    crit = np.array([(_dist.norm if not np.isfinite(d) else _dist.StudentT(d)).ppf(1 - alpha / 2) for d in dfs])
    ev = pd.DataFrame(
        {
            "event_time": ev_levels.astype(int),
            "estimate": est[1:],
            "std_error": ses[1:],
            "conf_low": est[1:] - crit[1:] * ses[1:],
            "conf_high": est[1:] + crit[1:] * ses[1:],
            "df": np.where(np.isfinite(dfs[1:]), dfs[1:], np.nan),
            "n_obs": [int((treated & (e == lev)).sum()) for lev in ev_levels],
        }
    )
    store = df.assign(_g=g, _e=np.where(g > 0, t - g, 0), _treated=treated)
    return ImputationResult(
        overall_estimate=float(est[0]), overall_std_error=float(ses[0]), event_effects=ev,
        weights_check=weights_check, n_obs=len(df), n_treated_obs=n1, n_units=int(len(np.unique(u_codes))),
        n_clusters=n_cl, alpha=alpha, outcome=outcome, _data=store,
        _cols={"outcome": outcome, "unit": unit, "time": time, "cluster": cluster}, notes=tuple(notes),
        overall_df=float(dfs[0]) if np.isfinite(dfs[0]) else None, inference=inference,
    )
