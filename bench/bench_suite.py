"""Rows 1-3: the batch suite (`evalutils run`) against a plain papermill + nbconvert loop, and re-runs.

The suite is used as a black box: whatever `evalutils run` does when this script runs (HTML, PDF, national
synthesis, site...) is what is timed; the files it wrote are listed in the results so the comparison can be
read. The alternative is the loop a user would write in the shell, over the same notebook(s), provinces and
languages, one process at a time:

    for p in PROVINCES; do for l in LANGS; do
      papermill notebooks/province_report.ipynb NB/$l/$p.ipynb -p province $p -p lang $l \
          -p data_dir DATA -p params_dir PARAMS --cwd notebooks
      jupyter nbconvert --to html --no-input NB/$l/$p.ipynb --output-dir HTML/$l
    done; done
    (+ the national synthesis notebook once per language when the suite builds one)
    (+ with --pdf, per report: python -c "from evalutils.render.pdf import render_report_pdf; ..." -- plain nbconvert has
       no PDF engine on a machine without TeX or a downloadable Chromium, so the loop calls the same pandoc+Typst
       route the suite uses, as a command of its own, as a user scripting it would)

Both sides start cold: every run writes into a fresh reports directory, and the caches (national aggregates,
estimates) live in its .cache/ (the data directory is only read). Repeats alternate loop / suite so both see the same
machine load. Then, on the last suite output:
  row 2: the same `evalutils run` again with nothing changed (median of --repeat);
  row 3: one province's parameter file changed (a target value +1 in a copy of params/) and `evalutils run` again,
         against the by-hand alternative: the loop restricted to that province.

Usage (from the repository root, in the project venv):
    python bench/bench_suite.py --data-dir /tmp/bench-data/s1 --scale 1 --provinces bac-lieu,quang-nam,khanh-hoa
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, fresh_dir, machine, median, save, timed, tool  # noqa: E402


def ensure_data(data: Path, scale: float) -> None:
    if (data / "MANIFEST.json").exists():
        return
    r = timed([tool("evalutils"), "demo-data", "--scale", str(scale), "--data", str(data)])
    print(f"[bench] generated data at {data} in {r['seconds']:.1f} s", flush=True)


def loop_script(provinces: list[str], langs: list[str], data: Path, params: Path, out: Path, national: bool,
                nbdir: Path = REPO / "notebooks", pdf: bool = False) -> str:
    pm, jup = shlex.quote(tool("papermill")), shlex.quote(tool("jupyter"))
    py = shlex.quote(sys.executable)
    lines = ["set -e"]

    def to_pdf(nb: Path, lang: str) -> None:
        if pdf:
            lines.append(f"{py} -c \"import sys; from pathlib import Path; from evalutils.render.pdf import render_report_pdf; "
                         f"render_report_pdf(Path(sys.argv[1]), Path(sys.argv[2]))\" {nb} "
                         f"{out}/html/{lang}/{nb.stem}.pdf")
    for p in provinces:
        for lang in langs:
            nb = out / "nb" / lang / f"{p}.ipynb"
            lines.append(f"mkdir -p {out}/nb/{lang} {out}/html/{lang}")
            lines.append(f"{pm} {nbdir}/province_report.ipynb {nb} -p province {p} -p lang {lang} "
                         f"-p data_dir {data} -p params_dir {params} -p cache_dir {out}/.cache --cwd {nbdir} "
                         "--no-progress-bar")
            lines.append(f"{jup} nbconvert --to html --no-input {nb} --output-dir {out}/html/{lang}")
            to_pdf(nb, lang)
    if national:
        for lang in langs:
            nb = out / "nb" / lang / "national.ipynb"
            lines.append(f"{pm} {nbdir}/national_synthesis.ipynb {nb} -p lang {lang} -p data_dir {data} "
                         f"-p params_dir {params} -p cache_dir {out}/.cache --cwd {nbdir} --no-progress-bar")
            lines.append(f"{jup} nbconvert --to html --no-input {nb} --output-dir {out}/html/{lang}")
            to_pdf(nb, lang)
    return "\n".join(lines)


def outputs(d: Path) -> dict:
    files = [f for f in d.rglob("*") if f.is_file() and not f.name.startswith(".")]
    by_ext: dict[str, int] = {}
    for f in files:
        by_ext[f.suffix or f.name] = by_ext.get(f.suffix or f.name, 0) + 1
    return {"n_files": len(files), "by_extension": by_ext,
            "national": sorted(str(f.relative_to(d)) for f in files if "national" in f.name)[:10]}


def plan_line(tail: list[str], full: str = "") -> str:
    for line in tail:
        if "skipped" in line or "to build" in line:
            return line
    return ""


def manifest_inputs(reports: Path) -> dict:
    try:
        m = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
        return {k: e.get("inputs", {}) for k, e in m.get("reports", {}).items()}
    except (OSError, ValueError):
        return {}


def changed_inputs(before: dict, after: dict) -> dict:
    """Per report key, the input labels whose hashes differ between two manifests (why a report was rebuilt)."""
    out = {}
    for k in after:
        diff = sorted(x for x in set(before.get(k, {})) | set(after[k]) if before.get(k, {}).get(x) != after[k].get(x))
        if diff:
            out[k] = diff
    return out


def snapshot(work: Path) -> dict:
    """Copy src/ and notebooks/ so that edits by others during the run do not change what is measured."""
    snap = work / "snapshot"
    shutil.copytree(REPO / "src", snap / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "notebooks", snap / "notebooks")
    env = dict(os.environ, PYTHONPATH=str(snap / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--short", "src", "notebooks"], capture_output=True,
                           text=True).stdout.strip()
    return {"env": env, "root": snap, "git": rev, "dirty": dirty}


def bump_target(params: Path, province: str, step: int) -> str:
    """Change the first numeric target `value:` of a province's parameter file (a real parameter change)."""
    f = params / "provinces" / f"{province}.yml"
    text = f.read_text(encoding="utf-8")
    m = re.search(r"^(\s*value:\s*)([0-9.]+)", text, flags=re.M)
    if not m:
        f.write_text(text + f"\n# bench change {step}\n", encoding="utf-8")
        return "comment appended"
    old = float(m.group(2))
    new = old + 1
    new_s = str(int(new)) if new.is_integer() else str(new)
    f.write_text(text[:m.start(2)] + new_s + text[m.end(2):], encoding="utf-8")
    return f"target value {m.group(2)} -> {new_s}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True, help="data directory (generated if missing)")
    ap.add_argument("--scale", type=float, default=1.0, help="demo scale used when --data-dir must be generated")
    ap.add_argument("--provinces", default="bac-lieu,quang-nam,khanh-hoa", help="slugs, or 'all' (63, run --all)")
    ap.add_argument("--pdf", action="store_true", help="PDF too: `evalutils run --pdf`, and a PDF step in the loop")
    ap.add_argument("--byhand-repeat", type=int, default=None, help="repeats of rows 2-3 (default --repeat)")
    ap.add_argument("--lang", default="vi,en")
    ap.add_argument("--workers", type=int, default=0, help="passed to evalutils run (0 = its default, all cores)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench-data/suite-work"))
    ap.add_argument("--national", choices=("auto", "yes", "no"), default="auto",
                    help="add the national synthesis notebook to the loop (auto: when the suite writes one)")
    ap.add_argument("--extra-run-args", default="", help="extra arguments for `evalutils run`, e.g. '--site'")
    ap.add_argument("--skip-loop", action="store_true")
    ap.add_argument("--reruns-only", action="store_true",
                    help="rows 2-3 only: one (recorded, not compared) suite build, then the re-runs")
    ap.add_argument("--snapshot", action="store_true",
                    help="run src/ and notebooks/ from a copy taken at start (PYTHONPATH), so that concurrent "
                         "edits of the code do not invalidate the re-run rows")
    ap.add_argument("--name", default=None, help="results file name (default suite_s<scale>)")
    ap.add_argument("--timeout", type=float, default=7200)
    a = ap.parse_args()

    data = a.data_dir.resolve()
    ensure_data(data, a.scale)
    if a.provinces == "all":
        from evalutils.geography import provinces as all_provinces

        provinces = list(all_provinces()["slug"])
    else:
        provinces = [p.strip() for p in a.provinces.split(",") if p.strip()]
    langs = [x.strip() for x in a.lang.split(",") if x.strip()]
    work = fresh_dir(a.work.resolve())
    params = work / "params"
    shutil.copytree(REPO / "params", params)
    log = work / "log.txt"
    snap = snapshot(work) if a.snapshot else None
    env = snap["env"] if snap else None
    nbroot = snap["root"] / "notebooks" if snap else REPO / "notebooks"
    res = {"machine": machine(), "data_dir": str(data), "provinces": provinces, "langs": langs, "pdf": a.pdf,
           "workers": a.workers, "repeat": a.repeat, "loop": [], "suite": [], "rerun": [], "one_changed": [],
           "one_by_hand": [], "snapshot": {k: str(v) for k, v in (snap or {}).items() if k != "env"}}

    def suite_cmd(reports: Path) -> list[str]:
        sel = ["--all"] if a.provinces == "all" else ["--provinces", ",".join(provinces)]
        cmd = [tool("evalutils"), "run", *sel, "--lang", ",".join(langs),
               "--data", str(data), "--params", str(params), "--reports", str(reports)]
        if a.pdf:
            cmd.append("--pdf")
        if a.workers:
            cmd += ["--workers", str(a.workers)]
        if snap:
            cmd += ["--notebook", str(nbroot / "province_report.ipynb")]
        return cmd + shlex.split(a.extra_run_args)

    res["suite_command"] = " ".join(suite_cmd(Path("REPORTS")))
    national = a.national == "yes"
    reports = None
    for i in range(1 if a.reruns_only else a.repeat):
        if not (a.skip_loop or a.reruns_only):
            out = fresh_dir(work / f"loop{i}")
            script = loop_script(provinces, langs, data, params, out, national, nbroot, a.pdf)
            (work / "loop.sh").write_text(script + "\n", encoding="utf-8")
            r = timed(["bash", str(work / "loop.sh")], cwd=REPO, env=env, log=log, timeout=a.timeout)
            r["outputs"] = outputs(out)
            res["loop"].append(r)
            print(f"[bench] loop   #{i}: {r['seconds']:.1f} s rc={r['rc']} peak {r['peak_tree_rss_gb']:.2f} GB", flush=True)
        reports = fresh_dir(work / f"suite{i}")
        r = timed(suite_cmd(reports), cwd=REPO, env=env, log=log, timeout=a.timeout)
        r["outputs"] = outputs(reports)
        res["suite"].append(r)
        print(f"[bench] suite  #{i}: {r['seconds']:.1f} s rc={r['rc']} peak {r['peak_tree_rss_gb']:.2f} GB "
              f"outputs {r['outputs']['by_extension']}", flush=True)
        if a.national == "auto" and i == 0 and r["outputs"]["national"]:
            national = True
            print("[bench] the suite wrote a national synthesis: the loop includes it from the next repeat", flush=True)
    res["loop_script"] = loop_script(provinces[:1], langs, Path("DATA"), Path("PARAMS"), Path("OUT"), national,
                                     pdf=a.pdf) + (f"\n# ... the same for each of the {len(provinces)} provinces"
                                                   if len(provinces) > 1 else "")
    res["loop_includes_national"] = national

    # row 2: nothing changed
    reps = a.repeat if a.byhand_repeat is None else a.byhand_repeat
    for i in range(reps):
        before = manifest_inputs(reports)
        r = timed(suite_cmd(reports), cwd=REPO, env=env, log=log, timeout=a.timeout)
        r["plan"] = plan_line(r["tail"])
        r["rebuilt_because"] = changed_inputs(before, manifest_inputs(reports))
        res["rerun"].append(r)
        print(f"[bench] re-run #{i}: {r['seconds']:.2f} s ({r['plan']}) rebuilt because {r['rebuilt_because']}", flush=True)

    # row 3: one province's parameters changed
    target = provinces[0]
    for i in range(reps):
        change = bump_target(params, target, i)
        before = manifest_inputs(reports)
        r = timed(suite_cmd(reports), cwd=REPO, env=env, log=log, timeout=a.timeout)
        r["plan"], r["change"] = plan_line(r["tail"]), change
        r["rebuilt_because"] = changed_inputs(before, manifest_inputs(reports))
        res["one_changed"].append(r)
        print(f"[bench] one changed #{i}: {r['seconds']:.2f} s ({change}; {r['plan']}) rebuilt because "
              f"{r['rebuilt_because']}", flush=True)
        if not a.skip_loop:
            out = fresh_dir(work / f"byhand{i}")
            script = loop_script([target], langs, data, params, out, national, nbroot, a.pdf)  # + national if built
            (work / "byhand.sh").write_text(script + "\n", encoding="utf-8")
            r = timed(["bash", str(work / "byhand.sh")], cwd=REPO, env=env, log=log, timeout=a.timeout)
            res["one_by_hand"].append(r)
            print(f"[bench] by hand   #{i}: {r['seconds']:.2f} s", flush=True)

    def med(key: str) -> float:
        return median([r["seconds"] for r in res[key] if r["rc"] == 0])

    s = {k: med(k) for k in ("loop", "suite", "rerun", "one_changed", "one_by_hand")}
    s["speedup_suite_vs_loop"] = s["loop"] / s["suite"] if s["suite"] else None
    s["speedup_rerun_vs_loop"] = s["loop"] / s["rerun"] if s["rerun"] else None
    s["speedup_one_changed_vs_by_hand"] = s["one_by_hand"] / s["one_changed"] if s["one_changed"] else None
    s["peak_tree_rss_gb_suite"] = max((r["peak_tree_rss_gb"] for r in res["suite"]), default=None)
    s["peak_tree_rss_gb_loop"] = max((r["peak_tree_rss_gb"] for r in res["loop"]), default=None)
    res["summary"] = s
    print("[bench] summary", s, flush=True)
    save(a.name or f"suite_s{a.scale:g}", res)


if __name__ == "__main__":
    main()
