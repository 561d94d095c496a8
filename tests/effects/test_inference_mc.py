"""Seeded small versions of bench/effects/inference_mc.py (issue 12): properties that fail if the inference breaks.

Bands are binomial: with R replications a rate p has Monte Carlo standard error sqrt(p(1-p)/R); each band is
about 3 such standard errors around the nominal value. The previous inference fails each of them (pre-test size
100 %, coverage 85-90 % at 12 of 150, 10 % with a cohort of two firms; see docs/inference.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from evalutils.effects import minimum_detectable_effect
from evalutils.effects.montecarlo import Design, run, simulate_panel

pytestmark = pytest.mark.slow
SEED = 20200831


def test_pretest_size_and_interval_coverage_at_12_of_150():
    r = run(Design("12 of 150", 150, 12), 200, SEED, n_boot=49, with_mde=False)
    assert 0.005 <= r["pre_reject"].mean() <= 0.105  # nominal 5 %, MC s.e. 1.5 points
    assert 0.905 <= r["cs_covered"].mean() <= 0.99  # nominal 95 %, MC s.e. 1.5 points
    assert 0.905 <= r["bjs_covered"].mean() <= 0.99


def test_a_cohort_of_two_firms_keeps_its_coverage():
    r = run(Design("2 of 300", 300, 2, cohorts=(2023,)), 120, SEED, n_boot=49, with_mde=False)
    assert r["cs_covered"].mean() >= 0.9  # the collapsed bootstrap SE covered 10 % of the time here
    assert r["bjs_covered"].mean() >= 0.9


def test_power_at_the_mde_is_about_eighty_percent():
    design = Design("30 of 300", 300, 30)
    pilot = [minimum_detectable_effect(simulate_panel(design, np.random.default_rng([SEED, k])),
                                       outcome="y", unit="firm", time="year", group="g").mde for k in range(5)]
    mde = float(np.median(pilot))
    r = run(Design("30 of 300 at the MDE", 300, 30, effect="constant", effect_size=mde), 150, SEED,
            estimators=("att_gt",), n_boot=49, with_mde=False)
    assert 0.68 <= r["cs_reject0"].mean() <= 0.92  # promised 80 %, MC s.e. 3.3 points
