"""One report to build (:class:`ReportTask`), what came of it (:class:`TaskOutcome`), and where its files go.

The lowest module of :mod:`evalutils.render`: the manifest, the runner, the HTML and PDF renderers and the command
line all name reports through it.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_NOTEBOOK = PROJECT_ROOT / "notebooks" / "province_report.ipynb"
NATIONAL_NOTEBOOK = PROJECT_ROOT / "notebooks" / "national_synthesis.ipynb"
NATIONAL = "national"  # the geography (and unit) of the national synthesis report

_SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,80}")


def _safe_name(text: str) -> str:
    """``text`` when it is a plain slug; otherwise a file name made of safe characters (never a path)."""
    if _SAFE_NAME.fullmatch(text):
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return (re.sub(r"[^a-z0-9-]+", "_", text.lower()).strip("_")[:40] or "unnamed") + f"_{digest}"



def report_cache_dir(reports_dir: str | Path) -> Path:
    """``<reports>/.cache``: the national aggregates and the estimates of the reports in ``reports_dir``
    (the data directory is only read; the cache is never published)."""
    return Path(reports_dir) / ".cache"


@dataclass(frozen=True)
class ReportTask:
    province: str
    lang: str
    data_dir: Path
    params_dir: Path
    out_dir: Path
    notebook: Path = DEFAULT_NOTEBOOK
    timeout: int = 600
    geography: str = "pre2025"
    pdf: bool = False
    #: the run's analysis overrides as JSON text (``evalutils run --set analysis.<key>=<value>``; docs/analysis.md)
    analysis: str = ""

    @property
    def _sub(self) -> str:
        # the 34 post-2025 units live in their own folder: several share a slug with an old province
        return "units-2025/" if self.geography == "2025" else ""

    @property
    def pdf_path(self) -> Path:
        return self.html_path.with_suffix(".pdf")

    @property
    def cache_dir(self) -> Path:
        """Where the report's national aggregates and estimates are cached (see :func:`report_cache_dir`)."""
        return report_cache_dir(self.out_dir)

    @property
    def parameters(self) -> dict:
        """What papermill injects (the national synthesis takes no province or geography)."""
        common = {"lang": self.lang, "data_dir": str(Path(self.data_dir).resolve()),
                  "params_dir": str(Path(self.params_dir).resolve()), "cache_dir": str(self.cache_dir.resolve())}
        if self.geography == NATIONAL:
            return common
        extra = {"analysis": json.loads(self.analysis)} if self.analysis else {}
        return {"province": self.province, "geography": self.geography, **common, **extra}

    @property
    def _name(self) -> str:
        # output paths are made from the province and language: never let either point outside out_dir
        return _safe_name(self.province)

    @property
    def html_path(self) -> Path:
        return self.out_dir / _safe_name(self.lang) / f"{self._sub}{self._name}.html"

    @property
    def executed_path(self) -> Path:
        return self.out_dir / "notebooks" / _safe_name(self.lang) / f"{self._sub}{self._name}.ipynb"

    @property
    def failed_path(self) -> Path:
        return self.out_dir / "_failed" / f"{self._sub}{self._name}-{_safe_name(self.lang)}.ipynb"

    def resolved(self) -> ReportTask:
        """The same task with absolute paths (what a worker in another directory or machine needs)."""
        return replace(self, data_dir=Path(self.data_dir).resolve(), params_dir=Path(self.params_dir).resolve(),
                       out_dir=Path(self.out_dir).resolve(), notebook=Path(self.notebook).resolve())


@dataclass
class TaskOutcome:
    task: ReportTask
    ok: bool
    seconds: float
    html: Path | None = None
    error: str | None = None
    failed_notebook: Path | None = None
    results: dict | None = None
    skipped: bool = False
    extra: dict = field(default_factory=dict)
    # what travels from the worker that built the report to the process that publishes it: file kind
    # ("notebook", "html", "pdf" or "failed_notebook") -> content; emptied once published
    artifacts: dict[str, bytes] = field(default_factory=dict, repr=False)


# ------------------------------------------------------------- temporary files

def _host() -> str:
    return socket.gethostname().replace(".", "_").replace("-", "_")


def partial_name(path: Path, suffix: str = "") -> Path:
    """A hidden temporary name beside ``path`` that says which host and process is writing it."""
    return path.with_name(f".{path.name}.{_host()}-{os.getpid()}-{uuid.uuid4().hex[:12]}.partial{suffix}")


def scratch_prefix(kind: str) -> str:
    """Prefix of a private scratch folder (``tempfile.mkdtemp(prefix=...)``) naming this host and process,
    so that :func:`clean_stale_partials` can remove it once its process is gone (a killed run)."""
    return f"evalutils-{kind}-{_host()}-{os.getpid()}-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


_SCRATCH = re.compile(r"evalutils-(?:task|pdf)-(?P<host>[A-Za-z0-9_]+)-(?P<pid>\d+)-")


def _writer(name: str) -> tuple[str | None, int | None]:
    """(host, pid) of the process that writes the temporary file ``name`` (None where the name does not say)."""
    fields = name.rsplit(".partial", 1)[0].rsplit(".", 1)[-1].split("-")
    if len(fields) == 3 and fields[1].isdigit():   # .<name>.<host>-<pid>-<random>.partial
        return fields[0], int(fields[1])
    if len(fields) == 2 and fields[0].isdigit():   # .<name>.<pid>-<random>.partial (older writers)
        return None, int(fields[0])
    return None, None


def clean_stale_partials(out_dir: Path, *, run_lock_held: bool = False) -> list[Path]:
    """Delete temporary files left under ``out_dir`` by killed runs of this host (their writer is gone).

    Every hidden ``.*.partial*`` file whose writer process (named in it) is gone; with ``run_lock_held`` (the
    caller holds the reports' run lock, so no other run writes the manifest) also every
    ``.manifest.json.*.partial``.
    """
    host = _host()
    removed: list[Path] = []
    if not Path(out_dir).exists():
        return removed
    for f in Path(out_dir).rglob(".*.partial*"):
        if not f.is_file():
            continue
        writer_host, pid = _writer(f.name)
        stale = pid is not None and writer_host in (None, host) and not _pid_alive(pid)
        if stale or (run_lock_held and f.name.startswith(".manifest.json.")):
            f.unlink(missing_ok=True)
            removed.append(f)
    return removed


def clean_stale_scratch(tmp_dir: Path | None = None) -> list[Path]:
    """Delete the ``evalutils-task-*`` and ``evalutils-pdf-*`` scratch folders of this host's processes that are
    gone (killed while building a report) from the temporary folder."""
    host = _host()
    removed: list[Path] = []
    try:
        found = list(Path(tmp_dir or tempfile.gettempdir()).glob("evalutils-*-*"))
    except OSError:  # pragma: no cover - an unreadable temporary folder
        return removed
    for d in found:
        m = _SCRATCH.match(d.name)
        if m and m["host"] == host and d.is_dir() and not _pid_alive(int(m["pid"])):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed
