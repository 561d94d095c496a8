"""Known-truth checks: do the estimators recover the elasticities that generated the data?

Tolerances: on these sample sizes the firm-bootstrap standard errors (computed
once, 20–30 replications) are about 0.01–0.02 for labour and capital, so 0.05 is
3–4 standard errors; the demo adds small biases of its own (integer employment,
year shocks outside the Markov process), which is why its check uses the two
largest sectors only.
"""

import numpy as np
import pytest

from evalutils.productivity import estimate_production_function
from evalutils.productivity._simulate import simulate_panel

TOL = 0.05


@pytest.fixture(scope="module")
def sim():
    return simulate_panel(400, 8, seed=3)


@pytest.mark.parametrize("method", ["lp", "acf"])
def test_control_function_estimators_recover_truth(sim, method):
    res = estimate_production_function(sim, method=method, output="y", free="l", state="k", proxy="m",
                                       unit="firm", time="year")
    assert res.elasticities["l"] == pytest.approx(0.6, abs=TOL)
    assert res.elasticities["k"] == pytest.approx(0.3, abs=TOL)


def test_olley_pakes_with_zero_investment_recovers_truth(sim):
    lv = sim.assign(Y=np.exp(sim.y), L=np.exp(sim.l), K=np.exp(sim.k))
    res = estimate_production_function(lv, method="op", output="Y", free="L", state="K", proxy="inv",
                                       unit="firm", time="year", logs=False)
    assert res.elasticities["L"] == pytest.approx(0.6, abs=TOL)
    assert res.elasticities["K"] == pytest.approx(0.3, abs=TOL)
    assert sum(res.fits["all"].rows_dropped.values()) > 0


@pytest.fixture(scope="module")
def demo_panel():
    demo_mod = pytest.importorskip("evalutils.panel.demo")
    demo = demo_mod.generate_demo(scale=0.05)
    d = demo.panel.merge(demo.deflators, on="year")
    d["y"] = np.log(d["value_added"] / d["deflator"])
    d["k"] = np.log(d["capital"] / d["deflator"])
    d["l"] = np.log(d["employment"])
    d["m"] = np.log(d["intermediate_inputs"] / d["deflator"])
    return d, demo.truth["elasticities"]


def test_acf_recovers_the_demo_elasticities_by_sector(demo_panel):
    d, truth = demo_panel
    res = estimate_production_function(d, method="acf", output="y", free="l", state="k", proxy="m",
                                       unit="firm_id", time="year", by="vsic_section", min_firms=100)
    assert res.converged
    for sector in ("C", "G"):  # the two largest sectors
        p = res.fits[sector].params
        assert p["l"] == pytest.approx(truth["labour"], abs=TOL)
        assert p["k"] == pytest.approx(truth["capital"], abs=TOL)


def test_lp_is_not_identified_when_materials_are_leontief_in_value_added(demo_panel):
    """The Ackerberg–Caves–Frazer critique, visible on the demo: materials are a fixed
    share of value added, so given (k, m) labour carries no information and LP's first
    stage puts the labour elasticity near zero. This is why ACF is the default."""
    d, truth = demo_panel
    c = d[d["vsic_section"] == "C"]
    res = estimate_production_function(c, method="lp", output="y", free="l", state="k", proxy="m",
                                       unit="firm_id", time="year")
    assert abs(res.elasticities["l"]) < 0.1 < truth["labour"]
