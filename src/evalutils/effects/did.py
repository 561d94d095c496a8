"""Callaway and Sant'Anna (2021) group-time average treatment effects, ``att_gt``.

Own implementation on numpy (see docs/effects.md for why not a library). It follows the
conventions of the R package ``did`` (2.5.x) so that its published numbers are reproduced:

* groups are defined by the first treated period (``group``; 0 = never treated); units whose
  group is after the last observed period count as never treated; units treated in the first
  period (or within ``anticipation`` periods of it) have no pre-period and are dropped;
* ``base_period="varying"``: pre-treatment cells compare t with t-1, post-treatment cells
  compare t with the last period before g - anticipation; ``"universal"`` always uses the
  latter;
* controls: never treated, or not yet treated by max(t, base) + anticipation (and not in g);
* 2x2 estimators: outcome regression, normalised IPW and doubly robust (Sant'Anna and Zhao
  2020), covariates taken at each comparison's base period;
* inference: influence functions, clustered on ``cluster`` (default the unit), and a seeded
  multiplier bootstrap with simultaneous bands (see ``_inference``);
* aggregations (``aggregate``): simple, dynamic (event time), group and calendar, with the
  estimated-weights correction of the influence function as in did's ``aggte``.

Unbalanced panels: ``unbalanced="drop"`` (default, as did) keeps only units observed in every
period; ``"pairwise"`` uses, for each (g, t), the units observed in both t and the base period
(the influence function of each cell is rescaled by n / n_gt; valid when missingness is
unrelated to potential outcomes given the group).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from .. import _dist

from evalutils.errors import EstimationError

from ._common import as_list, check_choice, check_columns, html_table, tidy_rows
from ._drdid import did_panel
from ._inference import BOOTSTRAP_CHOICES, Inference, analytic_vcov, cluster_sums, infer
from ._smallsample import OverallInference, stratified_variance, t_power

ControlGroup = Literal["never_treated", "not_yet_treated"]
EstMethod = Literal["reg", "ipw", "dr"]
Bootstrap = Literal["mammen", "rademacher", "none"]
AggKind = Literal["simple", "dynamic", "group", "calendar"]
InferenceKind = Literal["small_sample", "asymptotic"]
PretestMethod = Literal["trend", "wald"]
INFERENCE_CHOICES = ("small_sample", "asymptotic")

_METHOD_LABEL = {"reg": "outcome regression", "ipw": "inverse probability weighting", "dr": "doubly robust"}


@dataclass(frozen=True)
class _Panel:
    """Wide representation: one row per unit."""

    units: pd.Index
    periods: np.ndarray
    G: np.ndarray  # first treated period per unit (0 = never)
    Y: np.ndarray  # n x T (NaN = not observed)
    X: np.ndarray | None  # n x T x p
    cluster_codes: np.ndarray | None
    n_clusters: int
    notes: tuple[str, ...]


def _to_wide(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    covariates: list[str],
    cluster: str | None,
    unbalanced: str,
) -> _Panel:
    cols = list(dict.fromkeys([unit, time, group, outcome, *covariates, *([cluster] if cluster else [])]))
    df = data[cols]
    notes: list[str] = []
    if df[[unit, time, group]].isna().any().any():
        raise EstimationError(
            "att_gt: missing values in the unit, time or group column",
            column=", ".join(c for c in (unit, time, group) if df[c].isna().any()),
        )
    if df.duplicated([unit, time]).any():
        rows = np.flatnonzero(df.duplicated([unit, time], keep=False).to_numpy())
        raise EstimationError("att_gt: more than one row per unit and period", column=unit, rows=rows.tolist())
    try:
        tvals = df[time].to_numpy(dtype=np.int64)
        gvals = df[group].to_numpy(dtype=np.int64)
    except (TypeError, ValueError) as exc:
        raise EstimationError(
            "att_gt: time and group must be integer periods (group 0 = never treated)",
            column=f"{time}, {group}",
        ) from exc
    ucodes, units = pd.factorize(df[unit], sort=True)
    periods = np.unique(tvals)
    tcodes = np.searchsorted(periods, tvals)
    n, T = len(units), len(periods)

    # group must be constant within unit
    gmin = np.full(n, np.iinfo(np.int64).max)
    gmax = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(gmin, ucodes, gvals)
    np.maximum.at(gmax, ucodes, gvals)
    if (gmin != gmax).any():
        bad = units[np.flatnonzero(gmin != gmax)[:5]].tolist()
        raise EstimationError(
            "att_gt: the group (first treated period) varies within unit", column=group,
            hint=f"first offending units: {bad}",
        )
    G = gmin.copy()
    if (G < 0).any():
        raise EstimationError("att_gt: negative group values; use 0 for never treated", column=group)
    late = G > periods[-1]
    if late.any():
        notes.append(f"{int(late.sum())} units first treated after {periods[-1]} are treated as never treated")
        G[late] = 0

    Y = np.full((n, T), np.nan)
    Y[ucodes, tcodes] = df[outcome].to_numpy(dtype=float)
    X = None
    if covariates:
        X = np.full((n, T, len(covariates)), np.nan)
        for j, c in enumerate(covariates):
            X[ucodes, tcodes, j] = df[c].to_numpy(dtype=float)
    observed = ~np.isnan(Y)
    if X is not None:
        observed &= ~np.isnan(X).any(axis=2)
    Y[~observed] = np.nan

    keep = np.ones(n, dtype=bool)
    if unbalanced == "drop":
        full = observed.all(axis=1)
        if not full.all():
            notes.append(
                f"{int((~full).sum())} of {n} units not observed in every period were dropped "
                "(unbalanced='drop'; use unbalanced='pairwise' to keep them)"
            )
        keep &= full
    keep &= observed.any(axis=1)

    codes = None
    n_clusters = int(keep.sum())
    if cluster is not None and cluster != unit:
        cvals = df[cluster]
        if cvals.isna().any():
            raise EstimationError("att_gt: missing values in the cluster column", column=cluster)
        pairs = pd.DataFrame({"u": ucodes, "c": pd.factorize(cvals)[0]}).drop_duplicates()
        if pairs["u"].duplicated().any():
            raise EstimationError(
                "att_gt: units must be nested in clusters (the cluster varies within a unit)",
                column=cluster,
            )
        cl = np.empty(n, dtype=np.int64)
        cl[pairs["u"].to_numpy()] = pairs["c"].to_numpy()
        codes = cl

    idx = np.flatnonzero(keep)
    if codes is not None:
        codes, uniq = pd.factorize(codes[idx])
        n_clusters = len(uniq)
    return _Panel(
        units=units[idx],
        periods=periods,
        G=G[idx],
        Y=Y[idx],
        X=X[idx] if X is not None else None,
        cluster_codes=codes,
        n_clusters=n_clusters,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class AggregateResult(OverallInference):
    """Aggregated ATT from :meth:`ATTGTResult.aggregate`."""

    kind: str
    overall_estimate: float
    overall_std_error: float
    effects: pd.DataFrame  # columns: <label>, estimate, std_error, conf_low, conf_high (band)
    label: str  # "event_time" | "group" | "time" | ""
    influence: np.ndarray  # n x (1 + len(effects)); first column is the overall ATT
    n_obs: int
    n_units: int
    n_clusters: int
    alpha: float
    bootstrapped: bool
    crit_band: float
    method: str
    overall_df: float | None = None  # t degrees of freedom of the overall ATT (None: normal)
    inference: str = "asymptotic"
    # analytic clustered covariance of (overall, effects...) from ``influence`` (used by honest_did)
    vcov: np.ndarray | None = None
    base_period: str | None = None  # att_gt's base period: "varying" or "universal"
    # cells x effects: each effect's weights on the group-time cells (``effects`` row order); None when no effects
    cell_weights: np.ndarray | None = field(default=None, repr=False, compare=False)

    def tidy(self) -> pd.DataFrame:
        """First row is the overall ATT, then one row per event time / group / period.

        ``conf_low``/``conf_high`` are pointwise for the overall ATT (Student t with ``overall_df``
        under small-sample inference) and simultaneous (uniform) bands for the components when
        bootstrapped. Column ``df`` gives the overall ATT's degrees of freedom.
        """
        terms = ["ATT"]
        est = [self.overall_estimate]
        se = [self.overall_std_error]
        lo0, hi0 = self.conf_int
        lo = [lo0]
        hi = [hi0]
        if len(self.effects):
            prefix = {"event_time": "e=", "group": "g=", "time": "t="}[self.label]
            terms += [f"{prefix}{v}" for v in self.effects[self.label]]
            est += self.effects["estimate"].tolist()
            se += self.effects["std_error"].tolist()
            lo += self.effects["conf_low"].tolist()
            hi += self.effects["conf_high"].tolist()
        out = tidy_rows(
            terms, np.array(est), np.array(se), df=None, alpha=self.alpha, n_obs=self.n_obs,
            n_units=self.n_units, n_clusters=self.n_clusters, method=self.method,
            conf_low=np.array(lo), conf_high=np.array(hi),
        )
        out.loc[0, "p_value"] = self.p_value
        out.insert(len(out.columns) - 1, "df", [np.nan if self.overall_df is None else self.overall_df]
                   + [np.nan] * (len(out) - 1))
        return out

    @property
    def estimate(self) -> float:
        return self.overall_estimate

    @property
    def std_error(self) -> float:
        return self.overall_std_error

    def _repr_html_(self) -> str:
        band = "simultaneous" if self.bootstrapped else "pointwise"
        return html_table(
            f"Callaway–Sant'Anna aggregation: {self.kind}",
            self.tidy()[["term", "estimate", "std_error", "conf_low", "conf_high", "p_value"]],
            [f"Overall ATT with pointwise CI; components with {band} {1 - self.alpha:.0%} bands."],
        )


@dataclass(frozen=True)
class PretestResult:
    """Pre-trend test from :meth:`ATTGTResult.pretest`.

    For the default method, ``estimate`` is the pre-period trend difference per period between
    supported and comparison units, ``power`` the probability of rejecting when that difference
    is ``trend`` per period, and ``detectable_trend`` the difference detected with probability
    ``power_level``.
    """

    method: str
    statistic: float
    df: float
    p_value: float
    estimate: float
    std_error: float
    conf_low: float
    conf_high: float
    alpha: float
    trend: float
    power: float
    detectable_trend: float
    n_cells: int
    power_level: float = 0.8

    @property
    def rejected(self) -> bool:
        return bool(self.p_value < self.alpha)

    def __getitem__(self, key: str) -> float:
        """Dict-style access (``res["p_value"]``) kept for code written against the old dict return."""
        return getattr(self, key)

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "term": "pre-trend", "estimate": self.estimate, "std_error": self.std_error,
            "statistic": self.statistic, "df": self.df, "p_value": self.p_value, "conf_low": self.conf_low,
            "conf_high": self.conf_high, "trend": self.trend, "power": self.power,
            "detectable_trend": self.detectable_trend, "n_cells": self.n_cells, "method": self.method,
        }])

    def _repr_html_(self) -> str:
        return html_table("Pre-trend test", self.tidy(), [self.method])


def _cluster_strata(G: np.ndarray, codes: np.ndarray | None, n_clusters: int) -> np.ndarray | None:
    """Cohort of each cluster, or None when a cluster holds units of different cohorts."""
    if codes is None:
        return G.copy()
    lo = np.full(n_clusters, np.iinfo(np.int64).max)
    hi = np.full(n_clusters, np.iinfo(np.int64).min)
    np.minimum.at(lo, codes, G)
    np.maximum.at(hi, codes, G)
    return lo if (lo == hi).all() else None


def _stratified(psi: np.ndarray, codes: np.ndarray | None, n_clusters: int, strata: np.ndarray | None,
                work: np.ndarray | None = None):
    n = psi.shape[0]
    if psi.ndim == 1:
        psi = psi[:, None]
    nc = n_clusters if codes is not None else None
    pc = cluster_sums(psi, codes, nc)
    wc = None if work is None else cluster_sums(work, codes, nc)
    return stratified_variance(pc, strata, scale=1.0 / n, work=wc)


def _working_variance(cells: pd.DataFrame, influence: np.ndarray, unit_group: np.ndarray,
                      L: np.ndarray | None) -> np.ndarray:
    """Each unit's variance of ``sum_k L_k * ATT(g,t)_k`` under i.i.d. unit-period noise (units x M);
    ``L=None``: of each ATT(g,t) itself (units x cells).

    Without covariates every ATT(g,t) is mean_treated(y_t - y_b) - mean_control(y_t - y_b); a unit takes
    part in a cell where its influence is non-zero. Only the degrees of freedom use this working model.
    """
    treated = unit_group[:, None] == cells["group"].to_numpy()[None, :]
    coef = np.where(treated, 1.0 / cells["n_treated"].to_numpy()[None, :],
                    -1.0 / cells["n_control"].to_numpy()[None, :]) * (influence != 0)
    if L is None:  # one cell: +coef at t, -coef at its base period
        return 2.0 * coef**2
    L = L.reshape(len(cells), -1)
    periods, inv = np.unique(np.r_[cells["time"].to_numpy(), cells["base_period"].to_numpy()],
                             return_inverse=True)
    K, T = len(cells), len(periods)
    D = np.zeros((K, T))
    D[np.arange(K), inv[:K]] += 1.0
    D[np.arange(K), inv[K:]] -= 1.0
    n, M = influence.shape[0], L.shape[1]
    out = np.empty((n, M))
    step = max(1, 2_000_000 // max(M * K, 1))  # units per block: bounded memory, one matrix product each
    for a in range(0, n, step):
        b = min(n, a + step)
        X = (coef[a:b, None, :] * L.T[None, :, :]).reshape((b - a) * M, K) @ D
        out[a:b] = np.einsum("ij,ij->i", X, X).reshape(b - a, M)
    return out


def _infer(psi: np.ndarray, *, codes, n_clusters: int, bootstrap: str, n_boot: int, seed: int, salt: int,
           alpha: float, inference: str, strata: np.ndarray | None, work: np.ndarray | None = None) -> Inference:
    """Multiplier-bootstrap (or analytic) inference; under ``inference="small_sample"`` the standard
    errors are never below the cohort-stratified small-sample ones and critical values never below
    Student t with their Welch–Satterthwaite df (a collapsed bootstrap cannot shrink an interval)."""
    res = infer(
        psi, codes=codes, n_clusters=n_clusters if codes is not None else None, bootstrap=bootstrap,
        n_boot=n_boot, rng=np.random.default_rng([seed, salt]) if bootstrap != "none" else None, alpha=alpha,
    )
    if inference != "small_sample" or psi.shape[1] == 0:
        return res
    sv = _stratified(psi, codes, n_clusters, strata, work)
    se = np.maximum(res.std_error, sv.std_error)
    tcrit = float(np.max(sv.crit(alpha)))
    return Inference(se, res.std_error_analytic, max(res.crit_pointwise, tcrit), max(res.crit_band, tcrit),
                     res.bootstrapped)


@dataclass(frozen=True)
class ATTGTResult:
    """Group-time ATTs. ``cells`` has one row per (group, time)."""

    cells: pd.DataFrame
    influence: np.ndarray  # n units x n cells
    unit_group: np.ndarray
    cluster_codes: np.ndarray | None
    n_units: int
    n_obs: int
    n_clusters: int
    outcome: str
    control_group: str
    est_method: str
    anticipation: int
    base_period: str
    bootstrap: str
    n_boot: int
    seed: int
    alpha: float
    crit_band: float
    notes: tuple[str, ...] = field(default_factory=tuple)
    units: pd.Index | None = None  # unit labels in the row order of ``influence``
    strata: np.ndarray | None = None  # cohort of each cluster (None: clusters span cohorts, one stratum)
    inference: str = "small_sample"

    @property
    def method(self) -> str:
        return f"Callaway-Sant'Anna ({self.est_method}, {self.control_group.replace('_', '-')})"

    def tidy(self) -> pd.DataFrame:
        """One row per ATT(g,t); ``conf_low``/``conf_high`` are the simultaneous band when bootstrapped."""
        c = self.cells
        out = tidy_rows(
            [f"ATT({g},{t})" for g, t in zip(c["group"], c["time"], strict=True)],
            c["att"].to_numpy(), c["std_error"].to_numpy(), df=None, alpha=self.alpha,
            n_obs=self.n_obs, n_units=self.n_units, n_clusters=self.n_clusters, method=self.method,
            conf_low=c["conf_low"].to_numpy(), conf_high=c["conf_high"].to_numpy(),
            extra={"group": c["group"], "time": c["time"], "event_time": c["event_time"]},
        )
        return out

    def _rng(self, salt: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, salt])

    def _work(self, L: np.ndarray | None) -> np.ndarray | None:
        if L is None or self.inference != "small_sample":
            return None
        return _working_variance(self.cells, self.influence, self.unit_group, L)

    def _infer(self, psi: np.ndarray, salt: int, L: np.ndarray | None = None) -> Inference:
        return _infer(psi, codes=self.cluster_codes, n_clusters=self.n_clusters, bootstrap=self.bootstrap,
                      n_boot=self.n_boot, seed=self.seed, salt=salt, alpha=self.alpha,
                      inference=self.inference, strata=self.strata, work=self._work(L))

    def _stratified(self, psi: np.ndarray, L: np.ndarray | None = None):
        """Small-sample variance (cohort strata, Welch–Satterthwaite df) of each column of ``psi``; with the
        cell weights ``L`` (cells x columns) of a linear combination, df from the working model."""
        return _stratified(psi, self.cluster_codes, self.n_clusters, self.strata,
                           None if L is None else _working_variance(self.cells, self.influence, self.unit_group, L))

    def pretest(self, *, method: PretestMethod = "trend", trend: float = 0.01,
                power: float = 0.8) -> PretestResult:
        """Test of parallel pre-trends between supported and not-yet/never-supported units.

        ``method="trend"`` (default): the pre-support ATT(g,t) are summarised by one number, the
        cohort-size-weighted least-squares slope of the pre-period effects on the distance to
        their base period (with did's varying base period every pre-period ATT(g,t) is a one-period
        trend difference, so the slope is their weighted mean). Under a linear pre-trend of
        ``delta`` per period every pre-period ATT(g,t) equals ``delta * (t - base)``, so the slope
        estimates ``delta``. It is tested with the small-sample (cohort-stratified) standard error
        and a Student t critical value with Welch–Satterthwaite degrees of freedom, which keeps the
        size at the nominal level with a few supported units per cohort (docs/inference.md). The
        result also gives the power against a linear pre-trend of ``trend`` per period and the
        trend detectable with probability ``power`` (Roth 2022).

        ``method="wald"``: did's joint Wald test of every pre-period ATT(g,t) with the analytic
        covariance (reproduces did's "P-value for pre-test of parallel trends"; it over-rejects
        badly with few supported units per cohort and is kept for comparison only).
        """
        check_choice("method", method, ("trend", "wald"))
        pre = np.flatnonzero(~self.cells["post"].to_numpy())
        if len(pre) == 0:
            raise EstimationError("pretest: there are no pre-treatment cells to test",
                                  hint="every cohort is supported from the second observed period on")
        psi = self.influence[:, pre]
        a = self.cells["att"].to_numpy()[pre]
        n = psi.shape[0]
        if method == "wald":
            pc = cluster_sums(psi, self.cluster_codes, self.n_clusters if self.cluster_codes is not None else None)
            V = pc.T @ pc / n**2
            W = float(a @ np.linalg.pinv(V) @ a)
            k = int(np.linalg.matrix_rank(V))
            return PretestResult(
                method="Wald test of all pre-period ATT(g,t) (analytic covariance, chi-squared)",
                statistic=W, df=float(k), p_value=float(_dist.chi2_sf(W, k)), estimate=np.nan,
                std_error=np.nan, conf_low=np.nan, conf_high=np.nan, alpha=self.alpha, trend=trend,
                power=np.nan, detectable_trend=np.nan, n_cells=len(pre),
            )
        g = self.cells["group"].to_numpy()[pre]
        x = (self.cells["time"].to_numpy() - self.cells["base_period"].to_numpy())[pre].astype(float)
        glist, gsize = np.unique(self.unit_group, return_counts=True)
        w = gsize[np.searchsorted(glist, g)].astype(float)
        denom = float(np.sum(w * x * x))
        lin = w * x / denom
        slope = float(lin @ a)
        Lfull = np.zeros(len(self.cells))
        Lfull[pre] = lin
        sv = self._stratified(psi @ lin, Lfull)
        se, df = float(sv.std_error[0]), float(sv.df[0])
        crit = float(_dist.StudentT(df).ppf(1 - self.alpha / 2))
        stat = slope / se if se > 0 else np.inf
        return PretestResult(
            method="t test of the pre-period trend difference (cohort-stratified SE, Welch-Satterthwaite df)",
            statistic=stat, df=df, p_value=float(2 * _dist.StudentT(df).sf(abs(stat))), estimate=slope,
            std_error=se, conf_low=slope - crit * se, conf_high=slope + crit * se, alpha=self.alpha,
            trend=float(trend), power=float(t_power(trend / se, df, crit)) if se > 0 else 1.0,
            detectable_trend=float((crit + _dist.StudentT(df).ppf(power)) * se), n_cells=len(pre),
            power_level=power,
        )

    def aggregate(
        self,
        kind: AggKind = "group",
        *,
        min_e: float = -np.inf,
        max_e: float = np.inf,
        balance_e: int | None = None,
    ) -> AggregateResult:
        """Aggregate the ATT(g,t) as did's ``aggte`` (weights by group size, IF with weight correction).

        ``kind``: ``"simple"`` (post cells weighted by group size), ``"dynamic"`` (by event time;
        overall = mean of the e >= 0 effects), ``"group"`` (by cohort; overall weighted by cohort
        size) or ``"calendar"`` (by period; overall = mean over periods).
        """
        check_choice("kind", kind, ("simple", "dynamic", "group", "calendar"))
        c = self.cells
        g = c["group"].to_numpy()
        t = c["time"].to_numpy()
        att = c["att"].to_numpy()
        psi = self.influence
        G = self.unit_group
        glist = np.unique(g)
        pg_group = np.array([np.mean(G == gg) for gg in glist])
        pg = pg_group[np.searchsorted(glist, g)]
        # identify "post" as in aggte: group <= time (anticipation periods count as pre)
        post = g <= t
        e = t - g

        def wif(groups_of: np.ndarray, pgk: np.ndarray) -> np.ndarray:
            """Influence of the estimated weights pg_k / sum(pg_k) (did's ``wif``)."""
            ind = (G[:, None] == groups_of[None, :]).astype(float) - pgk[None, :]
            s = pgk.sum()
            return ind / s - np.outer(ind.sum(axis=1), pgk / s**2)

        K = len(c)

        def weighted(keep: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
            w = pg[keep] / pg[keep].sum()
            est = float(w @ att[keep])
            inf = psi[:, keep] @ w + wif(g[keep], pg[keep]) @ att[keep]
            L = np.zeros(K)
            L[keep] = w
            return est, inf, L

        # each component: (label, estimate, influence, cell weights L of the linear combination)
        comps: list[tuple[object, float, np.ndarray, np.ndarray]] = []
        label = ""
        if kind == "simple":
            keep = post & (e <= max_e)
            if not keep.any():
                raise EstimationError("aggregate: no post-treatment cells")
            overall, oinf, oL = weighted(keep)
        elif kind == "dynamic":
            label = "event_time"
            keep_cells = np.ones(len(c), dtype=bool)
            if balance_e is not None:
                last = self.cells["time"].max()
                keep_cells &= (last - g) >= balance_e
                first = self.cells["time"].min()
                keep_cells &= (e <= balance_e) & (e >= balance_e - last + first)
            keep_cells &= (e >= min_e) & (e <= max_e)
            for ee in np.unique(e[keep_cells]):
                k = keep_cells & (e == ee)
                comps.append((int(ee), *weighted(k)))
            posts = [cc for cc in comps if cc[0] >= 0]
            if not posts:
                raise EstimationError("aggregate: no event time e >= 0 to average")
            overall = float(np.mean([p[1] for p in posts]))
            oinf = np.mean(np.column_stack([p[2] for p in posts]), axis=1)
            oL = np.mean(np.column_stack([p[3] for p in posts]), axis=1)
        elif kind == "group":
            label = "group"
            gests, ginfs = [], []
            for gg in glist:
                k = (g == gg) & post & (e <= max_e)
                if not k.any():
                    continue
                est = float(att[k].mean())
                inf = psi[:, k].mean(axis=1)
                comps.append((int(gg), est, inf, k / k.sum()))
                gests.append(est)
                ginfs.append(inf)
            if not comps:
                raise EstimationError("aggregate: no post-treatment cells")
            gl = np.array([cc[0] for cc in comps])
            pgs = pg_group[np.searchsorted(glist, gl)]
            w = pgs / pgs.sum()
            overall = float(w @ np.array(gests))
            oinf = np.column_stack(ginfs) @ w + wif(gl, pgs) @ np.array(gests)
            oL = np.column_stack([cc[3] for cc in comps]) @ w
        else:
            label = "time"
            for tt in np.unique(t[t >= g.min()]):
                k = post & (t == tt) & (e <= max_e)
                if not k.any():
                    continue
                comps.append((int(tt), *weighted(k)))
            if not comps:
                raise EstimationError("aggregate: no post-treatment cells")
            overall = float(np.mean([cc[1] for cc in comps]))
            oinf = np.mean(np.column_stack([cc[2] for cc in comps]), axis=1)
            oL = np.mean(np.column_stack([cc[3] for cc in comps]), axis=1)

        salt = {"simple": 1, "dynamic": 2, "group": 3, "calendar": 4}[kind]
        o = self._infer(oinf[:, None], salt * 100)
        overall_df: float | None = None
        if self.inference == "small_sample":
            # the overall ATT: cohort-stratified variance and Welch–Satterthwaite t (docs/inference.md)
            sv = self._stratified(oinf, oL)
            overall_se, overall_df = float(sv.std_error[0]), float(sv.df[0])
        else:
            overall_se = float(o.std_error[0])
        if comps:
            cinf = np.column_stack([cc[2] for cc in comps])
            weights = np.column_stack([cc[3] for cc in comps])
            ci = self._infer(cinf, salt * 100 + 1, weights)
            cest = np.array([cc[1] for cc in comps])
            effects = pd.DataFrame(
                {
                    label: [cc[0] for cc in comps],
                    "estimate": cest,
                    "std_error": ci.std_error,
                    "conf_low": cest - ci.crit_band * ci.std_error,
                    "conf_high": cest + ci.crit_band * ci.std_error,
                }
            )
            crit = ci.crit_band
            allinf = np.column_stack([oinf, cinf])
        else:
            effects = pd.DataFrame(columns=["estimate", "std_error", "conf_low", "conf_high"])
            crit = o.crit_pointwise
            allinf = oinf[:, None]
            weights = None
        return AggregateResult(
            kind=kind, overall_estimate=overall, overall_std_error=overall_se,
            effects=effects, label=label, influence=allinf, n_obs=self.n_obs, n_units=self.n_units,
            n_clusters=self.n_clusters, alpha=self.alpha, bootstrapped=o.bootstrapped, crit_band=crit,
            method=f"{self.method}, {kind} aggregation", overall_df=overall_df, inference=self.inference,
            vcov=analytic_vcov(cluster_sums(allinf, self.cluster_codes, self.n_clusters), allinf.shape[0]),
            base_period=self.base_period, cell_weights=weights,
        )

    def _repr_html_(self) -> str:
        band = "simultaneous (multiplier bootstrap)" if self.bootstrap != "none" else "pointwise"
        cols = ["group", "time", "att", "std_error", "conf_low", "conf_high", "n_treated", "n_control"]
        return html_table(
            "Callaway–Sant'Anna group-time ATTs",
            self.cells[cols],
            [
                f"Outcome: {self.outcome}; {_METHOD_LABEL[self.est_method]}; controls: "
                f"{self.control_group.replace('_', ' ')}; anticipation {self.anticipation}; "
                f"{band} {1 - self.alpha:.0%} bands; {self.n_units} units, {self.n_clusters} clusters.",
                *self.notes,
            ],
        )


def att_gt(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    covariates: str | list[str] | None = None,
    control_group: ControlGroup = "never_treated",
    anticipation: int = 0,
    est_method: EstMethod = "reg",
    base_period: Literal["varying", "universal"] = "varying",
    bootstrap: Bootstrap = "mammen",
    n_boot: int = 999,
    seed: int = 20200831,
    cluster: str | None = None,
    unbalanced: Literal["drop", "pairwise"] = "drop",
    alpha: float = 0.05,
    inference: InferenceKind = "small_sample",
) -> ATTGTResult:
    """Callaway–Sant'Anna group-time average treatment effects ATT(g, t).

    Parameters
    ----------
    data : long panel, one row per unit and period.
    outcome, unit, time : column names (time in integer periods, e.g. years).
    group : first treated period of the unit (constant within unit), 0 = never treated.
    covariates : pre-treatment controls for conditional parallel trends (values at the base period).
    control_group : ``"never_treated"`` or ``"not_yet_treated"``.
    anticipation : number of periods before ``group`` in which units may already react.
    est_method : ``"reg"`` (outcome regression), ``"ipw"`` or ``"dr"`` (doubly robust).
    base_period : ``"varying"`` (did's default) or ``"universal"``.
    bootstrap : multiplier weights ``"mammen"`` (did's default) or ``"rademacher"``, or ``"none"``
        for analytic standard errors and pointwise intervals.
    n_boot, seed : bootstrap draws and the seed of the ``numpy.random.Generator``.
    cluster : column to cluster on (units must be nested in it); default the unit.
    unbalanced : ``"drop"`` units not observed in every period, or ``"pairwise"`` (see module doc).
    alpha : 1 - confidence level.
    inference : ``"small_sample"`` (default): the aggregated overall ATT uses a cohort-stratified
        variance with Student t critical values and Welch–Satterthwaite degrees of freedom, and no
        standard error or band falls below that (valid with a few supported units per cohort, see
        docs/inference.md); ``"asymptotic"``: did's influence-function / multiplier-bootstrap
        inference with normal critical values (reproduces did's published numbers).

    Examples
    --------
    >>> from evalutils.effects import att_gt
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"firm": np.repeat(np.arange(40), 6), "year": np.tile(np.arange(2016, 2022), 40)})
    >>> df["g"] = np.select([df["firm"] < 10, df["firm"] < 20], [2018, 2020], 0)
    >>> df["d"] = ((df["g"] > 0) & (df["year"] >= df["g"])).astype(int)
    >>> df["y"] = 0.5 * df["d"] + np.random.default_rng(0).normal(scale=0.1, size=len(df))
    >>> res = att_gt(df, outcome="y", unit="firm", time="year", group="g", bootstrap="none")
    >>> round(float(res.aggregate("simple").estimate), 3)
    0.538
    """
    check_choice("control_group", control_group, ("never_treated", "not_yet_treated"))
    check_choice("inference", inference, INFERENCE_CHOICES)
    check_choice("est_method", est_method, ("reg", "ipw", "dr"))
    check_choice("base_period", base_period, ("varying", "universal"))
    check_choice("bootstrap", bootstrap, BOOTSTRAP_CHOICES)
    check_choice("unbalanced", unbalanced, ("drop", "pairwise"))
    if not isinstance(anticipation, (int, np.integer)) or anticipation < 0:
        raise ValueError(f"anticipation must be a non-negative integer, not {anticipation!r}")
    covs = as_list(covariates)
    check_columns(data, [outcome, unit, time, group, *covs, cluster], estimator="att_gt")
    panel = _to_wide(
        data, outcome=outcome, unit=unit, time=time, group=group, covariates=covs,
        cluster=cluster, unbalanced=unbalanced,
    )
    notes = list(panel.notes)
    periods = panel.periods
    G = panel.G
    n = len(G)
    if n == 0:
        raise EstimationError("att_gt: no unit left after removing incomplete units", column=outcome)

    # units treated before they could have a base period cannot be used
    early = (G > 0) & (G - anticipation <= periods[0])
    if early.any():
        notes.append(
            f"{int(early.sum())} units treated in the first period (after anticipation) were dropped"
        )
        keep = ~early
        G = G[keep]
        Y = panel.Y[keep]
        X = panel.X[keep] if panel.X is not None else None
        codes = panel.cluster_codes[keep] if panel.cluster_codes is not None else None
        if codes is not None:
            codes, uniq = pd.factorize(codes)
            n_clusters = len(uniq)
        else:
            n_clusters = int(keep.sum())
        n = int(keep.sum())
    else:
        Y, X, codes, n_clusters = panel.Y, panel.X, panel.cluster_codes, panel.n_clusters
    unit_labels = panel.units[~early] if early.any() else panel.units

    glist = np.unique(G[G > 0])
    if len(glist) == 0:
        raise EstimationError(
            "att_gt: no treated units (every group value is 0 or outside the observed periods)", column=group
        )
    has_never = bool((G == 0).any())
    if control_group == "never_treated" and not has_never:
        raise EstimationError(
            "att_gt: there are no never-treated units to use as controls",
            column=group,
            hint="use control_group='not_yet_treated' (needs at least two cohorts) or add never-supported firms",
        )
    sizes = {int(gg): int((G == gg).sum()) for gg in glist}
    tiny = [gg for gg, s in sizes.items() if s < 2]
    if tiny:
        raise EstimationError(
            f"att_gt: cohort(s) {tiny} have a single unit; their ATT(g,t) have no usable standard error",
            column=group,
            hint="drop or merge these cohorts with a neighbouring one before estimation",
        )
    if n_clusters < 2:
        raise EstimationError(f"att_gt: need at least 2 clusters, found {n_clusters}", column=cluster)
    if cluster is not None and cluster != unit and n_clusters < 30:
        notes.append(f"only {n_clusters} clusters: bootstrap/analytic inference may be unreliable")

    Tn = len(periods)
    rows: list[dict] = []
    infl: list[np.ndarray] = []
    observed = ~np.isnan(Y)
    for gg in glist:
        # last period strictly before g - anticipation
        cand = np.flatnonzero(periods < gg - anticipation)
        if len(cand) == 0:
            continue
        universal_base = int(cand[-1])
        for ti in range(Tn):
            tt = int(periods[ti])
            pre = tt < gg - anticipation
            if base_period == "varying":
                if ti == 0:
                    continue
                bi = ti - 1 if pre else universal_base
            else:
                if ti == universal_base:
                    continue
                bi = universal_base
            tb = int(periods[bi])
            treat = G == gg
            if control_group == "never_treated":
                ctrl = G == 0
            else:
                ctrl = (G == 0) | ((G > max(tt, tb) + anticipation) & (G != gg))
            s = (treat | ctrl) & observed[:, ti] & observed[:, bi]
            n_t = int((treat & s).sum())
            n_c = int((ctrl & s).sum())
            if n_c == 0 or n_t == 0:
                notes.append(
                    f"ATT({gg},{tt}) not estimable: {'no control units' if n_c == 0 else 'no treated units'}"
                )
                continue
            idx = np.flatnonzero(s)
            dy = Y[idx, ti] - Y[idx, bi]
            d = treat[idx]
            if X is not None:
                Xs = np.column_stack([np.ones(len(idx)), X[idx, bi, :]])
            else:
                Xs = np.ones((len(idx), 1))
            if X is not None and n_c <= Xs.shape[1]:
                notes.append(f"ATT({gg},{tt}) not estimable: {n_c} controls for {Xs.shape[1]} parameters")
                continue
            try:
                att, inf = did_panel(dy, d, Xs, est_method)
            except EstimationError as exc:
                raise EstimationError(
                    f"att_gt: ATT({gg},{tt}) failed: {exc.message}",
                    column=", ".join(covs) or None,
                    hint="drop collinear or near-constant covariates, or use est_method='reg'",
                ) from exc
            psi = np.zeros(n)
            psi[idx] = inf * (n / len(idx))
            infl.append(psi)
            rows.append(
                {
                    "group": int(gg), "time": tt, "base_period": tb, "event_time": tt - int(gg),
                    "post": not pre, "att": att, "n_treated": n_t, "n_control": n_c,
                }
            )
    if not rows:
        raise EstimationError(
            "att_gt: no group-time cell could be estimated (no valid control units)",
            column=group,
            hint="with a single cohort or all units treated at once there is no comparison group; "
            "add never-supported firms",
        )
    psi = np.column_stack(infl)
    cells = pd.DataFrame(rows)
    strata = _cluster_strata(G, codes, n_clusters)
    if strata is None and inference == "small_sample":
        notes.append("clusters contain units of different cohorts: small-sample inference uses one stratum")
    work = _working_variance(cells, psi, G, None) if inference == "small_sample" else None
    inf_res = _infer(psi, codes=codes, n_clusters=n_clusters, bootstrap=bootstrap, n_boot=int(n_boot),
                     seed=int(seed), salt=0, alpha=alpha, inference=inference, strata=strata, work=work)
    cells["std_error"] = inf_res.std_error
    cells["std_error_analytic"] = inf_res.std_error_analytic
    cells["conf_low"] = cells["att"] - inf_res.crit_band * inf_res.std_error
    cells["conf_high"] = cells["att"] + inf_res.crit_band * inf_res.std_error
    return ATTGTResult(
        cells=cells, influence=psi, unit_group=G, cluster_codes=codes, n_units=n,
        n_obs=int(observed.sum()), n_clusters=n_clusters, outcome=outcome, control_group=control_group,
        est_method=est_method, anticipation=int(anticipation), base_period=base_period,
        bootstrap=bootstrap, n_boot=int(n_boot), seed=int(seed), alpha=alpha, crit_band=inf_res.crit_band,
        notes=tuple(notes), units=unit_labels, strata=strata, inference=inference,
    )
