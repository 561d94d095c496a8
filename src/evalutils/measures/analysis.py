"""The analysis choices applied to a firm-year panel: the sample restriction and the covariates as numbers.

>>> import pandas as pd
>>> df = pd.DataFrame({"firm_id": ["a", "a", "b", "c"], "year": [2019, 2020, 2019, 2019],
...                    "vsic_section": ["C", "C", "G", "C"], "ownership": ["private", "private", "foreign", "state"],
...                    "employment": [8, 12, 60, 250]})
>>> size_class(df).tolist()
['micro', 'micro', 'medium', 'large']
>>> restrict_sample(df, size_class=["micro"])["firm_id"].unique().tolist()
['a']
>>> out, columns = encode_covariates(df, ["ownership"])
>>> columns
['ownership_foreign', 'ownership_state']
>>> out[columns].to_numpy().tolist()
[[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import DataValidationError

#: employment ceilings of micro, small and medium firms in Decree 80/2021/NĐ-CP (Art. 5): agriculture, industry
#: and construction (VSIC sections A–F) and trade and services (G–U)
SIZE_LIMITS = {"industry": (10, 100, 200), "services": (10, 50, 100)}
#: the reference level of each categorical covariate (no dummy of its own)
REFERENCE = {"ownership": "private", "vsic_section": None}  # vsic_section: the most common section


def _first_year(df: pd.DataFrame, unit: str = "firm_id", time: str = "year") -> pd.DataFrame:
    """Each firm's row of its first panel year (sector, ownership and size are read there)."""
    return df.sort_values([unit, time]).drop_duplicates(unit)


def size_class(df: pd.DataFrame, *, unit: str = "firm_id", time: str = "year") -> pd.Series:
    """Each row's firm size class (micro, small, medium, large) by the firm's employment in its first panel year,
    with the ceilings of Decree 80/2021/NĐ-CP (sections A–F: 10, 100, 200 workers; G–U: 10, 50, 100)."""
    first = _first_year(df, unit, time)
    services = first["vsic_section"].astype(str) >= "G"
    emp = first["employment"].to_numpy(dtype=float)
    limits = np.where(services.to_numpy()[:, None], SIZE_LIMITS["services"], SIZE_LIMITS["industry"])
    cls = np.select([emp <= limits[:, 0], emp <= limits[:, 1], emp <= limits[:, 2]], ["micro", "small", "medium"],
                    "large")
    return df[unit].map(pd.Series(cls, index=first[unit].to_numpy())).rename("size_class")


def restrict_sample(df: pd.DataFrame, *, vsic_section: Sequence[str] | None = None,
                    size_class: Sequence[str] | None = None, ownership: Sequence[str] | None = None,
                    unit: str = "firm_id", time: str = "year") -> pd.DataFrame:
    """The rows of the firms kept: those whose sector, size class and ownership in their first panel year are among
    the values listed (``None``: any)."""
    first = _first_year(df, unit, time)
    keep = pd.Series(True, index=first.index)
    if vsic_section is not None:
        keep &= first["vsic_section"].isin(list(vsic_section))
    if ownership is not None:
        keep &= first["ownership"].isin(list(ownership))
    if size_class is not None:
        keep &= first[unit].map(_size_by_firm(df, unit, time)).isin(list(size_class))
    return df[df[unit].isin(first.loc[keep, unit])]


def _size_by_firm(df: pd.DataFrame, unit: str, time: str) -> pd.Series:
    s = size_class(df, unit=unit, time=time)
    return pd.Series(s.to_numpy(), index=df[unit].to_numpy()).groupby(level=0).first()


def encode_covariates(df: pd.DataFrame, covariates: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """``df`` with the covariates as numeric columns, and those columns' names.

    ``log_employment`` and ``log_capital_per_worker`` (real when a ``deflator`` column is present) are computed;
    categorical covariates (``ownership``, ``vsic_section``, or any text column) become one 0/1 column per level
    but the reference level (private ownership; the most common section), named ``<column>_<level>``. Levels no
    row of ``df`` takes are left out, so a restricted sample gets no constant column.
    """
    out = df.copy()
    columns: list[str] = []
    d = out["deflator"] if "deflator" in out else 1.0
    for cov in covariates:
        if cov == "log_employment":
            out[cov] = np.log(out["employment"].astype(float))
            columns.append(cov)
        elif cov == "log_capital_per_worker":
            out[cov] = np.log(out["capital"] / d / out["employment"])
            columns.append(cov)
        elif cov not in out.columns:
            raise DataValidationError(f"covariate {cov!r} is not a column of the panel", column=cov,
                                      hint="choose among log_employment, log_capital_per_worker, ownership, "
                                           "vsic_section")
        elif pd.api.types.is_numeric_dtype(out[cov]) and not pd.api.types.is_bool_dtype(out[cov]):
            columns.append(cov)
        else:
            values = out[cov].astype(str)
            levels = sorted(values.unique())
            ref = REFERENCE.get(cov)
            if ref not in levels:
                ref = values.value_counts().sort_index().idxmax()
            for level in levels:
                if level != ref:
                    name = f"{cov}_{level}"
                    out[name] = (values == level).astype(float)
                    columns.append(name)
    return out, columns
