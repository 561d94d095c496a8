"""Command line: ``evalutils <command>``. Run ``evalutils --help`` for the list.

Every command prints what it did and exits non-zero when anything failed;
errors of evalutils print as their message (file, column, rows, what to do),
never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .errors import EvalutilsError

SEED_PROVINCES = ("bac-lieu", "quang-nam", "tuyen-quang", "khanh-hoa", "quang-ninh", "binh-duong")


def _cmd_demo_data(args: argparse.Namespace) -> int:
    from .demo import DEFAULT_SEED, write_demo

    seed = args.seed if args.seed is not None else DEFAULT_SEED
    t0 = time.perf_counter()
    demo = write_demo(args.data, scale=args.scale, seed=seed)
    m = demo.manifest
    print(f"wrote SYNTHETIC demo data to {args.data}: {m['n_firms']:,} firms, {m['n_firm_years']:,} firm-years, "
          f"{m['n_supported']:,} supported, seed {seed}, scale {args.scale} ({time.perf_counter() - t0:.1f} s)")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from .io import load_deflators, load_monitoring, load_panel, load_participation
    from .params import load_defaults, load_province_params

    load_defaults(Path(args.params) / "defaults.yml")
    files = sorted((Path(args.params) / "provinces").glob("*.yml"))
    n_targets = sum(len(load_province_params(f).targets) for f in files)
    print(f"parameters OK: {len(files)} province files, {n_targets} targets")
    panel = load_panel(args.data)
    part = load_participation(args.data, panel)
    mon = load_monitoring(args.data)
    load_deflators(args.data)
    print(f"data OK: {len(panel):,} firm-years, {panel['firm_id'].nunique():,} firms, {len(part):,} supported, "
          f"{len(mon):,} monitoring values")
    return 0


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


def _cmd_run(args: argparse.Namespace) -> int:
    from .aggregates import province_year_totals
    from .runner import DEFAULT_NOTEBOOK, ReportTask, run_tasks

    provinces = _select_provinces(args)
    langs = [x.strip() for x in args.lang.split(",") if x.strip()]
    bad = [x for x in langs if x not in ("vi", "en")]
    if bad:
        raise EvalutilsError(f"unknown language(s) {bad}", hint="use --lang vi,en")
    province_year_totals(args.data)  # build the shared national aggregates once, before the workers start
    notebook = Path(args.notebook) if args.notebook else DEFAULT_NOTEBOOK
    tasks = [ReportTask(p, lang, Path(args.data), Path(args.params), Path(args.reports), notebook=notebook,
                        timeout=args.timeout, geography=args.geography) for p in provinces for lang in langs]
    workers = args.workers or os.cpu_count() or 1
    print(f"running {len(tasks)} report(s) ({len(provinces)} province(s) × {len(langs)} language(s)) "
          f"on {workers} worker(s)")
    t0 = time.perf_counter()
    done = [0]

    def progress(outcome):
        done[0] += 1
        status = "ok" if outcome.ok else "FAILED"
        print(f"  [{done[0]}/{len(tasks)}] {outcome.task.province} ({outcome.task.lang}) {status} "
              f"{outcome.seconds:.1f} s", flush=True)

    outcomes = run_tasks(tasks, workers=workers, on_done=progress)
    failed = [o for o in outcomes if not o.ok]
    print(f"built {len(outcomes) - len(failed)}, failed {len(failed)} in {time.perf_counter() - t0:.1f} s; "
          f"reports under {args.reports}/")
    for o in failed:
        print(f"  FAILED {o.task.province} ({o.task.lang}): {o.error}")
        if o.failed_notebook:
            print(f"    failed notebook saved at {o.failed_notebook}")
    return 1 if failed else 0


def _cmd_demo(args: argparse.Namespace) -> int:
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
            p.add_argument("--scale", type=float, default=1.0,
                           help="1 ≈ 15,000 firms and 100,000 firm-years; 100 ≈ 7 million firm-years (national size)")
            p.add_argument("--seed", type=int, default=None, help="random seed (default: the suite's seed)")

    def run_opts(p):
        p.add_argument("--params", default="params", help="parameter directory (default params)")
        p.add_argument("--reports", default="reports", help="output directory (default reports)")
        who = p.add_mutually_exclusive_group()
        who.add_argument("--provinces", help="comma-separated slugs, codes or names, e.g. bac-lieu,56 "
                                              "(default: the six provinces of the seed documents)")
        who.add_argument("--all", action="store_true", help="all 63 provinces (or all 34 units)")
        p.add_argument("--geography", choices=("pre2025", "2025"), default="pre2025",
                       help="pre2025: the 63 provinces whose plans are evaluated (default); "
                            "2025: the 34 units of Resolution 202/2025/QH15")
        p.add_argument("--lang", default="vi,en", help="languages, comma-separated (default vi,en)")
        p.add_argument("--workers", type=int, default=0, help="parallel processes (default: all cores)")
        p.add_argument("--timeout", type=int, default=600, help="seconds allowed per notebook cell")
        p.add_argument("--notebook", default=None, help="report notebook (default notebooks/province_report.ipynb)")

    p = sub.add_parser("demo-data", help="write the SYNTHETIC demo data set")
    data_opts(p, out=True)
    p.set_defaults(func=_cmd_demo_data)

    p = sub.add_parser("validate", help="validate parameter files and a data directory")
    data_opts(p)
    p.add_argument("--params", default="params", help="parameter directory (default params)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("run", help="execute and render province reports (default: the six seed provinces)")
    data_opts(p)
    run_opts(p)
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("demo", help="write the demo data, then build the seed provinces' reports")
    data_opts(p, out=True)
    run_opts(p)
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
