"""The national synthesis' sections (report.national): escaped text, typed pooled estimate, a payload that names
the estimator behind every number. Built from hand-made results: no estimation here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evalutils.evaluate import Estimate
from evalutils.report import national
from evalutils.report.national import NationalContext, PooledEstimate, WildBootstrap

ROOT = Path(__file__).resolve().parents[2]


def _ctx(lang="en"):
    from evalutils.panel.params import load_defaults

    panel = pd.DataFrame({"firm_id": ["a", "b"], "year": [2020, 2021]})
    return NationalContext(lang, load_defaults(ROOT / "params" / "defaults.yml"), panel, pd.DataFrame(),
                           {"synthetic": True}, ROOT / "params", Path("/nowhere"))


def _pooled(wild: bool) -> PooledEstimate:
    e = Estimate("twfe", "log_va_per_worker", 0.0312, 0.0101, 0.0114, 0.051, 0.002, 1000, 120, "TWFE")
    return PooledEstimate(e, 63, WildBootstrap(0.004, 0.009, 0.055, 999) if wild else None,
                          "" if wild else "too few clusters <script>")


def test_effects_table_escapes_names_and_reasons_and_suppresses_small_counts():
    effects = pd.DataFrame([
        {"unit": "95", "name_vi": "Bạc Liêu", "name_en": "Bac Lieu", "n_firms": 200, "n_supported": 2, "cs": np.nan,
         "cs_low": np.nan, "cs_high": np.nan, "twfe": np.nan, "reason": "2 supported <b>firms</b>"},
        {"unit": "01", "name_vi": "Hà Nội <i>", "name_en": "Hanoi <i>", "n_firms": 900, "n_supported": 40,
         "cs": 0.05, "cs_low": -0.01, "cs_high": 0.09, "twfe": 0.04, "reason": ""}])
    effects.attrs["k"] = 3
    html = national.effects_table_html(effects, "en")
    assert "<b>" not in html and "&lt;b&gt;firms&lt;/b&gt;" in html and "Hanoi &lt;i&gt;" in html
    assert "Hà Nội" not in html and "Bac Lieu" in html  # the English report names the provinces in English
    assert "&lt;3" in html and ">2<" not in html  # two supported firms are published as "<3"
    # percent changes 100 (e^b - 1), the interval's ends one by one: e^0.05 - 1 = 5.1%, e^-0.01 - 1 = -1.0%,
    # e^0.09 - 1 = 9.4%, e^0.04 - 1 = 4.1%; no log points
    assert "[\u22121.0%, 9.4%]" in html and ">5.1%<" in html and ">4.1%<" in html
    assert "0.050" not in html and "0.090" not in html
    vi = national.effects_table_html(effects, "vi")
    assert "Hà Nội &lt;i&gt;" in vi and "[\u22121,0%; 9,4%]" in vi and ">5,1%<" in vi and ">4,1%<" in vi


def test_pooled_text_and_payload_name_their_estimator():
    ctx = _ctx()
    text = national.pooled_html(ctx, _pooled(wild=True))
    # a percent change first (e^0.0312 - 1 = 3.2%, interval e^0.009 - 1, e^0.055 - 1), then the log figures with
    # three decimals as the effects table and the website print them, the p-value, the bootstrap's draws
    assert "3.2% higher than without support, with a 95% confidence interval of 0.9% to 5.7%" in text
    assert "estimate 0.031, interval [0.009; 0.055], p = 0.004" in text and "999 draws" in text
    assert "p = 0.000" not in national.pooled_html(ctx, PooledEstimate(_pooled(True).estimate, 63,
                                                                         WildBootstrap(0.0, 0.009, 0.055, 999)))
    assert national.p_text(0.0004, "vi") == "< 0,001" and national.p_text(0.0123, "vi") == "= 0,012"
    missing = national.pooled_html(ctx, _pooled(wild=False))
    assert "&lt;script&gt;" in missing and "<script>" not in missing
    effects = pd.DataFrame({"unit": ["95", "01"], "cs": [np.nan, 0.05], "cs_low": [np.nan, 0.01],
                            "cs_high": [np.nan, 0.09], "n_supported": [4, 30]})
    attainment = pd.DataFrame({"province": ["A"], "targets": [6], "met": [3], "on_track": [0], "behind": [2],
                               "no_data": [1]})
    p = national.results_payload(ctx, effects, _pooled(wild=True), attainment)
    # the counts the key findings state
    assert p["findings"]["units"] == {"n": 2, "n_estimated": 1, "above_zero": 1, "below_zero": 0,
                                      "includes_zero": 0, "min_supported": 10, "others": "few_supported",
                                      "by_chance": 0}
    assert p["findings"]["targets"] == {"provinces": 1, "targets": 6, "met": 3, "on_track": 0, "behind": 2,
                                        "no_data": 1}
    assert national.results_payload(ctx, effects, _pooled(wild=True))["findings"]["targets"] is None
    # one interval and p-value, the wild bootstrap's, as the text quotes them (issue 14: one number, one source)
    assert p["effect"]["estimator"] == "twfe" and p["effect"]["p_value"] == 0.004
    assert (p["effect"]["conf_low"], p["effect"]["conf_high"]) == (0.009, 0.055)
    assert p["effect"]["interval"] == "wild_cluster_bootstrap" and "[0.009; 0.055]" in text
    analytic = national.results_payload(ctx, effects, _pooled(wild=False))["effect"]
    assert analytic["interval"] == "analytic_cluster" and analytic["p_value"] == 0.002
    assert p["province_effects_estimator"] == "callaway_santanna"
    assert p["province_effects"] == {"95": None, "01": 0.05} and p["n_units_estimated"] == 1
    assert p["wild_bootstrap"] == {"p_value": 0.004, "conf_low": 0.009, "conf_high": 0.055, "n_boot": 999}
    assert "wild_bootstrap" not in national.results_payload(ctx, effects, _pooled(wild=False))


def test_headings_are_escaped_messages():
    html = national.section_heading_html("pooled_heading", "vi", "a < b")
    assert html.startswith("<h2>") and "a &lt; b" in html


def test_summary_counts_intervals_and_quotes_the_one_pooled_interval():
    ctx = _ctx()
    effects = pd.DataFrame({"unit": ["95", "01", "79", "08"], "cs": [np.nan, 0.05, -0.2, 0.01],
                            "cs_low": [np.nan, 0.01, -0.3, -0.02], "cs_high": [np.nan, 0.09, -0.1, 0.04],
                            "n_supported": [4, 30, 20, 25]})
    attainment = pd.DataFrame({"province": ["A", "B"], "targets": [6, 3], "met": [3, 1], "on_track": [0, 1],
                               "behind": [3, 0], "no_data": [0, 1]})
    html = national.summary_html(ctx, effects, _pooled(wild=True), attainment)
    assert "estimated for 3 of the 4 provinces (the others have fewer than 10 supported firms)" in html
    assert "wholly above zero in 1, wholly below zero in 1 and includes zero in 1" in html
    assert "by chance alone" not in html  # 5% of 3 intervals rounds to none
    # the wild bootstrap's interval (0.009, 0.055 in logs) as percent changes, the same one the payload carries
    assert "3.2% higher" in html and "0.9% to 5.7%" in html
    assert "2 provinces have quantitative targets entered, 9 in all — 4 met, 1 on track, 3 behind, 1 without" in html
    assert "0.9% to" not in national.summary_html(ctx, effects, _pooled(wild=False), attainment)
    # a province left out for another reason than too few supported firms: the reasons are in the table
    other = effects.assign(n_supported=[40, 30, 20, 25])
    assert "(the table gives the reason for each of the others)" in national.summary_html(ctx, other,
                                                                                       _pooled(True), attainment)
    many = pd.concat([effects.iloc[1:]] * 10, ignore_index=True)  # 30 estimates: about 2 by chance alone
    assert "With 30 estimates, about 2 intervals would exclude zero by chance alone." in national.summary_html(
        ctx, many, _pooled(True), attainment)


def test_a_negative_pooled_effect_is_sized_as_the_percent_change_it_is():
    # b = -0.2: 100 (e^b - 1) = -18.1 %, a fall of 18.1 % (not e^|b| - 1 = 22.1 %)
    e = Estimate("twfe", "log_va_per_worker", -0.2, 0.01, -0.22, -0.18, 0.001, 1000, 120, "TWFE")
    for lang, size in (("en", "18.1%"), ("vi", "18,1%")):
        text = national.pooled_html(_ctx(lang), PooledEstimate(e, 63, WildBootstrap(0.004, -0.23, -0.17, 999)))
        assert size in text and "22.1" not in text and "22,1" not in text, text
