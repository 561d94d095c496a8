"""TWFE speed: evalutils.effects.twfe vs pyfixest.feols, same data, same run.

``evalutils`` is ``twfe(..., backend="auto")`` (numpy within-estimator from 2 million rows);
``--also-linearmodels`` adds ``backend="linearmodels"`` (PanelOLS).

Usage: python bench/effects/bench_twfe.py --scale 100   (about 7 million firm-years)
Each estimator runs in its own subprocess so that peak memory (ru_maxrss) is measured separately.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import json, resource, sys, time, warnings
sys.path.insert(0, {here!r})
from _data import demo_panel
df = demo_panel({scale})
warnings.simplefilter("ignore")
which = {which!r}
t0 = time.perf_counter()
if which.startswith("evalutils"):
    from evalutils.effects import twfe
    backend = "linearmodels" if which == "evalutils-linearmodels" else "auto"
    r = twfe(df, outcome="y", unit="firm_id", time="year", treatment="D", cluster={cluster!r}, backend=backend)
    est, se = r.estimate, r.std_error
else:
    import pyfixest as pf
    f = pf.feols("y ~ D | firm_id + year", data=df, vcov={{"CRV1": {cluster!r}}})
    est, se = float(f.coef()["D"]), float(f.se()["D"])
secs = time.perf_counter() - t0
print(json.dumps({{"which": which, "rows": len(df), "seconds": secs, "estimate": est, "se": se,
                  "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2}}))
"""


def run(which: str, scale: float, cluster: str) -> dict:
    code = CHILD.format(here=str(HERE), scale=scale, which=which, cluster=cluster)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=100)
    ap.add_argument("--cluster", default="firm_id")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--also-linearmodels", action="store_true", help="also time backend='linearmodels'")
    a = ap.parse_args()
    sys.path.insert(0, str(HERE))
    from _data import demo_panel

    demo_panel(a.scale)  # build the cache once, outside the timings
    results = []
    for _ in range(a.repeat):
        for which in ("pyfixest", "evalutils") + (("evalutils-linearmodels",) if a.also_linearmodels else ()):
            results.append(run(which, a.scale, a.cluster))
            print(json.dumps(results[-1]))
    best = {w: min(r["seconds"] for r in results if r["which"] == w) for w in ("pyfixest", "evalutils")}
    print(f"ratio evalutils / pyfixest = {best['evalutils'] / best['pyfixest']:.2f}")


if __name__ == "__main__":
    main()
