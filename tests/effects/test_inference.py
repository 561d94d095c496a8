"""Wild cluster bootstrap (checked against a brute-force loop) and randomization inference."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evalutils.effects import randomization_inference, twfe, wild_cluster_bootstrap
from evalutils.effects._simulate import few_cluster_panel
from evalutils.errors import EstimationError

from .conftest import simulate_staggered


@pytest.fixture(scope="module")
def few() -> pd.DataFrame:
    return simulate_staggered(n_units=240, seed=3, n_clusters=8, effect="constant")


def _fe_projector(u, t):
    """Orthonormal basis of the unit and year dummies (an independent, dense route to M_FE)."""
    D = np.column_stack([(u[:, None] == np.unique(u)[None, :]), (t[:, None] == np.unique(t)[None, 1:])]).astype(float)
    Q, _ = np.linalg.qr(D)
    return lambda v: v - Q @ (Q.T @ v)


def _brute_force_t(df, h0):
    """Loop over all 2^G Rademacher sign vectors, re-estimating the regression (with its unit and
    year effects) on each bootstrap sample."""
    u, t = df["unit"].to_numpy(), df["year"].to_numpy()
    mfe = _fe_projector(u, t)
    y = mfe(df["y"].to_numpy(dtype=float))
    X = np.column_stack([mfe(df["treated"].to_numpy(dtype=float)), mfe(df["x"].to_numpy(dtype=float))])
    c = pd.factorize(df["cluster"])[0]
    G = c.max() + 1

    def fit(yv):
        yv = mfe(yv)  # the bootstrap regression includes the unit and year effects
        b = np.linalg.lstsq(X, yv, rcond=None)[0]
        e = yv - X @ b
        A = np.linalg.inv(X.T @ X)
        S = np.zeros((G, 2))
        np.add.at(S, c, X * e[:, None])
        V = A @ S.T @ S @ A
        return b, np.sqrt(V[0, 0])

    b, se = fit(y)
    t_obs = (b[0] - h0) / se
    yr = y - h0 * X[:, 0]
    g1 = np.linalg.lstsq(X[:, [1]], yr, rcond=None)[0]
    ur = yr - X[:, [1]] @ g1
    fitted = y - ur
    ts = []
    for m in range(2**G):
        v = np.array([1.0 if (m >> j) & 1 else -1.0 for j in range(G)])
        bb, ss = fit(fitted + ur * v[c])
        ts.append((bb[0] - h0) / ss)
    return t_obs, np.abs(np.array(ts))


@pytest.mark.validation
@pytest.mark.parametrize("h0", [0.0, 0.15])
def test_wcr_rademacher_enumeration_matches_brute_force(few, h0):
    t_obs, ts = _brute_force_t(few, h0)
    brute = {"strict": np.mean(ts > abs(t_obs) + 1e-9), "inclusive": np.mean(ts >= abs(t_obs) - 1e-9)}
    for ties in ("strict", "inclusive"):
        res = wild_cluster_bootstrap(few, outcome="y", unit="unit", time="year", treatment="treated", covariates="x",
                                     cluster="cluster", n_boot=999, h0=h0, conf_int=False, ties=ties)
        assert res.enumerated and res.n_boot == 2**8 and res.ties == ties
        assert res.p_value == pytest.approx(brute[ties], abs=1e-12)


def test_wcr_ties_default_is_strict_and_differs_by_the_two_tied_sign_vectors(few):
    kw = dict(outcome="y", unit="unit", time="year", treatment="treated", covariates="x", cluster="cluster",
              n_boot=999, h0=0.15, conf_int=False)
    strict = wild_cluster_bootstrap(few, **kw)
    inclusive = wild_cluster_bootstrap(few, ties="inclusive", **kw)
    assert strict.ties == "strict"
    # under full enumeration v = 1 reproduces the data and v = -1 its mirror image: both tie with |t|
    assert inclusive.p_value - strict.p_value == pytest.approx(2 / 2**8, abs=1e-12)
    with pytest.raises(ValueError, match="'strict', 'inclusive'"):
        wild_cluster_bootstrap(few, ties=">=", **kw)


def test_wcr_estimate_se_match_twfe_and_ci_brackets(few):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tw = twfe(few, outcome="y", unit="unit", time="year", treatment="treated", covariates="x", cluster="cluster")
    res = wild_cluster_bootstrap(few, outcome="y", unit="unit", time="year", treatment="treated", covariates="x",
                                 cluster="cluster", weights="webb", n_boot=1999, seed=3)
    assert res.estimate == pytest.approx(tw.estimate, abs=1e-8)
    assert res.std_error == pytest.approx(tw.std_error, rel=1e-6)
    assert res.t_stat == pytest.approx(tw.tidy().loc[0, "statistic"], rel=1e-6)
    assert res.conf_low < res.estimate < res.conf_high
    # the CI inverts the test: just inside the bounds H0 is not rejected, just outside it is
    kw = dict(outcome="y", unit="unit", time="year", treatment="treated", covariates="x", cluster="cluster",
              weights="webb", n_boot=1999, seed=3, conf_int=False)
    eps = 1e-3 * res.std_error
    assert wild_cluster_bootstrap(few, h0=res.conf_low + eps, **kw).p_value > 0.05
    assert wild_cluster_bootstrap(few, h0=res.conf_low - eps, **kw).p_value <= 0.05
    assert wild_cluster_bootstrap(few, h0=res.conf_high - eps, **kw).p_value > 0.05
    assert wild_cluster_bootstrap(few, h0=res.conf_high + eps, **kw).p_value <= 0.05
    tidy = res.tidy()
    assert tidy.loc[0, "n_clusters"] == 8 and "webb" in tidy.loc[0, "method"]
    again = wild_cluster_bootstrap(few, outcome="y", unit="unit", time="year", treatment="treated", covariates="x",
                                   cluster="cluster", weights="webb", n_boot=1999, seed=3)
    assert again.p_value == res.p_value and again.conf_low == res.conf_low
    assert "<table" in res._repr_html_()


def test_wcr_size_under_null_is_reasonable():
    # effect zero: p-values should not pile up near zero (tiny Monte Carlo, fast enough for CI)
    ps = []
    for s in range(20):
        df = simulate_staggered(n_units=120, seed=100 + s, n_clusters=10, effect="constant")
        df["y"] = df["y"] - df["tau"]
        ps.append(wild_cluster_bootstrap(df, outcome="y", unit="unit", time="year", treatment="treated",
                                         cluster="cluster", weights="webb", n_boot=199, seed=s,
                                         conf_int=False).p_value)
    assert np.mean(np.array(ps) < 0.05) <= 0.2


def test_wcr_errors(few):
    with pytest.raises(ValueError, match="webb"):
        wild_cluster_bootstrap(few, outcome="y", unit="unit", time="year", treatment="treated", weights="mammen")
    with pytest.raises(EstimationError, match="at least 2 clusters"):
        wild_cluster_bootstrap(few.assign(c=1), outcome="y", unit="unit", time="year", treatment="treated", cluster="c")
    with pytest.raises(EstimationError, match="collinear"):
        wild_cluster_bootstrap(few.assign(x2=2 * few["x"]), outcome="y", unit="unit", time="year",
                               treatment="treated", covariates=["x", "x2"])


def test_randomization_inference(few):
    ri = randomization_inference(few, outcome="y", unit="unit", time="year", group="cohort", n_perm=199, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tw = twfe(few, outcome="y", unit="unit", time="year", treatment="treated")
    assert ri.estimate == pytest.approx(tw.estimate, abs=1e-8)
    assert ri.p_value == pytest.approx(1 / 200)  # strong effect: no permutation beats it
    null = few.assign(y=few["y"] - few["tau"])
    ri0 = randomization_inference(null, outcome="y", unit="unit", time="year", group="cohort", n_perm=199,
                                  seed=1, strata="cluster")
    # under the sharp null the permutation distribution is centred on zero
    assert abs(np.mean(ri0.permuted)) < 0.5 * np.std(ri0.permuted)
    assert 0 < ri0.p_value <= 1
    ri_imp = randomization_inference(few, outcome="y", unit="unit", time="year", group="cohort",
                                     estimator="imputation", n_perm=19, seed=1)
    assert ri_imp.p_value == pytest.approx(1 / 20)
    custom = randomization_inference(few, outcome="y", unit="unit", time="year", group="cohort",
                                     estimator=lambda d: float(d.loc[d["cohort"] > 0, "y"].mean()), n_perm=9)
    assert custom.n_perm == 9
    assert "<table" in ri._repr_html_()


def _wildboottest_draws(df: pd.DataFrame, h0: float) -> tuple[float, np.ndarray, float, int]:
    """wildboottest's own WCR11 run (statsmodels-style design with unit and year dummies): its observed
    t, its bootstrap t draws (full enumeration of the Rademacher sign vectors), its reported p and the
    number of columns of its design."""
    wbt = pytest.importorskip("wildboottest.wildboottest")
    dummies = pd.get_dummies(df[["unit", "year"]].astype(str), drop_first=True).astype(float)
    X = np.column_stack([np.ones(len(df)), df["treated"].to_numpy(float), df["x"].to_numpy(float),
                         dummies.to_numpy()])
    R = np.zeros(X.shape[1])
    R[1] = 1.0
    y = df["y"].to_numpy(float) - h0 * df["treated"].to_numpy(float)  # H0: beta = h0 as beta = 0 on y - h0 d
    boot = wbt.WildboottestCL(X=X, Y=y, cluster=df["cl"].to_numpy(), R=R, B=99999, seed=1, parallel=False)
    boot.get_scores(bootstrap_type="11", impose_null=True)
    boot.get_weights(weights_type="rademacher")
    assert boot.full_enumeration
    boot.get_numer()
    boot.get_denom()
    boot.get_tboot()
    boot.get_vcov()
    boot.get_tstat()
    boot.get_pvalue(pval_type="two-tailed")
    return float(np.ravel(boot.t_stat)[0]), np.ravel(boot.t_boot), float(boot.pvalue), X.shape[1]


@pytest.mark.validation
@pytest.mark.parametrize("h0", [0.0, 0.15])
def test_wcr_matches_wildboottest_under_full_enumeration(h0):
    """Our p-values equal those computed from wildboottest 0.3.2's own bootstrap draws, under both conventions.

    wildboottest counts |t*| > |t| with no tolerance, so its two draws that tie with the observed
    statistic by construction (sign vectors +1 and -1) count or not by rounding error: here they
    count, and its reported p (148/1024 and 826/1024) equals our ``ties="inclusive"`` p.
    """
    df = few_cluster_panel(2, 10)
    t_obs, t_boot, p_reported, k_dummies = _wildboottest_draws(df, h0)
    assert len(t_boot) == 2**10
    tol = 1e-9 * abs(t_obs)
    theirs = {"strict": np.mean(np.abs(t_boot) > abs(t_obs) + tol),
              "inclusive": np.mean(np.abs(t_boot) >= abs(t_obs) - tol)}
    assert np.sum(np.abs(np.abs(t_boot) - abs(t_obs)) <= tol) == 2  # exactly the two tied sign vectors
    kw = dict(outcome="y", unit="unit", time="year", treatment="treated", covariates="x", cluster="cl",
              n_boot=99999, conf_int=False, h0=h0)
    for ties in ("strict", "inclusive"):
        res = wild_cluster_bootstrap(df, ties=ties, **kw)
        assert res.enumerated and res.n_boot == 1024
        # same CRV1 t up to the small-sample factor, which cancels in the bootstrap comparison: wildboottest
        # counts every dummy in K, fixest (ours) K = 2 slopes + 6 year effects (units nest in clusters)
        n = len(df)
        assert res.t_stat == pytest.approx(t_obs * np.sqrt((n - 8) / (n - k_dummies)), rel=1e-8)
        assert res.p_value == pytest.approx(theirs[ties], abs=1e-12)
    assert p_reported == pytest.approx(theirs["inclusive"], abs=1e-12)
    assert p_reported * 1024 == pytest.approx({0.0: 148, 0.15: 826}[h0])
