"""Helpers shared by the bench scripts: machine description, timed subprocesses with peak memory, medians.

Standard library only. Peak memory of a command is the largest *sum* of the resident set sizes of the
command and all its descendants, sampled from /proc every 0.2 s (a batch run has several kernel processes
alive at once, so the peak of any single process — what ``ru_maxrss`` or ``/usr/bin/time -v`` report — would
under-state it). ``ru_maxrss`` of the largest child is recorded too.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
VENV_BIN = Path(sys.executable).parent


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "mem_total_gb": mem_gb, "cpu_model": cpu, "python": platform.python_version(),
            "platform": platform.platform(), "date_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "load_avg_1m_at_start": os.getloadavg()[0]}


def _children(pid: int) -> list[int]:
    out = []
    try:
        for t in Path(f"/proc/{pid}/task").iterdir():
            try:
                out += [int(c) for c in (t / "children").read_text().split()]
            except OSError:
                pass
    except OSError:
        pass
    return out


def _tree_rss_bytes(root: int) -> int:
    total, stack, seen = 0, [root], set()
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        stack += _children(pid)
    return total


def timed(cmd: list[str] | str, *, cwd: Path | None = None, env: dict | None = None, shell: bool = False,
          timeout: float | None = None, log: Path | None = None) -> dict:
    """Run a command; wall seconds (perf_counter), peak tree RSS (GB), return code, last lines of output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, shell=shell, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, start_new_session=True)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss_bytes(p.pid))
            stop.wait(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9)
        out, _ = p.communicate()
        out += "\n[bench] TIMEOUT"
    secs = time.perf_counter() - t0
    stop.set()
    th.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"$ {cmd if isinstance(cmd, str) else ' '.join(map(str, cmd))}\n{out}\n[{secs:.2f} s]\n")
    return {"seconds": secs, "rc": p.returncode, "peak_tree_rss_gb": peak[0] / 1024**3,
            "max_child_maxrss_gb": max(before, after) / 1024**2 if after > before else None,
            "tail": out.strip().splitlines()[-5:]}


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def save(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    print(f"[bench] wrote {path}", flush=True)
    return path


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def tool(name: str) -> str:
    """An executable of the project's environment (papermill, jupyter, evalutils), else from PATH."""
    p = VENV_BIN / name
    return str(p) if p.exists() else (shutil.which(name) or name)
