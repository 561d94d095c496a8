"""Province-scale Monte Carlo of the sensitivity analysis the reports publish (issue 12, docs/sensitivity.md).

What a province report computes (``evaluate_effects``): Callaway–Sant'Anna with a universal base period and no
bootstrap, its dynamic aggregation over event times -5..4, Rambachan–Roth relative magnitudes for the average
effect over e = 0..4 (``target="average"``), Mbar = 0, 0.5, 1, 1.5, 2, and the breakdown value. This script
simulates the designs of docs/inference.md (``effects.montecarlo``: years 2015–2025, cohorts 2021–2025 of equal
size, AR(1) errors, selection on levels, heterogeneous effects growing with time since support) and measures,
for each covariance choice, how often the published robust set ``[lb, ub]`` contains the true average effect
(the realised estimand: cohort-size-weighted cell means of the simulated effects, averaged over e = 0..4):

* ``pt``      parallel trends; Mbar = 0 and Mbar = 1 coverage; the usual interval; the smoothness FLCI at M = 0;
* ``pt_null`` the same panel without the effect (true effect 0): how often the breakdown value is > 0, i.e. the
              published conclusion "an effect different from zero" is wrong (= 1 - coverage of 0 at Mbar = 0);
* ``lin``     a linear violation: the supported firms' outcome drifts by ``--slope`` a year relative to the
              others, before and after support (delta_e = slope * (e + 1)); Mbar = 1 allows it (each
              post-support change equals the pre-support one), Mbar = 0 does not;
* ``lin_null`` the same without the effect: how often the breakdown value is >= 1 (the set at Mbar = 1 excludes 0).

Covariances: ``reported`` (what the reports used before: the influence-function covariance rescaled to the
reported standard errors, normal critical values) and ``small_sample`` (the cohort-stratified covariance with
Student t critical values at the Welch–Satterthwaite df of the average, what they use now).

Usage: python bench/effects/sensitivity_mc.py --reps 200 [--only "12 of"] [--out FILE]
Prints a markdown table; writes the summaries as JSON (default bench/effects/sensitivity_mc_results.json).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from evalutils.effects import att_gt, sensitivity  # noqa: E402
from evalutils.effects.montecarlo import Design, simulate_panel  # noqa: E402

HERE = Path(__file__).resolve().parent
SEED = 20200831
WINDOW = (-5, 4)  # evaluate.SENSITIVITY_WINDOW
DESIGNS = [Design("12 of 150", 150, 12), Design("30 of 300", 300, 30), Design("200 of 2,000", 2000, 200)]
COVARIANCES = ("reported", "small_sample")
SCENARIOS = ("pt", "pt_null", "lin", "lin_null")


def true_average(df: pd.DataFrame, max_e: int = WINDOW[1]) -> float:
    """The dynamic aggregation's average over e = 0..max_e of the simulated effects (cohort-size weights)."""
    post = df[(df["g"] > 0) & (df["year"] >= df["g"])].assign(e=lambda d: d["year"] - d["g"])
    post = post[post["e"] <= max_e]
    cell = post.groupby(["e", "g"])["tau"].agg(["mean", "size"]).reset_index()
    by_e = cell.groupby("e").apply(lambda c: np.average(c["mean"], weights=c["size"]), include_groups=False)
    return float(by_e.mean())


def analyse(df: pd.DataFrame, truth: float, covariance: str, *, seed: int = 0) -> dict[str, float]:
    """The report's sensitivity analysis on one panel, and whether its sets contain ``truth``."""
    gu = att_gt(df, outcome="y", unit="firm", time="year", group="g", base_period="universal", bootstrap="none")
    kw = dict(target="average", min_e=WINDOW[0], max_e=WINDOW[1], covariance=covariance, seed=seed)
    rm = sensitivity(gu, restriction="relative_magnitudes", M=[0.0, 1.0], breakdown=False, **kw)
    sd = sensitivity(gu, restriction="smoothness", M=[0.0], breakdown=False, **kw)
    iv = rm.intervals.set_index("M")
    lo, hi = rm.original
    flo, fhi = float(sd.intervals["lb"].iloc[0]), float(sd.intervals["ub"].iloc[0])
    return {
        "usual": float(lo <= truth <= hi),
        "rm0": float(iv.loc[0.0, "lb"] <= truth <= iv.loc[0.0, "ub"]),
        "rm1": float(iv.loc[1.0, "lb"] <= truth <= iv.loc[1.0, "ub"]),
        "flci0": float(flo <= truth <= fhi),
        "bd_pos": float(iv.loc[0.0, "excludes_zero"]),  # breakdown value > 0 (published conclusion)
        "bd_ge1": float(iv.loc[1.0, "excludes_zero"]),
        "width_rm0": float(iv.loc[0.0, "ub"] - iv.loc[0.0, "lb"]),
        "width_rm1": float(iv.loc[1.0, "ub"] - iv.loc[1.0, "lb"]),
        "df": float(rm.df) if rm.df is not None else float("nan"),
    }


def replicate(design: Design, rng: np.random.Generator, slope: float,
              scenarios=SCENARIOS, covariances=COVARIANCES) -> list[dict]:
    df = simulate_panel(design, rng)
    truth = true_average(df)
    drift = slope * np.where(df["g"] > 0, df["year"] - df["g"] + 1, 0)
    panels = {"pt": (df["y"], truth), "pt_null": (df["y"] - df["tau"], 0.0),
              "lin": (df["y"] + drift, truth), "lin_null": (df["y"] - df["tau"] + drift, 0.0)}
    rows = []
    for sc in scenarios:
        y, th = panels[sc]
        d = df.assign(y=y)
        for cov in covariances:
            rows.append({"scenario": sc, "covariance": cov, **analyse(d, th, cov)})
    return rows


def run(design: Design, reps: int, seed: int, slope: float, **kw) -> pd.DataFrame:
    rng = np.random.default_rng([seed, design.n_firms, design.n_supported])
    return pd.DataFrame([r for _ in range(reps) for r in replicate(design, rng, slope, **kw)])


def summarise(rows: pd.DataFrame) -> list[dict]:
    out = []
    for (sc, cov), g in rows.groupby(["scenario", "covariance"], sort=False):
        s = {"scenario": sc, "covariance": cov, "reps": len(g)}
        for c in ("usual", "rm0", "rm1", "flci0", "bd_pos", "bd_ge1"):
            p = float(g[c].mean())
            s[c] = 100 * p
            s[c + "_mcse"] = 100 * float(np.sqrt(p * (1 - p) / len(g)))
        for c in ("width_rm0", "width_rm1", "df"):
            s[c] = float(g[c].median())
        out.append(s)
    return out


def table(results: list[dict]) -> str:
    lines = ["| design | scenario | covariance | reps | usual | RM, M̄ = 0 | RM, M̄ = 1 | FLCI, M = 0 | "
             "breakdown > 0 | breakdown ≥ 1 | median width M̄ = 0 | median df |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        f = lambda c: f"{r[c]:.1f} ± {r[c + '_mcse']:.1f}"  # noqa: E731
        lines.append(f"| {r['design']} | {r['scenario']} | {r['covariance']} | {r['reps']} | {f('usual')} | "
                     f"{f('rm0')} | {f('rm1')} | {f('flci0')} | {f('bd_pos')} | {f('bd_ge1')} | "
                     f"{r['width_rm0']:.3f} | {r['df']:.1f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--slope", type=float, default=0.02, help="linear violation, outcome units a year")
    ap.add_argument("--only", default="", help="comma-separated substrings of design names")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated, of " + ", ".join(SCENARIOS))
    ap.add_argument("--covariances", default=",".join(COVARIANCES), help="comma-separated")
    ap.add_argument("--out", default=str(HERE / "sensitivity_mc_results.json"))
    a = ap.parse_args()
    only = [o for o in a.only.split(",") if o]
    results = []
    for d in DESIGNS:
        if only and not any(o in d.name for o in only):
            continue
        t0 = time.perf_counter()
        rows = run(d, a.reps, a.seed, a.slope, scenarios=a.scenarios.split(","),
                   covariances=a.covariances.split(","))
        for s in summarise(rows):
            results.append({"design": d.name, "slope": a.slope, "seed": a.seed, **s,
                            "seconds": time.perf_counter() - t0})
        print(table([r for r in results if r["design"] == d.name]), flush=True)
    out = Path(a.out)
    old = json.loads(out.read_text()) if out.exists() else []
    keep = [r for r in old if r["design"] not in {x["design"] for x in results}]
    out.write_text(json.dumps(keep + results, indent=1))
    print(table(keep + results))


if __name__ == "__main__":
    main()
