"""TWFE: agreement with pyfixest (fixest conventions) and input errors."""

from __future__ import annotations

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
