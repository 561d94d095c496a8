import numpy as np
import pandas as pd
import pytest

from evalutils.productivity import estimate_production_function, growth_accounting
from evalutils.productivity._simulate import simulate_panel

# two provinces, two firms each, 2020 -> 2022 (firm "c" exits after 2021, "e" enters in 2022)
PANEL = pd.DataFrame(
    {
        "firm": ["a", "b", "a", "b", "a", "b", "c", "d", "c", "d", "d", "e"],
        "prov": ["01"] * 6 + ["79"] * 6,
        "year": [2020, 2020, 2021, 2021, 2022, 2022, 2020, 2020, 2021, 2021, 2022, 2022],
        "va": [100.0, 50.0, 110.0, 52.0, 130.0, 60.0, 40.0, 40.0, 42.0, 44.0, 50.0, 30.0],
        "cap": [200.0, 100.0, 210.0, 100.0, 240.0, 110.0, 80.0, 90.0, 80.0, 95.0, 100.0, 60.0],
        "emp": [10, 5, 10, 5, 11, 5, 4, 4, 4, 4, 4, 3],
        "wage": [60.0, 30.0, 63.0, 31.0, 70.0, 33.0, 25.0, 25.0, 26.0, 27.0, 28.0, 20.0],
    }
)
DEFL = pd.DataFrame({"year": [2020, 2021, 2022], "deflator": [1.0, 1.0, 1.0]})
SPEC = dict(output="va", capital="cap", labour="emp", group="prov", year="year", unit="firm",
            period=(2020, 2022), deflators=DEFL)


def test_hand_computed_and_contributions_add_up():
    res = growth_accounting(PANEL, shares="estimated", elasticities={"capital": 0.3, "labour": 0.6},
                            target_tfp_share=0.30, **SPEC)
    per = res.period.set_index("group")
    hn = per.loc["01"]
    gy, gk, gl = np.log(190 / 150), np.log(350 / 300), np.log(16 / 15)
    assert hn.output_growth == pytest.approx(gy)
    assert hn.capital_contribution == pytest.approx(0.3 * gk)
    assert hn.labour_contribution == pytest.approx(0.6 * gl)
    assert hn.tfp_contribution == pytest.approx(gy - 0.3 * gk - 0.6 * gl)
    assert hn.tfp_share == pytest.approx((gy - 0.3 * gk - 0.6 * gl) / gy)
    assert bool(hn.meets_target) is bool(hn.tfp_share >= 0.30)
    assert hn.years == "2020–2022" and hn.n_firms_start == 2 and hn.n_firms_end == 2
    hcm = per.loc["79"]
    assert (hcm.n_firms_start, hcm.n_firms_end) == (2, 2)  # c exits, e enters
    assert set(per.index) == {"01", "79", "all"}
    assert per.loc["all"].output_growth == pytest.approx(np.log((190 + 80) / (150 + 80)))
    for table in (res.period, res.annual):
        total = table[["capital_contribution", "labour_contribution", "tfp_contribution"]].sum(axis=1)
        np.testing.assert_allclose(total, table["output_growth"], atol=1e-12)
    assert len(res.annual) == 3 * 2


def test_income_shares_are_tornqvist_labour_shares():
    res = growth_accounting(PANEL, shares="income", labour_share_col="wage", **SPEC)
    hn = res.period.set_index("group").loc["01"]
    al = 0.5 * (90 / 150 + 103 / 190)
    assert hn.alpha_labour == pytest.approx(al)
    assert hn.alpha_capital == pytest.approx(1 - al)
    assert hn.capital_contribution + hn.labour_contribution + hn.tfp_contribution == pytest.approx(hn.output_growth)


def test_estimated_shares_from_a_production_function():
    sim = simulate_panel(150, 6, seed=11)
    pf = estimate_production_function(sim, method="lp", output="y", free="l", state="k", proxy="m",
                                      unit="firm", time="year")
    lv = sim.assign(Y=np.exp(sim.y), K=np.exp(sim.k), L=np.exp(sim.l), prov=np.where(sim.firm % 2, "01", "79"))
    with pytest.warns(UserWarning, match="nominal"):
        res = growth_accounting(lv, output="Y", capital="K", labour="L", group="prov", year="year",
                                period=(2010, 2015), elasticities=pf, unit="firm")
    per = res.period
    assert per["alpha_labour"].iloc[0] == pytest.approx(pf.elasticities["l"])
    assert per["alpha_capital"].iloc[0] == pytest.approx(pf.elasticities["k"])
    assert (per["n_firms_start"] == per["n_firms_end"]).all()


def test_options_are_validated():
    with pytest.raises(ValueError, match="'estimated'"):
        growth_accounting(PANEL, shares="solow", **SPEC)
    with pytest.raises(ValueError, match="labour_share_col"):
        growth_accounting(PANEL, shares="income", **SPEC)
