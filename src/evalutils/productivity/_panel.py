"""Small panel helpers shared by the productivity modules (not public API).

Everything here works on plain numpy arrays so that the estimators can run
their bootstrap replications without copying the data: a bootstrap draw of
firms is represented by integer row weights (how many times each firm was
drawn), which gives exactly the same estimates as stacking the drawn firms'
rows, because every estimator here is a (weighted) sum over rows and a firm's
rows keep their own lags when the firm is copied.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from itertools import combinations_with_replacement

import numpy as np
import pandas as pd

from evalutils._validate import as_list, check_choice  # noqa: F401  (re-exported for the productivity modules)
from evalutils.errors import DataValidationError


def require_columns(data: pd.DataFrame, columns: Iterable[str]) -> None:
    """Raise ``DataValidationError`` naming the first missing column."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise DataValidationError(
            f"column{'s' if len(missing) > 1 else ''} not found in the data: "
            + ", ".join(repr(c) for c in missing),
            column=missing[0],
            hint="check the column names passed to the function",
        )


def numeric_column(data: pd.DataFrame, column: str) -> np.ndarray:
    """Return a column as float64, raising if it is not numeric."""
    try:
        return pd.to_numeric(data[column], errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataValidationError(
            f"column {column!r} must be numeric", column=column, hint=str(exc)
        ) from exc


def bad_rows(data: pd.DataFrame, mask: np.ndarray) -> list:
    """Index labels of the rows flagged by ``mask`` (for error messages)."""
    return list(data.index[np.asarray(mask, dtype=bool)])


def warn_nominal(what: str) -> None:
    warnings.warn(
        f"no deflators given: {what} is in nominal (current-price) terms, so its growth "
        "mixes price and volume changes; pass deflators=DataFrame(year, deflator) for real terms",
        UserWarning,
        stacklevel=3,
    )


def deflate(
    data: pd.DataFrame,
    values: np.ndarray,
    *,
    year: str,
    deflators: pd.DataFrame | None,
    deflator_col: str,
    deflator_year_col: str | None = None,
    what: str,
) -> np.ndarray:
    """Divide ``values`` by the deflator of each row's year (warn when none given)."""
    if deflators is None:
        warn_nominal(what)
        return values
    dyear = deflator_year_col or year
    require_columns(deflators, [dyear, deflator_col])
    table = deflators.drop_duplicates(subset=[dyear], keep="last").set_index(dyear)[deflator_col]
    factors = pd.to_numeric(data[year].map(table), errors="coerce").to_numpy(dtype=float)
    missing = ~np.isfinite(factors) | (factors <= 0)
    if missing.any():
        years = sorted(set(data.loc[missing, year].tolist()))
        raise DataValidationError(
            "no valid (positive) deflator for some years: " + ", ".join(str(y) for y in years),
            column=deflator_col,
            rows=bad_rows(data, missing),
            hint="add those years to the deflator table",
        )
    return values / factors


def previous_row(unit: np.ndarray, time: np.ndarray) -> np.ndarray:
    """Position of each row's exact t-1 row of the same unit, or -1 if absent.

    ``unit`` and ``time`` are aligned arrays (any order). Duplicate (unit, time)
    pairs are an error, because the lag would be ambiguous.
    """
    n = len(unit)
    codes, _ = pd.factorize(unit, sort=False)
    t = np.asarray(time, dtype=np.int64)
    order = np.lexsort((t, codes))
    cs, ts = codes[order], t[order]
    same = np.zeros(n, dtype=bool)
    same[1:] = cs[1:] == cs[:-1]
    dup = same & (np.r_[False, ts[1:] == ts[:-1]])
    if dup.any():
        raise DataValidationError(
            "duplicate (unit, time) rows: the panel must have one row per unit and year",
            rows=[int(i) for i in order[dup]],
            hint="aggregate or drop the duplicates before estimating",
        )
    consecutive = same & (np.r_[False, ts[1:] - ts[:-1] == 1])
    prev = np.full(n, -1, dtype=np.int64)
    prev_sorted = np.where(consecutive, np.r_[-1, order[:-1]], -1)
    prev[order] = prev_sorted
    return prev


def poly_terms(columns: Sequence[np.ndarray], degree: int) -> np.ndarray:
    """All monomials of total degree 1..``degree`` in ``columns`` (no constant).

    Degree-1 terms come first. For two variables and degree 2 this spans the same
    space as R prodest's ``model.matrix(~.^2 - 1)`` plus squares.
    """
    cols = [np.asarray(c, dtype=float) for c in columns]
    out = []
    for d in range(1, degree + 1):
        for combo in combinations_with_replacement(range(len(cols)), d):
            term = np.ones_like(cols[0])
            for j in combo:
                term = term * cols[j]
            out.append(term)
    return np.column_stack(out)


def wls(X: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Weighted least squares coefficients (minimum-norm if rank deficient)."""
    if w is None:
        return np.linalg.lstsq(X, y, rcond=None)[0]
    sw = np.sqrt(w)
    return np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)[0]


def wls_normal(X: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Faster WLS through the normal equations (for small, well-scaled designs)."""
    Xw = X if w is None else X * w[:, None]
    A = Xw.T @ X
    b = Xw.T @ y
    try:
        return np.linalg.solve(A, b)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(A, b, rcond=None)[0]


def firm_weights(codes: np.ndarray, n_units: int, rng: np.random.Generator) -> np.ndarray:
    """Row weights of one firm-bootstrap draw: each row gets its firm's draw count."""
    counts = np.bincount(rng.integers(0, n_units, size=n_units), minlength=n_units)
    return counts[codes].astype(float)
