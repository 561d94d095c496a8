"""Determinism (issue 8, item 3): same inputs, same numbers, same figures, same data.

Two runs from a clean state (fresh data directories written by the demo generator with the same
seed, fresh output directories, no cache) must give identical machine-readable results (the payload
of mime type ``report.RESULTS_MIME``), byte-identical embedded PNG figures, and HTML that differs only
in the time of the run.
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow.parquet as pq
import pytest

from evalutils.panel.demo import generate_demo, write_demo
from evalutils.render.runner import ReportTask, run_task

from ._support import ROOT, embedded_pngs, publishing_problems, read_k, results_payload

pytestmark = pytest.mark.slow

TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")


def _files(root):
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def test_demo_data_identical_for_the_same_seed(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_demo(a, scale=0.2, seed=11)
    write_demo(b, scale=0.2, seed=11)
    assert _files(a) == _files(b) and len(_files(a)) > 60
    for rel in _files(a):
        if rel.suffix == ".parquet":
            assert pq.read_table(a / rel).equals(pq.read_table(b / rel)), rel   # content
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel            # and bytes (provenance hashes)


def test_generator_depends_on_the_seed_only():
    one, two = generate_demo(scale=0.2, seed=11), generate_demo(scale=0.2, seed=11)
    for name in ("panel", "participation", "monitoring", "deflators", "true_att"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name))
    other = generate_demo(scale=0.2, seed=12)
    assert not one.panel["value_added"].equals(other.panel["value_added"])


def test_two_clean_runs_give_identical_results_and_figures(tmp_path):
    runs = []
    for name in ("first", "second"):
        data = tmp_path / name / "data"
        write_demo(data, scale=0.2, seed=11)
        task = ReportTask("khanh-hoa", "en", data, ROOT / "params", tmp_path / name / "reports")
        outcome = run_task(task)
        assert outcome.ok, outcome.error
        html = outcome.html.read_text(encoding="utf-8")
        runs.append((results_payload(task.executed_path), embedded_pngs(html), html))
    (p1, png1, html1), (p2, png2, html2) = runs
    assert p1 == p2
    assert p1["targets"] and p1["n_firms"] > 0          # the payload carries numbers worth comparing
    assert len(png1) >= 2 and png1 == png2               # byte-identical figures
    for png in png1:
        assert b"tEXtSoftware" not in png and b"Creation Time" not in png
    # the HTML differs only in the time of the run (and the git revision, which others may commit meanwhile)
    assert _mask(html1) == _mask(html2)
    # and what is published is publishable
    assert publishing_problems(html1, k=read_k(), lang="en", forbidden_paths=[tmp_path]) == []


def _mask(html: str) -> str:
    html = TIMESTAMP.sub("<time>", html)
    return re.sub(r"(code revision \(git\)</td>\s*<td>)[^<]*", r"\1<revision>", html)
