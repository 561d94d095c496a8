"""Numerical cores of the production-function estimators (not public API).

Every core takes the estimation arrays of one group and optional row weights
(``w``; ``None`` = all ones). Firm-bootstrap replications call the same core
with integer weights equal to each firm's draw count, which is algebraically
identical to re-estimating on the stacked drawn firms (see ``_panel``).

Each core returns a :class:`CoreFit`. The documented estimator descriptions
(first stage, moments, instruments, optimiser) live in
:func:`evalutils.productivity.estimate_production_function`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

from ._panel import poly_terms, wls, wls_normal


@dataclass
class Arrays:
    """Estimation arrays of one group (rows already validated)."""

    y: np.ndarray  # (n,)
    F: np.ndarray  # (n, f) free inputs
    K: np.ndarray  # (n, s) state inputs
    P: np.ndarray | None  # (n, p) proxy
    prev: np.ndarray  # (n,) position of exact t-1 row, -1 if none
    codes: np.ndarray  # (n,) firm codes 0..n_units-1
    n_units: int


@dataclass
class CoreFit:
    beta: np.ndarray  # free then state elasticities
    converged: bool = True
    const: float = float("nan")
    cov: np.ndarray | None = None  # analytic covariance of beta, if any
    info: dict = field(default_factory=dict)
    first_stage: np.ndarray | None = None


def _std(cols: list[np.ndarray]) -> list[np.ndarray]:
    """Centre and scale columns (polynomial spans and fitted values are unchanged)."""
    out = []
    for c in cols:
        s = c.std()
        out.append((c - c.mean()) / (s if s > 0 else 1.0))
    return out


def _markov_residual(om: np.ndarray, oml: np.ndarray, degree: int, w: np.ndarray | None) -> np.ndarray:
    """ξ = ω − ĝ(ω₋₁), ĝ the (weighted) OLS projection of ω on ``[1, z, …, z^degree]``.

    ``z`` is ω₋₁ centred and scaled (same span). The normal equations are built from
    power sums (a Hankel matrix), which is much faster than forming the basis.
    """
    sw = len(om) if w is None else float(w.sum())
    dot = (lambda v: float(v.sum())) if w is None else (lambda v: float(np.dot(w, v)))
    mu = dot(oml) / sw
    z = oml - mu
    sd = np.sqrt(dot(z * z) / sw)
    if sd > 0:
        z /= sd
    powers = [None, z]
    for _ in range(2, 2 * degree + 1):
        powers.append(powers[-1] * z)
    S = [sw] + [dot(powers[p]) for p in range(1, 2 * degree + 1)]
    A = np.array([[S[i + j] for j in range(degree + 1)] for i in range(degree + 1)])
    wom = om if w is None else w * om
    b = np.array([float(wom.sum())] + [float(np.dot(wom, powers[p])) for p in range(1, degree + 1)])
    try:
        coef = np.linalg.solve(A, b)
    except np.linalg.LinAlgError:
        coef = np.linalg.lstsq(A, b, rcond=None)[0]
    xi = om - coef[0]
    for p in range(1, degree + 1):
        xi = xi - coef[p] * powers[p]
    return xi


def _minimise(fun, start: np.ndarray, *, maxiter: int, gtol: float = 1e-8) -> tuple[np.ndarray, bool, dict]:
    """BFGS (as R prodest's ``optim(method='BFGS')``), then Nelder–Mead polish if BFGS stops early.

    Returns the solution, a convergence flag and a dict describing the run. The
    flag is False whenever neither optimiser reports success within ``maxiter``.
    """
    start = np.asarray(start, dtype=float)
    r1 = optimize.minimize(fun, start, method="BFGS", options={"maxiter": maxiter, "gtol": gtol})
    info = {
        "optimizer": "BFGS",
        "start": start.tolist(),
        "n_iter": int(r1.nit),
        "n_fev": int(r1.nfev),
        "criterion": float(r1.fun),
        "message": str(r1.message),
    }
    if r1.success and np.all(np.isfinite(r1.x)):
        return r1.x, True, info
    if maxiter <= 5 or not np.all(np.isfinite(r1.x)):
        return r1.x, False, info
    # BFGS often stops with "precision loss" at a flat optimum: polish with Nelder–Mead
    r2 = optimize.minimize(
        fun, r1.x, method="Nelder-Mead",
        options={"maxiter": maxiter * 50, "xatol": 1e-7, "fatol": 1e-12},
    )
    ok = bool(r2.success) and np.all(np.isfinite(r2.x)) and r2.fun <= r1.fun + 1e-12
    info.update(
        optimizer="BFGS then Nelder-Mead",
        n_iter=int(r1.nit + r2.nit),
        n_fev=int(r1.nfev + r2.nfev),
        criterion=float(min(r1.fun, r2.fun)),
        message=f"BFGS: {r1.message}; Nelder-Mead: {r2.message}",
    )
    x = r2.x if r2.fun <= r1.fun else r1.x
    return x, ok, info


def _ols_start(a: Arrays, w: np.ndarray | None) -> np.ndarray:
    X = np.column_stack([np.ones(len(a.y)), a.F, a.K])
    return wls(X, a.y, w)[1:]


# --------------------------------------------------------------------------- OLS / FE
def _cluster_cov(X: np.ndarray, u: np.ndarray, codes: np.ndarray, n_units: int, k_absorbed: int = 0) -> np.ndarray:
    n, k = X.shape
    bread = np.linalg.pinv(X.T @ X)
    scores = np.zeros((n_units, k))
    np.add.at(scores, codes, X * u[:, None])
    meat = scores.T @ scores
    G = n_units
    adj = (G / max(G - 1, 1)) * ((n - 1) / max(n - k - k_absorbed, 1))
    return adj * bread @ meat @ bread


def fit_ols(a: Arrays, w: np.ndarray | None, opts: dict) -> CoreFit:
    X = np.column_stack([np.ones(len(a.y)), a.F, a.K])
    b = wls(X, a.y, w)
    cov = None
    if w is None:
        u = a.y - X @ b
        cov = _cluster_cov(X, u, a.codes, a.n_units)[1:, 1:]
    return CoreFit(beta=b[1:], const=float(b[0]), cov=cov, info={"optimizer": "closed form (least squares)"})


def fit_fe(a: Arrays, w: np.ndarray | None, opts: dict) -> CoreFit:
    X = np.column_stack([a.F, a.K])
    n_units = a.n_units
    cnt = np.bincount(a.codes, minlength=n_units).astype(float)

    def demean(v: np.ndarray) -> np.ndarray:
        if v.ndim == 1:
            return v - (np.bincount(a.codes, weights=v, minlength=n_units) / cnt)[a.codes]
        return np.column_stack([demean(v[:, j]) for j in range(v.shape[1])])

    # bootstrap weights are constant within a firm, so the within transform is unweighted
    yd, Xd = demean(a.y), demean(X)
    b = wls(Xd, yd, w)
    cov = None
    if w is None:
        u = yd - Xd @ b
        cov = _cluster_cov(Xd, u, a.codes, n_units, k_absorbed=0)
    return CoreFit(beta=b, cov=cov, info={"optimizer": "closed form (within-firm least squares)"})


# --------------------------------------------------------------------------- OP / LP
def fit_oplp(a: Arrays, w: np.ndarray | None, opts: dict) -> CoreFit:
    degree = opts["poly_degree"]
    f = a.F.shape[1]
    cache = opts.get("cache")
    if cache is not None and "oplp_X1" in cache:
        X1 = cache["oplp_X1"]
    else:
        base = _std([*a.K.T, *a.P.T])
        X1 = np.column_stack([np.ones(len(a.y)), a.F, poly_terms(base, degree)])
        if cache is not None:
            cache["oplp_X1"] = X1
    b1 = wls(X1, a.y, w)
    beta_free = b1[1 : 1 + f]
    fitted = X1 @ b1
    phi = fitted - a.F @ beta_free  # Φ = fitted first stage net of free inputs
    res = a.y - a.F @ beta_free
    sel = a.prev >= 0
    pv = a.prev[sel]
    K, Kl = a.K[sel], a.K[pv]
    ph, phl, r = phi[sel], phi[pv], res[sel]
    w2 = None if w is None else w[sel]
    if w2 is not None:
        keep = w2 > 0
        K, Kl, ph, phl, r, w2 = K[keep], Kl[keep], ph[keep], phl[keep], r[keep], w2[keep]
    sw = len(r) if w2 is None else w2.sum()
    mdeg = opts["markov_degree"]

    def crit(g: np.ndarray) -> float:
        om = ph - K @ g
        oml = phl - Kl @ g
        # ξ = res − kγ − ĝ(ω₋₁) = (res − Φ) + (ω − ĝ(ω₋₁))
        xi = (r - ph) + _markov_residual(om, oml, mdeg, w2)
        return float((xi * xi).sum() / sw if w2 is None else (w2 * xi * xi).sum() / sw)

    start = opts.get("start_state")
    if start is None:
        start = _ols_start(a, w)[f:]
    g, ok, info = _minimise(crit, start, maxiter=opts["maxiter"])
    return CoreFit(beta=np.r_[beta_free, g], converged=ok, info=info, first_stage=b1)


# --------------------------------------------------------------------------- ACF
def _acf_design(a: Arrays, opts: dict) -> np.ndarray:
    """First-stage design ``[1, poly(w, k, m)]``, built once per group and reused by the bootstrap."""
    cache = opts.get("cache")
    if cache is not None and "acf_X1" in cache:
        return cache["acf_X1"]
    base = _std([*a.F.T, *a.K.T, *a.P.T])
    X1 = np.column_stack([np.ones(len(a.y)), poly_terms(base, opts["poly_degree"])])
    if cache is not None:
        cache["acf_X1"] = X1
    return X1


def acf_stage_arrays(a: Arrays, w: np.ndarray | None, opts: dict):
    X1 = _acf_design(a, opts)
    b1 = wls_normal(X1, a.y, w)
    phi = X1 @ b1
    sel = a.prev >= 0
    if w is not None:
        sel = sel & (w > 0)
    pv = a.prev[sel]
    X = np.column_stack([a.F[sel], a.K[sel]])
    Xl = np.column_stack([a.F[pv], a.K[pv]])
    Z = np.column_stack([a.F[pv], a.K[sel]])  # lagged free inputs, current state
    ph, phl = phi[sel], phi[pv]
    w2 = None if w is None else w[sel]
    return X, Xl, Z, ph, phl, w2, b1


ROOT_TOL = 1e-14  # criterion m'Wm below which the just-identified moments are solved exactly


def _solve_moments(resid, start: np.ndarray, *, maxiter: int) -> tuple[np.ndarray, bool, dict]:
    """Levenberg–Marquardt on the weighted moment vector ``W^{1/2} m(θ)``.

    Minimises the same criterion ``m'Wm`` as a quasi-Newton search (R prodest
    uses BFGS) but needs far fewer evaluations: the model is just identified,
    so the minimum is a root of the moments.
    """
    start = np.asarray(start, dtype=float)
    r = optimize.least_squares(resid, start, method="lm", xtol=1e-12, ftol=1e-12, gtol=1e-12,
                               max_nfev=max(int(maxiter), 1))
    ok = bool(r.status > 0) and np.all(np.isfinite(r.x))
    info = {
        "optimizer": "Levenberg-Marquardt on W^(1/2) m(theta) (scipy least_squares)",
        "start": start.tolist(),
        "n_fev": int(r.nfev),
        "criterion": float(2 * r.cost),
        "message": str(r.message),
    }
    return r.x, ok, info


def fit_acf(a: Arrays, w: np.ndarray | None, opts: dict) -> CoreFit:
    X, Xl, Z, ph, phl, w2, b1 = acf_stage_arrays(a, w, opts)
    mdeg = opts["markov_degree"]
    sw = len(ph) if w2 is None else w2.sum()
    Zw = Z if w2 is None else Z * w2[:, None]
    Wm = np.linalg.pinv(Zw.T @ Z / sw)
    # W^(1/2) through an eigen-decomposition (W is symmetric positive semi-definite)
    ev, evec = np.linalg.eigh(Wm)
    Wh = evec @ np.diag(np.sqrt(np.clip(ev, 0, None))) @ evec.T

    def moments(theta: np.ndarray) -> np.ndarray:
        om = ph - X @ theta
        oml = phl - Xl @ theta
        xi = _markov_residual(om, oml, mdeg, w2)
        return Wh @ (Zw.T @ xi / sw)

    given = opts.get("start")  # bootstrap replications: the point estimate first
    user = opts.get("starts")  # the public start= (prodest's theta0): these starts only
    if user is not None:
        starts = [np.asarray(st, dtype=float) for st in user]
    else:
        ols = _ols_start(a, w)
        k = len(ols)
        # the moments can have several roots and spurious local minima: try a few starts
        starts = [ols, 0.5 * ols, 1.5 * ols, np.full(k, 0.3), np.full(k, 0.1)]
    if given is not None:
        starts = [np.asarray(given, dtype=float), *starts]
    try_all = bool(opts.get("try_all_starts", False))
    tried, fits = [], []
    for st in starts:
        theta, ok, info = _solve_moments(moments, st, maxiter=opts["maxiter"])
        tried.append({"start": info["start"], "estimate": theta.tolist(), "criterion": info["criterion"],
                      "converged": bool(ok), "n_fev": info["n_fev"], "chosen": False})
        fits.append((theta, ok, info))
        if not try_all and ok and info["criterion"] < ROOT_TOL:
            break
    chosen = _choose_start(tried)
    if chosen is None:
        theta, ok, info = fits[-1][0], False, fits[-1][2]
    else:
        theta, ok, info = fits[chosen]
        tried[chosen]["chosen"] = True
    crit = info["criterion"]
    similar = max(ROOT_TOL, 10 * crit)
    others = [t for i, t in enumerate(tried) if i != chosen and t["converged"] and t["criterion"] <= similar
              and np.max(np.abs(np.asarray(t["estimate"]) - theta)) > DISTINCT_ROOT]
    info = dict(info, starts_tried=tried, exact_root=bool(ok and crit < ROOT_TOL),
                distinct_roots=[t["estimate"] for t in others])
    return CoreFit(beta=theta, converged=ok, info=info, first_stage=b1)


DISTINCT_ROOT = 1e-4  # estimates further apart than this (max abs difference) are different roots


def _choose_start(tried: list[dict]) -> int | None:
    """The first exact root in the order tried, else the converged start with the lowest criterion."""
    for i, t in enumerate(tried):
        if t["converged"] and t["criterion"] < ROOT_TOL:
            return i
    ok = [i for i, t in enumerate(tried) if t["converged"]]
    return min(ok, key=lambda i: tried[i]["criterion"]) if ok else None


# --------------------------------------------------------------------------- Wooldridge
def _wrdg_arrays(a: Arrays, opts: dict):
    degree = opts["poly_degree"]
    sel = a.prev >= 0
    pv = a.prev[sel]
    base = [*a.K.T, *a.P.T]
    C = poly_terms(base, degree)  # c(k, m): the proxy polynomial
    return sel, pv, C


def fit_wrdg_iv(a: Arrays, w: np.ndarray | None, opts: dict) -> CoreFit:
    """Stacked 2SLS with a unit-slope Markov process, as R prodest 1.0.1 ``prodestWRDG``."""
    sel, pv, C = _wrdg_arrays(a, opts)
    F, Fl, K = a.F[sel], a.F[pv], a.K[sel]
    Cc, Cl = C[sel], C[pv]
    y1 = a.y[sel]
    # rows of equation 1 over rows of equation 2; the polynomial coefficients are shared
    X = np.vstack([np.column_stack([F, K, Cc]), np.column_stack([F, K, Cl])])
    Z = np.vstack([np.column_stack([Fl, K, Cc]), np.column_stack([Fl, K, Cl])])
    y = np.r_[y1, y1]
    ww = None if w is None else np.r_[w[sel], w[sel]]
    Zw = Z if ww is None else Z * ww[:, None]
    Xhat = Z @ np.linalg.lstsq(Zw.T @ Z, Zw.T @ X, rcond=None)[0]
    D = np.column_stack([np.ones(len(y)), Xhat])
    Dw = D if ww is None else D * ww[:, None]
    DD = Dw.T @ D
    b = np.linalg.lstsq(DD, Dw.T @ y, rcond=None)[0]
    k = a.F.shape[1] + a.K.shape[1]
    cov = None
    if w is None:
        e = y - D @ b  # residuals of the second-stage regression on fitted regressors (as prodest)
        sigma2 = (e @ e) / (len(y) - D.shape[1])
        cov = (sigma2 * np.linalg.pinv(DD))[1 : 1 + k, 1 : 1 + k]
    return CoreFit(beta=b[1 : 1 + k], const=float(b[0]), cov=cov,
                   info={"optimizer": "closed form (stacked two-stage least squares)"})


def fit_rob(a: Arrays, w: np.ndarray | None, opts: dict) -> CoreFit:
    """Wooldridge's one-step IV estimator in Robinson's form, as R prodest 1.0.1 ``prodestROB``.

    One 2SLS on the rows with an exact t-1 row: y on ``[1, w, k, c(k₋₁, m₋₁)]`` with instruments
    ``[1, w₋₁, k, c(k₋₁, m₋₁)]`` (just identified; c the degree-``poly_degree`` polynomial without
    intercept). SE: the conventional 2SLS formula s² (X'P_Z X)^-1 with s² = e'e / (n - p) and e the
    structural residuals (R ``ivreg``'s default).
    """
    sel, pv, C = _wrdg_arrays(a, opts)
    n = int(sel.sum())
    f, s = a.F.shape[1], a.K.shape[1]
    one = np.ones(n)
    X = np.column_stack([one, a.F[sel], a.K[sel], C[pv]])
    Z = np.column_stack([one, a.F[pv], a.K[sel], C[pv]])
    y = a.y[sel]
    ww = None if w is None else w[sel]
    Zw = Z if ww is None else Z * ww[:, None]
    Xhat = Z @ np.linalg.lstsq(Zw.T @ Z, Zw.T @ X, rcond=None)[0]
    Xhw = Xhat if ww is None else Xhat * ww[:, None]
    XX = Xhw.T @ Xhat
    b = np.linalg.lstsq(XX, Xhw.T @ y, rcond=None)[0]
    cov = None
    if w is None:
        e = y - X @ b  # structural residuals (actual regressors), as ivreg
        sigma2 = (e @ e) / (n - X.shape[1])
        cov = (sigma2 * np.linalg.pinv(XX))[1 : 1 + f + s, 1 : 1 + f + s]
    return CoreFit(beta=b[1 : 1 + f + s], const=float(b[0]), cov=cov,
                   info={"optimizer": "closed form (two-stage least squares)"})


def fit_wrdg_gmm(a: Arrays, w: np.ndarray | None, opts: dict) -> CoreFit:
    """Two-equation linear system GMM as in R prodest's ``prodestWRDG_GMM``."""
    sel, pv, C = _wrdg_arrays(a, opts)
    n = int(sel.sum())
    f, s = a.F.shape[1], a.K.shape[1]
    one = np.ones(n)
    Fc, Kc, Cc, Cl, Fl = a.F[sel], a.K[sel], C[sel], C[pv], a.F[pv]
    y = a.y[sel]
    ww = np.ones(n) if w is None else w[sel]
    # equation 1: y = a0 + Fβ + c(k,m)λ (c includes k, whose coefficient is shared: γ)
    # equation 2: y = a0 + e0 + Fβ + kγ + c(k_{t-1}, m_{t-1})δ
    C_nok = Cc[:, s:]  # c terms other than the state's own first-degree terms
    nU1 = C_nok.shape[1]
    nU2 = 1 + Cl.shape[1]
    X1 = np.column_stack([one, Fc, Kc, C_nok, np.zeros((n, nU2))])
    X2 = np.column_stack([one, Fc, Kc, np.zeros((n, nU1)), one, Cl])
    Z1 = np.column_stack([one, Fc, Cc])
    Z2 = np.column_stack([one, Fl, Kc, Cl])
    q1, q2 = Z1.shape[1], Z2.shape[1]
    Z1w, Z2w = Z1 * ww[:, None], Z2 * ww[:, None]
    G = np.vstack([Z1w.T @ X1, Z2w.T @ X2])
    gy = np.r_[Z1w.T @ y, Z2w.T @ y]
    ZZ = np.zeros((q1 + q2, q1 + q2))
    ZZ[:q1, :q1] = Z1w.T @ Z1
    ZZ[q1:, q1:] = Z2w.T @ Z2

    def step(W: np.ndarray) -> np.ndarray:
        GW = G.T @ W
        return np.linalg.lstsq(GW @ G, GW @ gy, rcond=None)[0]

    W1 = np.diag(1.0 / np.diag(ZZ)) if opts.get("diag_initial", False) else np.linalg.pinv(ZZ)
    b1 = step(W1)
    u1, u2 = y - X1 @ b1, y - X2 @ b1
    sigma = ((ww * u1 * u1).sum() + (ww * u2 * u2).sum()) / (2 * ww.sum())
    W2 = np.linalg.pinv(sigma * ZZ)
    b2 = step(W2)
    cov = None
    info: dict = {"optimizer": "closed form (two-step linear GMM)"}
    if w is None:
        u1, u2 = y - X1 @ b2, y - X2 @ b2
        sigma = ((u1 @ u1) + (u2 @ u2)) / (2 * n)
        keep = slice(1, 1 + f + s)
        homo = np.linalg.pinv(G.T @ np.linalg.pinv(sigma * ZZ) @ G)
        cov = {"homoskedastic": homo[keep, keep],
               # prodest 1.0.1's weightM(SE = TRUE): sigma = u'u / N over the 2N stacked residuals (twice ours)
               "prodest": (2.0 * homo)[keep, keep]}
        # firm-clustered sandwich: both equations' moment contributions of a firm summed (their errors share
        # epsilon_it, and xi/epsilon are serially correlated within a firm); G/(G-1) factor
        codes = a.codes[sel]
        scores = np.column_stack([
            np.bincount(codes, weights=col, minlength=a.n_units)
            for col in np.column_stack([Z1 * u1[:, None], Z2 * u2[:, None]]).T
        ])
        n_g = len(np.unique(codes))
        omega = scores.T @ scores * n_g / max(n_g - 1, 1)
        bread = np.linalg.pinv(G.T @ W2 @ G)  # b2 = bread G'W2 gy
        meat = G.T @ W2 @ omega @ W2 @ G
        cov["firm_cluster"] = (bread @ meat @ bread)[keep, keep]
        info["cov_alternatives"] = {k: v.tolist() for k, v in cov.items()}
        cov = cov["firm_cluster"]  # the one that matches the Monte Carlo SD (bench/productivity/wrdg_gmm_se_mc.py)
    return CoreFit(beta=b2[1 : 1 + f + s], const=float(b2[0]), cov=cov, info=info)


CORES = {
    "ols": fit_ols,
    "fe": fit_fe,
    "op": fit_oplp,
    "lp": fit_oplp,
    "acf": fit_acf,
    "wrdg": fit_wrdg_iv,
    "wrdg_gmm": fit_wrdg_gmm,
    "rob": fit_rob,
}
