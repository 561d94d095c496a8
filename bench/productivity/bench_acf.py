"""Benchmark: ACF with a firm bootstrap on simulated panels of growing size.

Run from the repository root:

    .venv/bin/python bench/productivity/bench_acf.py            # 50k, 200k, 1M firm-years
    .venv/bin/python bench/productivity/bench_acf.py --sizes 1000000 --n-boot 100 --n-jobs 1
    .venv/bin/python bench/productivity/bench_acf.py --blas-threads=2   # numpy's default threading

Each panel is ``evalutils.productivity._simulate.simulate_panel`` (10 years per
firm, labour free, capital state, materials proxy; true elasticities 0.6 and
0.3). Prints one line per size: firm-years, firms, seconds for the point
estimate, seconds for the whole call with ``n_boot`` replications, seconds per
replication, the estimates and their bootstrap standard errors; and, at the
end, the growth exponent of the cost in the number of firms (log–log slope).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

# BLAS threads must be fixed before numpy is imported: the estimator's array
# operations are small matrix-vector products for which extra BLAS threads (and
# BLAS threads inside forked bootstrap workers) cost more than they save.
_blas = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--blas-threads=")), "1")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, _blas)

import numpy as np  # noqa: E402

from evalutils.productivity import estimate_production_function  # noqa: E402
from evalutils.productivity._simulate import simulate_panel  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[50_000, 200_000, 1_000_000],
                    help="firm-years (10 years per firm)")
    ap.add_argument("--n-boot", type=int, default=100)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20200831)
    ap.add_argument("--blas-threads", default="1", help="BLAS threads (set before numpy loads; default 1)")
    args = ap.parse_args()
    print(f"# machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.2f}; n_boot={args.n_boot}, n_jobs={args.n_jobs}, "
          f"BLAS threads={os.environ.get('OPENBLAS_NUM_THREADS')}")
    print("firm_years,firms,point_s,total_s,per_rep_s,beta_l,beta_k,se_l,se_k,failed")
    rows = []
    for size in args.sizes:
        panel = simulate_panel(size // 10, 10, seed=args.seed)
        spec = dict(method="acf", output="y", free="l", state="k", proxy="m", unit="firm", time="year")
        t0 = time.perf_counter()
        estimate_production_function(panel, **spec)
        point = time.perf_counter() - t0
        t0 = time.perf_counter()
        res = estimate_production_function(panel, n_boot=args.n_boot, seed=args.seed, n_jobs=args.n_jobs, **spec)
        total = time.perf_counter() - t0
        fit = res.fits["all"]
        per_rep = (total - point) / max(args.n_boot, 1)
        rows.append((size // 10, total))
        print(f"{len(panel)},{size // 10},{point:.2f},{total:.2f},{per_rep:.3f},"
              f"{fit.params['l']:.4f},{fit.params['k']:.4f},{fit.std_errors['l']:.4f},"
              f"{fit.std_errors['k']:.4f},{fit.n_boot_failed}", flush=True)
    if len(rows) >= 2:
        firms, secs = np.log([r[0] for r in rows]), np.log([r[1] for r in rows])
        slope = np.polyfit(firms, secs, 1)[0]
        print(f"# cost grows like (number of firms)^{slope:.2f}")


if __name__ == "__main__":
    main()
