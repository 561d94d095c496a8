"""Why TWFE can mislead under staggered adoption: two diagnostics.

* :func:`twfe_weights` — de Chaisemartin and D'Haultfœuille (2020): the TWFE coefficient is a
  weighted sum of the treated observations' effects, beta_fe = sum_{D=1} w_it tau_it with
  w_it = e_it / sum_{D=1} e_it, e the residual of D on unit and time effects. Reports how many
  weights are negative, their sum, and sigma_fe, the smallest standard deviation of effects
  across treated observations compatible with beta_fe and an average effect of the opposite sign.
* :func:`bacon_decomposition` — Goodman-Bacon (2021): in a balanced panel the TWFE coefficient is
  a weighted average of all 2x2 DiD comparisons (treated vs never treated, earlier vs later
  treated before the later are treated, later vs earlier treated *after* the earlier are treated
  — the "forbidden" comparisons that use already-treated units as controls).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalutils.errors import EstimationError

from ._common import check_binary, check_columns, drop_missing, html_table
from ._fe import fit_two_way


@dataclass(frozen=True)
class TWFEWeights:
    weights: pd.DataFrame  # one row per treated observation: unit, time, weight
    by_cell: pd.DataFrame  # group/time summary when a group column is given, else by time
    beta_fe: float
    n_treated_obs: int
    n_negative: int
    sum_negative: float
    sigma_fe: float

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "statistic": ["beta_fe", "n_treated_obs", "n_negative_weights", "share_negative",
                              "sum_negative_weights", "sigma_fe"],
                "value": [self.beta_fe, self.n_treated_obs, self.n_negative,
                          self.n_negative / self.n_treated_obs, self.sum_negative, self.sigma_fe],
            }
        )

    def implied_estimate(self, effects: pd.Series | np.ndarray) -> float:
        """sum_it w_it tau_it for given effects of the treated observations (aligned with ``weights``)."""
        return float(np.dot(self.weights["weight"].to_numpy(), np.asarray(effects, dtype=float)))

    def _repr_html_(self) -> str:
        return html_table("TWFE weights (de Chaisemartin–D'Haultfœuille)", self.tidy(),
                          ["Negative weights mean that TWFE can have the opposite sign of every effect."])


def twfe_weights(
    data: pd.DataFrame, *, outcome: str | None = None, unit: str, time: str, treatment: str,
    group: str | None = None,
) -> TWFEWeights:
    """Weights that TWFE puts on each treated observation's effect (dCDH 2020, Theorem 1).

    ``outcome`` (optional) gives beta_fe and sigma_fe; ``group`` (optional) adds a group x time summary.

    Examples
    --------
    >>> from evalutils.effects import twfe_weights
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"firm": np.repeat(np.arange(40), 6), "year": np.tile(np.arange(2016, 2022), 40)})
    >>> df["g"] = np.select([df["firm"] < 10, df["firm"] < 20], [2018, 2020], 0)
    >>> df["d"] = ((df["g"] > 0) & (df["year"] >= df["g"])).astype(int)
    >>> df["y"] = 0.5 * df["d"] + np.random.default_rng(0).normal(scale=0.1, size=len(df))
    >>> w = twfe_weights(df, unit="firm", time="year", treatment="d")
    >>> w.n_negative, w.n_treated_obs
    (0, 60)
    """
    check_columns(data, [outcome, unit, time, treatment, group], estimator="twfe_weights")
    cols = [c for c in (outcome, unit, time, treatment, group) if c is not None]
    df = drop_missing(data, cols)
    d = check_binary(df[treatment], column=treatment, estimator="twfe_weights")
    if d.min() == d.max():
        raise EstimationError("twfe_weights: the treatment does not vary", column=treatment)
    u, _ = pd.factorize(df[unit])
    t, _ = pd.factorize(df[time])
    a, b = fit_two_way(d, u, t, u.max() + 1, t.max() + 1)
    eps = d - a[u] - b[t]
    tr = d == 1
    denom = eps[tr].sum()
    if abs(denom) < 1e-12:
        raise EstimationError("twfe_weights: the treatment is absorbed by the unit and time effects",
                              column=treatment)
    w = eps[tr] / denom
    beta = np.nan
    sigma = np.nan
    if outcome is not None:
        y = df[outcome].to_numpy(dtype=float)
        beta = float(np.dot(eps, y) / np.dot(eps, d))
        n1 = tr.sum()
        wn = w * n1  # normalised to mean 1
        sd = np.sqrt(np.mean((wn - 1) ** 2))
        sigma = abs(beta) / sd if sd > 0 else np.inf
    weights = pd.DataFrame({unit: df.loc[tr, unit].to_numpy(), time: df.loc[tr, time].to_numpy(), "weight": w})
    keys = [group, time] if group is not None else [time]
    if group is not None:
        weights[group] = df.loc[tr, group].to_numpy()
    by_cell = (weights.groupby(keys, sort=True)["weight"].agg(["sum", "size"])
               .rename(columns={"sum": "weight", "size": "n_obs"}).reset_index())
    return TWFEWeights(
        weights=weights, by_cell=by_cell, beta_fe=beta, n_treated_obs=int(tr.sum()),
        n_negative=int((w < 0).sum()), sum_negative=float(w[w < 0].sum()), sigma_fe=float(sigma),
    )


@dataclass(frozen=True)
class BaconDecomposition:
    comparisons: pd.DataFrame  # treated, control, type, estimate, weight
    beta_fe: float

    def summary(self) -> pd.DataFrame:
        """Weight and weighted-average estimate by comparison type."""
        c = self.comparisons
        out = c.groupby("type").apply(
            lambda f: pd.Series({"weight": f["weight"].sum(),
                                 "avg_estimate": np.average(f["estimate"], weights=f["weight"])}),
            include_groups=False,
        )
        return out.reset_index()

    def tidy(self) -> pd.DataFrame:
        return self.comparisons.copy()

    def _repr_html_(self) -> str:
        return html_table("Goodman-Bacon decomposition of the TWFE coefficient", self.summary(),
                          [f"TWFE coefficient = {self.beta_fe:.4f} = sum of weight x estimate over "
                           f"{len(self.comparisons)} 2x2 comparisons."])


def bacon_decomposition(
    data: pd.DataFrame, *, outcome: str, unit: str, time: str, group: str
) -> BaconDecomposition:
    """Goodman-Bacon (2021) decomposition for a balanced panel; ``group`` = first treated period, 0 = never.

    Units treated in the first period (always treated) are not supported and raise an error.

    Examples
    --------
    >>> from evalutils.effects import bacon_decomposition
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"firm": np.repeat(np.arange(40), 6), "year": np.tile(np.arange(2016, 2022), 40)})
    >>> df["g"] = np.select([df["firm"] < 10, df["firm"] < 20], [2018, 2020], 0)
    >>> df["d"] = ((df["g"] > 0) & (df["year"] >= df["g"])).astype(int)
    >>> df["y"] = 0.5 * df["d"] + np.random.default_rng(0).normal(scale=0.1, size=len(df))
    >>> bd = bacon_decomposition(df, outcome="y", unit="firm", time="year", group="g")
    >>> round(float(bd.tidy()["weight"].sum()), 6)
    1.0
    """
    check_columns(data, [outcome, unit, time, group], estimator="bacon_decomposition")
    df = drop_missing(data, [outcome, unit, time, group])
    periods = np.sort(df[time].unique())
    T = len(periods)
    counts = df.groupby(unit)[time].nunique()
    if (counts != T).any() or df.duplicated([unit, time]).any():
        raise EstimationError("bacon_decomposition: the panel must be balanced (one row per unit and period)",
                              column=unit, hint="restrict to units observed in every period")
    wide = df.pivot(index=unit, columns=time, values=outcome).loc[:, periods]
    G = df.groupby(unit)[group].first().loc[wide.index].to_numpy(dtype=np.int64)
    G = np.where(G > periods[-1], 0, G)
    if ((G > 0) & (G <= periods[0])).any():
        raise EstimationError("bacon_decomposition: units treated in the first period are not supported",
                              column=group, hint="drop always-treated units")
    Y = wide.to_numpy(dtype=float)
    timing = np.unique(G[G > 0])
    if len(timing) == 0:
        raise EstimationError("bacon_decomposition: no treated units", column=group)
    share = {gg: np.mean(G == gg) for gg in [0, *timing]}
    Dbar = {gg: np.mean(periods >= gg) for gg in timing}
    D = (G[:, None] > 0) & (periods[None, :] >= G[:, None])
    # variance of the two-way demeaned treatment (balanced panel)
    Dd = D.astype(float)
    Dt = Dd - Dd.mean(axis=1, keepdims=True) - Dd.mean(axis=0, keepdims=True) + Dd.mean()
    VD = np.mean(Dt**2)
    means = {gg: Y[G == gg].mean(axis=0) for gg in [0, *timing] if (G == gg).any()}

    def dd(treat_g, ctrl_g, pre_mask, post_mask):
        yt, yc = means[treat_g], means[ctrl_g]
        return (yt[post_mask].mean() - yt[pre_mask].mean()) - (yc[post_mask].mean() - yc[pre_mask].mean())

    rows = []
    has_never = 0 in means
    for k in timing:
        if has_never:
            nk, nu = share[k], share[0]
            nku = nk / (nk + nu)
            s = (nk + nu) ** 2 * nku * (1 - nku) * Dbar[k] * (1 - Dbar[k]) / VD
            est = dd(k, 0, periods < k, periods >= k)
            rows.append({"treated": int(k), "control": 0, "type": "treated vs never treated", "estimate": est, "weight": s})
    for i, k in enumerate(timing):
        for l in timing[i + 1:]:
            nk, nl = share[k], share[l]
            nkl = nk / (nk + nl)
            Dk, Dl = Dbar[k], Dbar[l]
            s_k = ((nk + nl) * (1 - Dl)) ** 2 * nkl * (1 - nkl) * ((Dk - Dl) / (1 - Dl)) * ((1 - Dk) / (1 - Dl)) / VD
            win = periods < l
            est_k = dd(k, l, win & (periods < k), win & (periods >= k))
            rows.append({"treated": int(k), "control": int(l), "type": "earlier vs later treated (not yet treated controls)",
                         "estimate": est_k, "weight": s_k})
            s_l = ((nk + nl) * Dk) ** 2 * nkl * (1 - nkl) * (Dl / Dk) * ((Dk - Dl) / Dk) / VD
            win = periods >= k
            est_l = dd(l, k, win & (periods < l), win & (periods >= l))
            rows.append({"treated": int(l), "control": int(k), "type": "later vs earlier treated (already treated controls)",
                         "estimate": est_l, "weight": s_l})
    comp = pd.DataFrame(rows)
    # TWFE coefficient by FWL on the balanced panel
    Yd = Y - Y.mean(axis=1, keepdims=True) - Y.mean(axis=0, keepdims=True) + Y.mean()
    beta = float((Dt * Yd).sum() / (Dt**2).sum())
    return BaconDecomposition(comparisons=comp, beta_fe=beta)
