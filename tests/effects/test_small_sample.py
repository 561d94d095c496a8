"""Small-sample inference (issue 12): stratified variance, the calibrated pre-trend test, the MDE, and designs
with no valid inference. Exact checks against closed forms; the Monte Carlo checks are in test_inference_mc.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalutils import _dist
from evalutils.effects import att_gt, did_imputation, minimum_detectable_effect
from evalutils.effects._smallsample import stratified_variance
from evalutils.effects.montecarlo import Design, simulate_panel
from evalutils.effects.power import design_weights, _wide
from evalutils.errors import EstimationError

KW = dict(outcome="y", unit="firm", time="year", group="g")


def test_stratified_variance_is_welch_for_a_difference_in_means():
    rng = np.random.default_rng(3)
    a, b = rng.normal(0, 1, 4), rng.normal(0, 3, 40)
    # contributions of mean(a) - mean(b), one per unit
    contrib = np.r_[a / len(a), -b / len(b)]
    sv = stratified_variance(contrib, np.r_[np.ones(4), np.zeros(40)])
    va, vb = a.var(ddof=1) / 4, b.var(ddof=1) / 40
    assert sv.variance[0] == pytest.approx(va + vb, rel=1e-12)
    welch_df = (va + vb) ** 2 / (va**2 / 3 + vb**2 / 39)
    assert sv.df[0] == pytest.approx(welch_df, rel=1e-12)


def test_att_gt_overall_interval_is_welch_in_a_two_period_design():
    rng = np.random.default_rng(5)
    n, n1 = 60, 3
    y0, y1 = rng.normal(0, 1, n), rng.normal(0, 1, n)
    g = np.r_[np.full(n1, 2021), np.zeros(n - n1, dtype=int)]
    df = pd.DataFrame({"firm": np.repeat(np.arange(n), 2), "year": np.tile([2020, 2021], n),
                       "g": np.repeat(g, 2), "y": np.column_stack([y0, y1]).ravel()})
    agg = att_gt(df, **KW).aggregate("simple")
    d = y1 - y0
    dt, dc = d[:n1], d[n1:]
    assert agg.overall_estimate == pytest.approx(dt.mean() - dc.mean(), abs=1e-12)
    va, vb = dt.var(ddof=1) / n1, dc.var(ddof=1) / (n - n1)
    assert agg.overall_std_error == pytest.approx(np.sqrt(va + vb), rel=1e-10)
    # degrees of freedom: Welch–Satterthwaite with the stratum variances of the working model of i.i.d. noise
    # (each firm's difference y_2021 - y_2020 has variance 2 sigma^2), not the noisy estimated ones
    n0 = n - n1
    w1, w0 = 2 / n1, 2 / n0
    assert agg.overall_df == pytest.approx((w1 + w0) ** 2 / (w1**2 / (n1 - 1) + w0**2 / (n0 - 1)), rel=1e-10)
    lo, hi = agg.conf_int
    crit = _dist.StudentT(agg.overall_df).ppf(0.975)
    assert hi - lo == pytest.approx(2 * crit * agg.overall_std_error)
    tidy = agg.tidy()
    assert tidy.loc[0, "conf_low"] == pytest.approx(lo) and tidy.loc[0, "df"] == pytest.approx(agg.overall_df)
    # the asymptotic option gives did's analytic SE (no n/(n-1)) with a normal critical value
    asy = att_gt(df, **KW, bootstrap="none", inference="asymptotic").aggregate("simple")
    assert asy.overall_std_error == pytest.approx(np.sqrt(va * (n1 - 1) / n1 + vb * (n - n1 - 1) / (n - n1)))
    assert asy.overall_df is None


def test_a_cohort_of_two_firms_gets_a_wide_interval_not_a_collapsed_one():
    d = Design("2 of 400", 400, 2, cohorts=(2023,))
    df = simulate_panel(d, np.random.default_rng(11))
    res = att_gt(df, **KW, n_boot=199, seed=1)
    agg = res.aggregate("simple")
    asy = att_gt(df, **KW, n_boot=199, seed=1, inference="asymptotic").aggregate("simple")
    assert agg.overall_df < 2.5  # one treated cohort of two firms: about one degree of freedom
    lo, hi = agg.conf_int
    alo, ahi = asy.conf_int
    assert hi - lo > 5 * (ahi - alo)
    # cells and event-time bands never fall below the stratified small-sample standard errors
    dyn = res.aggregate("dynamic")
    assert (dyn.effects["std_error"] >= res._stratified(dyn.influence[:, 1:]).std_error - 1e-12).all()
    bj = did_imputation(df, **KW)
    bj_asy = did_imputation(df, **KW, inference="asymptotic")
    assert bj.overall_df < 2.5
    assert bj.conf_int[1] - bj.conf_int[0] > 5 * (bj_asy.conf_int[1] - bj_asy.conf_int[0])


def test_pretest_is_a_slope_test_naming_its_method_with_power():
    d = Design("30 of 300", 300, 30, pre_trend=0.05)
    df = simulate_panel(d, np.random.default_rng(2))
    res = att_gt(df, **KW, n_boot=99)
    pt = res.pretest(trend=0.01)
    assert "pre-period trend" in pt.method and "Welch-Satterthwaite" in pt.method
    # with the varying base period every pre cell is a one-year trend difference: the slope is their
    # cohort-size-weighted mean
    pre = res.cells[~res.cells["post"]]
    sizes = pd.Series(res.unit_group).value_counts()
    w = pre["group"].map(sizes).to_numpy(dtype=float)
    assert pt.estimate == pytest.approx(np.average(pre["att"], weights=w), abs=1e-12)
    assert pt.estimate == pytest.approx(0.05, abs=4 * pt.std_error)
    assert pt.p_value < 0.001 and pt.rejected
    # universal base period: the least-squares slope estimates the same trend
    uni = att_gt(df, **KW, n_boot=99, base_period="universal").pretest()
    assert uni.estimate == pytest.approx(0.05, abs=4 * uni.std_error)
    # power: increasing in the trend, 80 % at the detectable trend, the level alpha at zero
    p1, p2 = res.pretest(trend=0.005).power, res.pretest(trend=0.02).power
    assert 0 < p1 < p2 <= 1
    assert res.pretest(trend=pt.detectable_trend).power == pytest.approx(0.8, abs=0.01)
    assert res.pretest(trend=0.0).power == pytest.approx(0.05, abs=1e-9)
    assert pt["p_value"] == pt.p_value  # dict-style access of the old return
    assert list(pt.tidy().columns[:4]) == ["term", "estimate", "std_error", "statistic"]
    with pytest.raises(ValueError, match="'trend', 'wald'"):
        res.pretest(method="joint")


def test_inference_choice_is_validated():
    df = simulate_panel(Design("x", 100, 10), np.random.default_rng(1))
    with pytest.raises(ValueError, match="'small_sample', 'asymptotic'"):
        att_gt(df, **KW, inference="exact")
    with pytest.raises(ValueError, match="'small_sample', 'asymptotic'"):
        did_imputation(df, **KW, inference="exact")


def test_designs_without_valid_inference_raise_estimation_error():
    one = simulate_panel(Design("1 of 100", 100, 1, cohorts=(2023,)), np.random.default_rng(1))
    for fn in (att_gt, did_imputation, minimum_detectable_effect):
        with pytest.raises(EstimationError, match="single unit"):
            fn(one, **KW)
    # everyone supported in the same year, no comparison firm
    allsup = simulate_panel(Design("all", 40, 40, cohorts=(2023,)), np.random.default_rng(1))
    with pytest.raises(EstimationError, match="never-treated"):
        att_gt(allsup, **KW)
    with pytest.raises(EstimationError, match="no group-time cell"):
        att_gt(allsup, **KW, control_group="not_yet_treated")
    with pytest.raises(EstimationError, match="imput"):
        did_imputation(allsup, **KW)
    with pytest.raises(EstimationError, match="no valid comparison"):
        minimum_detectable_effect(allsup, **KW)


@pytest.mark.parametrize("control_group", ["never_treated", "not_yet_treated"])
def test_design_weights_reproduce_the_estimator(control_group):
    """The MDE's linear weights c_it are exactly those of att_gt(...).aggregate("simple")."""
    d = Design("20 of 120", 120, 20)
    df = simulate_panel(d, np.random.default_rng(4))
    holes = df.sample(frac=0.05, random_state=2).index  # unbalanced: the pairwise convention
    df = df.drop(index=holes)
    Y, G, periods = _wide(df, **KW)
    C = design_weights(G, np.isfinite(Y), periods, control_group=control_group, anticipation=0)
    assert np.allclose(C.sum(axis=1), 0)
    est = att_gt(df, **KW, control_group=control_group, unbalanced="pairwise", bootstrap="none")
    assert np.nansum(C * Y) == pytest.approx(est.aggregate("simple").overall_estimate, abs=1e-12)


def test_mde_matches_the_design_standard_error_and_power():
    d = Design("30 of 300", 300, 30)
    df = simulate_panel(d, np.random.default_rng(8))
    m = minimum_detectable_effect(df, **KW)
    assert m.power_at(m.mde) == pytest.approx(0.8, abs=0.01)
    assert m.power_at(0.0) == pytest.approx(0.05, abs=1e-9)
    # the design SE is close to the estimated small-sample SE of the same data (it does not use the estimate)
    agg = att_gt(df, **KW, n_boot=99).aggregate("simple")
    assert m.std_error == pytest.approx(agg.overall_std_error, rel=0.35)
    # AR(1) with rho = 0.8: the variogram rises with the lag towards 2 * var(u)
    g = m.variogram["gamma"].to_numpy()
    assert g[0] < g[3] < g[8]
    assert m.tidy().loc[0, "estimate"] == m.mde
