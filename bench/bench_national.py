"""Row 7: peak memory of a national-size run and how wall time grows with the number of firms.

For each --scales value (1 ≈ 15k firms / 100k firm-years; 10 ≈ 100k firms / 0.7M; 100 ≈ 1M firms / 7M, national
size) this script, in order:
  1. writes the synthetic data with `evalutils demo-data --scale S --data ROOT/sS` (timed; skipped with --reuse-data
     when the directory exists);
  2. builds one province report cold: `evalutils run --provinces P --lang en --workers 1` into a fresh reports
     directory (its .cache/ is empty, so the national aggregates and TFP model are built too);
  3. builds it again warm (fresh reports directory, the national aggregates copied into its .cache/): the cost
     of a report by itself;
  4. runs the same command again on that reports directory (nothing changed: row 2 at this scale).
Each step's wall time (perf_counter) and peak memory (largest sum of RSS over the process tree, sampled from /proc)
are recorded. Data live outside the repository (default ROOT=/tmp/bench-data).

Usage: python bench/bench_national.py --scales 1,10,100 --data-root /tmp/bench-data
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, fresh_dir, machine, save, timed, tool  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--data-root", type=Path, default=Path("/tmp/bench-data"))
    ap.add_argument("--province", default="bac-lieu")
    ap.add_argument("--lang", default="en")
    ap.add_argument("--reuse-data", action="store_true", help="do not regenerate existing data directories")
    ap.add_argument("--repeat", type=int, default=1, help="repeats of the warm report")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--name", default="national")
    ap.add_argument("--full-run", type=float, default=None, metavar="SCALE",
                    help="instead: time the whole national run `evalutils run --all --lang vi,en` at this scale, "
                         "cold (aggregates cache deleted), with --workers")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    root = a.data_root.resolve()
    if a.full_run is not None:
        return full_run(a, root)
    work = fresh_dir(root / "national-work")
    log = work / "log.txt"
    res = {"machine": machine(), "province": a.province, "lang": a.lang, "scales": {}}
    for s in [float(x) for x in a.scales.split(",")]:
        data = root / f"s{s:g}"
        row: dict = {}
        if not (a.reuse_data and (data / "MANIFEST.json").exists()):
            shutil.rmtree(data, ignore_errors=True)
            cmd = [tool("evalutils"), "demo-data", "--scale", str(s), "--data", str(data)]
            row["generate"] = timed(cmd, cwd=REPO, log=log, timeout=a.timeout)
            row["generate"]["command"] = " ".join(cmd)
            print(f"[bench] s{s:g} generate {row['generate']['seconds']:.1f} s, peak "
                  f"{row['generate']['peak_tree_rss_gb']:.2f} GB: {row['generate']['tail'][-1:]}", flush=True)

        def report(tag: str, reuse: Path | None = None, national_from: Path | None = None) -> dict:
            reports = reuse or fresh_dir(work / f"reports-s{s:g}-{tag}")
            if national_from is not None:  # warm: the national aggregates are there, the unit's estimates are not
                (reports / ".cache").mkdir(parents=True, exist_ok=True)
                for f in (national_from / ".cache").glob("national-*"):
                    shutil.copy2(f, reports / ".cache" / f.name)
            cmd = [tool("evalutils"), "run", "--provinces", a.province, "--lang", a.lang, "--workers", "1",
                   "--data", str(data), "--params", str(REPO / "params"), "--reports", str(reports)]
            r = timed(cmd, cwd=REPO, log=log, timeout=a.timeout)
            r["command"] = " ".join(cmd)
            r["reports"] = str(reports)
            print(f"[bench] s{s:g} report {tag}: {r['seconds']:.1f} s rc={r['rc']} peak {r['peak_tree_rss_gb']:.2f} GB",
                  flush=True)
            return r

        row["report_cold"] = report("cold")
        row["report_warm"] = [report(f"warm{i}", national_from=Path(row["report_cold"]["reports"]))
                              for i in range(a.repeat)]
        # an immediate re-run of the same command on the same reports directory (row 2 at this scale)
        row["rerun_nothing_changed"] = report("rerun", Path(row["report_warm"][-1]["reports"]))
        res["scales"][f"{s:g}"] = row
        save(a.name, res)


def full_run(a: argparse.Namespace, root: Path) -> None:
    data = root / f"s{a.full_run:g}"
    reports = fresh_dir(root / f"full-run-s{a.full_run:g}")  # cold: its .cache/ is empty
    cmd = [tool("evalutils"), "run", "--all", "--lang", "vi,en", "--workers", str(a.workers), "--data", str(data),
           "--params", str(REPO / "params"), "--reports", str(reports)]
    r = timed(cmd, cwd=REPO, log=root / f"full-run-s{a.full_run:g}.log", timeout=a.timeout)
    r["command"] = " ".join(cmd)
    r["html_written"] = len(list(reports.rglob("*.html")))
    print(f"[bench] full run s{a.full_run:g}: {r['seconds']:.1f} s rc={r['rc']} peak {r['peak_tree_rss_gb']:.2f} GB, "
          f"{r['html_written']} HTML files; {r['tail'][-3:]}", flush=True)
    save(f"full_run_s{a.full_run:g}", {"machine": machine(), **r})


if __name__ == "__main__":
    main()
