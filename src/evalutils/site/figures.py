"""The figure map: every figure and table of the report notebooks, with the function that makes it and where
that function is defined, read from the notebooks' source (never from the rendered HTML)."""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass
from pathlib import Path

from ..render.task import DEFAULT_NOTEBOOK, PROJECT_ROOT


@dataclass(frozen=True)
class Provenance:
    cell: int            # 1-based position of the cell in the notebook
    shown: bool          # False when the cell is tagged remove-cell (not in the rendered report)
    function: str        # report.<function>
    kind: str
    defined_at: str      # src/evalutils/report.py:LINE
    summary: str         # first line of the docstring


def _kind(name: str) -> str:
    if name.startswith(("show_", "figure_")):
        return "display helper"
    if name.endswith("_figure"):
        return "figure"
    if name.endswith("_table"):
        return "table"
    if name.endswith("_html"):
        return "HTML section (text and tables)"
    if name.startswith("results_"):
        return "machine-readable results (not displayed)"
    return "helper (computes or formats what the sections show)"


# the names the notebooks import modules under -> the modules (`import evalutils.report.province as report`)
MAPPED_MODULES = {"report": "evalutils.report.province", "national": "evalutils.report.national"}


def figure_map(notebook: str | Path = DEFAULT_NOTEBOOK) -> list[Provenance]:
    """Every call of ``report.<function>`` (or ``national.<function>``) in the notebook's code cells, in order,
    with where the function is defined."""
    import importlib
    import json

    # the notebook's JSON read directly: nbformat would import jsonschema and its grammars (about 3 s, paid by
    # every `evalutils run` that refreshes the site, even when nothing else is to be done)
    cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    out, seen = [], set()
    for i, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        if "parameters" in tags:
            continue
        source = cell.get("source", "")
        try:
            tree = ast.parse(source if isinstance(source, str) else "".join(source))
        except SyntaxError:
            continue  # a cell with IPython magics: nothing to map
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and isinstance(n.func.value, ast.Name) and n.func.value.id in MAPPED_MODULES]
        for call in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):
            module, name = call.func.value.id, call.func.attr
            if (i, module, name) in seen:
                continue
            seen.add((i, module, name))
            obj = getattr(importlib.import_module(MAPPED_MODULES[module]), name, None)
            where, summary = f"not found in {MAPPED_MODULES[module]}", ""
            if obj is not None and callable(obj):
                try:
                    src = Path(inspect.getsourcefile(obj)).resolve()
                    line = inspect.getsourcelines(obj)[1]
                    try:
                        src = src.relative_to(PROJECT_ROOT)
                    except ValueError:
                        src = Path(src.name)
                    where = f"{src.as_posix()}:{line}"
                except (OSError, TypeError):
                    where = MAPPED_MODULES[module]
                summary = (inspect.getdoc(obj) or "").split("\n\n")[0].replace("\n", " ")
                summary = re.sub(r":\w+:`~?([^`]+)`", r"\1", summary).replace("``", "")
            out.append(Provenance(i, "remove-cell" not in tags, f"{module}.{name}", _kind(name), where, summary))
    return out


def notebook_label(notebook: Path) -> str:
    try:
        return Path(notebook).resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return Path(notebook).name


def figure_rows(notebook: Path) -> list[dict]:
    """The figure map of one notebook as table rows, figures and tables numbered in the order shown."""
    counters: dict[str, int] = {}
    rows = []
    for p in figure_map(notebook):
        label = ""
        if p.kind in ("figure", "table"):
            counters[p.kind] = counters.get(p.kind, 0) + 1
            label = f"{p.kind.capitalize()} {counters[p.kind]}"
        rows.append({"label": label, "kind": p.kind, "function": p.function, "defined_at": p.defined_at,
                     "cell": p.cell, "shown": p.shown, "summary": p.summary})
    return rows
