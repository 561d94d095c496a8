"""What a report is built from (render.manifest): the unit's own data, the shared tables, the national aggregates
in the cache, the notebook and parameters; hashes that change exactly when those do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from evalutils.measures.aggregates import national_aggregates
from evalutils.panel.demo import write_demo
from evalutils.panel.params import load_defaults
from evalutils.render.manifest import inputs_digest, task_input_files, task_inputs
from evalutils.render.task import ReportTask

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def data_dir(tmp_path_factory, tmp_path):
    src = tmp_path_factory.getbasetemp() / "manifest-demo"
    if not src.exists():
        write_demo(src, scale=0.1, seed=3)
    shutil.copytree(src, tmp_path / "data")
    return tmp_path / "data"


def _rewrite(partition: Path) -> None:
    table = pq.read_table(partition)
    df = table.to_pandas()
    df.loc[0, "employment"] = int(df.loc[0, "employment"]) + 1
    import pyarrow as pa

    pq.write_table(pa.Table.from_pandas(df, schema=table.schema, preserve_index=False), partition)


def test_inputs_are_the_units_files_and_the_national_aggregates(data_dir, tmp_path):
    task = ReportTask("bac-lieu", "en", data_dir, ROOT / "params", tmp_path / "reports")
    seed = load_defaults(ROOT / "params" / "defaults.yml").seed
    national_aggregates(data_dir, seed=seed, cache_dir=task.cache_dir)
    files = task_input_files(task)
    assert files["notebook"] == task.notebook
    assert {"params/defaults.yml", "params/provinces/bac-lieu.yml", "data/participation.csv",
            "data/monitoring.csv", "data/deflators.csv", "data/MANIFEST.json", "cache/national.parquet",
            "cache/national.json"} <= set(files)
    panel = [k for k in files if k.startswith("data/enterprise_panel/")]
    assert panel and all("province_code=95/" in k for k in panel)  # Bạc Liêu's own partition only
    assert not any("effects" in k for k in files)

    before = task_inputs(task)
    assert before["code"] and before["formats"] == "html"
    # another province's data: not this report's file, but the country it is compared with changes
    _rewrite(next((data_dir / "enterprise_panel" / "province_code=01").glob("*.parquet")))
    assert task_inputs(task) == before  # until the national aggregates are rebuilt (the run does it first)
    national_aggregates(data_dir, seed=seed, cache_dir=task.cache_dir)
    after = task_inputs(task)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed == {"cache/national.parquet", "cache/national.json"}
    assert inputs_digest(after) != inputs_digest(before)
    # its own data: its own file changes
    _rewrite(next((data_dir / "enterprise_panel" / "province_code=95").glob("*.parquet")))
    own = task_inputs(task)
    assert any(k.startswith("data/enterprise_panel/province_code=95/") and own[k] != after[k] for k in own)


def test_the_cache_directory_belongs_to_the_reports(tmp_path):
    task = ReportTask("bac-lieu", "en", tmp_path / "data", ROOT / "params", tmp_path / "reports")
    assert task.cache_dir == tmp_path / "reports" / ".cache"
    assert task.parameters["cache_dir"] == str((tmp_path / "reports" / ".cache").resolve())


def test_the_manifest_is_json_with_a_line_per_report(tmp_path):
    """Saved through json's C encoder (fast for a 3 MB national manifest) with one line per report: valid JSON
    that reads back as what was saved, diffs line by line, and has no NaN."""
    from evalutils.render.manifest import RunManifest

    m = RunManifest(tmp_path)
    m.data["reports"] = {f"pre2025/{lang}/{p}": {"outcome": "built", "results": {"effect": {"estimate": 0.1 * i}},
                                                  "name": "Bạc Liêu"}
                         for i, (p, lang) in enumerate([("bac-lieu", "vi"), ("bac-lieu", "en"), ("ha-noi", "vi")])}
    m.save()
    text = m.path.read_text(encoding="utf-8")
    assert json.loads(text) == m.data
    lines = text.splitlines()
    assert sum(line.startswith('  "pre2025/') for line in lines) == 3  # one line each
    assert "Bạc Liêu" in text  # not \u-escaped
    m.data["reports"]["pre2025/vi/ha-noi"]["results"]["effect"]["estimate"] = float("nan")
    with pytest.raises(ValueError):
        m.save()
