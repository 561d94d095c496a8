"""A small known-truth firm panel for tests and benchmarks (not public API).

DGP (logs): productivity ``ω_t = 0.7·ω_{t−1} + ξ_t`` (σ_ξ = 0.2, stationary
start); capital ``k_t = 0.9·k_{t−1} + 0.1·(3 + ω_{t−1}) + ν`` decided at t−1;
labour ``l_t = s_i + 0.5·ω_t + η_t`` (firm size s_i, i.i.d. η), so labour is
endogenous but has variation not explained by (k, ω); materials
``m_t = 1 + 0.4·k_t + ω_t`` (a monotone proxy that does not depend on l, so LP
and ACF are both consistent); investment (level) ``exp(0.5·k_t + 2·ω_t)`` when
``ω_t > −0.15`` and 0 otherwise (about a third of firm-years), and
``y = β_l·l + β_k·k + ω + ε`` with ε ~ N(0, 0.1²).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def simulate_panel(
    n_firms: int,
    n_years: int = 10,
    *,
    beta_l: float = 0.6,
    beta_k: float = 0.3,
    seed: int = 1,
    gap_share: float = 0.0,
) -> pd.DataFrame:
    """Simulate ``n_firms × n_years`` firm-years (minus a random ``gap_share`` of rows)."""
    rng = np.random.default_rng(seed)
    n, T = n_firms, n_years
    rho, sig = 0.7, 0.2
    omega = np.empty((n, T))
    omega[:, 0] = rng.normal(0, sig / np.sqrt(1 - rho**2), n)
    for t in range(1, T):
        omega[:, t] = rho * omega[:, t - 1] + rng.normal(0, sig, n)
    k = np.empty((n, T))
    k[:, 0] = rng.normal(3.0, 1.0, n)
    for t in range(1, T):
        k[:, t] = 0.9 * k[:, t - 1] + 0.1 * (3.0 + omega[:, t - 1]) + rng.normal(0, 0.1, n)
    size = rng.normal(2.0, 1.0, n)
    lab = size[:, None] + 0.5 * omega + rng.normal(0, 0.1, (n, T))
    m = 1.0 + 0.4 * k + omega
    inv = np.where(omega > -0.15, np.exp(0.5 * k + 2.0 * omega), 0.0)
    y = beta_l * lab + beta_k * k + omega + rng.normal(0, 0.1, (n, T))
    firm = np.repeat(np.arange(n), T)
    year = np.tile(np.arange(2010, 2010 + T), n)
    df = pd.DataFrame({
        "firm": firm, "year": year, "y": y.ravel(), "l": lab.ravel(), "k": k.ravel(),
        "m": m.ravel(), "inv": inv.ravel(), "omega": omega.ravel(),
    })
    if gap_share > 0:
        df = df[rng.random(len(df)) >= gap_share].reset_index(drop=True)
    return df
