"""``evalutils publish --to DIR``: copy the website into a folder to serve, and never delete what it did not write.

It builds the site (``reports/site/``), then copies the files of that build into ``DIR``. It leaves a marker
(:data:`PUBLISH_MARKER`) listing the files it wrote; publishing again replaces those files and removes the ones no
longer published, and nothing else. It refuses, with a :class:`ReportError` naming the folder and changing
nothing: a non-empty folder without its marker, a file there it would overwrite without having written it, the
reports, data, parameters and project folders, the folders inside the reports and data folders, and any parent
of them. Every file is written under a temporary name and renamed into place (:mod:`evalutils.atomic`). It holds
the reports' run lock while it builds and copies, so it never copies half of a set a run is writing.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
from pathlib import Path

from ..atomic import atomic_write, atomic_write_text
from ..errors import ReportError
from ..render.manifest import RunManifest
from ..render.task import PROJECT_ROOT
from .build import build_site, site_files, site_lock
from .markers import PUBLISH_KIND, PUBLISH_MARKER, is_within as _is_within, read_marker, remove_stale

def _protected_folders(reports_dir: Path, manifest: RunManifest) -> list[tuple[str, Path]]:
    """Folders ``publish`` must never write into, nor into any of their parents: the reports, the data and
    parameters each report was built from, and the project checkout."""
    out = [("the reports folder", reports_dir.resolve())]
    for e in manifest.reports.values():
        p = e.get("parameters") or {}
        for key, label in (("data_dir", "the data folder"), ("params_dir", "the parameters folder")):
            if p.get(key):
                out.append((label, Path(p[key]).resolve()))
    out.append(("the project folder", PROJECT_ROOT.resolve()))
    seen, unique = set(), []
    for label, path in out:
        if path not in seen:
            seen.add(path)
            unique.append((label, path))
    return unique


def _check_target(to: Path, reports_dir: Path, manifest: RunManifest) -> list[str]:
    """Refuse a target that could hold anything but an earlier publication; return the earlier file list."""
    for label, folder in _protected_folders(reports_dir, manifest):
        if _is_within(folder, to):
            what = "is" if folder == to else "contains"
            raise ReportError(f"refusing to publish into {to}: it {what} {label} ({folder})", file=to,
                              hint="publish into a new or empty folder outside the project, e.g. "
                                   "`evalutils publish --to ../public`")
        if label in ("the reports folder", "the data folder") and _is_within(to, folder):
            raise ReportError(f"refusing to publish into {to}: it is inside {label} ({folder})", file=to,
                              hint="publish into a new or empty folder outside the reports and data folders")
    if to.exists() and not to.is_dir():
        raise ReportError(f"cannot publish into {to}: it is a file, not a folder", file=to,
                          hint="choose a folder name that is new or empty")
    if not to.exists():
        return []
    earlier = read_marker(to / PUBLISH_MARKER)
    if earlier is None:
        if any(to.iterdir()):
            raise ReportError(f"refusing to publish into {to}: the folder is not empty and was not written by "
                              "`evalutils publish`", file=to,
                              hint="publish into a new or empty folder; nothing in this one was changed")
        return []
    return earlier


def publish(reports_dir: str | Path, to: str | Path, *,
            notebooks: list[Path] | None = None) -> tuple[Path, int]:
    """Build the website and write a ready-to-serve copy into ``to``; return the folder and its file count."""
    reports_dir = Path(reports_dir)
    to = Path(os.path.abspath(to)).resolve()
    manifest = RunManifest(reports_dir)
    if not manifest.reports:
        raise ReportError("nothing to publish: the run manifest lists no report", file=manifest.path,
                          hint="run `evalutils run` first")
    earlier = _check_target(to, reports_dir, manifest)
    with site_lock(reports_dir):  # no run writes the reports while they are built into the site and copied
        return _publish(reports_dir, to, earlier, notebooks)


def _publish(reports_dir: Path, to: Path, earlier: list[str], notebooks: list[Path] | None) -> tuple[Path, int]:
    # a clash is checked before anything is written, against the files the build is about to list
    build_site(reports_dir, notebooks=notebooks, lock_held=True)
    site = reports_dir / "site"
    new_files = sorted({*site_files(reports_dir), ".nojekyll"})
    clash = [f for f in new_files if (to / f).exists() and f not in earlier]
    if clash:
        raise ReportError(f"refusing to publish into {to}: {len(clash)} file(s) there were not written by "
                          f"`evalutils publish` (e.g. {clash[0]})", file=to / clash[0],
                          hint="move them away or publish into a new folder; nothing was changed")
    try:
        to.mkdir(parents=True, exist_ok=True)
        for rel in new_files:
            if rel == ".nojekyll":  # GitHub Pages: serve files as they are
                atomic_write_text(to / rel, "")
            elif not ((to / rel).is_file() and filecmp.cmp(site / rel, to / rel, shallow=False)):  # unchanged: kept
                atomic_write(to / rel, lambda tmp, src=site / rel: shutil.copy2(src, tmp))
        atomic_write_text(to / PUBLISH_MARKER, json.dumps({"kind": PUBLISH_KIND, "files": new_files}, indent=1)
                          + "\n")
        remove_stale(to, set(earlier) - set(new_files))
    except OSError as exc:
        raise ReportError(f"publishing into {to} failed: {exc.strerror or exc}",
                          file=getattr(exc, "filename", None) or to,
                          hint="check that the folder is writable and the disk is not full, then publish again "
                               "(files already written are replaced, nothing else is touched)") from None
    return to, len(new_files)
