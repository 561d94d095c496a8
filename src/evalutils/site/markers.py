"""Markers: the list of files evalutils wrote into a folder (the site build, a publication), so that it can later
replace or remove exactly those files and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import ReportError

PUBLISH_MARKER = ".evalutils-published.json"
SITE_MARKER = ".evalutils-site.json"
SITE_KIND = "evalutils-site"
PUBLISH_KIND = "evalutils-publish"


def read_marker(marker: Path, *, kind: str = PUBLISH_KIND) -> list[str] | None:
    """The files listed in a marker written by evalutils (None when there is no marker).

    Only plain relative paths are returned: a hand-edited marker can never make evalutils delete anything
    outside its folder."""
    folder = marker.parent
    if not marker.is_file():
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"the marker in {folder} cannot be read ({exc})", file=marker,
                          hint="delete the folder's published files by hand (or the marker, if the folder holds "
                               "nothing else of value) and publish again") from None
    if not isinstance(data, dict) or data.get("kind") != kind or not isinstance(data.get("files"), list):
        raise ReportError(f"{marker.name} in {folder} is not a marker written by `evalutils`", file=marker,
                          hint="publish into an empty or new folder")
    out = []
    for f in data["files"]:
        if not isinstance(f, str) or not f or f.startswith("/") or "\\" in f:
            continue
        parts = Path(f).parts
        if ".." in parts or "." in parts or parts[0] in (PUBLISH_MARKER, SITE_MARKER):
            continue
        out.append(Path(*parts).as_posix())
    return out


def is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def remove_stale(folder: Path, stale: set[str] | list[str]) -> None:
    """Delete these files (paths relative to ``folder``) and the folders they leave empty; never anything
    reached through a link to outside ``folder``."""
    folder = folder.resolve()
    for rel in sorted(stale):
        path = folder / rel
        if not is_within(path.parent.resolve(), folder):
            continue  # a folder replaced by a link elsewhere: never delete through it
        if path.is_symlink() or path.is_file():
            path.unlink()
        parent = path.parent
        while parent != folder and is_within(parent, folder):
            try:
                parent.rmdir()  # only when empty
            except OSError:
                break
            parent = parent.parent
