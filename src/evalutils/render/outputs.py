"""Publishing a built report: the one step that writes into the reports folder.

A worker (a local process or a Dask worker, possibly on another machine) builds a report in a private scratch
folder and sends its files back with the outcome (:attr:`TaskOutcome.artifacts`). Only the process that runs the
batch (and writes the manifest) publishes them, with :func:`publish_outcome`: every file is first written under a
hidden temporary name, then all are renamed into place, the HTML last. So

- a worker whose batch was killed can never publish a report that the manifest does not record (it has no
  one to send it to);
- a failed write (a full disk, a quota, a read-only folder) publishes nothing partial, leaves the previous report
  in place, and turns into the report's failure ("disk full writing <path>");
- the workers need not see the reports folder at all (see docs/batch.md).
"""

from __future__ import annotations

import errno
import os
from dataclasses import replace
from pathlib import Path

from .task import TaskOutcome, partial_name

WRITE_ERRORS = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file size limit exceeded (ulimit -f)",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


def write_error(exc: OSError, path: Path | str) -> str:
    """What went wrong writing ``path``, in words a user acts on: "disk full writing reports/en/x.html"."""
    why = WRITE_ERRORS.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return f"{why} writing {path}"


def write_files(files: list[tuple[Path, bytes]]) -> None:
    """Write every ``(path, content)`` under a temporary name, then rename them into place in the order given.

    Nothing is renamed unless every file was written whole; on failure the temporaries are removed and an
    ``OSError`` whose ``filename`` is the target path is raised.
    """
    written: list[tuple[Path, Path]] = []
    try:
        for path, content in files:
            path = Path(path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = partial_name(path)
                written.append((tmp, path))
                with open(tmp, "wb") as fh:
                    fh.write(content)
            except OSError as exc:
                raise OSError(exc.errno, exc.strerror, str(path)) from exc
        for tmp, path in written:
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise OSError(exc.errno, exc.strerror, str(path)) from exc
    finally:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)


def publish_outcome(outcome: TaskOutcome) -> TaskOutcome:
    """Write the files of a built (or failed) report into the reports folder; the outcome with their paths.

    A built report whose files cannot be written becomes a failed one (the previous report stays in place).
    """
    art, t = outcome.artifacts, outcome.task
    outcome = replace(outcome, artifacts={})
    if outcome.ok:
        files = [(t.executed_path, art["notebook"])]
        if t.pdf:
            files.append((t.pdf_path, art["pdf"]))
        files.append((t.html_path, art["html"]))  # last: a reader who finds the HTML finds the rest
        try:
            write_files(files)
        except OSError as exc:
            return replace(outcome, ok=False, html=None, results=None,
                           error=f"the report was built but not published: {write_error(exc, exc.filename)}")
        return replace(outcome, html=t.html_path)
    if "failed_notebook" in art:
        try:
            write_files([(t.failed_path, art["failed_notebook"])])
            return replace(outcome, failed_notebook=t.failed_path)
        except OSError as exc:
            return replace(outcome, error=f"{outcome.error}; the failed notebook was not saved: "
                                          f"{write_error(exc, exc.filename)}")
    return outcome
