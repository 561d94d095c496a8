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
from .. import _dist

Multiplier = Literal["mammen", "rademacher"]
BOOTSTRAP_CHOICES = ("mammen", "rademacher", "none")

_SQRT5 = np.sqrt(5.0)
_MAMMEN_LOW = (1 - _SQRT5) / 2
_MAMMEN_HIGH = (1 + _SQRT5) / 2
_MAMMEN_P_LOW = (_SQRT5 + 1) / (2 * _SQRT5)
_IQR_NORMAL = _dist.norm.ppf(0.75) - _dist.norm.ppf(0.25)


def cluster_sums(psi: np.ndarray, codes: np.ndarray | None, n_clusters: int | None) -> np.ndarray:
    """Sum the influence matrix within clusters (rows are units)."""
    if codes is None:
        return psi
    out = np.zeros((n_clusters, psi.shape[1]))
    np.add.at(out, codes, psi)
    return out


def analytic_vcov(psi_c: np.ndarray, n: int) -> np.ndarray:
    return psi_c.T @ psi_c / n**2


_MAMMEN_THRESHOLD = np.uint32(round(_MAMMEN_P_LOW * 2**32))  # P(low) exact to 2e-10


def _indicator_block(rng: np.random.Generator, rows: int, G: int, threshold: np.uint32) -> np.ndarray:
    """rows x G float32 matrix of 1{u < threshold} for i.i.d. uniform 32-bit u (from raw PCG64 output)."""
    n = rows * G
    raw = rng.bit_generator.random_raw((n + 1) // 2).view(np.uint32)[:n]
    return (raw < threshold).reshape(rows, G).astype(np.float32)


def multiplier_draws(
    psi_c: np.ndarray, n: int, *, kind: Multiplier, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """Bootstrap draws (n_boot x K) of theta* - theta_hat; memory bounded by drawing in chunks.

    A two-point weight v = hi + (lo - hi) * B with B ~ Bernoulli(p) gives
    v'psi = hi * sum(psi) + (lo - hi) * B'psi, so only the 0/1 matrix B is generated (float32
    product; the bootstrap's own Monte Carlo error is orders of magnitude larger).
    """
    G, K = psi_c.shape
    if kind == "rademacher":
        lo, hi, thr = -1.0, 1.0, np.uint32(2**31)
    else:
        lo, hi, thr = _MAMMEN_LOW, _MAMMEN_HIGH, _MAMMEN_THRESHOLD
    total = psi_c.sum(axis=0)
    psi32 = psi_c.astype(np.float32)
    out = np.empty((n_boot, K))
    chunk = max(1, min(n_boot, int(2e7 // max(G, 1))))
    for start in range(0, n_boot, chunk):
        stop = min(n_boot, start + chunk)
        B = _indicator_block(rng, stop - start, G, thr)
        out[start:stop] = (hi * total[None, :] + (lo - hi) * (B @ psi32).astype(np.float64)) / n
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
    z = float(_dist.norm.ppf(1 - alpha / 2))
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
