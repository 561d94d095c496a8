import numpy as np
import pandas as pd
import pytest

from evalutils.errors import DataValidationError
from evalutils.productivity import labour_productivity, productivity_growth


@pytest.fixture
def panel():
    return pd.DataFrame(
        {
            "firm_id": ["a", "a", "b", "b", "c", "c"],
            "year": [2020, 2021, 2020, 2021, 2020, 2021],
            "province_code": ["01", "01", "01", "01", "79", "79"],
            "value_added": [100.0, 132.0, 50.0, 55.0, 30.0, 33.0],
            "employment": [10, 11, 5, 5, 3, 3],
        }
    )


@pytest.fixture
def deflators():
    return pd.DataFrame({"year": [2020, 2021], "deflator": [1.0, 1.1]})


def test_real_value_added_per_worker(panel, deflators):
    lp = labour_productivity(panel, value_added="value_added", employment="employment",
                             year="year", deflators=deflators)
    assert lp.name == "labour_productivity"
    assert lp.iloc[0] == pytest.approx(10.0)
    assert lp.iloc[1] == pytest.approx(132.0 / 1.1 / 11)


def test_nominal_warning(panel):
    with pytest.warns(UserWarning, match="nominal"):
        labour_productivity(panel, value_added="value_added", employment="employment", year="year")


def test_missing_deflator_year(panel):
    with pytest.raises(DataValidationError, match="2021"):
        labour_productivity(panel, value_added="value_added", employment="employment", year="year",
                            deflators=pd.DataFrame({"year": [2020], "deflator": [1.0]}))


@pytest.mark.parametrize("bad", [-5.0, np.nan])
def test_negative_or_missing_value_added_names_column_and_rows(panel, bad):
    panel.loc[3, "value_added"] = bad
    with pytest.raises(DataValidationError) as err:
        labour_productivity(panel, value_added="value_added", employment="employment", year="year",
                            deflators=pd.DataFrame({"year": [2020, 2021], "deflator": [1.0, 1.0]}))
    assert err.value.column == "value_added"
    assert err.value.rows == [3]


def test_growth_ratio_aggregate_and_firm_counts(panel, deflators):
    out = productivity_growth(panel, value_added="value_added", employment="employment", year="year",
                              by="province_code", unit="firm_id", deflators=deflators,
                              target_growth=0.07)
    hn = out[(out.province_code == "01") & (out.year == 2021)].iloc[0]
    level20 = 150.0 / 15
    level21 = (132.0 + 55.0) / 1.1 / 16
    assert hn.productivity == pytest.approx(level21)
    assert hn.growth == pytest.approx(level21 / level20 - 1)
    assert hn.n_firms == 2 and hn.n_firms_prev == 2
    assert bool(hn.meets_target) is bool(level21 / level20 - 1 > 0.07)
    first = out[out.year == 2020]
    assert first.growth.isna().all()


def test_growth_alternative_aggregates(panel, deflators):
    w = productivity_growth(panel, value_added="value_added", employment="employment", year="year",
                            deflators=deflators, aggregate="weighted_log_mean")
    lp20 = np.array([10.0, 10.0, 10.0])
    emp20 = np.array([10, 5, 3])
    assert w.iloc[0].productivity == pytest.approx(np.exp((np.log(lp20) * emp20).sum() / emp20.sum()))
    m = productivity_growth(panel, value_added="value_added", employment="employment", year="year",
                            deflators=deflators, aggregate="mean")
    assert m.iloc[1].productivity == pytest.approx(np.mean([132 / 1.1 / 11, 55 / 1.1 / 5, 33 / 1.1 / 3]))
    with pytest.raises(ValueError, match="'ratio'"):
        productivity_growth(panel, value_added="value_added", employment="employment", year="year",
                            deflators=deflators, aggregate="median")


def test_growth_needs_exact_previous_year(deflators):
    df = pd.DataFrame({"year": [2019, 2021], "value_added": [10.0, 12.0], "employment": [1, 1]})
    d = pd.DataFrame({"year": [2019, 2021], "deflator": [1.0, 1.0]})
    out = productivity_growth(df, value_added="value_added", employment="employment", year="year",
                              deflators=d)
    assert out.growth.isna().all()
