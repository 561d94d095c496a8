"""The national synthesis reads the 7 M-row panel only when an estimate is not cached: a re-run after a change to a
province's targets (or the other language) takes the provinces' table, the pooled estimate and the firm count from
the cache, keyed by the code, the panel's files and every setting."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from evalutils.panel.demo import write_demo
from evalutils.report import national

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    base = tmp_path_factory.mktemp("national-cache")
    write_demo(base / "data", scale=0.05, seed=5)
    shutil.copytree(ROOT / "params", base / "params")
    defaults = base / "params" / "defaults.yml"  # few bootstrap draws: this test times the cache, not the estimates
    text = defaults.read_text(encoding="utf-8")
    assert "\nn_boot: 499 " in text
    defaults.write_text(text.replace("\nn_boot: 499 ", "\nn_boot: 99 ", 1), encoding="utf-8")
    return base


def _build(env, lang="en"):
    ctx = national.load_national_context(data_dir=env / "data", params_dir=env / "params", lang=lang,
                                         cache_dir=env / "cache")
    return ctx, national.unit_effects(ctx), national.pooled_estimate(ctx, n_boot=99), national.n_firms(ctx)


def test_a_second_build_reads_the_estimates_from_the_cache_not_the_panel(env):
    ctx1, eff1, pooled1, n1 = _build(env)
    assert ctx1.loaded_panel is not None  # the first build had to read it
    assert n1 == ctx1.panel["firm_id"].nunique() and len(eff1) == 63
    ctx2, eff2, pooled2, n2 = _build(env)
    assert ctx2.loaded_panel is None  # nothing read the panel
    pd.testing.assert_frame_equal(eff1, eff2)
    assert pooled2 == pooled1 and n2 == n1
    assert eff2.attrs["k"] == ctx2.defaults.disclosure.min_firms_per_cell


def test_the_key_follows_every_setting_and_the_bytes_of_the_data_files(env):
    ctx = national.load_national_context(data_dir=env / "data", params_dir=env / "params", cache_dir=env / "cache")
    options = json.loads(ctx.defaults.model_dump_json())
    key = ctx.estimates_key("units", ["firm_id"], options)
    assert ctx.estimates_key("units", ["firm_id"], {**options, "n_boot": options["n_boot"] + 10}) != key
    assert ctx.estimates_key("units", ["firm_id"], {**options, "cluster": "province_code"}) != key
    part = env / "data" / "participation.csv"
    original = part.read_bytes()
    try:
        part.write_bytes(original + b"\n")  # same rows, other bytes: the key follows the files
        fresh = national.load_national_context(data_dir=env / "data", params_dir=env / "params",
                                               cache_dir=env / "cache")
        assert fresh.estimates_key("units", ["firm_id"], options) != key
    finally:
        part.write_bytes(original)
    assert national.load_national_context(data_dir=env / "data", params_dir=env / "params", cache_dir=env / "cache"
                                          ).estimates_key("units", ["firm_id"], options) == key
    assert ctx.loaded_panel is None  # keys hash files, not the table


def test_a_panel_given_in_memory_is_keyed_by_its_values(env):
    ctx, *_ = _build(env)
    ctx.panel  # noqa: B018 - loaded from the files
    mem = ctx.panel.copy()
    mem.attrs.clear()
    ctx_mem = national.NationalContext(ctx.lang, ctx.defaults, mem, ctx.monitoring, ctx.data_manifest,
                                       ctx.params_dir, ctx.data_dir, ctx.cache_dir)
    assert not ctx_mem.from_files and ctx.from_files
    assert ctx_mem.estimates_key("x", ["firm_id"], {}) != ctx.estimates_key("x", ["firm_id"], {})
