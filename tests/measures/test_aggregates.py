"""National aggregates: computed once per process, cached by code + data + seed in the cache directory, never in
the data directory; what the cache holds is what a fresh computation gives."""

from __future__ import annotations

import pandas as pd
import pytest

from evalutils.measures import aggregates
from evalutils.panel.demo import write_demo


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("agg") / "data"
    write_demo(d, scale=0.15, seed=4)
    return d


def test_computed_once_stored_outside_the_data_and_read_back(data_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    aggregates._MEMO.clear()
    first = aggregates.national_aggregates(data_dir, seed=7, cache_dir=cache)
    files = aggregates.national_cache_files(cache)
    assert [f.suffix for f in files] == [".parquet", ".json"] and first.key[:32] in files[0].name
    assert not (data_dir / "derived").exists()
    # the same process asks again: the same object, nothing read or hashed
    monkeypatch.setattr(aggregates, "files_digest", lambda files: pytest.fail("hashed the data again"))
    assert aggregates.national_aggregates(data_dir, seed=7, cache_dir=cache) is first
    monkeypatch.undo()
    # another process (memory cleared): read from the cache, not recomputed, and equal to a fresh computation
    aggregates._MEMO.clear()
    monkeypatch.setattr(aggregates, "compute_national", lambda *a, **k: pytest.fail("recomputed"))
    again = aggregates.national_aggregates(data_dir, seed=7, cache_dir=cache)
    monkeypatch.undo()
    fresh = aggregates.compute_national(data_dir, seed=7)
    pd.testing.assert_frame_equal(again.totals, fresh.totals)
    assert again.model == fresh.model and again.key == fresh.key


def test_key_follows_seed_code_and_data(data_dir, tmp_path, monkeypatch):
    k = aggregates.national_key(data_dir, seed=7)
    assert aggregates.national_key(data_dir, seed=8) != k
    monkeypatch.setattr(aggregates, "code_hash", lambda: "other code")
    assert aggregates.national_key(data_dir, seed=7) != k
    monkeypatch.undo()
    data = tmp_path / "data"
    import shutil

    shutil.copytree(data_dir, data)
    defl = data / "deflators.csv"
    defl.write_text(defl.read_text().replace("1.0", "1.01", 1))
    assert aggregates.national_key(data, seed=7) != k


def test_a_damaged_cache_entry_is_rebuilt(data_dir, tmp_path):
    cache = tmp_path / "cache"
    aggregates._MEMO.clear()
    a = aggregates.national_aggregates(data_dir, seed=7, cache_dir=cache)
    for f in aggregates.national_cache_files(cache):
        f.write_text("damaged")
    aggregates._MEMO.clear()
    b = aggregates.national_aggregates(data_dir, seed=7, cache_dir=cache)
    pd.testing.assert_frame_equal(a.totals, b.totals)
    assert b.model == a.model
    assert aggregates.national_cache_files(cache)[0].read_bytes()[:4] == b"PAR1"  # rewritten as Parquet


def test_province_year_totals_add_up_to_the_panel(data_dir):
    from evalutils.panel.io import load_panel

    totals = aggregates.province_year_totals(data_dir, seed=7)
    panel = load_panel(data_dir)
    assert totals["value_added"].sum() == pytest.approx(panel["value_added"].sum())
    assert totals["n_firms"].sum() == panel.groupby(["province_code", "year"])["firm_id"].nunique().sum()
    assert set(aggregates.tfp_model(data_dir, seed=7)) >= {"pooled", "by_sector"}


def test_a_batch_run_prepares_the_aggregates_in_a_child_process(data_dir, tmp_path):
    """`evalutils run` never holds the national panel itself: the aggregates are computed in a child process (its
    memory returned when it ends), and an existing entry is used as it is."""
    cache = tmp_path / "cache"
    aggregates._MEMO.clear()
    aggregates.prepare_national(data_dir, seed=7, cache_dir=cache)
    assert not aggregates._MEMO  # computed elsewhere, not in this process
    files = aggregates.national_cache_files(cache)
    assert len(files) == 2
    stamps = [f.stat().st_mtime_ns for f in files]
    aggregates.prepare_national(data_dir, seed=7, cache_dir=cache)
    assert [f.stat().st_mtime_ns for f in files] == stamps  # found, not computed again
    stored = aggregates.national_aggregates(data_dir, seed=7, cache_dir=cache)
    fresh = aggregates.compute_national(data_dir, seed=7)
    pd.testing.assert_frame_equal(stored.totals, fresh.totals)
    assert stored.model == fresh.model


def test_a_failing_child_leaves_the_error_that_says_what_is_wrong(tmp_path):
    from evalutils.errors import EvalutilsError

    empty = tmp_path / "data"
    (empty / "enterprise_panel").mkdir(parents=True)
    with pytest.raises(EvalutilsError):
        aggregates.prepare_national(empty, seed=7, cache_dir=tmp_path / "cache")
