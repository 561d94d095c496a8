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

from ..errors import DataValidationError
from ..geography import provinces
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


def _blank(s: pd.Series) -> pd.Series:
    """True where a value is missing or only whitespace (text columns only can hold whitespace)."""
    if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
        return s.isna().astype(bool)
    return (s.isna() | s.astype("string").str.strip().eq("").fillna(True)).astype(bool)


def _missing_columns_hint(df: pd.DataFrame, schema: TableSchema, missing: list[str]) -> str:
    """What to do about missing columns: a rename, a separator, or a header spread over several rows."""
    cols = [str(c) for c in df.columns]
    if len(cols) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if cols[0].count(sep) >= 2:
                return (f"the file seems to be separated by {name}, not commas: export it as comma-separated "
                        "CSV (UTF-8)")
    wanted = set(schema.names)
    for i in range(min(len(df), 5)):
        values = {str(v).strip().lower() for v in df.iloc[i].tolist() if not pd.isna(v)}
        if len(values & wanted) >= max(2, len(wanted) // 2):
            return (f"the column names are on line {i + 2} of the file, not on the first line: the header spans "
                    "several rows (merged header cells in a spreadsheet export?); keep exactly one header row "
                    "with the column names of data/README.md and delete the rows above it")
    lower = {str(c).lower().strip(): c for c in df.columns}
    renamed = [f"{m} (found '{lower[m]}')" for m in missing if m in lower]
    if renamed:
        return "rename " + "; ".join(renamed)
    return f"the table needs columns {', '.join(schema.names)} (see data/README.md)"


def _closest(values: list[str], allowed: tuple[str, ...]) -> str:
    """' Did you mean …?' for the first value that is close to an allowed one ('' when none is)."""
    import difflib

    folded = {a.lower(): a for a in allowed}
    for v in values:
        key = str(v).strip().lower()
        if key in folded:
            return f"; did you mean '{folded[key]}' (not '{v}')?"
        close = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.75)
        if close:
            return f"; did you mean '{folded[close[0]]}' (not '{v}')?"
    return ""


def validate_table(df: pd.DataFrame, schema: TableSchema, *, file: str) -> pd.DataFrame:
    """Check ``df`` against ``schema`` and return it with canonical dtypes.

    Raises the first :class:`DataValidationError` of :func:`table_problems`
    (missing columns, types, allowed values, positivity, plausibility, years,
    province codes, duplicate keys); ``evalutils validate`` lists them all.
    """
    out, problems = table_problems(df, schema, file=file)
    if problems:
        raise problems[0]
    assert out is not None
    return out


def _case_twins(df: pd.DataFrame, schema: TableSchema) -> list[tuple[str, str]]:
    """Columns whose names differ from a schema column only by case or surrounding spaces."""
    out = []
    for c in df.columns:
        name = str(c)
        folded = name.strip().casefold()
        for s in schema.names:
            if name != s and folded == s.casefold() and s in df.columns:
                out.append((s, name))
    return out


def _looks_like_dates(text: pd.Series) -> bool:
    return bool(text.str.fullmatch(r"\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}([ T].*)?|\s*\d{1,2}[-/.]\d{1,2}[-/.]\d{4}.*")
                .fillna(False).any())


def column_problems(df: pd.DataFrame, schema: TableSchema, *, file: str) -> list[DataValidationError]:
    """Problems of the header: a missing column, a column named twice, two names differing only by case."""
    missing = [c for c in schema.names if c not in df.columns]
    if missing:
        return [DataValidationError(
            f"{schema.name}: missing column(s) {', '.join(missing)}",
            file=file, column=missing[0], hint=_missing_columns_hint(df, schema, missing),
        )]
    twice = [str(c) for c in df.columns if str(c).rsplit(".", 1)[0] in schema.names
             and str(c).rsplit(".", 1)[-1].isdigit()]
    if twice:
        name = twice[0].rsplit(".", 1)[0]
        return [DataValidationError(
            f"{schema.name}: the header names column {name} more than once (read as {name}, {twice[0]})",
            file=file, column=name,
            hint="keep one column of each name: evalutils does not guess which of the two is right",
        )]
    twins = _case_twins(df, schema)
    if twins:
        name, twin = twins[0]
        return [DataValidationError(
            f"{schema.name}: columns {name!r} and {twin!r} differ only by case",
            file=file, column=name,
            hint=f"keep one of them: evalutils reads {name!r} and will not guess whether {twin!r} is a "
                 "correction of it, an older version or another quantity; delete or rename the other",
        )]
    return []


def table_problems(df: pd.DataFrame, schema: TableSchema, *,
                   file: str) -> tuple[pd.DataFrame | None, list[DataValidationError]]:
    """Every problem of ``df`` against ``schema`` (rows are 0-based positions in ``file``, header excluded),
    and the table with canonical dtypes (``None`` when a column could not be read as its type).

    A column whose values cannot be read as its type is reported once and left out of the checks that
    need it (range, allowed values, keys); structural problems (missing columns, a column named twice,
    no rows, empty rows) stop the checks of the table.
    """
    problems: list[DataValidationError] = []
    header = column_problems(df, schema, file=file)
    if header:
        return None, header
    if len(df) == 0:
        return None, [DataValidationError(f"{schema.name}: the table has no rows", file=file,
                                          hint="check that the right file was delivered")]
    out = df[schema.names].copy()
    out.index = pd.RangeIndex(len(out))
    empty_rows = pd.concat([_blank(out[c]) for c in schema.names], axis=1).all(axis=1)
    if empty_rows.any():
        return None, [DataValidationError(
            f"{schema.name}: {int(empty_rows.sum())} entirely empty row(s)",
            file=file, rows=_bad_rows(empty_rows),
            hint="delete the empty rows (spreadsheet exports often leave blank rows or rows of commas at the end)",
        )]
    unreadable: set[str] = set()

    def bad(col: str, err: DataValidationError) -> None:
        unreadable.add(col)
        problems.append(err)

    for col in schema.columns:
        s = out[col.name]
        if col.dtype == "str":
            if pd.api.types.is_float_dtype(s) or pd.api.types.is_integer_dtype(s):
                if col.name == "firm_id" or col.name.endswith("_code"):
                    bad(col.name, DataValidationError(
                        f"{schema.name}: column {col.name} was stored as numbers; codes and ids must be text "
                        "(leading zeros are lost otherwise)",
                        file=file, column=col.name,
                        hint="export the column as text, or read the CSV with this column as a string",
                    ))
                    continue
            nulls = s.isna() | s.astype("string").str.strip().eq("")
            if nulls.any():
                bad(col.name, DataValidationError(f"{schema.name}: empty values in {col.name}", file=file,
                                                  column=col.name, rows=_bad_rows(nulls),
                                                  hint="fill or drop these rows"))
                continue
            if col.name == "firm_id" or col.name.endswith("_code"):
                # a spreadsheet turned the ids into numbers and back: '1.2E+04', '12.0'
                mangled = (s.astype("string").str.strip().str.fullmatch(r"\d+(?:\.\d+)?[eE][+-]?\d+|\d+\.0+")
                           .fillna(False).astype(bool))
                if mangled.any():
                    bad(col.name, DataValidationError(
                        f"{schema.name}: {col.name} values were turned into numbers by a spreadsheet "
                        f"(e.g. '{s[mangled].iloc[0]}'); ids and codes must be text",
                        file=file, column=col.name, rows=_bad_rows(mangled),
                        hint="export the column formatted as text (not General or Number) and deliver it again",
                    ))
                    continue
            out[col.name] = s.astype("string").str.strip().astype(str)
        else:
            if pd.api.types.is_datetime64_any_dtype(s) or (
                    s.dtype == object and s.map(lambda v: hasattr(v, "year") and hasattr(v, "month")).any()):
                example = s.dropna().iloc[0] if s.notna().any() else None
                expected = "the calendar year as a whole number (2021)" if col.unit == "year" else \
                    f"a number ({col.unit})"
                bad(col.name, DataValidationError(
                    f"{schema.name}: column {col.name} is stored as dates or timestamps "
                    f"(e.g. {str(example)!r}); expected {expected}",
                    file=file, column=col.name,
                    hint=("store the year alone as an integer column (in pandas: df['year'] = df['year'].dt.year)"
                          if col.unit == "year" else "store the column as numbers"),
                ))
                continue
            if pd.api.types.is_bool_dtype(s):
                bad(col.name, DataValidationError(
                    f"{schema.name}: column {col.name} is stored as true/false values; expected "
                    f"{'whole numbers' if col.dtype == 'int' else 'numbers'} ({col.unit})",
                    file=file, column=col.name, hint="deliver the column's numbers, not a yes/no flag",
                ))
                continue
            num = pd.to_numeric(s, errors="coerce")
            num = num.where(np.isfinite(num.astype("float64")))  # 'inf' is not a value either
            nan = num.isna()
            if nan.any():
                blank = _blank(s)
                text = s[nan & ~blank].astype(str)
                if text.empty:
                    bad(col.name, DataValidationError(
                        f"{schema.name}: empty values in {col.name}",
                        file=file, column=col.name, rows=_bad_rows(nan),
                        hint="fill or drop these rows; missing values are not allowed in this column",
                    ))
                    continue
                hint = "write a plain number (no words or units) or drop these rows"
                if col.unit == "year" and _looks_like_dates(text):
                    hint = "write the calendar year alone (2021), not a date"
                elif text.str.fullmatch(r"\s*[-+]?[\d.,\s]+").any():
                    hint = ("write numbers with '.' as the decimal point and no thousands separators "
                            "(12345.6, not 12.345,6 or 12,345.6)")
                bad(col.name, DataValidationError(
                    f"{schema.name}: column {col.name} must be numeric ({col.unit}); "
                    f"found {text.unique()[:3].tolist()}",
                    file=file, column=col.name, rows=_bad_rows(nan), hint=hint,
                ))
                continue
            if col.dtype == "int":
                huge = num.abs() > 2**53
                if huge.any():
                    bad(col.name, DataValidationError(
                        f"{schema.name}: column {col.name} holds numbers too large to be whole numbers "
                        f"(e.g. {num[huge].iloc[0]:g})", file=file, column=col.name, rows=_bad_rows(huge),
                        hint="correct these values at the source"))
                    continue
                frac = num != np.round(num)
                if frac.any():
                    bad(col.name, DataValidationError(f"{schema.name}: column {col.name} must hold whole numbers; "
                                                      f"found {num[frac].unique()[:3].tolist()}",
                                                      file=file, column=col.name, rows=_bad_rows(frac),
                                                      hint="correct these values at the source"))
                    continue
                out[col.name] = num.astype("int64")
            else:
                out[col.name] = num.astype("float64")
            if col.positive:
                nonpos = out[col.name] <= 0
                if nonpos.any():
                    problems.append(DataValidationError(
                        f"{schema.name}: {col.name} must be positive"
                        + (": it is logged in the analysis" if schema is PANEL else ""),
                        file=file, column=col.name, rows=_bad_rows(nonpos),
                        hint=("drop these firm-years or correct them at the source; evalutils does not impute"
                              if schema is PANEL else "correct these values at the source"),
                    ))
            if col.nonnegative:
                neg = out[col.name] < 0
                if neg.any():
                    problems.append(DataValidationError(f"{schema.name}: {col.name} must not be negative",
                                                        file=file, column=col.name, rows=_bad_rows(neg),
                                                        hint="correct these values at the source (zero is allowed)"))
        if col.allowed is not None:
            outside = ~out[col.name].isin(col.allowed)
            if outside.any():
                bad(col.name, DataValidationError(
                    f"{schema.name}: unexpected values in {col.name}: {sorted(out.loc[outside, col.name].unique())[:5]}",
                    file=file, column=col.name, rows=_bad_rows(outside),
                    hint=f"allowed values: {', '.join(col.allowed)}"
                    + _closest(list(out.loc[outside, col.name].unique()), col.allowed),
                ))
    for ycol in [c.name for c in schema.columns if c.unit == "year" and c.name not in unreadable]:
        wrong = ~out[ycol].between(*YEAR_BOUNDS)
        if wrong.any():
            problems.append(DataValidationError(
                f"{schema.name}: impossible years in {ycol} (e.g. {int(out.loc[wrong, ycol].iloc[0])})",
                file=file, column=ycol, rows=_bad_rows(wrong),
                hint=f"years must lie in {YEAR_BOUNDS[0]}–{YEAR_BOUNDS[1]}"))
    if "province_code" in out.columns and "province_code" not in unreadable:
        codes = out["province_code"]
        padded = codes.str.zfill(2)
        if (padded != codes).any() and padded.isin(_province_codes()).all():
            problems.append(DataValidationError(
                f"{schema.name}: province codes lost their leading zero (e.g. '{codes[padded != codes].iloc[0]}')",
                file=file, column="province_code", rows=_bad_rows(padded != codes),
                hint="store province_code as two-character text ('01', not 1)",
            ))
        else:
            unknown = ~codes.isin(_province_codes())
            if unknown.any():
                problems.append(DataValidationError(
                    f"{schema.name}: unknown province codes {sorted(codes[unknown].unique())[:5]}",
                    file=file, column="province_code", rows=_bad_rows(unknown),
                    hint="use the GSO two-digit codes of the 63 pre-2025 provinces (evalutils.geography.provinces())",
                ))
    if schema is MONITORING and not {"indicator", "value"} & unreadable:
        problems.extend(_monitoring_value_problems(out, file=file))
    if schema is DEFLATORS and not {"year", "deflator"} & unreadable:
        problems.extend(_deflator_problems(out, file=file))
    if not set(schema.key) & unreadable:
        dup = out.duplicated(list(schema.key), keep=False)
        if dup.any():
            problems.append(DataValidationError(
                f"{schema.name}: duplicate {'/'.join(schema.key)} rows",
                file=file, column=", ".join(schema.key), rows=_bad_rows(dup),
                hint="keep one row per " + "-".join(schema.key)
                     + " (remove exact duplicates, resolve conflicts at the source)",
            ))
    # with value problems only, the table is still returned (cross-table checks can use it); never when a
    # column could not be read as its type
    return (None if unreadable else out), problems


#: Plausible range of a value-added deflator with 2015 = 1 (see data/README.md): Viet Nam's GDP deflator
#: rose about fifteen-fold from 1990 to 2015, and would have to rise or fall beyond 50-fold from 2015 to
#: leave this range by 2050; a value outside it is a typing or unit mistake (1e-300, 114 for 1.14).
DEFLATOR_RANGE = (0.02, 50.0)
#: Largest plausible change of the deflator from one year to the next (a factor; 1991 saw about 1.7).
DEFLATOR_MAX_YEARLY_FACTOR = 2.0
#: The base year and how far its deflator may be from 1 (rounding of a rebased series).
DEFLATOR_BASE = (2015, 0.005)


def _deflator_problems(out: pd.DataFrame, *, file: str) -> list[DataValidationError]:
    problems = []
    lo, hi = DEFLATOR_RANGE
    d = out["deflator"]
    base_year, tol = DEFLATOR_BASE
    base = out.loc[out["year"] == base_year, "deflator"]
    if len(base) == 1 and abs(float(base.iloc[0]) - 1) > tol and float(base.iloc[0]) > 0:
        problems.append(DataValidationError(
            f"price deflators: the {base_year} deflator is {float(base.iloc[0]):g}, but the index has "
            f"{base_year} = 1", file=file, column="deflator", rows=_bad_rows(out["year"] == base_year),
            hint=f"rebase the series: divide every deflator by its {base_year} value "
                 "(an index with 2015 = 100 is divided by 100)"))
    implausible = (d > 0) & ~d.between(lo, hi)
    if implausible.any():
        problems.append(DataValidationError(
            f"price deflators: implausible deflator(s) {d[implausible].unique()[:3].tolist()}: an index with "
            f"2015 = 1 lies between {lo:g} and {hi:g}",
            file=file, column="deflator", rows=_bad_rows(implausible),
            hint="correct the value (a typing or unit mistake, e.g. 114 for 1.14); see data/README.md"))
    ok = out[(d > 0) & d.between(lo, hi)].sort_values("year")
    step = ok["year"].diff().eq(1)
    factor = (ok["deflator"] / ok["deflator"].shift()).where(step)
    jump = (factor > DEFLATOR_MAX_YEARLY_FACTOR) | (factor < 1 / DEFLATOR_MAX_YEARLY_FACTOR)
    if jump.any():
        idx = ok.index[jump.to_numpy()]
        y = int(ok.loc[idx[0], "year"])
        problems.append(DataValidationError(
            f"price deflators: the deflator changes by a factor of {float(factor[jump].iloc[0]):.3g} from "
            f"{y - 1} to {y}; prices do not double or halve in one year",
            file=file, column="deflator", rows=[int(i) for i in idx],
            hint="check these years' values for a typing or unit mistake"))
    return problems


def _monitoring_value_problems(out: pd.DataFrame, *, file: str) -> list[DataValidationError]:
    """Values an indicator cannot take: counts that are negative or fractional, rates outside their bounds."""
    problems = []
    kinds = out["indicator"].map({k: v.kind for k, v in INDICATORS.items()})
    v = out["value"]
    counts = kinds.eq("count")
    for mask, what in ((counts & (v < 0), "negative"), (counts & (v >= 0) & (v != np.round(v)), "fractional")):
        if mask.any():
            names = sorted(out.loc[mask, "indicator"].unique())
            problems.append(DataValidationError(
                f"programme monitoring indicators: {what} value(s) {v[mask].unique()[:3].tolist()} of count "
                f"indicator(s) {', '.join(names[:3])} ({INDICATORS[names[0]].unit})",
                file=file, column="value", rows=_bad_rows(mask),
                hint="a count is a whole number of enterprises, persons, … and at least 0: correct the value at "
                     "the source (a missing count is a missing row, not a negative number)"))
    for name, ind in INDICATORS.items():
        if ind.lower is None and ind.upper is None:
            continue
        lo = -np.inf if ind.lower is None else ind.lower
        hi = np.inf if ind.upper is None else ind.upper
        mask = out["indicator"].eq(name) & ~v.between(lo, hi)
        if mask.any():
            problems.append(DataValidationError(
                f"programme monitoring indicators: {name} value(s) {v[mask].unique()[:3].tolist()} impossible: "
                f"its values run {ind.bounds_text}", file=file, column="value", rows=_bad_rows(mask),
                hint=f"{name} is in percent ({ind.bounds_text}); correct the value at the source"))
    return problems


def years_outside(df: pd.DataFrame, schema: TableSchema, years: tuple[int, int], *, file: str,
                  defaults_file: str = "params/defaults.yml") -> list[DataValidationError]:
    """Rows whose year lies outside the analysed period ``years`` (``defaults.yml: years``)."""
    lo, hi = years
    out = []
    for ycol in [c.name for c in schema.columns if c.unit == "year"]:
        if ycol == "support_start_year":
            continue  # checked against the panel's years
        wrong = ~df[ycol].between(lo, hi)
        if wrong.any():
            out.append(DataValidationError(
                f"{schema.name}: year(s) {sorted(int(y) for y in df.loc[wrong, ycol].unique())[:5]} outside the "
                f"analysed period {lo}–{hi}",
                file=file, column=ycol, rows=_bad_rows(wrong),
                hint=f"correct the year (a typing mistake, e.g. 2049 for 2024), drop these rows, or widen "
                     f"'years' in {defaults_file} if the analysis should cover them"))
    return out


def validate_participation_against_panel(participation: pd.DataFrame, panel: pd.DataFrame, *, file: str) -> None:
    """Cross-table checks: supported firms exist in the panel; support starts within panel years."""
    problems = participation_panel_problems(participation, panel, file=file)
    if problems:
        raise problems[0]


def participation_panel_problems(participation: pd.DataFrame, panel: pd.DataFrame, *,
                                 file: str) -> list[DataValidationError]:
    """Every problem of the cross-table checks of :func:`validate_participation_against_panel`."""
    problems = []
    known = pd.Index(panel["firm_id"].unique())
    unknown = ~participation["firm_id"].isin(known)
    if unknown.any():
        ids = participation.loc[unknown, "firm_id"].astype(str)
        width = int(known.astype(str).str.len().max())
        padded = ids.str.zfill(width)
        if ids.str.isdigit().all() and padded.isin(known).all():
            problems.append(DataValidationError(
                "programme participation: firm ids lost their leading zeros "
                f"(e.g. '{ids.iloc[0]}' where the panel has '{padded.iloc[0]}')",
                file=file, column="firm_id", rows=_bad_rows(unknown),
                hint="export firm_id as text so that '0012' stays '0012' (a spreadsheet stores it as the number 12)",
            ))
        else:
            problems.append(DataValidationError(
                f"programme participation: firms not found in the enterprise panel (e.g. '{ids.iloc[0]}')",
                file=file, column="firm_id", rows=_bad_rows(unknown),
                hint="check firm ids (text, leading zeros) against the panel",
            ))
    lo, hi = int(panel["year"].min()), int(panel["year"].max())
    outside = ~participation["support_start_year"].between(lo, hi)
    if outside.any():
        problems.append(DataValidationError(
            f"programme participation: support_start_year outside the panel years {lo}–{hi}",
            file=file, column="support_start_year", rows=_bad_rows(outside),
            hint="correct the year, or extend the panel to cover it",
        ))
    return problems
