"""Run every benchmark of BENCHMARKS.md in order and print the summary table.

    .venv/bin/python bench/run_all.py                       # demo size + national size (about 2 h on 2 cores)
    .venv/bin/python bench/run_all.py --only suite,estimators --scales 1
    .venv/bin/python bench/run_all.py --summary             # only print the table from bench/results/*.json

Data are written under --data-root (default /tmp/bench-data), never into the repository. Not collected by pytest
(no test_*.py names; pytest's testpaths is tests/).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(script: str, *args: str) -> None:
    cmd = [sys.executable, str(HERE / script), *args]
    print("\n$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-root", default="/tmp/bench-data")
    ap.add_argument("--only", default="suite,estimators,acf,national,profile,suiteall")
    ap.add_argument("--scales", default="1,10,100", help="data scales for the estimator rows (1 = demo, 100 = national)")
    ap.add_argument("--provinces", default="bac-lieu,quang-nam,khanh-hoa", help="provinces of rows 1-3")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--summary", action="store_true")
    a = ap.parse_args()
    root = a.data_root.rstrip("/")
    only = set(a.only.split(","))
    if not a.summary:
        if "national" in only:  # writes the data directories the other rows use
            run("bench_national.py", "--scales", "1,10,100", "--data-root", root)
        if "suite" in only:  # rows 1-3 on three provinces (HTML; then HTML + PDF), medians of --repeat
            run("bench_suite.py", "--data-dir", f"{root}/s1", "--scale", "1", "--provinces", a.provinces,
                "--repeat", str(a.repeat), "--snapshot", "--work", f"{root}/s2-html", "--name", "suite_s1_html")
            run("bench_suite.py", "--data-dir", f"{root}/s1", "--provinces", a.provinces, "--repeat", str(a.repeat),
                "--pdf", "--snapshot", "--work", f"{root}/s2-pdf", "--name", "suite_s1_pdf")
        if "suiteall" in only:  # row 1 as the issue defines it: everything, demo size and national size, once
            for s in ("1", "100"):
                run("bench_suite.py", "--data-dir", f"{root}/s{s}", "--provinces", "all", "--pdf", "--national",
                    "yes", "--extra-run-args", "--national --site", "--repeat", "1", "--byhand-repeat", "1",
                    "--snapshot", "--work", f"{root}/s2-all{s}", "--name", f"suite_s{s}_all", "--timeout", "10800")
        if "estimators" in only:
            for s in a.scales.split(","):
                run("bench_estimators.py", "--data-dir", f"{root}/s{s}", "--rows", "twfe,attgt", "--repeat",
                    str(a.repeat), "--name", f"estimators_s{s}")
        if "acf" in only:
            run("bench_estimators.py", "--rows", "acf", "--repeat", str(a.repeat), "--name", "acf_1m")
        if "profile" in only:
            run("profile_report.py", "--data-dir", f"{root}/s1")
            run("profile_aggregates.py", "--data-dir", f"{root}/s100")
            run("bench_noop_plan.py", "--data-dir", f"{root}/s100")
        if "fullrun" in only:
            run("bench_national.py", "--full-run", "100", "--workers", "2", "--data-root", root)
    run("summarise.py")


if __name__ == "__main__":
    main()
