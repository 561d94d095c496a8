"""The run manifest: what each report was built from, and what it found.

``reports/manifest.json`` holds one entry per report (geography, language, unit)
with the content hashes of every input (notebook, parameter files, the data
files the unit reads, the evalutils code), the parameters, code and package
versions, seed, timings, outcome, and the results payload the notebook emitted
(mime type :data:`evalutils.report.RESULTS_MIME`). The runner rebuilds a report
only when the hashes differ from the last successful build; ``evalutils verify``
re-executes from an entry and compares the payloads; the site index reads it.

The file is written by one process (the one that runs ``evalutils run``) under
a temporary name and renamed into place after every finished report, so an
interrupted run keeps everything it finished and a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import ReportError
from ..geography import province_codes, province_slug, provinces
from ..measures.aggregates import national_cache_files
from ..panel.io import DataPaths
from ..panel.params import province_params_path
from ..provenance import FileHasher, code_hash, git_revision, package_versions  # noqa: F401  (re-exported)
from .outputs import write_error, write_files
from .task import NATIONAL, ReportTask, TaskOutcome

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 1


def task_input_files(task: ReportTask) -> dict[str, Path]:
    """Every file the report of ``task`` reads, keyed by a stable label.

    The unit's own panel partitions, the shared tables, the national aggregates
    in the cache directory (every report compares with the country, so any
    province's new data changes them), the notebook and the parameter files of
    the unit's provinces.
    """
    paths = DataPaths(Path(task.data_dir))
    if task.geography == NATIONAL:  # the synthesis reads every province
        codes = list(provinces()["code"])
    else:
        codes = province_codes(task.geography, task.province)
    slugs = [province_slug(code) for code in codes]
    files: dict[str, Path] = {"notebook": Path(task.notebook)}
    params_dir = Path(task.params_dir)
    files["params/defaults.yml"] = params_dir / "defaults.yml"
    for slug in slugs:
        files[f"params/provinces/{slug}.yml"] = province_params_path(params_dir, slug)
    for code in codes:
        part = paths.panel / f"province_code={code}"
        for f in sorted(part.rglob("*.parquet")) if part.exists() else []:
            files[f"data/{f.relative_to(paths.root).as_posix()}"] = f
    for p in (paths.participation, paths.monitoring, paths.deflators, paths.manifest):
        if p.exists():
            files[f"data/{p.relative_to(paths.root).as_posix()}"] = p
    # the national aggregates every report compares with (any province's new data changes them); the cached
    # estimates in <cache>/effects/ are the reports' own results, keyed by content, never an input
    for f in national_cache_files(task.cache_dir):
        files[f"cache/national{f.suffix}"] = f
    return files


def task_inputs(task: ReportTask, hasher: FileHasher | None = None) -> dict[str, str]:
    """Content hashes of the task's inputs and of the evalutils code."""
    hasher = hasher or FileHasher()
    out = {label: hasher(path) for label, path in task_input_files(task).items() if path.exists()}
    out["code"] = code_hash()
    out["formats"] = "html+pdf" if task.pdf else "html"
    if getattr(task, "analysis", ""):  # the run's analysis overrides (a report made without them differs)
        out["analysis"] = task.analysis
    return out


def inputs_digest(inputs: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


# ----------------------------------------------------------------- the file

def task_key(task: ReportTask) -> str:
    return f"{task.geography}/{task.lang}/{task.province}"


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rel(path: Path | None, root: Path) -> str | None:
    if path is None:
        return None
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


LOCK_NAME = ".evalutils-run.lock"


@contextmanager
def run_lock(reports_dir: str | Path):
    """Hold ``<reports>/.evalutils-run.lock`` for the length of a run.

    Two runs writing the same reports directory would each save the manifest
    from their own view and lose the other's records. The second run stops at
    once with a :class:`ReportError` naming the run that holds the lock. The
    lock is an OS file lock (``flock``): it is released when the holding process
    ends, however it ends, so a crashed run never leaves a stale lock behind.
    """
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    path = reports_dir / LOCK_NAME
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, as before
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "another process"
            raise ReportError(f"another evalutils run is writing to {reports_dir} ({holder})",
                              file=reports_dir,
                              hint="wait for it to finish (its reports will be kept), or pass another "
                                   "--reports directory") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {platform.node()}, started {_now()}".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


class RunManifest:
    """``reports/manifest.json``: load, look up, record an outcome, save atomically."""

    def __init__(self, reports_dir: str | Path) -> None:
        self.reports_dir = Path(reports_dir)
        self.path = self.reports_dir / MANIFEST_NAME
        self.data: dict[str, Any] = {"schema": SCHEMA_VERSION, "reports": {}}
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise ReportError(f"the run manifest is not valid JSON ({exc})", file=self.path,
                                  hint="delete it; the next run rebuilds every report and writes it anew") from None
            if data.get("schema") == SCHEMA_VERSION:
                self.data = data

    @property
    def reports(self) -> dict[str, dict]:
        return self.data["reports"]

    def entry(self, task: ReportTask) -> dict | None:
        return self.reports.get(task_key(task))

    def is_current(self, task: ReportTask, digest: str) -> bool:
        """True when the last build of ``task`` succeeded from the same inputs and its files are in place."""
        e = self.entry(task)
        return bool(e and e.get("outcome") == "built" and e.get("inputs_digest") == digest
                    and task.html_path.exists() and task.executed_path.exists()
                    and (not task.pdf or task.pdf_path.exists()))

    def record(self, outcome: TaskOutcome, inputs: dict[str, str], seed: int | None) -> dict:
        t = outcome.task
        root = self.reports_dir
        entry = {
            "province": t.province, "lang": t.lang, "geography": t.geography,
            "outcome": "built" if outcome.ok else "failed",
            "html": _rel(t.html_path, root) if outcome.ok else None,
            "pdf": _rel(t.pdf_path, root) if outcome.ok and t.pdf else None,
            "executed_notebook": _rel(t.executed_path, root) if outcome.ok else None,
            "failed_notebook": _rel(outcome.failed_notebook, root),
            "error": outcome.error,
            "parameters": {"province": t.province, "lang": t.lang, "geography": t.geography,
                           "data_dir": str(Path(t.data_dir).resolve()),
                           "params_dir": str(Path(t.params_dir).resolve()),
                           "notebook": str(Path(t.notebook).resolve()), "timeout": t.timeout, "pdf": t.pdf,
                           **({"analysis": json.loads(t.analysis)} if getattr(t, "analysis", "") else {})},
            "inputs": inputs, "inputs_digest": inputs_digest(inputs),
            "code_version": git_revision(), "packages": package_versions(), "seed": seed,
            "started_at": outcome.extra.get("started_at"), "finished_at": outcome.extra.get("finished_at"),
            "seconds": round(outcome.seconds, 2), "worker": outcome.extra.get("worker"),
            "results": outcome.results,
        }
        previous = self.reports.get(task_key(t))
        if not outcome.ok and previous and previous.get("outcome") == "built":
            # the last good report is still in place: keep a note of it
            entry["last_built"] = {k: previous.get(k) for k in ("inputs_digest", "finished_at", "html")}
        self.reports[task_key(t)] = entry
        return entry

    def save(self) -> None:
        self.data["updated_at"] = _now()
        text = _manifest_text(self.data)
        try:
            write_files([(self.path, text.encode("utf-8"))])  # a temporary, renamed: the old file or the new
        except OSError as exc:
            raise ReportError(f"the run manifest could not be saved: {write_error(exc, self.path)}",
                              file=self.path, hint="free some space (or fix the folder's permissions) and run the "
                                                   "same command again: reports it does not record are "
                                                   "rebuilt") from None


def _manifest_text(data: dict) -> str:
    """The manifest as JSON with one line per top-level key and per report (sorted keys): as easy to read and diff
    as an indented file, and written by json's C encoder (an indented dump uses the pure-Python one, 0.5 s per
    save of the 3 MB manifest of a national run, after every report)."""
    def one(value) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False, default=_json_default)

    lines = []
    for key in sorted(data):
        value = data[key]
        if key == "reports" and isinstance(value, dict) and value:
            rows = ",\n".join(f"  {one(name)}: {one(value[name])}" for name in sorted(value))
            lines.append(f" {one(key)}: {{\n{rows}\n }}")
        else:
            lines.append(f" {one(key)}: {one(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _json_default(obj):
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON-serialisable: {type(obj).__name__}")


# ----------------------------------------------------------------- comparing

def diff_payloads(old: Any, new: Any, path: str = "") -> list[str]:
    """Every place where two results payloads differ (numbers compared exactly; NaN equals NaN)."""
    where = path or "<root>"
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for k in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{k}" if path else str(k)
            if k not in old:
                out.append(f"{sub}: missing in the manifest, now {new[k]!r}")
            elif k not in new:
                out.append(f"{sub}: was {old[k]!r}, now missing")
            else:
                out.extend(diff_payloads(old[k], new[k], sub))
        return out
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [f"{where}: {len(old)} items in the manifest, {len(new)} now"]
        out = []
        for i, (a, b) in enumerate(zip(old, new)):
            out.extend(diff_payloads(a, b, f"{path}[{i}]"))
        return out
    if isinstance(old, float) and isinstance(new, float) and math.isnan(old) and math.isnan(new):
        return []
    if type(old) is not type(new) and not (isinstance(old, (int, float)) and isinstance(new, (int, float))
                                           and not isinstance(old, bool) and not isinstance(new, bool)):
        return [f"{where}: was {old!r}, now {new!r}"]
    return [] if old == new else [f"{where}: was {old!r}, now {new!r}"]
