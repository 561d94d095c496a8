"""Dynamic Olley–Pakes decomposition of aggregate productivity growth (Melitz–Polanec 2015)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalutils.errors import DataValidationError

from ._panel import as_list, bad_rows, numeric_column, require_columns


def _cross_section(phi: np.ndarray, s: np.ndarray) -> tuple[float, float, float]:
    """Share-weighted mean, unweighted mean and OP covariance of a set of firms.

    ``s`` are the firms' weights (any scale); they are normalised within the set.
    """
    if len(phi) == 0:
        return np.nan, np.nan, np.nan
    sh = s / s.sum()
    mean = float(phi.mean())
    cov = float(((sh - 1.0 / len(phi)) * (phi - mean)).sum())
    return float((sh * phi).sum()), mean, cov


def melitz_polanec(
    data: pd.DataFrame,
    *,
    productivity: str,
    weight: str,
    unit: str,
    time: str,
    by: str | Sequence[str] | None = None,
    start: int | None = None,
    end: int | None = None,
) -> pd.DataFrame:
    r"""Decompose the change in aggregate productivity into within, between, entry and exit.

    Aggregate productivity in year t is the share-weighted mean
    :math:`\Phi_t = \sum_i s_{it}\varphi_{it}` with :math:`s_{it}` the firm's
    share of ``weight`` (employment, value added, …) in its group and year, and
    :math:`\varphi` the firm's ``productivity`` (usually log TFP or log labour
    productivity). Between years :math:`t_1` and :math:`t_2` firms are
    survivors (S, present in both), entrants (E, only in :math:`t_2`) or exiters
    (X, only in :math:`t_1`). With :math:`s_{Gt}` a set's total share and
    :math:`\Phi_{Gt}` its own share-weighted mean (Melitz and Polanec 2015, eq. 8):

    .. math::
        \Delta\Phi = \underbrace{\Delta\bar\varphi_S}_{\text{within}}
        + \underbrace{\Delta\operatorname{cov}_S}_{\text{between}}
        + \underbrace{s_{E2}(\Phi_{E2} - \Phi_{S2})}_{\text{entry}}
        + \underbrace{s_{X1}(\Phi_{S1} - \Phi_{X1})}_{\text{exit}}

    where :math:`\bar\varphi_S` is the survivors' unweighted mean and
    :math:`\operatorname{cov}_S = \sum_{i\in S}(s_i - 1/n_S)(\varphi_i - \bar\varphi_S)`
    the Olley–Pakes covariance (shares renormalised within S). The four terms
    add up to the total exactly.

    Parameters
    ----------
    productivity, weight, unit, time
        Column names. ``weight`` must be non-negative with a positive total
        in each group-year.
    by
        Optional grouping (e.g. province); shares are within group.
    start, end
        Compare these two years. If both are ``None``, every pair of
        consecutive years present in the data is decomposed.

    Returns
    -------
    DataFrame with the ``by`` columns, ``start``, ``end``, ``aggregate_start``,
    ``aggregate_end``, ``total``, ``within``, ``between``, ``entry``, ``exit``,
    ``n_survivors``, ``n_entrants``, ``n_exiters``.

    Examples
    --------
    >>> from evalutils.productivity import melitz_polanec
    >>> import pandas as pd
    >>> df = pd.DataFrame({"firm": ["a", "b", "a", "b", "c"], "year": [2020, 2020, 2021, 2021, 2021],
    ...                    "lp": [1.0, 2.0, 1.2, 2.1, 1.5], "workers": [10, 10, 10, 12, 4]})
    >>> mp = melitz_polanec(df, productivity="lp", weight="workers", unit="firm", time="year")
    >>> mp.loc[0, ["total", "within", "between", "entry", "exit"]].round(3).tolist()
    [0.162, 0.15, 0.041, -0.029, 0.0]
    """
    groups = as_list(by)
    require_columns(data, [productivity, weight, unit, time, *groups])
    phi = numeric_column(data, productivity)
    wt = numeric_column(data, weight)
    bad = ~np.isfinite(phi)
    if bad.any():
        raise DataValidationError("productivity is missing or not finite", column=productivity,
                                  rows=bad_rows(data, bad))
    bad = ~np.isfinite(wt) | (wt < 0)
    if bad.any():
        raise DataValidationError("weight is missing or negative", column=weight, rows=bad_rows(data, bad))
    if (start is None) != (end is None):
        raise ValueError("give both start and end, or neither")
    if start is not None and not start < end:
        raise ValueError(f"start ({start}) must be before end ({end})")
    frame = pd.DataFrame({"_phi": phi, "_w": wt, "_unit": data[unit].to_numpy(),
                          "_t": pd.to_numeric(data[time]).to_numpy()}, index=data.index)
    for g in groups:
        frame[g] = data[g].to_numpy()
    if frame.duplicated([*groups, "_unit", "_t"]).any():
        dup = frame.duplicated([*groups, "_unit", "_t"], keep=False).to_numpy()
        raise DataValidationError("duplicate (unit, time) rows", column=unit, rows=bad_rows(data, dup))

    rows = []
    grouped = frame.groupby(groups, sort=True) if groups else [((), frame)]
    for key, sub in grouped:
        key = key if isinstance(key, tuple) else (key,)
        years = sorted(sub["_t"].unique())
        pairs = [(start, end)] if start is not None else list(zip(years[:-1], years[1:]))
        by_year = {t: d.set_index("_unit") for t, d in sub.groupby("_t")}
        for t1, t2 in pairs:
            d1, d2 = by_year.get(t1), by_year.get(t2)
            if d1 is None or d2 is None:
                continue
            for label, d in (("start", d1), ("end", d2)):
                if d["_w"].sum() <= 0:
                    raise DataValidationError(
                        f"weights sum to zero in year {t1 if label == 'start' else t2}", column=weight,
                    )
            s1 = d1["_w"] / d1["_w"].sum()
            s2 = d2["_w"] / d2["_w"].sum()
            surv = d1.index.intersection(d2.index)
            exiters = d1.index.difference(d2.index)
            entrants = d2.index.difference(d1.index)
            agg1 = float((s1 * d1["_phi"]).sum())
            agg2 = float((s2 * d2["_phi"]).sum())
            _, mean_s1, cov_s1 = _cross_section(d1.loc[surv, "_phi"].to_numpy(), s1.loc[surv].to_numpy())
            _, mean_s2, cov_s2 = _cross_section(d2.loc[surv, "_phi"].to_numpy(), s2.loc[surv].to_numpy())
            phi_s1, _, _ = _cross_section(d1.loc[surv, "_phi"].to_numpy(), s1.loc[surv].to_numpy())
            phi_s2, _, _ = _cross_section(d2.loc[surv, "_phi"].to_numpy(), s2.loc[surv].to_numpy())
            s_e2 = float(s2.loc[entrants].sum())
            s_x1 = float(s1.loc[exiters].sum())
            if len(surv) == 0:
                raise DataValidationError(
                    f"no surviving firms between {t1} and {t2}"
                    + (f" in group {key}" if groups else "")
                    + ": the decomposition needs survivors",
                    column=unit,
                )
            entry = 0.0
            if len(entrants) and s_e2 > 0:
                phi_e2, _, _ = _cross_section(d2.loc[entrants, "_phi"].to_numpy(), s2.loc[entrants].to_numpy())
                entry = s_e2 * (phi_e2 - phi_s2)
            exit_ = 0.0
            if len(exiters) and s_x1 > 0:
                phi_x1, _, _ = _cross_section(d1.loc[exiters, "_phi"].to_numpy(), s1.loc[exiters].to_numpy())
                exit_ = s_x1 * (phi_s1 - phi_x1)
            row = dict(zip(groups, key))
            row.update(
                start=t1, end=t2, aggregate_start=agg1, aggregate_end=agg2, total=agg2 - agg1,
                within=mean_s2 - mean_s1, between=cov_s2 - cov_s1, entry=entry, exit=exit_,
                n_survivors=len(surv), n_entrants=len(entrants), n_exiters=len(exiters),
            )
            rows.append(row)
    cols = [*groups, "start", "end", "aggregate_start", "aggregate_end", "total", "within", "between",
            "entry", "exit", "n_survivors", "n_entrants", "n_exiters"]
    return pd.DataFrame(rows, columns=cols)
