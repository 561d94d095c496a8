"""The API reference (issue 17 item 7): every public function has an example, every example runs (doctest), and
`evalutils api-docs` writes the pdoc reference the website publishes under api/."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
from pathlib import Path

import matplotlib
import pytest

import evalutils.effects
import evalutils.productivity
from evalutils.cli import main
from evalutils.panel.demo import write_demo
from evalutils.report.analysis import analysis_panel

ROOT = Path(__file__).resolve().parents[1]
#: modules whose examples run here: the public estimators, and the analysis panel and choices
DOCTEST_MODULES = ["evalutils.report.analysis", "evalutils.panel.analysis", "evalutils.measures.analysis",
                   "evalutils._validate"]
for _pkg in (evalutils.effects, evalutils.productivity):
    DOCTEST_MODULES += [_pkg.__name__] + [m.name for m in pkgutil.iter_modules(_pkg.__path__, _pkg.__name__ + ".")]


def _public_functions():
    for pkg in (evalutils.effects, evalutils.productivity):
        for name in pkg.__all__:
            obj = getattr(pkg, name)
            if inspect.isfunction(obj):
                yield f"{pkg.__name__}.{name}", obj
    yield "evalutils.report.analysis_panel", analysis_panel


@pytest.mark.parametrize(("name", "func"), list(_public_functions()), ids=lambda x: x if isinstance(x, str) else "")
def test_every_public_function_has_an_example(name, func):
    doc = inspect.getdoc(func) or ""
    assert ">>>" in doc, f"{name} has no example in its docstring"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("api") / "data"
    write_demo(d, scale=0.1, seed=5)
    return d


def test_every_example_runs(demo):
    """doctest over the modules: each example's printed result must match (rounded, deterministic)."""
    matplotlib.use("Agg")
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    ran: set[str] = set()
    for module_name in DOCTEST_MODULES:
        module = importlib.import_module(module_name)
        globs = {"data_dir": str(demo), "params_dir": str(ROOT / "params")}
        for test in finder.find(module, module_name, globs={**vars(module), **globs}):
            if test.examples:
                runner.run(test)
                ran.add(test.name.rsplit(".", 1)[-1])
    summary = runner.summarize(verbose=False)
    assert summary.failed == 0, f"{summary.failed} example(s) failed (see the output above)"
    missing = {name.rsplit(".", 1)[-1] for name, _ in _public_functions()} - ran
    assert not missing, f"examples not run: {sorted(missing)}"


def test_api_docs_command_writes_the_reference(tmp_path, capsys):
    out = tmp_path / "api"
    assert main(["api-docs", "--out", str(out)]) == 0
    assert str(out / "index.html") in capsys.readouterr().out
    effects = (out / "evalutils" / "effects.html").read_text(encoding="utf-8")
    for name in ("att_gt", "did_imputation", "twfe", "sensitivity", "etable"):
        assert f'id="{name}"' in effects, name
    # the examples are on the page (highlighted code: the prompts and the section headings)
    assert effects.count("Examples</h6>") >= 13 and "&gt;&gt;&gt;" in effects
    panel = (out / "evalutils" / "report" / "analysis.html").read_text(encoding="utf-8")
    assert "analysis_panel" in panel and "AnalysisPanel" in panel
    assert (out / "evalutils" / "productivity.html").exists()
    # a file where a directory is needed: a clear error, not a traceback
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert main(["api-docs", "--out", str(tmp_path / "file" / "api")]) == 2
    assert "writing the API reference failed" in capsys.readouterr().err


def test_the_website_publishes_the_reference(tmp_path):
    import json

    from evalutils.site import build_site
    from evalutils.site.build import site_files

    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "manifest.json").write_text(json.dumps({"schema": 1, "reports": {}}), encoding="utf-8")
    site = build_site(reports).parent
    assert (site / "api" / "index.html").exists() and (site / "api" / "evalutils" / "effects.html").exists()
    assert "api/evalutils/report/analysis.html" in site_files(reports)  # in the marker: published and cleaned
    for lang in ("vi", "en"):
        page = (site / lang / "methods.html").read_text(encoding="utf-8")
        assert 'href="../api/index.html"' in page and "tutorial.ipynb" in page
    # built once per code version and process, then copied
    stamp = (site / "api" / "index.html").stat().st_mtime_ns
    build_site(reports)
    assert (site / "api" / "index.html").stat().st_mtime_ns == stamp
