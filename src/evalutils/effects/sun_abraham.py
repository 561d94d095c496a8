"""Sun and Abraham (2021) interaction-weighted event-study estimator, ``sun_abraham``.

One TWFE regression with a full set of cohort x relative-period indicators (reference e = -1
for every cohort), unit and time effects, and the never-treated (or the last-treated cohort) as
the only clean controls:

    y_it = a_i + l_t + sum_g sum_{e != -1} d_{g,e} 1{G_i = g} 1{t - g = e} + u_it.

The cohort-specific effects d_{g,e} (CATT) are then averaged over cohorts with weights equal to
each cohort's share of the treated observations at that relative period (the interaction
weights); standard errors by the delta method with the clustered covariance of the regression
(weights treated as fixed, as fixest's ``aggregate``). With never-treated controls and a balanced
panel without covariates, d_{g,e} equals Callaway–Sant'Anna's ATT(g, g+e) with the universal
base period (tests check this identity).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from evalutils.errors import EstimationError

from ._base import EffectResult
from ._common import check_choice, prepare_input, t_or_z, tidy_rows
from ._vcov import SMALL_SAMPLE, SmallSample, Vcov, parse_vcov
from .twfe import _BACKENDS, Backend, fit_panel_ols, fit_within_numpy, use_numpy_backend


@dataclass(frozen=True)
class SunAbrahamResult(EffectResult):
    catt: pd.DataFrame  # group, event_time, estimate, std_error, n_obs
    event_effects: pd.DataFrame  # event_time, estimate, std_error, conf_low, conf_high
    overall_estimate: float
    overall_std_error: float
    df_resid: float
    n_obs: int
    n_units: int
    n_clusters: int | None
    alpha: float
    outcome: str
    control: str
    method: str = "Sun-Abraham interaction-weighted"
    notes: tuple[str, ...] = field(default_factory=tuple)

    def tidy(self) -> pd.DataFrame:
        ev = self.event_effects
        terms = ["ATT", *[f"e={e}" for e in ev["event_time"]]]
        return tidy_rows(terms, np.r_[self.overall_estimate, ev["estimate"].to_numpy()],
                         np.r_[self.overall_std_error, ev["std_error"].to_numpy()], df=self.df_resid,
                         alpha=self.alpha, n_obs=self.n_obs, n_units=self.n_units, n_clusters=self.n_clusters,
                         method=self.method)

    _title = "Sun–Abraham interaction-weighted estimator"

    def _notes(self) -> list[str]:
        return [f"Outcome: {self.outcome}; controls: {self.control.replace('_', ' ')}; cohort-share weights; "
                + (f"{self.n_clusters} clusters." if self.n_clusters else "no clustering."), *self.notes]


def sun_abraham(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    control: Literal["never_treated", "last_treated"] = "never_treated",
    covariates: str | list[str] | None = None,
    vcov: Vcov = "cluster",
    cluster: str | None = None,
    small_sample: SmallSample = "fixest",
    backend: Backend = "auto",
    alpha: float = 0.05,
) -> SunAbrahamResult:
    """Sun–Abraham estimator (see module docstring). ``group`` = first treated period, 0 = never.

    ``control="last_treated"`` uses the last cohort as controls (all periods from its first
    treated period on are dropped) when there are no never-treated units. ``vcov``, ``cluster``,
    ``small_sample`` and ``backend`` as in :func:`evalutils.effects.twfe`.

    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"firm": np.repeat(np.arange(30), 5), "year": np.tile(np.arange(2017, 2022), 30)})
    >>> df["g"] = np.where(df["firm"] < 10, 2019, np.where(df["firm"] < 20, 2020, 0))
    >>> df["y"] = np.random.default_rng(1).normal(size=len(df)) + 0.5 * ((df["g"] > 0) & (df["year"] >= df["g"]))
    >>> sa = sun_abraham(df, outcome="y", unit="firm", time="year", group="g", vcov="hetero")
    >>> sa.tidy()["term"].iloc[0], sa.n_clusters is None
    ('ATT', True)
    """
    check_choice("control", control, ("never_treated", "last_treated"))
    check_choice("backend", backend, _BACKENDS)
    check_choice("small_sample", small_sample, SMALL_SAMPLE)
    vc = parse_vcov(vcov, cluster=cluster, unit=unit)
    df, covs = prepare_input(data, [outcome, unit, time, group, vc.cluster], covariates=covariates,
                             estimator="sun_abraham")
    g = df[group].to_numpy(dtype=np.int64)
    t = df[time].to_numpy(dtype=np.int64)
    notes: list[str] = []
    g = np.where(g > t.max(), 0, g)
    cohorts = np.unique(g[g > 0])
    if len(cohorts) == 0:
        raise EstimationError("sun_abraham: no treated units", column=group)
    if control == "never_treated":
        if not (g == 0).any():
            raise EstimationError("sun_abraham: no never-treated units", column=group,
                                  hint="use control='last_treated'")
        ctrl = g == 0
    else:
        last = cohorts.max()
        if len(cohorts) < 2:
            raise EstimationError("sun_abraham: control='last_treated' needs at least two cohorts", column=group)
        keep = t < last  # no clean control from the last cohort's first treated period on
        df, g, t = df.loc[keep].reset_index(drop=True), g[keep], t[keep]
        ctrl = (g == 0) | (g == last)
        cohorts = cohorts[cohorts != last]
        notes.append(f"cohort {last} used as control; periods from {last} on were dropped")
    e = t - g
    names, keys = [], []
    cols = {}
    for gg in cohorts:
        in_g = (g == gg) & ~ctrl
        for ee in np.unique(e[in_g]):
            if ee == -1:
                continue
            nm = f"g{gg}_e{ee}"
            cols[nm] = (in_g & (e == ee)).astype(float)
            names.append(nm)
            keys.append((int(gg), int(ee)))
    if not names:
        raise EstimationError("sun_abraham: nothing to estimate", column=group)
    work = pd.concat([df, pd.DataFrame(cols)], axis=1)
    fitter = fit_within_numpy if use_numpy_backend(backend, work, time) else fit_panel_ols
    fit = fitter(work, outcome=outcome, exog=[*names, *covs], unit=unit, time=time, cluster=vc.cluster,
                 small_sample=small_sample, estimator="sun_abraham", vcov_kind=vc.kind)
    b = fit.params[names].to_numpy()
    V = fit.vcov.loc[names, names].to_numpy()
    n_cells = np.array([int(cols[nm].sum()) for nm in names])
    catt = pd.DataFrame({"group": [k[0] for k in keys], "event_time": [k[1] for k in keys], "estimate": b,
                         "std_error": np.sqrt(np.diag(V)), "n_obs": n_cells})
    ev_levels = np.unique(catt["event_time"])
    crit = t_or_z(fit.df_resid).ppf(1 - alpha / 2)
    rows = []
    for ee in ev_levels:
        m = (catt["event_time"] == ee).to_numpy()
        w = np.zeros(len(names))
        w[m] = n_cells[m] / n_cells[m].sum()
        est = float(w @ b)
        se = float(np.sqrt(w @ V @ w))
        rows.append({"event_time": int(ee), "estimate": est, "std_error": se,
                     "conf_low": est - crit * se, "conf_high": est + crit * se})
    post = (catt["event_time"] >= 0).to_numpy()
    if not post.any():
        raise EstimationError("sun_abraham: no post-treatment periods", column=group)
    w = np.where(post, n_cells, 0) / n_cells[post].sum()
    return SunAbrahamResult(
        catt=catt, event_effects=pd.DataFrame(rows), overall_estimate=float(w @ b),
        overall_std_error=float(np.sqrt(w @ V @ w)), df_resid=fit.df_resid, n_obs=fit.n_obs,
        n_units=fit.n_units, n_clusters=fit.n_clusters, alpha=alpha, outcome=outcome, control=control,
        notes=tuple([*notes, *fit.notes]),
    )
