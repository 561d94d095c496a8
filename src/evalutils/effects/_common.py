"""Shared helpers for the programme-effect estimators: input checks, tidy frames, HTML display."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from .. import _dist

from evalutils._validate import as_list, check_choice  # noqa: F401  (re-exported for the estimators)
from evalutils.errors import DataValidationError, EstimationError

TIDY_COLUMNS = [
    "term",
    "estimate",
    "std_error",
    "statistic",
    "p_value",
    "conf_low",
    "conf_high",
    "n_obs",
    "n_units",
    "n_clusters",
    "method",
]


def check_columns(data: pd.DataFrame, columns: Iterable[str | None], *, estimator: str) -> None:
    """Raise ``DataValidationError`` naming the first column missing from ``data``."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{estimator}: data must be a pandas DataFrame, not {type(data).__name__}")
    for col in columns:
        if col is not None and col not in data.columns:
            raise DataValidationError(
                f"{estimator}: column {col!r} is not in the data",
                column=col,
                hint=f"available columns: {', '.join(map(str, data.columns[:20]))}",
            )


def drop_missing(data: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Keep the used columns and the rows complete in them (listwise deletion)."""
    cols = list(dict.fromkeys(columns))
    sub = data[cols]
    mask = sub.notna().all(axis=1).to_numpy()
    if mask.all():
        return sub.reset_index(drop=True)
    return sub.loc[mask].reset_index(drop=True)


def prepare_input(
    data: pd.DataFrame,
    columns: Sequence[str | None],
    *,
    covariates: str | Sequence[str] | None = None,
    estimator: str,
) -> tuple[pd.DataFrame, list[str]]:
    """The estimators' opening checks: the columns exist, rows complete in them, at least one row.

    ``columns`` may hold ``None`` (an unused optional column). Returns the complete rows of the used
    columns (fresh index) and the covariates as a list.

    >>> import pandas as pd
    >>> df, covs = prepare_input(pd.DataFrame({"y": [1.0, None], "u": [1, 2]}), ["y", "u", None],
    ...                          covariates=None, estimator="demo")
    >>> len(df), covs
    (1, [])
    """
    covs = as_list(covariates)
    used = [c for c in (*columns, *covs) if c is not None]
    check_columns(data, used, estimator=estimator)
    df = drop_missing(data, used)
    if len(df) == 0:
        raise EstimationError(f"{estimator}: no complete rows in the columns used", column=used[0],
                              hint="every row has a missing value in one of: " + ", ".join(used))
    return df, covs


def check_binary(values: pd.Series, *, column: str, estimator: str) -> np.ndarray:
    arr = values.to_numpy(dtype=float)
    bad = ~np.isin(arr, (0.0, 1.0))
    if bad.any():
        raise EstimationError(
            f"{estimator}: treatment column must be 0/1",
            column=column,
            rows=np.flatnonzero(bad)[:50].tolist(),
            hint="code the treatment as 1 from the first supported year on, 0 otherwise",
        )
    return arr


def t_or_z(df: float | None):
    """Return a frozen scipy distribution: Student t with ``df`` or the normal if df is None/inf."""
    if df is None or not np.isfinite(df):
        return _dist.norm
    return _dist.StudentT(df)


def tidy_rows(
    terms: Sequence[str],
    estimates: np.ndarray,
    std_errors: np.ndarray,
    *,
    df: float | None,
    alpha: float,
    n_obs: int,
    n_units: int,
    n_clusters: int | None,
    method: str,
    conf_low: np.ndarray | None = None,
    conf_high: np.ndarray | None = None,
    extra: dict[str, Sequence[Any]] | None = None,
) -> pd.DataFrame:
    """Build the tidy frame (estimate, SE, t/z, p, CI and counts) shared by every result."""
    est = np.asarray(estimates, dtype=float)
    se = np.asarray(std_errors, dtype=float)
    dist = t_or_z(df)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = est / se
    p = 2 * dist.sf(np.abs(stat))
    crit = dist.ppf(1 - alpha / 2)
    lo = est - crit * se if conf_low is None else np.asarray(conf_low, dtype=float)
    hi = est + crit * se if conf_high is None else np.asarray(conf_high, dtype=float)
    out = pd.DataFrame(
        {
            "term": list(terms),
            "estimate": est,
            "std_error": se,
            "statistic": stat,
            "p_value": p,
            "conf_low": lo,
            "conf_high": hi,
            "n_obs": int(n_obs),
            "n_units": int(n_units),
            "n_clusters": pd.array([n_clusters] * len(est), dtype="Int64"),
            "method": method,
        }
    )
    if extra:
        for i, (k, v) in enumerate(extra.items()):
            out.insert(1 + i, k, list(v))
    return out


def html_table(title: str, frame: pd.DataFrame, notes: Sequence[str] = ()) -> str:
    """A small, dependency-free HTML rendering for notebooks (``_repr_html_``)."""
    fmt = frame.copy()
    for c in fmt.columns:
        if pd.api.types.is_float_dtype(fmt[c]):
            fmt[c] = fmt[c].map(lambda v: "" if pd.isna(v) else f"{v:.4f}")
    body = fmt.to_html(index=False, escape=True, border=0)
    note_html = "".join(f"<div style='font-size:85%;color:#555'>{html.escape(n)}</div>" for n in notes)
    return f"<div><strong>{html.escape(title)}</strong>{body}{note_html}</div>"


def cluster_codes(values: pd.Series) -> tuple[np.ndarray, int]:
    codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.int64), len(uniques)


def is_nested(inner: np.ndarray, outer: np.ndarray) -> bool:
    """True when every level of ``inner`` sits in exactly one level of ``outer``."""
    pairs = pd.DataFrame({"i": inner, "o": outer}).drop_duplicates()
    return not pairs["i"].duplicated().any()
