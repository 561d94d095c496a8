"""Effect estimates are computed once per unit and shared by its languages; the cache is keyed by content."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import evalutils.report.province as report
from evalutils.evaluate import evaluate_effects, evaluate_effects_cached
from evalutils.panel.demo import write_demo
from evalutils.render.manifest import task_inputs
from evalutils.render.runner import ReportTask, schedule

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("cache") / "data"
    write_demo(d, scale=0.3, seed=5)
    return d


def _opts(ctx):
    d = ctx.defaults
    return dict(outcome=d.outcome, seed=d.seed, min_supported=d.min_supported_for_estimate, n_boot=49,
                control_group=d.control_group, cluster=d.cluster, secondary_outcomes=("log_tfp",))


def test_languages_share_one_evaluation(data_dir):
    cache = data_dir / "derived" / "effects"
    shutil.rmtree(cache, ignore_errors=True)
    vi = report.load_province_context("ha-noi", data_dir=data_dir, params_dir=ROOT / "params", lang="vi")
    b_vi = report.evaluate(vi)
    files = sorted(cache.glob("pre2025-ha-noi-*.pkl"))
    assert len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    en = report.load_province_context("ha-noi", data_dir=data_dir, params_dir=ROOT / "params", lang="en")
    b_en = report.evaluate(en)
    assert files[0].stat().st_mtime_ns == stamp  # read, not written again
    fresh = report.evaluate(en, cache=False)
    for b in (b_vi, b_en):
        assert b.simple.overall_estimate == fresh.simple.overall_estimate
        assert b.simple.overall_std_error == fresh.simple.overall_std_error
        assert b.twfe.estimate == fresh.twfe.estimate
        assert b.twfe.backend == "linearmodels"  # the report's TWFE is PanelOLS itself
    # the text is the reader's language even though the evaluation was made once
    html_vi, html_en = report.effects_html(vi, b_en), report.effects_html(en, b_vi)
    assert "Ước lượng" in html_vi or "ước lượng" in html_vi
    assert "estimate" in html_en.lower()


def test_key_follows_data_and_options_and_old_entries_go(data_dir, tmp_path):
    ctx = report.load_province_context("khanh-hoa", data_dir=data_dir, params_dir=ROOT / "params", lang="en")
    df = report.analysis_panel(ctx)
    opts = _opts(ctx)
    a = evaluate_effects_cached(df, cache_dir=tmp_path, name="x", **opts)
    assert len(list(tmp_path.glob("x-*.pkl"))) == 1
    # a changed outcome value is new content: recomputed, and the stale entry removed
    df2 = df.copy()
    df2.loc[df2.index[0], opts["outcome"]] += 1.0
    b = evaluate_effects_cached(df2, cache_dir=tmp_path, name="x", **opts)
    assert len(list(tmp_path.glob("x-*.pkl"))) == 1
    direct = evaluate_effects(df2, **opts)
    assert b.twfe.estimate == direct.twfe.estimate != a.twfe.estimate
    # other options: another key
    c = evaluate_effects_cached(df, cache_dir=tmp_path, name="x", **{**opts, "n_boot": 99})
    assert c.simple.overall_estimate == a.simple.overall_estimate  # point estimate does not use the bootstrap
    assert evaluate_effects(df, **{**opts, "n_boot": 99}).simple.overall_std_error == c.simple.overall_std_error
    # a damaged entry is recomputed, not trusted
    (entry,) = tmp_path.glob("x-*.pkl")
    entry.write_bytes(b"not a pickle")
    d = evaluate_effects_cached(df, cache_dir=tmp_path, name="x", **{**opts, "n_boot": 99})
    assert d.simple.overall_std_error == c.simple.overall_std_error


def test_cache_is_not_an_input_of_the_reports(data_dir):
    report.evaluate(report.load_province_context("ha-noi", data_dir=data_dir, params_dir=ROOT / "params", lang="en"))
    assert any((data_dir / "derived" / "effects").iterdir())
    inputs = task_inputs(ReportTask("ha-noi", "en", data_dir, ROOT / "params", data_dir / "r"))
    assert not any("effects" in k for k in inputs)
    assert "data/derived/tfp_model.json" in inputs


def test_schedule_largest_first_and_languages_in_sequence(data_dir):
    def tasks(provinces):
        return [ReportTask(p, lang, data_dir, ROOT / "params", data_dir / "r") for p in provinces for lang in ("vi", "en")]

    ts = tasks(["bac-lieu", "ho-chi-minh", "ha-noi"])
    leaders, followers = schedule(ts, workers=2)
    assert [ts[i].lang for i in leaders] == ["vi"] * 3
    sizes = [sum(f.stat().st_size for f in (data_dir / "enterprise_panel").glob(f"province_code={c}/*.parquet"))
             for c in ("79", "01", "95")]
    assert sizes == sorted(sizes, reverse=True)  # the demo's largest provinces: Hồ Chí Minh City, Hà Nội
    assert [ts[i].province for i in leaders] == ["ho-chi-minh", "ha-noi", "bac-lieu"]
    assert {ts[i].province: [ts[j].lang for j in followers[i]] for i in leaders} == \
        {"ho-chi-minh": ["en"], "ha-noi": ["en"], "bac-lieu": ["en"]}
    # fewer units than workers: both languages at once
    one = tasks(["bac-lieu"])
    leaders, followers = schedule(one, workers=2)
    assert sorted(leaders) == [0, 1] and followers == {}


def test_sector_fits_in_parallel_equal_serial(data_dir, monkeypatch):
    from evalutils.measures import aggregates
    from evalutils.panel.io import load_deflators, load_panel

    panel, defl = load_panel(data_dir), load_deflators(data_dir)
    monkeypatch.setattr(aggregates, "PARALLEL_ROWS", 0)
    serial = aggregates.estimate_tfp_model(panel, defl, seed=3, n_jobs=1)
    parallel = aggregates.estimate_tfp_model(panel, defl, seed=3, n_jobs=2)
    assert serial == parallel and len(serial["by_sector"]) >= 2
    assert np.isfinite(serial["pooled"]["labour"])


def test_an_estimator_error_is_framed_in_the_reports_language(data_dir):
    ctx = report.load_province_context("ha-noi", data_dir=data_dir, params_dir=ROOT / "params", lang="vi")
    df = report.analysis_panel(ctx)
    df["post_support"] = df["post_support"] * 2  # a real error from twfe: the treatment must be 0/1
    b = evaluate_effects(df, **_opts(ctx))
    assert b.twfe is None and b.simple is not None
    en, vi = b.reason("twfe", "en"), b.reason("twfe", "vi")
    assert en.startswith("twfe: treatment column must be 0/1")
    assert vi.startswith("bộ ước lượng báo lỗi") and en in vi
    html = report.effects_html(ctx, b)
    assert "không ước lượng được" in html and "bộ ước lượng báo lỗi" in html


def test_national_synthesis_evaluates_each_unit_once_for_both_languages(data_dir):
    from evalutils.report import national

    cache = data_dir / "derived" / "effects"
    vi = national.load_national_context(data_dir=data_dir, params_dir=ROOT / "params", lang="vi")
    a = national.unit_effects(vi)
    files = sorted(cache.glob("national-pre2025-*.pkl"))
    assert len(files) == len(a) == 63
    stamps = [f.stat().st_mtime_ns for f in files]
    en = national.load_national_context(data_dir=data_dir, params_dir=ROOT / "params", lang="en")
    b = national.unit_effects(en)
    assert [f.stat().st_mtime_ns for f in files] == stamps  # read, not re-estimated
    pd_testing = __import__("pandas").testing
    pd_testing.assert_frame_equal(a.drop(columns="reason"), b.drop(columns="reason"))
