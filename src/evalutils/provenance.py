"""Provenance in one place: content hashes, the code's hash, the git revision and the package versions.

Everything that records *what a result was made from* (the run manifest, the report's provenance table, the caches'
keys) takes these from here, so the same inputs always get the same names.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import __version__

PACKAGE_DIR = Path(__file__).resolve().parent
#: what counts as code in the package: a change to any of these files changes :func:`code_hash`
CODE_SUFFIXES = (".py", ".csv", ".yml", ".yaml", ".json", ".j2", ".css", ".js")
PACKAGES = ("pandas", "numpy", "scipy", "statsmodels", "linearmodels", "matplotlib", "pyarrow", "pydantic",
            "papermill", "nbconvert", "nbclient", "ipykernel")


class FileHasher:
    """sha256 of file contents, computed once per file per run (shared files are read once)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int, int], str] = {}

    def __call__(self, path: Path) -> str:
        st = path.stat()
        key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
        if key not in self._cache:
            h = hashlib.sha256()
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            self._cache[key] = h.hexdigest()
        return self._cache[key]


# one process (a report's kernel, a CLI run) reads and hashes each input file once, however many keys need it
_PROCESS_HASHER = FileHasher()


def file_sha256(path: Path) -> str:
    """sha256 of ``path``'s contents, computed once per process while its size and modification time stay."""
    return _PROCESS_HASHER(path)


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
