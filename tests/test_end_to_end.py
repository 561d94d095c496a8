"""End to end: papermill executes the real notebook in a real kernel; nbconvert renders HTML."""

import json
import re
from pathlib import Path

import nbformat
import pytest

from evalutils.cli import main
from evalutils.i18n import t
from evalutils.panel.demo import write_demo
from evalutils.render.runner import DEFAULT_NOTEBOOK, ReportTask, run_task

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    write_demo(d, scale=0.2, seed=11)
    return d


def test_notebook_is_clean_in_git():
    nb = nbformat.read(DEFAULT_NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1


def test_province_report_executes_and_renders(data_dir, tmp_path):
    task = ReportTask("khanh-hoa", "vi", data_dir, ROOT / "params", tmp_path)
    out = run_task(task)
    assert out.ok, out.error
    html = out.html.read_text(encoding="utf-8")
    # synthetic banner, Vietnamese title with diacritics, scorecard with the plan's words, a figure
    assert "DỮ LIỆU MINH HỌA TỔNG HỢP" in html
    assert "Khánh Hòa" in html and "Bảng theo dõi chỉ tiêu" in html
    assert "Đào tạo 10 - 15 chuyên gia NSCL trong tỉnh" in html
    assert len(re.findall(r"<img[^>]+src=\"data:image/png;base64,", html)) >= 1
    # this small demo gives Khánh Hòa 9 supported firms, one fewer than defaults.yml asks for: no effect is
    # estimated and the report says why (tests/test_report.py covers a unit where every estimator runs)
    assert out.results["n_supported"] == 9 and out.results["effects"] == {} and out.results["effect"] is None
    reason = t("reason_few_supported", "vi", n=9, k=10)
    assert t("effect_unavailable", "vi", reason=reason) in html
    # no code, no injected parameters, no firm ids, no local paths
    assert "import evalutils" not in html and "injected-parameters" not in html
    assert str(data_dir) not in html
    assert not re.search(r"DN\d{7}", html)
    executed = nbformat.read(task.executed_path, as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)


def test_failing_province_does_not_stop_others(data_dir, tmp_path, capsys):
    params = tmp_path / "params"
    (params / "provinces").mkdir(parents=True)
    (params / "defaults.yml").write_text((ROOT / "params" / "defaults.yml").read_text(encoding="utf-8"))
    (params / "sources.yml").write_text((ROOT / "params" / "sources.yml").read_text(encoding="utf-8"))
    for slug in ("bac-lieu", "ca-mau"):
        (params / "provinces" / f"{slug}.yml").write_text(
            (ROOT / "params" / "provinces" / f"{slug}.yml").read_text(encoding="utf-8"), encoding="utf-8")
    # break Ca Mau's parameter file: an unknown key
    p = params / "provinces" / "ca-mau.yml"
    p.write_text(p.read_text(encoding="utf-8") + "colour: red\n", encoding="utf-8")
    rc = main(["run", "--data", str(data_dir), "--params", str(params), "--reports", str(tmp_path / "r"),
               "--provinces", "bac-lieu,ca-mau", "--lang", "en", "--workers", "2"])
    out = capsys.readouterr().out
    assert rc == 1
    assert (tmp_path / "r" / "en" / "bac-lieu.html").exists()
    assert not (tmp_path / "r" / "en" / "ca-mau.html").exists()
    assert "FAILED ca-mau (en): ParameterError" in out and "unknown key 'colour'" in out
    failed = tmp_path / "r" / "_failed" / "ca-mau-en.ipynb"
    assert failed.exists() and "failed notebook saved at" in out
    assert not list((tmp_path / "r").rglob("*.partial*"))


def test_report_for_a_2025_unit_pools_its_old_provinces(data_dir, tmp_path):
    task = ReportTask("ca-mau", "en", data_dir, ROOT / "params", tmp_path, geography="2025")
    out = run_task(task)
    assert out.ok, out.error
    assert out.html == tmp_path / "en" / "units-2025" / "ca-mau.html"
    html = out.html.read_text(encoding="utf-8")
    assert "made of the former provinces: Bac Lieu, Ca Mau" in html  # named in the report's language
    # Bạc Liêu's plan is scored; Cà Mau has none entered and the report says so
    assert "góp phần đạt mục tiêu tăng năng suất lao động bình quân trên 7%/năm" in html
    assert "params/provinces/ca-mau.yml" in html


def test_cli_validate_and_help(data_dir, capsys):
    assert main(["validate", "--data", str(data_dir), "--params", str(ROOT / "params")]) == 0
    out = capsys.readouterr().out
    assert "parameters OK: 63 province files, 35 targets" in out and "data OK:" in out
    assert main(["validate", "--data", str(data_dir / "nowhere"), "--params", str(ROOT / "params")]) == 2
    err = capsys.readouterr().err
    assert "1 problem(s) found" in err and "data directory not found" in err


def test_the_data_directory_is_only_read(data_dir, tmp_path):
    """A run writes its caches beside the reports: the delivered data stay exactly as they were (even when the
    data directory could be written, as it can by root)."""
    import os
    import shutil
    import stat

    data = tmp_path / "data"
    shutil.copytree(data_dir, data, ignore=shutil.ignore_patterns("derived"))

    def snapshot():
        return sorted((str(p.relative_to(data)), p.stat().st_size, p.stat().st_mtime_ns) for p in data.rglob("*"))

    before = snapshot()
    for p in [data, *data.rglob("*")]:
        os.chmod(p, p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        rc = main(["run", "--data", str(data), "--params", str(ROOT / "params"), "--reports", str(tmp_path / "r"),
                   "--provinces", "bac-lieu", "--lang", "en", "--workers", "1"])
    finally:
        for p in [data, *data.rglob("*")]:
            os.chmod(p, p.stat().st_mode | stat.S_IWUSR)
    assert rc == 0
    assert snapshot() == before
    assert (tmp_path / "r" / "en" / "bac-lieu.html").exists()
    cache = tmp_path / "r" / ".cache"
    assert list(cache.glob("national-*.parquet")) and list((cache / "effects").glob("pre2025-bac-lieu-*.json"))
    assert not list(cache.rglob("*.pkl"))
