"""Validation against the R prodest 1.0.1 vignette, Table 1 (chilean data).

Published (skilled fX1, unskilled fX2, capital sX; printed to 3 decimals):
- Levinsohn–Petrin: 0.199, 0.169, 0.117
- Wooldridge (IV):  0.246 (0.014), 0.214 (0.013), 0.145 (0.024)
The vignette's LP standard errors are a 20-replication bootstrap drawn with R's
RNG and are not reproducible outside R, so only LP point estimates are tested.
"""

import pytest

from evalutils.productivity import estimate_production_function

from .conftest import CHILEAN_SPEC

pytestmark = pytest.mark.validation


def test_estimation_sample_uses_exact_previous_year(chilean):
    res = estimate_production_function(chilean, method="lp", **CHILEAN_SPEC)
    fit = res.fits["all"]
    assert fit.n_obs_first_stage == 2544
    assert fit.n_obs == 1944  # rows with an exact t-1 row (data README)
    assert fit.rows_dropped == {"no exact t-1 row (first stage only)": 600}


def test_levinsohn_petrin_matches_prodest_table_1(chilean):
    res = estimate_production_function(chilean, method="lp", **CHILEAN_SPEC)
    assert res.converged
    est = res.elasticities
    assert round(est["fX1"], 3) == 0.199
    assert round(est["fX2"], 3) == 0.169
    assert round(est["sX"], 3) == 0.117


def test_wooldridge_iv_matches_prodest_table_1(chilean):
    res = estimate_production_function(chilean, method="wrdg", **CHILEAN_SPEC)
    fit = res.fits["all"]
    assert {k: round(v, 3) for k, v in fit.params.items()} == {"fX1": 0.246, "fX2": 0.214, "sX": 0.145}
    assert {k: round(v, 3) for k, v in fit.std_errors.items()} == {"fX1": 0.014, "fX2": 0.013, "sX": 0.024}
    assert fit.n_obs == 1944
