"""Command line: ``evalutils <command>``. Run ``evalutils --help`` for the list.

Every command prints what it did and exits non-zero when anything failed;
errors of evalutils print as their message (file, column, rows, what to do),
never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path

from .errors import EvalutilsError

SEED_PROVINCES = ("bac-lieu", "quang-nam", "tuyen-quang", "khanh-hoa", "quang-ninh", "binh-duong")


def _cmd_demo_data(args: argparse.Namespace) -> int:
    from .panel.demo import DEFAULT_SEED, write_demo

    seed = args.seed if args.seed is not None else DEFAULT_SEED
    t0 = time.perf_counter()
    demo = write_demo(args.data, scale=args.scale, seed=seed)
    m = demo.manifest
    print(f"wrote SYNTHETIC demo data to {args.data}: {m['n_firms']:,} firms, {m['n_firm_years']:,} firm-years, "
          f"{m['n_supported']:,} supported, seed {seed}, scale {args.scale} ({time.perf_counter() - t0:.1f} s)")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from .panel.check import check_inputs

    # the checks `run` makes before building (panel.check), plus every province file and its sources;
    # every problem is listed, not only the first
    result = check_inputs(args.data, args.params)
    if result.problems:
        print(f"{len(result.problems)} problem(s) found:\n", file=sys.stderr)
        for i, problem in enumerate(result.problems, 1):
            print(f"{i}. {problem}\n", file=sys.stderr)
        print("correct these and validate again", file=sys.stderr)
        return 2
    print(f"parameters OK: {result.n_province_files} province files, {result.n_targets} targets")
    print(f"data OK: {result.n_firm_years:,} firm-years, {result.n_firms:,} firms, {result.n_supported:,} "
          f"supported, {result.n_monitoring:,} monitoring values ({'SYNTHETIC demo data' if result.synthetic else 'delivered data'})")
    return 0


def _province_names(text: str) -> str:
    """``--provinces``: at least one name ("" or "," would silently mean the default set, or nothing)."""
    if not [p for p in text.split(",") if p.strip()]:
        raise argparse.ArgumentTypeError(f"names no province ({text!r}); give slugs, codes or names separated by "
                                         "commas (e.g. bac-lieu,56), use --all, or leave the option out for the "
                                         "six seed provinces")
    return text


def _scale(text: str) -> float:
    """``demo-data --scale``: a number above 0 (1 ≈ 15,000 firms)."""
    from .panel.demo import MAX_SCALE

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value <= MAX_SCALE:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be above 0 and at most {MAX_SCALE:g}, got {text} (1 ≈ 15,000 "
                                         "firms; 0.2 for a quick test; 100 is the national size)")
    return value


def _seed(text: str) -> int:
    """``demo-data --seed``: a whole number 0 … 2**32 − 1, as params/defaults.yml: seed."""
    from .panel.demo import MAX_SEED

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to {MAX_SEED}, got {text}")
    return value


_SCHEDULER_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx", "inproc")


def _scheduler(text: str) -> str:
    """``--scheduler``: 'local' or the address of a running Dask scheduler (tcp://host:port)."""
    value = text.strip()
    if value == "local":
        return value
    scheme, sep, rest = value.partition("://")
    if sep and scheme in _SCHEDULER_SCHEMES and rest and not rest.startswith((":", "/")):
        return value
    raise argparse.ArgumentTypeError(f"{text!r} is neither 'local' nor a scheduler address; use 'local' (a Dask "
                                     "LocalCluster on this machine) or an address such as tcp://10.0.0.5:8786 "
                                     f"(schemes: {', '.join(_SCHEDULER_SCHEMES)})")


def _writable_reports_dir(path: Path) -> None:
    """The reports directory must be a directory this process can write: a file there, or a read-only file
    system, would fail on the first write deep inside a run."""
    import errno
    import tempfile

    if path.exists() and not path.is_dir():
        raise EvalutilsError("the reports path is a file, not a directory", file=path,
                             hint="pass --reports a directory (it is created when missing)")
    probe = path
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise EvalutilsError(f"the reports directory cannot be created: {probe} is a file", file=path,
                             hint="pass --reports a directory path whose parents are directories")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".evalutils-write-test-"):
            pass
    except OSError as exc:
        why = {errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
               errno.EPERM: "permission denied", errno.ENOSPC: "the disk is full"}.get(exc.errno, exc.strerror)
        raise EvalutilsError(f"cannot write to the reports directory ({why})", file=path,
                             hint="pass --reports a directory on a writable disk (the default is reports/ in "
                                  "the current folder)") from None


def _select_provinces(args: argparse.Namespace) -> list[str]:
    from .geography import provinces, resolve_province, resolve_unit_2025, units_2025

    if args.geography == "2025":
        if args.all:
            return list(units_2025()["slug"])
        if args.provinces:
            return [resolve_unit_2025(p.strip())["slug"] for p in args.provinces.split(",") if p.strip()]
        seed_units = provinces().set_index("slug").loc[list(SEED_PROVINCES), "unit_2025"]
        return list(dict.fromkeys(seed_units))
    if args.all:
        return list(provinces()["slug"])
    if args.provinces:
        return [resolve_province(p.strip())["slug"] for p in args.provinces.split(",") if p.strip()]
    return list(SEED_PROVINCES)


class _Progress:
    """One line per finished report (plain lines when not on a terminal, a bar above them when on one)."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.bar = None
        if total and sys.stdout.isatty():
            try:
                from tqdm import tqdm

                self.bar = tqdm(total=total, unit="report", dynamic_ncols=True, leave=False)
            except ImportError:  # pragma: no cover
                self.bar = None

    def __call__(self, outcome) -> None:
        self.done += 1
        t = outcome.task
        status = "built" if outcome.ok else "FAILED"
        line = f"  [{self.done}/{self.total}] {t.province} ({t.lang}) {status} {outcome.seconds:.1f} s"
        if self.bar is not None:
            self.bar.write(line)
            self.bar.set_postfix_str(f"{t.province} ({t.lang})", refresh=False)
            self.bar.update(1)
        else:
            print(line, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _languages(args: argparse.Namespace) -> list[str]:
    langs = [x.strip() for x in args.lang.split(",") if x.strip()]
    bad = [x for x in langs if x not in ("vi", "en")]
    if bad or not langs:
        raise EvalutilsError(f"unknown language(s) {bad}", hint="use --lang vi,en")
    return langs


REPORT_TIMEOUT = 1800  # seconds for one whole report (execution and rendering)


def _seconds(text: str) -> int:
    """``--timeout``: a whole, positive number of seconds."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of seconds, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 second, got {value} (it limits each whole report; "
                                         f"the default is {REPORT_TIMEOUT})")
    return value


def _worker_count(text: str) -> int:
    """``--workers``: 0 (all cores) or a positive number of processes."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (all cores) or a positive number of processes, got {value}")
    return value


def _workers(args: argparse.Namespace) -> int:
    return args.workers or os.cpu_count() or 1


def _cmd_run(args: argparse.Namespace) -> int:
    from .render.manifest import run_lock

    _writable_reports_dir(Path(args.reports))
    with run_lock(args.reports):  # one run at a time per reports directory
        return _run_locked(args)


def _analysis_overrides(args: argparse.Namespace) -> str:
    """The run's ``--set analysis.KEY=VALUE`` options as JSON text ('' when none), checked against defaults.yml."""
    import json

    from .panel.analysis import parse_settings, resolve_analysis
    from .panel.params import load_defaults

    settings = getattr(args, "settings", None) or []
    if not settings:
        return ""
    overrides = parse_settings(settings)
    resolve_analysis(load_defaults(Path(args.params) / "defaults.yml"), run=overrides, run_source="--set")
    return json.dumps(overrides, sort_keys=True)


def _run_locked(args: argparse.Namespace) -> int:
    from .measures.aggregates import prepare_national
    from .render.manifest import RunManifest
    from .panel.params import load_defaults
    from .render.runner import DEFAULT_NOTEBOOK, NATIONAL, NATIONAL_NOTEBOOK, ReportTask, run_batch
    from .render.task import report_cache_dir

    from .panel.check import require_valid_inputs
    from .provenance import remember_digests

    provinces = _select_provinces(args)
    langs = _languages(args)
    seed = load_defaults(Path(args.params) / "defaults.yml").seed
    analysis = _analysis_overrides(args)  # a bad --set is refused before anything is built
    # input files' digests kept beside the caches: an unchanged panel is not read again to know it is unchanged
    remember_digests(report_cache_dir(args.reports))
    # the checks of `evalutils validate`; every problem listed
    require_valid_inputs(args.data, args.params, cache_dir=report_cache_dir(args.reports))
    workers = _workers(args)
    # build the shared national aggregates once, before the workers start (sections' ACF on the workers' cores)
    prepare_national(args.data, seed=seed, cache_dir=report_cache_dir(args.reports),
                     n_jobs=1 if args.scheduler else workers)
    notebook = Path(args.notebook) if args.notebook else DEFAULT_NOTEBOOK
    tasks = [ReportTask(p, lang, Path(args.data), Path(args.params), Path(args.reports), notebook=notebook,
                        timeout=args.timeout, geography=args.geography, pdf=args.pdf, analysis=analysis)
             for p in provinces for lang in langs]
    if args.national:
        tasks = [ReportTask(NATIONAL, lang, Path(args.data), Path(args.params), Path(args.reports),
                            notebook=NATIONAL_NOTEBOOK, timeout=args.timeout, geography=NATIONAL, pdf=args.pdf)
                 for lang in langs] + tasks
    manifest = RunManifest(args.reports)
    t0 = time.perf_counter()
    progress: list[_Progress] = []

    def on_plan(plan) -> None:
        where = f"Dask ({args.scheduler})" if args.scheduler else f"{workers} worker process(es)"
        print(f"{len(tasks)} report(s) ({len(provinces)} unit(s) × {len(langs)} language(s)"
              + (" + the national synthesis" if args.national else "") + "): "
              f"{len(plan.to_run)} to build, {len(plan.unchanged)} unchanged"
              + (f"; building on {where}" if plan.to_run else ""), flush=True)
        progress.append(_Progress(len(plan.to_run)))

    try:
        plan, outcomes = run_batch(tasks, manifest, workers=workers, scheduler=args.scheduler, force=args.force,
                                   seed=seed, on_plan=on_plan, on_done=lambda o: progress[0](o))
    finally:
        if progress:
            progress[0].close()
    failed = [o for o in outcomes if not o.ok]
    print(f"built {len(outcomes) - len(failed)}, skipped as unchanged {len(plan.unchanged)}, failed {len(failed)} "
          f"in {time.perf_counter() - t0:.1f} s; reports under {args.reports}/, manifest "
          f"{manifest.path}")
    for o in failed:
        print(f"  FAILED {o.task.province} ({o.task.lang}): {o.error}")
        if o.failed_notebook:
            print(f"    failed notebook saved at {o.failed_notebook}")
    site_index = Path(args.reports) / "site" / "index.html"
    if getattr(args, "site", False) or site_index.exists():  # keep an existing site in step with the reports
        from .site import build_site

        print(f"site: {build_site(args.reports, lock_held=True)}")  # this run holds the reports' lock
    return 1 if failed else 0


def _cmd_verify(args: argparse.Namespace) -> int:
    import json
    import tempfile

    from .render.manifest import FileHasher, RunManifest, diff_payloads, task_inputs
    from .render.runner import ReportTask, run_tasks

    manifest = RunManifest(args.reports)
    wanted_provinces = None
    if args.provinces:
        wanted_provinces = set(_select_provinces(args))
    langs = set(_languages(args))
    entries = [(k, e) for k, e in sorted(manifest.reports.items())
               if e.get("outcome") == "built" and e["lang"] in langs
               and (args.geography is None or e["geography"] == args.geography)
               and (wanted_provinces is None or e["province"] in wanted_provinces)]
    if not entries:
        raise EvalutilsError("nothing to verify: no built report in the manifest matches", file=manifest.path,
                             hint="run `evalutils run` first, or check --provinces/--lang/--geography")
    problems: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="evalutils-verify-") as tmp:
        tasks, keys = [], []
        hasher = FileHasher()
        for key, e in entries:
            p = e["parameters"]
            task = ReportTask(p["province"], p["lang"], Path(p["data_dir"]), Path(p["params_dir"]), Path(tmp),
                              notebook=Path(p["notebook"]), timeout=int(p.get("timeout", args.timeout)),
                              geography=p["geography"],
                              analysis=json.dumps(p["analysis"], sort_keys=True) if p.get("analysis") else "")
            # the inputs of the recorded build, where it read them (its reports folder's cache too) and with its
            # formats (a --pdf build records "html+pdf"); the re-execution renders HTML only (the PDF is not part
            # of the results payload compared) and computes what it needs afresh in the temporary folder
            now = task_inputs(replace(task, pdf=bool(p.get("pdf", False)), out_dir=Path(args.reports)), hasher)
            changed = sorted(k for k in set(now) | set(e["inputs"]) if now.get(k) != e["inputs"].get(k))
            if changed:
                problems.setdefault(key, []).append("inputs changed since the manifest was written: "
                                                    + ", ".join(changed))
            tasks.append(task)
            keys.append(key)
        print(f"verifying {len(tasks)} report(s) by re-executing them on {_workers(args)} worker(s)", flush=True)
        outcomes = run_tasks(tasks, workers=_workers(args), scheduler=args.scheduler)
        for key, (_, e), o in zip(keys, entries, outcomes):
            if not o.ok:
                problems.setdefault(key, []).append(f"re-execution failed: {o.error}")
                continue
            diffs = diff_payloads(e.get("results"), o.results)
            if diffs:
                problems.setdefault(key, []).extend(diffs)
            status = "DIFFERS" if key in problems else "identical"
            print(f"  {key}: {status} ({o.seconds:.1f} s)", flush=True)
    if problems:
        print(f"{len(problems)} of {len(entries)} report(s) not reproduced:")
        for key, lines in problems.items():
            print(f"  {key}")
            for line in lines:
                print(f"    {line}")
        return 1
    print(f"all {len(entries)} report(s) reproduced: every number in the results payload is identical")
    return 0


def _cmd_site(args: argparse.Namespace) -> int:
    from .site import build_site

    index = build_site(args.reports)
    print(f"site written: {index} (open it in a browser; links are relative)")
    return 0


def _cmd_api_docs(args: argparse.Namespace) -> int:
    from .site.api import build_api_docs

    try:
        index = build_api_docs(args.out)
    except OSError as exc:
        raise EvalutilsError(f"writing the API reference failed: {exc.strerror or exc}", file=args.out,
                             hint="choose a writable directory with --out") from None
    print(f"API reference written: {index}")
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    from .site import publish

    out, n = publish(args.reports, args.to)
    print(f"published {n} file(s) to {out}: serve it with any static web server "
          f"(e.g. `python3 -m http.server -d {out}`) or push it to GitHub Pages")
    return 0


def _cmd_open(args: argparse.Namespace) -> int:
    from .geography import resolve_province, resolve_unit_2025
    from .render.runner import NATIONAL, ReportTask

    geography = args.geography
    if args.province.strip().lower() == NATIONAL:
        slug, geography = NATIONAL, NATIONAL
    elif geography == "2025":
        slug = resolve_unit_2025(args.province)["slug"]
    else:
        slug = resolve_province(args.province)["slug"]
    task = ReportTask(slug, args.lang, Path("."), Path("."), Path(args.reports), geography=geography)
    path = task.html_path.resolve()
    if not path.exists():
        raise EvalutilsError(f"no {args.lang} report for {slug} yet", file=path,
                             hint=f"build it: evalutils run --national --lang {args.lang}" if slug == NATIONAL
                             else f"build it: evalutils run --provinces {slug} --lang {args.lang}"
                                  + (" --geography 2025" if geography == "2025" else ""))
    print(path)
    if not args.no_browser:
        import webbrowser

        webbrowser.open(path.as_uri())
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    # the whole demo: every province (or unit) in both languages, HTML and PDF, the national synthesis, the site
    args.site = True
    args.national = True
    args.pdf = True
    if not args.provinces:
        args.all = True
    rc = _cmd_demo_data(args)
    return rc or _cmd_run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evalutils",
        description="Evaluation reports of Vietnam's programmes to raise enterprise productivity and quality "
                    "(Decisions 1322/QĐ-TTg and 36/QĐ-TTg).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def data_opts(p, out=False):
        p.add_argument("--data", default="data/demo", help="data directory (default data/demo)")
        if out:
            p.add_argument("--scale", type=_scale, default=1.0,
                           help="1 ≈ 15,000 firms and 100,000 firm-years; 100 ≈ 7 million firm-years (national size)")
            p.add_argument("--seed", type=_seed, default=None,
                           help="random seed, 0 … 4294967295 (default: the suite's seed)")

    def run_opts(p):
        p.add_argument("--params", default="params", help="parameter directory (default params)")
        p.add_argument("--reports", default="reports", help="output directory (default reports)")
        who = p.add_mutually_exclusive_group()
        who.add_argument("--provinces", type=_province_names, help="comma-separated slugs, codes or names, e.g. bac-lieu,56 "
                                              "(default: the six provinces of the seed documents)")
        who.add_argument("--all", action="store_true", help="all 63 provinces (or all 34 units)")
        p.add_argument("--geography", choices=("pre2025", "2025"), default="pre2025",
                       help="pre2025: the 63 provinces whose plans are evaluated (default); "
                            "2025: the 34 units of Resolution 202/2025/QH15")
        p.add_argument("--lang", default="vi,en", help="languages, comma-separated (default vi,en)")
        p.add_argument("--workers", type=_worker_count, default=0,
                       help="parallel processes (default 0: all cores)")
        p.add_argument("--timeout", type=_seconds, default=REPORT_TIMEOUT,
                       help=f"seconds allowed for one whole report, execution and HTML/PDF rendering "
                            f"(default {REPORT_TIMEOUT})")
        p.add_argument("--notebook", default=None, help="report notebook (default notebooks/province_report.ipynb)")
        p.add_argument("--pdf", action="store_true", help="also render each report to PDF (<slug>.pdf beside the HTML)")
        p.add_argument("--set", action="append", default=[], metavar="analysis.KEY=VALUE", dest="settings",
                       help="override an analysis choice for this run, e.g. --set analysis.control_group=not_yet_treated "
                            "(repeatable; see docs/analysis.md)")
        p.add_argument("--national", action="store_true",
                       help="also build the national synthesis (notebooks/national_synthesis.ipynb) in each language")
        p.add_argument("--force", action="store_true",
                       help="rebuild every selected report, even those whose inputs did not change")
        p.add_argument("--scheduler", type=_scheduler, default=None, metavar="ADDRESS",
                       help="run on Dask distributed: 'local' starts a LocalCluster of --workers processes; "
                            "an address (tcp://host:8786) uses a running scheduler whose workers see the same "
                            "files (start them with --nthreads 1)")

    p = sub.add_parser("demo-data", help="write the SYNTHETIC demo data set")
    data_opts(p, out=True)
    p.set_defaults(func=_cmd_demo_data)

    p = sub.add_parser("validate", help="validate parameter files and a data directory")
    data_opts(p)
    p.add_argument("--params", default="params", help="parameter directory (default params)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("run", help="execute and render province reports (default: the six seed provinces); "
                                   "only reports whose inputs changed are rebuilt",
                       description="Execute and render reports. A report is rebuilt only when its notebook, "
                                   "parameter files, data files or the evalutils code changed since its last "
                                   "successful build (content hashes in reports/manifest.json); --force rebuilds. "
                                   "An interrupted run keeps what it finished: run the same command again.")
    data_opts(p)
    run_opts(p)
    p.add_argument("--site", action="store_true",
                   help="build the website (reports/site/) afterwards (done anyway when the site exists)")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("verify", help="re-execute reports from the run manifest and check every number is identical",
                       description="Re-executes the selected reports (default: every built report in the manifest) "
                                   "in a temporary directory with the recorded parameters and compares the results "
                                   "payload number by number. Exit code 1 and a list of differences otherwise.")
    p.add_argument("--reports", default="reports", help="output directory holding manifest.json (default reports)")
    p.add_argument("--provinces", type=_province_names,
                   help="comma-separated slugs, codes or names (default: all in the manifest)")
    p.add_argument("--geography", choices=("pre2025", "2025"), default=None, help="only this geography")
    p.add_argument("--lang", default="vi,en", help="languages, comma-separated (default vi,en)")
    p.add_argument("--workers", type=_worker_count, default=0, help="parallel processes (default 0: all cores)")
    p.add_argument("--timeout", type=_seconds, default=REPORT_TIMEOUT,
                   help="seconds allowed for one whole report, when the manifest does not record it")
    p.add_argument("--scheduler", type=_scheduler, default=None, metavar="ADDRESS",
                   help="run on Dask (see `run --help`)")
    p.set_defaults(func=_cmd_verify, all=False)

    p = sub.add_parser("site", help="build the website under reports/site/ from the run manifest")
    p.add_argument("--reports", default="reports", help="output directory (default reports)")
    p.set_defaults(func=_cmd_site)

    p = sub.add_parser("api-docs", help="build the API reference (HTML from the docstrings, with pdoc)")
    p.add_argument("--out", default="reports/api", help="output directory (default reports/api)")
    p.set_defaults(func=_cmd_api_docs)

    p = sub.add_parser("publish", help="copy a ready-to-serve website (index, methods, reports) to a directory")
    p.add_argument("--reports", default="reports", help="output directory (default reports)")
    p.add_argument("--to", required=True, help="target folder, new or empty or published before (only files an "
                   "earlier publish wrote are replaced or removed), outside the reports, data and project "
                   "folders, e.g. ../public")
    p.set_defaults(func=_cmd_publish)

    p = sub.add_parser("open", help="print the path of a report and open it in the web browser")
    p.add_argument("province", help="slug, GSO code or name, e.g. bac-lieu, 95 or 'Bạc Liêu'; or national")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language (default vi)")
    p.add_argument("--geography", choices=("pre2025", "2025"), default="pre2025")
    p.add_argument("--reports", default="reports", help="output directory (default reports)")
    p.add_argument("--no-browser", action="store_true", help="only print the path")
    p.set_defaults(func=_cmd_open)

    p = sub.add_parser("demo", help="write the demo data, then build every province's report (vi and en, HTML "
                                    "and PDF), the national synthesis and the site")
    data_opts(p, out=True)
    run_opts(p)
    p.set_defaults(func=_cmd_demo)
    return parser


def _terminate(signum, frame):
    raise KeyboardInterrupt  # a `kill` stops a run as Ctrl-C does: workers stopped, finished reports kept


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if argv is None and args.command in ("run", "demo", "verify"):
        signal.signal(signal.SIGTERM, _terminate)
        # Ctrl-C must stop a run even when the shell started us with SIGINT ignored (background jobs of a
        # non-interactive shell inherit SIG_IGN, and Python then keeps it)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return args.func(args)
    except EvalutilsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: finished reports are in place; run the same command again to complete", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
