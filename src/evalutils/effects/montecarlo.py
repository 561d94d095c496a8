"""Province-scale Monte Carlo: simulated firm panels like a province's, and the properties of the
suite's inference on them (pre-trend test size and power, interval coverage and width, power at the MDE).

Used by ``bench/effects/inference_mc.py`` (the table in docs/inference.md) and, with few
replications, by ``tests/effects/test_inference_mc.py``. One generator, one seed.

The data-generating process mirrors the demo data (:mod:`evalutils.demo`): years 2015–2025,
support cohorts 2021–2025, log productivity

    y_it = a_i + year_t + u_it + e_it + tau_it,   u_it AR(1) (rho, innovation sd 0.12), e_it ~ N(0, 0.1^2)

with selection on levels (supported firms have a higher a_i), and effects that differ by firm and
grow with time since support: tau_it = b_i + s_i * (t - g_i) for t >= g_i.
A linear pre-trend of ``pre_trend`` per year before support can be added to the supported firms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

YEARS = (2015, 2025)
COHORTS = (2021, 2022, 2023, 2024, 2025)


@dataclass(frozen=True)
class Design:
    """One simulated design: ``n_firms`` firms of which ``n_supported`` spread evenly over ``cohorts``."""

    name: str
    n_firms: int
    n_supported: int
    cohorts: tuple[int, ...] = COHORTS
    years: tuple[int, int] = YEARS
    rho: float = 0.8
    effect: str = "heterogeneous"  # "heterogeneous" (b_i + s_i e), "constant" (effect_size), "none"
    effect_size: float = 0.0
    pre_trend: float = 0.0
    selection: float = 0.5  # supported firms' mean advantage in log productivity level

    def cohort_sizes(self) -> np.ndarray:
        k = len(self.cohorts)
        base = np.full(k, self.n_supported // k)
        base[: self.n_supported % k] += 1
        return base


def simulate_panel(design: Design, rng: np.random.Generator) -> pd.DataFrame:
    """Balanced firm-year panel: firm, year, g (first support year, 0 = never), y, tau (true effect)."""
    t = np.arange(design.years[0], design.years[1] + 1)
    T, n = len(t), design.n_firms
    sizes = design.cohort_sizes()
    g = np.zeros(n, dtype=np.int64)
    g[: design.n_supported] = np.repeat(np.array(design.cohorts), sizes)
    sup = g > 0
    a = rng.normal(0, 0.6, n) + design.selection * sup
    year_fx = 0.03 * (t - t[0]) + np.where(t == 2020, -0.06, 0) + np.where(t == 2021, -0.09, 0)
    sig = 0.12
    u = np.empty((n, T))
    u[:, 0] = rng.normal(0, sig / np.sqrt(1 - design.rho**2), n)
    xi = rng.normal(0, sig, (n, T))
    for j in range(1, T):
        u[:, j] = design.rho * u[:, j - 1] + xi[:, j]
    e = t[None, :] - g[:, None]
    post = sup[:, None] & (e >= 0)
    if design.effect == "heterogeneous":
        b = rng.normal(0.03, 0.03, n)
        s = rng.normal(0.015, 0.01, n)
        tau = np.where(post, b[:, None] + s[:, None] * e, 0.0)
    elif design.effect == "constant":
        tau = np.where(post, design.effect_size, 0.0)
    else:
        tau = np.zeros((n, T))
    trend = np.where(sup[:, None], design.pre_trend * np.minimum(e, 0), 0.0)
    y = a[:, None] + year_fx[None, :] + u + rng.normal(0, 0.1, (n, T)) + tau + trend
    return pd.DataFrame({
        "firm": np.repeat(np.arange(n), T), "year": np.tile(t, n), "g": np.repeat(g, T),
        "y": y.ravel(), "tau": tau.ravel(),
    })


def true_simple_att(df: pd.DataFrame) -> float:
    """Callaway–Sant'Anna "simple" estimand for these firms: post cells weighted by cohort size."""
    post = df[(df["g"] > 0) & (df["year"] >= df["g"])]
    cell = post.groupby(["g", "year"])["tau"].agg(["mean", "size"])
    return float(np.average(cell["mean"], weights=cell["size"]))


def true_imputation_att(df: pd.DataFrame) -> float:
    """BJS overall estimand: the mean effect over treated firm-years."""
    return float(df.loc[(df["g"] > 0) & (df["year"] >= df["g"]), "tau"].mean())


def replicate(design: Design, rng: np.random.Generator, *, alpha: float = 0.05, trend: float = 0.01,
              estimators: tuple[str, ...] = ("att_gt", "imputation"), n_boot: int = 999,
              with_mde: bool = True, compare_asymptotic: bool = False) -> dict[str, float]:
    """One replication: each estimator's overall ATT, interval and coverage; the pre-trend test; the MDE.

    ``compare_asymptotic`` adds the previous inference (did's multiplier-bootstrap SE with normal
    critical values, BJS's variance with normal critical values, did's Wald pre-test) for the table.
    """
    from .did import att_gt
    from .imputation import did_imputation
    from .power import minimum_detectable_effect

    df = simulate_panel(design, rng)
    out: dict[str, float] = {}
    kw = dict(outcome="y", unit="firm", time="year", group="g")
    if "att_gt" in estimators:
        res = att_gt(df, **kw, n_boot=n_boot, seed=int(rng.integers(2**31)))
        agg = res.aggregate("simple")
        lo, hi = agg.conf_int
        truth = true_simple_att(df)
        pt = res.pretest(trend=trend)
        out.update({
            "cs_estimate": agg.overall_estimate, "cs_truth": truth, "cs_covered": float(lo <= truth <= hi),
            "cs_width": hi - lo, "cs_reject0": float(agg.p_value < alpha), "cs_df": float(agg.overall_df or np.nan),
            "pre_reject": float(pt.p_value < alpha), "pre_power": pt.power, "pre_detectable": pt.detectable_trend,
        })
        if compare_asymptotic:
            old = att_gt(df, **kw, n_boot=n_boot, seed=int(rng.integers(2**31)), inference="asymptotic")
            lo, hi = old.aggregate("simple").conf_int
            out.update({"cs_asy_covered": float(lo <= truth <= hi), "cs_asy_width": hi - lo,
                        "pre_wald_reject": float(old.pretest(method="wald").p_value < alpha)})
    if "imputation" in estimators:
        bj = did_imputation(df, **kw)
        lo, hi = bj.conf_int
        truth = true_imputation_att(df)
        out.update({
            "bjs_estimate": bj.overall_estimate, "bjs_truth": truth, "bjs_covered": float(lo <= truth <= hi),
            "bjs_width": hi - lo, "bjs_reject0": float(bj.p_value < alpha),
        })
        if compare_asymptotic:
            lo, hi = did_imputation(df, **kw, inference="asymptotic").conf_int
            out.update({"bjs_asy_covered": float(lo <= truth <= hi), "bjs_asy_width": hi - lo})
    if with_mde:
        out["mde"] = minimum_detectable_effect(df, **kw, alpha=alpha).mde
    return out


def run(design: Design, reps: int, seed: int, **kw) -> pd.DataFrame:
    """``reps`` replications of ``design`` from one seeded generator; one row per replication."""
    rng = np.random.default_rng([seed, design.n_firms, design.n_supported])
    return pd.DataFrame([replicate(design, rng, **kw) for _ in range(reps)])


def summarise(rows: pd.DataFrame) -> dict[str, float]:
    """Rates with their Monte Carlo standard errors, mean widths and MDE."""
    out: dict[str, float] = {"reps": len(rows)}
    for col in rows.columns:
        v = rows[col].to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        if len(v) == 0:
            continue
        out[col] = float(v.mean())
        if col.endswith(("covered", "reject", "reject0")):
            out[col + "_mcse"] = float(np.sqrt(v.mean() * (1 - v.mean()) / len(v)))
    return out
