"""One report to build (:class:`ReportTask`), what came of it (:class:`TaskOutcome`), and where its files go.

The lowest module of :mod:`evalutils.render`: the manifest, the runner, the HTML and PDF renderers and the command
line all name reports through it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import socket
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

    @property
    def _sub(self) -> str:
        # the 34 post-2025 units live in their own folder: several share a slug with an old province
        return "units-2025/" if self.geography == "2025" else ""

    @property
    def pdf_path(self) -> Path:
        return self.html_path.with_suffix(".pdf")

    @property
    def parameters(self) -> dict:
        """What papermill injects (the national synthesis takes no province or geography)."""
        common = {"lang": self.lang, "data_dir": str(Path(self.data_dir).resolve()),
                  "params_dir": str(Path(self.params_dir).resolve())}
        if self.geography == NATIONAL:
            return common
        return {"province": self.province, "geography": self.geography, **common}

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


# ------------------------------------------------------------- temporary files

def partial_name(path: Path, suffix: str = "") -> Path:
    """A hidden temporary name beside ``path`` that says which host and process is writing it."""
    host = socket.gethostname().replace(".", "_").replace("-", "_")
    return path.with_name(f".{path.name}.{host}-{os.getpid()}-{uuid.uuid4().hex[:12]}.partial{suffix}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def clean_stale_partials(out_dir: Path) -> list[Path]:
    """Delete temporary files left by killed runs of this host (their writer process is gone)."""
    host = socket.gethostname().replace(".", "_").replace("-", "_")
    removed = []
    if not Path(out_dir).exists():
        return removed
    for f in Path(out_dir).rglob(".*.partial*"):
        parts = f.name.rsplit(".partial", 1)[0].rsplit(".", 1)
        if len(parts) != 2 or "-" not in parts[1]:
            continue
        fields = parts[1].split("-")
        if len(fields) != 3 or fields[0] != host or not fields[1].isdigit():
            continue
        if not _pid_alive(int(fields[1])) and f.is_file():
            f.unlink(missing_ok=True)
            removed.append(f)
    return removed
