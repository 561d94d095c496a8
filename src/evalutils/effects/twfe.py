"""Two-way fixed-effects (TWFE) regression of an outcome on a 0/1 support indicator.

Estimation uses ``linearmodels.PanelOLS`` with entity (unit) and time effects
(``backend="linearmodels"``, what the reports use), or the same estimator computed with an
exact two-way within transformation in numpy (``backend="numpy"``; identical numbers, to
1e-10 in the tests, several times faster). ``backend="auto"`` (the default) uses numpy for
panels with up to :data:`AUTO_NUMPY_MAX_PERIODS` periods (every firm-year panel), PanelOLS
beyond. The coefficient is the familiar "static" difference-in-differences; under staggered
adoption with effects that change over time it is a weighted average of group-time
effects with possibly negative weights (see :func:`evalutils.effects.twfe_weights`
and :func:`evalutils.effects.bacon_decomposition`).

Covariance (``vcov=``) and small-sample conventions (``small_sample=``)
--------------------------------------------------------------------------
``vcov="cluster"`` (default; clustered by ``cluster=``, default the unit, or
``vcov={"cluster": column}``), ``"hetero"`` (heteroskedasticity-robust) or ``"iid"``
(conventional). ``small_sample="fixest"`` (default) follows R ``fixest`` / Stata ``reghdfe`` /
``pyfixest``; e.g. clustered::

    V = G/(G-1) * (N-1)/(N-K) * (X'X)^-1 (sum_g X_g'e_g e_g'X_g) (X'X)^-1,   t(G-1)

with X the within-transformed regressors, G the clusters and K = slope coefficients + fixed-effect
levels not nested in the cluster variable (fixest's ``fixef.K = "nested"``: clustering by unit,
K = k + number of periods); ``"hetero"`` is HC1, N/(N-K) with every level counted, t(N-K);
``"iid"`` is e'e/(N-K) (X'X)^-1, t(N-K). ``small_sample="linearmodels"`` is PanelOLS's own
(``debiased=True, count_effects=True, group_debias=True``): every absorbed effect counted,
K = k + n_units + n_periods - 1, t(N-K). The table of factors is in
:mod:`evalutils.effects._vcov`, the one routine both backends and the other fixed-effects
estimators use.

Fit: ``r2`` is the overall R² (fixed effects part of the fit, fixest's ``r2``), ``r2_within``
the R² net of the unit and time effects (fixest's ``wr2``, linearmodels' ``rsquared``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from evalutils.errors import EstimationError

from ._base import EffectResult
from ._common import (
    check_binary,
    check_choice,
    cluster_codes,
    html_table,
    prepare_input,
    t_or_z,
    tidy_rows,
)
from ._vcov import (
    SMALL_SAMPLE,
    SmallSample,
    Vcov,
    as_frame,
    fe_parameters,
    fit_statistics,
    parse_vcov,
    raw_vcov,
    small_sample_factor,
)

_SMALL_SAMPLE = SMALL_SAMPLE
Backend = Literal["auto", "linearmodels", "numpy"]
_BACKENDS = ("auto", "linearmodels", "numpy")
#: ``backend="auto"`` uses the numpy within-estimator up to this many periods (its time effects come from
#: one periods x periods solve; BENCHMARKS.md, row 4: PanelOLS takes 3-5 times pyfixest's time below
#: 2 million rows, numpy 0.3-0.6 times).
AUTO_NUMPY_MAX_PERIODS = 1_000

#: Below this number of clusters analytic cluster-robust inference is unreliable;
#: the result carries a note pointing to :func:`wild_cluster_bootstrap`.
FEW_CLUSTERS = 30


def use_numpy_backend(backend: str, df: pd.DataFrame, time: str) -> bool:
    """Whether ``backend`` (after ``"auto"``) means the numpy within estimator for this panel."""
    return backend == "numpy" or (backend == "auto" and df[time].nunique() <= AUTO_NUMPY_MAX_PERIODS)


@dataclass(frozen=True)
class TWFEResult(EffectResult):
    """Result of :func:`twfe`. ``params``/``vcov`` cover the treatment and any covariates.

    ``estimate``/``std_error`` are the treatment coefficient's; ``conf_int()`` gives every coefficient's
    interval (a frame, as linearmodels).
    """

    params: pd.Series
    vcov: pd.DataFrame
    df_resid: float
    n_obs: int
    n_units: int
    n_periods: int
    n_clusters: int | None
    outcome: str
    treatment: str
    covariates: tuple[str, ...]
    cluster: str | None
    small_sample: str
    alpha: float = 0.05
    method: str = "TWFE"
    notes: tuple[str, ...] = field(default_factory=tuple)
    backend: str = "linearmodels"
    vcov_type: str = "cluster"
    r2: float = float("nan")
    r2_within: float = float("nan")

    @property
    def std_errors(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.vcov.to_numpy())), index=self.params.index)

    @property
    def estimate(self) -> float:
        """The treatment coefficient."""
        return float(self.params[self.treatment])

    @property
    def std_error(self) -> float:
        return float(self.std_errors[self.treatment])

    def conf_int(self, *, alpha: float | None = None) -> pd.DataFrame:
        a = self.alpha if alpha is None else alpha
        crit = t_or_z(self.df_resid).ppf(1 - a / 2)
        se = self.std_errors
        return pd.DataFrame({"lower": self.params - crit * se, "upper": self.params + crit * se})

    def tidy(self, *, alpha: float | None = None) -> pd.DataFrame:
        """One row per coefficient (treatment first)."""
        return tidy_rows(
            list(self.params.index),
            self.params.to_numpy(),
            self.std_errors.to_numpy(),
            df=self.df_resid,
            alpha=self.alpha if alpha is None else alpha,
            n_obs=self.n_obs,
            n_units=self.n_units,
            n_clusters=self.n_clusters,
            method=self.method,
        )

    def _vcov_words(self) -> str:
        if self.vcov_type == "cluster":
            return f"SE clustered by {self.cluster} ({self.n_clusters} clusters)"
        return "conventional (iid) SE" if self.vcov_type == "iid" else "heteroskedasticity-robust SE"

    def _repr_html_(self) -> str:
        notes = [
            f"Outcome: {self.outcome}. Unit and time fixed effects; {self._vcov_words()}, "
            f"{self.small_sample} small-sample convention, t with {self.df_resid:g} df. "
            f"R² {self.r2:.4f}, within R² {self.r2_within:.4f}.",
            *self.notes,
        ]
        cols = ["term", "estimate", "std_error", "p_value", "conf_low", "conf_high", "n_obs"]
        return html_table("Two-way fixed effects", self.tidy()[cols], notes)

    def __repr__(self) -> str:
        return (
            f"TWFEResult({self.treatment}: {self.estimate:.4f} (SE {self.std_error:.4f}), "
            f"N={self.n_obs}, {self._vcov_words()}, {self.small_sample})"
        )


def twfe(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treatment: str,
    covariates: str | list[str] | None = None,
    vcov: Vcov = "cluster",
    cluster: str | None = None,
    small_sample: SmallSample = "fixest",
    backend: Backend = "auto",
    alpha: float = 0.05,
) -> TWFEResult:
    """Two-way fixed-effects regression ``outcome ~ treatment + covariates | unit + time``.

    Parameters
    ----------
    data : firm-year panel (long format); rows with a missing value in a used column are dropped.
    outcome, unit, time : column names; ``time`` must be integer-like (e.g. the year).
    treatment : name of a 0/1 column, 1 from the first supported period on.
    covariates : optional time-varying controls (time-invariant ones are absorbed).
    vcov : ``"cluster"`` (default), ``{"cluster": column}``, ``"hetero"`` or ``"iid"`` (module docstring).
    cluster : column to cluster on with ``vcov="cluster"``; defaults to ``unit``. Use the province
        when pooling provinces.
    small_sample : ``"fixest"`` (reghdfe/fixest/pyfixest convention) or ``"linearmodels"``.
    backend : ``"linearmodels"`` (PanelOLS), ``"numpy"`` (exact two-way within transformation with
        few periods, same numbers, several times faster) or ``"auto"`` (numpy up to
        :data:`AUTO_NUMPY_MAX_PERIODS` periods, PanelOLS beyond).
    alpha : significance level of the confidence intervals in :meth:`TWFEResult.tidy`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"firm": np.repeat(np.arange(40), 4), "year": np.tile([2018, 2019, 2020, 2021], 40)})
    >>> df["d"] = ((df["firm"] < 20) & (df["year"] >= 2020)).astype(int)
    >>> df["y"] = 0.3 * df["d"] + rng.normal(scale=0.1, size=len(df))
    >>> res = twfe(df, outcome="y", unit="firm", time="year", treatment="d", vcov="hetero")
    >>> round(res.estimate, 3), res.vcov_type, res.n_clusters is None
    (0.362, 'hetero', True)
    """
    check_choice("backend", backend, _BACKENDS)
    check_choice("small_sample", small_sample, _SMALL_SAMPLE)
    vc = parse_vcov(vcov, cluster=cluster, unit=unit)
    df, covs = prepare_input(data, [outcome, unit, time, treatment, vc.cluster], covariates=covariates,
                             estimator="twfe")
    d = check_binary(df[treatment], column=treatment, estimator="twfe")
    if d.min() == d.max():
        raise EstimationError(
            "twfe: the treatment does not vary (all rows are "
            + ("treated" if d[0] == 1 else "untreated")
            + ")",
            column=treatment,
        )
    if df.duplicated([unit, time]).any():
        rows = np.flatnonzero(df.duplicated([unit, time], keep=False).to_numpy())
        raise EstimationError(
            "twfe: more than one row per unit and period", column=unit, rows=rows.tolist()
        )

    use_numpy = use_numpy_backend(backend, df, time)
    fitter = fit_within_numpy if use_numpy else fit_panel_ols
    fit = fitter(
        df, outcome=outcome, exog=[treatment, *covs], unit=unit, time=time, cluster=vc.cluster,
        small_sample=small_sample, estimator="twfe", vcov_kind=vc.kind,
    )
    return TWFEResult(
        params=fit.params,
        vcov=fit.vcov,
        df_resid=fit.df_resid,
        n_obs=fit.n_obs,
        n_units=fit.n_units,
        n_periods=fit.n_periods,
        n_clusters=fit.n_clusters,
        outcome=outcome,
        treatment=treatment,
        covariates=tuple(covs),
        cluster=vc.cluster,
        small_sample=small_sample,
        alpha=alpha,
        method="TWFE",
        notes=tuple(fit.notes),
        backend="numpy" if use_numpy else "linearmodels",
        vcov_type=vc.kind,
        r2=fit.r2,
        r2_within=fit.r2_within,
    )


@dataclass(frozen=True)
class _PanelFit:
    params: pd.Series
    vcov: pd.DataFrame
    df_resid: float
    n_obs: int
    n_units: int
    n_periods: int
    n_clusters: int | None
    notes: list
    r2: float = float("nan")
    r2_within: float = float("nan")


def _codes(df: pd.DataFrame, unit: str, time: str, cluster: str | None, vcov_kind: str, estimator: str):
    ucodes, n_units = cluster_codes(df[unit])
    tcodes, n_periods = cluster_codes(df[time])
    if vcov_kind != "cluster":
        return ucodes, n_units, tcodes, n_periods, None, None, []
    gcodes, n_clusters = cluster_codes(df[cluster])
    notes = _few_clusters_note(n_clusters, estimator, cluster)
    return ucodes, n_units, tcodes, n_periods, gcodes, n_clusters, notes


def _convention(vcov_kind: str, small_sample: str, *, n_obs: int, k: int, ucodes, tcodes, n_units: int,
                n_periods: int, gcodes, n_clusters, estimator: str) -> tuple[float, float]:
    """The one place where a fit's small-sample factor and t degrees of freedom are chosen."""
    k_fe = fe_parameters(ucodes, tcodes, n_units, n_periods, gcodes if vcov_kind == "cluster" else None)
    return small_sample_factor(vcov_kind, small_sample, n_obs=n_obs, k=k, k_fe=k_fe,
                               k_fe_all=n_units + n_periods - 1, n_clusters=n_clusters, estimator=estimator)


def fit_panel_ols(
    df: pd.DataFrame,
    *,
    outcome: str,
    exog: list[str],
    unit: str,
    time: str,
    cluster: str | None,
    small_sample: str,
    estimator: str,
    vcov_kind: str = "cluster",
) -> _PanelFit:
    """PanelOLS with unit and time effects; covariance ``vcov_kind`` under the chosen convention.

    ``df`` must be complete in the used columns (see ``drop_missing``). With
    ``small_sample="linearmodels"`` the covariance is PanelOLS's own (``debiased=True,
    count_effects=True, group_debias=True``); with ``"fixest"`` PanelOLS's raw covariance
    (``debiased=False``) times the factor of :func:`evalutils.effects._vcov.small_sample_factor`.
    """
    from linearmodels.panel import PanelOLS
    from linearmodels.panel.utility import AbsorbingEffectError

    ucodes, n_units, tcodes, n_periods, gcodes, n_clusters, notes = _codes(df, unit, time, cluster, vcov_kind,
                                                                           estimator)
    # PanelOLS needs a (entity, time) MultiIndex with a numeric/date time level.
    idx = pd.MultiIndex.from_arrays([ucodes, tcodes], names=[unit, time])
    exog_names = list(exog)
    y = pd.Series(df[outcome].to_numpy(dtype=float), index=idx, name=outcome)
    X = pd.DataFrame(
        np.column_stack([df[c].to_numpy(dtype=float) for c in exog_names]), index=idx, columns=exog_names
    )
    own = small_sample == "linearmodels"
    kw: dict = {"debiased": own, "auto_df": False, "count_effects": own}
    if vcov_kind == "cluster":
        kw.update(cov_type="clustered", clusters=pd.DataFrame({"cl": gcodes}, index=idx), group_debias=own)
    else:
        kw["cov_type"] = "unadjusted" if vcov_kind == "iid" else "robust"
    try:
        mod = PanelOLS(y, X, entity_effects=True, time_effects=True, drop_absorbed=False, check_rank=True)
        fit = mod.fit(**kw)
    except AbsorbingEffectError as exc:
        raise EstimationError(
            f"{estimator}: a regressor is absorbed by the unit and time effects "
            "(no within-unit variation net of period effects)",
            column=", ".join(exog_names),
            hint="with all units treated in the same period the treatment is collinear with the time "
            "effects; drop time-invariant covariates",
        ) from exc
    except ValueError as exc:
        if "rank" in str(exc).lower():
            raise EstimationError(
                f"{estimator}: regressors are collinear (after removing unit and time effects)",
                column=", ".join(exog_names),
                hint="drop one of the collinear covariates",
            ) from exc
        raise

    _check_within_rank(X.to_numpy(), ucodes, tcodes, n_units, n_periods, exog_names, estimator)
    params = fit.params.rename(None)
    n_obs = int(fit.nobs)
    scale, df_resid = _convention(vcov_kind, small_sample, n_obs=n_obs, k=len(exog_names), ucodes=ucodes,
                                  tcodes=tcodes, n_units=n_units, n_periods=n_periods, gcodes=gcodes,
                                  n_clusters=n_clusters, estimator=estimator)
    vcov = fit.cov if own else fit.cov * scale
    return _PanelFit(
        params=params, vcov=vcov, df_resid=df_resid, n_obs=n_obs, n_units=n_units,
        n_periods=n_periods, n_clusters=n_clusters, notes=notes,
        r2=float(fit.rsquared_inclusive), r2_within=float(fit.rsquared),
    )


def _few_clusters_note(n_clusters: int, estimator: str, cluster: str) -> list[str]:
    if n_clusters < 2:
        raise EstimationError(
            f"{estimator}: cluster-robust inference needs at least 2 clusters, found {n_clusters}",
            column=cluster,
            hint="cluster on a finer variable (the unit) or use randomization inference",
        )
    if n_clusters < FEW_CLUSTERS:
        msg = (
            f"only {n_clusters} clusters: analytic cluster-robust p-values are unreliable; "
            "use wild_cluster_bootstrap()"
        )
        warnings.warn(f"{estimator}: " + msg, UserWarning, stacklevel=5)
        return [msg]
    return []


def fit_within_numpy(
    df: pd.DataFrame,
    *,
    outcome: str,
    exog: list[str],
    unit: str,
    time: str,
    cluster: str | None,
    small_sample: str,
    estimator: str,
    vcov_kind: str = "cluster",
) -> _PanelFit:
    """Same estimator and conventions as :func:`fit_panel_ols`, computed with numpy.

    Exact within transformation (see ``_fe.within_two_way``), OLS on the demeaned data and the
    raw covariance of ``_vcov.raw_vcov`` times the factor of ``_vcov.small_sample_factor``.
    """
    from ._fe import within_two_way

    ucodes, n_units, tcodes, n_periods, gcodes, n_clusters, notes = _codes(df, unit, time, cluster, vcov_kind,
                                                                           estimator)
    names = list(exog)
    V = np.column_stack([df[outcome].to_numpy(dtype=float), *[df[c].to_numpy(dtype=float) for c in names]])
    W = within_two_way(V, ucodes, tcodes, n_units, n_periods)
    y, X = W[:, 0], W[:, 1:]
    raw_scale = np.sqrt(np.mean(V[:, 1:] ** 2, axis=0)) + 1e-300
    absorbed = np.sqrt(np.mean(X**2, axis=0)) < 1e-8 * raw_scale
    if absorbed.any():
        raise EstimationError(
            f"{estimator}: a regressor is absorbed by the unit and time effects "
            "(no within-unit variation net of period effects)",
            column=", ".join(n for n, a in zip(names, absorbed, strict=True) if a),
            hint="with all units treated in the same period the treatment is collinear with the time effects",
        )
    XtX = X.T @ X
    wscale = np.sqrt(np.mean(X**2, axis=0))
    if np.linalg.matrix_rank(XtX / np.outer(wscale, wscale) / len(X), tol=1e-9) < len(names):
        raise EstimationError(
            f"{estimator}: regressors are collinear (after removing unit and time effects)",
            column=", ".join(names), hint="drop one of the collinear covariates",
        )
    A = np.linalg.inv(XtX)
    beta = A @ (X.T @ y)
    e = y - X @ beta
    n_obs = len(df)
    scale, df_resid = _convention(vcov_kind, small_sample, n_obs=n_obs, k=len(names), ucodes=ucodes,
                                  tcodes=tcodes, n_units=n_units, n_periods=n_periods, gcodes=gcodes,
                                  n_clusters=n_clusters, estimator=estimator)
    vc = scale * raw_vcov(vcov_kind, X, e, A, gcodes=gcodes, n_clusters=n_clusters)
    r2, r2_within = fit_statistics(V[:, 0], y, e)
    return _PanelFit(
        params=pd.Series(beta, index=names), vcov=as_frame(vc, names),
        df_resid=df_resid, n_obs=n_obs, n_units=n_units, n_periods=n_periods, n_clusters=n_clusters,
        notes=notes, r2=r2, r2_within=r2_within,
    )


def _check_within_rank(X, ucodes, tcodes, n_units, n_periods, names, estimator) -> None:
    """PanelOLS checks the rank of the raw regressors; also check them net of the two-way effects."""
    from ._fe import within_two_way

    if X.shape[1] < 2:
        return
    W = within_two_way(X, ucodes, tcodes, n_units, n_periods)
    scale = np.sqrt(np.mean(W**2, axis=0)) + 1e-300
    if np.linalg.matrix_rank((W / scale).T @ (W / scale) / len(W), tol=1e-9) < X.shape[1]:
        raise EstimationError(
            f"{estimator}: regressors are collinear (after removing unit and time effects)",
            column=", ".join(names), hint="drop one of the collinear covariates",
        )
