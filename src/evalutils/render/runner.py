"""Execute the province notebook with papermill and render it with nbconvert.

One task = one (province, language). :func:`build_task` is the whole job of one
report and is the same function everywhere: in a local pool of processes
(papermill is not thread-safe, so never threads) or on the workers of a Dask
distributed cluster. It works in a private scratch folder and sends the executed
notebook, the HTML and the PDF back with its outcome; only the process that runs
the batch publishes them (:func:`evalutils.render.outputs.publish_outcome`), so a
reader never finds a half-written report and a worker of a killed run never
publishes anything. A failing province is reported with the path of its saved
failed notebook and never stops the others. ``ReportTask.timeout`` is a deadline
for the whole report: each cell may use what is left of it, and rendering past it
fails the report.

:func:`plan_tasks` decides, from content hashes kept in the run manifest
(:mod:`evalutils.render.manifest`), which reports must be rebuilt and which are
unchanged; :func:`run_batch` runs the rest and records every outcome in the
manifest as soon as it is known, so an interrupted run keeps what it finished.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from .._processes import clean_context
from ..errors import EvalutilsError, ReportError
from ..provenance import file_sha256
from ..report.payload import RESULTS_MIME
from .html import render_html
from .kernel import quiet_shutdown
from .lifeline import exit_with
from .manifest import inputs_digest, task_input_files, task_inputs
from .outputs import WRITE_ERRORS, publish_outcome, write_error
from .pdf import render_report_pdf
from .task import (  # noqa: F401  (re-exported: the runner's public names)
    DEFAULT_NOTEBOOK, NATIONAL, NATIONAL_NOTEBOOK, PROJECT_ROOT, ReportTask, TaskOutcome, clean_stale_partials,
    clean_stale_scratch, partial_name, scratch_prefix,
)

# several threads of one Dask worker process must not run papermill at the same time
_PAPERMILL_LOCK = threading.Lock()
_BUILDING = threading.Event()  # set while this process builds a report


def _pool_worker_init(parent_pid: int | None = None) -> None:
    """In a local pool worker: Ctrl-C is the parent's to handle; SIGTERM from the parent stops the report;
    the worker ends when the run that started it ends, however it ends (:mod:`evalutils.render.lifeline`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    skip_iri_format_checks()
    if parent_pid is not None:
        exit_with(parent_pid, busy=_BUILDING.is_set)


#: jsonschema's optional checker of the "iri" formats; importing it builds a grammar for 1.2–1.4 s
IRI_CHECKER = "rfc3987_syntax"


def skip_iri_format_checks() -> None:
    """In a worker process of ours, leave out jsonschema's optional "iri" format checker.

    papermill and nbconvert import nbformat, which imports jsonschema, which imports ``rfc3987_syntax`` when it is
    installed (it comes with JupyterLab's jupyter-events): 1.2–1.4 s per worker, on the path of every batch, for
    a check that notebook validation never makes (nbformat passes no format checker, and its schema has no "iri"
    format). jsonschema imports the module inside ``suppress(ImportError)``, so marking it absent only drops those
    two format checks, in this process only."""
    sys.modules.setdefault(IRI_CHECKER, None)


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


# ------------------------------------------------------------- one report

def _finite(obj):
    """JSON-safe copy of a payload: NaN and infinities become null."""
    if isinstance(obj, float):
        return obj if obj == obj and obj not in (float("inf"), float("-inf")) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite(v) for v in obj]
    return obj


def extract_results(notebook) -> dict | None:
    """The results payload (mime type ``report.RESULTS_MIME``) displayed by an executed notebook, if any."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4) if isinstance(notebook, (str, Path)) else notebook
    found = None
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data") or {}
            if RESULTS_MIME in data:
                found = data[RESULTS_MIME]
    return _finite(dict(found)) if found is not None else None


def _utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ReportTimeout(Exception):
    """The report went past its deadline (``ReportTask.timeout`` seconds for execution and rendering)."""


class _Deadline:
    """``seconds`` from now. Cells get what is left (nbclient's ``timeout_func``); rendering is checked after each
    step and, in a process's main thread (a local worker), also interrupted by SIGALRM when it runs over."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def cell_timeout(self, cell=None) -> int:
        return max(1, int(self.left() + 0.999))

    def check(self, step: str) -> None:
        if self.left() <= 0:
            raise ReportTimeout(f"the report took longer than its {self.seconds:g} s (--timeout) while {step}")

    def _ring(self, signum, frame):
        raise ReportTimeout(f"the report took longer than its {self.seconds:g} s (--timeout) while rendering")

    def alarm(self):
        """Context manager: SIGALRM at the deadline (main thread only; elsewhere the step checks suffice)."""
        deadline = self

        class _Alarm:
            def __enter__(self_):
                self_.armed = (threading.current_thread() is threading.main_thread()
                               and hasattr(signal, "setitimer") and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
                if self_.armed:
                    self_.previous = signal.signal(signal.SIGALRM, deadline._ring)
                    signal.setitimer(signal.ITIMER_REAL, max(deadline.left(), 0.01))

            def __exit__(self_, *exc):
                if self_.armed:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, self_.previous)
                return False

        return _Alarm()


def build_task(task: ReportTask) -> TaskOutcome:
    """Execute and render one report in a scratch folder; its files travel in ``outcome.artifacts``.

    Never raises an ordinary exception (the outcome says what went wrong). The same function runs in a local
    worker process and on a Dask worker; it writes nothing outside its scratch folder (and the caches under
    ``<reports>/.cache``, which the report notebook keeps itself).
    """
    with _PAPERMILL_LOCK:
        _BUILDING.set()
        try:
            return _build_task(task)
        finally:
            _BUILDING.clear()


def _build_in_pool(task: ReportTask) -> TaskOutcome:
    """:func:`build_task` in a worker of the local pool: when the parent stops the batch (SIGTERM, raised here
    as KeyboardInterrupt once the kernel and the scratch folder are cleaned up) the worker ends at once."""
    try:
        return build_task(task)
    except KeyboardInterrupt:
        os._exit(130)


def run_task(task: ReportTask) -> TaskOutcome:
    """Build one report and publish it under ``task.out_dir`` in this process."""
    return publish_outcome(build_task(task))


def _build_task(task: ReportTask) -> TaskOutcome:
    import papermill as pm

    start = time.perf_counter()
    deadline = _Deadline(task.timeout)
    extra = {"started_at": _utc_now(), "worker": f"{socket.gethostname()}:{os.getpid()}"}
    clean_stale_scratch()  # of this machine's killed runs (a Dask worker may never see the caller's clean-up)
    scratch = Path(tempfile.mkdtemp(prefix=scratch_prefix("task")))
    tmp_nb = scratch / "report.ipynb"
    try:
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                pm.execute_notebook(str(task.notebook), str(tmp_nb), parameters=task.parameters,
                                    kernel_name="python3", cwd=str(Path(task.notebook).parent), progress_bar=False,
                                    execution_timeout=task.timeout, timeout_func=deadline.cell_timeout,
                                    log_output=False, extra_arguments=["--IPKernelApp.log_level=ERROR"],
                                    # an idle kernel is shut down without jupyter_client's interrupt (which logged
                                    # "KeyboardInterrupt caught in kernel" on every run); a running cell is interrupted
                                    **quiet_shutdown())
                break
            except RuntimeError as exc:
                # the kernel could not start (another process took one of the TCP ports jupyter_client picked for
                # it): no cell ran, so a fresh kernel is safe to try; anything else is the report's own failure
                if attempt == KERNEL_START_ATTEMPTS or not _kernel_start_failure(exc):
                    raise
                extra["kernel_start_retries"] = attempt
        deadline.check("executing the notebook")
        results = extract_results(tmp_nb)
        if results is None:
            raise ReportError("the notebook displayed no results payload",
                              file=task.notebook, hint="keep the cell that displays report.results_output(...)")
        artifacts = {"notebook": tmp_nb.read_bytes()}
        with deadline.alarm():
            if task.pdf:
                render_report_pdf(tmp_nb, scratch / "report.pdf")
                deadline.check("rendering the PDF")
                artifacts["pdf"] = (scratch / "report.pdf").read_bytes()
            render_html(tmp_nb, scratch / "report.html")
            deadline.check("rendering the HTML")
            artifacts["html"] = (scratch / "report.html").read_bytes()
        extra["finished_at"] = _utc_now()
        return TaskOutcome(task, True, time.perf_counter() - start, results=results, extra=extra,
                           artifacts=artifacts)
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the batch
        error = _summarise(exc)
        if isinstance(exc, OSError) and exc.errno in WRITE_ERRORS:  # a file write fails without its name
            error = (f"{write_error(exc, exc.filename or scratch)} (the worker's temporary folder; set TMPDIR "
                     "to a folder with room)")
        if deadline.left() <= 0 and not isinstance(exc, ReportTimeout):
            error = (f"the report took longer than its {task.timeout:g} s (--timeout, the whole report): "
                     f"{error}")
        artifacts = {"failed_notebook": tmp_nb.read_bytes()} if tmp_nb.exists() else {}
        extra["finished_at"] = _utc_now()
        return TaskOutcome(task, False, time.perf_counter() - start, error=error, extra=extra,
                           artifacts=artifacts)
    finally:  # Ctrl-C, a timeout or a failure: leave no scratch behind
        shutil.rmtree(scratch, ignore_errors=True)


KERNEL_START_ATTEMPTS = 3


def _kernel_start_failure(exc: BaseException) -> bool:
    """True when ``exc`` says the kernel died before it could run anything."""
    return "Kernel died before replying to kernel_info" in str(exc)


def _summarise(exc: BaseException) -> str:
    """The first informative lines of an execution error (the evalutils message when there is one)."""
    name = type(exc).__name__
    if isinstance(exc, (ReportTimeout, EvalutilsError)):
        return str(exc)[:2000]
    if name == "PapermillExecutionError":
        ename, evalue = getattr(exc, "ename", ""), getattr(exc, "evalue", "")
        cell = getattr(exc, "exec_count", None)
        return f"{ename} in cell {cell}: {evalue}"
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text[:2000]


# ------------------------------------------------------------- many reports

def _task_cost(task: ReportTask) -> int:
    """Bytes of panel data the report reads: a cheap stand-in for how long it takes."""
    try:
        files = task_input_files(task)
    except Exception:  # noqa: BLE001 - an unknown province fails in its own report, with its own message
        return 0
    return sum(f.stat().st_size for label, f in files.items() if label.startswith("data/enterprise_panel/"))


def schedule(tasks: list[ReportTask], workers: int) -> tuple[list[int], dict[int, list[int]]]:
    """Order in which to start the tasks: largest units first, and a unit's languages one after another.

    Returns the indices to start at once (``leaders``, largest first, so the
    longest reports do not finish last) and, for each leader, the tasks of the
    same unit in other languages to start when it finishes (``followers``): they
    find the unit's effect estimates cached (:func:`evalutils.report.evaluate`)
    instead of fitting the same models a second time at the same moment. When
    there are fewer units than workers the languages run side by side instead.
    """
    groups: dict[tuple, list[int]] = {}
    for i, t in enumerate(tasks):
        key = (t.geography, t.province, str(t.data_dir), str(t.params_dir), str(t.notebook))
        groups.setdefault(key, []).append(i)
    cost = {key: _task_cost(tasks[idx[0]]) for key, idx in groups.items()}
    ordered = sorted(groups, key=lambda k: (-cost[k], groups[k][0]))
    if len(groups) < max(workers, 2):
        return [i for k in ordered for i in groups[k]], {}
    return [groups[k][0] for k in ordered], {groups[k][0]: groups[k][1:] for k in ordered if len(groups[k]) > 1}


def run_tasks(tasks: list[ReportTask], *, workers: int = 1, scheduler: str | None = None,
              on_done: Callable[[TaskOutcome], None] | None = None) -> list[TaskOutcome]:
    """Run tasks in separate processes (``workers`` at a time) or on Dask; results in task order.

    ``scheduler`` is None (a local process pool), ``"local"`` (a Dask ``LocalCluster``
    of ``workers`` single-threaded processes) or the address of a running Dask
    scheduler (``tcp://host:8786``) whose workers see the data, parameter and notebook paths (the reports
    folder need not be shared: the files travel back with each outcome and are written here).
    """
    if not tasks:
        raise ReportError("nothing to run: no provinces selected", hint="pass --provinces, --seed or --all")
    if scheduler:
        return _run_on_dask(tasks, scheduler=scheduler, workers=workers, on_done=on_done)
    outcomes: dict[int, TaskOutcome] = {}
    if workers <= 1:
        for i, task in enumerate(tasks):
            outcomes[i] = run_task(task)
            if on_done:
                on_done(outcomes[i])
        return [outcomes[i] for i in range(len(tasks))]
    leaders, followers = schedule(tasks, workers)
    # the workers build; this process publishes (outputs.publish_outcome) and records, so a worker that
    # outlives a killed run has nothing to publish to, and ends (lifeline)
    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=clean_context(),
                               initializer=_pool_worker_init, initargs=(os.getpid(),))
    # submitted one per free worker, so that the order is ours: a unit's other languages go to the front
    # of the queue when its first language is done (they are quick: its estimates are cached)
    queue = deque(leaders)
    futures: dict = {}
    pending: set = set()

    def feed() -> None:
        while queue and len(pending) < workers:
            j = queue.popleft()
            fut = pool.submit(_build_in_pool, tasks[j])
            futures[fut] = j
            pending.add(fut)

    try:
        feed()
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                i = futures[fut]
                try:
                    outcomes[i] = publish_outcome(fut.result())
                except Exception as exc:  # noqa: BLE001 - a dead worker process
                    outcomes[i] = TaskOutcome(tasks[i], False, 0.0, error=f"worker process failed: {exc!r}")
                queue.extendleft(reversed(followers.get(i, [])))
                if on_done:
                    on_done(outcomes[i])
            feed()
    except BaseException:  # Ctrl-C or SIGTERM: stop the workers (each cleans up its kernel and temporary file)
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            if proc.is_alive():
                proc.terminate()
        for proc in processes:
            proc.join(timeout=20)
        raise
    pool.shutdown(wait=True)
    return [outcomes[i] for i in range(len(tasks))]


def _run_on_dask(tasks: list[ReportTask], *, scheduler: str, workers: int,
                 on_done: Callable[[TaskOutcome], None] | None) -> list[TaskOutcome]:
    try:
        from distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError:  # pragma: no cover - a dependency, but say what to do
        raise ReportError("Dask distributed is not installed", hint="pip install 'dask[distributed]'") from None
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise ReportError(f"cannot reach the Dask scheduler at {scheduler} ({exc})",
                              hint="start one with `dask scheduler` and workers with `dask worker ADDRESS "
                                   "--nthreads 1`, or use --scheduler local") from None
    outcomes: dict[int, TaskOutcome] = {}
    try:
        # absolute paths: the workers may run in another directory (or machine with the same mounts)
        leaders, followers = schedule(tasks, workers)

        def submit(i: int):
            # a worker lost mid-report (killed, its machine gone) leaves nothing behind, as nothing is published
            # but by this process: the scheduler gives its task to another worker, and after
            # distributed.scheduler.allowed-failures (3) losses the future raises KilledWorker -> a failed report
            return client.submit(build_task, tasks[i].resolved(), pure=False,
                                 key=f"evalutils-report-{i}-{uuid.uuid4().hex[:8]}")

        futures = [submit(i) for i in leaders]
        index = {f.key: i for i, f in zip(leaders, futures)}
        queue = dask_completed(futures)
        for fut in queue:
            i = index[fut.key]
            for j in followers.get(i, ()):
                nxt = submit(j)
                index[nxt.key] = j
                queue.add(nxt)
            try:
                # published here, under the report paths as the user gave them
                outcome = publish_outcome(replace(fut.result(), task=tasks[i]))
            except Exception as exc:  # noqa: BLE001 - a worker lost too often, a pickling error
                outcome = TaskOutcome(tasks[i], False, 0.0, error=f"Dask task failed: {exc!r}")
            fut.release()
            outcomes[i] = outcome
            if on_done:
                on_done(outcome)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return [outcomes[i] for i in range(len(tasks))]


# ------------------------------------------------------------- incremental

@dataclass
class Plan:
    to_run: list[ReportTask]
    unchanged: list[ReportTask]
    inputs: dict[ReportTask, dict[str, str]]


def plan_tasks(tasks: list[ReportTask], manifest, *, force: bool = False) -> Plan:
    """Split tasks into those whose inputs changed (or that never built) and those unchanged."""

    # the process's hasher: with the reports' cache directory remembered (the CLI does it), an unchanged 300 MB
    # panel is not read again to know that it is unchanged (provenance.FileHasher)
    inputs = {t: task_inputs(t, file_sha256) for t in tasks}
    to_run, unchanged = [], []
    for t in tasks:
        if not force and manifest.is_current(t, inputs_digest(inputs[t])):
            unchanged.append(t)
        else:
            to_run.append(t)
    return Plan(to_run, unchanged, inputs)


def run_batch(tasks: list[ReportTask], manifest, *, workers: int = 1, scheduler: str | None = None,
              force: bool = False, seed: int | None = None,
              on_done: Callable[[TaskOutcome], None] | None = None,
              on_plan: Callable[[Plan], None] | None = None) -> tuple[Plan, list[TaskOutcome]]:
    """Rebuild what changed, record each outcome in the manifest as it arrives; return the plan and outcomes.

    The caller holds the reports' run lock (:func:`evalutils.render.manifest.run_lock`). Temporaries of
    earlier, killed runs are removed first. A manifest that cannot be saved (a full disk) does not stop the
    batch: it is saved again after the next report, and a :class:`ReportError` saying which write failed is
    raised at the end if it never could be.
    """
    clean_stale_partials(manifest.reports_dir, run_lock_held=True)
    clean_stale_scratch()
    plan = plan_tasks(tasks, manifest, force=force)
    if on_plan:
        on_plan(plan)
    if not plan.to_run:
        return plan, []
    unsaved: list[ReportError] = []

    def record(outcome: TaskOutcome) -> None:
        manifest.record(outcome, plan.inputs[outcome.task], seed)
        try:
            manifest.save()
            unsaved.clear()
        except ReportError as exc:  # kept in memory; saved with the next outcome or reported at the end
            unsaved[:] = [exc]
        if on_done:
            on_done(outcome)

    outcomes = run_tasks(plan.to_run, workers=workers, scheduler=scheduler, on_done=record)
    if unsaved:
        manifest.save()  # raises the ReportError ("disk full writing .../manifest.json") if it still fails
    return plan, outcomes
