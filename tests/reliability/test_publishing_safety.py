"""Publishing safety of the report itself (issue 8, item 4).

* text from parameter files reaches the HTML escaped: no injected element, no script run in a browser;
* YAML is loaded safely;
* parameters reach the notebook as data, never as code;
* the rendered report holds no machine path, no traceback, no firm id and no cell below the threshold.
"""

from __future__ import annotations

import ast
import re
import uuid
from pathlib import Path

import nbformat
import pytest
import yaml

from evalutils.panel import params as params_module
from evalutils.render.runner import ReportTask, run_task

from ._support import (
    CHROMIUM,
    ROOT,
    chromium_dom,
    copy_params,
    firm_ids,
    parse_html,
    publishing_problems,
    read_k,
    recoverable_suppressed_cells,
    small_demo,
    visible_text,
    write_data_dir,
)

pytestmark = pytest.mark.slow

TITLE = "Kế hoạch <script>alert(1)</script> \"quoted\" 'single' {braces} {province} & <b>bold</b>"
LABEL = ("</td></tr></table><script>document.documentElement.setAttribute('data-pwned','label')</script>"
         "{0} {braces} \"double\" 'single'")
QUOTE = ("\"><img src=x onerror=\"document.documentElement.setAttribute('data-pwned','quote')\">"
         " <script>alert(1)</script> {braces} Hỗ trợ")


@pytest.fixture(scope="module")
def demo():
    return small_demo()


# A data directory whose *name* is Python code: if a path parameter ever reached the notebook as code rather
# than as a string, the report would create MARKER. (No '/' in the name: it is one directory.)
MARKER = Path("/tmp") / f"evalutils-injection-{uuid.uuid4().hex}"
CODE_NAME = f'data"; __import__("os").system("touch " + chr(47).join(["", "tmp", "{MARKER.name}"])) #\''


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, demo):
    return write_data_dir(tmp_path_factory.mktemp("safety") / CODE_NAME, demo)


def _hostile_params(dest: Path) -> Path:
    copy_params(dest, ["bac-lieu"])
    path = dest / "provinces" / "bac-lieu.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["plans"][0]["title_vi"] = TITLE
    doc["targets"][0]["label_en"] = LABEL
    doc["targets"][0]["quote_vi"] = QUOTE
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


def test_hostile_text_is_escaped_and_runs_no_script(data_dir, demo, tmp_path):
    params_dir = _hostile_params(tmp_path / "params")
    out_dir = tmp_path / "reports"
    task = ReportTask("bac-lieu", "en", data_dir, params_dir, out_dir)
    try:
        outcome = run_task(task)
        assert not MARKER.exists(), "a path parameter was executed as code"
    finally:
        MARKER.unlink(missing_ok=True)
    assert outcome.ok, outcome.error
    html = outcome.html.read_text(encoding="utf-8")
    # the paths were injected as plain string assignments and used as paths
    nb = nbformat.read(task.executed_path, as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    values = _constant_assignments(injected.source)
    assert values["data_dir"] == str(data_dir.resolve()) and CODE_NAME in values["data_dir"]

    # 1. the text is there, as text: a reader sees exactly what the parameter file says
    text = visible_text(html)
    for s in (TITLE, LABEL, QUOTE):
        assert s in text, s[:40]
    # 2. and it created no element: parse the HTML
    doc = parse_html(html)
    assert not [s for s in doc.scripts if "alert(1)" in s or "data-pwned" in s]
    assert not [a for tag, a in doc.elements if any(k.startswith("on") for k in a)], "event-handler attribute"
    assert not [a for tag, a in doc.elements if tag == "img" and a.get("src") == "x"]
    assert not [tag for tag, _ in doc.elements if tag == "b"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # 3. nothing a publisher must not show
    assert publishing_problems(html, k=read_k(), lang="en", forbidden_paths=[data_dir, params_dir, out_dir]) == []
    assert not any(i in html for i in firm_ids(demo.panel))

    # 4. a real browser loads it and runs no injected script
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed")
    dom = chromium_dom(outcome.html, tmp_path / "chromium-profile")
    assert not re.search(r"<html[^>]*data-pwned", dom), "an injected script ran"
    assert "<script>alert(1)</script>" not in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert not re.search(r"<img[^>]*src=\"x\"", dom)
    # control: the same payload left unescaped is caught by this check (the browser did run scripts)
    control = tmp_path / "control.html"
    control.write_text(f"<html><body><p>{LABEL}</p></body></html>", encoding="utf-8")
    assert re.search(r"<html[^>]*data-pwned", chromium_dom(control, tmp_path / "chromium-profile"))


def test_yaml_is_loaded_safely_everywhere():
    """The parameter loader is a SafeLoader; nothing in the package calls an unsafe YAML loader."""
    assert issubclass(params_module._UniqueKeyLoader, yaml.SafeLoader)
    unsafe = re.compile(r"yaml\.(unsafe_load|full_load)|Loader=yaml\.(Loader|FullLoader|UnsafeLoader)|"
                        r"yaml\.load\((?![^)]*Loader=_UniqueKeyLoader)")
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in sorted((ROOT / "src").rglob("*.py"))
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if unsafe.search(line)]
    assert hits == []


def _constant_assignments(source: str) -> dict:
    """``name = <literal>`` lines of an injected-parameters cell; fails on anything else (code)."""
    tree = ast.parse(source)
    assert all(isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) for node in tree.body)
    return {node.targets[0].id: node.value.value for node in tree.body}


def test_province_parameter_is_data_not_code(data_dir, tmp_path):
    marker = Path(f"/tmp/evalutils-injection-{uuid.uuid4().hex}")
    province = f'bac-lieu"; import os; os.system("touch {marker}")\n__import__("os").system("touch {marker}") #'
    out_dir = tmp_path / "reports"
    task = ReportTask(province, "en", data_dir, ROOT / "params", out_dir)
    try:
        outcome = run_task(task)
        assert not marker.exists(), "the province parameter was executed as code"
    finally:
        marker.unlink(missing_ok=True)
    # refused (by the runner before any kernel starts, or by the notebook as an unknown province)
    assert not outcome.ok and "unknown province" in outcome.error
    assert not list(out_dir.rglob("*.html")), "a failed report was published"
    assert not list(out_dir.rglob("*.partial*"))
    if outcome.failed_notebook is not None:     # when the notebook ran, it got the text as a string
        assert outcome.failed_notebook.resolve().is_relative_to(out_dir.resolve())
        nb = nbformat.read(outcome.failed_notebook, as_version=4)
        injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
        assert _constant_assignments(injected.source)["province"] == province


def test_province_parameter_cannot_write_outside_the_output_directory(data_dir, tmp_path):
    out_dir = tmp_path / "a" / "b" / "reports"
    task = ReportTask("../../../escaped", "en", data_dir, ROOT / "params", out_dir)
    before = {p for p in tmp_path.rglob("*")}
    outcome = run_task(task)
    assert not outcome.ok and "unknown province" in outcome.error
    after = {p for p in tmp_path.rglob("*")} - before
    outside = [p for p in after if p.is_file() and not p.resolve().is_relative_to(out_dir.resolve())]
    assert outside == [], f"files written outside the output directory: {outside}"


def test_suppressed_cells_cannot_be_recovered_by_subtraction(data_dir):
    import evalutils.report.province as report

    found = []
    for province in ("khanh-hoa", "bac-lieu", "quang-nam"):
        ctx = report.load_province_context(province, data_dir=data_dir, params_dir=ROOT / "params", lang="en")
        found += recoverable_suppressed_cells(report.landscape_html(ctx) + report.support_html(ctx), k=read_k(),
                                              lang="en")
    assert found == []
