"""A local worker process's lifeline to the process that started it.

When ``evalutils run`` is killed outright (SIGKILL, the out-of-memory killer) it cannot stop its pool: the
workers are children of multiprocessing's fork server, not of the run, so nothing tells them. Each worker
therefore watches the run's process itself: a ``pidfd`` (Linux 5.3+) becomes readable the moment that process
ends, and elsewhere the worker polls it twice a second. When it ends, the worker stops its report as Ctrl-C
would (its kernel is shut down, its scratch folder removed) and exits; the fork server and the resource tracker
end by themselves once no worker holds their pipes. Nothing the worker built is published: only the run
publishes (:mod:`evalutils.render.outputs`).
"""

from __future__ import annotations

import errno
import os
import select
import signal
import threading
import time
from collections.abc import Callable

GRACE_SECONDS = 20.0  # to shut the kernel down before the worker exits regardless


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def exit_with(parent_pid: int, busy: Callable[[], bool]) -> None:
    """Start a daemon thread that ends this process when ``parent_pid`` ends.

    ``busy()`` says whether a report is being built: if so the process gets SIGTERM (its handler stops the
    report and exits) and is ended ``GRACE_SECONDS`` later if still there; if not it exits at once.
    """
    try:
        fd = os.pidfd_open(parent_pid)
    except ProcessLookupError:  # already gone
        os._exit(1)
    except (AttributeError, OSError):  # not Linux, or an old kernel: poll
        fd = None

    def watch() -> None:
        if fd is not None:
            select.select([fd], [], [])
        else:
            while _alive(parent_pid):
                time.sleep(0.5)
        if not busy():
            os._exit(1)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(GRACE_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="evalutils-lifeline", daemon=True).start()
