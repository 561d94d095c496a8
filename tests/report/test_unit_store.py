"""What a province report computes from the data is stored by data key (code, data files, settings, analysis
choices), so that a report whose plan alone changed reads none of the panel and prints the same tables; any change
of the data, the settings or the choices computes them again."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import evalutils.report.province as report
from evalutils.panel.demo import write_demo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("store") / "data"
    write_demo(d, scale=0.3, seed=11)
    return d


@pytest.fixture()
def params_dir(tmp_path):
    d = tmp_path / "params"
    shutil.copytree(ROOT / "params", d)
    return d


def _report(ctx) -> str:
    """Every section of the province notebook, as text (figures' data included), and its payload."""
    ev = report.evaluate(ctx)
    trend, tfp = report.productivity_trend(ctx), report.tfp_trend(ctx)
    parts = [report.header_html(ctx), report.key_findings_html(ctx, ev), report.plans_html(ctx),
             report.scorecard_html(ctx), report.landscape_html(ctx), report.trend_html(ctx, trend), trend.to_csv(),
             report.tfp_html(ctx, tfp), tfp.to_csv(), report.growth_accounting_html(ctx), report.support_html(ctx),
             report.effects_html(ctx, ev), report.by_type_html(ctx, ev), report.limitations_html(ctx, ev),
             report.methods_html(ctx, ev), json.dumps(report.results_payload(ctx, ev), sort_keys=True, default=str)]
    return "\n".join(parts)


def _ctx(data_dir, params_dir, cache_dir, lang="en", province="bac-lieu", **analysis):
    return report.load_province_context(province, data_dir=data_dir, params_dir=params_dir, lang=lang,
                                        cache_dir=cache_dir, analysis=analysis or None)


@pytest.mark.parametrize("analysis", [{}, {"covariates": ["log_employment"], "sample": {"ownership": ["private"]}}])
def test_a_second_report_reads_no_panel_and_prints_the_same(data_dir, params_dir, tmp_path, analysis):
    cache = tmp_path / "cache"
    fresh = _ctx(data_dir, params_dir, None, **analysis)  # no cache directory: everything computed here
    expected = _report(fresh)
    assert fresh.data_loaded
    first = _ctx(data_dir, params_dir, cache, **analysis)
    assert not first.warm and first.data_loaded  # cold: read and validated at once (errors at the first cell)
    assert _report(first) == expected
    assert first.warm
    again = _ctx(data_dir, params_dir, cache, **analysis)
    assert again.warm
    assert _report(again) == expected
    assert not again.data_loaded  # every table came from the store
    # the other language reads the same stored tables and prints what a fresh context prints
    vi = _ctx(data_dir, params_dir, cache, lang="vi", **analysis)
    assert _report(vi) == _report(_ctx(data_dir, params_dir, None, lang="vi", **analysis))
    assert not vi.data_loaded


def test_a_target_change_is_printed_without_reading_the_panel(data_dir, params_dir, tmp_path):
    cache = tmp_path / "cache"
    before = _ctx(data_dir, params_dir, cache)
    _report(before)
    old_scorecard = report.scorecard_html(before)
    path = params_dir / "provinces" / "bac-lieu.yml"
    text = path.read_text(encoding="utf-8")
    assert "    value: 2\n" in text
    path.write_text(text.replace("    value: 2\n", "    value: 7\n", 1), encoding="utf-8")
    changed = _ctx(data_dir, params_dir, cache)
    assert changed.warm  # the plan is not in the data key
    html = _report(changed)
    assert not changed.data_loaded
    assert html == _report(_ctx(data_dir, params_dir, None))  # the new target, as a fresh build prints it
    assert report.scorecard_html(changed) != old_scorecard  # and the change is there


def test_data_settings_and_choices_are_in_the_key(data_dir, params_dir, tmp_path):
    cache = tmp_path / "cache"
    base = _ctx(data_dir, params_dir, cache)
    _report(base)
    assert _ctx(data_dir, params_dir, cache).data_key == base.data_key
    # another analysis choice
    assert not _ctx(data_dir, params_dir, cache, control_group="not_yet_treated").warm
    # another setting of defaults.yml (the disclosure threshold changes suppressed cells)
    defaults = params_dir / "defaults.yml"
    text = defaults.read_text(encoding="utf-8")
    assert "min_firms_per_cell: 3" in text
    defaults.write_text(text.replace("min_firms_per_cell: 3", "min_firms_per_cell: 4"), encoding="utf-8")
    assert not _ctx(data_dir, params_dir, cache).warm
    defaults.write_text(text, encoding="utf-8")
    assert _ctx(data_dir, params_dir, cache).warm
    # new data: a copy of the data directory with one byte of the participation table changed
    other = tmp_path / "data"
    shutil.copytree(data_dir, other)
    part = other / "participation.csv"
    assert part.is_file()
    stat = part.stat()
    body = part.read_bytes()
    part.write_bytes(body.replace(b"2022", b"2023", 1))
    os.utime(part, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the old modification time
    changed = _ctx(other, params_dir, cache)
    assert not changed.warm and changed.data_key != _ctx(data_dir, params_dir, cache).data_key


def test_a_damaged_stored_table_is_computed_again(data_dir, params_dir, tmp_path):
    cache = tmp_path / "cache"
    expected = _report(_ctx(data_dir, params_dir, cache))
    (trend,) = (cache / "units").glob("pre2025-bac-lieu-trend-*.json")
    trend.write_text("{not json", encoding="utf-8")
    again = _ctx(data_dir, params_dir, cache)
    assert _report(again) == expected
    assert again.data_loaded  # the trend was rebuilt from the panel
    assert json.loads(trend.read_text(encoding="utf-8"))["key"] == again.data_key


def _cli_run(data_dir: Path, params_dir: Path, reports: Path) -> None:
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "evalutils.cli", "run", "--data", str(data_dir), "--params",
                          str(params_dir), "--reports", str(reports), "--provinces", "bac-lieu", "--lang", "vi",
                          "--workers", "1"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]


def _built(reports: Path) -> tuple[dict, str]:
    import re

    entry = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))["reports"]["pre2025/vi/bac-lieu"]
    html = (reports / entry["html"]).read_text(encoding="utf-8")
    # the time of the run is the one thing that differs between two builds of the same inputs
    html = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", "<time>", html)
    return entry["results"], html


@pytest.mark.slow
def test_a_rebuild_after_a_target_change_is_what_a_fresh_build_gives(data_dir, params_dir, tmp_path):
    """In real kernels, through `evalutils run`: the rebuilt report (stored tables, no panel read) has the same
    payload and HTML as a report built from nothing with the changed target."""
    reports = tmp_path / "reports"
    _cli_run(data_dir, params_dir, reports)
    assert (reports / ".cache" / "units").is_dir()
    before = _built(reports)
    path = params_dir / "provinces" / "bac-lieu.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("    value: 2\n", "    value: 7\n", 1), encoding="utf-8")
    _cli_run(data_dir, params_dir, reports)
    fresh = tmp_path / "fresh"
    _cli_run(data_dir, params_dir, fresh)
    rebuilt, built = _built(reports), _built(fresh)
    assert rebuilt[0] == built[0]
    assert rebuilt[1] == built[1]
    assert rebuilt[1] != before[1]  # and the change shows
