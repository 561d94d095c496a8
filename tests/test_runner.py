"""The batch runner: incremental rebuilds from content hashes, the run manifest, failures, interrupted runs,
`verify`, and the same task on a Dask LocalCluster.

These tests execute a tiny notebook of their own (built below) in real kernels, so they test the runner and not
the report, which has its own end-to-end tests; the tiny notebook reads the province's panel partition and
displays a results payload exactly as the real one does.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from evalutils.cli import main
from evalutils.panel.demo import write_demo
from evalutils.render.manifest import RunManifest, diff_payloads, task_inputs
from evalutils.report.payload import RESULTS_MIME
from evalutils.render.runner import ReportTask, clean_stale_partials, extract_results, run_tasks

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

TINY_CELLS = [
    ("code", ["parameters"], 'province = "bac-lieu"\nlang = "en"\ngeography = "pre2025"\ndata_dir = ""\n'
                             'params_dir = ""\ncache_dir = ""\nsleep = 0.0'),
    ("code", [], "import time\nfrom IPython.display import HTML, display\n"
                 "from evalutils.geography import province_codes\nfrom evalutils.panel.io import load_panel\n"
                 "from evalutils.panel.params import load_province_params, province_params_path\n"
                 "time.sleep(float(sleep))\n"
                 "pp = load_province_params(province_params_path(params_dir, province))\n"
                 "panel = load_panel(data_dir, province_codes(geography, province))\n"
                 "display(HTML(f'<h1>{province} ({lang})</h1><p>{len(panel)} firm-years</p>'))"),
    ("code", ["remove-cell"], "va = panel.groupby('year')['value_added'].sum()\n"
                              "payload = {'unit': province, 'lang': lang, 'name_vi': province.upper(), "
                              "'synthetic': True, 'n_targets': len(pp.targets), 'target_status_counts': {'met': 1},"
                              " 'effect': {'estimate': float(va.iloc[-1] / va.iloc[0] - 1), 'conf_low': -1.0, "
                              "'conf_high': 2.0}, 'series': [float(v) for v in va]}\n"
                              f"display({{'{RESULTS_MIME}': payload, 'text/plain': 'results'}}, raw=True)"),
]


def tiny_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    for kind, tags, src in TINY_CELLS:
        cell = nbformat.v4.new_code_cell(src)
        cell.metadata["tags"] = tags
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    base = tmp_path_factory.mktemp("runner")
    data = base / "data"
    write_demo(data, scale=0.2, seed=11)
    params = base / "params"
    shutil.copytree(ROOT / "params", params)
    nb = tiny_notebook(base / "tiny.ipynb")
    return {"data": data, "params": params, "nb": nb, "base": base}


def run_cli(env, reports, *extra, provinces="bac-lieu,khanh-hoa", lang="en"):
    return main(["run", "--data", str(env["data"]), "--params", str(env["params"]), "--reports", str(reports),
                 "--notebook", str(env["nb"]), "--provinces", provinces, "--lang", lang, "--workers", "2", *extra])


def test_incremental_runs_and_manifest(env, tmp_path, capsys):
    reports = tmp_path / "reports"
    assert run_cli(env, reports) == 0
    out = capsys.readouterr().out
    assert "2 to build, 0 unchanged" in out and "built 2, skipped as unchanged 0, failed 0" in out
    m = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    e = m["reports"]["pre2025/en/bac-lieu"]
    assert e["outcome"] == "built" and e["html"] == "en/bac-lieu.html"
    assert (reports / e["html"]).exists() and (reports / e["executed_notebook"]).exists()
    assert set(e["inputs"]) >= {"notebook", "code", "params/defaults.yml", "params/provinces/bac-lieu.yml",
                                "data/enterprise_panel/province_code=95/part-0.parquet", "data/monitoring.csv",
                                "data/participation.csv", "data/deflators.csv", "data/MANIFEST.json"}
    # only its own partition of the panel
    assert not any(k.startswith("data/enterprise_panel/") and "province_code=95" not in k for k in e["inputs"])
    assert e["results"]["unit"] == "bac-lieu" and len(e["results"]["series"]) > 3
    assert e["seed"] == 20200831 and e["packages"]["papermill"] and e["code_version"]
    assert e["seconds"] > 0 and e["started_at"] and e["finished_at"]

    # nothing changed: nothing runs
    html_mtime = (reports / "en" / "khanh-hoa.html").stat().st_mtime_ns
    t0 = time.perf_counter()
    assert run_cli(env, reports) == 0
    assert time.perf_counter() - t0 < 15  # no kernel starts (about 1 s on the development machine)
    assert "built 0, skipped as unchanged 2, failed 0" in capsys.readouterr().out
    assert (reports / "en" / "khanh-hoa.html").stat().st_mtime_ns == html_mtime

    # one province's parameters change: only it is rebuilt
    p = env["params"] / "provinces" / "bac-lieu.yml"
    original = p.read_text(encoding="utf-8")
    try:
        p.write_text(original + "\n# a comment changes the file's hash\n", encoding="utf-8")
        assert run_cli(env, reports) == 0
        out = capsys.readouterr().out
        assert "1 to build, 1 unchanged" in out and "bac-lieu (en) built" in out
        assert (reports / "en" / "khanh-hoa.html").stat().st_mtime_ns == html_mtime
    finally:
        p.write_text(original, encoding="utf-8")

    # --force rebuilds everything; a new language is built, the others are left alone
    assert run_cli(env, reports, "--force", provinces="khanh-hoa") == 0
    assert "built 1, skipped as unchanged 0" in capsys.readouterr().out
    assert run_cli(env, reports, provinces="khanh-hoa", lang="en,vi") == 0
    assert "1 to build, 1 unchanged" in capsys.readouterr().out

    # verify: identical numbers
    assert main(["verify", "--reports", str(reports), "--provinces", "khanh-hoa", "--lang", "en",
                 "--workers", "1"]) == 0
    assert "all 1 report(s) reproduced" in capsys.readouterr().out

    # a number that does not match is listed and the exit code is non-zero
    m = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    m["reports"]["pre2025/en/khanh-hoa"]["results"]["series"][0] += 1e-9
    (reports / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    assert main(["verify", "--reports", str(reports), "--provinces", "khanh-hoa", "--lang", "en",
                 "--workers", "1"]) == 1
    out = capsys.readouterr().out
    assert "pre2025/en/khanh-hoa" in out and "series[0]: was" in out

    # asking for PDF too is a change of output formats: the report is rebuilt with its PDF beside the HTML
    assert run_cli(env, reports, "--pdf", provinces="khanh-hoa") == 0
    assert "1 to build, 0 unchanged" in capsys.readouterr().out
    assert (reports / "en" / "khanh-hoa.pdf").read_bytes().startswith(b"%PDF")
    assert RunManifest(reports).reports["pre2025/en/khanh-hoa"]["pdf"] == "en/khanh-hoa.pdf"

    # `open` prints the path (no browser in tests)
    assert main(["open", "Khánh Hòa", "--lang", "en", "--reports", str(reports), "--no-browser"]) == 0
    assert capsys.readouterr().out.strip() == str((reports / "en" / "khanh-hoa.html").resolve())
    assert main(["open", "bac-lieu", "--lang", "vi", "--reports", str(reports), "--no-browser"]) == 2
    assert "evalutils run --provinces bac-lieu --lang vi" in capsys.readouterr().err


def test_failed_report_is_recorded_and_retried(env, tmp_path, capsys):
    reports = tmp_path / "reports"
    params = tmp_path / "params"
    shutil.copytree(env["params"], params)
    bad = params / "provinces" / "ca-mau.yml"
    bad.write_text(bad.read_text(encoding="utf-8") + "colour: red\n", encoding="utf-8")
    args = ["run", "--data", str(env["data"]), "--params", str(params), "--reports", str(reports),
            "--notebook", str(env["nb"]), "--provinces", "ca-mau,bac-lieu", "--lang", "en", "--workers", "2"]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "built 1, skipped as unchanged 0, failed 1" in out
    assert "FAILED ca-mau (en): ParameterError" in out and "failed notebook saved at" in out
    e = RunManifest(reports).reports["pre2025/en/ca-mau"]
    assert e["outcome"] == "failed" and e["failed_notebook"] == "_failed/ca-mau-en.ipynb"
    assert (reports / e["failed_notebook"]).exists() and "unknown key 'colour'" in e["error"]
    # the next run retries the failed report only
    assert main(args) == 1
    assert "1 to build, 1 unchanged" in capsys.readouterr().out
    assert not [f for f in reports.rglob("*") if ".partial" in f.name]


def _built(reports: Path) -> set[str]:
    if not (reports / "manifest.json").exists():
        return set()
    return {k for k, e in RunManifest(reports).reports.items() if e["outcome"] == "built"}


def _start_and_stop(cmd, reports: Path, sig: int) -> tuple[int, str, set[str]]:
    """Start a run, let one more report finish and the next one start, then send ``sig`` to the whole run."""
    before = _built(reports)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.time() + 120
    try:
        while time.time() < deadline and len(_built(reports)) == len(before):
            time.sleep(0.1)
        assert len(_built(reports)) > len(before), "no report finished"
        time.sleep(1.0)  # the next reports are executing
    finally:
        os.killpg(proc.pid, sig)
        out, _ = proc.communicate(timeout=60)
    return proc.returncode, out, _built(reports)


def test_interrupted_and_killed_runs_leave_no_partial_file_and_resume(env, tmp_path):
    reports = tmp_path / "reports"
    provinces = "bac-lieu,khanh-hoa,quang-nam,quang-ninh,an-giang,ca-mau"
    n = 6
    cmd = [str(Path(sys.executable).with_name("evalutils")), "run", "--data", str(env["data"]),
           "--params", str(env["params"]), "--reports", str(reports), "--notebook", str(env["nb"]),
           "--provinces", provinces, "--lang", "en"]

    def visible_partials():
        return [f for f in reports.rglob("*") if "partial" in f.name and not f.name.startswith(".")]

    # Ctrl-C (SIGINT to the process group) on a parallel run: it stops promptly, keeps what finished
    t0 = time.time()
    rc, out, built = _start_and_stop(cmd + ["--workers", "2"], reports, signal.SIGINT)
    assert rc == 130 and "interrupted" in out, out
    assert 1 <= len(built) < n - 1 and time.time() - t0 < 120, (built, out)
    assert not [f for f in reports.rglob("*") if ".partial" in f.name]  # the workers cleaned up
    assert {f.stem for f in (reports / "en").glob("*.html")} >= {k.rsplit("/", 1)[1] for k in built}

    # SIGKILL of everything (no chance to clean up) in the middle of the next report
    rc, _, built2 = _start_and_stop(cmd + ["--workers", "1"], reports, signal.SIGKILL)
    assert rc == -signal.SIGKILL and len(built) < len(built2) <= n, (built, built2)
    assert not visible_partials()

    # the next run builds only what is missing and removes the dead run's temporary files
    res = subprocess.run(cmd + ["--workers", "2"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"built {n - len(built2)}, skipped as unchanged {len(built2)}, failed 0" in res.stdout, res.stdout
    assert not [f for f in reports.rglob("*") if ".partial" in f.name]


def test_dask_local_cluster_runs_the_same_task(env, tmp_path):
    pytest.importorskip("distributed")
    tasks = [ReportTask(p, "en", env["data"], env["params"], tmp_path, notebook=env["nb"])
             for p in ("bac-lieu", "khanh-hoa")]
    seen = []
    outcomes = run_tasks(tasks, workers=2, scheduler="local", on_done=seen.append)
    assert [o.ok for o in outcomes] == [True, True], [o.error for o in outcomes]
    assert len(seen) == 2
    assert [o.results["unit"] for o in outcomes] == ["bac-lieu", "khanh-hoa"]
    assert outcomes[0].task == tasks[0] and (tmp_path / "en" / "khanh-hoa.html").exists()


# ------------------------------------------------------------------ fast unit tests (no kernel)

def test_diff_payloads():
    a = {"x": 1.0, "l": [1, 2.5], "d": {"k": "v"}, "n": None}
    assert diff_payloads(a, json.loads(json.dumps(a))) == []
    b = {"x": 1.0000000001, "l": [1, 2.5, 3], "d": {}, "n": None, "new": 1}
    diffs = diff_payloads(a, b)
    assert any(d.startswith("x: was 1.0") for d in diffs)
    assert any(d.startswith("l: 2 items") for d in diffs)
    assert any(d.startswith("d.k: was 'v', now missing") for d in diffs)
    assert any(d.startswith("new: missing in the manifest") for d in diffs)
    assert diff_payloads({"a": 1}, {"a": 1.0}) == []
    assert diff_payloads({"a": True}, {"a": 1}) != []


def test_inputs_cover_the_unit_partitions_for_2025_units(env):
    task = ReportTask("ca-mau", "en", env["data"], env["params"], Path("/nonexistent"), notebook=env["nb"],
                      geography="2025")
    inputs = task_inputs(task)
    parts = sorted(k for k in inputs if k.startswith("data/enterprise_panel/"))
    assert [p.split("/")[2] for p in parts] == ["province_code=95", "province_code=96"]  # Bạc Liêu + Cà Mau
    assert {"params/provinces/bac-lieu.yml", "params/provinces/ca-mau.yml"} <= set(inputs)
    national = task_inputs(ReportTask("national", "en", env["data"], env["params"], Path("/nonexistent"),
                                      notebook=env["nb"], geography="national", pdf=True))
    assert len([k for k in national if k.startswith("params/provinces/")]) == 63
    assert national["formats"] == "html+pdf" and inputs["formats"] == "html"


def test_stale_partials_of_dead_processes_are_removed(tmp_path):
    import socket

    host = socket.gethostname().replace(".", "_").replace("-", "_")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / "en").mkdir()
    stale = tmp_path / "en" / f".a.html.{host}-{dead.pid}-0123456789ab.partial"
    live = tmp_path / "en" / f".b.html.{host}-{os.getpid()}-0123456789ab.partial"
    other_host = tmp_path / "en" / f".c.html.otherhost-{dead.pid}-0123456789ab.partial"
    for f in (stale, live, other_host):
        f.write_text("x")
    assert clean_stale_partials(tmp_path) == [stale]
    assert live.exists() and other_host.exists()


def test_extract_results_takes_the_payload_and_nulls_nan():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "x"}),
                    nbformat.v4.new_output("display_data", data={RESULTS_MIME: {"a": float("nan"), "b": [1.5]},
                                                                 "text/plain": "r"})]
    nb.cells.append(cell)
    assert extract_results(nb) == {"a": None, "b": [1.5]}
    assert extract_results(nbformat.v4.new_notebook()) is None


def test_a_second_run_on_the_same_reports_stops_with_a_clear_error(env, tmp_path, capsys):
    from evalutils.render.manifest import LOCK_NAME, run_lock

    reports = tmp_path / "reports"
    with run_lock(reports):  # another run holds the directory
        assert run_cli(env, reports, provinces="bac-lieu") == 2
        err = capsys.readouterr().err
        assert "another evalutils run is writing to" in err and f"pid {os.getpid()}" in err
        assert "--reports" in err
        assert not (reports / "manifest.json").exists()  # it wrote nothing
    assert (reports / LOCK_NAME).exists()
    assert run_cli(env, reports, provinces="bac-lieu") == 0  # released when the holder is done
    assert "built 1" in capsys.readouterr().out


def test_only_a_kernel_that_never_started_is_retried():
    from evalutils.render.runner import _kernel_start_failure

    # jupyter_client's message when the kernel process dies at start (e.g. a TCP port taken under it)
    assert _kernel_start_failure(RuntimeError("Kernel died before replying to kernel_info"))
    assert not _kernel_start_failure(RuntimeError("Kernel didn't respond in 60 seconds"))
    assert not _kernel_start_failure(RuntimeError("DataValidationError in cell 4: ..."))
