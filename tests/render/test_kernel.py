"""The report kernel's shutdown (render/kernel.py): a notebook that ran to its end is shut down without jupyter_client's
interrupt, which made every run log "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel."; a cell still
running when the deadline stops the notebook is interrupted, as before.

Real kernels run by papermill, as the runner runs them; the signals the manager sends the kernel are recorded by a
subclass of the manager under test. jupyter_client's own manager, run the same way, is the control: it does
interrupt an idle kernel, so the first test could fail.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from jupyter_client.manager import AsyncKernelManager

from evalutils.render.kernel import quiet_shutdown

pytestmark = pytest.mark.slow


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _recording(base: type[AsyncKernelManager], sent: list[int], pids: list[int]) -> type[AsyncKernelManager]:
    """``base`` that records each signal it sends the kernel and the kernel's process id."""

    class Recording(base):  # type: ignore[misc, valid-type]
        async def _async_signal_kernel(self, signum: int) -> None:
            sent.append(signum)
            await super()._async_signal_kernel(signum)

        async def _async_post_start_kernel(self, **kw) -> None:
            await super()._async_post_start_kernel(**kw)
            pids.append(self.provisioner.process.pid)

    return Recording


def _run(tmp_path: Path, nb: Path, options: dict, **kw) -> None:
    pm.execute_notebook(str(nb), str(tmp_path / "out.ipynb"), kernel_name="python3", progress_bar=False,
                        log_output=False, extra_arguments=["--IPKernelApp.log_level=ERROR"], **options, **kw)


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(") ", 1)[1].startswith("Z")  # a zombie is dead
    except FileNotFoundError:
        return True


def test_a_finished_notebook_is_shut_down_without_an_interrupt(tmp_path):
    nb = _notebook(tmp_path / "a.ipynb", "x = 1", "raise_here = False")
    sent, pids = [], []
    options = quiet_shutdown()
    options["kernel_manager_class"] = _recording(options["kernel_manager_class"], sent, pids)
    _run(tmp_path, nb, options)
    assert sent == [] and len(pids) == 1 and _gone(pids[0])
    # a notebook stopped by an error in a cell: the cell replied, the kernel is idle, no interrupt either
    failing = _notebook(tmp_path / "b.ipynb", "x = 1", "1 / 0", "y = 2")
    with pytest.raises(pm.PapermillExecutionError):
        _run(tmp_path, failing, options)
    assert sent == [] and len(pids) == 2 and _gone(pids[1])
    # the control: jupyter_client's manager interrupts the same idle kernel before shutting it down
    control = {"kernel_manager_class": _recording(AsyncKernelManager, sent, pids)}
    _run(tmp_path, nb, control)
    assert sent == [signal.SIGINT] and len(pids) == 3 and _gone(pids[2])


def test_a_cell_running_past_its_timeout_is_interrupted(tmp_path):
    """The deadline stops the notebook in a 60 s cell: the cell is interrupted (SIGINT) and the kernel shut down
    at once, not after the cell or jupyter_client's wait before a kill."""
    nb = _notebook(tmp_path / "slow.ipynb", "x = 1", "import time\ntime.sleep(60)", "y = 2")
    sent, pids = [], []
    options = quiet_shutdown()
    options["kernel_manager_class"] = _recording(options["kernel_manager_class"], sent, pids)
    t0 = time.perf_counter()
    with pytest.raises(TimeoutError):  # nbclient's CellTimeoutError
        _run(tmp_path, nb, options, execution_timeout=3)
    elapsed = time.perf_counter() - t0
    assert sent[:1] == [signal.SIGINT], sent
    assert len(pids) == 1 and _gone(pids[0])
    # the kernel's start, 3 s of the cell, the interrupt and the shutdown; jupyter_client waits up to 5 s for a
    # kernel that ignores the shutdown request: well under the 60 s the cell asked for
    assert elapsed < 30, elapsed
