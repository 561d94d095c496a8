"""Two-group, two-period DiD estimators for panel data with their influence functions.

Written from the formulas in Sant'Anna and Zhao (2020, Journal of Econometrics 219(1)) as
implemented by the R package DRDID: outcome regression (``reg_did_panel``), normalised
(Hajek) inverse probability weighting (``std_ipw_did_panel``) and the doubly robust estimator
(``drdid_panel``). Each function returns the ATT and an influence function ``inf`` with
``att_hat - att ~= mean(inf)`` over the n units passed in, so Var(att_hat) ~= mean(inf^2)/n.
"""

from __future__ import annotations

import numpy as np

from evalutils.errors import EstimationError

PS_TRIM = 0.995  # controls with a propensity score above this are dropped (DRDID default)


def _ols(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares; returns coefficients and inv(X'WX / n)."""
    n = X.shape[0]
    XtWX = (X * w[:, None]).T @ X / n
    try:
        inv = np.linalg.inv(XtWX)
    except np.linalg.LinAlgError as exc:
        raise EstimationError("outcome regression: covariates are collinear among the controls") from exc
    if np.linalg.cond(XtWX) > 1e12:
        raise EstimationError("outcome regression: covariates are collinear among the controls")
    beta = inv @ ((X * w[:, None]).T @ y / n)
    return beta, inv


def _logit(X: np.ndarray, d: np.ndarray, *, max_iter: int = 50, tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Logit by Newton-Raphson; returns fitted probabilities and inv(Hessian / n)."""
    n, k = X.shape
    beta = np.zeros(k)
    p1 = d.mean()
    beta[0] = np.log(p1 / (1 - p1))  # X[:, 0] is the intercept
    for _ in range(max_iter):
        eta = np.clip(X @ beta, -35, 35)
        p = 1 / (1 + np.exp(-eta))
        W = p * (1 - p)
        H = (X * W[:, None]).T @ X
        g = X.T @ (d - p)
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError as exc:
            raise EstimationError("propensity score: covariates are collinear") from exc
        beta = beta + step
        if np.max(np.abs(step)) < tol:
            break
    eta = np.clip(X @ beta, -35, 35)
    p = 1 / (1 + np.exp(-eta))
    W = p * (1 - p)
    H = (X * W[:, None]).T @ X / n
    if np.linalg.cond(H) > 1e12:
        raise EstimationError(
            "propensity score: the logit is (nearly) singular: covariates are collinear or separate "
            "treated from controls perfectly"
        )
    return p, np.linalg.inv(H)


def did_panel(dy: np.ndarray, d: np.ndarray, X: np.ndarray, method: str) -> tuple[float, np.ndarray]:
    """ATT of the 2x2 comparison and its influence function.

    dy: outcome change (t minus base) per unit; d: 1 for the treated group, 0 for controls;
    X: covariates with an intercept in the first column (base-period values).
    """
    n = dy.shape[0]
    d = d.astype(np.float64)
    if X.shape[1] == 1:
        # intercept only: reg, ipw and dr all reduce to the difference in mean changes
        p1 = d.mean()
        p0 = 1.0 - p1
        m1 = float(np.dot(d, dy) / (p1 * n))
        m0 = float(np.dot(1.0 - d, dy) / (p0 * n))
        inf = d * (dy - m1) / p1 - (1.0 - d) * (dy - m0) / p0
        return m1 - m0, inf
    if method == "reg":
        w_ols = 1 - d
        beta, XpXinv = _ols(X, dy, w_ols)
        fitted = X @ beta
        w_treat = d
        m_t = w_treat.mean()
        eta_treat = np.mean(w_treat * dy) / m_t
        eta_cont = np.mean(w_treat * fitted) / m_t
        att = eta_treat - eta_cont
        lin_ols = (w_ols * (dy - fitted))[:, None] * X @ XpXinv
        inf_treat = (w_treat * dy - w_treat * eta_treat) / m_t
        inf_cont_1 = w_treat * fitted - w_treat * eta_cont
        M1 = (w_treat[:, None] * X).mean(axis=0)
        inf_control = (inf_cont_1 + lin_ols @ M1) / m_t
        return float(att), inf_treat - inf_control

    ps, Hinv = _logit(X, d)
    ps = np.minimum(ps, 1 - 1e-6)
    keep = np.where(d == 1, 1.0, (ps < PS_TRIM).astype(float))
    w_treat = keep * d
    w_cont = keep * ps * (1 - d) / (1 - ps)
    m_t, m_c = w_treat.mean(), w_cont.mean()
    if m_c <= 0:
        raise EstimationError("propensity score: no control unit left after trimming (no overlap)")
    lin_ps = ((d - ps)[:, None] * X) @ Hinv
    if method == "ipw":
        att_t = w_treat * dy
        att_c = w_cont * dy
        eta_treat = att_t.mean() / m_t
        eta_cont = att_c.mean() / m_c
        inf_treat = (att_t - w_treat * eta_treat) / m_t
        inf_cont = (att_c - w_cont * eta_cont) / m_c
        M2 = (w_cont * (dy - eta_cont))[:, None] * X
        inf_cont = inf_cont + lin_ps @ (M2.mean(axis=0) / m_c)
        return float(eta_treat - eta_cont), inf_treat - inf_cont

    # doubly robust (Sant'Anna and Zhao 2020, "traditional" DR estimator, as in did)
    w_ols = 1 - d
    beta, XpXinv = _ols(X, dy, w_ols)
    fitted = X @ beta
    resid = dy - fitted
    att_t = w_treat * resid
    att_c = w_cont * resid
    eta_treat = att_t.mean() / m_t
    eta_cont = att_c.mean() / m_c
    lin_ols = (w_ols * resid)[:, None] * X @ XpXinv
    inf_treat = (att_t - w_treat * eta_treat - lin_ols @ (w_treat[:, None] * X).mean(axis=0)) / m_t
    M2 = ((w_cont * (resid - eta_cont))[:, None] * X).mean(axis=0)
    M3 = (w_cont[:, None] * X).mean(axis=0)
    inf_control = (att_c - w_cont * eta_cont + lin_ps @ M2 - lin_ols @ M3) / m_c
    return float(eta_treat - eta_cont), inf_treat - inf_control
