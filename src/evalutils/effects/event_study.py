"""Dynamic TWFE event study: relative-time indicators, binned endpoints, reference period -1.

``y_it = a_i + l_t + sum_{e != ref} b_e 1{t - G_i = e} + X_it'c + u_it``, estimated with
``linearmodels.PanelOLS`` (unit and time effects) and the same clustered small-sample
conventions as :func:`evalutils.effects.twfe`. Never-treated units (group 0) have every
indicator equal to zero.

Window and endpoints: with ``window=(lo, hi)`` and ``bin_endpoints=True`` (default) event times
below ``lo`` are pooled into the ``lo`` indicator and those above ``hi`` into ``hi``; with
``bin_endpoints=False`` the treated observations outside the window are dropped. With
``window=None`` every observed event time gets its own indicator.

Under heterogeneous effects across cohorts the b_e are contaminated by other periods'
effects (Sun and Abraham 2021); compare with ``att_gt(...).aggregate("dynamic")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from .. import _dist

from evalutils.errors import EstimationError

from ._common import check_choice, html_table, prepare_input, t_or_z, tidy_rows
from ._vcov import SMALL_SAMPLE, SmallSample, Vcov, parse_vcov
from .twfe import fit_panel_ols


def _term(e: int) -> str:
    return f"e={e}"


@dataclass(frozen=True)
class EventStudyResult:
    """Event-study coefficients (reference period included with estimate 0 and no SE)."""

    coefs: pd.DataFrame  # event_time, estimate, std_error, conf_low, conf_high, binned, reference
    vcov: pd.DataFrame
    df_resid: float
    n_obs: int
    n_units: int
    n_clusters: int | None
    outcome: str
    reference: int
    window: tuple[int, int] | None
    bin_endpoints: bool
    alpha: float
    method: str = "TWFE event study"
    notes: tuple[str, ...] = field(default_factory=tuple)

    def tidy(self, *, include_reference: bool = False) -> pd.DataFrame:
        c = self.coefs if include_reference else self.coefs[~self.coefs["reference"]]
        return tidy_rows(
            [_term(e) for e in c["event_time"]], c["estimate"].to_numpy(), c["std_error"].to_numpy(),
            df=self.df_resid, alpha=self.alpha, n_obs=self.n_obs, n_units=self.n_units,
            n_clusters=self.n_clusters, method=self.method, extra={"event_time": c["event_time"]},
        )

    def pretrend_test(self) -> dict[str, float]:
        """Joint Wald test that every pre-period coefficient (e < 0, reference excluded) is zero.

        F = W / q with (q, df) degrees of freedom, df those of the t tests (G - 1 when clustered, as
        fixest's ``wald``), plus the chi2 p-value.
        """
        pre = self.coefs[(self.coefs["event_time"] < 0) & ~self.coefs["reference"]]
        if pre.empty:
            raise EstimationError("pretrend_test: there are no pre-period coefficients to test")
        names = [_term(e) for e in pre["event_time"]]
        b = pre["estimate"].to_numpy()
        V = self.vcov.loc[names, names].to_numpy()
        W = float(b @ np.linalg.solve(V, b))
        q = len(b)
        F = W / q
        p_f = float(_dist.f_sf(F, q, self.df_resid)) if np.isfinite(self.df_resid) else float(_dist.chi2_sf(W, q))
        return {"statistic": F, "df1": float(q), "df2": self.df_resid, "p_value": p_f,
                "wald": W, "p_value_chi2": float(_dist.chi2_sf(W, q))}

    def _repr_html_(self) -> str:
        pt = self.pretrend_test() if (self.coefs["event_time"] < -1).any() else None
        notes = [f"Outcome: {self.outcome}; reference period e={self.reference}; unit and time fixed effects; "
                 + (f"{self.n_clusters} clusters." if self.n_clusters else "no clustering.")]
        if pt:
            notes.append(f"Joint test of pre-period coefficients: F({pt['df1']:.0f}, {pt['df2']:.0f}) = "
                         f"{pt['statistic']:.3f}, p = {pt['p_value']:.4f}.")
        cols = ["term", "estimate", "std_error", "conf_low", "conf_high", "p_value"]
        return html_table("Event study (TWFE)", self.tidy()[cols], [*notes, *self.notes])


def event_study(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    window: tuple[int, int] | None = (-5, 5),
    bin_endpoints: bool = True,
    reference: int = -1,
    covariates: str | list[str] | None = None,
    vcov: Vcov = "cluster",
    cluster: str | None = None,
    small_sample: SmallSample = "fixest",
    alpha: float = 0.05,
) -> EventStudyResult:
    """TWFE event study with relative-time indicators (see module docstring).

    ``group`` is the first treated period (0 = never treated); ``vcov``/``cluster``/``small_sample``
    as in :func:`evalutils.effects.twfe` (clustered by ``unit`` by default).

    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"firm": np.repeat(np.arange(30), 5), "year": np.tile(np.arange(2017, 2022), 30)})
    >>> df["g"] = np.where(df["firm"] < 10, 2019, np.where(df["firm"] < 20, 2020, 0))
    >>> df["y"] = np.random.default_rng(1).normal(size=len(df)) + 0.5 * ((df["g"] > 0) & (df["year"] >= df["g"]))
    >>> es = event_study(df, outcome="y", unit="firm", time="year", group="g", window=(-2, 2), vcov="iid")
    >>> es.tidy()["term"].tolist()
    ['e=-2', 'e=0', 'e=1', 'e=2']
    """
    check_choice("small_sample", small_sample, SMALL_SAMPLE)
    vc = parse_vcov(vcov, cluster=cluster, unit=unit)
    df, covs = prepare_input(data, [outcome, unit, time, group, vc.cluster], covariates=covariates,
                             estimator="event_study")
    g = df[group].to_numpy(dtype=np.int64)
    t = df[time].to_numpy(dtype=np.int64)
    treated = g > 0
    if not treated.any():
        raise EstimationError("event_study: no treated units (group is 0 everywhere)", column=group)
    e = np.where(treated, t - g, 0)
    notes: list[str] = []
    if window is not None:
        lo, hi = int(window[0]), int(window[1])
        if not lo <= reference <= hi:
            raise ValueError(f"reference={reference} must lie inside window={window}")
        if bin_endpoints:
            e = np.where(treated, np.clip(e, lo, hi), 0)
        else:
            inside = ~treated | ((e >= lo) & (e <= hi))
            if (~inside).any():
                notes.append(f"{int((~inside).sum())} treated observations outside the window were dropped")
            df = df.loc[inside].reset_index(drop=True)
            e = e[inside]
            treated = treated[inside]
    levels = np.unique(e[treated])
    if reference not in levels:
        raise EstimationError(
            f"event_study: no treated observation at the reference event time {reference}",
            column=group, hint="choose another reference or widen the panel",
        )
    levels = levels[levels != reference]
    if not (~treated).any():
        notes.append("no never-treated units: effects are identified only through timing differences "
                     "and the binned endpoints")
    names = [_term(int(v)) for v in levels]
    dummies = pd.DataFrame(
        {nm: (treated & (e == v)).astype(float) for nm, v in zip(names, levels, strict=True)}
    )
    work = pd.concat([df, dummies], axis=1)
    fit = fit_panel_ols(
        work, outcome=outcome, exog=[*names, *covs], unit=unit, time=time, cluster=vc.cluster,
        small_sample=small_sample, estimator="event_study", vcov_kind=vc.kind,
    )
    se = np.sqrt(np.diag(fit.vcov.loc[names, names].to_numpy()))
    est = fit.params[names].to_numpy()
    crit = t_or_z(fit.df_resid).ppf(1 - alpha / 2)
    coefs = pd.DataFrame(
        {
            "event_time": levels.astype(int),
            "estimate": est,
            "std_error": se,
            "conf_low": est - crit * se,
            "conf_high": est + crit * se,
            "reference": False,
        }
    )
    ref_row = pd.DataFrame({"event_time": [reference], "estimate": [0.0], "std_error": [np.nan],
                            "conf_low": [np.nan], "conf_high": [np.nan], "reference": [True]})
    coefs = pd.concat([coefs, ref_row], ignore_index=True).sort_values("event_time").reset_index(drop=True)
    if window is not None and bin_endpoints:
        coefs["binned"] = coefs["event_time"].isin([window[0], window[1]])
    else:
        coefs["binned"] = False
    return EventStudyResult(
        coefs=coefs, vcov=fit.vcov, df_resid=fit.df_resid, n_obs=fit.n_obs, n_units=fit.n_units,
        n_clusters=fit.n_clusters, outcome=outcome, reference=reference,
        window=None if window is None else (int(window[0]), int(window[1])),
        bin_endpoints=bin_endpoints, alpha=alpha, notes=tuple([*notes, *fit.notes]),
    )
