"""Two-way fixed-effect solvers on index arrays (numpy only, no dense dummies)."""

from __future__ import annotations

import numpy as np

from evalutils.errors import EstimationError


def fit_two_way(
    y: np.ndarray, u: np.ndarray, t: np.ndarray, n_u: int, n_t: int, *, tol: float = 1e-12, max_iter: int = 10_000
) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares unit and time effects of ``y`` (alternating projections).

    Returns (alpha of length n_u, lambda of length n_t); units/periods absent from the data get NaN.
    """
    cu = np.bincount(u, minlength=n_u).astype(float)
    ct = np.bincount(t, minlength=n_t).astype(float)
    a = np.zeros(n_u)
    b = np.zeros(n_t)
    scale = max(1.0, float(np.abs(y).max()) if y.size else 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        for _ in range(max_iter):
            a_new = np.bincount(u, weights=y - b[t], minlength=n_u) / cu
            a_new[cu == 0] = 0.0
            b_new = np.bincount(t, weights=y - a_new[u], minlength=n_t) / ct
            b_new[ct == 0] = 0.0
            delta = max(np.max(np.abs(a_new - a), initial=0), np.max(np.abs(b_new - b), initial=0))
            a, b = a_new, b_new
            if delta < tol * scale:
                break
        else:
            raise EstimationError("two-way fixed effects did not converge")
    a[cu == 0] = np.nan
    b[ct == 0] = np.nan
    return a, b


def solve_normal_equations(
    r_u: np.ndarray, r_t: np.ndarray, u: np.ndarray, t: np.ndarray, n_u: int, n_t: int,
    *, tol: float = 1e-13, max_iter: int = 20_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Solve Z'Z g = r for the two-way dummy design Z on rows (u, t) by Gauss–Seidel.

    ``r_u``/``r_t`` are the unit and time blocks of r, one column per right-hand side
    (shapes n_u x K and n_t x K). Returns (g_u, g_t); Z g on row (i, s) is g_u[i] + g_t[s].
    """
    cu = np.bincount(u, minlength=n_u).astype(float)
    ct = np.bincount(t, minlength=n_t).astype(float)
    K = r_u.shape[1]
    gu = np.zeros((n_u, K))
    gt = np.zeros((n_t, K))
    scale = max(1.0, float(np.abs(r_u).max(initial=0)), float(np.abs(r_t).max(initial=0)))
    safe_u = np.where(cu > 0, cu, 1.0)
    safe_t = np.where(ct > 0, ct, 1.0)
    for _ in range(max_iter):
        gu_new = np.empty_like(gu)
        gt_new = np.empty_like(gt)
        for k in range(K):
            gu_new[:, k] = (r_u[:, k] - np.bincount(u, weights=gt[t, k], minlength=n_u)) / safe_u
        for k in range(K):
            gt_new[:, k] = (r_t[:, k] - np.bincount(t, weights=gu_new[u, k], minlength=n_t)) / safe_t
        delta = max(np.max(np.abs(gu_new - gu), initial=0), np.max(np.abs(gt_new - gt), initial=0))
        gu, gt = gu_new, gt_new
        if delta < tol * scale:
            break
    else:
        raise EstimationError("imputation weights did not converge")
    return gu, gt


class TwoWayWithin:
    """Exact two-way within transformation for fixed (unit, period) rows, balanced or not.

    Unit effects are eliminated analytically and the time effects solve the n_t x n_t system
    (diag(c) - S' diag(1/n_i) S) b = r, with S the sparse unit-by-period incidence matrix; cost
    O(N) per column plus one small dense solve, so it suits firm-year panels (few periods, many
    firms). The structure is built once and reused for any number of columns.
    """

    def __init__(self, u: np.ndarray, t: np.ndarray, n_u: int, n_t: int):
        from scipy import sparse

        self.u, self.t, self.n_u, self.n_t = u, t, n_u, n_t
        n_i = np.bincount(u, minlength=n_u).astype(float)
        c_t = np.bincount(t, minlength=n_t).astype(float)
        self.safe = np.where(n_i > 0, n_i, 1.0)
        self.S = sparse.csr_matrix((np.ones(len(u)), (u, t)), shape=(n_u, n_t))
        M = np.diag(c_t) - (self.S.T @ sparse.diags(1.0 / self.safe) @ self.S).toarray()
        self.Mpinv = np.linalg.pinv(M, rcond=1e-12)

    def apply(self, V: np.ndarray) -> np.ndarray:
        V = np.asarray(V, dtype=float)
        if V.ndim == 1:
            V = V[:, None]
        u, t, n_u, n_t = self.u, self.t, self.n_u, self.n_t
        m = V.shape[1]
        vbar = np.column_stack([np.bincount(u, weights=V[:, j], minlength=n_u) for j in range(m)]) / self.safe[:, None]
        dev = V - vbar[u]
        r = np.column_stack([np.bincount(t, weights=dev[:, j], minlength=n_t) for j in range(m)])
        b = self.Mpinv @ r
        bbar = (self.S @ b) / self.safe[:, None]
        return dev + bbar[u] - b[t]


def within_two_way(V: np.ndarray, u: np.ndarray, t: np.ndarray, n_u: int, n_t: int) -> np.ndarray:
    """Exact two-way within transformation of the columns of ``V`` (N x m); see :class:`TwoWayWithin`."""
    return TwoWayWithin(u, t, n_u, n_t).apply(V)
