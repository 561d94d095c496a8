"""Write a file so that a reader never sees half of it: write a hidden temporary file beside it, then rename.

The one place the package does this (a rename within one folder is atomic on POSIX file systems).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path


def temporary_name(path: Path) -> Path:
    """A hidden, unique name in the folder of ``path`` (so that renaming it over ``path`` is atomic)."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")


def atomic_write(path: str | Path, write: Callable[[Path], object], *,
                 temporary: Callable[[Path], Path] = temporary_name) -> None:
    """Call ``write(tmp)`` to fill a temporary file beside ``path``, then rename it to ``path``.

    The folder is created if needed; on any failure the temporary file is removed and ``path`` is left as it was.
    ``temporary`` names the temporary file (the report runner's names say which host and process wrote them, so
    that a later run can remove those of a killed one).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_csv(df, path: str | Path) -> None:
    """A pandas DataFrame as UTF-8 CSV without its index."""
    atomic_write(path, lambda tmp: df.to_csv(tmp, index=False, encoding="utf-8"))
