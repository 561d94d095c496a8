"""Rows 4-6 (and the estimator part of row 7): evalutils estimators against the packages users would otherwise use.

Row 4  evalutils.effects.twfe(outcome ~ D | firm + year, clustered by firm)  vs  pyfixest.feols("y ~ D | firm_id + year",
       vcov={"CRV1": "firm_id"}).
Row 5  evalutils.effects.att_gt (never-treated controls, outcome regression, 999-draw Mammen multiplier bootstrap,
       uniform bands)  vs  csdid.att_gt.ATTgt(..., biters=999, cband=True).fit(est_method="reg", bstrap=True).
       csdid runs in its own virtual environment (--csdid-python; create it with
       `python3 -m venv /tmp/csdid-venv && /tmp/csdid-venv/bin/pip install csdid`) so the project's pinned
       environment is untouched. Point estimates of every common (g, t) cell are compared.
Row 6  evalutils.productivity.estimate_production_function(method="acf", n_boot=100) on 1,000,000 simulated
       firm-years (100,000 firms x 10 years; the simulator of evalutils.productivity._simulate, true elasticities
       0.6/0.3)  vs  the bootstrap a user would write: resample firms with replacement and call the point estimator
       again (--naive-reps replications, timed, and its per-replication cost compared with ours).

Data for rows 4-5: the panel written by `evalutils demo-data` in --data-dir (log value added per worker; D = 1 from
the first support year; g = first support year, 0 = never supported), extracted once to a parquet file beside it.
Every estimator call runs in a fresh subprocess (reading the data is not timed; ru_maxrss of that process is its
peak memory); repeats alternate the two sides; medians are reported.

Usage: python bench/bench_estimators.py --data-dir /tmp/bench-data/s100 --rows twfe,attgt,acf --repeat 3
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, median, save  # noqa: E402

PREP = r"""
import numpy as np, pandas as pd, sys
from evalutils.panel.io import load_panel, load_participation
d = sys.argv[1]; out = sys.argv[2]
p = load_panel(d)
part = load_participation(d, p)
g = p["firm_id"].map(part.groupby("firm_id")["support_start_year"].min()).fillna(0).astype("int64")
df = pd.DataFrame({"firm_id": pd.factorize(p["firm_id"])[0].astype("int64"), "year": p["year"].astype("int64"),
                   "province_code": p["province_code"].astype(str),
                   "y": np.log(p["value_added"].to_numpy(float) / p["employment"].to_numpy(float)), "g": g.to_numpy()})
df["D"] = ((df["g"] > 0) & (df["year"] >= df["g"])).astype("int64")
df.to_parquet(out)
df[["firm_id", "year", "y", "g"]].to_csv(out.replace(".parquet", ".csv"), index=False)
print(len(df))
"""

CHILD = r"""
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
which, path, warm = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
backend = sys.argv[4] if len(sys.argv) > 4 else "auto"
import pandas as pd
df = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)
out = {"which": which, "rows": len(df)}
def call(out):
    if which == "evalutils-twfe":
        from evalutils.effects import twfe
        t0 = time.perf_counter()
        r = twfe(df, outcome="y", unit="firm_id", time="year", treatment="D", cluster="firm_id", backend=backend)
        out["seconds"] = time.perf_counter() - t0
        out["estimate"], out["se"] = float(r.estimate), float(r.std_error)
        out["backend"] = r.backend
    elif which == "pyfixest":
        import pyfixest as pf
        t0 = time.perf_counter()
        f = pf.feols("y ~ D | firm_id + year", data=df, vcov={"CRV1": "firm_id"})
        est, se = float(f.coef()["D"]), float(f.se()["D"])
        out["seconds"] = time.perf_counter() - t0
        out["estimate"], out["se"] = est, se
    elif which == "evalutils-attgt":
        from evalutils.effects import att_gt
        t0 = time.perf_counter()
        r = att_gt(df, outcome="y", unit="firm_id", time="year", group="g", est_method="reg",
                   control_group="never_treated", bootstrap="mammen", n_boot=999, seed=1)
        out["seconds"] = time.perf_counter() - t0
        c = r.cells
        out["att"] = {f"{int(g)},{int(t)}": float(a) for g, t, a in zip(c["group"], c["time"], c["att"])}
    elif which == "csdid":
        from csdid.att_gt import ATTgt
        t0 = time.perf_counter()
        m = ATTgt(yname="y", tname="year", idname="firm_id", gname="g", data=df, control_group=["nevertreated"],
                  biters=999, cband=True)
        res = m.fit(est_method="reg", bstrap=True)
        out["seconds"] = time.perf_counter() - t0
        r = res.results
        out["att"] = {f"{int(g)},{int(t)}": float(a) for g, t, a in zip(r["group"], r["year"], r["att"])}
    return out
call(out)
first = out['seconds']
if warm:
    out['warm_seconds'] = call(dict(out))['seconds']
out['seconds'] = first
out["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
print("RESULT " + json.dumps(out))
"""

ACF = r"""
import json, os, resource, sys, time
for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(v, "1")
import numpy as np
from evalutils.productivity import estimate_production_function
from evalutils.productivity._simulate import simulate_panel
which, firms, n_boot, n_jobs, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
panel = simulate_panel(firms, 10, seed=20200831)
spec = dict(method="acf", output="y", free="l", state="k", proxy="m", unit="firm", time="year")
out = {"which": which, "rows": len(panel), "n_boot": n_boot, "n_jobs": n_jobs}
if which == "evalutils-acf":
    t0 = time.perf_counter()
    res = estimate_production_function(panel, n_boot=n_boot, seed=1, n_jobs=n_jobs, **spec)
    out["seconds"] = time.perf_counter() - t0
    fit = res.fits["all"]
    out["beta"] = {k: float(v) for k, v in fit.params.items()}
    out["se"] = {k: float(v) for k, v in fit.std_errors.items()}
    out["per_rep"] = out["seconds"] / max(n_boot, 1)
else:  # the hand-written bootstrap: resample firms, re-run the point estimator
    rng = np.random.default_rng(1)
    ids = panel["firm"].unique()
    groups = panel.groupby("firm").indices
    t0 = time.perf_counter()
    est = estimate_production_function(panel, **spec).fits["all"].params
    draws = []
    for b in range(reps):
        pick = rng.choice(ids, size=len(ids), replace=True)
        idx = np.concatenate([groups[i] for i in pick])
        s = panel.iloc[idx].copy()
        s["firm"] = np.repeat(np.arange(len(pick)), [len(groups[i]) for i in pick])
        draws.append(estimate_production_function(s, **spec).fits["all"].params.to_numpy())
    out["seconds"] = time.perf_counter() - t0
    out["reps"] = reps
    out["per_rep"] = out["seconds"] / (reps + 1)
    out["beta"] = {k: float(v) for k, v in est.items()}
    out["se"] = dict(zip(est.index, np.std(draws, axis=0, ddof=1).tolist())) if reps > 1 else {}
out["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
print("RESULT " + json.dumps(out))
"""


def child(python: str, code: str, args: list[str], timeout: float, mem_gb: float | None = None) -> dict:
    def limit() -> None:
        if mem_gb:
            import resource

            cap = int(mem_gb * 1024**3)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    try:
        p = subprocess.run([python, "-c", code, *args], capture_output=True, text=True, timeout=timeout,
                           preexec_fn=limit)
    except subprocess.TimeoutExpired:
        return {"which": args[0], "error": f"timeout after {timeout:.0f} s"}
    for line in p.stdout.splitlines()[::-1]:
        if line.startswith("RESULT "):
            r = json.loads(line[7:])
            print("[bench]", {k: v for k, v in r.items() if k != "att"}, flush=True)
            return r
    return {"which": args[0], "error": (p.stderr or p.stdout)[-1500:]}


def prepared(data_dir: Path, python: str) -> Path:
    out = Path("/tmp/bench-data") / f"panel_{data_dir.name}.parquet"
    src = data_dir / "MANIFEST.json"
    if out.exists() and out.stat().st_mtime > src.stat().st_mtime:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([python, "-c", PREP, str(data_dir), str(out)], check=True)
    return out


def ok(rs: list[dict], key: str = "seconds") -> list[float]:
    return [r[key] for r in rs if key in r]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, help="a directory written by `evalutils demo-data` (rows twfe, attgt)")
    ap.add_argument("--rows", default="twfe,attgt,acf")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--csdid-python", default="/tmp/csdid-venv/bin/python")
    ap.add_argument("--csdid-max-gb", type=float, default=16, help="address-space cap of the csdid process")
    ap.add_argument("--acf-firms", type=int, default=100_000, help="firms of the ACF panel (x 10 years)")
    ap.add_argument("--acf-jobs", default="1,2", help="n_jobs values for evalutils' bootstrap")
    ap.add_argument("--naive-reps", type=int, default=10, help="replications of the hand-written bootstrap")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--name", default=None)
    ap.add_argument("--no-warm", action="store_true", help="skip the second (warm) call in the same process")
    ap.add_argument("--twfe-backend", default="auto", choices=("auto", "linearmodels", "numpy"),
                    help="backend= of effects.twfe (auto: its default)")
    a = ap.parse_args()
    py = sys.executable
    warm = "0" if a.no_warm else "1"
    rows = [r.strip() for r in a.rows.split(",")]
    res: dict = {"machine": machine(), "data_dir": str(a.data_dir) if a.data_dir else None, "repeat": a.repeat}
    if {"twfe", "attgt"} & set(rows):
        path = prepared(a.data_dir.resolve(), py)
        csv = str(path).replace(".parquet", ".csv")
    if "twfe" in rows:
        rs = {"evalutils-twfe": [], "pyfixest": []}
        for _ in range(a.repeat):
            for w in ("pyfixest", "evalutils-twfe"):
                rs[w].append(child(py, CHILD, [w, str(path), warm, a.twfe_backend], a.timeout))
        e, f = median(ok(rs["evalutils-twfe"])), median(ok(rs["pyfixest"]))
        good = [r for r in rs["evalutils-twfe"] + rs["pyfixest"] if "estimate" in r]
        res["twfe"] = {"runs": rs, "backend_asked": a.twfe_backend,
                       "backend_used": sorted({r.get("backend", "?") for r in rs["evalutils-twfe"]}),
                       "median_evalutils": e, "median_pyfixest": f, "ratio_evalutils_over_pyfixest": e / f,
                       "rows": good[0]["rows"] if good else None,
                       "max_abs_diff_estimate": abs(rs["evalutils-twfe"][0]["estimate"] - rs["pyfixest"][0]["estimate"])
                       if len(good) == len(rs["evalutils-twfe"]) + len(rs["pyfixest"]) else None,
                       "max_abs_diff_se": abs(rs["evalutils-twfe"][0]["se"] - rs["pyfixest"][0]["se"])
                       if len(good) == len(rs["evalutils-twfe"]) + len(rs["pyfixest"]) else None}
        res["twfe"]["warm_median_evalutils"] = median(ok(rs["evalutils-twfe"], "warm_seconds"))
        res["twfe"]["warm_median_pyfixest"] = median(ok(rs["pyfixest"], "warm_seconds"))
        print("[bench] twfe", {k: v for k, v in res["twfe"].items() if k != "runs"}, flush=True)
    if "attgt" in rows:
        rs = {"evalutils-attgt": [], "csdid": []}
        for _ in range(a.repeat):
            rs["csdid"].append(child(a.csdid_python, CHILD, ["csdid", csv, warm], a.timeout, a.csdid_max_gb))
            rs["evalutils-attgt"].append(child(py, CHILD, ["evalutils-attgt", str(path), warm], a.timeout))
        e, c = median(ok(rs["evalutils-attgt"])), median(ok(rs["csdid"]))
        cmp = {}
        ours = next((r["att"] for r in rs["evalutils-attgt"] if "att" in r), None)
        theirs = next((r["att"] for r in rs["csdid"] if "att" in r), None)
        if ours and theirs:
            common = sorted(set(ours) & set(theirs))
            cmp = {"common_cells": len(common), "cells_evalutils": len(ours), "cells_csdid": len(theirs),
                   "max_abs_diff_att": max(abs(ours[k] - theirs[k]) for k in common) if common else None}
        for side in rs.values():
            for r in side:
                r.pop("att", None)
        res["attgt"] = {"runs": rs, "median_evalutils": e, "median_csdid": c,
                        "ratio_evalutils_over_csdid": e / c if c == c else None, **cmp}
        res["attgt"]["warm_median_evalutils"] = median(ok(rs["evalutils-attgt"], "warm_seconds"))
        res["attgt"]["warm_median_csdid"] = median(ok(rs["csdid"], "warm_seconds"))
        print("[bench] att_gt", {k: v for k, v in res["attgt"].items() if k != "runs"}, flush=True)
    if "acf" in rows:
        jobs = [int(j) for j in a.acf_jobs.split(",")]
        rs = {f"evalutils-acf-jobs{j}": [] for j in jobs}
        rs["hand-bootstrap"] = []
        for i in range(a.repeat):
            for j in jobs:
                rs[f"evalutils-acf-jobs{j}"].append(child(py, ACF, ["evalutils-acf", str(a.acf_firms), "100", str(j), "0"],
                                                          a.timeout))
            if i == 0 or a.naive_reps <= 10:
                rs["hand-bootstrap"].append(child(py, ACF, ["hand-bootstrap", str(a.acf_firms), "0", "1",
                                                            str(a.naive_reps)], a.timeout))
        summ = {k: median(ok(v)) for k, v in rs.items()}
        per_rep = {k: median([r["per_rep"] for r in v if "per_rep" in r]) for k, v in rs.items()}
        res["acf"] = {"runs": rs, "median_seconds": summ, "median_per_replication": per_rep,
                      "hand_bootstrap_100_extrapolated": per_rep["hand-bootstrap"] * 101,
                      "rows": a.acf_firms * 10}
        print("[bench] acf", {k: v for k, v in res["acf"].items() if k != "runs"}, flush=True)
    save(a.name or f"estimators_{a.data_dir.name if a.data_dir else 'acf'}", res)


if __name__ == "__main__":
    main()
