"""Faults during a batch (issue 8, item 2, the part that only needs ``run_task`` / ``run_tasks``).

A tiny fixture notebook (``notebooks/fault.ipynb``) does what ``<data_dir>/<province>.mode`` says:
finish, raise in a cell, sleep past its timeout, or kill its own kernel. The other provinces must
finish, each failure must be reported with its saved failed notebook, nothing partial may be
published, and the next run (with the fault gone) must publish the report.

A full disk is simulated by a write that fails: the runner runs in a child process whose file-size
limit (RLIMIT_FSIZE) is smaller than the rendered HTML, so the write of the HTML fails half-way with
EFBIG, like ENOSPC would. (A read-only directory does not work here: the tests run as root.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evalutils.render.runner import ReportTask, run_task, run_tasks

pytestmark = pytest.mark.slow

NOTEBOOK = Path(__file__).parent / "notebooks" / "fault.ipynb"


def _task(province: str, data_dir: Path, out_dir: Path, **kw) -> ReportTask:
    return ReportTask(province, "en", data_dir, data_dir, out_dir, notebook=NOTEBOOK, **kw)


def _partials(out_dir: Path) -> list[Path]:
    return [p for p in out_dir.rglob("*") if ".partial" in p.name]


def test_failures_do_not_stop_the_batch_and_the_next_run_repairs_them(tmp_path):
    data, out = tmp_path / "data", tmp_path / "reports"
    data.mkdir()
    modes = {"good-1": "ok", "raises": "raise", "too-slow": "sleep", "kernel-dies": "exit", "good-2": "ok"}
    for province, mode in modes.items():
        (data / f"{province}.mode").write_text(mode)
    tasks = [_task(p, data, out, timeout=12) for p in modes]
    # workers=1: a forked pool inside a pytest-xdist worker can deadlock (see the issue 8 note)
    outcomes = {o.task.province: o for o in run_tasks(tasks, workers=1)}

    for good in ("good-1", "good-2"):
        o = outcomes[good]
        assert o.ok, o.error
        assert o.html.exists() and f"report for {good}" in o.html.read_text(encoding="utf-8")
        assert o.results == {"unit": good, "mode": "ok"}
    expected_errors = {"raises": "RuntimeError in cell", "too-slow": "imeout", "kernel-dies": "ead"}
    for bad, words in expected_errors.items():
        o = outcomes[bad]
        assert not o.ok and words in o.error, (bad, o.error)
        assert not o.task.html_path.exists(), f"{bad}: a failed report was published"
        assert not o.task.executed_path.exists()
    assert "deliberate failure for raises" in outcomes["raises"].error
    # the failed notebook is saved where the message says, for the cell error and the timeout
    for bad in ("raises", "too-slow"):
        o = outcomes[bad]
        assert o.failed_notebook is not None and o.failed_notebook.exists(), (bad, o.error)
    assert _partials(out) == []
    assert sorted(p.stem for p in (out / "en").glob("*.html")) == ["good-1", "good-2"]

    # the faults are gone: the next run publishes every report
    for province in modes:
        (data / f"{province}.mode").write_text("ok")
    again = run_tasks([_task(p, data, out, timeout=60) for p in expected_errors], workers=1)
    assert all(o.ok for o in again), [o.error for o in again]
    assert sorted(p.stem for p in (out / "en").glob("*.html")) == sorted(modes)
    assert _partials(out) == []


_CHILD = """
import json, resource, signal, sys
from pathlib import Path
from evalutils.render.runner import ReportTask, run_task
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)          # a failed write, not a killed process
limit = int(sys.argv[4])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
task = ReportTask(sys.argv[1], "en", Path(sys.argv[2]), Path(sys.argv[2]), Path(sys.argv[3]),
                  notebook=Path(sys.argv[5]), timeout=60)
o = run_task(task)
print(json.dumps({"ok": o.ok, "error": o.error}))
"""


def test_a_failed_write_publishes_nothing_partial_and_keeps_the_previous_report(tmp_path):
    data, out = tmp_path / "data", tmp_path / "reports"
    data.mkdir()
    task = _task("disk", data, out, timeout=60)
    first = run_task(task)
    assert first.ok, first.error
    previous = task.html_path.read_bytes()
    limit = len(previous) // 2                          # the notebook fits, the HTML does not
    assert task.executed_path.stat().st_size < limit

    (data / "disk.mode").write_text("ok")
    child = subprocess.run([sys.executable, "-c", _CHILD, "disk", str(data), str(out), str(limit), str(NOTEBOOK)],
                           capture_output=True, text=True, timeout=300)
    assert child.returncode == 0, child.stderr[-3000:]
    result = json.loads(child.stdout.strip().splitlines()[-1])
    assert not result["ok"]
    assert "file size limit exceeded (ulimit -f) writing" in result["error"], result["error"]
    # the reader still finds the previous, complete report and no half-written file
    assert task.html_path.read_bytes() == previous
    assert _partials(out) == []

    # the next run, with room to write, repairs it
    again = run_task(task)
    assert again.ok, again.error
    assert _partials(out) == []


def test_the_timeout_limits_the_whole_report_not_each_cell(tmp_path):
    # two cells of 3 s each: each within a 5 s limit, the report (kernel start, both cells, rendering) is not
    data, out = tmp_path / "data", tmp_path / "reports"
    data.mkdir()
    (data / "long.mode").write_text("slow:3")
    o = run_task(_task("long", data, out, timeout=5))
    assert not o.ok
    assert "took longer than its 5 s (--timeout" in o.error, o.error
    assert not o.task.html_path.exists() and not o.task.executed_path.exists()
    assert o.failed_notebook is not None and o.failed_notebook.exists()
    assert 4 <= o.seconds < 30, o.seconds     # stopped at the deadline, not after a whole second cell's limit
    assert _partials(out) == []
    # with room for both cells it is built
    ok = run_task(_task("long", data, out, timeout=60))
    assert ok.ok, ok.error
    assert ok.html.exists()


def test_the_deadline_interrupts_a_slow_rendering_step_in_the_main_thread():
    # rendering (nbconvert, pandoc) runs after the cells: in a local worker an alarm at the deadline stops it
    import time

    from evalutils.render.runner import ReportTimeout, _Deadline

    deadline = _Deadline(1)
    t0 = time.monotonic()
    with pytest.raises(ReportTimeout, match="took longer than its 1 s"):
        with deadline.alarm():
            time.sleep(20)  # stands for a rendering step that does not end
    assert time.monotonic() - t0 < 5
    time.sleep(1.2)  # the alarm is disarmed and the previous handler back: nothing fires later
    with pytest.raises(ReportTimeout, match="while rendering the HTML"):
        deadline.check("rendering the HTML")
