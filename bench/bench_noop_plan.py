"""Row 2 at national size without building 126 reports first: the cost of deciding that nothing changed.

`evalutils run` with nothing changed does three things: start, check the national aggregates cache
(`aggregates.national_aggregates`, which hashes the panel and deflator files) and plan (hash every task's inputs
and compare with the manifest). This script times exactly those library calls for all 63 provinces × 2 languages
against an empty manifest (the hashing work is the same whether or not the manifest matches), in a fresh
process, median of --repeat. Adding the measured start-up of the CLI (row 2 at demo size minus its planning)
gives the no-op re-run time of `evalutils run --all` at that data size.

Usage: python bench/bench_noop_plan.py --data-dir /tmp/bench-data/s100
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, machine, median, save  # noqa: E402

CHILD = r"""
import json, sys, tempfile, time
t0 = time.perf_counter()
from pathlib import Path
from evalutils.measures.aggregates import national_aggregates
from evalutils.panel.params import load_defaults
from evalutils.render.task import report_cache_dir
from evalutils.geography import provinces
from evalutils.render.manifest import RunManifest
from evalutils.render.runner import ReportTask, plan_tasks
t_import = time.perf_counter() - t0
data, params = Path(sys.argv[1]), Path(sys.argv[2])
t1 = time.perf_counter()
reports = Path(tempfile.mkdtemp())
national_aggregates(data, seed=load_defaults(params / "defaults.yml").seed, cache_dir=report_cache_dir(reports))
t_agg = time.perf_counter() - t1
tasks = [ReportTask(p, l, data, params, reports) for p in provinces()["slug"] for l in ("vi", "en")]
t2 = time.perf_counter()
plan = plan_tasks(tasks, RunManifest(tempfile.mkdtemp()))
t_plan = time.perf_counter() - t2
print("RESULT " + json.dumps({"tasks": len(tasks), "import": t_import, "aggregates_check": t_agg, "plan": t_plan,
                              "total": time.perf_counter() - t0}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    runs = []
    for _ in range(a.repeat):
        p = subprocess.run([sys.executable, "-c", CHILD, str(a.data_dir.resolve()), str(REPO / "params")],
                           capture_output=True, text=True, check=True)
        runs.append(json.loads(next(x for x in p.stdout.splitlines() if x.startswith("RESULT "))[7:]))
        print("[bench]", runs[-1], flush=True)
    res = {"machine": machine(), "data_dir": str(a.data_dir), "runs": runs,
           "median": {k: median([r[k] for r in runs]) for k in ("import", "aggregates_check", "plan", "total")}}
    print("[bench] median", res["median"])
    save(f"noop_plan_{a.data_dir.name}", res)


if __name__ == "__main__":
    main()
