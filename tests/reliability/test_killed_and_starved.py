"""Faults of a whole ``evalutils run`` (issue 16): a SIGKILLed run, a full disk, a real Dask cluster losing a
worker, ``verify`` on a ``--pdf`` build, and the run options that make no sense.

Every test starts the installed ``evalutils`` command as a separate process on 2 provinces with the small fault
notebook (``notebooks/fault.ipynb``: ``<data>/<province>.mode`` says how it behaves, ``<data>/started/`` receives a
mark from every kernel) instead of the real report notebook, so that the timing of the fault is controlled and
the test stays short; the runner, the pool or the Dask cluster, papermill, nbconvert, pandoc and Typst are real.

The invariant checked after every fault: the files published under the reports folder are exactly those the
manifest records as built, no temporary file is left, and the next plain run repairs everything.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from evalutils.panel.demo import write_demo

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = Path(__file__).parent / "notebooks" / "fault.ipynb"
BIN = Path(sys.executable).parent
EVALUTILS = BIN / "evalutils"
PROVINCES = ("bac-lieu", "ca-mau")


# ------------------------------------------------------------------ helpers

@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """Demo data, and the national aggregates a run computes first (kept to be copied into each reports folder)."""
    base = tmp_path_factory.mktemp("killed")
    data = base / "data"
    write_demo(data, scale=0.05, seed=11)
    first = base / "first-run"
    res = _cli("run", "--data", data, "--reports", first, "--provinces", PROVINCES[0], "--lang", "en",
               "--workers", "1", "--notebook", NOTEBOOK)
    assert res.returncode == 0, res.stdout + res.stderr
    return {"data": data, "cache": first / ".cache"}


def _reports(setup, tmp_path: Path, where: Path | None = None) -> Path:
    reports = where or tmp_path / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    if setup["cache"].exists():
        shutil.copytree(setup["cache"], reports / ".cache", dirs_exist_ok=True)
    return reports


def _args(data: Path, reports: Path, *extra) -> list[str]:
    return ["run", "--data", str(data), "--reports", str(reports), "--notebook", str(NOTEBOOK),
            "--provinces", ",".join(PROVINCES), *map(str, extra)]


def _cli(*args, env=None, timeout=300, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(EVALUTILS), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env=env, **kw)


def _set_modes(data: Path, mode: str) -> Path:
    for p in PROVINCES:
        (data / f"{p}.mode").write_text(mode)
    started = data / "started"
    shutil.rmtree(started, ignore_errors=True)
    started.mkdir()
    return started


def _manifest(reports: Path) -> dict:
    path = reports / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8"))["reports"] if path.exists() else {}


def _recorded(reports: Path) -> set[str]:
    """Files the manifest says were built."""
    out = set()
    for e in _manifest(reports).values():
        if e["outcome"] == "built":
            out |= {e[k] for k in ("html", "pdf", "executed_notebook") if e.get(k)}
    return out


def _published(reports: Path) -> set[str]:
    """Report files a reader finds (HTML, PDF, executed notebooks; not the saved failures, site or cache)."""
    return {f.relative_to(reports).as_posix() for f in reports.rglob("*")
            if f.suffix in (".html", ".pdf", ".ipynb") and f.is_file() and not f.name.startswith(".")
            and f.relative_to(reports).parts[0] not in ("_failed", "site", ".cache")}


def _partials(reports: Path) -> list[Path]:
    return [f for f in reports.rglob("*") if ".partial" in f.name]


def _wait(condition, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds} s for {what}")


def _processes_with(marker: str) -> list[str]:
    """Processes (pid and command line) whose environment holds ``marker``: a run and all it started."""
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == os.getpid():
            continue
        try:
            if marker.encode() in (d / "environ").read_bytes():
                cmdline = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{d.name}: {cmdline[:200]}")
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def _scratch_of(pids: set[int]) -> list[Path]:
    host = socket.gethostname().replace(".", "_").replace("-", "_")
    return [d for d in Path(tempfile.gettempdir()).glob(f"evalutils-*-{host}-*")
            if d.name.split("-")[3].isdigit() and int(d.name.split("-")[3]) in pids]


# ------------------------------------------------------------------ SIGKILL

@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc to find a run's processes")
def test_a_sigkilled_run_leaves_no_process_and_publishes_nothing_unrecorded(setup, tmp_path):
    data, reports = setup["data"], _reports(setup, tmp_path)
    started = _set_modes(data, "slow:2")
    marker = f"EVALUTILS_FAULT_TEST_{uuid.uuid4().hex}"
    env = {**os.environ, marker: "1"}
    proc = subprocess.Popen([str(EVALUTILS), *_args(data, reports, "--lang", "vi,en", "--pdf", "--workers", "2")],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        # one report recorded and the next ones executing: kill the run, not its workers
        _wait(lambda: len(_recorded(reports)) >= 3 and len(list(started.iterdir())) >= 3, 180,
              "one report built and the next two started")
        proc.kill()
        proc.wait(timeout=30)
        killed_workers = {int(f.suffix[1:]) for f in started.iterdir()}
        # the pool workers, their kernels, the fork server and the resource tracker all end by themselves
        _wait(lambda: not _processes_with(marker), 30, "the killed run's processes to end")
    finally:
        leftovers = _processes_with(marker)
        for line in leftovers:  # never leave them to the next test
            os.kill(int(line.split(":")[0]), signal.SIGKILL)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert not leftovers
    time.sleep(3)  # longer than the reports' cells: a surviving worker would have published by now
    published = _published(reports)
    assert published == _recorded(reports), "files published that the manifest does not record (or the reverse)"
    assert 3 <= len(published) < 12, published                  # some, not all, of 2 × 2 reports × 3 files
    assert not _partials(reports)

    # the next plain run builds only what is missing and removes what the killed run left in the temp folder
    _set_modes(data, "ok")
    res = _cli(*_args(data, reports, "--lang", "vi,en", "--pdf", "--workers", "2"))
    assert res.returncode == 0, res.stdout + res.stderr
    n_before = len(published) // 3
    summary = re.search(r"built (\d+), skipped as unchanged (\d+), failed 0", res.stdout)
    assert summary, res.stdout
    # the killed run's finished reports are skipped (unless an input, such as the code, changed meanwhile)
    assert int(summary[1]) + int(summary[2]) == 4 and int(summary[2]) <= n_before, res.stdout
    assert _published(reports) == _recorded(reports) and len(_recorded(reports)) == 12
    assert not _partials(reports)
    assert not _scratch_of(killed_workers | {proc.pid})


# ------------------------------------------------------------------ full disk

def _mount_tmpfs(where: Path, size: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    where.mkdir(parents=True, exist_ok=True)
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    return res.returncode == 0


def _fill(folder: Path, leave: int) -> None:
    """Fill the file system of ``folder`` up to ``leave`` free bytes."""
    reserve = folder / "reserve"
    reserve.write_bytes(b"\0" * leave)
    with open(folder / f"filler-{uuid.uuid4().hex}", "wb", buffering=0) as fh:
        for chunk in (65536, 4096, 1):
            try:
                while True:
                    fh.write(b"\0" * chunk)
            except OSError:
                pass
    reserve.unlink()


def test_a_full_disk_is_reported_publishes_nothing_partial_and_the_next_run_repairs(setup, tmp_path):
    """With root (CI, this container): a real full disk, a 6 MB tmpfs mounted as the reports folder.
    Otherwise: the run's file-size limit (RLIMIT_FSIZE) makes the large writes fail the same way."""
    data = setup["data"]
    mnt = tmp_path / "disk"
    on_tmpfs = _mount_tmpfs(mnt, "6m")
    try:
        reports = _reports(setup, tmp_path, mnt / "reports")
        _set_modes(data, "ok")
        args = _args(data, reports, "--lang", "en", "--pdf", "--workers", "1")
        first = _cli(*args)
        assert first.returncode == 0, first.stdout + first.stderr
        html = reports / "en" / f"{PROVINCES[0]}.html"
        before = {p: (reports / p).read_bytes() for p in _recorded(reports)}
        # an earlier run killed while saving the manifest, rendering a PDF and writing a report
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        host = socket.gethostname().replace(".", "_").replace("-", "_")
        stale = [reports / f".manifest.json.{dead.pid}-{uuid.uuid4().hex}.partial",
                 reports / "en" / f".{html.name}.{host}-{dead.pid}-0123456789ab.partial",
                 reports / "site" / "en" / f".index.html.{dead.pid}-{uuid.uuid4().hex}.partial"]
        for f in stale:
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text("half")
        stale_scratch = Path(tempfile.gettempdir()) / f"evalutils-pdf-{host}-{dead.pid}-x1y2z3"
        stale_scratch.mkdir()
        (stale_scratch / "report.typ").write_text("half")

        if on_tmpfs:
            _fill(mnt, leave=64 * 1024)  # room for the manifest, not for a 260 kB report
            res = _cli(*args, "--force")
            expected = "disk full writing"
        else:
            limit = 64 * 1024
            res = _cli(*args, "--force", preexec_fn=lambda: _fsize_limit(limit))
            expected = "file size limit exceeded (ulimit -f) writing"
        out = res.stdout + res.stderr
        assert res.returncode == 1, out
        assert expected in out and "Traceback" not in out, out
        assert f"FAILED {PROVINCES[0]} (en)" in out and f"FAILED {PROVINCES[1]} (en)" in out, out
        assert not any(f.exists() for f in stale) and not stale_scratch.exists()
        assert not _partials(reports)
        # the manifest is whole, says why the reports failed, and still points to the previous good ones
        entries = _manifest(reports)
        assert all(e["outcome"] == "failed" and expected in e["error"] for e in entries.values()), entries
        assert {e["last_built"]["html"] for e in entries.values()} == {f"en/{p}.html" for p in PROVINCES}
        assert all((reports / p).read_bytes() == content for p, content in before.items())
        assert _published(reports) == set(before)

        if on_tmpfs:  # not even room for the manifest: the run says so, the previous manifest stays whole
            saved = (reports / "manifest.json").read_bytes()
            _fill(mnt, leave=0)
            full = _cli(*args, "--force")
            out = full.stdout + full.stderr
            assert full.returncode == 2 and "Traceback" not in out, out
            assert f"the run manifest could not be saved: disk full writing {reports / 'manifest.json'}" in out, out
            assert (reports / "manifest.json").read_bytes() == saved
            assert all((reports / p).read_bytes() == content for p, content in before.items())
            assert not _partials(reports)

        # room again: the next plain run rebuilds both and the manifest records them
        for f in mnt.glob("filler*"):
            f.unlink()
        again = _cli(*args)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "built 2, skipped as unchanged 0, failed 0" in again.stdout, again.stdout
        assert _published(reports) == _recorded(reports) == set(before)
        assert not _partials(reports)
    finally:
        if on_tmpfs:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fsize_limit(limit: int) -> None:
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


# ------------------------------------------------------------------ verify a --pdf build

def test_verify_reproduces_a_pdf_build(setup, tmp_path):
    data, reports = setup["data"], _reports(setup, tmp_path)
    _set_modes(data, "ok")
    built = _cli(*_args(data, reports, "--lang", "en", "--pdf", "--workers", "2"))
    assert built.returncode == 0, built.stdout + built.stderr
    assert all(e["parameters"]["pdf"] and e["inputs"]["formats"] == "html+pdf" for e in _manifest(reports).values())
    res = _cli("verify", "--reports", reports, "--workers", "2")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "DIFFERS" not in res.stdout and res.stdout.count(": identical") == 2, res.stdout
    assert "all 2 report(s) reproduced" in res.stdout
    # and it still says when a number differs
    (data / f"{PROVINCES[0]}.mode").write_text("slow:0")
    res = _cli("verify", "--reports", reports, "--provinces", PROVINCES[0], "--lang", "en", "--workers", "1")
    assert res.returncode == 1 and "DIFFERS" in res.stdout and "mode: was 'ok', now 'slow:0'" in res.stdout, \
        res.stdout


# ------------------------------------------------------------------ options

@pytest.mark.parametrize("option", [("--timeout", "0"), ("--timeout", "-5"), ("--timeout", "1.5"),
                                    ("--workers", "-2"), ("--workers", "two")])
def test_run_options_that_make_no_sense_are_refused(option, tmp_path):
    from evalutils.cli import main

    for command in ("run", "verify"):
        with pytest.raises(SystemExit) as exc:
            main([command, "--reports", str(tmp_path / "r"), *option])
        assert exc.value.code == 2
    assert not (tmp_path / "r").exists()


def test_run_option_errors_say_what_is_allowed(capsys):
    from evalutils.cli import main

    with pytest.raises(SystemExit):
        main(["run", "--timeout", "0"])
    assert "--timeout: must be at least 1 second, got 0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["run", "--workers", "-2"])
    assert "--workers: must be 0 (all cores) or a positive number of processes, got -2" in capsys.readouterr().err


# ------------------------------------------------------------------ a real Dask cluster

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_dask_cluster_losing_a_worker_mid_report_loses_nothing(setup, tmp_path):
    pytest.importorskip("distributed")
    from distributed import Client

    data, reports = setup["data"], _reports(setup, tmp_path)
    started = _set_modes(data, "slow:3")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs: dict[str, subprocess.Popen] = {}
    logs = tmp_path / "logs"
    logs.mkdir()

    def start(name: str, *cmd: str, cwd: Path) -> None:
        cwd.mkdir(parents=True, exist_ok=True)
        with open(logs / f"{name}.log", "wb") as log:
            procs[name] = subprocess.Popen([str(BIN / "dask"), *cmd], cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                           start_new_session=True)

    try:
        start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard",
              cwd=tmp_path / "scheduler")
        for name in ("worker-1", "worker-2"):  # each in its own working directory, no nanny to restart it
            start(name, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--name", name,
                  "--local-directory", str(tmp_path / name / "scratch"), cwd=tmp_path / name)
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=90)
        run = subprocess.Popen([str(EVALUTILS), *_args(data, reports, "--lang", "en", "--workers", "2",
                                                       "--scheduler", address)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # kill the worker whose kernel is executing a report (its pid is the kernel's parent)
        _wait(lambda: any(started.iterdir()), 120, "a report to start on a Dask worker")
        mark = sorted(started.iterdir())[0]
        victim = int(mark.suffix[1:])
        victim_report = mark.stem.rsplit("-", 1)[0]
        assert victim in {p.pid for p in procs.values()}, (victim, {k: p.pid for k, p in procs.items()})
        os.kill(victim, signal.SIGKILL)
        out, _ = run.communicate(timeout=180)
    finally:
        for p in procs.values():
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=30)
    assert run.returncode == 0, out
    assert "Traceback" not in out, out
    entries = _manifest(reports)
    assert set(entries) == {f"pre2025/en/{p}" for p in PROVINCES}, out          # every report recorded
    lost = entries[f"pre2025/en/{victim_report}"]
    print(f"the report of the killed worker {victim}: {lost['outcome']} on {lost['worker']} {lost['error'] or ''}")
    # the scheduler gave the lost report to the other worker (after distributed.scheduler.allowed-failures
    # losses it would be recorded as failed with KilledWorker instead): it ran twice and was built once
    assert lost["outcome"] == "built", lost
    assert not lost["worker"].endswith(f":{victim}")
    assert len([f for f in started.iterdir() if f.stem.startswith(victim_report)]) == 2
    other = entries[f"pre2025/en/{next(p for p in PROVINCES if p != victim_report)}"]
    assert other["outcome"] == "built", other
    assert _published(reports) == _recorded(reports)                            # nothing half-written
    assert not _partials(reports)
    assert procs["scheduler"].returncode is not None                            # torn down
