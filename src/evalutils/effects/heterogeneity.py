"""Effects by subgroup (type of support, sector, firm size) with multiple-testing corrections.

For each level s of ``by`` the estimator is run on the units with ``by == s`` plus the units
whose ``by`` is missing. That covers both designs:

* a characteristic of every firm (sector, size class): treated and comparison firms of the same
  subgroup ("within" comparisons);
* a characteristic of supported firms only (type of support, missing for never-supported
  firms): every subgroup shares the never-supported comparison firms.

With ``estimator="att_gt"`` the subgroup estimates' influence functions are stacked over the
union of units, so the test that all subgroup effects are equal accounts for shared controls.
p-values are adjusted for the number of subgroups with Holm (family-wise error) and
Benjamini–Hochberg (false discovery rate).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from .. import _dist

from evalutils.errors import EstimationError

from ._common import check_choice, check_columns, html_table


def adjust_pvalues(p: np.ndarray | list[float], method: Literal["holm", "bh"]) -> np.ndarray:
    """Holm (step-down FWER) or Benjamini–Hochberg (step-up FDR) adjusted p-values.

    Examples
    --------
    >>> from evalutils.effects import adjust_pvalues
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    check_choice("method", method, ("holm", "bh"))
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p)
    ps = p[order]
    if method == "holm":
        adj = np.maximum.accumulate((m - np.arange(m)) * ps)
    else:
        adj = np.minimum.accumulate((m / np.arange(1, m + 1) * ps)[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out


@dataclass(frozen=True)
class HeterogeneityResult:
    effects: pd.DataFrame  # by, estimate, std_error, conf_low, conf_high, p_value, p_holm, p_bh, n_units
    by: str
    equality_test: dict[str, float]
    estimator: str
    alpha: float

    def tidy(self) -> pd.DataFrame:
        e = self.effects
        out = pd.DataFrame({
            "term": [f"{self.by}={v}" for v in e[self.by]],
            "estimate": e["estimate"], "std_error": e["std_error"],
            "statistic": e["estimate"] / e["std_error"], "p_value": e["p_value"],
            "p_holm": e["p_holm"], "p_bh": e["p_bh"],
            "conf_low": e["conf_low"], "conf_high": e["conf_high"],
            "n_obs": e["n_obs"], "n_units": e["n_units"], "n_clusters": e["n_clusters"],
            "method": f"{self.estimator} by {self.by}",
        })
        return out

    def _repr_html_(self) -> str:
        t = self.equality_test
        note = (f"Equality of all subgroup effects: chi2({t['df']:.0f}) = {t['statistic']:.2f}, "
                f"p = {t['p_value']:.4f}." if np.isfinite(t.get("statistic", np.nan)) else "")
        return html_table(f"Effects by {self.by}", self.tidy()[["term", "estimate", "std_error", "p_value",
                                                                 "p_holm", "p_bh", "n_units"]],
                          [note, "p_holm: Holm family-wise correction; p_bh: Benjamini–Hochberg FDR."])


def heterogeneity(
    data: pd.DataFrame,
    *,
    by: str,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    estimator: Literal["att_gt", "imputation"] = "att_gt",
    aggregation: Literal["simple", "group", "dynamic"] = "simple",
    min_units: int = 2,
    alpha: float = 0.05,
    **kwargs: Any,
) -> HeterogeneityResult:
    """Subgroup ATTs with Holm and BH adjusted p-values and a joint equality test.

    ``by`` is a unit-level column (constant within unit; missing for units that serve as shared
    comparison units). ``kwargs`` go to :func:`att_gt` or :func:`did_imputation`.

    Examples
    --------
    >>> from evalutils.effects import heterogeneity
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"firm": np.repeat(np.arange(40), 6), "year": np.tile(np.arange(2016, 2022), 40)})
    >>> df["g"] = np.select([df["firm"] < 10, df["firm"] < 20], [2018, 2020], 0)
    >>> df["d"] = ((df["g"] > 0) & (df["year"] >= df["g"])).astype(int)
    >>> df["y"] = 0.5 * df["d"] + np.random.default_rng(0).normal(scale=0.1, size=len(df))
    >>> df["size"] = np.where(df["firm"] % 2 == 0, "small", "large")
    >>> het = heterogeneity(df, by="size", outcome="y", unit="firm", time="year", group="g")
    >>> het.tidy()["term"].tolist()
    ['size=large', 'size=small']
    """
    from .did import att_gt
    from .imputation import did_imputation

    check_choice("estimator", estimator, ("att_gt", "imputation"))
    check_choice("aggregation", aggregation, ("simple", "group", "dynamic"))
    check_columns(data, [by, outcome, unit, time, group], estimator="heterogeneity")
    per_unit = data.groupby(unit, sort=False)[by].nunique(dropna=True)
    if (per_unit > 1).any():
        raise EstimationError("heterogeneity: the subgroup varies within unit", column=by,
                              hint="use a time-invariant characteristic (e.g. the value in the first year)")
    levels = [v for v in pd.unique(data[by].dropna())]
    try:
        levels = sorted(levels)
    except TypeError:
        pass
    if len(levels) < 2:
        raise EstimationError("heterogeneity: fewer than two subgroups", column=by)
    shared = data[by].isna()
    rows = []
    infl: list[pd.Series] = []
    for lev in levels:
        sub = data[(data[by] == lev) | shared]
        treated_units = sub.loc[(sub[group] > 0) & sub[by].notna(), unit].nunique()
        if treated_units < min_units:
            raise EstimationError(f"heterogeneity: subgroup {by}={lev!r} has {treated_units} treated units",
                                  column=by, hint="merge small subgroups before estimation")
        if estimator == "att_gt":
            opts = {"bootstrap": "none", **kwargs}
            res = att_gt(sub, outcome=outcome, unit=unit, time=time, group=group, alpha=alpha, **opts)
            agg = res.aggregate(aggregation)
            est, se = agg.overall_estimate, agg.overall_std_error
            n_obs, n_units, n_cl = res.n_obs, res.n_units, res.n_clusters
            # influence on the subgroup's units, scaled to sum form: theta_hat - theta = sum_i phi_i
            units_kept = res.units
            infl.append(pd.Series(agg.influence[:, 0] / res.n_units, index=units_kept))
        else:
            res = did_imputation(sub, outcome=outcome, unit=unit, time=time, group=group, alpha=alpha, **kwargs)
            est, se = res.overall_estimate, res.overall_std_error
            n_obs, n_units, n_cl = res.n_obs, res.n_units, res.n_clusters
        rows.append({by: lev, "estimate": est, "std_error": se, "n_obs": n_obs, "n_units": n_units,
                     "n_clusters": n_cl})
    eff = pd.DataFrame(rows)
    z = _dist.norm.ppf(1 - alpha / 2)
    eff["conf_low"] = eff["estimate"] - z * eff["std_error"]
    eff["conf_high"] = eff["estimate"] + z * eff["std_error"]
    eff["p_value"] = 2 * _dist.norm.sf(np.abs(eff["estimate"] / eff["std_error"]))
    eff["p_holm"] = adjust_pvalues(eff["p_value"].to_numpy(), "holm")
    eff["p_bh"] = adjust_pvalues(eff["p_value"].to_numpy(), "bh")

    # equality test: differences from the first subgroup, covariance from stacked influence functions
    k = len(eff)
    b = eff["estimate"].to_numpy()
    if infl:
        allu = pd.Index(sorted(set().union(*[s.index for s in infl]), key=str))
        Phi = np.column_stack([s.reindex(allu).fillna(0.0).to_numpy() for s in infl])
        cluster = kwargs.get("cluster")
        if cluster is not None and cluster != unit:
            cmap = data.groupby(unit)[cluster].first().reindex(allu)
            codes = pd.factorize(cmap)[0]
            Pc = np.zeros((codes.max() + 1, k))
            np.add.at(Pc, codes, Phi)
            Phi = Pc
        V = Phi.T @ Phi
        note = "stacked influence functions (shared controls accounted for)"
    else:
        disjoint = not shared.any()
        V = np.diag(eff["std_error"].to_numpy() ** 2)
        note = "independent subgroups" if disjoint else "independence assumed although controls are shared"
    R = np.column_stack([-np.ones(k - 1), np.eye(k - 1)])
    d = R @ b
    W = float(d @ np.linalg.pinv(R @ V @ R.T) @ d)
    test = {"statistic": W, "df": float(k - 1), "p_value": float(_dist.chi2_sf(W, k - 1)), "note": note}
    return HeterogeneityResult(effects=eff, by=by, equality_test=test, estimator=estimator, alpha=alpha)

