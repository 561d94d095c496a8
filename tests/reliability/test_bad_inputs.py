"""The second bad-input corpus (issue 16): silently wrong, raw tracebacks, misleading errors, hangs, labels.

Data-directory and parameter cases are data: ``corpus/datadir/cases.yml`` lists, for each case, how it
changes a clean data directory (``corpus/datadir/clean/``) and parameter folder, and EVERY problem
``evalutils validate`` must report (class, file, column or key, rows of that file, message and hint
fragments). They run in-process through :func:`evalutils.panel.check.check_inputs`, the check that both
``validate`` and ``run`` make. Command-line cases run ``evalutils.cli.main`` in-process, and a few run the
installed ``evalutils`` in a subprocess (a named pipe, a read-only file system, a label with two dollar
signs through a real report).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from evalutils import cli
from evalutils.errors import DataValidationError, EvalutilsError, ParameterError
from evalutils.panel.check import InputsInvalid, check_inputs, require_valid_inputs
from evalutils.panel.demo import write_demo
from evalutils.panel.io import load_data_manifest, load_panel, write_panel_partitioned
from evalutils.panel.schema import PANEL

from ._support import ROOT, copy_params, small_demo, write_data_dir

DATADIR = Path(__file__).parent / "corpus" / "datadir"
CASES = yaml.safe_load((DATADIR / "cases.yml").read_text(encoding="utf-8"))
CLASSES = {"DataValidationError": DataValidationError, "ParameterError": ParameterError}
EVALUTILS = Path(sys.executable).with_name("evalutils")


# ------------------------------------------------------------------ building a case

def _clean_panel() -> pd.DataFrame:
    return pd.read_csv(DATADIR / "clean" / "enterprise_panel.csv", dtype={"firm_id": str, "province_code": str})


def _partition(root: Path, code: str) -> Path:
    return root / "data" / "enterprise_panel" / f"province_code={code}" / "part-0.parquet"


def _rewrite_partition(root: Path, code: str, change) -> None:
    path = _partition(root, code)
    table = change(pq.read_table(path, partitioning=None))
    pq.write_table(table, path)


def _misfiled_row(root: Path) -> None:
    """A row of province 01 filed in province 95's folder: the file carries its own province_code column."""
    _rewrite_partition(root, "95", lambda t: t.append_column("province_code", pa.array(["95", "01", "95", "95"])))


def _demo_marked_panel(root: Path) -> None:
    """Panel files as the synthetic demo generator writes them (marked in their Parquet metadata)."""
    write_panel_partitioned(_clean_panel(), root / "data" / "enterprise_panel", synthetic=True)


def _unpartitioned(root: Path, *, with_code: bool) -> None:
    panel_dir = root / "data" / "enterprise_panel"
    shutil.rmtree(panel_dir)
    panel_dir.mkdir()
    df = _clean_panel()
    if not with_code:
        df = df.drop(columns="province_code")
    df.to_parquet(panel_dir / "panel.parquet", index=False)


def _loose_panel_file(root: Path) -> None:
    shutil.rmtree(root / "data" / "enterprise_panel")
    _clean_panel().to_parquet(root / "data" / "enterprise_panel.parquet", index=False)


def _text_employment(root: Path) -> None:
    def change(t: pa.Table) -> pa.Table:
        i = t.schema.get_field_index("employment")
        return t.set_column(i, "employment", pa.array([str(v) for v in t["employment"].to_pylist()]))
    _rewrite_partition(root, "95", change)


def _year_as_timestamp(root: Path) -> None:
    def change(t: pa.Table) -> pa.Table:
        i = t.schema.get_field_index("year")
        stamps = pd.to_datetime([f"{y}-01-01" for y in t["year"].to_pylist()]).as_unit("ns")
        return t.set_column(i, "year", pa.array(stamps))
    _rewrite_partition(root, "95", change)


def _empty_partitions(root: Path) -> None:
    for code in ("01", "95"):
        _rewrite_partition(root, code, lambda t: t.slice(0, 0))


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


RECIPES = {
    "misfiled_row": _misfiled_row,
    "demo_marked_panel": _demo_marked_panel,
    "unpartitioned_without_code": lambda root: _unpartitioned(root, with_code=False),
    "unpartitioned_with_code": lambda root: _unpartitioned(root, with_code=True),
    "loose_panel_file": _loose_panel_file,
    "text_employment_in_95": _text_employment,
    "year_as_timestamp_in_95": _year_as_timestamp,
    "empty_partitions": _empty_partitions,
    "fifo_monitoring": lambda root: _fifo(root / "data" / "monitoring.csv"),
    "fifo_defaults": lambda root: _fifo(root / "params" / "defaults.yml"),
}


def build_case(root: Path, case: dict) -> tuple[Path, Path]:
    """The case's data directory and params folder under ``root``."""
    data, params = root / "data", root / "params"
    shutil.copytree(DATADIR / "clean", data)
    copy_params(params, ["bac-lieu"])
    for name, pairs in (case.get("patch") or {}).items():
        path = root / name
        text = path.read_text(encoding="utf-8")
        for old, new in pairs:
            assert old in text, f"{case['id']}: {old!r} not in {name} (the clean file or the project's changed?)"
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    for name, text in (case.get("write") or {}).items():
        (root / name).write_text(text, encoding="utf-8")
    csv = data / "enterprise_panel.csv"
    panel = pd.read_csv(csv, dtype=str)
    for c in PANEL.columns:
        if c.dtype != "str" and c.name in panel:
            panel[c.name] = pd.to_numeric(panel[c.name])
    csv.unlink()
    write_panel_partitioned(panel, data / "enterprise_panel")
    if case.get("recipe"):
        RECIPES[case["recipe"]](root)
    for name in case.get("delete") or []:
        (root / name).unlink()
    return data, params


def _matches(problem: EvalutilsError, e: dict, root: Path) -> bool:
    return (type(problem) is CLASSES[e.get("cls", "DataValidationError")]
            and problem.file == str(root / e["file"])
            and problem.column == e.get("column") and problem.key == e.get("key")
            and problem.rows == e.get("rows") and problem.province == e.get("province")
            and e["message"] in problem.message and bool(problem.hint) and e["hint"] in problem.hint)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_validate_lists_every_problem(tmp_path, case):
    data, params = build_case(tmp_path, case)
    result = check_inputs(data, params)
    found = list(result.problems)
    shown = "\n\n".join(str(p) for p in found)
    for e in case["expect"]:
        hits = [p for p in found if _matches(p, e, tmp_path)]
        assert len(hits) == 1, f"expected {e}\namong:\n{shown}"
        found.remove(hits[0])
    assert not found, f"unexpected problem(s):\n{shown}"
    for p in result.problems:  # what the user reads: labelled lines, no traceback
        assert "what to do: " in str(p) and f"file: {p.file}" in str(p) and "Traceback" not in str(p)
    # `run` makes the same checks before building, except the province files: a bad one fails its own
    # report (listed with the reason) and not the others
    run_expects = [e for e in case["expect"] if "provinces/" not in e["file"]]
    if run_expects:
        with pytest.raises(InputsInvalid) as exc_info:
            require_valid_inputs(data, params, cache_dir=tmp_path / "cache")
        assert len(exc_info.value.problems) == len(run_expects)
        assert not (tmp_path / "cache" / "checked.json").exists()   # a failed check is not remembered
    else:
        assert require_valid_inputs(data, params, cache_dir=tmp_path / "cache") is not None
        assert (tmp_path / "cache" / "checked.json").exists()


def test_corpus_size_and_classes():
    """Issue 16 asks for at least 40 new cases of its classes; this file adds those of cases.yml and below."""
    classes = {c["class"] for c in CASES}
    assert classes == {"silently_wrong", "traceback", "misleading", "hang"}
    assert len(CASES) + len(CLI_CASES) + 6 >= 40   # + the tests below that are not in either table


# ------------------------------------------------------------------ what the cases above leave to show

def test_unpartitioned_panel_is_read_by_province(tmp_path):
    """The documented fallback: a panel delivered as one file with a province_code column is read as is."""
    data, params = build_case(tmp_path, {"id": "x", "recipe": "unpartitioned_with_code"})
    assert load_panel(data, ["95"])["firm_id"].tolist() == ["0345", "0345", "0678", "0678"]
    assert len(load_panel(data)) == 6


def test_report_loader_names_the_partition_row(tmp_path):
    """A report reads its province only; its error names the partition file and the row in that file."""
    case = next(c for c in CASES if c["id"] == "error_rows_are_rows_of_the_partition")
    data, _ = build_case(tmp_path, case)
    with pytest.raises(DataValidationError) as exc_info:
        load_panel(data, ["95"])
    assert exc_info.value.file == str(_partition(tmp_path, "95")) and exc_info.value.rows == [3]
    assert len(load_panel(data, ["01"])) == 2  # the other province is unaffected


def test_run_check_is_remembered_until_an_input_changes(tmp_path):
    data, params = build_case(tmp_path, {"id": "clean"})
    cache = tmp_path / "reports" / ".cache"
    assert require_valid_inputs(data, params, cache_dir=cache) is not None       # checked
    assert require_valid_inputs(data, params, cache_dir=cache) is None           # unchanged: remembered
    assert require_valid_inputs(data, params) is not None   # no cache directory: checked every time
    assert not (data / "derived").exists()                  # the data directory is only read
    monitoring = data / "monitoring.csv"
    monitoring.write_text(monitoring.read_text().replace(",3\n", ",-3\n"), encoding="utf-8")
    with pytest.raises(InputsInvalid):
        require_valid_inputs(data, params, cache_dir=cache)


def test_demo_manifest_survives_only_with_its_mark(tmp_path):
    """Demo data say they are synthetic; relabelled or stripped of MANIFEST.json they are refused."""
    d = tmp_path / "demo"
    write_demo(d, scale=0.05, seed=3)
    assert load_data_manifest(d)["synthetic"] is True
    m = json.loads((d / "MANIFEST.json").read_text())
    (d / "MANIFEST.json").write_text(json.dumps({**m, "synthetic": False}))
    with pytest.raises(DataValidationError, match="written by the synthetic demo generator"):
        load_data_manifest(d)
    # a second demo-data over the (relabelled) demo is refused too: only a directory that says it is synthetic,
    # or whose MANIFEST.json was lost while every panel file carries the mark, may be overwritten
    with pytest.raises(DataValidationError, match="refusing to write over"):
        write_demo(d, scale=0.05, seed=3)
    (d / "MANIFEST.json").unlink()
    write_demo(d, scale=0.05, seed=3)
    assert load_data_manifest(d)["synthetic"] is True


# ------------------------------------------------------------------ the command line, in-process

def _delivered(root: Path) -> Path:
    data, _ = build_case(root, {"id": "clean"})
    return data


CLI_CASES = {
    "provinces_comma": (["run", "--provinces", ","], "argument --provinces: names no province (',')"),
    "provinces_empty": (["run", "--provinces", ""], "argument --provinces: names no province ('')"),
    "provinces_spaces": (["run", "--provinces", " , "], "names no province"),
    "verify_provinces_empty": (["verify", "--provinces", ""], "names no province"),
    "scheduler_foo": (["run", "--scheduler", "foo"], "'foo' is neither 'local' nor a scheduler address"),
    "scheduler_no_host": (["run", "--scheduler", "tcp://"], "neither 'local' nor a scheduler address"),
    "scale_zero": (["demo-data", "--scale", "0"], "argument --scale: must be above 0"),
    "scale_negative": (["demo-data", "--scale", "-1"], "argument --scale: must be above 0"),
    "scale_nan": (["demo-data", "--scale", "nan"], "argument --scale: must be above 0"),
    "scale_text": (["demo-data", "--scale", "big"], "argument --scale: expected a number, got 'big'"),
    "seed_negative": (["demo-data", "--seed", "-1"], "argument --seed: must be a whole number from 0 to 4294967295"),
    "seed_30_digits": (["demo-data", "--seed", "1" * 30], "must be a whole number from 0 to 4294967295"),
}


@pytest.mark.parametrize("name", sorted(CLI_CASES))
def test_command_line_arguments(name, tmp_path, capsys, monkeypatch):
    argv, fragment = CLI_CASES[name]
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc_info:
        cli.main(argv)
    assert exc_info.value.code == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
    assert not (tmp_path / "data").exists() and not (tmp_path / "reports").exists()  # nothing was written


def test_demo_data_refuses_a_delivered_directory(tmp_path, capsys):
    data = _delivered(tmp_path)
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    assert cli.main(["demo-data", "--data", str(data), "--scale", "0.05"]) == 2
    err = capsys.readouterr().err
    assert "refusing to write over" in err and "MANIFEST.json does not say the data are synthetic" in err
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == before
    (data / "MANIFEST.json").unlink()     # without a manifest: refused as well
    assert cli.main(["demo", "--data", str(data), "--scale", "0.05", "--provinces", "bac-lieu"]) == 2
    assert "has no MANIFEST.json" in capsys.readouterr().err


def test_reports_path_that_is_a_file(tmp_path, capsys):
    data = _delivered(tmp_path)
    target = tmp_path / "reports.html"
    target.write_text("not a folder")
    assert cli.main(["run", "--data", str(data), "--params", str(tmp_path / "params"),
                     "--reports", str(target), "--provinces", "bac-lieu"]) == 2
    err = capsys.readouterr().err
    assert "the reports path is a file, not a directory" in err and f"file: {target}" in err
    assert target.read_text() == "not a folder"


def test_run_refuses_what_validate_refuses(tmp_path, capsys):
    """The participation-versus-panel check ran in `validate` only; `run` now stops before building."""
    case = next(c for c in CASES if c["id"] == "participation_against_panel_and_more")
    data, params = build_case(tmp_path, case)
    reports = tmp_path / "reports"
    assert cli.main(["validate", "--data", str(data), "--params", str(params)]) == 2
    validate_err = capsys.readouterr().err
    assert cli.main(["run", "--data", str(data), "--params", str(params), "--reports", str(reports),
                     "--provinces", "bac-lieu"]) == 2
    run_err = capsys.readouterr().err
    for fragment in ("firms not found in the enterprise panel", "negative value(s) [-3.0]", "deflator must be positive"):
        assert fragment in validate_err and fragment in run_err
    assert "3 problem(s)" in validate_err and "3 problem(s)" in run_err and "nothing was built" in run_err
    assert not (reports / "manifest.json").exists() and not list(reports.glob("*/*.html"))


# ------------------------------------------------------------------ through the installed command

def _evalutils(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(EVALUTILS), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("command", ["validate", "run"])
def test_named_pipe_does_not_hang(tmp_path, command):
    data, params = build_case(tmp_path, {"id": "fifo", "recipe": "fifo_monitoring"})
    args = [command, "--data", str(data), "--params", str(params)]
    if command == "run":
        args += ["--reports", str(tmp_path / "reports"), "--provinces", "bac-lieu"]
    out = _evalutils(*args, cwd=tmp_path, timeout=60)   # a hang fails here with TimeoutExpired
    assert out.returncode == 2, out.stderr
    assert "the path is a named pipe (FIFO), not a file" in out.stderr and "Traceback" not in out.stderr


def test_reports_on_a_read_only_file_system(tmp_path):
    """A read-only mount (a private mount namespace, as root), else a location no process may write."""
    data, params = build_case(tmp_path, {"id": "clean"})
    ro = tmp_path / "ro"
    ro.mkdir()
    run = [str(EVALUTILS), "run", "--data", str(data), "--params", str(params), "--reports", str(ro / "reports"),
           "--provinces", "bac-lieu"]
    unshare = shutil.which("unshare")
    probe = subprocess.run([unshare, "-m", "true"], capture_output=True) if unshare else None
    if probe is not None and probe.returncode == 0:
        script = f"mount -t tmpfs -o ro,size=1m tmpfs {ro} && exec \"$@\""
        out = subprocess.run([unshare, "-m", "sh", "-c", script, "sh", *run], capture_output=True, text=True,
                             timeout=120)
        expected = "cannot write to the reports directory (the file system is read-only)"
    else:
        out = _evalutils(*run[1:-5], "--reports", "/proc/evalutils-reports", "--provinces", "bac-lieu", cwd=tmp_path)
        expected = "cannot write to the reports directory"
    assert out.returncode == 2, out.stderr
    assert expected in out.stderr and "Traceback" not in out.stderr


@pytest.mark.slow
def test_target_label_with_two_dollar_signs_renders(tmp_path):
    """'US$ 3 bn (up 10%) and US$ 4 bn by 2025' used to break the English report (matplotlib read it as math)."""
    data = write_data_dir(tmp_path / "data", small_demo())
    params = copy_params(tmp_path / "params", ["bac-lieu"])
    label = "US$ 3 bn (up 10%) and US$ 4 bn by 2025"
    path = params / "provinces" / "bac-lieu.yml"
    text = path.read_text(encoding="utf-8")
    first = text.index("label_en:")
    end = text.index("\n", first)
    path.write_text(text[:first] + f'label_en: "{label}"' + text[end:], encoding="utf-8")
    reports = tmp_path / "reports"
    out = _evalutils("run", "--data", str(data), "--params", str(params), "--reports", str(reports),
                     "--provinces", "bac-lieu", "--lang", "en", "--workers", "1", cwd=tmp_path, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + "\n".join(
        line for line in out.stderr.splitlines() if "Warning" not in line and "estimate_tfp_model" not in line)
    html = (reports / "en" / "bac-lieu.html").read_text(encoding="utf-8")
    assert "US$ 3 bn (up 10%) and US$ 4 bn by 2025" in html and "\\$" not in html
    # in JupyterLab (the notebook runs as-is there) MathJax would typeset the label: the table is marked
    scorecard = html[html.index('<div class="tex2jax_ignore mathjax_ignore"><table class="evalutils-scorecard"'):]
    assert label in scorecard[:scorecard.index("</table></div>")]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_national_synthesis_states_where_the_data_come_from(tmp_path, lang):
    """Every report states its data's provenance: the national synthesis printed only the synthetic banner."""
    from evalutils.report import national

    data, params = build_case(tmp_path, {"id": "clean"})
    manifest = json.loads((data / "MANIFEST.json").read_text(encoding="utf-8"))
    html = national.header_html(national.load_national_context(data_dir=data, params_dir=params, lang=lang))
    assert manifest["description"] in html and manifest["delivered"] in html


def test_validate_a_missing_data_directory(tmp_path, capsys):
    params = copy_params(tmp_path / "params", ["bac-lieu"])
    assert cli.main(["validate", "--data", str(tmp_path / "nowhere"), "--params", str(params)]) == 2
    err = capsys.readouterr().err
    assert "1 problem(s) found" in err and "data directory not found" in err and "Traceback" not in err
