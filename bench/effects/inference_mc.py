"""Province-scale Monte Carlo of the suite's inference (issue 12): the table in docs/inference.md.

Blocks (each well under 10 minutes on one core of the development machine):

* ``null``   parallel trends hold; heterogeneous, growing effects: pre-trend test size, coverage and
             width of the 95 % intervals of the overall ATT (Callaway–Sant'Anna simple, BJS imputation),
             beside the previous inference (did's bootstrap SE with z, BJS with z, did's Wald pre-test);
* ``pretrend`` no pre-trend (size, with more replications than ``null``) and a linear pre-trend of 0.01 a
             year on the supported firms: rejection rate of the pre-trend test against the power it reports;
* ``mde``    a common effect equal to the design's MDE (median over the ``null`` block's replications
             of the same design): simulated power of the headline test against the 80 % it promises.

Usage: python bench/effects/inference_mc.py --block null --reps 500 [--seed 20200831]
Writes bench/results/inference_mc_<block>.json and prints a markdown table.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pandas as pd

from evalutils.effects.montecarlo import Design, run, summarise

RESULTS = Path(__file__).resolve().parents[1] / "results"

HEADLINE = [
    Design("12 of 150", 150, 12),
    Design("30 of 300", 300, 30),
    Design("200 of 2,000", 2000, 200),
]
NULL = [
    Design("5 of 60 (2 cohorts: 3+2)", 60, 5, cohorts=(2022, 2024)),
    *HEADLINE,
    Design("50 of 500, rho 0.5", 500, 50, rho=0.5),
    Design("30 of 300, rho 0.95", 300, 30, rho=0.95),
    Design("30 of 300, strong selection (1.5)", 300, 30, selection=1.5),
    Design("2 of 2,000 (one cohort)", 2000, 2, cohorts=(2023,)),
    Design("3 of 2,000 (one cohort)", 2000, 3, cohorts=(2023,)),
]


def block_null(reps: int, seed: int, only: list[str] | None = None, n_boot: int = 999) -> list[dict]:
    rows = []
    for d in NULL:
        if only and not any(d.name == o[:-1] if o.endswith("$") else o in d.name for o in only):
            continue
        t0 = time.perf_counter()
        r = run(d, reps, seed, compare_asymptotic=True, n_boot=n_boot)
        s = summarise(r)
        s["mde_median"] = float(np.median(r["mde"]))
        rows.append({"design": d.name, **asdict(d), **s, "seconds": time.perf_counter() - t0})
        print(d.name, {k: round(v, 3) for k, v in s.items()}, flush=True)
    return rows


def block_pretrend(reps: int, seed: int) -> list[dict]:
    rows = []
    for d, trend in itertools.product(HEADLINE, (0.0, 0.01)):
        d2 = replace(d, name=d.name + f", pre-trend {trend:g}/yr", pre_trend=trend)
        t0 = time.perf_counter()
        r = run(d2, reps, seed + 2, estimators=("att_gt",), with_mde=False, n_boot=49)
        s = summarise(r)
        rows.append({"design": d2.name, **asdict(d2), **s, "seconds": time.perf_counter() - t0})
        print(d2.name, {k: round(v, 3) for k, v in s.items()}, flush=True)
    return rows


def block_mde(reps: int, seed: int) -> list[dict]:
    null = [r for f in sorted(RESULTS.glob("inference_mc_null*.json")) for r in json.loads(f.read_text())["rows"]]
    mde = {r["design"]: r["mde_median"] for r in null}
    rows = []
    for d in HEADLINE:
        d2 = replace(d, name=d.name + ", common effect = MDE", effect="constant", effect_size=mde[d.name])
        t0 = time.perf_counter()
        r = run(d2, reps, seed + 1, n_boot=199)
        s = summarise(r)
        rows.append({"design": d2.name, **asdict(d2), **s, "seconds": time.perf_counter() - t0})
        print(d2.name, {k: round(v, 3) for k, v in s.items()}, flush=True)
    return rows


def pct(v: float, se: float | None = None) -> str:
    return f"{100 * v:.1f}" + (f" ± {100 * se:.1f}" if se is not None else "")


def table(block: str, rows: list[dict]) -> str:
    df = pd.DataFrame(rows)
    if block == "null":
        head = ("| design | reps | pre-test size (new) | did Wald size (old) | CS coverage (new) | CS width | "
                "CS coverage (old) | BJS coverage (new) | BJS width | BJS coverage (old) | median df | median MDE |\n"
                "|---|---|---|---|---|---|---|---|---|---|---|---|\n")
        lines = [
            f"| {r.design} | {int(r.reps)} | {pct(r.pre_reject, r.pre_reject_mcse)} | {pct(r.pre_wald_reject)} | "
            f"{pct(r.cs_covered, r.cs_covered_mcse)} | {r.cs_width:.3f} | {pct(r.cs_asy_covered)} | "
            f"{pct(r.bjs_covered, r.bjs_covered_mcse)} | {r.bjs_width:.3f} | {pct(r.bjs_asy_covered)} | "
            f"{r.cs_df:.1f} | {r.mde_median:.3f} |"
            for r in df.itertuples()
        ]
    elif block == "pretrend":
        head = ("| design | reps | rejection rate | mean reported power | mean detectable trend (80 %) |\n"
                "|---|---|---|---|---|\n")
        lines = [f"| {r.design} | {int(r.reps)} | {pct(r.pre_reject, r.pre_reject_mcse)} | {pct(r.pre_power)} | "
                 f"{r.pre_detectable:.4f} |" for r in df.itertuples()]
    else:
        head = ("| design | reps | effect (MDE) | simulated power, CS (promised 80 %) | simulated power, BJS |\n"
                "|---|---|---|---|---|\n")
        lines = [f"| {r.design} | {int(r.reps)} | {r.effect_size:.3f} | {pct(r.cs_reject0, r.cs_reject0_mcse)} | "
                 f"{pct(r.bjs_reject0, r.bjs_reject0_mcse)} |" for r in df.itertuples()]
    return head + "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--block", choices=("null", "pretrend", "mde"), required=True)
    ap.add_argument("--reps", type=int, default=500)
    ap.add_argument("--seed", type=int, default=20200831)
    ap.add_argument("--only", default="", help="null block: comma-separated parts of design names to run ('name$': exactly)")
    ap.add_argument("--n-boot", type=int, default=999, help="null block: multiplier-bootstrap draws")
    ap.add_argument("--tag", default="", help="suffix of the JSON file (runs split to stay under 10 minutes)")
    ap.add_argument("--table", action="store_true", help="only print the table from the saved JSON files")
    a = ap.parse_args()
    if a.table:
        rows = [r for f in sorted(RESULTS.glob(f"inference_mc_{a.block}*.json"))
                for r in json.loads(f.read_text())["rows"]]
        order = {d.name: i for i, d in enumerate(NULL)}
        rows.sort(key=lambda r: order.get(r["design"], len(order)))
        print(table(a.block, rows))
        return
    t0 = time.perf_counter()
    if a.block == "null":
        rows = block_null(a.reps, a.seed, [o for o in a.only.split(",") if o], a.n_boot)
    else:
        rows = {"pretrend": block_pretrend, "mde": block_mde}[a.block](a.reps, a.seed)
    secs = time.perf_counter() - t0
    RESULTS.mkdir(exist_ok=True)
    name = f"inference_mc_{a.block}{'_' + a.tag if a.tag else ''}.json"
    (RESULTS / name).write_text(
        json.dumps({"block": a.block, "seed": a.seed, "reps": a.reps, "seconds": secs, "rows": rows}, indent=1))
    print(table(a.block, rows))
    print(f"\nwall time {secs:.0f}s")


if __name__ == "__main__":
    main()
