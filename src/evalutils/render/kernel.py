"""The report kernel's manager: a notebook that ran to its end is shut down without an interrupt.

jupyter_client's kernel manager interrupts the kernel before every shutdown (``_async_shutdown_kernel`` in
jupyter_client 8.10: SIGINT, then the shutdown request on the control channel), so every report run logged
"[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel." although no cell was running. Here the interrupt is
sent only while a cell is still running, i.e. when the deadline (``--timeout``) or Ctrl-C stopped the notebook in
the middle of a cell: that cell is interrupted as before, then the kernel is shut down. When every cell sent its
reply (the notebook finished, or stopped at a failing cell) the idle kernel gets the shutdown request alone.

Which cells are running is known from nbclient's cell hooks (``on_cell_execute`` just before a cell's execute
request, ``on_cell_executed`` once its reply came back); :func:`quiet_shutdown` gives papermill both hooks and a
manager class that reads them, one pair per run.
"""

from __future__ import annotations

from typing import Any, ClassVar

from jupyter_client.manager import AsyncKernelManager


class RunningCells:
    """The indexes of the cells whose execute request was sent and whose reply has not come back."""

    def __init__(self) -> None:
        self.indexes: set[int] = set()

    def started(self, *, cell_index: int, **_: Any) -> None:
        self.indexes.add(cell_index)

    def finished(self, *, cell_index: int, **_: Any) -> None:
        self.indexes.discard(cell_index)

    def __bool__(self) -> bool:
        return bool(self.indexes)


class QuietShutdownKernelManager(AsyncKernelManager):
    """nbclient's kernel manager, less the interrupt before shutting down an idle kernel."""

    #: the run's cells (:func:`quiet_shutdown` sets it on a subclass made for the run)
    running: ClassVar[RunningCells] = RunningCells()

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client's shutdown interrupts first: an interrupt now would stop no cell, only log an error
        if self.shutting_down and not self.running:
            self.log.debug("kernel idle: shut down without an interrupt")
            return
        await super()._async_interrupt_kernel()

    interrupt_kernel = _async_interrupt_kernel


def quiet_shutdown() -> dict[str, Any]:
    """Keyword arguments for :func:`papermill.execute_notebook` (passed on to nbclient): a kernel manager class
    that interrupts the kernel on shutdown only while a cell runs, and the two cell hooks that tell it so."""
    running = RunningCells()
    manager = type("QuietShutdownKernelManager", (QuietShutdownKernelManager,), {"running": running})
    return {"kernel_manager_class": manager, "on_cell_execute": running.started,
            "on_cell_executed": running.finished}
