"""TWFE: agreement with pyfixest (fixest conventions) and input errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evalutils.effects import TWFEResult, twfe
from evalutils.errors import DataValidationError, EstimationError

from .conftest import simulate_staggered

pf = pytest.importorskip("pyfixest")


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    df = simulate_staggered(n_units=300, n_clusters=40, seed=3)
    # unbalanced: drop 10% of rows at random
    return df.sample(frac=0.9, random_state=5).reset_index(drop=True)


@pytest.mark.validation
@pytest.mark.parametrize("cluster", ["unit", "cluster"])
@pytest.mark.parametrize("covariates", [None, ["x"]])
def test_twfe_matches_pyfixest(panel, cluster, covariates):
    res = twfe(
        panel, outcome="y", unit="unit", time="year", treatment="treated",
        covariates=covariates, cluster=cluster,
    )
    rhs = "treated" + (" + x" if covariates else "")
    # pyfixest 0.60 mis-detects nesting when the cluster variable is itself the first fixed
    # effect in the formula (it then treats the year effects as nested too and uses K = k + 1);
    # listing the year effect first gives fixest's own K = k + n_years.
    fit = pf.feols(f"y ~ {rhs} | year + unit", data=panel, vcov={"CRV1": cluster})
    tidy = res.tidy().set_index("term")
    ref = fit.tidy()
    assert np.max(np.abs(tidy["estimate"] - ref["Estimate"])) < 1e-6
    assert np.max(np.abs(tidy["std_error"] - ref["Std. Error"])) < 1e-6
    assert np.max(np.abs(tidy["p_value"] - ref["Pr(>|t|)"])) < 1e-6
    assert np.max(np.abs(tidy["conf_low"] - ref["2.5%"])) < 1e-6
    assert np.max(np.abs(tidy["conf_high"] - ref["97.5%"])) < 1e-6
    assert res.df_resid == panel[cluster].nunique() - 1


def test_twfe_tidy_columns_and_display(panel):
    res = twfe(panel, outcome="y", unit="unit", time="year", treatment="treated")
    assert isinstance(res, TWFEResult)
    tidy = res.tidy()
    assert list(tidy.columns) == [
        "term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high",
        "n_obs", "n_units", "n_clusters", "method",
    ]
    assert tidy.loc[0, "term"] == "treated"
    assert tidy.loc[0, "n_obs"] == len(panel)
    assert tidy.loc[0, "n_units"] == panel["unit"].nunique()
    assert tidy.loc[0, "n_clusters"] == panel["unit"].nunique()
    assert "<table" in res._repr_html_()
    assert "treated" in repr(res)


def test_twfe_linearmodels_convention_is_larger(panel):
    a = twfe(panel, outcome="y", unit="unit", time="year", treatment="treated")
    b = twfe(panel, outcome="y", unit="unit", time="year", treatment="treated", small_sample="linearmodels")
    assert a.estimate == pytest.approx(b.estimate, abs=1e-12)
    # counting every unit effect in K inflates the variance
    assert b.std_error > a.std_error


def test_twfe_string_units_and_missing_rows(panel):
    df = panel.copy()
    df["unit"] = "f" + df["unit"].astype(str)
    df.loc[df.index[:7], "y"] = np.nan
    res = twfe(df, outcome="y", unit="unit", time="year", treatment="treated")
    assert res.n_obs == len(df) - 7


def test_twfe_bad_inputs(panel):
    with pytest.raises(ValueError, match="fixest"):
        twfe(panel, outcome="y", unit="unit", time="year", treatment="treated", small_sample="stata")
    with pytest.raises(DataValidationError, match="nope"):
        twfe(panel, outcome="nope", unit="unit", time="year", treatment="treated")
    bad = panel.assign(treated=panel["treated"] * 2)
    with pytest.raises(EstimationError, match="0/1"):
        twfe(bad, outcome="y", unit="unit", time="year", treatment="treated")
    # all units treated in the same year: the indicator is collinear with the year effects
    allat = panel.assign(treated=(panel["year"] >= 2015).astype(int))
    with pytest.raises(EstimationError, match="absorbed"):
        twfe(allat, outcome="y", unit="unit", time="year", treatment="treated")
    coll = panel.assign(x2=2 * panel["x"])
    with pytest.raises(EstimationError, match="collinear"):
        twfe(coll, outcome="y", unit="unit", time="year", treatment="treated", covariates=["x", "x2"])
    one = panel.assign(one=1)
    with pytest.raises(EstimationError, match="at least 2 clusters"):
        twfe(panel.assign(one=1), outcome="y", unit="unit", time="year", treatment="treated", cluster="one")
    with pytest.warns(UserWarning, match="wild_cluster_bootstrap"):
        res = twfe(one.assign(c=panel["unit"] % 6), outcome="y", unit="unit", time="year",
                   treatment="treated", cluster="c")
    assert res.notes



@pytest.mark.parametrize("small_sample", ["fixest", "linearmodels"])
@pytest.mark.parametrize("cluster", ["unit", "cluster"])
def test_numpy_backend_equals_linearmodels(panel, small_sample, cluster):
    kw = dict(outcome="y", unit="unit", time="year", treatment="treated", covariates="x", cluster=cluster,
              small_sample=small_sample)
    a = twfe(panel, backend="linearmodels", **kw)
    b = twfe(panel, backend="numpy", **kw)
    assert a.backend == "linearmodels" and b.backend == "numpy"
    np.testing.assert_allclose(b.params.to_numpy(), a.params.to_numpy(), atol=1e-10)
    np.testing.assert_allclose(b.std_errors.to_numpy(), a.std_errors.to_numpy(), rtol=1e-8)
    assert a.df_resid == b.df_resid
    pd.testing.assert_frame_equal(a.tidy(), b.tidy(), check_exact=False, rtol=1e-7)


def test_numpy_backend_errors(panel):
    allat = panel.assign(treated=(panel["year"] >= 2015).astype(int))
    with pytest.raises(EstimationError, match="absorbed"):
        twfe(allat, outcome="y", unit="unit", time="year", treatment="treated", backend="numpy")
    coll = panel.assign(x2=2 * panel["x"])
    with pytest.raises(EstimationError, match="collinear"):
        twfe(coll, outcome="y", unit="unit", time="year", treatment="treated", covariates=["x", "x2"],
             backend="numpy")
    with pytest.raises(ValueError, match="'numpy'"):
        twfe(panel, outcome="y", unit="unit", time="year", treatment="treated", backend="cuda")


def test_default_backend_is_the_numpy_within_estimator_with_panelols_numbers(panel):
    kw = dict(outcome="y", unit="unit", time="year", treatment="treated")
    auto, ref = twfe(panel, **kw), twfe(panel, backend="linearmodels", **kw)
    assert auto.backend == "numpy" and ref.backend == "linearmodels"
    assert abs(auto.estimate - ref.estimate) < 1e-10 and abs(auto.std_error - ref.std_error) < 1e-10


# ---------------------------------------------------------------------------------------------------------
# vcov = "iid" | "hetero" | "cluster" | {"cluster": column}, and R², against pyfixest and linearmodels


def _demo_panel() -> pd.DataFrame:
    try:
        from evalutils.panel.demo import generate_demo
    except ImportError:  # before the panel/ package existed
        from evalutils.demo import generate_demo
    d = generate_demo(scale=0.2, seed=20200831)
    p = d.panel.merge(d.participation[["firm_id", "support_start_year"]], on="firm_id", how="left")
    g = p["support_start_year"].fillna(0).astype(int)
    p["supported"] = ((g > 0) & (p["year"] >= g)).astype(int)
    p["log_va_per_worker"] = np.log(p["value_added"] / p["employment"])
    p["log_capital_per_worker"] = np.log(p["capital"] / p["employment"])
    return p


def _mpdta() -> pd.DataFrame:
    from .conftest import FIXTURES

    m = pd.read_csv(FIXTURES / "mpdta.csv")
    m["d"] = ((m["first.treat"] > 0) & (m["year"] >= m["first.treat"])).astype(int)
    m["state"] = m["countyreal"].astype(int) // 1000  # county FIPS = state FIPS * 1000 + county
    return m


_CASES = {
    "demo": dict(outcome="log_va_per_worker", unit="firm_id", time="year", treatment="supported",
                 covariates=["log_capital_per_worker"], coarse="province_code"),
    "mpdta": dict(outcome="lemp", unit="countyreal", time="year", treatment="d", covariates=None, coarse="state"),
}


@pytest.fixture(scope="module", params=sorted(_CASES))
def case(request):
    data = _demo_panel() if request.param == "demo" else _mpdta()
    return request.param, data, dict(_CASES[request.param])


@pytest.mark.validation
@pytest.mark.parametrize("vcov", ["iid", "hetero", "cluster", "coarse"])
def test_vcov_choices_match_pyfixest(case, vcov):
    name, data, kw = case[0], case[1], dict(case[2])
    coarse = kw.pop("coarse")
    if vcov == "coarse":  # clusters coarser than the unit (province, state): units nest in them, years do not
        ours_vcov, pf_vcov = {"cluster": coarse}, {"CRV1": coarse}
    elif vcov == "cluster":
        ours_vcov, pf_vcov = "cluster", {"CRV1": kw["unit"]}
    else:
        ours_vcov, pf_vcov = vcov, vcov
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few provinces in the demo: the few-clusters note
        res = twfe(data, vcov=ours_vcov, **kw)
        rhs = " + ".join([kw["treatment"], *(kw["covariates"] or [])])
        # singletons kept, as R fixest's feols and linearmodels (pyfixest drops them by default, which leaves
        # the coefficients and, here, the SEs unchanged but removes their perfectly fitted rows from the R²)
        fit = pf.feols(f"{kw['outcome']} ~ {rhs} | {kw['time']} + {kw['unit']}", data=data, vcov=pf_vcov,
                       fixef_rm="none", fixef_tol=1e-13)  # its alternating projections to full precision
    ref = fit.tidy()
    tidy = res.tidy().set_index("term")
    for ours, theirs in (("estimate", "Estimate"), ("std_error", "Std. Error"), ("p_value", "Pr(>|t|)"),
                         ("conf_low", "2.5%"), ("conf_high", "97.5%")):
        np.testing.assert_allclose(tidy[ours].to_numpy(), ref[theirs].to_numpy(), rtol=1e-8, atol=1e-10)
    assert res.r2 == pytest.approx(fit._r2, abs=1e-8)
    assert res.r2_within == pytest.approx(fit._r2_within, abs=1e-8)
    assert res.vcov_type == ("cluster" if vcov == "coarse" else vcov)
    if res.vcov_type == "cluster":
        assert res.n_clusters == data[res.cluster].nunique() and res.df_resid == res.n_clusters - 1
    else:
        assert res.n_clusters is None and res.cluster is None
        assert res.df_resid == res.n_obs - len(res.params) - (res.n_units + res.n_periods - 1)


@pytest.mark.validation
@pytest.mark.parametrize("vcov", ["iid", "hetero", "cluster"])
def test_vcov_choices_match_linearmodels_panelols(case, vcov):
    """small_sample="linearmodels" is PanelOLS's own covariance (debiased, effects counted), both backends."""
    from linearmodels.panel import PanelOLS

    name, data, kw = case[0], case[1], dict(case[2])
    kw.pop("coarse")
    covs = kw["covariates"] or []
    df = data.set_index([kw["unit"], kw["time"]])
    mod = PanelOLS(df[kw["outcome"]], df[[kw["treatment"], *covs]], entity_effects=True, time_effects=True)
    lm_kw = {"unadjusted": {}, "robust": {}, "clustered": {"cluster_entity": True, "group_debias": True}}
    cov_type = {"iid": "unadjusted", "hetero": "robust", "cluster": "clustered"}[vcov]
    ref = mod.fit(cov_type=cov_type, debiased=True, count_effects=True, auto_df=False, **lm_kw[cov_type])
    for backend in ("numpy", "linearmodels"):
        res = twfe(data, vcov=vcov, small_sample="linearmodels", backend=backend, **kw)
        np.testing.assert_allclose(res.params.to_numpy(), ref.params.to_numpy(), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(res.std_errors.to_numpy(), ref.std_errors.to_numpy(), rtol=1e-8)
        np.testing.assert_allclose(res.tidy()["p_value"].to_numpy(), ref.pvalues.to_numpy(), rtol=1e-8,
                                   atol=1e-12)
        assert res.df_resid == ref.df_resid
        assert res.r2_within == pytest.approx(ref.rsquared, abs=1e-8)
        assert res.r2 == pytest.approx(ref.rsquared_inclusive, abs=1e-8)


def test_vcov_argument_errors(panel):
    kw = dict(outcome="y", unit="unit", time="year", treatment="treated")
    with pytest.raises(ValueError, match="'iid', 'hetero', 'cluster'"):
        twfe(panel, vcov="HC3", **kw)
    with pytest.raises(ValueError, match="cluster"):
        twfe(panel, vcov={"cluster": "cluster", "extra": 1}, **kw)
    with pytest.raises(ValueError, match="contradicts"):
        twfe(panel, vcov={"cluster": "cluster"}, cluster="unit", **kw)
    with pytest.raises(ValueError, match="vcov='cluster'"):
        twfe(panel, vcov="iid", cluster="cluster", **kw)
    with pytest.raises(DataValidationError, match="nope"):
        twfe(panel, vcov={"cluster": "nope"}, **kw)
    # the dictionary form and cluster= are the same choice
    a = twfe(panel, vcov={"cluster": "cluster"}, **kw)
    b = twfe(panel, cluster="cluster", **kw)
    assert a.std_error == b.std_error and a.cluster == "cluster"
    iid = twfe(panel, vcov="iid", **kw)
    assert "conventional" in iid._repr_html_() and "R²" in iid._repr_html_()
    assert iid.tidy()["n_clusters"].isna().all()


@pytest.mark.validation
@pytest.mark.parametrize("vcov", ["iid", "hetero"])
def test_event_study_and_sun_abraham_take_the_same_vcov_choices(panel, vcov):
    """event_study with vcov='iid'/'hetero' equals pyfixest's dummy regression; sun_abraham's cohort effects
    carry the same covariance convention (their SEs equal the dummy regression's)."""
    from evalutils.effects import event_study, sun_abraham

    res = event_study(panel, outcome="y", unit="unit", time="year", group="cohort", window=(-3, 3), vcov=vcov)
    df = panel.copy()
    e = np.where(df["cohort"] > 0, np.clip(df["year"] - df["cohort"], -3, 3), 0)
    names = []
    for v in sorted(set(e[df["cohort"] > 0])):
        if v != -1:
            nm = f"em{-v}" if v < 0 else f"ep{v}"
            df[nm] = ((df["cohort"] > 0) & (e == v)).astype(float)
            names.append((v, nm))
    fit = pf.feols("y ~ " + " + ".join(nm for _, nm in names) + " | year + unit", data=df, vcov=vcov,
                   fixef_rm="none", fixef_tol=1e-13)
    tidy = res.tidy().set_index("event_time")
    for v, nm in names:
        assert tidy.loc[v, "std_error"] == pytest.approx(fit.se()[nm], rel=1e-8)
        assert tidy.loc[v, "p_value"] == pytest.approx(fit.pvalue()[nm], rel=1e-7, abs=1e-12)
    assert res.n_clusters is None and res.df_resid == fit._N - len(names) - (res.n_units + df["year"].nunique() - 1)

    sa = sun_abraham(panel, outcome="y", unit="unit", time="year", group="cohort", vcov=vcov)
    cells = df.copy()
    terms = []
    for g, ev in zip(sa.catt["group"], sa.catt["event_time"], strict=True):
        nm = f"g{g}_e{'m' if ev < 0 else ''}{abs(ev)}"
        cells[nm] = ((cells["cohort"] == g) & (cells["year"] - cells["cohort"] == ev)).astype(float)
        terms.append(nm)
    ref = pf.feols("y ~ " + " + ".join(terms) + " | year + unit", data=cells, vcov=vcov, fixef_rm="none",
                   fixef_tol=1e-13)
    np.testing.assert_allclose(sa.catt["std_error"].to_numpy(), ref.se()[terms].to_numpy(), rtol=1e-7)
