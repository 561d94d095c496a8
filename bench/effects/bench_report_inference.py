"""What issue 12 adds to a province report's build: the notebook's work with and without it, same run.

For each province, the notebook's work without start-up (``report.evaluate`` without cache, every section's HTML,
both effect figures as PNG) is timed twice, alternating, in one process:

* **after**: the code as it is (small-sample inference, calibrated pre-test, MDE, sensitivity analysis and figure);
* **before**: the same with ``att_gt``/``did_imputation`` at ``inference="asymptotic"``, and the MDE and the
  sensitivity analysis (its universal-base ``att_gt`` included) switched off, so the evaluation has neither (the
  calibrated pre-test, 0.04 s, stays).

Kernel start-up, imports and HTML conversion (4-5 s a report, BENCHMARKS.md) are the same in both and left out,
so the growth of a whole report build is smaller than the growth shown here.

Usage: python bench/effects/bench_report_inference.py --data-dir /tmp/bench-data/s1 [--provinces bac-lieu,khanh-hoa]
Writes bench/results/report_inference_cost.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "results"
REPO = Path(__file__).resolve().parents[2]


def notebook_work(report, ctx) -> float:
    t0 = time.perf_counter()
    ev = report.evaluate(ctx, cache=False)
    html = (report.key_findings_html(ctx, ev) + report.effects_html(ctx, ev) + report.by_type_html(ctx, ev)
            + report.limitations_html(ctx, ev) + report.methods_html(ctx))
    for f in (report.effects_figure(ctx, ev), report.sensitivity_figure(ctx, ev)):
        if f is not None:
            report.figure_png(f)
    assert html
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--provinces", default="bac-lieu,khanh-hoa,ho-chi-minh")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    if not (a.data_dir / "MANIFEST.json").exists():
        from evalutils.panel.demo import write_demo

        write_demo(a.data_dir, scale=1.0)
    import evalutils.evaluate as E
    import evalutils.report.province as report
    from evalutils.errors import EstimationError

    real = {k: getattr(E, k) for k in ("att_gt", "did_imputation", "minimum_detectable_effect", "sensitivity")}

    def switched_off(*args, **kw):
        raise EstimationError("switched off for the 'before' timing")

    def att_gt_before(*args, **kw):
        if kw.get("base_period") == "universal" and kw.get("bootstrap") == "none":
            raise EstimationError("switched off for the 'before' timing")
        return real["att_gt"](*args, **{**kw, "inference": "asymptotic"})

    before = {"att_gt": att_gt_before, "minimum_detectable_effect": switched_off, "sensitivity": switched_off,
              "did_imputation": lambda *args, **kw: real["did_imputation"](*args, **{**kw, "inference": "asymptotic"})}
    rows = []
    for slug in a.provinces.split(","):
        ctx = report.load_province_context(slug, data_dir=a.data_dir, params_dir=REPO / "params", lang="en")
        notebook_work(report, ctx)  # warm-up (imports, first figure)
        times = {"before": [], "after": []}
        for _ in range(a.repeat):
            for label in ("before", "after"):
                for k, fn in (before if label == "before" else real).items():
                    setattr(E, k, fn)
                times[label].append(notebook_work(report, ctx))
        for k, fn in real.items():
            setattr(E, k, fn)
        b, af = statistics.median(times["before"]), statistics.median(times["after"])
        ev = report.evaluate(ctx, cache=False)
        row = {"province": slug, "n_supported": ev.n_supported, "n_firms": ev.n_firms, "before_s": b, "after_s": af,
               "added_s": af - b, "growth": af / b - 1, "repeats": times}
        rows.append(row)
        print({k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items() if k != "repeats"}, flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "report_inference_cost.json").write_text(json.dumps({"repeat": a.repeat, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
