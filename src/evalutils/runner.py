"""Execute the province notebook with papermill and render it with nbconvert.

One task = one (province, language). Each task runs in its own process (papermill
is not thread-safe), writes the executed notebook and the HTML under temporary
names and renames them into place only when both succeeded, so a reader never
finds a half-written report. A failing province is reported with the path of its
saved failed notebook and never stops the others.
"""

from __future__ import annotations

import os
import time
import traceback
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ReportError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_NOTEBOOK = PROJECT_ROOT / "notebooks" / "province_report.ipynb"


@dataclass(frozen=True)
class ReportTask:
    province: str
    lang: str
    data_dir: Path
    params_dir: Path
    out_dir: Path
    notebook: Path = DEFAULT_NOTEBOOK
    timeout: int = 600
    geography: str = "pre2025"

    @property
    def _sub(self) -> str:
        # the 34 post-2025 units live in their own folder: several share a slug with an old province
        return "" if self.geography == "pre2025" else "units-2025/"

    @property
    def html_path(self) -> Path:
        return self.out_dir / self.lang / f"{self._sub}{self.province}.html"

    @property
    def executed_path(self) -> Path:
        return self.out_dir / "notebooks" / self.lang / f"{self._sub}{self.province}.ipynb"

    @property
    def failed_path(self) -> Path:
        return self.out_dir / "_failed" / f"{self._sub}{self.province}-{self.lang}.ipynb"


@dataclass
class TaskOutcome:
    task: ReportTask
    ok: bool
    seconds: float
    html: Path | None = None
    error: str | None = None
    failed_notebook: Path | None = None
    extra: dict = field(default_factory=dict)


def render_html(notebook_path: Path, html_path: Path) -> None:
    """Render an executed notebook to self-contained HTML without code or the injected parameters."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(notebook_path, as_version=4)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    tag_remover = TagRemovePreprocessor(remove_cell_tags={"parameters", "injected-parameters", "remove-cell"}, enabled=True)
    exporter.register_preprocessor(tag_remover, enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = html_path.with_name(f".{html_path.name}.{uuid.uuid4().hex}.partial")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, html_path)


def run_task(task: ReportTask) -> TaskOutcome:
    """Execute and render one report; never raises (the outcome says what went wrong)."""
    import papermill as pm

    start = time.perf_counter()
    task.executed_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_nb = task.executed_path.with_name(f".{task.executed_path.name}.{uuid.uuid4().hex}.partial.ipynb")
    params = {"province": task.province, "lang": task.lang, "geography": task.geography,
              "data_dir": str(task.data_dir.resolve()), "params_dir": str(task.params_dir.resolve())}
    try:
        pm.execute_notebook(str(task.notebook), str(tmp_nb), parameters=params, kernel_name="python3",
                            cwd=str(task.notebook.parent), progress_bar=False, execution_timeout=task.timeout,
                            log_output=False,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])
        render_html(tmp_nb, task.html_path)
        os.replace(tmp_nb, task.executed_path)
        return TaskOutcome(task, True, time.perf_counter() - start, html=task.html_path)
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the batch
        failed = None
        if tmp_nb.exists():
            task.failed_path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_nb, task.failed_path)
            failed = task.failed_path
        message = _summarise(exc)
        return TaskOutcome(task, False, time.perf_counter() - start, error=message, failed_notebook=failed)


def _summarise(exc: BaseException) -> str:
    """The first informative lines of an execution error (the evalutils message when there is one)."""
    name = type(exc).__name__
    if name == "PapermillExecutionError":
        ename, evalue = getattr(exc, "ename", ""), getattr(exc, "evalue", "")
        cell = getattr(exc, "exec_count", None)
        return f"{ename} in cell {cell}: {evalue}"
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text[:2000]


def run_tasks(tasks: list[ReportTask], *, workers: int = 1, on_done=None) -> list[TaskOutcome]:
    """Run tasks in separate processes (``workers`` at a time); results in task order."""
    if not tasks:
        raise ReportError("nothing to run: no provinces selected", hint="pass --provinces, --seed or --all")
    outcomes: dict[int, TaskOutcome] = {}
    if workers <= 1:
        for i, task in enumerate(tasks):
            outcomes[i] = run_task(task)
            if on_done:
                on_done(outcomes[i])
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(run_task, task): i for i, task in enumerate(tasks)}
            for fut in as_completed(futures):
                i = futures[fut]
                try:
                    outcomes[i] = fut.result()
                except Exception as exc:  # noqa: BLE001 - a dead worker process
                    outcomes[i] = TaskOutcome(tasks[i], False, 0.0, error=f"worker process failed: {exc!r}")
                if on_done:
                    on_done(outcomes[i])
    return [outcomes[i] for i in range(len(tasks))]

