"""A small few-cluster panel for the wild bootstrap's cross-checks (tests and bench; not public API).

>>> df = few_cluster_panel(2, 10)
>>> df.shape, df["cl"].nunique()
((720, 6), 10)
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def few_cluster_panel(seed: int, n_clusters: int) -> pd.DataFrame:
    """120 units x 6 years (2015-2020), staggered support in 2017/2018, units in ``n_clusters`` clusters.

    ``y = unit effect + 0.05 (year - 2015) + 0.1 treated + 0.5 x + cluster-by-year shock (sd 0.2) + noise
    (sd 0.5)``. Columns: unit, year, treated, x, y, cl.
    """
    rng = np.random.default_rng(seed)
    n, T = 120, 6
    unit = np.repeat(np.arange(n), T)
    year = np.tile(np.arange(2015, 2015 + T), n)
    g = np.repeat(rng.choice([0, 2017, 2018], size=n), T)
    treated = ((g > 0) & (year >= g)).astype(int)
    cl = np.repeat(rng.integers(0, n_clusters, n), T)
    x = rng.normal(size=n * T)
    y = np.repeat(rng.normal(size=n), T) + 0.05 * (year - 2015) + 0.1 * treated + 0.5 * x \
        + rng.normal(0, 0.2, (n_clusters, T))[cl, year - 2015] + rng.normal(0, 0.5, n * T)
    return pd.DataFrame({"unit": unit, "year": year, "treated": treated, "x": x, "y": y, "cl": cl})
