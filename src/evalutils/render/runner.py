"""Execute the province notebook with papermill and render it with nbconvert.

One task = one (province, language). :func:`run_task` is the whole job of one
report and is the same function everywhere: in a local pool of processes
(papermill is not thread-safe, so never threads) or on the workers of a Dask
distributed cluster. It writes the executed notebook and the HTML under hidden
temporary names and renames them into place only when both succeeded, so a
reader never finds a half-written report. A failing province is reported with
the path of its saved failed notebook and never stops the others.

:func:`plan_tasks` decides, from content hashes kept in the run manifest
(:mod:`evalutils.manifest`), which reports must be rebuilt and which are
unchanged; :func:`run_batch` runs the rest and records every outcome in the
manifest as soon as it is known, so an interrupted run keeps what it finished.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import traceback
import uuid
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from .._processes import clean_context
from ..errors import ReportError
from ..report.payload import RESULTS_MIME
from .html import render_html
from .manifest import FileHasher, inputs_digest, task_input_files, task_inputs
from .pdf import render_report_pdf
from .task import (  # noqa: F401  (re-exported: the runner's public names)
    DEFAULT_NOTEBOOK, NATIONAL, NATIONAL_NOTEBOOK, PROJECT_ROOT, ReportTask, TaskOutcome, clean_stale_partials,
    partial_name,
)

# several threads of one Dask worker process must not run papermill at the same time
_PAPERMILL_LOCK = threading.Lock()
_IN_POOL_WORKER = False


def _pool_worker_init() -> None:
    """In a local pool worker: Ctrl-C is the parent's to handle; SIGTERM from the parent stops the report."""
    global _IN_POOL_WORKER
    _IN_POOL_WORKER = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)


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


def run_task(task: ReportTask) -> TaskOutcome:
    """Execute and render one report; never raises an ordinary exception (the outcome says what went wrong).

    The same function runs in a local worker process and on a Dask worker.
    """
    try:
        with _PAPERMILL_LOCK:
            return _run_task(task)
    except KeyboardInterrupt:
        if _IN_POOL_WORKER:  # the parent is stopping the batch: temporary files and the kernel are cleaned up
            os._exit(130)
        raise


def _run_task(task: ReportTask) -> TaskOutcome:
    import papermill as pm

    start = time.perf_counter()
    extra = {"started_at": _utc_now(), "worker": f"{socket.gethostname()}:{os.getpid()}"}
    task.executed_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_nb = partial_name(task.executed_path, ".ipynb")
    try:
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                pm.execute_notebook(str(task.notebook), str(tmp_nb), parameters=task.parameters,
                                    kernel_name="python3", cwd=str(Path(task.notebook).parent), progress_bar=False,
                                    execution_timeout=task.timeout, log_output=False,
                                    extra_arguments=["--IPKernelApp.log_level=ERROR"])
                break
            except RuntimeError as exc:
                # the kernel could not start (another process took one of the TCP ports jupyter_client picked for
                # it): no cell ran, so a fresh kernel is safe to try; anything else is the report's own failure
                if attempt == KERNEL_START_ATTEMPTS or not _kernel_start_failure(exc):
                    raise
                extra["kernel_start_retries"] = attempt
        results = extract_results(tmp_nb)
        if results is None:
            raise ReportError("the notebook displayed no results payload",
                              file=task.notebook, hint="keep the cell that displays report.results_output(...)")
        if task.pdf:
            render_report_pdf(tmp_nb, task.pdf_path)  # written under a temporary name, renamed into place
        render_html(tmp_nb, task.html_path)
        os.replace(tmp_nb, task.executed_path)
        extra["finished_at"] = _utc_now()
        return TaskOutcome(task, True, time.perf_counter() - start, html=task.html_path, results=results,
                           extra=extra)
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the batch
        failed = None
        if tmp_nb.exists():
            task.failed_path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_nb, task.failed_path)
            failed = task.failed_path
        extra["finished_at"] = _utc_now()
        return TaskOutcome(task, False, time.perf_counter() - start, error=_summarise(exc), failed_notebook=failed,
                           extra=extra)
    finally:  # Ctrl-C or a timeout signal: leave no temporary file behind
        tmp_nb.unlink(missing_ok=True)


KERNEL_START_ATTEMPTS = 3


def _kernel_start_failure(exc: BaseException) -> bool:
    """True when ``exc`` says the kernel died before it could run anything."""
    return "Kernel died before replying to kernel_info" in str(exc)


def _summarise(exc: BaseException) -> str:
    """The first informative lines of an execution error (the evalutils message when there is one)."""
    name = type(exc).__name__
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
    scheduler (``tcp://host:8786``) whose workers see the same paths.
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
    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=clean_context(),
                               initializer=_pool_worker_init)
    # submitted one per free worker, so that the order is ours: a unit's other languages go to the front
    # of the queue when its first language is done (they are quick: its estimates are cached)
    queue = deque(leaders)
    futures: dict = {}
    pending: set = set()

    def feed() -> None:
        while queue and len(pending) < workers:
            j = queue.popleft()
            fut = pool.submit(run_task, tasks[j])
            futures[fut] = j
            pending.add(fut)

    try:
        feed()
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                i = futures[fut]
                try:
                    outcomes[i] = fut.result()
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
            return client.submit(run_task, tasks[i].resolved(), pure=False,
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
                outcome = fut.result()
                outcome = TaskOutcome(**{**outcome.__dict__, "task": tasks[i]})  # report paths as the user gave them
            except Exception as exc:  # noqa: BLE001 - a lost worker, a pickling error
                outcome = TaskOutcome(tasks[i], False, 0.0, error=f"Dask task failed: {exc!r}")
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

    hasher = FileHasher()
    inputs = {t: task_inputs(t, hasher) for t in tasks}
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
    """Rebuild what changed, record each outcome in the manifest as it arrives; return the plan and outcomes."""
    clean_stale_partials(manifest.reports_dir)
    plan = plan_tasks(tasks, manifest, force=force)
    if on_plan:
        on_plan(plan)
    if not plan.to_run:
        return plan, []

    def record(outcome: TaskOutcome) -> None:
        manifest.record(outcome, plan.inputs[outcome.task], seed)
        manifest.save()
        if on_done:
            on_done(outcome)

    outcomes = run_tasks(plan.to_run, workers=workers, scheduler=scheduler, on_done=record)
    return plan, outcomes
