#!/usr/bin/env python3
"""The project's two entry points, runnable with nothing but Python 3.11+:

    python3 tasks.py demo    # set up .venv, install pinned packages, write demo data, build the demo reports
    python3 tasks.py test    # set up .venv if needed, run the test suite

Extra arguments after the task go to the underlying command, e.g.
``python3 tasks.py demo --all`` or ``python3 tasks.py test -k geography``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _run(cmd: list[str], **kw) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)


def ensure_environment() -> Path:
    """Create .venv and install the package with pinned versions; skip when nothing changed."""
    if sys.version_info < (3, 11):
        sys.exit(f"evalutils needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    python = BIN / "python"
    if not python.exists():
        _run([sys.executable, "-m", "venv", VENV])
    key = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + CONSTRAINTS.read_bytes()).hexdigest()
    stamp = VENV / ".evalutils-installed"
    if not stamp.exists() or stamp.read_text() != key:
        _run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip", "setuptools", "wheel"])
        _run([python, "-m", "pip", "install", "--quiet", "-c", CONSTRAINTS, "-e", ".[test]"])
        _run([python, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3",
              "--display-name", "Python 3 (evalutils)"])
        stamp.write_text(key)
    return python


def task_demo(extra: list[str]) -> int:
    t0 = time.perf_counter()
    ensure_environment()
    _run([BIN / "evalutils", "demo", *extra])
    print(f"demo built in {time.perf_counter() - t0:.0f} s: open reports/en/<province>.html or reports/vi/…")
    return 0


def task_test(extra: list[str]) -> int:
    python = ensure_environment()
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
    cmd = [python, "-m", "pytest", "-n", "2", *extra]
    print("+", " ".join(map(str, cmd)), flush=True)
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env).returncode


def main() -> int:
    tasks = {"demo": task_demo, "test": task_test}
    if len(sys.argv) < 2 or sys.argv[1] not in tasks:
        print(__doc__)
        return 2
    try:
        return tasks[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as exc:
        print(f"command failed with exit code {exc.returncode}: {' '.join(map(str, exc.cmd))}", file=sys.stderr)
        return exc.returncode or 1


if __name__ == "__main__":
    sys.exit(main())
