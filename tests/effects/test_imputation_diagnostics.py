"""BJS imputation estimator, TWFE weights (dCDH) and the Goodman-Bacon decomposition."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalutils.effects import bacon_decomposition, did_imputation, twfe, twfe_weights
from evalutils.errors import EstimationError

from .conftest import simulate_staggered

pf = pytest.importorskip("pyfixest")


@pytest.fixture(scope="module")
def het() -> pd.DataFrame:
    return simulate_staggered(n_units=600, seed=11)


def test_imputation_point_estimate_equals_fe_prediction():
    het = simulate_staggered(n_units=200, seed=12)
    res = did_imputation(het, outcome="y", unit="unit", time="year", group="cohort")
    untreated = het[het["treated"] == 0]
    treated = het[het["treated"] == 1]
    # reference: explicit dummy-variable regression on the untreated observations
    units = np.sort(untreated["unit"].unique())
    years = np.sort(untreated["year"].unique())
    Z = np.column_stack([
        (untreated["unit"].to_numpy()[:, None] == units[None, :]).astype(float),
        (untreated["year"].to_numpy()[:, None] == years[None, 1:]).astype(float),
    ])
    coef = np.linalg.lstsq(Z, untreated["y"].to_numpy(), rcond=None)[0]
    a = dict(zip(units, coef[: len(units)], strict=True))
    b = dict(zip(years, np.r_[0.0, coef[len(units):]], strict=True))
    tau = treated["y"].to_numpy() - treated["unit"].map(a).to_numpy() - treated["year"].map(b).to_numpy()
    assert res.overall_estimate == pytest.approx(tau.mean(), abs=1e-9)
    # pyfixest agrees up to its fixed-effect convergence tolerance
    fit = pf.feols("y ~ 1 | unit + year", data=untreated)
    assert res.overall_estimate == pytest.approx(np.mean(treated["y"].to_numpy() - fit.predict(newdata=treated)), abs=1e-4)
    e = (treated["year"] - treated["cohort"]).to_numpy()
    ev = res.event_effects.set_index("event_time")
    for lev in np.unique(e):
        assert ev.loc[lev, "estimate"] == pytest.approx(tau[e == lev].mean(), abs=1e-9)
    # the variance weights solve the normal equations (Z0'v0 = -Z1'w)
    assert res.weights_check < 1e-8


def test_imputation_recovers_truth_and_twfe_does_not(het):
    res = did_imputation(het, outcome="y", unit="unit", time="year", group="cohort")
    truth = het.loc[het["treated"] == 1, "tau"].mean()  # average effect on treated observations
    assert abs(res.overall_estimate - truth) < 1.96 * res.overall_std_error
    ev = res.event_effects.set_index("event_time")
    true_e = het[het["treated"] == 1].assign(e=lambda d: d["year"] - d["cohort"]).groupby("e")["tau"].mean()
    z = (ev.loc[true_e.index, "estimate"] - true_e) / ev.loc[true_e.index, "std_error"]
    assert (np.abs(z) < 3).all()
    tw = twfe(het, outcome="y", unit="unit", time="year", treatment="treated")
    assert abs(tw.estimate - truth) > 4 * tw.std_error
    pt = res.pretrend_test(k=3)
    assert pt["p_value"] > 0.01
    tidy = res.tidy()
    assert tidy.loc[0, "term"] == "ATT" and "<table" in res._repr_html_()


def test_imputation_constant_effect_close_to_twfe():
    df = simulate_staggered(n_units=400, seed=2, effect="constant")
    res = did_imputation(df, outcome="y", unit="unit", time="year", group="cohort")
    tw = twfe(df, outcome="y", unit="unit", time="year", treatment="treated")
    assert res.overall_estimate == pytest.approx(0.2, abs=3 * res.overall_std_error)
    assert abs(res.overall_estimate - tw.estimate) < 0.05


def test_imputation_errors(het):
    with pytest.raises(EstimationError, match="no treated"):
        did_imputation(het.assign(cohort=0), outcome="y", unit="unit", time="year", group="cohort")
    allt = het.assign(cohort=2010)  # everyone treated from the first period: nothing to impute from
    with pytest.raises(EstimationError, match="no untreated"):
        did_imputation(allt, outcome="y", unit="unit", time="year", group="cohort")


def test_twfe_weights_reproduce_twfe_and_find_negative_weights(het):
    w = twfe_weights(het, outcome="y", unit="unit", time="year", treatment="treated", group="cohort")
    tw = twfe(het, outcome="y", unit="unit", time="year", treatment="treated")
    assert w.beta_fe == pytest.approx(tw.estimate, abs=1e-8)
    assert w.weights["weight"].sum() == pytest.approx(1.0)
    assert w.n_negative > 0 and w.sum_negative < 0
    # negative weights sit on the long-exposed cells of the earliest cohort
    late = w.by_cell[(w.by_cell["cohort"] == 2013) & (w.by_cell["year"] >= 2017)]
    assert (late["weight"] < 0).all()
    # with an outcome that is exactly unit + year effects + tau, TWFE = sum of weights x tau
    noise_free = het.assign(y2=0.1 * het["unit"] + 0.03 * het["year"] + het["tau"])
    w2 = twfe_weights(noise_free, outcome="y2", unit="unit", time="year", treatment="treated")
    assert w2.beta_fe == pytest.approx(w2.implied_estimate(noise_free.loc[noise_free["treated"] == 1, "tau"]), abs=1e-9)
    assert set(w.tidy()["statistic"]) >= {"n_negative_weights", "sigma_fe"}


def test_bacon_decomposition_sums_to_twfe(het, mpdta):
    b = bacon_decomposition(het, outcome="y", unit="unit", time="year", group="cohort")
    tw = twfe(het, outcome="y", unit="unit", time="year", treatment="treated")
    assert b.comparisons["weight"].sum() == pytest.approx(1.0, abs=1e-10)
    assert (b.comparisons["weight"] * b.comparisons["estimate"]).sum() == pytest.approx(tw.estimate, abs=1e-10)
    assert b.beta_fe == pytest.approx(tw.estimate, abs=1e-10)
    s = b.summary().set_index("type")
    assert s.loc["later vs earlier treated (already treated controls)", "avg_estimate"] < 0
    m = mpdta.assign(D=((mpdta["first.treat"] > 0) & (mpdta["year"] >= mpdta["first.treat"])).astype(int))
    bm = bacon_decomposition(m, outcome="lemp", unit="countyreal", time="year", group="first.treat")
    tm = twfe(m, outcome="lemp", unit="countyreal", time="year", treatment="D")
    assert bm.beta_fe == pytest.approx(tm.estimate, abs=1e-10)
    with pytest.raises(EstimationError, match="balanced"):
        bacon_decomposition(het.iloc[5:], outcome="y", unit="unit", time="year", group="cohort")
    assert "<table" in b._repr_html_()
