"""Small seeded Monte Carlo: bias, RMSE and 95% coverage of TWFE, Callaway–Sant'Anna and BJS imputation
under staggered adoption with effects that grow with exposure and differ by cohort; and the size of
analytic CRV1 vs the wild cluster bootstrap (WCR, Webb weights) with few clusters.

A large-sample design (500 firms, ~115 supported per cohort); coverage is of the interval each estimator
reports with its defaults (``conf_int``: the small-sample Student t intervals of att_gt and did_imputation,
TWFE's clustered interval). Province-scale designs: bench/effects/inference_mc.py (docs/inference.md).

Usage: python bench/effects/monte_carlo.py --reps 300 --seed 20200831 [--out bench/effects/monte_carlo.json]
Not part of the test suite (takes a few minutes).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np
import pandas as pd

from evalutils.effects import att_gt, did_imputation, twfe, wild_cluster_bootstrap


def simulate(rng: np.random.Generator, *, n_units=500, years=(2010, 2019), cohorts=(2013, 2015, 2017),
             never_share=0.3, dynamic=True, n_clusters=None, cluster_timing=False) -> pd.DataFrame:
    """Staggered adoption; dynamic effects 0.05 * (1 + e) * (3 - cohort index), or a constant 0.2.

    With ``n_clusters`` units sit in clusters with cluster-by-year shocks; ``cluster_timing`` makes the
    support timing a cluster (province) decision.
    """
    t = np.arange(years[0], years[1] + 1)
    T = len(t)
    share = (1 - never_share) / len(cohorts)
    probs = [never_share] + [share] * len(cohorts)
    unit = np.repeat(np.arange(n_units), T)
    year = np.tile(t, n_units)
    cl_unit = rng.integers(0, n_clusters, n_units) if n_clusters else np.arange(n_units)
    if n_clusters and cluster_timing:
        cohort = rng.choice(np.array((0, *cohorts)), size=n_clusters, p=probs)[cl_unit]
    else:
        cohort = rng.choice(np.array((0, *cohorts)), size=n_units, p=probs)
    g = np.repeat(cohort, T)
    cl = np.repeat(cl_unit, T)
    d = ((g > 0) & (year >= g)).astype(int)
    e = year - g
    ci = np.searchsorted(np.array(cohorts), g)
    tau = np.where(d == 1, 0.05 * (1 + e) * (len(cohorts) - ci), 0.0) if dynamic else np.where(d == 1, 0.2, 0.0)
    y = (np.repeat(rng.normal(0, 1, n_units), T) + 0.03 * (year - years[0]) + tau
         + rng.normal(0, 0.3, n_units * T))
    if n_clusters:
        y = y + rng.normal(0, 0.2, (n_clusters, T))[cl, year - years[0]]
    return pd.DataFrame({"unit": unit, "year": year, "cohort": g, "treated": d, "y": y, "tau": tau, "cl": cl})


def population_simple(years=(2010, 2019), cohorts=(2013, 2015, 2017)) -> float:
    """did's "simple" estimand with population (equal) cohort shares: mean of tau over post (g, t) cells."""
    taus = [0.05 * (1 + (t - g)) * (len(cohorts) - i) for i, g in enumerate(cohorts)
            for t in range(g, years[1] + 1)]
    return float(np.mean(taus))


def did_block(reps: int, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    pop_simple = population_simple()
    for _ in range(reps):
        df = simulate(rng)
        post = df[df["treated"] == 1]
        truth_obs = post["tau"].mean()  # ATT over treated observations (BJS target, TWFE benchmark)
        sizes = df.groupby("cohort")["unit"].nunique()
        cell = post.groupby(["cohort", "year"])["tau"].mean().reset_index()
        truth_simple = np.average(cell["tau"], weights=cell["cohort"].map(sizes))  # did "simple" target
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tw = twfe(df, outcome="y", unit="unit", time="year", treatment="treated", backend="numpy")
        cs = att_gt(df, outcome="y", unit="unit", time="year", group="cohort", bootstrap="none").aggregate("simple")
        bj = did_imputation(df, outcome="y", unit="unit", time="year", group="cohort")
        tw_row = tw.tidy().iloc[0]
        tw_ci = (float(tw_row["conf_low"]), float(tw_row["conf_high"]))
        for name, est, se, ci, truth in (
            ("TWFE (vs ATT over treated obs)", tw.estimate, tw.std_error, tw_ci, truth_obs),
            ("Callaway-Sant'Anna simple (vs sample-share truth)", cs.overall_estimate, cs.overall_std_error,
             cs.conf_int, truth_simple),
            ("Callaway-Sant'Anna simple (vs population-share truth)", cs.overall_estimate, cs.overall_std_error,
             cs.conf_int, pop_simple),
            ("BJS imputation", bj.overall_estimate, bj.overall_std_error, bj.conf_int, truth_obs),
        ):
            rows.append({"estimator": name, "error": est - truth, "covered": ci[0] <= truth <= ci[1],
                         "se": se, "width": ci[1] - ci[0]})
    r = pd.DataFrame(rows)
    return r.groupby("estimator").agg(bias=("error", "mean"), rmse=("error", lambda x: np.sqrt(np.mean(x**2))),
                                      mean_se=("se", "mean"), sd_estimate=("error", "std"),
                                      mean_width=("width", "mean"),
                                      coverage_95=("covered", "mean")).reset_index()


def few_cluster_block(reps: int, rng: np.random.Generator, n_clusters: int = 10,
                      cluster_timing: bool = False) -> pd.DataFrame:
    rej_crv, rej_wcr = [], []
    done = 0
    while done < reps:
        df = simulate(rng, n_units=200, dynamic=False, n_clusters=n_clusters, cluster_timing=cluster_timing)
        if df["treated"].nunique() < 2 or df.groupby("year")["treated"].nunique().max() < 2:
            continue  # no variation to estimate from: redraw
        done += 1
        df["y"] = df["y"] - df["tau"]  # null of no effect
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tw = twfe(df, outcome="y", unit="unit", time="year", treatment="treated", cluster="cl", backend="numpy")
        rej_crv.append(tw.tidy().loc[0, "p_value"] < 0.05)
        wb = wild_cluster_bootstrap(df, outcome="y", unit="unit", time="year", treatment="treated", cluster="cl",
                                    weights="webb", n_boot=399, seed=int(rng.integers(2**31)), conf_int=False)
        rej_wcr.append(wb.p_value < 0.05)
    design = "timing by cluster" if cluster_timing else "timing by firm"
    return pd.DataFrame({"test": [f"CRV1 t(G-1), {n_clusters} clusters, {design}",
                                  f"WCR Webb, {n_clusters} clusters, {design}"],
                         "rejection_rate_at_5pct": [np.mean(rej_crv), np.mean(rej_wcr)]})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=300)
    ap.add_argument("--wcr-reps", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20200831)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    t0 = time.perf_counter()
    did = did_block(a.reps, rng)
    few = pd.concat([few_cluster_block(a.wcr_reps, rng, n_clusters=g, cluster_timing=ct)
                     for ct in (False, True) for g in (6, 10)], ignore_index=True)
    secs = time.perf_counter() - t0
    pd.set_option("display.width", 140)
    print(f"{a.reps} replications (500 firms x 10 years, cohorts 2013/2015/2017, 30% never treated), seed {a.seed}")
    print(did.round(4).to_string(index=False))
    print(f"\n{a.wcr_reps} replications under H0 (200 firms in 6 or 10 clusters, cluster-year shocks)")
    print(few.round(3).to_string(index=False))
    print(f"\nwall time {secs:.0f}s")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"seed": a.seed, "reps": a.reps, "did": did.to_dict("records"),
                       "few_clusters": few.to_dict("records"), "seconds": secs}, f, indent=2)


if __name__ == "__main__":
    main()
