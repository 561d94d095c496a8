"""Scorecard rules: met, on track, behind, no data."""

import pandas as pd
import pytest

from evalutils.panel.params import Target
from evalutils.measures.targets import evaluate_target


def _target(**kw) -> Target:
    base = dict(id="t", plan="p", indicator="enterprises_supported", comparison="at_least", value=10,
                unit="enterprises", aggregation="cumulative", label_en="x", quote_vi="câu trích dẫn nguyên văn",
                source="s.txt")
    base.update(kw)
    return Target(**base)


def _series(values: dict) -> pd.Series:
    return pd.Series(values, dtype=float)


def test_cumulative_met_and_behind_after_period():
    s = _series({2021: 3, 2022: 3, 2023: 2, 2024: 1, 2025: 1})
    assert evaluate_target(_target(), (2021, 2025), s, about_tolerance=0.1).status == "met"
    assert evaluate_target(_target(value=11), (2021, 2025), s, about_tolerance=0.1).status == "behind"


def test_cumulative_on_track_pro_rata():
    s = _series({2021: 3, 2022: 3, 2023: 2, 2024: 1, 2025: 1})  # 10 by 2025, half of 2021-2030
    st = evaluate_target(_target(value=20), (2021, 2030), s, about_tolerance=0.1)
    assert st.status == "on_track" and st.observed == 10
    assert evaluate_target(_target(value=21), (2021, 2030), s, about_tolerance=0.1).status == "behind"


def test_per_year_needs_every_year():
    s = _series({2021: 2, 2022: 3, 2023: 1, 2024: 2, 2025: 2})
    st = evaluate_target(_target(value=2, aggregation="per_year"), (2021, 2025), s, about_tolerance=0.1)
    assert st.status == "behind" and (st.years_met, st.years_counted) == (4, 5) and st.observed == 4
    assert st.rule_name == "every_year" and "4 of 5 years" in st.rule_text("en") and "4/5 năm" in st.rule_text("vi")


def test_per_year_counts_the_years_that_met_it():
    """The issue's case: "at least 2 a year", returns 3, 0, 1, 2, 5: two years of five met, not "observed 0"."""
    s = _series({2021: 3, 2022: 0, 2023: 1, 2024: 2, 2025: 5})
    st = evaluate_target(_target(value=2, aggregation="per_year"), (2021, 2025), s, about_tolerance=0.1)
    assert (st.status, st.years_met, st.years_counted) == ("behind", 3, 5)
    assert st.progress == pytest.approx(0.6)
    every = evaluate_target(_target(value=0, aggregation="per_year"), (2021, 2025), s, about_tolerance=0.1)
    assert every.status == "met" and every.years_met == 5
    # a running period: every year so far met -> on track; a year without a return is not a year met
    running = evaluate_target(_target(value=1, aggregation="per_year"), (2021, 2027),
                              _series({2021: 3, 2022: 1, 2023: 2}), about_tolerance=0.1)
    assert running.status == "on_track" and running.years_counted == 3
    gap = evaluate_target(_target(value=1, aggregation="per_year"), (2021, 2023),
                          _series({2021: 3, 2023: 2}), about_tolerance=0.1)
    assert gap.status == "behind" and (gap.years_met, gap.years_counted) == (2, 3)


def test_cumulative_reached_before_the_period_ends_is_met():
    """The issue's case: 34 against at least 20 with a year to go is "met", not "on track"."""
    s = _series({2022: 11, 2023: 9, 2024: 8, 2025: 6})
    st = evaluate_target(_target(value=20), (2022, 2026), s, about_tolerance=0.1)
    assert st.status == "met" and st.observed == 34 and st.rule_name == "reached_early"
    assert "2026" in st.rule_text("en") and "2022–2025" in st.rule_text("vi")
    # not reached yet: pro-rata rule, with the share of the period elapsed in the rule
    st = evaluate_target(_target(value=40), (2022, 2026), s, about_tolerance=0.1)
    assert st.status == "on_track" and st.rule_name == "pro_rata" and "80%" in st.rule_text("en")
    st = evaluate_target(_target(value=45), (2022, 2026), s, about_tolerance=0.1)
    assert st.status == "behind"  # 34 < 0.8 * 45
    # a ceiling already exceeded is behind at once; within it, on track
    assert evaluate_target(_target(comparison="at_most", value=30), (2022, 2026), s,
                           about_tolerance=0.1).rule_name == "ceiling_exceeded"
    assert evaluate_target(_target(comparison="at_most", value=40), (2022, 2026), s,
                           about_tolerance=0.1).status == "on_track"


def test_plan_without_period_is_judged_over_the_years_observed():
    """The issue's case: no period stated, returns adding up exactly to the target -> met, and the rule says why."""
    s = _series({2021: 1, 2022: 2, 2023: 0, 2024: 3, 2025: 2})
    st = evaluate_target(_target(value=8), None, s, about_tolerance=0.1)
    assert st.status == "met" and st.observed == 8 and not st.period_stated and st.judged_over == (2021, 2025)
    assert "no period" in st.rule_text("en") and "2021–2025" in st.rule_text("en")
    assert "không nêu thời hạn" in st.rule_text("vi")
    assert evaluate_target(_target(value=9), None, s, about_tolerance=0.1).status == "behind"


def test_every_rule_has_both_languages():
    from evalutils.i18n import MESSAGES
    from evalutils.measures.targets import RULES
    for r in RULES:
        assert set(MESSAGES[f"rule_{r}"]) == {"vi", "en"}


def test_more_than_is_strict_and_about_has_tolerance():
    s = _series({2021: 7.0, 2022: 7.0})
    t = _target(indicator="labour_productivity_growth", unit="percent", comparison="more_than", value=7,
                aggregation="annual_average")
    assert evaluate_target(t, (2021, 2022), s, about_tolerance=0.1).status == "behind"
    t = _target(indicator="tfp_contribution_share", unit="percent", comparison="about", value=30,
                aggregation="annual_average")
    assert evaluate_target(t, (2021, 2022), _series({2021: 27.5, 2022: 28.0}), about_tolerance=0.1).status == "met"
    assert evaluate_target(t, (2021, 2022), _series({2021: 26.0, 2022: 26.5}), about_tolerance=0.1).status == "behind"


def test_between_range_and_growth():
    t = _target(indicator="enterprises_guided", comparison="between", value=None, range=(10, 15), unit="percent",
                aggregation="annual_growth")
    s = _series({2020: 100, 2021: 111, 2022: 123, 2023: 137, 2024: 152, 2025: 169})
    st = evaluate_target(t, (2021, 2025), s, about_tolerance=0.1)
    assert st.status == "met" and st.observed == pytest.approx(11.07, abs=0.01)
    st = evaluate_target(t, (2021, 2025), _series({2020: 100, 2025: 120}), about_tolerance=0.1)
    assert st.status == "behind"


def test_no_data_cases():
    t = _target()
    assert evaluate_target(t, (2021, 2025), _series({}), about_tolerance=0.1).status == "no_data"
    assert evaluate_target(t, None, _series({}), about_tolerance=0.1).status == "no_data"
    st = evaluate_target(t, (2026, 2030), _series({2021: 1, 2025: 3}), about_tolerance=0.1)
    assert st.status == "no_data" and "not started" in st.reason


def test_missing_years_are_reported():
    st = evaluate_target(_target(value=3), (2021, 2025), _series({2021: 2, 2023: 2, 2025: 1}), about_tolerance=0.1)
    assert st.status == "met" and "no data for 2022, 2024" in st.reason
