"""notebooks/tutorial.ipynb (issue 17 item 6): kept without outputs, under 40 lines of code, executed by papermill on
demo data; its estimates are the report's, and the report it rebuilds follows the changed analysis choice."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from evalutils.panel.demo import write_demo

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "notebooks" / "tutorial.ipynb"


def _code_lines(nb) -> int:
    return sum(1 for c in nb.cells if c.cell_type == "code"
               for line in c.source.splitlines() if line.strip() and not line.strip().startswith("#"))


def test_tutorial_is_kept_without_outputs_and_short():
    nb = nbformat.read(TUTORIAL, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert _code_lines(nb) < 40
    assert code[0].metadata.get("tags") == ["parameters"]
    # every code cell follows a markdown cell explaining it, with a Vietnamese sentence
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code" and i > 1:
            assert nb.cells[i - 1].cell_type == "markdown" and "*" in nb.cells[i - 1].source


@pytest.mark.slow
def test_tutorial_runs_and_rebuilds_a_report(tmp_path, monkeypatch):
    # the kernel draws figures inline as in JupyterLab (tasks.py sets MPLBACKEND=Agg, which would hide them)
    monkeypatch.delenv("MPLBACKEND", raising=False)
    data, reports = tmp_path / "data", tmp_path / "reports"
    write_demo(data, scale=0.2, seed=5)
    out = tmp_path / "tutorial.ipynb"
    pm.execute_notebook(str(TUTORIAL), str(out), cwd=str(ROOT / "notebooks"), progress_bar=False,
                        parameters={"data_dir": str(data), "params_dir": str(ROOT / "params"),
                                    "reports_dir": str(reports), "n_boot": 99},
                        extra_arguments=["--IPKernelApp.log_level=ERROR"])
    nb = nbformat.read(out, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not any(o.get("output_type") == "error" for c in code for o in c.outputs)
    # the comparison table has the three estimators, the event study and the sensitivity plot were drawn
    compare = next(c for c in code if "etable(" in c.source)
    table = next(o for o in compare.outputs if "data" in o)["data"]["text/html"]
    assert "TWFE" in table and "Callaway" in table and "Imputation" in table and "ATT" in table
    assert sum("image/png" in o.get("data", {}) for c in code for o in c.outputs) >= 2
    # the report was rebuilt with the not-yet-supported comparison group, labelled as such
    last = next(o for o in code[-1].outputs if "data" in o)["data"]["text/plain"]
    control, estimate, html = ast.literal_eval(last)
    assert control == "not_yet_treated"
    entry = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))["reports"]["pre2025/vi/ha-noi"]
    assert entry["parameters"]["analysis"]["control_group"] == "not_yet_treated"
    assert entry["results"]["effect"]["estimate"] == estimate
    page = (reports / html).read_text(encoding="utf-8")
    assert "so với doanh nghiệp chưa được hỗ trợ tại thời điểm so sánh" in page
    assert "chưa từng được hỗ trợ)" not in page
