"""Size of the TWFE t-test under each ``vcov=`` choice at province scale (bench, not a test).

Null of no effect; 300 firms x 8 years, 40 supported firms in cohorts 2019/2021 (the rest never);
firm effects and AR(1) idiosyncratic errors (rho = 0 or 0.5, heteroskedastic across firms). Reports
the rejection rate at 5% of the TWFE t-test with ``vcov="iid"``, ``"hetero"`` and ``"cluster"`` (by firm).
With serially correlated errors only the clustered SE is valid; iid and hetero SEs are for
reproducing textbook tables.

Usage: python bench/effects/vcov_size_mc.py [n_rep]
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from evalutils.effects import twfe


def panel(rng: np.random.Generator, rho: float, n: int = 300, T: int = 8) -> pd.DataFrame:
    years = np.arange(2016, 2016 + T)
    g = np.zeros(n, dtype=int)
    g[:20], g[20:40] = 2019, 2021
    scale = rng.uniform(0.5, 1.5, n)  # heteroskedastic across firms
    e = np.empty((n, T))
    e[:, 0] = rng.normal(size=n) / np.sqrt(1 - rho**2)
    for t in range(1, T):
        e[:, t] = rho * e[:, t - 1] + rng.normal(size=n)
    y = rng.normal(size=n)[:, None] + 0.02 * (years - 2016)[None, :] + scale[:, None] * e
    df = pd.DataFrame({"firm": np.repeat(np.arange(n), T), "year": np.tile(years, n), "y": y.ravel()})
    gg = np.repeat(g, T)
    df["d"] = ((gg > 0) & (df["year"].to_numpy() >= gg)).astype(int)
    return df


def run(n_rep: int = 1000, seed: int = 20200831) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for rho in (0.0, 0.5):
        rej = {v: 0 for v in ("iid", "hetero", "cluster")}
        for _ in range(n_rep):
            df = panel(rng, rho)
            for v in rej:
                p = twfe(df, outcome="y", unit="firm", time="year", treatment="d", vcov=v).tidy()["p_value"].iloc[0]
                rej[v] += p < 0.05
        rows.append({"rho": rho, **{f"reject_{v}": rej[v] / n_rep for v in rej}, "n_rep": n_rep})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1000).to_string(index=False))
