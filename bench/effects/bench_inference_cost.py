"""Cost of the small-sample inference (issue 12) in a province report's effect estimation, same run.

Times, on the demo panel's provinces (scale 1), the effect-estimation steps of ``evaluate_effects`` that issue 12
changed: Callaway–Sant'Anna (pairwise, 499 Mammen draws) with its simple and dynamic aggregates and pre-test,
and BJS imputation — with the previous inference (``inference="asymptotic"``, did's Wald pre-test) and with the
new defaults plus the design's MDE. Median of --repeat runs.

Usage: python bench/effects/bench_inference_cost.py [--provinces 79,95,01] [--repeat 3]
Writes bench/results/inference_cost.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import demo_panel  # noqa: E402

from evalutils.effects import att_gt, did_imputation, minimum_detectable_effect  # noqa: E402

RESULTS = Path(__file__).resolve().parents[1] / "results"
KW = dict(outcome="y", unit="firm_id", time="year", group="g")


def old(df) -> None:
    res = att_gt(df, **KW, unbalanced="pairwise", n_boot=499, seed=1, inference="asymptotic")
    res.aggregate("simple"), res.aggregate("dynamic"), res.pretest(method="wald")
    did_imputation(df, **KW, inference="asymptotic")


def new(df) -> None:
    res = att_gt(df, **KW, unbalanced="pairwise", n_boot=499, seed=1)
    res.aggregate("simple"), res.aggregate("dynamic"), res.pretest(trend=0.01)
    did_imputation(df, **KW)
    minimum_detectable_effect(df, **KW)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--provinces", default="79,95,01")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    panel = demo_panel(1.0)
    rows = []
    for code in a.provinces.split(","):
        df = panel[panel["province_code"] == code]
        sizes = df.loc[df["g"] > 0].groupby("g")["firm_id"].nunique()
        df = df[~df["g"].isin(sizes[sizes < 2].index)]  # as the reports: singleton cohorts dropped
        times = {"old": [], "new": []}
        for _ in range(a.repeat):
            for label, fn in (("old", old), ("new", new)):
                t0 = time.perf_counter()
                fn(df)
                times[label].append(time.perf_counter() - t0)
        row = {"province_code": code, "firms": int(df["firm_id"].nunique()),
               "supported": int(df.loc[df["g"] > 0, "firm_id"].nunique()),
               "old_s": statistics.median(times["old"]), "new_s": statistics.median(times["new"])}
        row["added_s"] = row["new_s"] - row["old_s"]
        rows.append(row)
        print(row, flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "inference_cost.json").write_text(json.dumps({"repeat": a.repeat, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
