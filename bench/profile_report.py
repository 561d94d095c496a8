"""Where the time of one province report goes (used to explain row 1 and row 3).

1. Start-up costs paid by every report in a loop of separate commands: a fresh interpreter importing papermill,
   nbconvert, `evalutils.report.province`, and starting + shutting down a Jupyter kernel (median of --repeat).
2. The notebook's own code: its code cells executed in this process (parameters injected, display() a no-op)
   under pyinstrument (pip install pyinstrument); the profile is written to bench/results/profile_<name>.txt and
   the per-cell wall times to bench/results/profile_<name>.json.
3. HTML rendering (nbconvert HTMLExporter) of the executed notebook, timed in-process.

Usage: python bench/profile_report.py --data-dir /tmp/bench-data/s1 --province bac-lieu --lang en
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, RESULTS, machine, median, save  # noqa: E402

STARTUP = {
    "python (bare interpreter)": "pass",
    "import papermill": "import papermill",
    "import nbconvert (HTMLExporter)": "from nbconvert import HTMLExporter",
    "import evalutils.report.province": "import evalutils.report.province",
    "start + stop a Jupyter kernel": ("from jupyter_client.manager import start_new_kernel\n"
                                      "km, kc = start_new_kernel(kernel_name='python3')\n"
                                      "kc.execute_interactive('1')\nkc.stop_channels(); km.shutdown_kernel(now=True)"),
}


def startup(repeat: int) -> dict:
    out = {}
    for label, code in STARTUP.items():
        xs = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
            xs.append(time.perf_counter() - t0)
        out[label] = median(xs)
        print(f"[bench] {label}: {out[label]:.2f} s", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--province", default="bac-lieu")
    ap.add_argument("--lang", default="en")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--name", default=None)
    a = ap.parse_args()
    name = a.name or f"report_{a.data_dir.name}"
    res = {"machine": machine(), "startup_seconds": startup(a.repeat)}

    import nbformat
    import IPython.display as ipd
    from pyinstrument import Profiler

    nb = nbformat.read(REPO / "notebooks" / "province_report.ipynb", as_version=4)
    ns = {"province": a.province, "lang": a.lang, "geography": "pre2025", "data_dir": str(a.data_dir.resolve()),
          "params_dir": str(REPO / "params")}
    shown = []
    ipd.display = lambda *xs, **kw: shown.extend(xs)  # noqa: E731 - keep outputs, print nothing
    cells = []
    prof = Profiler(interval=0.005)
    prof.start()
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code" or "parameters" in c.metadata.get("tags", []):
            continue
        src = c.source.replace("from IPython.display import HTML, display",
                               "from IPython.display import HTML; from IPython.display import display")
        t0 = time.perf_counter()
        exec(compile(src, f"cell{i}", "exec"), ns)
        cells.append({"cell": i, "first_line": c.source.splitlines()[0][:80], "seconds": time.perf_counter() - t0})
    prof.stop()
    res["cells"] = cells
    res["cells_total_seconds"] = sum(c["seconds"] for c in cells)
    for c in cells:
        print(f"[bench] cell {c['cell']:2d} {c['seconds']:6.2f} s  {c['first_line']}", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"profile_{name}.txt").write_text(prof.output_text(unicode=False, color=False, show_all=False),
                                                 encoding="utf-8")

    executed = next(iter(sorted(Path("/tmp/bench-data").glob(f"suite-work/suite*/notebooks/{a.lang}/{a.province}.ipynb"))),
                    None)
    if executed:
        from evalutils.render.runner import render_html

        xs = []
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            render_html(executed, Path("/tmp/bench-data/profile-render.html"))
            xs.append(time.perf_counter() - t0)
        res["render_html_seconds_in_process"] = median(xs)
        print(f"[bench] render_html (in process, warm): {median(xs):.2f} s", flush=True)
    save(f"profile_{name}", res)


if __name__ == "__main__":
    main()
