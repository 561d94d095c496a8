"""Shared fixtures for the effects tests: the mpdta fixture and small simulated staggered panels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def simulate_staggered(
    *,
    n_units: int = 400,
    years: tuple[int, int] = (2010, 2019),
    cohorts: tuple[int, ...] = (2013, 2015, 2017),
    never_share: float = 0.3,
    effect: str = "dynamic",
    n_clusters: int | None = None,
    seed: int = 1,
) -> pd.DataFrame:
    """Staggered adoption panel with known effects.

    ``effect="dynamic"``: tau = 0.05 * (1 + e) * (1 + cohort index), growing with exposure e
    and larger for earlier cohorts (the setting in which TWFE is biased).
    ``effect="constant"``: tau = 0.2 for every treated unit-period.
    Columns: unit, year, cohort (0 = never), treated (0/1), x, cluster, y, tau.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(years[0], years[1] + 1)
    T = len(t)
    share = (1 - never_share) / len(cohorts)
    probs = [never_share] + [share] * len(cohorts)
    cohort = rng.choice(np.array((0, *cohorts)), size=n_units, p=probs)
    unit = np.repeat(np.arange(n_units), T)
    year = np.tile(t, n_units)
    g = np.repeat(cohort, T)
    treated = ((g > 0) & (year >= g)).astype(int)
    e = np.where(g > 0, year - g, -1)
    cohort_index = np.searchsorted(np.array(cohorts), g)  # 0 for the first cohort
    if effect == "dynamic":
        tau = np.where(treated == 1, 0.05 * (1 + e) * (len(cohorts) - cohort_index), 0.0)
    else:
        tau = np.where(treated == 1, 0.2, 0.0)
    alpha = np.repeat(rng.normal(0, 1, n_units), T)
    x = rng.normal(0, 1, n_units * T)
    year_fe = 0.03 * (year - years[0])
    y = alpha + year_fe + 0.5 * x + tau + rng.normal(0, 0.3, n_units * T)
    ncl = n_clusters or n_units
    clus = np.repeat(rng.integers(0, ncl, n_units), T) if n_clusters else unit
    return pd.DataFrame(
        {
            "unit": unit,
            "year": year,
            "cohort": g,
            "treated": treated,
            "x": x,
            "cluster": clus,
            "y": y,
            "tau": tau,
        }
    )


@pytest.fixture(scope="session")
def mpdta() -> pd.DataFrame:
    df = pd.read_csv(FIXTURES / "mpdta.csv")
    df["first.treat"] = df["first.treat"].astype(int)
    df["countyreal"] = df["countyreal"].astype(int)
    return df


@pytest.fixture(scope="session")
def staggered() -> pd.DataFrame:
    return simulate_staggered(seed=11)
