"""Sensitivity to parallel-trends violations (effects.sensitivity): speed, and coverage with estimated covariances.

1. Speed: one sensitivity analysis with 5 values of M (or Mbar), including the breakdown value, for
   the HonestDiD README's Medicaid example (5 pre, 2 post periods), a province-size TWFE event study
   (12 supported firms of 150, 2016-2025, one cohort: 5 pre, 4 post) and a province-size
   Callaway-Sant'Anna dynamic aggregation with a universal base period (30 supported of 300 firms,
   cohorts 2021-2025, 2015-2025). Median of ``--repeat`` runs, relative magnitudes and smoothness.
2. ``--coverage R``: R simulated provinces (12 supported of 150, AR(1) errors, exact parallel trends,
   effect 0.1 from the first year), the TWFE event study with its clustered covariance, then the
   coverage of the first-year effect by the usual interval, Delta^RM(0), Delta^RM(1) and the
   Delta^SD(0) FLCI. The tests check coverage with the true covariance; this measures what the
   estimated one does to it.

3. ``--coverage-cs R``: the same for Callaway-Sant'Anna (30 supported of 300 firms, cohorts 2021-2025,
   universal base period, event times -4..3), with the influence-function covariance and with it
   rescaled to the reported small-sample standard errors (``covariance="reported"``), and with the
   cohort-stratified covariance and Student t critical values (``covariance="small_sample"``, the reports').
   The study of what the reports publish (average effect, three designs, violations): sensitivity_mc.py.

Usage: python bench/effects/bench_sensitivity.py [--repeat 5] [--coverage 200] [--coverage-cs 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from evalutils.effects import att_gt, event_study, sensitivity  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EHEC = ROOT.parent / "shared" / "data" / "ehec_data.csv"
SEED = 20200831


def ehec_event_study():
    df = pd.read_csv(EHEC)
    df = df[(df["year"] < 2016) & ~(df["yexp2"] == 2015)].copy()
    df["g"] = np.where(df["yexp2"] == 2014, 2014, 0)
    return event_study(df, outcome="dins", unit="stfips", time="year", group="g", window=None)


def province_panel(rng, *, n=150, n_treat=12, years=(2016, 2025), cohorts=(2022,), effect=0.1, rho=0.5):
    t = np.arange(years[0], years[1] + 1)
    T = len(t)
    e = np.zeros((n, T))
    e[:, 0] = rng.normal(0, 0.3, n)
    for j in range(1, T):
        e[:, j] = rho * e[:, j - 1] + rng.normal(0, 0.3 * np.sqrt(1 - rho**2), n)
    G = np.zeros(n, dtype=int)
    G[:n_treat] = np.resize(np.array(cohorts), n_treat)
    y = rng.normal(0, 1, n)[:, None] + 0.02 * (t - t[0])[None, :] + e + effect * ((G[:, None] > 0) & (t[None, :] >= G[:, None]))
    return pd.DataFrame({"firm": np.repeat(np.arange(n), T), "year": np.tile(t, n), "g": np.repeat(G, T),
                         "y": y.ravel()})


def timed(fn, repeat):
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out), res


def speed(repeat: int) -> list[dict]:
    rng = np.random.default_rng(SEED)
    cases = {
        "ehec (5 pre, 2 post)": ehec_event_study(),
        "province TWFE, 12 of 150 (5 pre, 4 post)": event_study(
            province_panel(rng), outcome="y", unit="firm", time="year", group="g", window=None),
    }
    cs_panel = province_panel(rng, n=300, n_treat=30, years=(2015, 2025), cohorts=(2021, 2022, 2023, 2024, 2025))
    cases["province Callaway-Sant'Anna, 30 of 300, universal base (max_e=4)"] = att_gt(
        cs_panel, outcome="y", unit="firm", time="year", group="g", base_period="universal", bootstrap="none")
    rows = []
    for name, est in cases.items():
        for restriction in ("relative_magnitudes", "smoothness"):
            M = [0, 0.5, 1, 1.5, 2] if restriction == "relative_magnitudes" else None
            secs, res = timed(lambda: sensitivity(est, restriction=restriction, M=M, max_e=4), repeat)  # noqa: B023
            rows.append({"case": name, "restriction": restriction, "n_M": len(res.intervals),
                         "num_pre": res.num_pre, "num_post": res.num_post, "seconds_median": secs,
                         "breakdown": res.breakdown})
            print(f"{name:70s} {restriction:20s} {secs:7.3f} s  breakdown {res.breakdown:.4g}", flush=True)
    return rows


def coverage(reps: int) -> dict:
    rng = np.random.default_rng(SEED)
    hits = {"usual": 0, "RM(0)": 0, "RM(1)": 0, "SD(0)": 0}
    t0 = time.perf_counter()
    for _ in range(reps):
        es = event_study(province_panel(rng), outcome="y", unit="firm", time="year", group="g", window=None)
        rm = sensitivity(es, M=[0, 1], breakdown=False, refine=False)
        sd = sensitivity(es, restriction="smoothness", M=[0], breakdown=False)
        lo, hi = rm.original
        hits["usual"] += lo <= 0.1 <= hi
        for key, row in (("RM(0)", rm.intervals.iloc[0]), ("RM(1)", rm.intervals.iloc[1]), ("SD(0)", sd.intervals.iloc[0])):
            hits[key] += row["lb"] <= 0.1 <= row["ub"]
    out = {k: v / reps for k, v in hits.items()}
    out.update(reps=reps, mc_se=float(np.sqrt(0.95 * 0.05 / reps)), seconds=time.perf_counter() - t0)
    print(json.dumps(out), flush=True)
    return out


def coverage_cs(reps: int) -> dict:
    """Callaway-Sant'Anna (30 supported of 300, cohorts 2021-2025, universal base), first-year effect,
    event times -4..3, with the influence-function covariance and with it rescaled to the reported
    (small-sample) standard errors."""
    rng = np.random.default_rng(SEED + 1)
    keys = ["usual", "RM(0)", "RM(1)", "SD(0)"]
    hits = {cov: dict.fromkeys(keys, 0) for cov in ("influence", "reported", "small_sample")}
    t0 = time.perf_counter()
    for _ in range(reps):
        panel = province_panel(rng, n=300, n_treat=30, years=(2015, 2025), cohorts=(2021, 2022, 2023, 2024, 2025))
        res = att_gt(panel, outcome="y", unit="firm", time="year", group="g", base_period="universal",
                     bootstrap="none")
        for cov in hits:
            rm = sensitivity(res, M=[0, 1], breakdown=False, refine=False, min_e=-4, max_e=3, covariance=cov)
            sd = sensitivity(res, restriction="smoothness", M=[0], breakdown=False, min_e=-4, max_e=3,
                             covariance=cov)
            lo, hi = rm.original
            hits[cov]["usual"] += lo <= 0.1 <= hi
            for key, row in (("RM(0)", rm.intervals.iloc[0]), ("RM(1)", rm.intervals.iloc[1]),
                             ("SD(0)", sd.intervals.iloc[0])):
                hits[cov][key] += row["lb"] <= 0.1 <= row["ub"]
    out = {cov: {k: v / reps for k, v in h.items()} for cov, h in hits.items()}
    out.update(reps=reps, mc_se=float(np.sqrt(0.95 * 0.05 / reps)), seconds=time.perf_counter() - t0)
    print(json.dumps(out), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--coverage", type=int, default=0, help="simulated provinces for the coverage study (0: skip)")
    ap.add_argument("--coverage-cs", type=int, default=0, help="the same for Callaway-Sant'Anna (0: skip)")
    ap.add_argument("--name", default="sensitivity")
    args = ap.parse_args()
    if not EHEC.exists():
        sys.exit(f"missing {EHEC}")
    result = {"speed": speed(args.repeat)}
    if args.coverage:
        result["coverage"] = coverage(args.coverage)
    if args.coverage_cs:
        result["coverage_cs"] = coverage_cs(args.coverage_cs)
    out = ROOT / "bench" / "results" / f"{args.name}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"written {out}")


if __name__ == "__main__":
    main()
