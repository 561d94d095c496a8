"""Two-way fixed-effects (TWFE) regression of an outcome on a 0/1 support indicator.

Estimation uses ``linearmodels.PanelOLS`` with entity (unit) and time effects
(``backend="linearmodels"``, what the reports use), or the same estimator computed with an
exact two-way within transformation in numpy (``backend="numpy"``; identical numbers, to
1e-10 in the tests, several times faster). ``backend="auto"`` (the default) uses numpy for
panels with up to :data:`AUTO_NUMPY_MAX_PERIODS` periods (every firm-year panel), PanelOLS
beyond. The
coefficient is the familiar "static" difference-in-differences; under staggered
adoption with effects that change over time it is a weighted average of group-time
effects with possibly negative weights (see :func:`evalutils.effects.twfe_weights`
and :func:`evalutils.effects.bacon_decomposition`).

Small-sample conventions for the cluster-robust variance
--------------------------------------------------------
``small_sample="fixest"`` (default) follows R ``fixest`` / Stata ``reghdfe`` /
``pyfixest``::

    V = G/(G-1) * (N-1)/(N-K) * (X'X)^-1 (sum_g X_g'e_g e_g'X_g) (X'X)^-1

where X is the within-transformed regressors, G the number of clusters and
K = number of slope coefficients + number of fixed-effect levels not nested in the
cluster variable (a fixed effect nested in the cluster contributes nothing but one
level for the intercept, as in fixest's ``fixef.K = "nested"``; with unit and time
effects and clustering by unit or by a coarser unit such as province,
K = k + number of periods). Tests and confidence intervals use Student t with G-1
degrees of freedom.

``small_sample="linearmodels"`` is PanelOLS's own convention: ``debiased=True``,
``count_effects=True``, ``group_debias=True``, i.e. N/(N-K) * G/(G-1) * (N-1)/N with every
absorbed effect counted in K = k + n_units + n_periods - 1, and t with N-K degrees of freedom.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from evalutils.errors import EstimationError

from ._common import (
    as_list,
    check_binary,
    check_choice,
    check_columns,
    cluster_codes,
    drop_missing,
    html_table,
    is_nested,
    t_or_z,
    tidy_rows,
)

SmallSample = Literal["fixest", "linearmodels"]
_SMALL_SAMPLE = ("fixest", "linearmodels")
Backend = Literal["auto", "linearmodels", "numpy"]
_BACKENDS = ("auto", "linearmodels", "numpy")
#: ``backend="auto"`` uses the numpy within-estimator from this many rows on (0: always; BENCHMARKS.md,
#: row 4: PanelOLS takes 3-5 times pyfixest's time below 2 million rows, numpy 0.3-0.6 times).
AUTO_NUMPY_ROWS = 0
#: ... and up to this many periods (its time effects come from one periods x periods solve).
AUTO_NUMPY_MAX_PERIODS = 1_000

#: Below this number of clusters analytic cluster-robust inference is unreliable;
#: the result carries a note pointing to :func:`wild_cluster_bootstrap`.
FEW_CLUSTERS = 30


@dataclass(frozen=True)
class TWFEResult:
    """Result of :func:`twfe`. ``params``/``vcov`` cover the treatment and any covariates."""

    params: pd.Series
    vcov: pd.DataFrame
    df_resid: float
    n_obs: int
    n_units: int
    n_periods: int
    n_clusters: int
    outcome: str
    treatment: str
    covariates: tuple[str, ...]
    cluster: str
    small_sample: str
    alpha: float = 0.05
    method: str = "TWFE"
    notes: tuple[str, ...] = field(default_factory=tuple)
    backend: str = "linearmodels"

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

    def _repr_html_(self) -> str:
        notes = [
            f"Outcome: {self.outcome}. Unit and time fixed effects; SE clustered by {self.cluster} "
            f"({self.n_clusters} clusters), {self.small_sample} small-sample convention, "
            f"t with {self.df_resid:g} df.",
            *self.notes,
        ]
        cols = ["term", "estimate", "std_error", "p_value", "conf_low", "conf_high", "n_obs"]
        return html_table("Two-way fixed effects", self.tidy()[cols], notes)

    def __repr__(self) -> str:
        return (
            f"TWFEResult({self.treatment}: {self.estimate:.4f} (SE {self.std_error:.4f}), "
            f"N={self.n_obs}, clusters={self.n_clusters}, {self.small_sample})"
        )


def twfe(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treatment: str,
    covariates: str | list[str] | None = None,
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
    cluster : column to cluster on; defaults to ``unit``. Use the province when pooling provinces.
    small_sample : ``"fixest"`` (reghdfe/fixest/pyfixest convention) or ``"linearmodels"``.
    backend : ``"linearmodels"`` (PanelOLS), ``"numpy"`` (exact two-way within transformation with
        few periods, same numbers, several times faster) or ``"auto"`` (numpy up to
        :data:`AUTO_NUMPY_MAX_PERIODS` periods, PanelOLS beyond).
    alpha : significance level of the confidence intervals in :meth:`TWFEResult.tidy`.
    """
    check_choice("backend", backend, _BACKENDS)
    check_choice("small_sample", small_sample, _SMALL_SAMPLE)
    covs = as_list(covariates)
    cluster = unit if cluster is None else cluster
    check_columns(data, [outcome, unit, time, treatment, *covs, cluster], estimator="twfe")
    df = drop_missing(data, [outcome, unit, time, treatment, *covs, cluster])
    if len(df) == 0:
        raise EstimationError("twfe: no complete rows", column=outcome)
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

    use_numpy = backend == "numpy" or (backend == "auto" and len(df) >= AUTO_NUMPY_ROWS
                                       and df[time].nunique() <= AUTO_NUMPY_MAX_PERIODS)
    fitter = fit_within_numpy if use_numpy else fit_panel_ols
    fit = fitter(
        df, outcome=outcome, exog=[treatment, *covs], unit=unit, time=time, cluster=cluster,
        small_sample=small_sample, estimator="twfe",
    )
    params, vcov, df_resid, n_obs = fit.params, fit.vcov, fit.df_resid, fit.n_obs
    n_units, n_periods, n_clusters, notes = fit.n_units, fit.n_periods, fit.n_clusters, fit.notes
    return TWFEResult(
        params=params,
        vcov=vcov,
        df_resid=df_resid,
        n_obs=n_obs,
        n_units=n_units,
        n_periods=n_periods,
        n_clusters=n_clusters,
        outcome=outcome,
        treatment=treatment,
        covariates=tuple(covs),
        cluster=cluster,
        small_sample=small_sample,
        alpha=alpha,
        method="TWFE",
        notes=tuple(notes),
        backend="numpy" if use_numpy else "linearmodels",
    )


@dataclass(frozen=True)
class _PanelFit:
    params: pd.Series
    vcov: pd.DataFrame
    df_resid: float
    n_obs: int
    n_units: int
    n_periods: int
    n_clusters: int
    notes: list


def fit_panel_ols(
    df: pd.DataFrame,
    *,
    outcome: str,
    exog: list[str],
    unit: str,
    time: str,
    cluster: str,
    small_sample: str,
    estimator: str,
) -> _PanelFit:
    """PanelOLS with unit and time effects and clustered SEs under the chosen small-sample convention.

    ``df`` must be complete in the used columns (see ``drop_missing``).
    """
    from linearmodels.panel import PanelOLS
    from linearmodels.panel.utility import AbsorbingEffectError

    ucodes, n_units = cluster_codes(df[unit])
    tcodes, n_periods = cluster_codes(df[time])
    gcodes, n_clusters = cluster_codes(df[cluster])
    notes = _few_clusters_note(n_clusters, estimator, cluster)

    # PanelOLS needs a (entity, time) MultiIndex with a numeric/date time level.
    idx = pd.MultiIndex.from_arrays([ucodes, tcodes], names=[unit, time])
    exog_names = list(exog)
    y = pd.Series(df[outcome].to_numpy(dtype=float), index=idx, name=outcome)
    X = pd.DataFrame(
        np.column_stack([df[c].to_numpy(dtype=float) for c in exog_names]), index=idx, columns=exog_names
    )
    clusters = pd.DataFrame({"cl": gcodes}, index=idx)
    try:
        mod = PanelOLS(y, X, entity_effects=True, time_effects=True, drop_absorbed=False, check_rank=True)
        if small_sample == "fixest":
            fit = mod.fit(
                cov_type="clustered",
                clusters=clusters,
                debiased=False,
                auto_df=False,
                count_effects=False,
                group_debias=False,
            )
        else:
            fit = mod.fit(
                cov_type="clustered",
                clusters=clusters,
                debiased=True,
                auto_df=False,
                count_effects=True,
                group_debias=True,
            )
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
    vcov = fit.cov
    n_obs = int(fit.nobs)
    if small_sample == "fixest":
        k = len(exog_names)
        fe_sizes = {"unit": n_units, "time": n_periods}
        nested = {"unit": is_nested(ucodes, gcodes), "time": is_nested(tcodes, gcodes)}
        k_fe = n_units + n_periods - 1
        k_fe -= sum(fe_sizes[f] - 1 for f in fe_sizes if nested[f])
        df_k = k + k_fe
        if n_obs - df_k <= 0:
            raise EstimationError(
                f"{estimator}: not enough observations ({n_obs}) for {df_k} parameters", column=outcome
            )
        scale = n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - df_k)
        vcov = vcov * scale
        df_resid = float(n_clusters - 1)
    else:
        df_resid = float(fit.df_resid)

    return _PanelFit(
        params=params, vcov=vcov, df_resid=df_resid, n_obs=n_obs, n_units=n_units,
        n_periods=n_periods, n_clusters=n_clusters, notes=notes,
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
        warnings.warn(f"{estimator}: " + msg, UserWarning, stacklevel=4)
        return [msg]
    return []


def fit_within_numpy(
    df: pd.DataFrame,
    *,
    outcome: str,
    exog: list[str],
    unit: str,
    time: str,
    cluster: str,
    small_sample: str,
    estimator: str,
) -> _PanelFit:
    """Same estimator and conventions as :func:`fit_panel_ols`, computed with numpy.

    Exact within transformation (see ``_fe.within_two_way``), OLS on the demeaned data and the
    clustered sandwich with either small-sample convention (``linearmodels``: N/(N-k-n_units-
    n_periods+1) times G/(G-1)*(N-1)/N, t with N-k-n_units-n_periods+1 df, as PanelOLS with
    ``debiased=True, count_effects=True, group_debias=True``).
    """
    from ._fe import within_two_way

    ucodes, n_units = cluster_codes(df[unit])
    tcodes, n_periods = cluster_codes(df[time])
    gcodes, n_clusters = cluster_codes(df[cluster])
    notes = _few_clusters_note(n_clusters, estimator, cluster)
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
    scores = np.column_stack([np.bincount(gcodes, weights=X[:, j] * e, minlength=n_clusters)
                              for j in range(len(names))])
    vc = A @ (scores.T @ scores) @ A
    n_obs = len(df)
    k = len(names)
    if small_sample == "fixest":
        k_fe = n_units + n_periods - 1
        if is_nested(ucodes, gcodes):
            k_fe -= n_units - 1
        if is_nested(tcodes, gcodes):
            k_fe -= n_periods - 1
        df_k = k + k_fe
        if n_obs - df_k <= 0:
            raise EstimationError(f"{estimator}: not enough observations ({n_obs}) for {df_k} parameters")
        vc = vc * n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - df_k)
        df_resid = float(n_clusters - 1)
    else:
        dfr = n_obs - k - (n_units + n_periods - 1)
        # PanelOLS: n/(n - k - effects) and group_debias = G/(G-1) * (n-1)/n
        vc = vc * n_obs / dfr * n_clusters / (n_clusters - 1) * (n_obs - 1) / n_obs
        df_resid = float(dfr)
    return _PanelFit(
        params=pd.Series(beta, index=names), vcov=pd.DataFrame((vc + vc.T) / 2, index=names, columns=names),
        df_resid=df_resid, n_obs=n_obs, n_units=n_units, n_periods=n_periods, n_clusters=n_clusters,
        notes=notes,
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
