"""Subgroup effects with Holm / Benjamini–Hochberg corrections."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalutils.effects import adjust_pvalues, att_gt, heterogeneity
from evalutils.errors import EstimationError

from .conftest import simulate_staggered


@pytest.mark.parametrize("method,sm", [("holm", "holm"), ("bh", "fdr_bh")])
def test_adjust_pvalues_matches_statsmodels(method, sm):
    from statsmodels.stats.multitest import multipletests

    p = np.array([0.001, 0.04, 0.03, 0.2, 0.012, 0.5, 0.049])
    np.testing.assert_allclose(adjust_pvalues(p, method), multipletests(p, method=sm)[1], atol=1e-12)
    with pytest.raises(ValueError, match="holm"):
        adjust_pvalues(p, "bonferroni")


@pytest.fixture(scope="module")
def typed() -> pd.DataFrame:
    """Support type only for supported firms; 'tools' has an effect, 'training' none."""
    df = simulate_staggered(n_units=900, seed=31, effect="constant")
    rng = np.random.default_rng(0)
    unit_type = pd.Series(rng.choice(["tools", "training", "award"], size=df["unit"].nunique()))
    df["support_type"] = df["unit"].map(unit_type).where(df["cohort"] > 0)
    effect = df["support_type"].map({"tools": 0.3, "training": 0.0, "award": 0.15}).fillna(0.0)
    df["y"] = df["y"] - df["tau"] + effect * df["treated"]
    df["sector"] = np.where(df["unit"] % 2 == 0, "C", "G")
    return df


def test_heterogeneity_by_support_type_shared_controls(typed):
    res = heterogeneity(typed, by="support_type", outcome="y", unit="unit", time="year", group="cohort")
    e = res.effects.set_index("support_type")
    assert e.loc["tools", "estimate"] == pytest.approx(0.3, abs=3 * e.loc["tools", "std_error"])
    assert e.loc["training", "estimate"] == pytest.approx(0.0, abs=3 * e.loc["training", "std_error"])
    assert (e["p_holm"] >= e["p_value"] - 1e-15).all() and (e["p_bh"] >= e["p_value"] - 1e-15).all()
    assert (e["p_bh"] <= e["p_holm"] + 1e-15).all()
    assert res.equality_test["p_value"] < 0.01
    assert "shared" in res.equality_test["note"]
    # the subgroup estimate equals att_gt on that subgroup plus the never-supported firms
    sub = typed[(typed["support_type"] == "tools") | typed["support_type"].isna()]
    direct = att_gt(sub, outcome="y", unit="unit", time="year", group="cohort", bootstrap="none")
    assert e.loc["tools", "estimate"] == pytest.approx(direct.aggregate("simple").overall_estimate, abs=1e-12)
    tidy = res.tidy()
    assert {"p_holm", "p_bh", "n_clusters"} <= set(tidy.columns)
    assert "<table" in res._repr_html_()


def test_heterogeneity_within_sector_and_imputation(typed):
    res = heterogeneity(typed, by="sector", outcome="y", unit="unit", time="year", group="cohort",
                        estimator="imputation")
    assert len(res.effects) == 2
    assert res.equality_test["note"] == "independent subgroups"
    # no real difference by sector in this DGP
    assert res.equality_test["p_value"] > 0.001


def test_heterogeneity_errors(typed):
    with pytest.raises(EstimationError, match="fewer than two"):
        heterogeneity(typed.assign(s="a"), by="s", outcome="y", unit="unit", time="year", group="cohort")
    bad = typed.copy()
    bad["s"] = np.where(bad["year"] > 2014, "a", "b")
    with pytest.raises(EstimationError, match="varies within unit"):
        heterogeneity(bad, by="s", outcome="y", unit="unit", time="year", group="cohort")
    tiny = typed.copy()
    first_treated = tiny.loc[tiny["cohort"] > 0, "unit"].iloc[0]
    tiny["s"] = np.where(tiny["unit"] == first_treated, "solo", tiny["support_type"])
    with pytest.raises(EstimationError, match="treated units"):
        heterogeneity(tiny, by="s", outcome="y", unit="unit", time="year", group="cohort")
