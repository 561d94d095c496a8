"""The productivity functions run end to end on the demo panel (docs/CONVENTIONS.md schema)."""

import numpy as np
import pytest

from evalutils.productivity import (
    estimate_production_function,
    growth_accounting,
    labour_productivity,
    melitz_polanec,
    productivity_growth,
)


@pytest.fixture(scope="module")
def demo():
    demo_mod = pytest.importorskip("evalutils.panel.demo")
    return demo_mod.generate_demo(scale=0.05)


def test_labour_productivity_growth_by_province(demo):
    panel, defl = demo.panel, demo.deflators
    lp = labour_productivity(panel, value_added="value_added", employment="employment", year="year",
                             deflators=defl)
    assert lp.notna().all() and (lp > 0).all()
    g = productivity_growth(panel, value_added="value_added", employment="employment", year="year",
                            by="province_code", unit="firm_id", deflators=defl, target_growth=0.07)
    assert g["province_code"].nunique() == panel["province_code"].nunique()
    assert (g["n_firms"] > 0).all()
    later = g[g["year"] > g["year"].min()]
    assert later["growth"].notna().all() and later["meets_target"].notna().all()


def test_tfp_decomposition_and_growth_accounting(demo):
    panel, defl = demo.panel, demo.deflators
    d = panel.merge(defl, on="year")
    d["y"] = np.log(d["value_added"] / d["deflator"])
    d["k"] = np.log(d["capital"] / d["deflator"])
    d["l"] = np.log(d["employment"])
    d["m"] = np.log(d["intermediate_inputs"] / d["deflator"])
    pf = estimate_production_function(d, method="acf", output="y", free="l", state="k", proxy="m",
                                      unit="firm_id", time="year", by="vsic_section", min_firms=100)
    d["log_tfp"] = pf.tfp(d)
    assert d["log_tfp"].notna().all()
    mp = melitz_polanec(d, productivity="log_tfp", weight="employment", unit="firm_id", time="year",
                        start=2016, end=2024)
    r = mp.iloc[0]
    assert r["within"] + r["between"] + r["entry"] + r["exit"] == pytest.approx(r["total"])
    ga = growth_accounting(panel, output="value_added", capital="capital", labour="employment",
                           group="province_code", year="year", unit="firm_id", period=(2016, 2024),
                           elasticities=demo.truth["elasticities"], deflators=defl, target_tfp_share=0.30)
    per = ga.period
    assert len(per) == panel["province_code"].nunique() + 1
    parts = per[["capital_contribution", "labour_contribution", "tfp_contribution"]].sum(axis=1)
    np.testing.assert_allclose(parts, per["output_growth"], atol=1e-12)
    assert per["meets_target"].notna().all()
