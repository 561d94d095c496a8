"""Effect estimates are computed once per unit and shared by its languages; the cache is keyed by content,
stored as JSON outside the data directory, and a crafted entry can never run code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import evalutils.report.province as report
from evalutils.evaluate import Evaluation, effects_cache_key, evaluate_effects, evaluate_effects_cached
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


def test_languages_share_one_evaluation(data_dir, tmp_path):
    cache = tmp_path / "cache"
    vi = report.load_province_context("ha-noi", data_dir=data_dir, params_dir=ROOT / "params", lang="vi",
                                      cache_dir=cache)
    b_vi = report.evaluate(vi)
    files = sorted((cache / "effects").glob("pre2025-ha-noi-*.json"))
    assert len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    en = report.load_province_context("ha-noi", data_dir=data_dir, params_dir=ROOT / "params", lang="en",
                                      cache_dir=cache)
    b_en = report.evaluate(en)
    assert files[0].stat().st_mtime_ns == stamp  # read, not written again
    fresh = report.evaluate(en, cache=False)
    assert isinstance(b_en, Evaluation) and b_en == fresh  # the stored evaluation is the computed one
    assert list(fresh.estimates) == ["twfe", "callaway_santanna", "imputation"]
    for b in (b_vi, b_en):
        cs = b.estimates["callaway_santanna"]
        assert (cs.estimator, cs.estimate, cs.std_error, cs.p_value) == \
            ("callaway_santanna", fresh.estimates["callaway_santanna"].estimate,
             fresh.estimates["callaway_santanna"].std_error, fresh.estimates["callaway_santanna"].p_value)
        assert b.estimates["twfe"].estimate == fresh.estimates["twfe"].estimate
        assert [es.estimator for es in b.event_studies] == ["callaway_santanna", "imputation"]
    # the text is the reader's language even though the evaluation was made once
    html_vi, html_en = report.effects_html(vi, b_en), report.effects_html(en, b_vi)
    assert "Ước lượng" in html_vi or "ước lượng" in html_vi
    assert "estimate" in html_en.lower()


def test_p_values_are_the_estimators_own(data_dir):
    """The evaluation takes each overall effect from the estimator's tidy(): nothing recomputed on the way."""
    from evalutils.effects import att_gt, twfe

    ctx = report.load_province_context("ha-noi", data_dir=data_dir, params_dir=ROOT / "params", lang="en")
    df = report.analysis_panel(ctx)
    ev = evaluate_effects(df, **_opts(ctx))
    d = ctx.defaults
    tw = twfe(df, outcome=d.outcome, unit="firm_id", time="year", treatment="post_support", cluster=d.cluster,
              backend="linearmodels").tidy().iloc[0]
    e = ev.estimates["twfe"]
    assert (e.estimate, e.std_error, e.p_value, e.conf_low, e.conf_high, e.method) == \
        (tw["estimate"], tw["std_error"], tw["p_value"], tw["conf_low"], tw["conf_high"], tw["method"])
    sub = df[np.isfinite(df[d.outcome])].assign(first_support=lambda x: x["support_start_year"].fillna(0).astype(int))
    gt = att_gt(sub, outcome=d.outcome, unit="firm_id", time="year", group="first_support",
                control_group=d.control_group, est_method="reg", unbalanced="pairwise", bootstrap="mammen",
                n_boot=49, seed=d.seed, cluster=d.cluster).aggregate("simple").tidy().iloc[0]
    cs = ev.estimates["callaway_santanna"]
    assert cs.p_value == pytest.approx(gt["p_value"], rel=1e-12) and cs.estimate == pytest.approx(gt["estimate"])


def test_key_follows_data_and_options_and_old_entries_go(data_dir, tmp_path):
    ctx = report.load_province_context("khanh-hoa", data_dir=data_dir, params_dir=ROOT / "params", lang="en")
    df = report.analysis_panel(ctx)
    opts = _opts(ctx)
    a = evaluate_effects_cached(df, cache_dir=tmp_path, name="x", **opts)
    assert len(list(tmp_path.glob("x-*.json"))) == 1 and not list(tmp_path.glob("*.pkl"))
    # a changed outcome value is new content: recomputed, and the stale entry removed
    df2 = df.copy()
    df2.loc[df2.index[0], opts["outcome"]] += 1.0
    b = evaluate_effects_cached(df2, cache_dir=tmp_path, name="x", **opts)
    assert len(list(tmp_path.glob("x-*.json"))) == 1
    direct = evaluate_effects(df2, **opts)
    assert b.estimates["twfe"].estimate == direct.estimates["twfe"].estimate != a.estimates["twfe"].estimate
    # other options (the seed too): another key
    assert effects_cache_key(df, opts) != effects_cache_key(df, {**opts, "seed": opts["seed"] + 1})
    c = evaluate_effects_cached(df, cache_dir=tmp_path, name="x", **{**opts, "n_boot": 99})
    cs_a, cs_c = a.estimates["callaway_santanna"], c.estimates["callaway_santanna"]
    assert cs_c.estimate == cs_a.estimate  # the point estimate does not use the bootstrap
    assert evaluate_effects(df, **{**opts, "n_boot": 99}).estimates["callaway_santanna"].std_error == cs_c.std_error
    # a damaged entry is recomputed, not trusted
    (entry,) = tmp_path.glob("x-*.json")
    entry.write_text("not json")
    d = evaluate_effects_cached(df, cache_dir=tmp_path, name="x", **{**opts, "n_boot": 99})
    assert d == c


def test_a_crafted_cache_entry_runs_no_code(data_dir, tmp_path):
    """Only registered result types are rebuilt from a cache entry: a class named by the file is never looked up."""
    ctx = report.load_province_context("khanh-hoa", data_dir=data_dir, params_dir=ROOT / "params", lang="en")
    df = report.analysis_panel(ctx)
    opts = _opts(ctx)
    good = evaluate_effects_cached(df, cache_dir=tmp_path, name="x", **opts)
    (entry,) = tmp_path.glob("x-*.json")
    stored = json.loads(entry.read_text())
    marker = tmp_path / "ran"
    stored["result"] = {"__dataclass__": "subprocess.Popen",
                        "fields": {"args": ["touch", str(marker)]}}
    entry.write_text(json.dumps(stored))
    again = evaluate_effects_cached(df, cache_dir=tmp_path, name="x", **opts)
    assert not marker.exists() and again == good


def test_cache_is_not_an_input_of_the_reports(data_dir, tmp_path):
    task = ReportTask("ha-noi", "en", data_dir, ROOT / "params", tmp_path / "r")
    report.evaluate(report.load_province_context("ha-noi", data_dir=data_dir, params_dir=ROOT / "params", lang="en",
                                                 cache_dir=task.cache_dir))
    assert any((task.cache_dir / "effects").iterdir())
    inputs = task_inputs(task)
    assert not any("effects" in k for k in inputs)
    assert {"cache/national.parquet", "cache/national.json"} <= set(inputs)  # what every report compares with
    assert not (data_dir / "derived").exists()


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
    assert "twfe" not in b.estimates and "callaway_santanna" in b.estimates
    en, vi = b.reason("twfe", "en"), b.reason("twfe", "vi")
    assert en.startswith("twfe: treatment column must be 0/1")
    assert vi.startswith("bộ ước lượng báo lỗi") and en in vi
    html = report.effects_html(ctx, b)
    assert "không ước lượng được" in html and "bộ ước lượng báo lỗi" in html


def test_national_synthesis_evaluates_each_unit_once_for_both_languages(data_dir, tmp_path):
    from evalutils.report import national

    cache = tmp_path / "cache"
    vi = national.load_national_context(data_dir=data_dir, params_dir=ROOT / "params", lang="vi", cache_dir=cache)
    a = national.unit_effects(vi)
    files = sorted((cache / "effects").glob("national-pre2025-*.json"))
    assert len(files) == len(a) == 63
    stamps = [f.stat().st_mtime_ns for f in files]
    en = national.load_national_context(data_dir=data_dir, params_dir=ROOT / "params", lang="en", cache_dir=cache)
    b = national.unit_effects(en)
    assert [f.stat().st_mtime_ns for f in files] == stamps  # read, not re-estimated
    pd_testing = __import__("pandas").testing
    pd_testing.assert_frame_equal(a.drop(columns="reason"), b.drop(columns="reason"))
    pooled = national.pooled_estimate(vi, n_boot=99)
    assert pooled == national.pooled_estimate(en, n_boot=99) and pooled.estimate.estimator == "twfe"
    assert len(list((cache / "effects").glob("national-pooled-*.json"))) == 1
    assert not (data_dir / "derived").exists()
