"""Covariance choices and small-sample conventions of the fixed-effects regressions, in one place.

Every fixed-effects regression here (``twfe``, ``event_study``, ``sun_abraham``, the imputation
pre-trend test and the wild bootstrap's analytic SE) reads its covariance convention from
:func:`small_sample_factor`. The *raw* covariance of the within-transformed regression
(X within-transformed regressors, e residuals, A = (X'X)^-1) is

* ``"iid"``: (e'e / N) A
* ``"hetero"``: A (sum_i x_i x_i' e_i^2) A  (HC0)
* ``"cluster"``: A (sum_g X_g'e_g e_g'X_g) A  (CR0)

and the reported covariance is ``factor * raw`` (fixest's ``ssc(adj = TRUE, fixef.K = "nested",
cluster.adj = TRUE)``, whose heteroskedastic case treats each row as a cluster: (N-1)/(N-K) times
N/(N-1)) with, for N observations, k slope coefficients,
G clusters and K = k + number of fixed-effect parameters:

=============  ======================================  ==========================================
vcov           ``"fixest"`` (fixest, reghdfe, pyfixest)  ``"linearmodels"`` (PanelOLS, debiased)
=============  ======================================  ==========================================
iid            N/(N-K), t(N-K)                          N/(N-K_all), t(N-K_all)
hetero         N/(N-K), t(N-K)  (HC1)                   N/(N-K_all), t(N-K_all)
cluster        G/(G-1) (N-1)/(N-K), t(G-1)  (CR1)       G/(G-1) (N-1)/(N-K_all), t(N-K_all)
=============  ======================================  ==========================================

With unit and time effects K_all = k + n_units + n_periods - 1. fixest's ``fixef.K = "nested"``
counts for clustered errors only the fixed effects *not* nested in the cluster variable (a
nested effect adds one level, absorbed in the intercept), so clustering by unit gives
K = k + n_periods; without clusters fixest counts every level (K = K_all).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Union

import numpy as np
import pandas as pd

from evalutils._validate import check_choice
from evalutils.errors import EstimationError

from ._common import is_nested

VcovKind = Literal["iid", "hetero", "cluster"]
#: ``vcov=`` of the regressions: a kind, or ``{"cluster": column}``.
Vcov = Union[VcovKind, Mapping[str, str]]
VCOV_KINDS: tuple[str, ...] = ("iid", "hetero", "cluster")
SmallSample = Literal["fixest", "linearmodels"]
SMALL_SAMPLE: tuple[str, ...] = ("fixest", "linearmodels")


@dataclass(frozen=True)
class VcovChoice:
    """A parsed ``vcov=`` argument: the kind and, for ``"cluster"``, the cluster column."""

    kind: str
    cluster: str | None = None

    def describe(self) -> str:
        """Plain-words label, e.g. ``"SE clustered by firm_id"``.

        >>> VcovChoice("hetero").describe()
        'heteroskedasticity-robust SE (HC1)'
        """
        if self.kind == "iid":
            return "conventional (iid) SE"
        if self.kind == "hetero":
            return "heteroskedasticity-robust SE (HC1)"
        return f"SE clustered by {self.cluster}"


def parse_vcov(vcov: Vcov, *, cluster: str | None, unit: str) -> VcovChoice:
    """Read ``vcov=`` (and the older ``cluster=``) into a :class:`VcovChoice`.

    ``"cluster"`` clusters on ``cluster`` (default: the unit); ``{"cluster": col}`` on ``col``.

    >>> parse_vcov("cluster", cluster=None, unit="firm_id")
    VcovChoice(kind='cluster', cluster='firm_id')
    >>> parse_vcov({"cluster": "province"}, cluster=None, unit="firm_id").cluster
    'province'
    """
    if isinstance(vcov, Mapping):
        if set(vcov) != {"cluster"} or not isinstance(vcov["cluster"], str):
            raise ValueError(f"vcov={dict(vcov)!r} is not supported; use {{'cluster': <column name>}}")
        col = vcov["cluster"]
        if cluster is not None and cluster != col:
            raise ValueError(f"cluster={cluster!r} contradicts vcov={dict(vcov)!r}; give the cluster column once")
        return VcovChoice("cluster", col)
    check_choice("vcov", vcov, VCOV_KINDS)
    if vcov == "cluster":
        return VcovChoice("cluster", unit if cluster is None else cluster)
    if cluster is not None:
        raise ValueError(f"cluster={cluster!r} was given with vcov={vcov!r}; use vcov='cluster' (or "
                         f"vcov={{'cluster': {cluster!r}}}) for clustered standard errors")
    return VcovChoice(vcov)


def fe_parameters(ucodes: np.ndarray, tcodes: np.ndarray, n_units: int, n_periods: int,
                  gcodes: np.ndarray | None = None) -> int:
    """Number of unit and time fixed-effect parameters fixest counts in K.

    ``gcodes`` given (clustered errors): effects nested in the clusters are not counted.
    """
    k_fe = n_units + n_periods - 1
    if gcodes is not None:
        if is_nested(ucodes, gcodes):
            k_fe -= n_units - 1
        if is_nested(tcodes, gcodes):
            k_fe -= n_periods - 1
    return k_fe


def small_sample_factor(kind: str, convention: str, *, n_obs: int, k: int, k_fe: int, k_fe_all: int,
                        n_clusters: int | None, estimator: str = "regression") -> tuple[float, float]:
    """(factor on the raw covariance, degrees of freedom of the t distribution); see the module docstring.

    ``k_fe``: fixed-effect parameters counted by fixest (:func:`fe_parameters`); ``k_fe_all``: all of them.

    >>> factor, df = small_sample_factor("cluster", "fixest", n_obs=100, k=1, k_fe=9, k_fe_all=30, n_clusters=20)
    >>> round(factor, 6), df  # 20/19 * 99/90
    (1.157895, 19.0)
    """
    check_choice("small_sample", convention, SMALL_SAMPLE)
    K = k + (k_fe if convention == "fixest" else k_fe_all)
    if n_obs - K <= 0:
        raise EstimationError(f"{estimator}: not enough observations ({n_obs}) for {K} parameters")
    N = float(n_obs)
    if convention == "fixest":
        if kind == "iid":
            return N / (N - K), N - K
        if kind == "hetero":  # (N-1)/(N-K) times the cluster factor with every row a cluster, N/(N-1)
            return N / (N - K), N - K
        G = float(n_clusters)
        return G / (G - 1) * (N - 1) / (N - K), G - 1
    if kind in ("iid", "hetero"):
        return N / (N - K), N - K
    G = float(n_clusters)
    return N / (N - K) * G / (G - 1) * (N - 1) / N, N - K


def raw_vcov(kind: str, X: np.ndarray, e: np.ndarray, A: np.ndarray, *, gcodes: np.ndarray | None = None,
             n_clusters: int | None = None) -> np.ndarray:
    """The raw covariance (no small-sample factor) of OLS on within-transformed ``X``; ``A = (X'X)^-1``."""
    if kind == "iid":
        return (e @ e) / len(e) * A
    if kind == "hetero":
        Xe = X * e[:, None]
        return A @ (Xe.T @ Xe) @ A
    scores = np.column_stack([np.bincount(gcodes, weights=X[:, j] * e, minlength=n_clusters)
                              for j in range(X.shape[1])])
    return A @ (scores.T @ scores) @ A


def fit_statistics(y_raw: np.ndarray, y_within: np.ndarray, e: np.ndarray) -> tuple[float, float]:
    """(overall R², within R²) as fixest's ``r2`` and ``wr2``.

    Overall: 1 - e'e / sum (y - mean y)^2 with the fixed effects part of the fit; within:
    1 - e'e / sum y_w^2 with y_w the outcome net of the unit and time effects.
    """
    rss = float(e @ e)
    tss = float(np.sum((y_raw - y_raw.mean()) ** 2))
    tss_w = float(y_within @ y_within)
    r2 = 1 - rss / tss if tss > 0 else float("nan")
    r2_w = 1 - rss / tss_w if tss_w > 0 else float("nan")
    return r2, r2_w


def as_frame(V: np.ndarray, names: list[str]) -> pd.DataFrame:
    return pd.DataFrame((V + V.T) / 2, index=names, columns=names)
