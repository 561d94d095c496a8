"""Few-cluster inference for a TWFE coefficient and randomization inference over support timing.

:func:`wild_cluster_bootstrap` — restricted wild cluster bootstrap (WCR, Cameron, Gelbach and
Miller 2008; the "fast and wild" algebra of Roodman, MacKinnon, Nielsen and Webb 2019). The unit
and time effects are partialled out first (Frisch–Waugh–Lovell); the null H0: beta = h0 is imposed
on the bootstrap DGP; the statistic is the CRV1 t-statistic (fixest small-sample factor, which
cancels in the comparison); the p-value is symmetric, the share of bootstrap statistics with
|t*| > |t| (``ties="strict"``, the default, the convention of fwildclusterboot, boottest and
wildboottest) or |t*| >= |t| (``ties="inclusive"``). The two differ only by the draws that tie with
the observed statistic; under full enumeration the all-ones sign vector reproduces the data and
the all-minus-ones vector its mirror image (t* = -t), so both tie and the inclusive p-value is
larger by at least 2/2^G (0.016 with 7 clusters). Weights: Rademacher (all
2^G sign vectors are enumerated when 2^G <= n_boot, as boottest does) or Webb's six-point
distribution (recommended with fewer than about 12 clusters). Confidence intervals invert the
test over h0 with the same draws.

:func:`randomization_inference` — permutes the support timing (the first-treated period,
including "never") across units, optionally within strata, and recomputes the estimate; the
p-value is (1 + #{|theta_perm| >= |theta|}) / (1 + n_perm).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from evalutils.errors import EstimationError

from ._common import check_choice, html_table, prepare_input, tidy_rows
from ._fe import TwoWayWithin, within_two_way
from ._vcov import fe_parameters, small_sample_factor

WildWeights = Literal["rademacher", "webb"]
Ties = Literal["strict", "inclusive"]
_TIES = ("strict", "inclusive")
_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def _demean(v: np.ndarray, u: np.ndarray, t: np.ndarray, n_u: int, n_t: int) -> np.ndarray:
    return within_two_way(v, u, t, n_u, n_t)[:, 0]



@dataclass(frozen=True)
class WildBootstrapResult:
    term: str
    estimate: float
    std_error: float  # analytic CRV1 (fixest convention)
    t_stat: float
    p_value: float
    conf_low: float
    conf_high: float
    h0: float
    n_obs: int
    n_units: int
    n_clusters: int
    weights: str
    n_boot: int
    enumerated: bool
    alpha: float
    method: str = "TWFE, wild cluster bootstrap (WCR)"
    notes: tuple[str, ...] = field(default_factory=tuple)
    ties: str = "strict"

    def tidy(self) -> pd.DataFrame:
        out = tidy_rows([self.term], np.array([self.estimate]), np.array([self.std_error]), df=None,
                        alpha=self.alpha, n_obs=self.n_obs, n_units=self.n_units, n_clusters=self.n_clusters,
                        method=f"{self.method}, {self.weights}", conf_low=np.array([self.conf_low]),
                        conf_high=np.array([self.conf_high]))
        out["statistic"] = self.t_stat
        out["p_value"] = self.p_value
        return out

    # not an EffectResult subclass: its estimate and std_error are fields, not derived from tidy()
    def _repr_html_(self) -> str:
        draws = f"all {self.n_boot} sign vectors" if self.enumerated else f"{self.n_boot} draws"
        rule = "|t*| > |t|" if self.ties == "strict" else "|t*| >= |t|"
        cols = ["term", "estimate", "std_error", "p_value", "conf_low", "conf_high", "n_clusters"]
        return html_table("Wild cluster bootstrap", self.tidy()[cols],
                          [f"Restricted wild cluster bootstrap-t, {self.weights} weights, {draws}; "
                           f"p-value for H0: {self.term} = {self.h0} ({rule}); CI by test inversion.", *self.notes])


MAX_WILD_CLUSTERS = 1000


class _WCR:
    """Precomputed pieces for WCR p-values at any h0 (cluster-level quantities only).

    ``X``/``y`` are already net of the unit and time effects. Each bootstrap sample
    y* = X b_r + FE_r + v (.) u_r is re-estimated *with* the fixed effects, so the bootstrap
    residual is M_FE(v (.) u_r) - X (b* - b_r); M_FE(v (.) u_r) = sum_g v_g M_FE u_r^(g) is handled
    through the G x G matrix C[h, g] = a' X_h' [M_FE u_r^(g)]_h (a = row j of (X'X)^-1), built from
    sparse unit-by-cluster and cluster-by-period sums (see ``_cross``); C and the cluster scores are
    linear in h0, so each p(h0) costs O(B G^2) only. When every fixed effect is nested in the
    clusters C is diagonal.
    """

    def __init__(self, X, y, codes, G, j, u_codes, t_codes, n_u, n_t):
        self.X, self.y, self.codes, self.G, self.j = X, y, codes, G, j
        n, k = X.shape
        self.A = np.linalg.inv(X.T @ X)
        self.beta = self.A @ (X.T @ y)
        u = y - X @ self.beta
        aj = self.A[j]
        sc = self._cluster_sums(X * u[:, None])
        self.var_j = float(np.sum((sc @ aj) ** 2))  # CRV1 without small-sample factor
        z0 = X @ aj
        self.h = self._cluster_sums(X * z0[:, None])  # h_g = X_g'X_g a

        self.others = [c for c in range(k) if c != j]
        Xo = X[:, self.others]
        self.Ao = np.linalg.inv(Xo.T @ Xo) if self.others else None
        # restricted residuals are linear in h0: u_r(h0) = u_a - h0 * u_b
        self.u_a = self._resid_others(y)
        self.u_b = self._resid_others(X[:, j])
        self.S_a = self._cluster_sums(X * self.u_a[:, None])
        self.S_b = self._cluster_sums(X * self.u_b[:, None])
        z = X @ aj
        within = TwoWayWithin(u_codes, t_codes, n_u, n_t)
        self.C_a = self._cross(z, self.u_a, within)
        self.C_b = self._cross(z, self.u_b, within)

    def _cluster_sums(self, M: np.ndarray) -> np.ndarray:
        return np.column_stack([np.bincount(self.codes, weights=M[:, j], minlength=self.G)
                                for j in range(M.shape[1])])

    def _resid_others(self, v: np.ndarray) -> np.ndarray:
        if not self.others:
            return v.copy()
        Xo = self.X[:, self.others]
        return v - Xo @ (self.Ao @ (Xo.T @ v))

    def _cross(self, z: np.ndarray, ur: np.ndarray, within: TwoWayWithin) -> np.ndarray:
        """C[h, g] = sum_{i in h} z_i [M_FE (ur * 1{c = g})]_i without forming the N x G matrix.

        With P_FE v = unit means of v + (time effects of the unit-demeaned v, via ``within``):
        C = diag(s) - ZQ' Q + (ZQ' diag(1/n_u) S) b - Zct b, b = Mpinv (Uct - Q' S)', where Q / ZQ
        are unit-by-cluster sums of ur (divided by unit counts) / of z, Uct / Zct cluster-by-period
        sums, S the unit-by-period incidence and Mpinv the time-effect solver.
        """
        from scipy import sparse

        G, c = self.G, self.codes
        u, t, n_u, n_t = within.u, within.t, within.n_u, within.n_t
        inv_n = sparse.diags(1.0 / within.safe)
        UQ = sparse.csr_matrix((ur, (u, c)), shape=(n_u, G))
        ZQ = sparse.csr_matrix((z, (u, c)), shape=(n_u, G))
        Q = inv_n @ UQ
        Uct = sparse.csr_matrix((ur, (c, t)), shape=(G, n_t)).toarray()
        Zct = sparse.csr_matrix((z, (c, t)), shape=(G, n_t)).toarray()
        S = within.S
        s = np.bincount(c, weights=z * ur, minlength=G)
        R = Uct - (Q.T @ S).toarray()  # G x T
        bmat = within.Mpinv @ R.T  # T x G
        K = (ZQ.T @ inv_n @ S).toarray()  # G x T
        return np.diag(s) - (ZQ.T @ Q).toarray() + K @ bmat - Zct @ bmat

    def t_draws(self, h0: float, V: np.ndarray) -> np.ndarray:
        # S(h0) = X_g' u_r(h0) is linear in h0 as well
        S = self.S_a - h0 * self.S_b
        C = self.C_a - h0 * self.C_b
        delta = (V @ S) @ self.A.T  # B x k : beta* - beta_r
        q = V @ C.T - delta @ self.h.T  # B x G : a' X_h' u*_h
        var = np.einsum("bg,bg->b", q, q)
        with np.errstate(divide="ignore", invalid="ignore"):
            return delta[:, self.j] / np.sqrt(var)

    def t_obs(self, h0: float) -> float:
        return (self.beta[self.j] - h0) / np.sqrt(self.var_j)

    def p_value(self, h0: float, V: np.ndarray, ties: str = "strict") -> float:
        t = np.abs(self.t_draws(h0, V))
        obs = abs(self.t_obs(h0))
        tol = 1e-10 * max(1.0, obs)  # a draw equal to the observed statistic up to rounding is a tie
        if ties == "strict":
            return float(np.mean(t > obs + tol))
        return float(np.mean(t >= obs - tol))


def _weights_matrix(G: int, n_boot: int, kind: str, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    if kind == "rademacher" and 2**G <= n_boot:
        grid = ((np.arange(2**G)[:, None] >> np.arange(G)[None, :]) & 1).astype(float) * 2 - 1
        return grid, True
    if kind == "rademacher":
        return rng.integers(0, 2, size=(n_boot, G)).astype(float) * 2 - 1, False
    return _WEBB[rng.integers(0, 6, size=(n_boot, G))], False


def wild_cluster_bootstrap(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treatment: str,
    covariates: str | list[str] | None = None,
    cluster: str | None = None,
    weights: WildWeights = "rademacher",
    n_boot: int = 9999,
    seed: int = 20200831,
    h0: float = 0.0,
    alpha: float = 0.05,
    conf_int: bool = True,
    ties: Ties = "strict",
) -> WildBootstrapResult:
    """WCR bootstrap p-value and CI for the TWFE coefficient on ``treatment`` (see module docstring).

    ``ties``: ``"strict"`` (default) counts bootstrap statistics larger than the observed one,
    as fwildclusterboot and wildboottest; ``"inclusive"`` counts those at least as large.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> df = pd.DataFrame({"firm": np.repeat(np.arange(24), 4), "year": np.tile(np.arange(2018, 2022), 24)})
    >>> df["province"] = df["firm"] % 6
    >>> df["d"] = ((df["firm"] < 12) & (df["year"] >= 2020)).astype(int)
    >>> df["y"] = 0.2 * df["d"] + rng.normal(size=len(df))
    >>> kw = dict(outcome="y", unit="firm", time="year", treatment="d", cluster="province", conf_int=False)
    >>> a = wild_cluster_bootstrap(df, **kw)
    >>> b = wild_cluster_bootstrap(df, ties="inclusive", **kw)
    >>> a.enumerated, a.n_boot, round(b.p_value - a.p_value, 6)  # all 2^6 sign vectors; 2 of them tie
    (True, 64, 0.03125)
    """
    check_choice("weights", weights, ("rademacher", "webb"))
    check_choice("ties", ties, _TIES)
    cluster = unit if cluster is None else cluster
    df, covs = prepare_input(data, [outcome, unit, time, treatment, cluster], covariates=covariates,
                             estimator="wild_cluster_bootstrap")
    u, units = pd.factorize(df[unit])
    t, periods = pd.factorize(df[time])
    codes, clusters = pd.factorize(df[cluster])
    G = len(clusters)
    if G < 2:
        raise EstimationError(f"wild_cluster_bootstrap: need at least 2 clusters, found {G}", column=cluster)
    notes = []
    if weights == "rademacher" and G < 12:
        notes.append(f"{G} clusters: Rademacher weights give only {2**G} distinct draws; consider weights='webb'")
    names = [treatment, *covs]
    X = np.column_stack([_demean(df[c].to_numpy(dtype=float), u, t, len(units), len(periods)) for c in names])
    y = _demean(df[outcome].to_numpy(dtype=float), u, t, len(units), len(periods))
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise EstimationError("wild_cluster_bootstrap: regressors are collinear or absorbed by the fixed effects",
                              column=", ".join(names))
    if G > MAX_WILD_CLUSTERS:
        raise EstimationError(
            f"wild_cluster_bootstrap: {G} clusters; the wild bootstrap is meant for few clusters "
            f"(at most {MAX_WILD_CLUSTERS})", column=cluster,
            hint="with many clusters the analytic cluster-robust SE of twfe() is reliable",
        )
    w = _WCR(X, y, codes, G, 0, u, t, len(units), len(periods))
    rng = np.random.default_rng(seed)
    V, enumerated = _weights_matrix(G, n_boot, weights, rng)
    p = w.p_value(h0, V, ties)
    # fixest small-sample factor for the reported analytic SE (CRV1)
    n = len(df)
    k_fe = fe_parameters(u, t, len(units), len(periods), codes)
    ssc, _ = small_sample_factor("cluster", "fixest", n_obs=n, k=len(names), k_fe=k_fe,
                                 k_fe_all=len(units) + len(periods) - 1, n_clusters=G,
                                 estimator="wild_cluster_bootstrap")
    se = float(np.sqrt(w.var_j * ssc))
    est = float(w.beta[0])
    lo = hi = np.nan
    if conf_int:
        def f(h):
            return w.p_value(h, V, ties) - alpha

        step = max(se, 1e-8)
        bounds = []
        for sign in (-1, 1):
            inner = est
            outer = est + sign * 2 * step
            it = 0
            while f(outer) > 0 and it < 30:
                inner, outer = outer, est + sign * (2 ** (it + 2)) * step
                it += 1
            if f(outer) > 0:
                bounds.append(np.nan)
                continue
            # p(h) is a step function of h: bisect between "not rejected" (inner) and "rejected" (outer)
            for _ in range(60):
                if abs(outer - inner) < step * 1e-5:
                    break
                mid = 0.5 * (inner + outer)
                if f(mid) > 0:
                    inner = mid
                else:
                    outer = mid
            bounds.append(0.5 * (inner + outer))
        lo, hi = bounds
    return WildBootstrapResult(
        term=treatment, estimate=est, std_error=se, t_stat=(est - h0) / se, p_value=p, conf_low=float(lo),
        conf_high=float(hi), h0=h0, n_obs=n, n_units=len(units), n_clusters=G, weights=weights,
        n_boot=V.shape[0], enumerated=enumerated, alpha=alpha, notes=tuple(notes), ties=ties,
    )


@dataclass(frozen=True)
class RandomizationResult:
    estimate: float
    p_value: float
    permuted: np.ndarray
    n_perm: int
    estimator: str
    strata: str | None
    n_units: int
    method: str = "randomization inference over support timing"

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame({"term": ["ATT"], "estimate": [self.estimate], "p_value": [self.p_value],
                             "n_perm": [self.n_perm], "n_units": [self.n_units],
                             "method": [f"{self.estimator}, {self.method}"]})

    def _repr_html_(self) -> str:
        return html_table("Randomization inference", self.tidy(),
                          [f"Support timing permuted across units{' within ' + self.strata if self.strata else ''}."])


def randomization_inference(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    estimator: Literal["twfe", "imputation"] | Callable[[pd.DataFrame], float] = "twfe",
    strata: str | None = None,
    n_perm: int = 999,
    seed: int = 20200831,
) -> RandomizationResult:
    """Permutation test of the sharp null of no effect by reassigning support timing across units.

    ``estimator``: ``"twfe"`` (fast, FWL), ``"imputation"`` (overall BJS estimate) or a function of a
    data frame (with ``group`` permuted) returning a number.

    Examples
    --------
    >>> from evalutils.effects import randomization_inference
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"firm": np.repeat(np.arange(40), 6), "year": np.tile(np.arange(2016, 2022), 40)})
    >>> df["g"] = np.select([df["firm"] < 10, df["firm"] < 20], [2018, 2020], 0)
    >>> df["d"] = ((df["g"] > 0) & (df["year"] >= df["g"])).astype(int)
    >>> df["y"] = 0.5 * df["d"] + np.random.default_rng(0).normal(scale=0.1, size=len(df))
    >>> ri = randomization_inference(df, outcome="y", unit="firm", time="year", group="g", n_perm=99, seed=1)
    >>> ri.p_value <= 0.05
    True
    """
    df, _ = prepare_input(data, [outcome, unit, time, group, strata], estimator="randomization_inference")
    u, units = pd.factorize(df[unit])
    t, periods = pd.factorize(df[time])
    gu = df.groupby(u)[group].first().to_numpy()
    tvals = df[time].to_numpy()
    y = df[outcome].to_numpy(dtype=float)
    if isinstance(estimator, str):
        check_choice("estimator", estimator, ("twfe", "imputation"))

    within = TwoWayWithin(u, t, len(units), len(periods)) if estimator == "twfe" else None

    def stat(g_unit: np.ndarray) -> float:
        g_row = g_unit[u]
        if estimator == "twfe":
            d = ((g_row > 0) & (tvals >= g_row)).astype(float)
            dd = within.apply(d)[:, 0]
            den = float(dd @ dd)
            if den < 1e-12:
                raise EstimationError("randomization_inference: treatment absorbed by fixed effects")
            return float(dd @ y / den)
        frame = df.assign(**{group: g_row})
        if estimator == "imputation":
            from .imputation import did_imputation

            return did_imputation(frame, outcome=outcome, unit=unit, time=time, group=group).overall_estimate
        return float(estimator(frame))

    obs = stat(gu)
    rng = np.random.default_rng(seed)
    if strata is not None:
        su = pd.factorize(df.groupby(u)[strata].first())[0]
        blocks = [np.flatnonzero(su == s) for s in np.unique(su)]
    else:
        blocks = [np.arange(len(units))]
    perm = np.empty(n_perm)
    for b in range(n_perm):
        g_new = gu.copy()
        for idx in blocks:
            g_new[idx] = gu[idx][rng.permutation(len(idx))]
        perm[b] = stat(g_new)
    p = (1 + np.sum(np.abs(perm) >= abs(obs) - 1e-12)) / (1 + n_perm)
    name = estimator if isinstance(estimator, str) else getattr(estimator, "__name__", "custom")
    return RandomizationResult(estimate=obs, p_value=float(p), permuted=perm, n_perm=n_perm, estimator=name,
                               strata=strata, n_units=len(units))
