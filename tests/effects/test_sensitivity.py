"""Sensitivity to violations of parallel trends (Rambachan and Roth 2023; HonestDiD).

Validation: the HonestDiD README's Medicaid example (``../shared/data/ehec_data.csv``, spec in
``../shared/data/README.md``). Reference numbers: HonestDiD README as rendered with version 0.2.5
(repository asheshrambachan/HonestDiD, README.md at commit 9f8379b, October 2023; the table the
issue quotes). Later renderings of the same README (2024) print 0.0241/0.0673 and 0.0171/0.0720
for the first two rows: the relative-magnitudes sets are computed on a grid and the least-favourable
critical value is simulated with R's random numbers, so the last digit moves with the platform.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from evalutils.effects import (
    att_gt,
    event_study,
    event_study_vector,
    honest_did,
    plot_sensitivity,
    sensitivity,
)
from evalutils.effects.sensitivity import (
    _FLCI,
    _extreme_rays,
    _fd_draws,
    _gamma_inverse,
    _rm_rays,
    _rm_rows,
    _RMTester,
)
from evalutils.errors import EstimationError

from .conftest import simulate_staggered

REPO = Path(__file__).resolve().parents[2]
EHEC = REPO.parent / "shared" / "data" / "ehec_data.csv"


# ------------------------------------------------------------------------------------------
# the Medicaid example
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ehec_vector():
    assert EHEC.exists(), (
        f"validation data missing: {EHEC} (the public ehec_data.csv of the HonestDiD README example; "
        "CI keeps ../shared/data beside the repository)"
    )
    df = pd.read_csv(EHEC)
    # HonestDiD README: keep years before 2016, drop states first treated in 2015, D = 1 if first treated in 2014
    df = df[(df["year"] < 2016) & ~(df["yexp2"] == 2015)].copy()
    df["first_treat"] = np.where(df["yexp2"] == 2014, 2014, 0)
    # feols(dins ~ i(year, D, ref = 2013) | stfips + year, cluster = "stfips"): every event time its own
    # indicator, reference 2013 (event time -1), fixest small-sample correction
    es = event_study(df, outcome="dins", unit="stfips", time="year", group="first_treat", window=None,
                     reference=-1, cluster="stfips", small_sample="fixest")
    return event_study_vector(es)


def _printed_half_unit(x: float) -> float:
    """Half a unit of the last digit tibble prints (3 significant digits)."""
    return 0.5 * 10.0 ** (np.floor(np.log10(abs(x))) - 2)


# HonestDiD README (0.2.5): createSensitivityResults_relativeMagnitudes(..., Mbarvec = seq(0.5, 2, by = 0.5))
RM_REFERENCE = {0.5: (0.0240, 0.0672), 1.0: (0.0170, 0.0720), 1.5: (0.00824, 0.0797), 2.0: (-0.000916, 0.0881)}
# createSensitivityResults(..., Mvec = seq(from = 0, to = 0.05, by = 0.01))
SD_REFERENCE = {0.0: (0.0259, 0.0607), 0.01: (0.0132, 0.0787), 0.02: (0.00286, 0.0907)}


@pytest.mark.validation
def test_ehec_event_study_layout(ehec_vector):
    assert ehec_vector.num_pre == 5 and ehec_vector.num_post == 2
    assert ehec_vector.event_times == (-6, -5, -4, -3, -2, 0, 1)


@pytest.mark.validation
def test_ehec_relative_magnitudes_on_honestdid_grid(ehec_vector):
    """On HonestDiD's own grid (1,000 points on +-20 SE of theta), the sets match to the printed digit."""
    v = ehec_vector
    res = honest_did(v.betahat, v.sigma, num_pre=5, num_post=2, restriction="relative_magnitudes",
                     M=list(RM_REFERENCE), refine=False, breakdown=False)
    for (m, (lb, ub)), row in zip(RM_REFERENCE.items(), res.intervals.itertuples(), strict=True):
        assert row.M == m
        assert abs(row.lb - lb) <= _printed_half_unit(lb), (m, row.lb, lb)
        assert abs(row.ub - ub) <= _printed_half_unit(ub), (m, row.ub, ub)
    assert res.method == "C-LF"


@pytest.mark.validation
def test_ehec_relative_magnitudes_refined_within_one_grid_step(ehec_vector):
    """Refined endpoints lie between the reference's grid point and its rejected neighbour."""
    v = ehec_vector
    res = honest_did(v.betahat, v.sigma, num_pre=5, num_post=2, M=list(RM_REFERENCE), breakdown=False)
    step = 40 * res.std_error / 999  # HonestDiD: seq(-20 sd, 20 sd, length.out = 1000)
    assert 3.6e-4 < step < 3.7e-4
    for (lb, ub), row in zip(RM_REFERENCE.values(), res.intervals.itertuples(), strict=True):
        tol_lb, tol_ub = _printed_half_unit(lb), _printed_half_unit(ub)
        assert lb - step - tol_lb <= row.lb <= lb + tol_lb
        assert ub - tol_ub <= row.ub <= ub + step + tol_ub


@pytest.mark.validation
def test_ehec_smoothness_flci(ehec_vector):
    """FLCI to the printed precision plus HonestDiD's simulation error.

    HonestDiD takes cv_alpha(b) as a quantile of 10^6 simulated |N(b, 1)| draws; its standard error
    sqrt(alpha (1 - alpha) / 10^6) / density is ~0.002 (0.1 %), times the estimator's standard
    deviation h ~ 1e-5 on an endpoint. Allowed: half a printed unit plus 3 such standard errors.
    """
    v = ehec_vector
    res = honest_did(v.betahat, v.sigma, num_pre=5, num_post=2, restriction="smoothness",
                     M=list(SD_REFERENCE), breakdown=False)
    assert res.method == "FLCI"
    flci = _FLCI(v.sigma, 5, 2, np.array([1.0, 0.0]), 0.05)
    for (m, (lb, ub)), row in zip(SD_REFERENCE.items(), res.intervals.itertuples(), strict=True):
        w, half = flci.solve(m)
        h = float(np.sqrt(w @ v.sigma @ w))
        cv = half / h
        b = optimize.brentq(lambda bb: stats.foldnorm.ppf(0.95, bb) - cv, 0, cv) if m > 0 else 0.0
        dens = stats.norm.pdf(cv - b) + stats.norm.pdf(cv + b)
        mc = 3 * np.sqrt(0.05 * 0.95 / 1e6) / dens * h
        assert mc < 1e-4
        assert abs(row.lb - lb) <= _printed_half_unit(lb) + mc, (m, row.lb, lb, mc)
        assert abs(row.ub - ub) <= _printed_half_unit(ub) + mc, (m, row.ub, ub, mc)


@pytest.mark.validation
def test_ehec_breakdown_values(ehec_vector):
    v = ehec_vector
    rm = honest_did(v.betahat, v.sigma, num_pre=5, num_post=2, M=[0.5, 1, 1.5, 2])
    # README: significant up to Mbar = 1.5, not at 2
    assert 1.5 < rm.breakdown < 2.0
    sd = honest_did(v.betahat, v.sigma, num_pre=5, num_post=2, restriction="smoothness", M=[0, 0.01, 0.02, 0.03])
    # README: significant at M = 0.02, not at 0.03
    assert 0.02 < sd.breakdown < 0.03
    below = honest_did(v.betahat, v.sigma, num_pre=5, num_post=2, restriction="smoothness",
                       M=[sd.breakdown * 0.995, sd.breakdown * 1.005], breakdown=False)
    assert below.tidy()["excludes_zero"].tolist() == [True, False]


# ------------------------------------------------------------------------------------------
# theory: cases with a closed form
# ------------------------------------------------------------------------------------------


def _toy(num_pre=4, num_post=3, seed=0, scale=0.01):
    rng = np.random.default_rng(seed)
    n = num_pre + num_post
    L = rng.normal(size=(n, n))
    sigma = scale**2 * (L @ L.T / n + np.eye(n))
    beta = rng.multivariate_normal(np.r_[np.zeros(num_pre), np.full(num_post, 0.05)], sigma)
    return beta, sigma


def test_relative_magnitudes_mbar0_one_post_period_is_the_usual_interval():
    """Delta^RM(0) with one post period point-identifies theta; the C-LF set is then the usual CI
    (first stage at kappa, second stage at (alpha - kappa)/(1 - kappa), total size alpha)."""
    beta, sigma = _toy(num_pre=3, num_post=1)
    res = honest_did(beta, sigma, num_pre=3, num_post=1, M=[0], breakdown=False)
    lo, hi = res.original
    half = (hi - lo) / 2
    # the least-favourable critical value is simulated (10,000 draws): ~0.3 % of the half-width
    assert res.intervals.lb[0] == pytest.approx(lo, abs=0.01 * half)
    assert res.intervals.ub[0] == pytest.approx(hi, abs=0.01 * half)


def test_relative_magnitudes_tiny_noise_gives_the_identified_set():
    """With negligible sampling noise the set is the identified set, here in closed form:
    theta = l' (beta_post - delta_post) with every post change |delta_t - delta_{t-1}| <= Mbar * m,
    m the largest pre-period change (including to the reference period)."""
    _, sigma = _toy(num_pre=4, num_post=2, scale=1e-7)
    beta = np.array([0.02, -0.01, 0.03, 0.01, 0.05, 0.08])  # pre-trends far larger than the noise
    pre = np.r_[beta[:4], 0.0]
    m = np.max(np.abs(np.diff(pre)))
    for l_vec, reach in (([1.0, 0.0], 1.0), ([0.5, 0.5], 1.5), ([0.0, 1.0], 2.0)):
        res = honest_did(beta, sigma, num_pre=4, num_post=2, M=[0.5, 1.0], l_vec=l_vec, breakdown=False)
        theta = float(np.dot(l_vec, beta[4:]))
        for mbar, row in zip((0.5, 1.0), res.intervals.itertuples(), strict=True):
            # sampling noise: sd ~ 1e-7, i.e. ~2.5e-6 of m
            assert row.lb == pytest.approx(theta - reach * mbar * m, abs=1e-4 * m)
            assert row.ub == pytest.approx(theta + reach * mbar * m, abs=1e-4 * m)


def test_smoothness_m0_is_the_minimum_variance_trend_adjusted_estimator():
    """Delta^SD(0) = linear trends through the reference period: the FLCI is the minimum-variance
    unbiased affine estimator (weights l on the post periods, removing any linear trend) +- z * sd."""
    beta, sigma = _toy(num_pre=4, num_post=3, seed=3)
    l_vec = np.array([0.2, 0.3, 0.5])
    t = np.r_[np.arange(-4, 0), np.arange(1, 4)].astype(float)
    # minimise w' S w subject to w_post = l and t'w = 0 (Lagrange, solved independently here)
    P = 4
    Spp, Spq = sigma[:P, :P], sigma[:P, P:]
    tp, tq = t[:P], t[P:]
    K = np.block([[2 * Spp, tp[:, None]], [tp[None, :], np.zeros((1, 1))]])
    rhs = np.r_[-2 * Spq @ l_vec, -tq @ l_vec]
    w = np.r_[np.linalg.solve(K, rhs)[:P], l_vec]
    est, sd = float(w @ beta), float(np.sqrt(w @ sigma @ w))
    res = honest_did(beta, sigma, num_pre=4, num_post=3, restriction="smoothness", M=[0], l_vec=l_vec,
                     breakdown=False)
    z = stats.norm.ppf(0.975)
    assert res.intervals.lb[0] == pytest.approx(est - z * sd, rel=1e-7)
    assert res.intervals.ub[0] == pytest.approx(est + z * sd, rel=1e-7)


def test_smoothness_one_pre_period_closed_form():
    """One pre period: the only trend-removing estimator is beta_1 + beta_{-1} (for theta = tau_1), with
    worst-case bias M (the curvature at the reference period); half-length = cv_alpha(M / sd) * sd."""
    beta, sigma = _toy(num_pre=1, num_post=2, seed=5)
    w = np.array([1.0, 1.0, 0.0])
    sd = float(np.sqrt(w @ sigma @ w))
    for M in (0.0, 0.005, 0.05):
        res = honest_did(beta, sigma, num_pre=1, num_post=2, restriction="smoothness", M=[M], breakdown=False)
        half = stats.foldnorm.ppf(0.95, M / sd) * sd if M > 0 else stats.norm.ppf(0.975) * sd
        assert res.intervals.lb[0] == pytest.approx(w @ beta - half, rel=1e-8)
        assert res.intervals.ub[0] == pytest.approx(w @ beta + half, rel=1e-8)


def test_sets_grow_with_m():
    beta, sigma = _toy(seed=7)
    for restriction, Ms in (("relative_magnitudes", [0, 0.5, 1, 2]), ("smoothness", [0, 0.005, 0.01, 0.02])):
        iv = honest_did(beta, sigma, num_pre=4, num_post=3, restriction=restriction, M=Ms, breakdown=False).intervals
        assert (np.diff(iv["lb"]) <= 1e-12).all() and (np.diff(iv["ub"]) >= -1e-12).all()


def test_closed_form_dual_vertices_match_enumeration():
    for T in (1, 2, 3, 4):
        for l_vec in (np.eye(T)[0], np.full(T, 1 / T), np.arange(1.0, T + 1)):
            A = _rm_rows(3, T, -1, 1, 1.0)
            X = np.ascontiguousarray((A[:, 3:] @ _gamma_inverse(l_vec))[:, 1:])
            fast = _rm_rays(X)
            slow = _extreme_rays(X.tobytes(), *X.shape)
            unit = lambda R: R / np.linalg.norm(R, axis=1)[:, None]  # noqa: E731
            assert len(fast) == len(slow)
            assert all(np.abs(unit(slow) - r).sum(axis=1).min() < 1e-8 for r in unit(fast))


# ------------------------------------------------------------------------------------------
# coverage at province scale (seeded, fast: the normal model HonestDiD's guarantees are about)
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def province_sigma():
    """Covariance of a TWFE event study with 12 supported firms of 150 (one cohort, 2016-2025)."""
    rng = np.random.default_rng(20200831)
    n, years, g = 150, np.arange(2016, 2026), 2022
    T = len(years)
    e = np.zeros((n, T))
    e[:, 0] = rng.normal(0, 0.3, n)
    for j in range(1, T):
        e[:, j] = 0.5 * e[:, j - 1] + rng.normal(0, 0.3 * np.sqrt(0.75), n)
    G = np.where(np.arange(n) < 12, g, 0)
    y = rng.normal(0, 1, n)[:, None] + e + 0.1 * ((G[:, None] > 0) & (years[None, :] >= g))
    df = pd.DataFrame({"firm": np.repeat(np.arange(n), T), "year": np.tile(years, n),
                       "g": np.repeat(G, T), "y": y.ravel()})
    v = event_study_vector(event_study(df, outcome="y", unit="firm", time="year", group="g", window=None))
    assert (v.num_pre, v.num_post) == (5, 4)
    return v.sigma


def _coverage(sigma, delta, reps, seed):
    """Coverage of theta = tau_1 = 0.1 by the usual interval, Delta^RM(0), Delta^RM(1) and the FLCI
    for Delta^SD(0), over ``reps`` draws betahat ~ N(tau + delta, sigma).

    The robust sets are checked by their defining tests at the true value (the critical values
    depend on sigma only and are computed once); the FLCI's weights do not depend on betahat.
    """
    rng = np.random.default_rng(seed)
    tau = np.r_[np.zeros(5), np.full(4, 0.1)]
    draws = rng.multivariate_normal(tau + delta, sigma, size=reps)
    l_vec = np.eye(4)[0]
    se = np.sqrt(sigma[5, 5])
    orig = np.mean(np.abs(draws[:, 5] - 0.1) <= stats.norm.ppf(0.975) * se)
    fd = _fd_draws(sigma, 5, 4, 10_000, 0)
    rm = []
    for mbar in (0.0, 1.0):
        tester = _RMTester(draws[0], sigma, 5, 4, l_vec, mbar, 0.05, 0.005, fd)
        rm.append(np.mean(tester.accept_draws(0.1, draws)))
        assert tester.accept_draws(0.1, draws[:3]).tolist() == [
            _RMTester(b, sigma, 5, 4, l_vec, mbar, 0.05, 0.005, fd).accept(np.array([0.1]))[0] for b in draws[:3]
        ]
    w, half = _FLCI(sigma, 5, 4, l_vec, 0.05).solve(0.0)
    sd = np.mean(np.abs(draws @ w - 0.1) <= half)
    # the public function gives the same interval
    r = honest_did(draws[0], sigma, num_pre=5, num_post=4, restriction="smoothness", M=[0], breakdown=False)
    assert r.intervals["lb"][0] == pytest.approx(draws[0] @ w - half, rel=1e-9)
    return orig, rm[0], rm[1], sd


def test_coverage_under_parallel_trends_at_province_scale(province_sigma):
    """delta = 0 lies in every Delta: the sets cover at the nominal level (4,000 draws: MC SE 0.35 points)."""
    orig, rm0, rm1, sd0 = _coverage(province_sigma, np.zeros(9), 4000, 1)
    print(f"coverage, parallel trends: usual {orig:.3f}, RM(0) {rm0:.3f}, RM(1) {rm1:.3f}, SD(0) {sd0:.3f}")
    assert abs(orig - 0.95) <= 0.011
    assert abs(sd0 - 0.95) <= 0.011  # exact: an unbiased linear estimator +- z sd
    assert rm0 >= 0.94 and rm1 >= 0.94, (rm0, rm1)  # the hybrid test has size <= alpha


def test_coverage_under_a_linear_pre_trend(province_sigma):
    """A linear violation (slope 0.1 per year, ~1.4 SE of the effect) is in Delta^SD(0) and in
    Delta^RM(1) but not in Delta^RM(0): the FLCI and the M̄ = 1 set still cover, the usual interval
    and the M̄ = 0 set do not."""
    t = np.r_[np.arange(-5, 0), np.arange(1, 5)].astype(float)
    orig, rm0, rm1, sd0 = _coverage(province_sigma, 0.1 * t, 4000, 2)
    print(f"coverage, linear trend: usual {orig:.3f}, RM(0) {rm0:.3f}, RM(1) {rm1:.3f}, SD(0) {sd0:.3f}")
    assert orig < 0.85 and rm0 < 0.85, (orig, rm0)
    assert abs(sd0 - 0.95) <= 0.011
    assert rm1 >= 0.94, rm1


# ------------------------------------------------------------------------------------------
# the suite's estimators as inputs, results, plot, bad input
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def staggered_cs():
    d = simulate_staggered(n_units=240, seed=5, effect="constant")
    return d, att_gt(d, outcome="y", unit="unit", time="year", group="cohort", base_period="universal",
                     bootstrap="none")


def test_callaway_santanna_dynamic_input(staggered_cs):
    _, res = staggered_cs
    agg = res.aggregate("dynamic")
    v = event_study_vector(res)
    assert -1 not in v.event_times and v.event_times[0] < -1
    pre_post = agg.effects["event_time"].to_numpy()
    assert list(v.event_times) == sorted(pre_post.tolist())
    # analytic covariance of the influence functions (HonestDiD's honest_did.AGGTEobj)
    psi = agg.influence[:, 1:]
    V = psi.T @ psi / psi.shape[0] ** 2
    np.testing.assert_allclose(v.sigma, V, rtol=1e-10)
    rep = event_study_vector(agg, covariance="reported")
    np.testing.assert_allclose(np.sqrt(np.diag(rep.sigma)), agg.effects["std_error"], rtol=1e-10)
    out = sensitivity(res, restriction="relative_magnitudes", M=[0, 1], target="average", max_e=3)
    assert out.term == "average effect, e=0..3"
    np.testing.assert_allclose(out.l_vec, [0.25] * 4)
    assert out.estimate == pytest.approx(agg.effects.set_index("event_time").loc[[0, 1, 2, 3], "estimate"].mean())


def test_varying_base_period_is_refused(staggered_cs):
    d, _ = staggered_cs
    res = att_gt(d, outcome="y", unit="unit", time="year", group="cohort", bootstrap="none")
    with pytest.raises(EstimationError, match="base_period='universal'"):
        sensitivity(res)
    with pytest.raises(EstimationError, match="universal"):
        event_study_vector(res.aggregate("dynamic"))


def test_twfe_input_drops_binned_endpoints(staggered_cs):
    d, _ = staggered_cs
    es = event_study(d, outcome="y", unit="unit", time="year", group="cohort", window=(-4, 4))
    v = event_study_vector(es)
    assert v.event_times == (-3, -2, 0, 1, 2, 3)
    assert "binned" in v.notes[0]
    res = sensitivity(es, restriction="smoothness", target=2, M=[0, 0.05])
    assert res.term == "e=2" and list(res.l_vec) == [0, 0, 1, 0]
    with pytest.raises(EstimationError, match="reference=-1"):
        event_study_vector(event_study(d, outcome="y", unit="unit", time="year", group="cohort", reference=-2))


def test_tidy_plot_and_html(staggered_cs):
    import matplotlib

    matplotlib.use("Agg")
    _, res = staggered_cs
    out = sensitivity(res, M=[0, 0.5, 1])
    tidy = out.tidy(include_original=True)
    assert list(tidy.columns) == ["term", "restriction", "method", "M", "lb", "ub", "excludes_zero"]
    assert tidy["method"].tolist() == ["original", "C-LF", "C-LF", "C-LF"]
    assert (tidy["lb"] < tidy["ub"]).all()
    assert "breakdown" in out._repr_html_()
    for lang in ("en", "vi"):
        ax = plot_sensitivity(out, lang=lang)
        assert len(ax.containers) == 2  # the usual interval, the robust sets
        assert ax.get_xticklabels()[0].get_text() == ("usual" if lang == "en" else "thông thường")


def test_bad_input_messages():
    beta, sigma = _toy(num_pre=2, num_post=2)
    with pytest.raises(ValueError, match="choose one of 'relative_magnitudes', 'smoothness'"):
        honest_did(beta, sigma, num_pre=2, num_post=2, restriction="rm")
    with pytest.raises(ValueError, match="num_pre \\+ num_post = 5"):
        honest_did(beta, sigma, num_pre=3, num_post=2)
    with pytest.raises(ValueError, match="l_vec has 3 entries"):
        honest_did(beta, sigma, num_pre=2, num_post=2, l_vec=[1, 0, 0])
    with pytest.raises(EstimationError, match="not positive semi-definite"):
        honest_did(beta, -sigma, num_pre=2, num_post=2)
    with pytest.raises(EstimationError, match="missing or infinite"):
        honest_did(np.r_[beta[:3], np.nan], sigma, num_pre=2, num_post=2)
    with pytest.raises(ValueError, match="non-negative"):
        honest_did(beta, sigma, num_pre=2, num_post=2, M=[-1])
    with pytest.raises(ValueError, match="not a post event time"):
        sensitivity(_small_event_study(), target=7)


def _small_event_study():
    d = simulate_staggered(n_units=120, seed=2, effect="constant")
    return event_study(d, outcome="y", unit="unit", time="year", group="cohort", window=None)
