"""Sensitivity of event-study conclusions to violations of parallel trends (Rambachan and Roth 2023).

Own implementation on numpy/scipy of the methods of the HonestDiD R package (read to understand
the method; no code taken). Notation as in Rambachan and Roth, "A More Credible Approach to
Parallel Trends", Review of Economic Studies 90(5), 2023:

* ``betahat = (beta_pre, beta_post)``: event-study coefficients for the ``num_pre`` periods before
  the reference period (event times -num_pre-1 ... -2) and the ``num_post`` periods from the start
  of treatment (event times 0 ... num_post-1); the reference period (event time -1) is normalised
  to 0 and is not in ``betahat``. ``beta = tau + delta`` with ``tau_pre = 0``: ``delta`` is the
  difference in trends (the violation of parallel trends).
* the parameter is ``theta = l_vec' tau_post`` (one post period, or an average).
* restrictions on ``delta``:

  - relative magnitudes ``Delta^RM(Mbar)``: every post-treatment change of ``delta`` between
    consecutive periods is at most ``Mbar`` times the largest such change before treatment;
  - smoothness ``Delta^SD(M)``: the slope of ``delta`` changes by at most ``M`` between
    consecutive periods (``M = 0``: the violation is an exact linear trend).

Robust confidence sets (the defaults of HonestDiD, which are the ones implemented here):

* relative magnitudes: the conditional-least-favourable hybrid test ("C-LF") of Andrews, Roth and
  Pakes (2023), inverted over a grid of ``theta``. ``Delta^RM`` is the union over the pre-period
  (s) attaining the largest change and its sign of polyhedra; the set is the union of the sets for
  each polyhedron. As in HonestDiD only the moments involving post-period coefficients enter the
  test, the first stage has size ``kappa = alpha / 10``, and the grid is 1,000 points on
  ``[-20, 20]`` standard errors of ``l_vec' beta_post`` (widened when the set reaches an end).
  Two differences from HonestDiD, both numerical: (i) the conditioning values (V_lo, V_up) are
  computed in closed form from the vertices of the dual feasible set (HonestDiD bisects with
  repeated linear programs), and (ii) the least-favourable critical value is the 1 - kappa quantile
  of 10,000 seeded draws (HonestDiD: 1,000), so the first stage has less simulation noise. The
  endpoints are then refined by bisection between the last rejected and first accepted grid point
  (``refine=True``; ``refine=False`` reports grid points exactly as HonestDiD does).
* smoothness: the optimal fixed-length confidence interval ("FLCI", Armstrong and Kolesar 2018,
  2020): the affine estimator ``v' beta_pre + l_vec' beta_post`` whose half-length
  ``cv_alpha(max bias / sd) * sd`` is smallest, ``cv_alpha(b)`` being the 1 - alpha quantile of
  ``|N(b, 1)|``. The worst-case bias over ``Delta^SD(M)`` has a closed form (M times an L1 norm
  of the weights on the second differences of ``delta``), and the half-length is a convex
  function of the free weights, minimised with SLSQP (HonestDiD: bisection over the standard
  deviation with a conic solver and a simulated folded-normal quantile).

The breakdown value is the largest ``M`` (or ``Mbar``) for which the robust set excludes zero,
found by bisection to a relative tolerance of 0.1 %.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import special

from evalutils.errors import EstimationError

from ._common import check_choice

Restriction = Literal["relative_magnitudes", "smoothness"]
Target = int | Literal["average"]
Covariance = Literal["influence", "reported", "small_sample"]

_RESTRICTIONS = ("relative_magnitudes", "smoothness")
_METHOD = {"relative_magnitudes": "C-LF", "smoothness": "FLCI"}
_LABEL = {"relative_magnitudes": "Mbar", "smoothness": "M"}
_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)
_MAX_POST_RM = 20  # beyond this the grid inversion gets slow and the design is unusual


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventStudyVector:
    """Event-study coefficients in HonestDiD's layout: pre periods, then post periods.

    ``event_times`` lists the event time of each entry of ``betahat`` (the reference period -1 is
    excluded); ``source`` names the estimator.
    """

    betahat: np.ndarray
    sigma: np.ndarray
    num_pre: int
    num_post: int
    event_times: tuple[int, ...]
    source: str = "event study"
    notes: tuple[str, ...] = field(default_factory=tuple)
    # covariance="small_sample": the Welch–Satterthwaite degrees of freedom of w' betahat for a weight vector w
    # over all entries of betahat (pre periods, then post periods)
    df_of: Callable[[np.ndarray], float] | None = field(default=None, repr=False, compare=False)


def _consecutive(times: np.ndarray, *, source: str) -> None:
    pre = times[times < 0]
    post = times[times >= 0]
    want_pre = np.arange(-len(pre) - 1, -1)
    want_post = np.arange(len(post))
    if not (np.array_equal(pre, want_pre) and np.array_equal(post, want_post)):
        raise EstimationError(
            f"honest_did: the {source} must have one coefficient for every event time from the first "
            f"pre period to -2 and from 0 on, with -1 the reference; found {times.tolist()}",
            hint="estimate with reference=-1 and no gaps in event time (use min_e/max_e to trim)",
        )


def event_study_vector(
    result: Any,
    *,
    min_e: int | None = None,
    max_e: int | None = None,
    drop_binned: bool = True,
    covariance: Covariance = "influence",
) -> EventStudyVector:
    """``betahat``, ``sigma``, ``num_pre``, ``num_post`` from a suite event-study result.

    ``result``: an :class:`~evalutils.effects.EventStudyResult` (TWFE event study, reference
    period -1; binned endpoint coefficients pool several periods and are dropped unless
    ``drop_binned=False``), an :class:`~evalutils.effects.ATTGTResult` estimated with
    ``base_period="universal"`` (its dynamic aggregation is taken), or such an aggregation
    (``att_gt(..., base_period="universal").aggregate("dynamic")``). The Callaway–Sant'Anna
    covariance is the analytic (clustered) covariance of the influence functions, as HonestDiD's
    ``honest_did.AGGTEobj`` (``covariance="influence"``); ``covariance="reported"`` keeps its
    correlations but rescales it to the standard errors the aggregation reports (the
    small-sample or bootstrap ones). ``covariance="small_sample"`` (an ``ATTGTResult`` only; what the
    reports use) is the cohort-stratified covariance of the dynamic effects, the matrix form of the
    headline interval's small-sample variance, and the vector carries ``df_of``, the
    Welch–Satterthwaite degrees of freedom of any linear combination ``w' betahat``, so that
    :func:`sensitivity` uses Student t critical values (docs/sensitivity.md, "Province scale").
    ``min_e``/``max_e`` keep event times in that range.

    Examples
    --------
    >>> from evalutils.effects import att_gt, event_study_vector
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"firm": np.repeat(np.arange(40), 6), "year": np.tile(np.arange(2016, 2022), 40)})
    >>> df["g"] = np.select([df["firm"] < 10, df["firm"] < 20], [2018, 2020], 0)
    >>> df["d"] = ((df["g"] > 0) & (df["year"] >= df["g"])).astype(int)
    >>> df["y"] = 0.5 * df["d"] + np.random.default_rng(0).normal(scale=0.1, size=len(df))
    >>> cs = att_gt(df, outcome="y", unit="firm", time="year", group="g", base_period="universal", bootstrap="none")
    >>> v = event_study_vector(cs)
    >>> v.num_pre, v.num_post, v.sigma.shape
    (3, 4, (7, 7))
    """
    check_choice("covariance", covariance, ("influence", "reported", "small_sample"))
    from .did import AggregateResult, ATTGTResult
    from .event_study import EventStudyResult

    notes: list[str] = []
    gt = None
    if isinstance(result, ATTGTResult):
        if result.base_period != "universal":
            raise EstimationError(
                "honest_did: Callaway–Sant'Anna pre-period effects with a varying base period are "
                "period-to-period changes, not comparable with the post-period effects",
                hint="estimate with att_gt(..., base_period='universal')",
            )
        gt = result
        result = result.aggregate("dynamic")
    if covariance == "small_sample" and gt is None:
        raise EstimationError(
            "honest_did: covariance='small_sample' needs the Callaway–Sant'Anna group-time result itself "
            f"(its cohorts and firms), not a {type(result).__name__}",
            hint="pass att_gt(..., base_period='universal') itself, or use covariance='influence'",
        )
    if isinstance(result, EventStudyResult):
        if result.reference != -1:
            raise EstimationError(
                f"honest_did: the event study's reference period is {result.reference}; the "
                "sensitivity analysis needs reference=-1",
                hint="re-estimate with event_study(..., reference=-1)",
            )
        c = result.coefs[~result.coefs["reference"]]
        if drop_binned and c["binned"].any():
            dropped = c.loc[c["binned"], "event_time"].tolist()
            notes.append(f"binned endpoint coefficients {dropped} dropped (each pools several periods)")
            c = c[~c["binned"]]
        times = c["event_time"].to_numpy(dtype=int)
        names = [f"e={e}" for e in times]
        beta = c["estimate"].to_numpy(dtype=float)
        sigma = result.vcov.loc[names, names].to_numpy(dtype=float)
        source = "TWFE event study"
    elif isinstance(result, AggregateResult):
        if result.kind != "dynamic":
            raise EstimationError(
                f"honest_did: needs the dynamic (event-time) aggregation, not {result.kind!r}",
                hint="use att_gt(..., base_period='universal').aggregate('dynamic')",
            )
        vcov = getattr(result, "vcov", None)
        base = getattr(result, "base_period", None)
        if base is not None and base != "universal":
            raise EstimationError(
                "honest_did: Callaway–Sant'Anna pre-period effects with a varying base period are "
                "period-to-period changes, not comparable with the post-period effects",
                hint="estimate with att_gt(..., base_period='universal')",
            )
        if vcov is None:
            raise EstimationError(
                "honest_did: this aggregation carries no covariance matrix",
                hint="pass the ATTGTResult itself (estimated with base_period='universal')",
            )
        times = result.effects["event_time"].to_numpy(dtype=int)
        if -1 in times:
            raise EstimationError(
                "honest_did: the dynamic aggregation has an effect at event time -1, so its base "
                "period is not universal",
                hint="estimate with att_gt(..., base_period='universal')",
            )
        beta = result.effects["estimate"].to_numpy(dtype=float)
        sigma = np.asarray(vcov, dtype=float)[1:, 1:]  # first row/column: the overall ATT
        if covariance == "small_sample":
            sigma = _cs_stratified_covariance(gt, result)
            notes.append("cohort-stratified small-sample covariance with Student t critical values "
                         "(Welch–Satterthwaite degrees of freedom, docs/sensitivity.md)")
        elif covariance == "reported":
            sd = np.sqrt(np.clip(np.diag(sigma), 0, None))
            se = result.effects["std_error"].to_numpy(dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(sd > 0, se / sd, 1.0)
            sigma = sigma * np.outer(ratio, ratio)
            notes.append("covariance rescaled to the reported standard errors of the dynamic effects")
        source = "Callaway–Sant'Anna dynamic aggregation (universal base period)"
    else:
        raise TypeError(
            "event_study_vector: needs an EventStudyResult, an ATTGTResult or a dynamic "
            f"AggregateResult, not {type(result).__name__}"
        )
    keep = np.ones(len(times), dtype=bool)
    if min_e is not None:
        keep &= times >= min_e
    if max_e is not None:
        keep &= times <= max_e
    order = np.argsort(times[keep])
    times = times[keep][order]
    beta = beta[keep][order]
    idx = np.flatnonzero(keep)[order]
    sigma = sigma[np.ix_(idx, idx)]
    _consecutive(times, source=source)
    df_of = None if gt is None or covariance != "small_sample" else _cs_df_function(gt, result, times)
    num_pre = int((times < 0).sum())
    num_post = int((times >= 0).sum())
    if num_pre < 1 or num_post < 1:
        raise EstimationError(
            f"honest_did: needs at least one pre period (besides the reference) and one post period; "
            f"the {source} has {num_pre} and {num_post}",
            hint="widen the event window or the panel",
        )
    return EventStudyVector(beta, sigma, num_pre, num_post, tuple(int(t) for t in times), source, tuple(notes),
                            df_of)


def _cs_stratified_covariance(gt: Any, agg: Any) -> np.ndarray:
    """Cohort-stratified covariance (``_smallsample.stratified_covariance``) of the dynamic effects of ``agg``,
    from their influence functions summed within ``gt``'s clusters: the matrix whose diagonal is the
    small-sample variance the headline interval uses (docs/inference.md, section 1)."""
    from ._inference import cluster_sums
    from ._smallsample import stratified_covariance

    psi = np.asarray(agg.influence, dtype=float)[:, 1:]
    nc = gt.n_clusters if gt.cluster_codes is not None else None
    pc = cluster_sums(psi, gt.cluster_codes, nc)
    return stratified_covariance(pc, gt.strata, scale=1.0 / psi.shape[0])


def _cs_df_function(gt: Any, agg: Any, times: np.ndarray) -> Callable[[np.ndarray], float]:
    """``w -> `` Welch–Satterthwaite df of ``w' betahat`` over the dynamic effects at ``times`` (working-model df,
    as the headline interval's)."""
    all_times = agg.effects["event_time"].to_numpy(dtype=int)
    cols = np.array([int(np.flatnonzero(all_times == t)[0]) for t in times])
    psi = np.asarray(agg.influence, dtype=float)[:, 1:][:, cols]
    L = agg.cell_weights[:, cols]  # the aggregation's own weights of each dynamic effect on the cells

    def df_of(w: np.ndarray) -> float:
        w = np.asarray(w, dtype=float)
        return float(gt._stratified(psi @ w, L @ w).df[0])

    return df_of


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SensitivityResult:
    """Robust confidence sets for ``theta = l_vec' tau_post`` over values of M (or Mbar).

    ``intervals`` has one row per M: ``M, lb, ub, excludes_zero`` (for relative magnitudes: the test
    of theta = 0 rejects; the set need not be an interval, ``lb``/``ub`` are its smallest and
    largest accepted values, as HonestDiD reports). ``original`` is the usual confidence interval
    (normal critical value) of ``l_vec' beta_post``. ``breakdown`` is the largest M for which the
    robust set excludes zero (``nan`` when the set includes zero already at M = 0; ``inf`` when it
    excludes zero up to ``breakdown_cap``).
    """

    restriction: str
    method: str
    intervals: pd.DataFrame
    estimate: float
    std_error: float
    original: tuple[float, float]
    breakdown: float
    breakdown_cap: float
    l_vec: np.ndarray
    num_pre: int
    num_post: int
    alpha: float
    term: str = "theta"
    notes: tuple[str, ...] = field(default_factory=tuple)
    df: float | None = None  # Student t degrees of freedom of the critical values (None: normal, HonestDiD's)

    @property
    def parameter(self) -> str:
        """``"M"`` (smoothness) or ``"Mbar"`` (relative magnitudes)."""
        return _LABEL[self.restriction]

    def tidy(self, *, include_original: bool = False) -> pd.DataFrame:
        """One row per M: ``term, restriction, method, M, lb, ub, excludes_zero``.

        With ``include_original=True`` a first row (``method="original"``, ``M`` missing) holds the
        usual confidence interval.
        """
        iv = self.intervals
        out = pd.DataFrame(
            {
                "term": self.term,
                "restriction": self.restriction,
                "method": self.method,
                "M": iv["M"].to_numpy(dtype=float),
                "lb": iv["lb"].to_numpy(dtype=float),
                "ub": iv["ub"].to_numpy(dtype=float),
                "excludes_zero": iv["excludes_zero"].to_numpy(dtype=bool),
            }
        )
        if include_original:
            lo, hi = self.original
            orig = pd.DataFrame({"term": [self.term], "restriction": [self.restriction], "method": ["original"],
                                 "M": [np.nan], "lb": [lo], "ub": [hi], "excludes_zero": [bool(lo > 0 or hi < 0)]})
            out = pd.concat([orig, out], ignore_index=True)
        return out

    def _repr_html_(self) -> str:
        from ._common import html_table

        name = {"relative_magnitudes": "relative magnitudes", "smoothness": "smoothness"}[self.restriction]
        bd = ("none (the robust set includes 0 at M = 0)" if np.isnan(self.breakdown)
              else f"> {self.breakdown_cap:g}" if np.isinf(self.breakdown) else f"{self.breakdown:.4g}")
        return html_table(
            f"Sensitivity to violations of parallel trends ({name}, {self.method})",
            self.tidy(include_original=True)[["method", "M", "lb", "ub", "excludes_zero"]],
            [f"Parameter: {self.term}; estimate {self.estimate:.4g} (SE {self.std_error:.4g}); "
             f"{1 - self.alpha:.0%} robust confidence sets; breakdown {self.parameter} = {bd}.", *self.notes],
        )


# --------------------------------------------------------------------------------------------
# numerical helpers
# --------------------------------------------------------------------------------------------


def _psd_sqrt(S: np.ndarray) -> np.ndarray:
    w, U = np.linalg.eigh((S + S.T) / 2)
    return U * np.sqrt(np.clip(w, 0, None))


def _truncnorm_upper_quantile(p_upper: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """q with P(Z > q | lo <= Z <= hi) = p_upper for standard normal Z (vectorised, tail-accurate)."""
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        s_lo, s_hi = special.ndtr(-lo), special.ndtr(-hi)
        q_upper = -special.ndtri(s_hi + p_upper * (s_lo - s_hi))  # accurate when lo > 0
        c_lo, c_hi = special.ndtr(lo), special.ndtr(hi)
        q_lower = special.ndtri(c_lo + (1 - p_upper) * (c_hi - c_lo))
    q = np.where(lo > 0, q_upper, q_lower)
    q = np.where(np.isnan(q), lo, q)
    return np.clip(q, lo, hi)


def _folded_normal_cv(b: float, alpha: float) -> float:
    """1 - alpha quantile of |N(b, 1)| (safeguarded Newton iterations on the cdf)."""
    b = abs(float(b))
    if b == 0:
        return float(special.ndtri(1 - alpha / 2))

    def g(c: float) -> float:  # P(|N(b,1)| > c) - alpha, written with upper tails for accuracy
        return 0.5 * math.erfc((c - b) / _SQRT2) + 0.5 * math.erfc((c + b) / _SQRT2) - alpha

    lo, hi = b, b + 12.0  # g(lo) >= 0.5 - alpha > 0 > g(hi)
    c = b + float(special.ndtri(1 - alpha))
    for _ in range(100):
        gc = g(c)
        if gc > 0:
            lo = c
        else:
            hi = c
        dens = (math.exp(-0.5 * (c - b) ** 2) + math.exp(-0.5 * (c + b) ** 2)) / _SQRT2PI
        step = gc / dens if dens > 0 else 0.0
        new = c + step
        if not lo < new < hi:
            new = (lo + hi) / 2
        if abs(new - c) <= 1e-14 * max(1.0, c):
            return new
        c = new
    return c


def _folded_normal_cv_deriv(b: float, c: float) -> float:
    a1 = np.exp(-0.5 * (c - b) ** 2)
    a2 = np.exp(-0.5 * (c + b) ** 2)
    return float((a1 - a2) / (a1 + a2))


@lru_cache(maxsize=32)
def _extreme_rays(X_bytes: bytes, k: int, p: int) -> np.ndarray:
    """Extreme rays of the cone {lambda >= 0, X' lambda = 0} (X is k x p), one per row.

    An extreme ray has a support S on which X_S' has rank |S| - 1 and a strictly positive null
    vector; |S| <= p + 1. Used to write the linear programme of the ARP test as a maximum over the
    vertices of its dual.
    """
    X = np.frombuffer(X_bytes, dtype=float).reshape(k, p)
    rays: list[np.ndarray] = []
    tol = 1e-10
    for size in range(1, p + 2):
        for S in itertools.combinations(range(k), size):
            sub = X[list(S), :].T  # p x size
            if p == 0:
                null = np.ones((size, 1)) if size == 1 else None
            else:
                u, sv, vt = np.linalg.svd(sub, full_matrices=True)
                rank = int((sv > tol * max(1.0, sv.max() if len(sv) else 1.0)).sum())
                null = vt[rank:].T if size - rank == 1 else None
            if null is None:
                continue
            vec = null[:, 0]
            if np.all(vec > tol):
                pass
            elif np.all(vec < -tol):
                vec = -vec
            else:
                continue
            r = np.zeros(k)
            r[list(S)] = vec
            rays.append(r)
    return np.array(rays).reshape(-1, k)


def _rm_rays(X: np.ndarray) -> np.ndarray:
    """Extreme rays of {lambda >= 0, X' lambda = 0} for the relative-magnitudes moments, in closed form.

    Rows 2t and 2t+1 of X are +x_t and -x_t (the post-period parts of +-(delta_t - delta_{t-1}));
    the x_t (t = 1..T) span a space of dimension T - 1. Rays: the pair (2t, 2t+1) for x_t != 0, the
    single rows of an x_t = 0 (at most one), and, when no x_t is zero, the positive and negative
    parts of +-c where c spans {c : sum_t c_t x_t = 0}. Falls back on enumeration otherwise.
    """
    k, p = X.shape
    T = k // 2
    xs = X[0::2]
    if k % 2 or not np.allclose(X[1::2], -xs, atol=1e-12):
        return _extreme_rays(np.ascontiguousarray(X).tobytes(), k, p)
    scale = max(1.0, float(np.abs(X).max())) if X.size else 1.0
    zero = np.all(np.abs(xs) <= 1e-12 * scale, axis=1) if p else np.ones(T, dtype=bool)
    rays: list[np.ndarray] = []
    for t in range(T):
        if zero[t]:
            for r in (2 * t, 2 * t + 1):
                v = np.zeros(k)
                v[r] = 1.0
                rays.append(v)
        else:
            v = np.zeros(k)
            v[2 * t] = v[2 * t + 1] = 1.0
            rays.append(v)
    if zero.sum() > 1:
        return _extreme_rays(np.ascontiguousarray(X).tobytes(), k, p)
    if not zero.any():
        if p == 0:
            c = np.ones(1)
        else:
            _, sv, vt = np.linalg.svd(xs.T, full_matrices=True)  # xs.T: p x T
            rank = int((sv > 1e-10 * scale).sum())
            if T - rank != 1:
                return _extreme_rays(np.ascontiguousarray(X).tobytes(), k, p)
            c = vt[-1]
        for sgn in (1.0, -1.0):
            v = np.zeros(k)
            v[0::2] = np.clip(sgn * c, 0, None)
            v[1::2] = np.clip(-sgn * c, 0, None)
            rays.append(v)
    return np.array(rays)


def _gamma_inverse(l_vec: np.ndarray) -> np.ndarray:
    """Inverse of an invertible matrix whose first row is l' (the rest standard basis rows)."""
    T = len(l_vec)
    j = int(np.argmax(np.abs(l_vec)))
    rows = [l_vec] + [np.eye(T)[i] for i in range(T) if i != j]
    return np.linalg.inv(np.array(rows))


# --------------------------------------------------------------------------------------------
# relative magnitudes: conditional-least-favourable hybrid
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Polyhedron:
    """One polyhedron of Delta^RM: moments y(theta) = Y - a*theta, nuisance matrix X, rays V."""

    Y: np.ndarray
    a: np.ndarray
    sigma_y: np.ndarray
    V: np.ndarray  # normalised dual vertices (rows), lambda' sd = 1
    lf_cv: float


def _fd_row(num_pre: int, num_post: int, t: int) -> np.ndarray:
    """Row vector of delta_t - delta_{t-1} over the columns of betahat (HonestDiD's period index t).

    Columns: delta at HonestDiD periods -num_pre..-1 (event times -num_pre-1..-2) then 1..num_post
    (event times 0..num_post-1); the reference period t = 0 (event time -1) is normalised to 0.
    """
    v = np.zeros(num_pre + num_post)
    for tt, w in ((t, 1.0), (t - 1, -1.0)):
        if tt < 0:
            v[num_pre + tt] += w
        elif tt > 0:
            v[num_pre + tt - 1] += w
    return v


def _rm_rows(num_pre: int, num_post: int, s: int, sign: int, mbar: float) -> np.ndarray:
    """Post-period rows of Delta^RM_{s,sign}(Mbar): +-(delta_t - delta_{t-1}) - Mbar*sign*fd_s <= 0."""
    base = sign * mbar * _fd_row(num_pre, num_post, s)
    rows = []
    for t in range(1, num_post + 1):
        f = _fd_row(num_pre, num_post, t)
        rows.append(f - base)
        rows.append(-f - base)
    return np.array(rows)


class _RMTester:
    """Vectorised C-LF tests of H0: theta = theta0 over the polyhedra of Delta^RM(Mbar)."""

    def __init__(self, betahat, sigma, num_pre, num_post, l_vec, mbar, alpha, kappa, fd_draws):
        """``fd_draws[:, t + num_pre - 1]``: draws of the estimation error of delta_t - delta_{t-1}."""
        self.alpha = alpha
        self.kappa = kappa
        self.alpha_tilde = (alpha - kappa) / (1 - kappa)
        ginv = _gamma_inverse(l_vec)
        self.polys: list[_Polyhedron] = []
        self._A: list[np.ndarray] = []
        for s in range(-(num_pre - 1), 1):
            for sign in (1, -1):
                A = _rm_rows(num_pre, num_post, s, sign, mbar)
                Apost = A[:, num_pre:] @ ginv
                a = Apost[:, 0]
                X = np.ascontiguousarray(Apost[:, 1:])
                Y = A @ betahat
                sy = A @ sigma @ A.T
                sd = np.sqrt(np.clip(np.diag(sy), 0, None))
                if np.any(sd <= 0):
                    raise EstimationError("honest_did: a moment of the relative-magnitudes restriction has "
                                          "zero variance; check that sigma is positive definite")
                R = _rm_rays(X)
                V = R / (R @ sd)[:, None] if len(R) else R
                if len(V):
                    # draws of the moments' estimation error, built elementwise from the first
                    # differences (no per-polyhedron matrix product: BLAS threads are slow on a busy machine)
                    base = sign * mbar * fd_draws[:, s + num_pre - 1]
                    eta_sim = np.full(fd_draws.shape[0], -np.inf)
                    for r in range(len(V)):
                        acc = np.zeros(fd_draws.shape[0])
                        for t in range(1, num_post + 1):
                            d = fd_draws[:, t + num_pre - 1]
                            wp, wm = V[r, 2 * (t - 1)], V[r, 2 * (t - 1) + 1]
                            if wp:
                                acc += wp * (d - base)
                            if wm:
                                acc += wm * (-d - base)
                        np.maximum(eta_sim, acc, out=eta_sim)
                    lf = float(np.quantile(eta_sim, 1 - kappa))
                else:
                    lf = np.inf
                self.polys.append(_Polyhedron(Y, a, sy, V, lf))
                self._A.append(A)

    def accept(self, theta: np.ndarray) -> np.ndarray:
        """Is each value of theta in the confidence set (accepted for some polyhedron)?"""
        theta = np.atleast_1d(np.asarray(theta, dtype=float))
        acc = np.zeros(len(theta), dtype=bool)
        for P in self.polys:
            acc |= self._accept_one(P, P.Y[None, :] - theta[:, None] * P.a[None, :])
        return acc

    def accept_draws(self, theta: float, betas: np.ndarray) -> np.ndarray:
        """Is ``theta`` in the confidence set computed from each row of ``betas`` (same covariance)?"""
        acc = np.zeros(len(betas), dtype=bool)
        for A, P in zip(self._A, self.polys, strict=True):
            acc |= self._accept_one(P, betas @ A.T - theta * P.a[None, :])
        return acc

    def _accept_one(self, P: _Polyhedron, y: np.ndarray) -> np.ndarray:
        """C-LF test for the moments ``y`` (one row per hypothesis): True where not rejected."""
        if len(P.V) == 0:  # the nuisance parameters can satisfy every moment: nothing is rejected
            return np.ones(len(y), dtype=bool)
        vals = y @ P.V.T  # G x nv
        best = np.argmax(vals, axis=1)
        eta = vals[np.arange(len(y)), best]
        gam = P.V[best]  # G x k
        sg = gam @ P.sigma_y  # G x k
        var_b = np.einsum("ij,ij->i", sg, gam)
        reject = eta > P.lf_cv  # least-favourable first stage
        zero_var = var_b < np.finfo(float).eps * max(1.0, float(np.abs(P.sigma_y).max()))
        reject |= zero_var & (eta > 0)
        ok = ~reject & ~zero_var
        if ok.any():
            g = np.flatnonzero(ok)
            b = sg[g] / var_b[g, None]
            c = eta[g]
            svec = y[g] - b * c[:, None]
            vs = svec @ P.V.T
            rho = 1.0 - b @ P.V.T
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = vs / rho
            tol = 1e-10
            vlo = np.where(rho > tol, ratio, -np.inf).max(axis=1)
            vup = np.where(rho < -tol, ratio, np.inf).min(axis=1)
            sb = np.sqrt(var_b[g])
            zlo = vlo / sb
            zup = np.minimum(vup, P.lf_cv) / sb
            stat = c / sb
            inside = (zlo <= stat + 1e-12) & (stat <= zup + 1e-12)
            cval = np.maximum(0.0, _truncnorm_upper_quantile(self.alpha_tilde, zlo, np.maximum(zup, zlo)))
            reject[g] = inside & (stat > cval)
        return ~reject


def _fd_draws(sigma: np.ndarray, num_pre: int, num_post: int, n_sims: int, seed: int) -> np.ndarray:
    """Seeded draws of the estimation error of every first difference delta_t - delta_{t-1}."""
    z = np.random.default_rng(seed).standard_normal((n_sims, num_pre + num_post))
    FD = np.array([_fd_row(num_pre, num_post, t) for t in range(-num_pre + 1, num_post + 1)])
    return z @ (FD @ _psd_sqrt(sigma)).T


def _invert(tester: _RMTester, sd: float, theta_hat: float, reach: float, grid_points: int, refine: bool):
    """Test inversion on a grid.

    First HonestDiD's grid, ``grid_points`` values on [-20, 20] * sd. When the accepted set is
    empty there or touches an end (an estimate far from zero, or a wide set), a grid centred on the
    estimate covering the identified set's outer bound ``reach`` plus 20 sd, doubled until the set
    lies inside (at most 6 times; otherwise the open end is reported as +-inf).
    """
    lo, hi = -20 * sd, 20 * sd
    grid = np.linspace(lo, hi, grid_points)
    acc = tester.accept(grid)
    idx = np.flatnonzero(acc)
    if len(idx) == 0 or idx[0] == 0 or idx[-1] == grid_points - 1:
        lo, hi = theta_hat - reach - 20 * sd, theta_hat + reach + 20 * sd
        for _ in range(7):
            grid = np.linspace(lo, hi, grid_points)
            acc = tester.accept(grid)
            idx = np.flatnonzero(acc)
            if len(idx) == 0:
                return np.nan, np.nan
            if idx[0] > 0 and idx[-1] < grid_points - 1:
                break
            width = hi - lo
            lo = lo - width if idx[0] == 0 else lo
            hi = hi + width if idx[-1] == grid_points - 1 else hi
        else:
            return (-np.inf if idx[0] == 0 else float(grid[idx[0]]),
                    np.inf if idx[-1] == grid_points - 1 else float(grid[idx[-1]]))
    lb, ub = grid[idx[0]], grid[idx[-1]]
    if refine:
        lb = _bisect(tester, grid[idx[0] - 1], grid[idx[0]])
        ub = _bisect(tester, grid[idx[-1] + 1], grid[idx[-1]])
    return float(lb), float(ub)


def _bisect(tester: _RMTester, rejected: float, accepted: float, rounds: int = 3, points: int = 33) -> float:
    """Endpoint between a rejected and an accepted value: ``rounds`` vectorised sub-grids of ``points``
    values each (resolution (accepted - rejected) / 32**3)."""
    r, a = rejected, accepted
    for _ in range(rounds):
        pts = np.linspace(r, a, points)
        acc = tester.accept(pts)
        i = int(np.argmax(acc))  # first accepted from the rejected side (the last point is accepted)
        if i == 0:
            return float(r)
        r, a = pts[i - 1], pts[i]
    return float(a)


# --------------------------------------------------------------------------------------------
# smoothness: optimal fixed-length confidence interval
# --------------------------------------------------------------------------------------------


class _FLCI:
    """FLCI for Delta^SD(M): affine estimator v' beta_pre + l' beta_post.

    With delta_0 = 0, delta is a linear trend plus second differences d_j (j = -num_pre+1 ...
    num_post-1, HonestDiD's period index). The bias v' delta_pre + l' delta_post is finite over
    Delta^SD(M) only if the estimator removes linear trends (sum_t v_t t = -sum_t l_t t); it is then
    sum_j c_j d_j, maximal at M * sum_j |c_j|. c_j for j >= 0 depend on l only; the pre-period
    c_j (j < 0) are a one-to-one reparametrisation of v, and the free variables below.
    """

    def __init__(self, sigma: np.ndarray, num_pre: int, num_post: int, l_vec: np.ndarray, alpha: float):
        self.sigma = sigma
        self.alpha = alpha
        self.l = l_vec
        tpre = np.arange(-num_pre, 0)
        tpost = np.arange(1, num_post + 1)
        slt = float(l_vec @ tpost)
        # constant part of the bias: |c_0| + sum_{j >= 1} |c_j|
        c_post = [float(sum(l_vec[t - 1] * (t - j) for t in tpost if t > j)) for j in range(1, num_post)]
        self.K = abs(slt) + float(np.sum(np.abs(c_post)))
        # square system: rows c_j (j = -num_pre+1 .. -1) and the trend constraint
        Mrows = []
        for j in range(-num_pre + 1, 0):
            Mrows.append([(j - t) if t < j else 0.0 for t in tpre])
        Mrows.append(list(tpre.astype(float)))
        Minv = np.linalg.inv(np.array(Mrows, dtype=float).reshape(num_pre, num_pre))
        self.v0 = Minv[:, -1] * (-slt)
        self.Vc = Minv[:, :-1]  # num_pre x (num_pre - 1)
        self.num_pre = num_pre
        self.nfree = num_pre - 1

    def _weights(self, c: np.ndarray) -> np.ndarray:
        return np.concatenate([self.v0 + self.Vc @ c, self.l])

    def _sd(self, c: np.ndarray) -> tuple[float, np.ndarray]:
        w = self._weights(c)
        sw = self.sigma @ w
        var = float(w @ sw)
        return np.sqrt(max(var, 0.0)), sw[: self.num_pre]

    def solve(self, M: float) -> tuple[np.ndarray, float]:
        """Optimal weights (full vector over betahat) and half-length for smoothness bound M."""
        from scipy import optimize  # here, not at import: report kernels import evalutils.effects
        n = self.nfree
        if n == 0:
            sd, _ = self._sd(np.zeros(0))
            return self._weights(np.zeros(0)), _folded_normal_cv(M * self.K / sd, self.alpha) * sd

        def f(x: np.ndarray) -> tuple[float, np.ndarray]:
            p, q = x[:n], x[n:]
            c = p - q
            sd, swp = self._sd(c)
            B = M * (self.K + p.sum() + q.sum())
            b = B / sd
            cv = _folded_normal_cv(b, self.alpha)
            dcv = _folded_normal_cv_deriv(b, cv) if b > 0 else 0.0
            df_dsd = cv - b * dcv
            ds_dc = self.Vc.T @ swp / sd
            g_common = df_dsd * ds_dc
            return sd * cv, np.concatenate([g_common + dcv * M, -g_common + dcv * M])

        # start: minimum-variance trend-removing estimator (closed form), split into +/- parts
        Vc, v0 = self.Vc, self.v0
        S_pp = self.sigma[: self.num_pre, : self.num_pre]
        S_pl = self.sigma[: self.num_pre, self.num_pre:] @ self.l
        H = Vc.T @ S_pp @ Vc
        g = Vc.T @ (S_pp @ v0 + S_pl)
        c0 = -np.linalg.lstsq(H, g, rcond=None)[0]
        scale = self._sd(c0)[0]  # the objective in units of the smallest standard deviation

        def f_scaled(x: np.ndarray) -> tuple[float, np.ndarray]:
            val, grad = f(x)
            return val / scale, grad / scale

        best = None
        for start in (c0, np.zeros(n)):
            x0 = np.concatenate([np.clip(start, 0, None), np.clip(-start, 0, None)])
            # SLSQP: convex objective with bounds; (L-BFGS-B gives the same optimum but its BLAS calls
            # are slow when the machine's cores are busy)
            res = optimize.minimize(f_scaled, x0, jac=True, method="SLSQP", bounds=[(0, None)] * (2 * n),
                                    options={"ftol": 1e-13, "maxiter": 1000})
            if best is None or res.fun < best.fun:
                best = res
        c = best.x[:n] - best.x[n:]
        return self._weights(c), float(best.fun) * scale


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------


def _check_inputs(betahat, sigma, num_pre, num_post, l_vec, alpha):
    betahat = np.asarray(betahat, dtype=float).ravel()
    sigma = np.asarray(sigma, dtype=float)
    for name, v in (("num_pre", num_pre), ("num_post", num_post)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer, not {v!r}")
    n = num_pre + num_post
    if betahat.shape != (n,):
        raise ValueError(f"betahat has {betahat.size} entries; num_pre + num_post = {n}")
    if sigma.shape != (n, n):
        raise ValueError(f"sigma has shape {sigma.shape}; expected ({n}, {n})")
    if not (np.all(np.isfinite(betahat)) and np.all(np.isfinite(sigma))):
        raise EstimationError("honest_did: betahat or sigma has missing or infinite values",
                              hint="check the event study: an event time without treated observations "
                              "has no coefficient")
    if not np.allclose(sigma, sigma.T, rtol=1e-8, atol=1e-12 * max(1.0, np.abs(sigma).max())):
        raise ValueError("sigma must be symmetric")
    if np.linalg.eigvalsh((sigma + sigma.T) / 2).min() < -1e-10 * max(1.0, np.abs(sigma).max()):
        raise EstimationError("honest_did: sigma is not positive semi-definite",
                              hint="pass the covariance matrix of the event-study coefficients")
    if l_vec is None:
        l_vec = np.eye(num_post)[0]
    l_vec = np.asarray(l_vec, dtype=float).ravel()
    if l_vec.shape != (num_post,):
        raise ValueError(f"l_vec has {l_vec.size} entries; expected num_post = {num_post}")
    if not np.any(l_vec != 0):
        raise ValueError("l_vec must have a non-zero entry")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), not {alpha!r}")
    return betahat, (sigma + sigma.T) / 2, l_vec


def _default_m(restriction: str, betahat, sigma, num_pre, alpha) -> np.ndarray:
    if restriction == "relative_magnitudes":
        return np.array([0.0, 0.5, 1.0, 1.5, 2.0])
    # smoothness: up to the upper confidence bound of the largest pre-period second difference
    if num_pre < 2:
        ub = float(np.sqrt(sigma[0, 0]))
    else:
        full = np.concatenate([betahat[:num_pre], [0.0]])
        Sfull = np.zeros((num_pre + 1, num_pre + 1))
        Sfull[:num_pre, :num_pre] = sigma[:num_pre, :num_pre]
        D = np.zeros((num_pre - 1, num_pre + 1))
        for i in range(num_pre - 1):
            D[i, i:i + 3] = (1.0, -2.0, 1.0)
        est = D @ full
        se = np.sqrt(np.diag(D @ Sfull @ D.T))
        ub = float(np.max(np.abs(est) + special.ndtri(1 - alpha) * se))
    return np.linspace(0.0, ub, 5)


def honest_did(
    betahat: Sequence[float] | np.ndarray,
    sigma: np.ndarray,
    *,
    num_pre: int,
    num_post: int,
    restriction: Restriction = "relative_magnitudes",
    M: Sequence[float] | None = None,
    l_vec: Sequence[float] | None = None,
    alpha: float = 0.05,
    df: float | None = None,
    breakdown: bool = True,
    grid_points: int = 1000,
    refine: bool = True,
    n_sims: int = 10_000,
    seed: int = 0,
    term: str = "theta",
) -> SensitivityResult:
    """Robust confidence sets for ``theta = l_vec' tau_post`` under violations of parallel trends.

    Parameters
    ----------
    betahat, sigma : event-study coefficients (``num_pre`` pre periods, then ``num_post`` post
        periods; reference period -1 excluded) and their covariance matrix.
    restriction : ``"relative_magnitudes"`` (Delta^RM(Mbar), C-LF hybrid confidence sets) or
        ``"smoothness"`` (Delta^SD(M), optimal FLCI).
    M : values of Mbar or M; default ``0, 0.5, 1, 1.5, 2`` (relative magnitudes) or five values
        from 0 to the upper confidence bound of the largest pre-period second difference.
    l_vec : weights on the post periods; default the first post period (event time 0);
        ``np.full(num_post, 1 / num_post)`` averages them.
    df : degrees of freedom of the estimate's standard error (e.g. the Welch–Satterthwaite df of a
        small-sample variance). ``None`` (HonestDiD): normal critical values. Otherwise ``sigma`` is
        inflated by ``(t_{1-alpha/2, df} / z_{1-alpha/2})^2`` before the tests, so every normal critical
        value becomes its Student t counterpart at level alpha: the usual interval (and the relative-magnitudes
        set at Mbar = 0 with one post period, the FLCI at M = 0) is ``estimate +- t * std_error``.
        ``std_error`` in the result stays the uninflated one.
    breakdown : also find the breakdown value (bisection).
    grid_points, refine : grid of the test inversion (relative magnitudes; see module docstring).
    n_sims, seed : draws for the least-favourable critical value (relative magnitudes).
    term : a label for the parameter in tables.

    Examples
    --------
    >>> from evalutils.effects import honest_did
    >>> import numpy as np
    >>> res = honest_did([0.01, -0.02, 0.30], np.diag([0.01, 0.01, 0.01]), num_pre=2, num_post=1, M=[0.5, 1])
    >>> res.intervals["M"].tolist(), bool(res.intervals["excludes_zero"].iloc[0])
    ([0.5, 1.0], True)
    """
    check_choice("restriction", restriction, _RESTRICTIONS)
    betahat, sigma, l_vec = _check_inputs(betahat, sigma, num_pre, num_post, l_vec, alpha)
    if restriction == "relative_magnitudes" and num_post > _MAX_POST_RM:
        raise EstimationError(
            f"honest_did: relative magnitudes supports at most {_MAX_POST_RM} post periods, got {num_post}",
            hint="keep fewer post periods (max_e=...) or use restriction='smoothness'",
        )
    if not isinstance(grid_points, (int, np.integer)) or grid_points < 10:
        raise ValueError(f"grid_points must be an integer >= 10, not {grid_points!r}")
    Ms = _default_m(restriction, betahat, sigma, num_pre, alpha) if M is None else np.asarray(M, dtype=float).ravel()
    if Ms.size == 0 or np.any(~np.isfinite(Ms)) or np.any(Ms < 0):
        raise ValueError(f"M must be finite and non-negative, got {Ms.tolist()}")
    post = slice(num_pre, num_pre + num_post)
    theta_hat = float(l_vec @ betahat[post])
    sd_theta = float(np.sqrt(l_vec @ sigma[post, post] @ l_vec))
    if not sd_theta > 0:
        raise EstimationError("honest_did: the estimate of theta has zero variance")
    z = float(special.ndtri(1 - alpha / 2))
    notes: list[str] = []
    if df is not None:
        if not (isinstance(df, (int, float, np.integer, np.floating)) and math.isfinite(df) and df > 0):
            raise ValueError(f"df must be a positive finite number or None, not {df!r}")
        inflate = t_critical(float(df), alpha) / z
        sigma = sigma * inflate**2
        notes.append(f"Student t critical values with {float(df):.3g} degrees of freedom "
                     f"(covariance inflated by (t/z)^2 = {inflate**2:.3f})")
        df = float(df)
    sd_use = float(np.sqrt(l_vec @ sigma[post, post] @ l_vec))  # = sd_theta * t / z when df is given
    original = (theta_hat - z * sd_use, theta_hat + z * sd_use)

    if restriction == "relative_magnitudes":
        kappa = alpha / 10
        fd_draws = _fd_draws(sigma, num_pre, num_post, int(n_sims), seed)  # common to every M and polyhedron

        def tester_for(m: float) -> _RMTester:
            return _RMTester(betahat, sigma, num_pre, num_post, l_vec, m, alpha, kappa, fd_draws)

        # outer bound of the identified set: |l' delta_post| <= Mbar * max|pre change| * sum_u |sum_{t>=u} l_t|
        pre_changes = np.abs(np.diff(np.r_[betahat[:num_pre], 0.0]))
        reach_unit = float(pre_changes.max()) * float(np.abs(np.cumsum(l_vec[::-1])).sum())

        def evaluate(m: float) -> tuple[float, float, bool]:
            tester = tester_for(m)
            lb, ub = _invert(tester, sd_use, theta_hat, m * reach_unit, int(grid_points), refine)
            return lb, ub, not bool(tester.accept(np.zeros(1))[0])

        def rejects_zero(m: float) -> bool:
            return not bool(tester_for(m).accept(np.zeros(1))[0])
    else:
        flci = _FLCI(sigma, num_pre, num_post, l_vec, alpha)

        def evaluate(m: float) -> tuple[float, float, bool]:
            w, half = flci.solve(m)
            centre = float(w @ betahat)
            return centre - half, centre + half, _excludes_zero(centre - half, centre + half)

        def rejects_zero(m: float) -> bool:
            return evaluate(m)[2]

    rows = [(float(m), *evaluate(float(m))) for m in Ms]
    intervals = pd.DataFrame(rows, columns=["M", "lb", "ub", "excludes_zero"])
    if np.isnan(intervals[["lb", "ub"]].to_numpy()).any():
        notes.append("for some M no value of theta was accepted: the restriction is rejected by the data")

    bd, cap = np.nan, np.nan
    if breakdown:
        bd, cap = _breakdown(rejects_zero, restriction, Ms, intervals, sd_use)
    return SensitivityResult(
        restriction=restriction, method=_METHOD[restriction], intervals=intervals, estimate=theta_hat,
        std_error=sd_theta, original=original, breakdown=bd, breakdown_cap=cap, l_vec=l_vec,
        num_pre=num_pre, num_post=num_post, alpha=alpha, term=term, notes=tuple(notes), df=df,
    )


def t_critical(df: float, alpha: float) -> float:
    """The 1 - alpha/2 quantile of Student t with ``df`` degrees of freedom (``df = inf``: normal).

    >>> round(t_critical(5, 0.05), 4), round(t_critical(float("inf"), 0.05), 4)
    (2.5706, 1.96)
    """
    if not df > 0:
        raise ValueError(f"df must be positive, not {df!r}")
    if math.isinf(df):
        return float(special.ndtri(1 - alpha / 2))
    from .. import _dist

    return float(_dist.StudentT(df).ppf(1 - alpha / 2))


def _excludes_zero(lb: float, ub: float) -> bool:
    if np.isnan(lb) or np.isnan(ub):
        return True  # an empty set excludes zero too
    return bool(lb > 0 or ub < 0)


def _breakdown(rejects_zero, restriction, Ms, intervals, sd_theta, rel_tol: float = 1e-3) -> tuple[float, float]:
    """Largest M whose robust set excludes zero (the test of theta = 0 rejects), by bracketing and bisection."""
    cache: dict[float, bool] = {float(m): bool(e) for m, e in zip(intervals["M"], intervals["excludes_zero"], strict=True)}

    def excl(m: float) -> bool:
        if m not in cache:
            cache[m] = rejects_zero(m)
        return cache[m]

    if not excl(0.0):
        return np.nan, np.nan
    # bracket: smallest grid value that includes zero, else grow geometrically
    scale = 1.0 if restriction == "relative_magnitudes" else max(float(np.max(Ms)), sd_theta)
    cap = 1000.0 * scale
    lo = max([m for m in cache if cache[m] and m >= 0] + [0.0])
    his = [m for m in cache if not cache[m] and m > lo]
    hi = min(his) if his else None
    if hi is None:
        hi = max(lo * 2, scale)
        while excl(hi):
            lo = hi
            hi *= 2
            if hi > cap:
                return np.inf, cap
    # monotone in practice (the sets are nested); bisection keeps the largest excluding value found
    lo = max([m for m in cache if cache[m] and m < hi] + [lo])
    while hi - lo > rel_tol * max(hi, 1e-12):
        mid = (lo + hi) / 2
        if excl(mid):
            lo = mid
        else:
            hi = mid
    return float(lo), cap


def sensitivity(
    result: Any,
    *,
    restriction: Restriction = "relative_magnitudes",
    M: Sequence[float] | None = None,
    target: Target = 0,
    min_e: int | None = None,
    max_e: int | None = None,
    alpha: float = 0.05,
    breakdown: bool = True,
    covariance: Covariance = "influence",
    seed: int = 0,
    **options: Any,
) -> SensitivityResult:
    """Sensitivity analysis of a suite event study (see :func:`event_study_vector` for ``result``).

    ``target``: an event time ``e >= 0`` (default 0, the first period of support) or
    ``"average"`` (the mean effect over the post periods kept). ``covariance``: see
    :func:`event_study_vector`; with ``"small_sample"`` the target's Welch–Satterthwaite df is passed
    to :func:`honest_did` (``df=``), which makes every critical value a Student t one: valid with a
    handful of supported firms per cohort, where the default (HonestDiD's influence-function
    covariance with normal critical values) under-covers. Other options go to :func:`honest_did`.

    Examples
    --------
    >>> from evalutils.effects import att_gt, sensitivity
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"firm": np.repeat(np.arange(40), 6), "year": np.tile(np.arange(2016, 2022), 40)})
    >>> df["g"] = np.select([df["firm"] < 10, df["firm"] < 20], [2018, 2020], 0)
    >>> df["d"] = ((df["g"] > 0) & (df["year"] >= df["g"])).astype(int)
    >>> df["y"] = 0.5 * df["d"] + np.random.default_rng(0).normal(scale=0.1, size=len(df))
    >>> cs = att_gt(df, outcome="y", unit="firm", time="year", group="g", base_period="universal", bootstrap="none")
    >>> res = sensitivity(cs, M=[0.5, 1])
    >>> res.tidy()[["M", "excludes_zero"]].values.tolist()
    [[0.5, True], [1.0, True]]
    """
    vec = event_study_vector(result, min_e=min_e, max_e=max_e, covariance=covariance)
    post_times = np.array([t for t in vec.event_times if t >= 0])
    if isinstance(target, str):
        check_choice("target", target, ("average",))
        l_vec = np.full(vec.num_post, 1.0 / vec.num_post)
        term = f"average effect, e=0..{post_times.max()}"
    else:
        if int(target) not in post_times:
            raise ValueError(f"target={target!r} is not a post event time; choose one of "
                             f"{post_times.tolist()} or 'average'")
        l_vec = (post_times == int(target)).astype(float)
        term = f"e={int(target)}"
    if vec.df_of is not None:
        if "df" in options:
            raise ValueError("sensitivity: covariance='small_sample' sets df itself; do not pass df")
        options["df"] = vec.df_of(np.r_[np.zeros(vec.num_pre), l_vec])
    res = honest_did(
        vec.betahat, vec.sigma, num_pre=vec.num_pre, num_post=vec.num_post, restriction=restriction,
        M=M, l_vec=l_vec, alpha=alpha, breakdown=breakdown, seed=seed, term=term, **options,
    )
    if vec.notes:
        object.__setattr__(res, "notes", (*res.notes, *vec.notes))
    return res
