"""Bad input across estimators: a clear EstimationError (with context), never a silent number."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evalutils.effects import (
    att_gt,
    did_imputation,
    event_study,
    twfe,
    wild_cluster_bootstrap,
)
from evalutils.errors import EstimationError

from .conftest import simulate_staggered

KW = dict(outcome="y", unit="unit", time="year")


@pytest.fixture(scope="module")
def base() -> pd.DataFrame:
    return simulate_staggered(n_units=200, seed=17)


def test_no_controls(base):
    # only treated units, several cohorts: no never-treated controls
    only_treated = base[base["cohort"] > 0]
    with pytest.raises(EstimationError, match="no never-treated") as info:
        att_gt(only_treated, **KW, group="cohort")
    assert info.value.column == "cohort" and "not_yet_treated" in info.value.hint


def test_single_cohort_without_never_treated(base):
    single = base.assign(cohort=2015, treated=(base["year"] >= 2015).astype(int))
    with pytest.raises(EstimationError, match="no group-time cell"):
        att_gt(single, **KW, group="cohort", control_group="not_yet_treated")
    with pytest.raises(EstimationError, match="cannot be imputed|no treated observation can be imputed"):
        did_imputation(single, **KW, group="cohort")
    with pytest.raises(EstimationError, match="absorbed"):
        twfe(single, **KW, treatment="treated")


def test_single_cohort_with_never_treated_is_fine(base):
    one = base.assign(cohort=np.where(base["cohort"] > 0, 2015, 0))
    one["treated"] = ((one["cohort"] > 0) & (one["year"] >= 2015)).astype(int)
    res = att_gt(one, **KW, group="cohort", bootstrap="none")
    assert res.cells["group"].unique().tolist() == [2015]


def test_all_treated_at_once(base):
    allat = base.assign(cohort=2014, treated=(base["year"] >= 2014).astype(int))
    with pytest.raises(EstimationError):
        att_gt(allat, **KW, group="cohort")
    with pytest.raises(EstimationError, match="absorbed"):
        twfe(allat, **KW, treatment="treated")
    with pytest.raises(EstimationError):
        event_study(allat, **KW, group="cohort", window=None)


def test_cohort_with_one_unit(base):
    df = base.copy()
    u = df.loc[df["cohort"] == 0, "unit"].iloc[0]
    df.loc[df["unit"] == u, "cohort"] = 2012
    for fn in (att_gt, did_imputation):
        with pytest.raises(EstimationError, match="single unit") as info:
            fn(df, **KW, group="cohort")
        assert "2012" in str(info.value)


def test_collinear_covariates(base):
    df = base.assign(x2=3 * base["x"] + 1)
    with pytest.raises(EstimationError, match="collinear"):
        twfe(df, **KW, treatment="treated", covariates=["x", "x2"])
    with pytest.raises(EstimationError, match="collinear"):
        att_gt(df, **KW, group="cohort", covariates=["x", "x2"], est_method="dr", bootstrap="none")
    with pytest.raises(EstimationError, match="collinear"):
        wild_cluster_bootstrap(df, **KW, treatment="treated", covariates=["x", "x2"])


def test_too_few_clusters(base):
    one = base.assign(c=1)
    with pytest.raises(EstimationError, match="at least 2 clusters"):
        twfe(one, **KW, treatment="treated", cluster="c")
    with pytest.raises(EstimationError, match="at least 2 clusters"):
        att_gt(one, **KW, group="cohort", cluster="c")
    with pytest.raises(EstimationError, match="at least 2 clusters"):
        did_imputation(one, **KW, group="cohort", cluster="c")
    with pytest.raises(EstimationError, match="at least 2 clusters"):
        wild_cluster_bootstrap(one, **KW, treatment="treated", cluster="c")
    # a handful of clusters: estimate, but warn and point to the wild bootstrap
    six = base.assign(c=base["unit"] % 6)
    with pytest.warns(UserWarning, match="wild_cluster_bootstrap"):
        res = twfe(six, **KW, treatment="treated", cluster="c")
    assert any("6 clusters" in n for n in res.notes)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        att = att_gt(six, **KW, group="cohort", cluster="c", n_boot=99)
    assert any("6 clusters" in n for n in att.notes)
