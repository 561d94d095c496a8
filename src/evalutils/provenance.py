"""Provenance in one place: content hashes, the code's hash, the git revision and the package versions.

Everything that records *what a result was made from* (the run manifest, the report's provenance table, the caches'
keys) takes these from here, so the same inputs always get the same names.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import __version__
from .atomic import atomic_write_text

PACKAGE_DIR = Path(__file__).resolve().parent
#: what counts as code in the package: a change to any of these files changes :func:`code_hash`
CODE_SUFFIXES = (".py", ".csv", ".yml", ".yaml", ".json", ".j2", ".css", ".js")
PACKAGES = ("pandas", "numpy", "scipy", "statsmodels", "linearmodels", "matplotlib", "pyarrow", "pydantic",
            "papermill", "nbconvert", "nbclient", "ipykernel")


#: the file, in a cache directory, where the digests of input files are remembered between processes
DIGESTS_FILE = "file-digests.json"


class FileHasher:
    """sha256 of file contents, computed once per file while it stays unchanged.

    A file counts as unchanged while its size, modification time, status-change time and inode stay the same
    (``ctime`` cannot be set back by a user: a rewrite that restores the modification time still counts as a
    change). With a store (:meth:`remember_in`), the digests are also kept in ``<cache_dir>/file-digests.json``
    so that the next process (a report's kernel, the next ``evalutils run``) need not read a 300 MB panel again
    to know it did not change; without one, they are kept for this object's life. A damaged or crafted store can
    make a cache key wrong (stale numbers), never run code; delete the cache directory to start afresh.
    """

    def __init__(self, store: str | Path | None = None) -> None:
        self._cache: dict[tuple, str] = {}
        self._store: Path | None = None
        self._stored: dict[str, list] = {}
        if store is not None:
            self.remember_in(store)

    def remember_in(self, cache_dir: str | Path) -> None:
        """Keep the digests in ``<cache_dir>/file-digests.json`` too (read now, written when a file is hashed)."""
        store = Path(cache_dir).resolve() / DIGESTS_FILE
        if store == self._store:
            return
        self._store = store
        try:
            entries = json.loads(store.read_text(encoding="utf-8"))
            self._stored = {k: v for k, v in entries.items() if isinstance(v, list) and len(v) == 5} \
                if isinstance(entries, dict) else {}
        except (OSError, ValueError):  # none yet, or damaged: hashed again
            self._stored = {}

    def __call__(self, path: Path) -> str:
        st = path.stat()
        name = str(path.resolve())
        stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        key = (name, *stamp)
        if key in self._cache:
            return self._cache[key]
        known = self._stored.get(name)
        if known is not None and known[:4] == stamp and isinstance(known[4], str):
            digest = known[4]
        else:
            h = hashlib.sha256()
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            digest = h.hexdigest()
            if self._store is not None:
                self._stored[name] = [*stamp, digest]
                self._save()
        self._cache[key] = digest
        return digest

    def _save(self) -> None:
        """Merge this process's digests into the store (another process may have added its own meanwhile)."""
        try:
            on_disk = json.loads(self._store.read_text(encoding="utf-8"))
            if not isinstance(on_disk, dict):
                on_disk = {}
        except (OSError, ValueError):
            on_disk = {}
        on_disk.update(self._stored)
        try:
            atomic_write_text(self._store, json.dumps(on_disk, sort_keys=True))
        except OSError:  # a read-only or full cache directory: only slower next time
            pass


# one process (a report's kernel, a CLI run) reads and hashes each input file once, however many keys need it
_PROCESS_HASHER = FileHasher()


def file_sha256(path: Path) -> str:
    """sha256 of ``path``'s contents, computed once per process while the file is unchanged (and, after
    :func:`remember_digests`, once per cache directory)."""
    return _PROCESS_HASHER(path)


def remember_digests(cache_dir: str | Path | None) -> None:
    """Keep this process's file digests in ``<cache_dir>/file-digests.json`` (see :class:`FileHasher`)."""
    if cache_dir is not None:
        _PROCESS_HASHER.remember_in(cache_dir)


@lru_cache(maxsize=1)
def code_hash() -> str:
    """Hash of the evalutils package source (every .py file, template and packaged resource) and its version."""
    h = hashlib.sha256(__version__.encode())
    for f in sorted(PACKAGE_DIR.rglob("*")):
        if f.is_file() and f.suffix in CODE_SUFFIXES and "__pycache__" not in f.parts:
            h.update(str(f.relative_to(PACKAGE_DIR)).encode())
            h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


@lru_cache(maxsize=1)
def git_revision() -> str:
    """``git rev-parse HEAD`` of the checkout (with ``-dirty`` when tracked files changed); ``unknown`` outside git."""
    root = PACKAGE_DIR.parents[1]
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if rev.returncode != 0:
        return "unknown"
    return rev.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def package_version(name: str) -> str:
    """The installed version of the distribution ``name``, or ``not installed``."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


@lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    """Python, evalutils and the versions of the packages that shape the results (:data:`PACKAGES`)."""
    return {"python": platform.python_version(), "evalutils": __version__,
            **{name: package_version(name) for name in PACKAGES}}
