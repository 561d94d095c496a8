"""Benchmark data: the synthetic demo panel at a given scale, cached as parquet under /tmp."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

CACHE = Path("/tmp/evalutils-bench")


def demo_panel(scale: float, seed: int = 20200831) -> pd.DataFrame:
    """firm_id (category), year, province_code, y = log VA per worker, g = first support year (0 = never), D."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"demo_{scale:g}_{seed}.parquet"
    if path.exists():
        return pd.read_parquet(path)
    from evalutils.panel.demo import generate_demo

    t0 = time.perf_counter()
    d = generate_demo(scale=scale, seed=seed)
    p = d.panel[["firm_id", "year", "province_code", "value_added", "employment"]].merge(
        d.participation[["firm_id", "support_start_year"]], on="firm_id", how="left")
    out = pd.DataFrame({
        "firm_id": pd.factorize(p["firm_id"])[0].astype(np.int64),
        "year": p["year"].astype(np.int64),
        "province_code": p["province_code"].astype(str),
        "y": np.log(p["value_added"].to_numpy() / p["employment"].to_numpy()),
        "g": p["support_start_year"].fillna(0).astype(np.int64),
    })
    out["D"] = ((out["g"] > 0) & (out["year"] >= out["g"])).astype(np.int64)
    out.to_parquet(path)
    print(f"generated scale={scale}: {len(out):,} rows in {time.perf_counter() - t0:.1f}s")
    return out
