"""Influence-function inference shared by the staggered-adoption estimators.

Convention: an estimator with K parameters provides an influence matrix ``psi`` (n units x K)
such that ``theta_hat - theta ~= (1/n) * sum_i psi_i``. Then

* analytic variance (clustered):  V = (1/n^2) * sum_c (sum_{i in c} psi_i)(sum_{i in c} psi_i)'
  (with one unit per cluster this is did's ``t(psi) %*% psi / n^2``);
* multiplier bootstrap: theta*_b = (1/n) sum_c v_bc * (sum_{i in c} psi_i), with v i.i.d.
  Mammen or Rademacher weights drawn once per cluster; the bootstrap standard error is the
  normalised inter-quartile range (as in did's ``mboot``) and the simultaneous band uses the
  (1 - alpha) quantile of max_k |theta*_bk| / se_k.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

Multiplier = Literal["mammen", "rademacher"]
BOOTSTRAP_CHOICES = ("mammen", "rademacher", "none")

_SQRT5 = np.sqrt(5.0)
_MAMMEN_LOW = (1 - _SQRT5) / 2
_MAMMEN_HIGH = (1 + _SQRT5) / 2
_MAMMEN_P_LOW = (_SQRT5 + 1) / (2 * _SQRT5)
_IQR_NORMAL = stats.norm.ppf(0.75) - stats.norm.ppf(0.25)


def cluster_sums(psi: np.ndarray, codes: np.ndarray | None, n_clusters: int | None) -> np.ndarray:
    """Sum the influence matrix within clusters (rows are units)."""
    if codes is None:
        return psi
    out = np.zeros((n_clusters, psi.shape[1]))
    np.add.at(out, codes, psi)
    return out


def analytic_vcov(psi_c: np.ndarray, n: int) -> np.ndarray:
    return psi_c.T @ psi_c / n**2


def multiplier_weights(rng: np.random.Generator, size: tuple[int, int], kind: Multiplier) -> np.ndarray:
    if kind == "rademacher":
        return rng.integers(0, 2, size=size).astype(np.float64) * 2.0 - 1.0
    u = rng.random(size)
    return np.where(u < _MAMMEN_P_LOW, _MAMMEN_LOW, _MAMMEN_HIGH)


def multiplier_draws(
    psi_c: np.ndarray, n: int, *, kind: Multiplier, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """Bootstrap draws (n_boot x K) of theta* - theta_hat; memory bounded by drawing in chunks."""
    G, K = psi_c.shape
    out = np.empty((n_boot, K))
    chunk = max(1, min(n_boot, int(2e7 // max(G, 1))))
    for start in range(0, n_boot, chunk):
        stop = min(n_boot, start + chunk)
        v = multiplier_weights(rng, (stop - start, G), kind)
        out[start:stop] = v @ psi_c / n
    return out


@dataclass(frozen=True)
class Inference:
    std_error: np.ndarray  # reported standard errors (bootstrap if bootstrapped, else analytic)
    std_error_analytic: np.ndarray
    crit_pointwise: float
    crit_band: float  # simultaneous critical value (pointwise if not bootstrapped)
    bootstrapped: bool


def infer(
    psi: np.ndarray,
    *,
    codes: np.ndarray | None,
    n_clusters: int | None,
    bootstrap: str,
    n_boot: int,
    rng: np.random.Generator | None,
    alpha: float,
) -> Inference:
    n = psi.shape[0]
    psi_c = cluster_sums(psi, codes, n_clusters)
    se_a = np.sqrt(np.clip(np.einsum("ij,ij->j", psi_c, psi_c), 0, None)) / n
    z = float(stats.norm.ppf(1 - alpha / 2))
    if bootstrap == "none" or psi.shape[1] == 0:
        return Inference(se_a, se_a, z, z, False)
    assert rng is not None
    draws = multiplier_draws(psi_c, n, kind=bootstrap, n_boot=n_boot, rng=rng)  # type: ignore[arg-type]
    q75, q25 = np.quantile(draws, [0.75, 0.25], axis=0)
    se_b = (q75 - q25) / _IQR_NORMAL
    ok = se_b > np.sqrt(np.finfo(float).eps) * 10
    if ok.any():
        tmax = np.max(np.abs(draws[:, ok]) / se_b[ok], axis=1)
        crit = float(np.quantile(tmax, 1 - alpha))
    else:
        crit = z
    se = np.where(ok, se_b, se_a)
    return Inference(se, se_a, z, crit, True)
