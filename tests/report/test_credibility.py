"""Plain-words inference in the report (issue 12): pre-trend test with power, MDE, breakdown value."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from evalutils.effects import att_gt, minimum_detectable_effect
from evalutils.effects.montecarlo import Design, simulate_panel
from evalutils.i18n import MESSAGES
from evalutils.report.sections.credibility import (breakdown_sentence, key_breakdown_sentence, mde_sentence,
                                                   pretrend_paragraphs, sensitivity_paragraphs)

KW = dict(outcome="y", unit="firm", time="year", group="g")


@pytest.fixture(scope="module")
def pieces():
    df = simulate_panel(Design("30 of 300", 300, 30), np.random.default_rng(3))
    res = att_gt(df, **KW, n_boot=49)
    agg = res.aggregate("simple")
    head = SimpleNamespace(estimate=agg.overall_estimate, p_value=agg.p_value)
    return res.pretest(trend=0.01), minimum_detectable_effect(df, **KW), head


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pretrend_paragraphs_give_the_test_and_its_power(pieces, lang):
    pt, _, _ = pieces
    text = " ".join(pretrend_paragraphs(SimpleNamespace(pretest=pt), lang))
    assert "80%" in text and ("1,0%" if lang == "vi" else "1.0%") in text
    assert f"{round(100 * pt.power):d}%" in text
    verdict = MESSAGES["pretest_diff" if pt.p_value < 0.05 else "pretest_no_diff"][lang]
    assert verdict in text
    assert pretrend_paragraphs(SimpleNamespace(pretest=None), lang) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_mde_sentence_says_what_could_have_been_missed(pieces, lang):
    _, mde, head = pieces
    ev = SimpleNamespace(mde=mde, estimates={"callaway_santanna": head})
    want = "kf_mde_missed" if head.p_value >= 0.05 else "kf_mde"
    first_words = MESSAGES[want][lang].split("{")[0]
    assert mde_sentence(ev, lang).startswith(first_words)
    sig = SimpleNamespace(mde=mde, estimates={"callaway_santanna": SimpleNamespace(p_value=0.001)})
    notsig = SimpleNamespace(mde=mde, estimates={"callaway_santanna": SimpleNamespace(p_value=0.4)})
    assert mde_sentence(sig, lang).startswith(MESSAGES["kf_mde"][lang].split("{")[0])
    assert mde_sentence(notsig, lang).startswith(MESSAGES["kf_mde_missed"][lang].split("{")[0])
    assert mde_sentence(SimpleNamespace(mde=None), lang) is None


def test_breakdown_sentence_in_plain_words():
    s = breakdown_sentence(SimpleNamespace(breakdown=1.94, breakdown_cap=10.0), "en")
    assert s == MESSAGES["kf_breakdown"]["en"].format(m="1.94")
    assert "1,94" in breakdown_sentence(SimpleNamespace(breakdown=1.94, breakdown_cap=10.0), "vi")
    assert "10.0" in breakdown_sentence(SimpleNamespace(breakdown=np.inf, breakdown_cap=10.0), "en")
    assert breakdown_sentence(SimpleNamespace(breakdown=np.nan, breakdown_cap=10.0), "en") is None
    assert breakdown_sentence(None, "en") is None


def test_sensitivity_paragraph_and_key_finding_agree_with_the_headline():
    sens = SimpleNamespace(breakdown=0.5, breakdown_cap=10.0, original=(0.02, 0.12))
    ev_sig = SimpleNamespace(diagnostics={"sensitivity": sens},
                             estimates={"callaway_santanna": SimpleNamespace(p_value=0.01)})
    ev_not = SimpleNamespace(diagnostics={"sensitivity": sens},
                             estimates={"callaway_santanna": SimpleNamespace(p_value=0.2)})
    (para,) = sensitivity_paragraphs(ev_sig, "en")
    assert MESSAGES["sens_breakdown"]["en"].format(m="0.50") in para and "2.0% to 12.7%" in para
    assert key_breakdown_sentence(ev_sig, "en") == MESSAGES["kf_breakdown"]["en"].format(m="0.50")
    # a headline that is not significant has no conclusion to defend in the key findings
    assert key_breakdown_sentence(ev_not, "en") is None
    none = SimpleNamespace(diagnostics={"sensitivity": SimpleNamespace(breakdown=np.nan, breakdown_cap=10.0,
                                                                       original=(-0.02, 0.12))})
    assert MESSAGES["sens_no_conclusion"]["vi"] in sensitivity_paragraphs(none, "vi")[0]
    assert sensitivity_paragraphs(SimpleNamespace(diagnostics={}), "en") == []


def test_no_sentence_calls_a_published_test_or_interval_unreliable():
    for key in ("pretest_few",):
        assert key not in MESSAGES
    for msg in MESSAGES.values():
        assert "too easily" not in msg["en"] and "underestimated" not in msg["en"]
        assert "dễ cho kết luận" not in msg["vi"]
