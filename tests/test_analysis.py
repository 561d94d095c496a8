"""Analysis choices (issue 17 items 1-2): defaults.yml, a province's analysis: block and a run's overrides, each bad
value a ParameterError naming its source and key; labels, appendix, payload and cache keys follow the choices; the
public analysis panel reproduces a report's estimates exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import evalutils.report as er
import evalutils.report.province as report
from evalutils.cli import main
from evalutils.effects import att_gt, did_imputation, twfe
from evalutils.errors import ParameterError
from evalutils.evaluate import effects_cache_key
from evalutils.panel.analysis import as_overrides, parse_settings, resolve_analysis
from evalutils.panel.demo import write_demo
from evalutils.panel.params import load_defaults, load_province_params

ROOT = Path(__file__).resolve().parents[1]
DEFAULTS = load_defaults(ROOT / "params" / "defaults.yml")
FAST = {"n_boot": 99}  # the fewest draws accepted: these tests compare numbers, not their precision


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("analysis") / "data"
    write_demo(d, scale=0.3, seed=5)
    return d


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("analysis-cache")


def _ctx(data_dir, cache_dir, lang="en", params_dir=ROOT / "params", **analysis):
    return report.load_province_context("ha-noi", data_dir=data_dir, params_dir=params_dir, lang=lang,
                                        cache_dir=cache_dir, analysis={**FAST, **analysis})


# ----------------------------------------------------------------------------------------- layering and errors

def test_run_overrides_province_overrides_defaults():
    a = resolve_analysis(DEFAULTS, {"control_group": "not_yet_treated", "anticipation": 1},
                         {"anticipation": 2, "covariates": ["ownership", "ownership"]})
    assert (a.control_group, a.anticipation, a.covariates, a.outcome) == \
        ("not_yet_treated", 2, ("ownership",), DEFAULTS.outcome)
    # estimators are shown in the report's order whatever order they are written in
    assert resolve_analysis(DEFAULTS, run={"estimators": ["imputation", "twfe"]}).estimators == \
        ("twfe", "imputation")


@pytest.mark.parametrize(("run", "key", "words"), [
    ({"control_group": "never"}, "analysis.control_group", "never_treated"),
    ({"covariates": ["size"]}, "analysis.covariates", "log_employment"),
    ({"sample": {"size_class": ["tiny"]}}, "analysis.sample.size_class", "size_class: [micro, small, medium]"),
    ({"sample": {"sector": ["C"]}}, "analysis.sample.sector", "vsic_section, size_class, ownership"),
    ({"sample": {"ownership": []}}, "analysis.sample.ownership", None),
    ({"estimators": []}, "analysis.estimators", "twfe"),
    ({"n_boot": 10}, "analysis.n_boot", "499"),
    ({"seed": 1}, "analysis.seed", "control_group"),  # the seed is the suite's: not an analysis choice
])
def test_a_bad_choice_names_its_source_and_key(run, key, words):
    with pytest.raises(ParameterError) as info:
        resolve_analysis(DEFAULTS, run=run, run_source="--set")
    err = info.value
    assert err.file == "--set" and err.key == key
    if words:
        assert words in (err.hint or "")


def test_a_province_files_analysis_block_is_checked(tmp_path):
    text = (ROOT / "params" / "provinces" / "bac-lieu.yml").read_text(encoding="utf-8")
    path = tmp_path / "bac-lieu.yml"
    path.write_text(text + "analysis:\n  control_group: not_yet\n", encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        load_province_params(path)
    assert info.value.file == str(path) and info.value.key == "analysis.control_group"
    path.write_text(text + "analysis:\n  sample: {size_class: [micro, small]}\n", encoding="utf-8")
    assert load_province_params(path).analysis == {"sample": {"size_class": ["micro", "small"]}}


def test_settings_and_notebook_parameters_are_read():
    assert parse_settings(["analysis.sample.vsic_section=[C, F]", "analysis.base_period=universal"]) == \
        {"sample": {"vsic_section": ["C", "F"]}, "base_period": "universal"}
    for bad in ("control_group=not_yet_treated", "analysis.=1", "analysis.control_group"):
        with pytest.raises(ParameterError, match="cannot read the setting"):
            parse_settings([bad])
    with pytest.raises(ParameterError) as info:
        parse_settings(["analysis.anticipation=-1"])
    assert info.value.key == "analysis.anticipation"
    assert as_overrides('{"control_group": "not_yet_treated"}') == {"control_group": "not_yet_treated"}
    assert as_overrides("") == {} and as_overrides(None) == {}
    with pytest.raises(ParameterError) as info:
        as_overrides("outcome: revenue")
    assert info.value.key == "analysis.outcome" and "notebook parameter" in info.value.file


def test_cli_refuses_a_bad_setting_before_building(data_dir, tmp_path, capsys):
    rc = main(["run", "--data", str(data_dir), "--params", str(ROOT / "params"), "--reports", str(tmp_path / "r"),
               "--provinces", "ha-noi", "--lang", "en", "--set", "analysis.control_group=last_treated"])
    err = capsys.readouterr().err
    assert rc == 2 and "key: analysis.control_group" in err and "file: --set" in err
    assert not (tmp_path / "r" / "en").exists()


# ------------------------------------------------------------------- the report follows the choices

def test_comparison_group_label_appendix_payload_and_cache_key_follow(data_dir, cache_dir):
    never = _ctx(data_dir, cache_dir)
    later = _ctx(data_dir, cache_dir, control_group="not_yet_treated", covariates=["ownership"],
                 sample={"size_class": ["micro", "small", "medium"]})
    ev_never, ev_later = report.evaluate(never), report.evaluate(later)
    html_never, html_later = report.effects_html(never, ev_never), report.effects_html(later, ev_later)
    assert "never-supported comparison group" in html_never and "not-yet-supported" not in html_never
    assert "not-yet-supported comparison group" in html_later and "never-supported" not in html_later
    vi = _ctx(data_dir, cache_dir, lang="vi", control_group="not_yet_treated")
    assert "chưa được hỗ trợ tại thời điểm so sánh" in report.effects_html(vi, report.evaluate(vi))
    appendix = report.methods_html(later)
    assert "firms not yet supported at the time" in appendix
    assert "covariates: ownership" in appendix and "size class: micro, small, medium" in appendix
    pay = report.results_payload(later, ev_later)
    assert pay["analysis"]["control_group"] == "not_yet_treated"
    assert pay["analysis"]["sample"]["size_class"] == ["micro", "small", "medium"]
    assert ev_later.n_firms < ev_never.n_firms  # large firms left out
    assert ev_later.estimates["callaway_santanna"].estimate != ev_never.estimates["callaway_santanna"].estimate
    files = sorted((cache_dir / "effects").glob("pre2025-ha-noi-*.json"))
    assert len(files) == 1  # one entry per unit: the later choices replaced the earlier one's entry


def test_estimators_shown_follow_the_choice(data_dir, cache_dir):
    ctx = _ctx(data_dir, cache_dir, estimators=["imputation"], outcome="log_tfp")
    ev = report.evaluate(ctx, cache=False)
    assert list(ev.estimates) == ["imputation"] and ev.headline.estimator == "imputation"
    assert ev.outcome == "log_tfp" and list(ev.secondary) == ["log_va_per_worker"]
    html = report.effects_html(ctx, ev)
    assert "Borusyak" in html and "Two-way fixed effects" not in html
    assert "log real value added per worker" in html  # the other outcome's row is labelled
    assert "total factor productivity" in report.methods_html(ctx)
    assert "Outcome: firm log TFP" in html and "Outcome: log real value added" not in html
    assert "Standard errors clustered by firm." in html
    by_sector = _ctx(data_dir, cache_dir, estimators=["imputation"], cluster="vsic_section")
    html = report.effects_html(by_sector, report.evaluate(by_sector, cache=False))
    assert "clustered by VSIC section" in html and "clustered by firm" not in html


def test_cache_key_changes_with_every_choice(data_dir, cache_dir):
    from evalutils.report.sections.effects import evaluation_options

    ctx = _ctx(data_dir, cache_dir)
    df = report.analysis_panel(ctx)
    base = effects_cache_key(df, evaluation_options(ctx))
    for change in ({"covariates": ["log_employment"]}, {"sample": {"ownership": ["private"]}},
                   {"anticipation": 1}, {"base_period": "universal"}, {"estimators": ["twfe"]},
                   {"control_group": "not_yet_treated"}, {"n_boot": 199}):
        other = _ctx(data_dir, cache_dir, **change)
        assert effects_cache_key(df, evaluation_options(other)) != base, change


# ------------------------------------------------------------------------------- the analysis panel

@pytest.mark.parametrize("choices", [{}, {"covariates": ["ownership", "log_employment"],
                                          "control_group": "not_yet_treated",
                                          "sample": {"size_class": ["micro", "small", "medium"]}}])
def test_analysis_panel_reproduces_the_reports_estimates_exactly(data_dir, cache_dir, choices):
    ctx = _ctx(data_dir, cache_dir, **choices)
    payload = report.results_payload(ctx, report.evaluate(ctx))
    p = er.analysis_panel("ha-noi", data_dir=data_dir, params_dir=ROOT / "params", cache_dir=cache_dir,
                          analysis={**FAST, **choices})
    assert p.choices == ctx.analysis
    got = {"twfe": twfe(p.data, **p.arguments("twfe")).tidy().iloc[0],
           "callaway_santanna": att_gt(p.data, **p.arguments("callaway_santanna")).aggregate("simple").tidy().iloc[0],
           "imputation": did_imputation(p.data, **p.arguments("imputation")).tidy().iloc[0]}
    for name, row in got.items():
        want = payload["effects"][name]
        for col in ("estimate", "std_error", "conf_low", "conf_high", "p_value"):
            assert row[col] == want[col], (name, col)
    assert payload["n_firms"] == p.data["firm_id"].nunique()
    assert payload["n_supported"] == p.data.loc[p.data["first_support"] > 0, "firm_id"].nunique()
    assert p.summary()["n_firms"].sum() == payload["n_firms"]
    if choices:
        # the text covariate became dummies (no "could not convert string to float: 'private'")
        assert "ownership_foreign" in p.covariates and "ownership" not in p.covariates
        assert set(p.data["ownership_foreign"].unique()) <= {0.0, 1.0}
        assert p.arguments("twfe")["covariates"] == ["log_employment"]  # ownership is absorbed by firm effects


def test_sample_restriction_uses_first_year_attributes():
    from evalutils.measures.analysis import restrict_sample, size_class

    df = pd.DataFrame({"firm_id": ["a", "a", "b", "b"], "year": [2019, 2020, 2019, 2020],
                       "vsic_section": ["C", "C", "G", "G"], "ownership": ["private"] * 4,
                       "employment": [90, 300, 90, 60]})
    # a manufacturer with 90 workers is small; a trader with 90 is medium (Decree 80/2021); a's growth later on
    # does not move it out of the sample
    assert size_class(df).tolist() == ["small", "small", "medium", "medium"]
    assert restrict_sample(df, size_class=["small"])["firm_id"].tolist() == ["a", "a"]
    assert restrict_sample(df, vsic_section=["G"], ownership=["private"])["firm_id"].tolist() == ["b", "b"]


def test_a_province_block_reaches_the_report(data_dir, cache_dir, tmp_path):
    params = tmp_path / "params"
    shutil.copytree(ROOT / "params", params)
    path = params / "provinces" / "ha-noi.yml"
    path.write_text(path.read_text(encoding="utf-8") + "analysis:\n  control_group: not_yet_treated\n",
                    encoding="utf-8")
    ctx = report.load_province_context("ha-noi", data_dir=data_dir, params_dir=params, lang="en",
                                       cache_dir=cache_dir)
    assert ctx.analysis.control_group == "not_yet_treated"
    # a run's override still wins
    again = report.load_province_context("ha-noi", data_dir=data_dir, params_dir=params, lang="en",
                                         cache_dir=cache_dir, analysis="control_group: never_treated")
    assert again.analysis.control_group == "never_treated"
    assert np.isfinite(ctx.analysis.n_boot)


def test_members_of_a_2025_unit_must_agree(data_dir, cache_dir, tmp_path):
    from evalutils.geography import province_codes, provinces

    params = tmp_path / "params"
    shutil.copytree(ROOT / "params", params)
    slugs = provinces().set_index("code").loc[province_codes("2025", "tuyen-quang"), "slug"].tolist()
    assert len(slugs) == 2
    for slug, group in zip(slugs, ("never_treated", "not_yet_treated"), strict=True):
        path = params / "provinces" / f"{slug}.yml"
        path.write_text(path.read_text(encoding="utf-8") + f"analysis:\n  control_group: {group}\n",
                        encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        report.load_province_context("tuyen-quang", data_dir=data_dir, params_dir=params, geography="2025",
                                     cache_dir=cache_dir)
    assert info.value.key == "analysis.control_group" and slugs[1] in info.value.file
    assert f"{slugs[0]}.yml" in info.value.message


def test_a_runs_overrides_are_inputs_of_its_reports(data_dir, tmp_path):
    import json as _json

    from evalutils.render.manifest import task_inputs
    from evalutils.render.task import ReportTask

    plain = ReportTask("ha-noi", "vi", data_dir, ROOT / "params", tmp_path)
    changed = ReportTask("ha-noi", "vi", data_dir, ROOT / "params", tmp_path,
                         analysis=_json.dumps({"control_group": "not_yet_treated"}))
    assert "analysis" not in plain.parameters
    assert changed.parameters["analysis"] == {"control_group": "not_yet_treated"}
    a, b = task_inputs(plain), task_inputs(changed)
    assert a != b and b["analysis"] == changed.analysis
