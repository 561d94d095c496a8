"""Group-time ATTs with a 999-draw multiplier bootstrap: evalutils.effects.att_gt vs the ``csdid`` package.

Same data (the synthetic demo panel, log VA per worker, never-treated controls, outcome
regression, units not observed in every year dropped by both), same run, each in its own
subprocess (peak memory measured separately). csdid lives in its own virtual environment
(``--csdid-python``, default /tmp/csdid-venv/bin/python; create it with
``python -m venv /tmp/csdid-venv && /tmp/csdid-venv/bin/pip install csdid``) so the project's
environment is not touched. Point estimates of the two are compared too.

Usage: python bench/effects/bench_att_gt.py --scale 10 [--timeout 1800]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

OURS = r"""
import json, resource, sys, time
sys.path.insert(0, {here!r})
from _data import demo_panel
df = demo_panel({scale})
from evalutils.effects import att_gt
t0 = time.perf_counter()
r = att_gt(df, outcome="y", unit="firm_id", time="year", group="g", est_method="reg",
           bootstrap="mammen", n_boot=999, seed=1)
secs = time.perf_counter() - t0
c = r.cells
print(json.dumps({{"which": "evalutils", "rows": len(df), "units_used": r.n_units, "seconds": secs,
                  "att": {{f"{{g}},{{t}}": a for g, t, a in zip(c["group"], c["time"], c["att"])}},
                  "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2}}))
"""

THEIRS = r"""
import json, resource, sys, time, warnings
import pandas as pd
warnings.simplefilter("ignore")
df = pd.read_csv({csv!r})
from csdid.att_gt import ATTgt
t0 = time.perf_counter()
m = ATTgt(yname="y", tname="year", idname="firm_id", gname="g", data=df, control_group=["nevertreated"],
          biters=999, cband=True)
out = m.fit(est_method="reg", bstrap=True)
secs = time.perf_counter() - t0
att = {{}}
try:
    res = out.results
    for g, t, a in zip(res["group"], res["year"], res["att"]):
        att[f"{{int(g)}},{{int(t)}}"] = float(a)
except Exception as exc:
    att = {{"error": repr(exc)}}
print(json.dumps({{"which": "csdid", "rows": len(df), "seconds": secs, "att": att,
                  "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2}}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=10)
    ap.add_argument("--csdid-python", default="/tmp/csdid-venv/bin/python")
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--skip-csdid", action="store_true")
    ap.add_argument("--csdid-max-gb", type=float, default=12, help="address-space cap for the csdid process")
    a = ap.parse_args()
    sys.path.insert(0, str(HERE))
    from _data import CACHE, demo_panel

    df = demo_panel(a.scale)
    csv = CACHE / f"demo_{a.scale:g}.csv"
    if not csv.exists():
        df[["firm_id", "year", "y", "g"]].to_csv(csv, index=False)
    res = {}
    out = subprocess.run([sys.executable, "-c", OURS.format(here=str(HERE), scale=a.scale)],
                         capture_output=True, text=True, check=True)
    res["evalutils"] = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps({k: v for k, v in res["evalutils"].items() if k != "att"}))
    if not a.skip_csdid:
        try:
            import resource

            cap = int(a.csdid_max_gb * 1024**3)

            def limit():
                resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

            out = subprocess.run([a.csdid_python, "-c", THEIRS.format(csv=str(csv))], capture_output=True,
                                 text=True, timeout=a.timeout, preexec_fn=limit)
            if out.returncode != 0:
                print("csdid failed:", out.stderr[-2000:])
            else:
                res["csdid"] = json.loads(out.stdout.strip().splitlines()[-1])
                print(json.dumps({k: v for k, v in res["csdid"].items() if k != "att"}))
        except subprocess.TimeoutExpired:
            print(f"csdid did not finish within {a.timeout:.0f}s")
    if "csdid" in res:
        ours, theirs = res["evalutils"]["att"], res["csdid"]["att"]
        common = sorted(set(ours) & set(theirs))
        if common:
            diff = max(abs(ours[k] - theirs[k]) for k in common)
            print(f"{len(common)} common (g,t) cells, max |ATT difference| = {diff:.2e}")
        print(f"time ratio evalutils / csdid = {res['evalutils']['seconds'] / res['csdid']['seconds']:.3f}")


if __name__ == "__main__":
    main()
