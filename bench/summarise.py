"""Print the BENCHMARKS.md table from bench/results/*.json (whatever has been run)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, median  # noqa: E402


def load(name: str) -> dict | None:
    p = RESULTS / f"{name}.json"
    return json.loads(p.read_text()) if p.exists() else None


def f(x, d=1) -> str:
    return "n/a" if x is None or x != x else f"{x:.{d}f}"


def main() -> None:
    rows = []
    for path in sorted(RESULTS.glob("suite_*.json")):
        r = json.loads(path.read_text())
        s, tag = r["summary"], path.stem
        n = len(r["provinces"]) * len(r["langs"])
        rows.append(f"| 1 full suite vs papermill+nbconvert loop ({tag}, {n} reports) | {f(s['suite'])} s | "
                    f"{f(s['loop'])} s | {f(s['speedup_suite_vs_loop'], 2)}× faster | ≥3× |")
        rebuilt = [r_["plan"] for r_ in r["rerun"] if "0 to build" not in r_.get("plan", "")]
        if rebuilt:
            tag += ", INVALID: a re-run rebuilt reports (code or inputs changed during the run)"
        rows.append(f"| 2 re-run, nothing changed ({tag}) | {f(s['rerun'], 2)} s | {f(s['loop'])} s (loop redoes all) | "
                    f"{f(s['speedup_rerun_vs_loop'], 0)}× faster | <5 s |")
        rows.append(f"| 3 one province's parameters changed ({tag}) | {f(s['one_changed'], 1)} s | "
                    f"{f(s['one_by_hand'], 1)} s (loop over that province) | "
                    f"{f(s['speedup_one_changed_vs_by_hand'], 2)}× faster | <10 s |")
    for path in sorted(RESULTS.glob("estimators_*.json")):
        r = json.loads(path.read_text())
        if "twfe" in r:
            t = r["twfe"]
            rows.append(f"| 4 TWFE clustered ({path.stem}, {t['rows']:,} rows, backend {','.join(t.get('backend_used', ['?']))}) | {f(t['median_evalutils'], 2)} s | "
                        f"{f(t['median_pyfixest'], 2)} s pyfixest | {f(t['ratio_evalutils_over_pyfixest'], 2)}× its time "
                        f"(warm {f(t.get('warm_median_evalutils'), 2)} vs {f(t.get('warm_median_pyfixest'), 2)} s) | ≤1.5× |")
        if "attgt" in r:
            t = r["attgt"]
            rows.append(f"| 5 att_gt + 999 multiplier bootstrap ({path.stem}) | {f(t['median_evalutils'], 2)} s | "
                        f"{f(t['median_csdid'], 2)} s csdid | {f(t['ratio_evalutils_over_csdid'], 2)}× its time; "
                        f"max abs ATT diff {t.get('max_abs_diff_att')} over {t.get('common_cells')} cells | ≤0.5× |")
    for path in sorted(RESULTS.glob("acf_*.json")):
        t = json.loads(path.read_text())["acf"]
        ms, pr = t["median_seconds"], t["median_per_replication"]
        ours = {k: v for k, v in ms.items() if k.startswith("evalutils")}
        rows.append(f"| 6 ACF + 100 bootstrap, {t['rows']:,} firm-years | "
                    + ", ".join(f"{k[-5:]}: {f(v)} s" for k, v in ours.items())
                    + f" | hand-written bootstrap {f(pr['hand-bootstrap'], 2)} s/rep (×101 = "
                      f"{f(t['hand_bootstrap_100_extrapolated'])} s) | "
                    + ", ".join(f"{k[-5:]} {f(pr['hand-bootstrap'] / pr[k], 1)}× faster per rep" for k in ours)
                    + " | <120 s |")
    nat = load("national")
    if nat:
        for s, row in nat["scales"].items():
            g = row.get("generate")
            warm = median([w["seconds"] for w in row["report_warm"]])
            rows.append(f"| 7 scale {s}: generate {f(g['seconds']) if g else 'reused'} s / peak "
                        f"{f(g['peak_tree_rss_gb'], 2) if g else '-'} GB; one report cold "
                        f"{f(row['report_cold']['seconds'])} s / peak {f(row['report_cold']['peak_tree_rss_gb'], 2)} GB;"
                        f" warm {f(warm)} s; no-op re-run "
                        f"{f(row['rerun_nothing_changed']['seconds'], 2) if 'rerun_nothing_changed' in row else 'n/a'} s"
                        f" | | | | <8 GB |")
    plan = load("noop_plan_s100")
    if plan:
        m = plan["median"]
        rows.append(f"| 2 national no-op planning, 126 tasks: import {f(m['import'], 2)} + aggregates check "
                    f"{f(m['aggregates_check'], 2)} + plan {f(m['plan'], 2)} = {f(m['total'], 2)} s | | | | <5 s |")
    for path in sorted(RESULTS.glob("full_run_*.json")):
        r = json.loads(path.read_text())
        rows.append(f"| 7 whole national run ({path.stem}): {f(r['seconds'])} s, rc={r['rc']}, {r.get('html_written')} "
                    f"HTML, peak {f(r['peak_tree_rss_gb'], 2)} GB | | | | <8 GB |")
    print("| row | evalutils | alternative (same run) | ratio | goal |\n|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
