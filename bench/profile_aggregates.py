"""Where the time of the national aggregates cache goes (the serial step before the report workers start).

Runs `evalutils.measures.aggregates.compute_national` (no cache) under pyinstrument (pip install
pyinstrument); writes bench/results/profile_aggregates_<data>.txt and a JSON with the wall time and ru_maxrss.

Usage: python bench/profile_aggregates.py --data-dir /tmp/bench-data/s100
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine, save  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--n-jobs", type=int, default=2, help="then time the build again with this many processes "
                                                          "for the sector fits (what `evalutils run` does)")
    a = ap.parse_args()
    from pyinstrument import Profiler

    from evalutils.measures.aggregates import compute_national
    from evalutils.panel.params import load_defaults

    seed = load_defaults(Path(__file__).resolve().parents[1] / "params" / "defaults.yml").seed
    prof = Profiler(interval=0.01)
    t0 = time.perf_counter()
    prof.start()
    model = compute_national(a.data_dir, seed=seed).model
    prof.stop()
    secs = time.perf_counter() - t0
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"profile_aggregates_{a.data_dir.name}.txt").write_text(
        prof.output_text(unicode=False, color=False), encoding="utf-8")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"[bench] compute_national, serial, profiled: {secs:.1f} s", flush=True)
    par = None
    if a.n_jobs > 1:
        t0 = time.perf_counter()
        same = compute_national(a.data_dir, seed=seed, n_jobs=a.n_jobs).model == model
        par = time.perf_counter() - t0
        print(f"[bench] compute_national, n_jobs={a.n_jobs}, not profiled: {par:.1f} s; same TFP model: {same}")
    save(f"profile_aggregates_{a.data_dir.name}", {"machine": machine(), "seconds": secs, "peak_rss_gb": peak,
                                                    "n_jobs": a.n_jobs, "seconds_parallel_unprofiled": par})


if __name__ == "__main__":
    main()
