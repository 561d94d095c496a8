"""Where the suite can go on, the report explains what is missing instead of crashing (issue 8, item 1).

A small demo data directory is modified so that some provinces are degenerate:

* Hà Giang (02): every firm was supported (no comparison group), support staggered over 2021–2025;
* Cao Bằng (04): every firm was supported in the same year (no never- and no not-yet-supported firm);
* Bắc Kạn (06): a single firm, never supported.

The real notebook is executed through ``evalutils.render.runner.run_task`` for 02 and 06 (one test each, so that
pytest-xdist never runs the same notebook twice); 04 is checked on the report's building blocks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import evalutils.report.province as report
from evalutils.render.runner import ReportTask, run_task
from evalutils.panel.schema import SUPPORT_TYPES

from ._support import ROOT, publishing_problems, read_k, results_payload, small_demo, visible_text, write_data_dir

pytestmark = pytest.mark.slow

ALL_TREATED, SAME_YEAR, SINGLE = "02", "04", "06"


def _degenerate(demo) -> None:
    panel, part = demo.panel, demo.participation
    prov_firms = panel.groupby("province_code")["firm_id"].unique()
    # 02 and 04: keep the firms present in 2020 and 2021, support every one of them
    new_part = [part[~part["firm_id"].isin(np.concatenate([prov_firms[c] for c in (ALL_TREATED, SAME_YEAR,
                                                                                   SINGLE)]))]]
    drop = []
    for code in (ALL_TREATED, SAME_YEAR):
        sub = panel[panel["province_code"] == code]
        years = sub.groupby("firm_id")["year"].agg(["min", "max"])
        keep = years[(years["min"] <= 2020) & (years["max"] >= 2021)]
        drop += sorted(set(sub["firm_id"]) - set(keep.index))
        if code == ALL_TREATED:
            start = np.minimum(2021 + np.arange(len(keep)) % 5, keep["max"].to_numpy())
        else:
            start = np.full(len(keep), 2021)
        types = np.array(list(SUPPORT_TYPES))[np.arange(len(keep)) % len(SUPPORT_TYPES)]
        new_part.append(pd.DataFrame({"firm_id": keep.index.to_numpy(), "support_start_year": start.astype("int64"),
                                      "support_type": types}))
    # 06: one firm (the one observed longest), never supported
    sub = panel[panel["province_code"] == SINGLE]
    longest = sub.groupby("firm_id")["year"].size().sort_values(kind="stable").index[-1]
    drop += sorted(set(sub["firm_id"]) - {longest})
    demo.panel = panel[~panel["firm_id"].isin(drop)].reset_index(drop=True)
    demo.participation = pd.concat(new_part, ignore_index=True)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return write_data_dir(tmp_path_factory.mktemp("degenerate") / "data", small_demo(_degenerate))


def _run(province: str, data_dir, out_dir, *, counts: bool = True):
    task = ReportTask(province, "en", data_dir, ROOT / "params", out_dir)
    outcome = run_task(task)
    assert outcome.ok, outcome.error
    html = outcome.html.read_text(encoding="utf-8")
    assert publishing_problems(html, k=read_k(), lang="en", forbidden_paths=[data_dir, out_dir],
                               counts=counts) == []
    return html, results_payload(task.executed_path)


def test_every_firm_supported_report_explains_there_is_no_comparison_group(data_dir, tmp_path):
    html, payload = _run("ha-giang", data_dir, tmp_path)
    text = visible_text(html)
    assert payload["n_supported"] == payload["n_firms"] > 0
    assert payload["effect"] is None and payload["effects"] == {}
    assert "every firm was supported: there is no comparison group" in text
    assert "No effect estimated: every firm was supported" in text
    assert "Traceback" not in html


def test_single_firm_province_report_explains_and_suppresses(data_dir, tmp_path):
    html, payload = _run("bac-kan", data_dir, tmp_path)
    text = visible_text(html)
    assert payload["n_firms"] == 1 and payload["n_supported"] == 0 and payload["effect"] is None
    k = read_k()
    assert "0 supported firms; at least" in text           # why there is no effect
    assert f"<{k}" in text                                   # landscape cells suppressed, not shown
    # the trend table/figure of a one-firm province publishes no value for any year
    # and the English report names the province in English (its Vietnamese name is the Vietnamese report's)
    assert "Bac Kan" in text and "Bắc Kạn" not in text


def test_support_in_one_year_for_every_firm_gives_a_reason(data_dir):
    ctx = report.load_province_context("cao-bang", data_dir=data_dir, params_dir=ROOT / "params", lang="en")
    assert ctx.participation["support_start_year"].nunique() == 1
    bundle = report.evaluate(ctx)
    assert bundle.n_supported == bundle.n_firms
    assert bundle.estimates == {} and not bundle.event_studies
    assert bundle.reason("twfe", "en") == "every firm was supported: there is no comparison group"
    html = report.effects_html(ctx, bundle) + report.limitations_html(ctx, bundle)
    assert "no comparison group" in html


def test_single_firm_trend_is_suppressed(data_dir):
    ctx = report.load_province_context("06", data_dir=data_dir, params_dir=ROOT / "params", lang="en")
    trend = report.productivity_trend(ctx)
    assert trend["suppressed"].all() and trend["province"].isna().all()


@pytest.mark.parametrize("typed", ["Bac Lieu", "bạc liêu", "95"])
def test_report_context_for_a_province_typed_by_hand(data_dir, typed):
    ctx = report.load_province_context(typed, data_dir=data_dir, params_dir=ROOT / "params", lang="en")
    assert ctx.slug == "bac-lieu" and ctx.codes == ["95"]


def test_single_firm_province_publishes_no_count_below_the_threshold(data_dir):
    ctx = report.load_province_context("bac-kan", data_dir=data_dir, params_dir=ROOT / "params", lang="en")
    bundle = report.evaluate(ctx)
    html = report.key_findings_html(ctx, bundle) + report.effects_html(ctx, bundle) + \
        report.limitations_html(ctx, bundle)
    assert publishing_problems(html, k=read_k(), lang="en") == []
