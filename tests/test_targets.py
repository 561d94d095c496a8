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
    assert st.status == "behind" and st.observed == 1


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
    assert evaluate_target(t, None, _series({2021: 1}), about_tolerance=0.1).status == "no_data"
    st = evaluate_target(t, (2026, 2030), _series({2021: 1, 2025: 3}), about_tolerance=0.1)
    assert st.status == "no_data" and "not started" in st.reason


def test_missing_years_are_reported():
    st = evaluate_target(_target(value=3), (2021, 2025), _series({2021: 2, 2023: 2, 2025: 1}), about_tolerance=0.1)
    assert st.status == "met" and "no data for 2022, 2024" in st.reason
