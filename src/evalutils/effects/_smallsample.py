"""Small-sample inference for estimators that are averages over strata of units (cohorts).

Every staggered-adoption estimate in this package is, to first order, a sum of independent
cluster contributions ``s_c`` (influence-function sums, or the BJS ``sum v_it e_it``). Its
variance is estimated here as in a stratified sample, with the strata the support cohorts
(and the never-supported firms):

    V = sum_s  n_s / (n_s - 1) * sum_{c in s} (s_c - mean_s)^2

* the factor ``n_s / (n_s - 1)`` undoes the shrinkage of contributions that were centred on a
  cohort mean estimated from the same few firms (with two firms in a cohort the plain
  influence-function variance is half the true one);
* centring within strata conditions on the cohort sizes (the province's supported firms are
  what they are);
* the critical value is Student t with Welch–Satterthwaite degrees of freedom
  ``df = V^2 / sum_s (V_s^2 / (n_s - 1))``: with many never-supported firms and a few supported
  ones, df is close to the number of supported firms (minus one per cohort, weighted), so a
  cohort of two firms gives an honestly wide interval instead of a collapsed one.

See docs/inference.md for the derivation and the Monte Carlo evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _dist


@dataclass(frozen=True)
class StratifiedVariance:
    variance: np.ndarray  # (K,) on the estimate's scale
    df: np.ndarray  # (K,) Welch–Satterthwaite degrees of freedom (>= 1)

    @property
    def std_error(self) -> np.ndarray:
        return np.sqrt(self.variance)

    def crit(self, alpha: float) -> np.ndarray:
        return np.array([_dist.StudentT(d).ppf(1 - alpha / 2) for d in self.df])


def merge_singletons(strata: np.ndarray) -> np.ndarray:
    """Codes 0..S-1 with every stratum of one cluster merged into one 'rest' stratum (or its neighbour)."""
    codes, inv, counts = np.unique(strata, return_inverse=True, return_counts=True)
    single = counts[inv] == 1
    if single.any():
        out = inv.copy()
        out[single] = -1  # one pooled stratum of the singletons
        if single.sum() == 1:  # a lone singleton joins the largest stratum
            out[single] = int(np.argmax(np.where(counts > 1, counts, -1)))
        return np.unique(out, return_inverse=True)[1]
    return inv


def _stratum_deviations(contrib: np.ndarray, strata: np.ndarray | None
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each cluster's contributions (clusters x K) minus its stratum's mean, the strata codes (singleton strata
    merged) and the strata sizes."""
    contrib = np.asarray(contrib, dtype=float)
    if contrib.ndim == 1:
        contrib = contrib[:, None]
    G, K = contrib.shape
    codes = np.zeros(G, dtype=np.int64) if strata is None else merge_singletons(np.asarray(strata))
    S = int(codes.max()) + 1 if G else 0
    n_s = np.bincount(codes, minlength=S).astype(float)
    sums = np.zeros((S, K))
    np.add.at(sums, codes, contrib)
    return contrib - (sums / np.maximum(n_s, 1)[:, None])[codes], codes, n_s


def stratified_variance(contrib: np.ndarray, strata: np.ndarray | None, *, scale: float = 1.0,
                        work: np.ndarray | None = None) -> StratifiedVariance:
    """Variance and df of ``scale * sum_c contrib_c`` (``contrib``: clusters x K) with strata codes per cluster.

    ``strata=None`` treats all clusters as one stratum (CR1-type factor G/(G-1), df = G - 1).
    ``work`` (clusters x K): each cluster's variance under a working model (e.g. i.i.d. outcome noise:
    the sum of its squared linear weights). When given, the Welch–Satterthwaite df is computed from the
    working-model stratum variances instead of the estimated ones (as Bell and McCaffrey 2002 and
    Imbens and Kolesár 2016 do): with two or three clusters in a stratum the estimated variances are
    so noisy that the plug-in df is biased down and the test too conservative.
    """
    dev, codes, n_s = _stratum_deviations(contrib, strata)
    G, K = dev.shape
    S = len(n_s)
    ss = np.zeros((S, K))
    np.add.at(ss, codes, dev**2)
    ok = n_s > 1
    V_s = np.where(ok[:, None], ss * (n_s / np.maximum(n_s - 1, 1))[:, None], 0.0) * scale**2
    V = V_s.sum(axis=0)
    D_s = V_s
    if work is not None:
        work = np.asarray(work, dtype=float)
        if work.ndim == 1:
            work = work[:, None]
        D_s = np.zeros((S, K))
        np.add.at(D_s, codes, work)
        D_s = np.where(ok[:, None], D_s, 0.0)
    D = D_s.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        den = (D_s**2 / np.maximum(n_s - 1, 1)[:, None]).sum(axis=0)
        df = np.where(den > 0, D**2 / den, max(G - 1, 1))
    return StratifiedVariance(variance=V, df=np.maximum(df, 1.0))


def stratified_covariance(contrib: np.ndarray, strata: np.ndarray | None, *, scale: float = 1.0) -> np.ndarray:
    """Covariance matrix (K x K) of ``scale * sum_c contrib_c`` for several estimates at once, the matrix form of
    :func:`stratified_variance`: ``sum_s n_s/(n_s - 1) sum_{c in s} (s_c - mean_s)(s_c - mean_s)'``. Its diagonal
    is ``stratified_variance(...).variance`` and ``l' V l`` is the stratified variance of ``contrib @ l``."""
    dev, codes, n_s = _stratum_deviations(contrib, strata)
    factor = np.where(n_s > 1, n_s / np.maximum(n_s - 1, 1), 0.0)[codes]
    V = (dev * factor[:, None]).T @ dev * scale**2
    return (V + V.T) / 2


def t_power(shift: np.ndarray | float, df: float, crit: float) -> np.ndarray:
    """Power of a two-sided t test with critical value ``crit`` when the statistic is centred at ``shift``
    (shifted-t approximation to the noncentral t)."""
    d = _dist.StudentT(df)
    shift = np.asarray(shift, dtype=float)
    return d.sf(crit - shift) + d.cdf(-crit - shift)


def detectable(df: float, std_error: float, *, alpha: float, power: float) -> float:
    """Smallest effect detected with probability ``power`` by a two-sided level-``alpha`` t test."""
    d = _dist.StudentT(df)
    return float((d.ppf(1 - alpha / 2) + d.ppf(power)) * std_error)


class OverallInference:
    """Interval and p-value of an overall ATT from ``overall_estimate``, ``overall_std_error``, ``alpha`` and
    ``overall_df`` (Student t with those degrees of freedom; normal when ``None``). Shared by the results of
    :func:`~evalutils.effects.att_gt`'s aggregations and :func:`~evalutils.effects.did_imputation`."""

    def _overall_dist(self):
        return _dist.norm if self.overall_df is None else _dist.StudentT(self.overall_df)

    @property
    def overall_crit(self) -> float:
        """Critical value of the overall ATT's pointwise interval (t with ``overall_df``, else normal)."""
        return float(self._overall_dist().ppf(1 - self.alpha / 2))

    @property
    def conf_int(self) -> tuple[float, float]:
        """Pointwise (1 - alpha) interval of the overall ATT."""
        c = self.overall_crit
        return (self.overall_estimate - c * self.overall_std_error, self.overall_estimate + c * self.overall_std_error)

    @property
    def p_value(self) -> float:
        stat = abs(self.overall_estimate / self.overall_std_error) if self.overall_std_error > 0 else np.inf
        return float(2 * self._overall_dist().sf(stat))
