import numpy as np
import pandas as pd
import pytest

from evalutils.errors import DataValidationError, EstimationError
from evalutils.productivity import ProductionFunctionResult, estimate_production_function
from evalutils.productivity._simulate import simulate_panel

from .conftest import CHILEAN_SPEC

SIM = dict(output="y", free="l", state="k", proxy="m", unit="firm", time="year")


@pytest.fixture(scope="module")
def sim():
    return simulate_panel(300, 8, seed=3, gap_share=0.05)


@pytest.fixture
def sectors(chilean):
    df = chilean.copy()
    df["sector"] = np.where(df["idvar"] % 2 == 0, "C", "D")
    tiny = df["idvar"].isin(sorted(df["idvar"].unique())[:5])
    df.loc[tiny, "sector"] = "F"
    return df


def test_method_is_validated(chilean):
    with pytest.raises(ValueError, match="'acf'"):
        estimate_production_function(chilean, method="gmm", **CHILEAN_SPEC)


@pytest.mark.parametrize("method", ["ols", "fe", "op", "lp", "acf", "wrdg", "wrdg_gmm", "rob"])
def test_every_method_returns_a_typed_tidy_result(sim, method):
    res = estimate_production_function(sim, method=method, **SIM)
    assert isinstance(res, ProductionFunctionResult)
    assert res.converged
    tidy = res.tidy()
    for col in ["term", "estimate", "std_error", "conf_low", "conf_high", "p_value",
                "n_obs", "n_clusters", "method"]:
        assert col in tidy.columns
    assert list(tidy["term"]) == ["l", "k"]
    assert np.isfinite(tidy["estimate"]).all()
    assert "ProductionFunctionResult" in repr(res)


def test_lags_need_the_exact_previous_year():
    df = pd.DataFrame({"firm": [1, 1, 1, 2, 2], "year": [2000, 2001, 2003, 2000, 2001]})
    from evalutils.productivity._panel import previous_row
    prev = previous_row(df["firm"].to_numpy(), df["year"].to_numpy())
    assert prev.tolist() == [-1, 0, -1, -1, 3]


def test_duplicate_firm_years_are_an_error(sim):
    dup = pd.concat([sim, sim.iloc[[5]]], ignore_index=True)
    with pytest.raises(DataValidationError, match="duplicate"):
        estimate_production_function(dup, method="lp", **SIM)


def test_firm_bootstrap_is_seeded_and_equals_stacking_the_drawn_firms(sim):
    a = estimate_production_function(sim, method="lp", n_boot=15, seed=7, **SIM)
    b = estimate_production_function(sim, method="lp", n_boot=15, seed=7, **SIM)
    c = estimate_production_function(sim, method="lp", n_boot=15, seed=8, **SIM)
    fa = a.fits["all"]
    assert np.array_equal(fa.boot_params, b.fits["all"].boot_params)
    assert not np.array_equal(fa.boot_params, c.fits["all"].boot_params)
    assert (fa.std_errors > 0).all() and fa.se_type.startswith("firm bootstrap")
    # the weighted replication equals re-estimating on the stacked drawn firms
    from evalutils.productivity import _estimators as E
    from evalutils.productivity._panel import firm_weights, previous_row
    codes, uniq = pd.factorize(sim["firm"])
    w = firm_weights(codes, len(uniq), np.random.default_rng(99))
    arr = E.Arrays(y=sim["y"].to_numpy(), F=sim[["l"]].to_numpy(), K=sim[["k"]].to_numpy(),
                   P=sim[["m"]].to_numpy(), prev=previous_row(sim["firm"].to_numpy(), sim["year"].to_numpy()),
                   codes=codes, n_units=len(uniq))
    opts = {"poly_degree": 2, "markov_degree": 3, "maxiter": 1000}
    weighted = E.fit_oplp(arr, w, opts).beta
    reps = np.repeat(np.arange(len(sim)), w.astype(int))
    stacked = sim.iloc[reps].copy()
    # each copy of a firm becomes a new firm
    stacked["copy"] = stacked.groupby(["firm", "year"]).cumcount()
    stacked["firm"] = stacked["firm"].astype(str) + "_" + stacked["copy"].astype(str)
    direct = estimate_production_function(stacked, method="lp", min_firms=1, **SIM)
    np.testing.assert_allclose(weighted, direct.fits["all"].params.to_numpy(), rtol=1e-6, atol=1e-7)


def test_groups_and_min_firms(sectors):
    with pytest.raises(EstimationError) as err:
        estimate_production_function(sectors, method="lp", by="sector", min_firms=30, **CHILEAN_SPEC)
    assert "'F'" in str(err.value) and "5 firms" in str(err.value)
    with pytest.warns(UserWarning, match="skipping group 'F'"):
        res = estimate_production_function(sectors, method="lp", by="sector", min_firms=30,
                                           on_small_group="skip", **CHILEAN_SPEC)
    assert set(res.fits) == {"C", "D"} and set(res.skipped) == {"F"}
    assert list(res.params.index) == ["C", "D"]
    tfp = res.tfp(sectors)
    assert tfp[sectors["sector"] == "F"].isna().all()
    assert tfp[sectors["sector"] != "F"].notna().all()
    tidy = res.tidy()
    assert set(tidy["group"]) == {"C", "D"}


def test_tfp_is_output_net_of_inputs(chilean):
    res = estimate_production_function(chilean, method="lp", **CHILEAN_SPEC)
    b = res.elasticities
    expected = chilean["Y"] - b["fX1"] * chilean["fX1"] - b["fX2"] * chilean["fX2"] - b["sX"] * chilean["sX"]
    pd.testing.assert_series_equal(res.tfp(chilean), expected.rename("log_tfp"))
    table = res.tfp_table(chilean)
    assert list(table.columns) == ["idvar", "timevar", "log_tfp"]


# ----------------------------------------------------------------------------- bad input
def test_too_few_firms_without_groups(sim):
    small = sim[sim["firm"] < 10]
    with pytest.raises(EstimationError, match="too few firms in group 'all': 10"):
        estimate_production_function(small, method="acf", **SIM)


def _levels(sim):
    return sim.assign(Y=np.exp(sim["y"]), L=np.exp(sim["l"]), K=np.exp(sim["k"]))


LEVELS = dict(output="Y", free="L", state="K", unit="firm", time="year", logs=False)


def test_zero_investment_rows_are_dropped_and_counted(sim):
    lv = _levels(sim)
    res = estimate_production_function(lv, method="op", proxy="inv", **LEVELS)
    dropped = res.fits["all"].rows_dropped
    key = next(k for k in dropped if k.startswith("proxy 'inv'"))
    assert dropped[key] == int((lv["inv"] <= 0).sum()) > 0
    assert res.fits["all"].n_obs_first_stage == len(lv) - dropped[key]


def test_no_valid_proxy_values(sim):
    lv = _levels(sim).assign(inv=0.0)
    with pytest.raises(EstimationError, match="no valid proxy values"):
        estimate_production_function(lv, method="op", proxy="inv", **LEVELS)


@pytest.mark.parametrize("bad", [-3.0, np.nan])
def test_negative_or_missing_value_added(sim, bad):
    lv = _levels(sim)
    lv.loc[[4, 11], "Y"] = bad
    with pytest.raises(DataValidationError) as err:
        estimate_production_function(lv, method="lp", proxy="m", **LEVELS)
    assert err.value.column == "Y" and err.value.rows == [4, 11]


@pytest.mark.parametrize("method", ["acf", "lp"])
def test_non_convergence_is_reported_never_the_start(sim, method):
    with pytest.raises(EstimationError, match="did not converge"):
        estimate_production_function(sim, method=method, maxiter=1, **SIM)
    with pytest.warns(UserWarning, match="did not converge"):
        res = estimate_production_function(sim, method=method, maxiter=1, on_failure="warn", **SIM)
    fit = res.fits["all"]
    assert not res.converged and not fit.converged
    assert fit.params.isna().all()
    assert "start" in fit.optimizer and "last_iterate" in fit.optimizer
    assert res.tfp(sim).isna().all()


def test_bootstrap_does_not_depend_on_n_jobs(sim):
    one = estimate_production_function(sim, method="acf", n_boot=6, seed=3, **SIM)
    two = estimate_production_function(sim, method="acf", n_boot=6, seed=3, n_jobs=2, **SIM)
    np.testing.assert_array_equal(one.fits["all"].boot_params, two.fits["all"].boot_params)
    assert one.fits["all"].n_boot_failed == 0


def test_acf_keeps_an_exact_root_and_lists_the_starts(chilean):
    # on chilean the OLS start leads to a spurious local minimum; a later start finds a root
    res = estimate_production_function(chilean, method="acf", **CHILEAN_SPEC)
    opt = res.fits["all"].optimizer
    assert opt["exact_root"] and opt["criterion"] < 1e-14
    assert len(opt["starts_tried"]) >= 2
    assert opt["starts_tried"][0]["criterion"] > 1e-8
