"""Schemas of the three input tables and their validation.

Each table is described once here (columns, types, units, keys); ``data/README.md``
documents the same. Validation never repairs data silently: every problem is a
:class:`DataValidationError` naming the file, column and rows (0-based positions
in the file, header excluded) and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from .errors import DataValidationError
from .geography import provinces
from .indicators import INDICATORS

SUPPORT_TYPES: dict[str, dict[str, str]] = {
    "standards_management": {
        "vi": "Tiêu chuẩn, hệ thống quản lý (ISO 9001…)",
        "en": "Standards and management systems (ISO 9001…)",
    },
    "productivity_tools": {
        "vi": "Công cụ cải tiến năng suất (5S, Kaizen, Lean…)",
        "en": "Productivity tools (5S, Kaizen, Lean…)",
    },
    "traceability": {"vi": "Truy xuất nguồn gốc", "en": "Traceability"},
    "digital_transformation": {"vi": "Chuyển đổi số", "en": "Digital transformation"},
    "training": {"vi": "Đào tạo, tập huấn", "en": "Training"},
    "quality_award": {"vi": "Giải thưởng chất lượng quốc gia", "en": "National Quality Award"},
}

OWNERSHIP = ("state", "private", "foreign")
VSIC_SECTIONS = tuple("ABCDEFGHIJKLMNOPQRSTU")

DType = Literal["str", "int", "float"]


@dataclass(frozen=True)
class Column:
    name: str
    dtype: DType
    unit: str
    description: str
    positive: bool = False      # strictly > 0 (it will be logged)
    nonnegative: bool = False
    allowed: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TableSchema:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    optional: tuple[str, ...] = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _province_codes() -> tuple[str, ...]:
    return tuple(provinces()["code"])


PANEL = TableSchema(
    name="enterprise panel",
    key=("firm_id", "year"),
    columns=(
        Column("firm_id", "str", "-", "enterprise identifier (kept as text: leading zeros matter)"),
        Column("year", "int", "year", "calendar year"),
        Column("province_code", "str", "-", "GSO two-digit code of the pre-2025 province"),
        Column("vsic_section", "str", "-", "VSIC 2018 section letter", allowed=VSIC_SECTIONS),
        Column("ownership", "str", "-", "state, private or foreign-invested", allowed=OWNERSHIP),
        Column("employment", "int", "persons", "average employment in the year", positive=True),
        Column("revenue", "float", "million VND", "net revenue, current prices", positive=True),
        Column("value_added", "float", "million VND", "value added, current prices", positive=True),
        Column("capital", "float", "million VND", "fixed assets at end of year, current prices", positive=True),
        Column("intermediate_inputs", "float", "million VND", "intermediate consumption, current prices", positive=True),
        Column("wage_bill", "float", "million VND", "wages and social contributions", nonnegative=True),
        Column("investment", "float", "million VND", "gross fixed investment in the year", nonnegative=True),
    ),
)

PARTICIPATION = TableSchema(
    name="programme participation",
    key=("firm_id",),
    columns=(
        Column("firm_id", "str", "-", "enterprise identifier, as in the panel"),
        Column("support_start_year", "int", "year", "first year the enterprise received support"),
        Column("support_type", "str", "-", "main type of support", allowed=tuple(SUPPORT_TYPES)),
    ),
)

MONITORING = TableSchema(
    name="programme monitoring indicators",
    key=("province_code", "year", "indicator"),
    columns=(
        Column("province_code", "str", "-", "GSO two-digit code of the pre-2025 province"),
        Column("year", "int", "year", "calendar year the value refers to"),
        Column("indicator", "str", "-", "indicator name (evalutils.indicators)", allowed=tuple(INDICATORS)),
        Column("value", "float", "indicator's unit", "value in the year (flows: the year's count)"),
    ),
)

DEFLATORS = TableSchema(
    name="price deflators",
    key=("year",),
    columns=(
        Column("year", "int", "year", "calendar year"),
        Column("deflator", "float", "index, 2015 = 1", "value-added deflator", positive=True),
    ),
)

SCHEMAS = {"panel": PANEL, "participation": PARTICIPATION, "monitoring": MONITORING, "deflators": DEFLATORS}

YEAR_BOUNDS = (1990, 2050)


def _bad_rows(mask: pd.Series) -> list[int]:
    return [int(i) for i in np.flatnonzero(mask.to_numpy())]


def validate_table(df: pd.DataFrame, schema: TableSchema, *, file: str) -> pd.DataFrame:
    """Check ``df`` against ``schema`` and return it with canonical dtypes.

    Raises :class:`DataValidationError` on the first problem found, in this
    order: missing columns, types, allowed values, positivity, years,
    province codes, duplicate keys.
    """
    missing = [c for c in schema.names if c not in df.columns]
    if missing:
        lower = {c.lower().strip(): c for c in df.columns}
        renamed = [f"{m} (found '{lower[m]}')" for m in missing if m in lower]
        raise DataValidationError(
            f"{schema.name}: missing column(s) {', '.join(missing)}",
            file=file, column=missing[0],
            hint=("rename " + "; ".join(renamed)) if renamed else
            f"the table needs columns {', '.join(schema.names)} (see data/README.md)",
        )
    if len(df) == 0:
        raise DataValidationError(f"{schema.name}: the table has no rows", file=file,
                                  hint="check that the right file was delivered")
    out = df[schema.names].copy()
    out.index = pd.RangeIndex(len(out))
    for col in schema.columns:
        s = out[col.name]
        if col.dtype == "str":
            if pd.api.types.is_float_dtype(s) or pd.api.types.is_integer_dtype(s):
                if col.name == "firm_id" or col.name.endswith("_code"):
                    raise DataValidationError(
                        f"{schema.name}: column {col.name} was stored as numbers; codes and ids must be text "
                        "(leading zeros are lost otherwise)",
                        file=file, column=col.name,
                        hint="export the column as text, or read the CSV with this column as a string",
                    )
            nulls = s.isna() | s.astype("string").str.strip().eq("")
            if nulls.any():
                raise DataValidationError(f"{schema.name}: empty values in {col.name}", file=file,
                                          column=col.name, rows=_bad_rows(nulls), hint="fill or drop these rows")
            out[col.name] = s.astype("string").str.strip().astype(str)
        else:
            num = pd.to_numeric(s, errors="coerce")
            bad = num.isna()
            if bad.any():
                raise DataValidationError(
                    f"{schema.name}: column {col.name} must be numeric ({col.unit}); "
                    f"found {s[bad].astype(str).unique()[:3].tolist()}",
                    file=file, column=col.name, rows=_bad_rows(bad),
                    hint="fix or drop these rows; missing values are not allowed in this column",
                )
            if col.dtype == "int":
                frac = num != np.round(num)
                if frac.any():
                    raise DataValidationError(f"{schema.name}: column {col.name} must hold whole numbers",
                                              file=file, column=col.name, rows=_bad_rows(frac))
                out[col.name] = num.astype("int64")
            else:
                out[col.name] = num.astype("float64")
            if col.positive:
                nonpos = out[col.name] <= 0
                if nonpos.any():
                    raise DataValidationError(
                        f"{schema.name}: {col.name} must be positive: it is logged in the analysis",
                        file=file, column=col.name, rows=_bad_rows(nonpos),
                        hint="drop these firm-years or correct them at the source; evalutils does not impute",
                    )
            if col.nonnegative:
                neg = out[col.name] < 0
                if neg.any():
                    raise DataValidationError(f"{schema.name}: {col.name} must not be negative", file=file,
                                              column=col.name, rows=_bad_rows(neg))
        if col.allowed is not None:
            bad = ~out[col.name].isin(col.allowed)
            if bad.any():
                raise DataValidationError(
                    f"{schema.name}: unexpected values in {col.name}: {sorted(out.loc[bad, col.name].unique())[:5]}",
                    file=file, column=col.name, rows=_bad_rows(bad),
                    hint=f"allowed values: {', '.join(col.allowed)}",
                )
    for ycol in [c.name for c in schema.columns if c.unit == "year"]:
        bad = ~out[ycol].between(*YEAR_BOUNDS)
        if bad.any():
            raise DataValidationError(f"{schema.name}: impossible years in {ycol}", file=file, column=ycol,
                                      rows=_bad_rows(bad), hint=f"years must lie in {YEAR_BOUNDS[0]}–{YEAR_BOUNDS[1]}")
    if "province_code" in out.columns:
        codes = out["province_code"]
        padded = codes.str.zfill(2)
        if (padded != codes).any() and padded.isin(_province_codes()).all():
            raise DataValidationError(
                f"{schema.name}: province codes lost their leading zero (e.g. '{codes[padded != codes].iloc[0]}')",
                file=file, column="province_code", rows=_bad_rows(padded != codes),
                hint="store province_code as two-character text ('01', not 1)",
            )
        bad = ~codes.isin(_province_codes())
        if bad.any():
            raise DataValidationError(
                f"{schema.name}: unknown province codes {sorted(codes[bad].unique())[:5]}",
                file=file, column="province_code", rows=_bad_rows(bad),
                hint="use the GSO two-digit codes of the 63 pre-2025 provinces (evalutils.geography.provinces())",
            )
    dup = out.duplicated(list(schema.key), keep=False)
    if dup.any():
        raise DataValidationError(
            f"{schema.name}: duplicate {'/'.join(schema.key)} rows",
            file=file, column=", ".join(schema.key), rows=_bad_rows(dup),
            hint="keep one row per " + "-".join(schema.key) + " (remove exact duplicates, resolve conflicts at the source)",
        )
    return out


def validate_participation_against_panel(participation: pd.DataFrame, panel: pd.DataFrame, *, file: str) -> None:
    """Cross-table checks: supported firms exist in the panel; support starts within panel years."""
    known = pd.Index(panel["firm_id"].unique())
    unknown = ~participation["firm_id"].isin(known)
    if unknown.any():
        raise DataValidationError(
            "programme participation: firms not found in the enterprise panel",
            file=file, column="firm_id", rows=_bad_rows(unknown),
            hint="check firm ids (text, leading zeros) against the panel",
        )
    lo, hi = int(panel["year"].min()), int(panel["year"].max())
    outside = ~participation["support_start_year"].between(lo, hi)
    if outside.any():
        raise DataValidationError(
            f"programme participation: support_start_year outside the panel years {lo}–{hi}",
            file=file, column="support_start_year", rows=_bad_rows(outside),
            hint="correct the year, or extend the panel to cover it",
        )
