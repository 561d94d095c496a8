"""Reading and writing the input tables, validated on the way in.

A data directory holds::

    enterprise_panel/province_code=XX/*.parquet   the panel, partitioned by province
    participation.csv                              programme participation
    monitoring.csv                                 monitoring indicators
    deflators.csv                                  value-added deflators
    MANIFEST.json                                  what made the data (synthetic or delivered)

The panel is partitioned so that a province's report reads its own rows only.
Writes go to a temporary name first and are renamed into place, so a reader
never sees a half-written table.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import stat
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from ..errors import DataValidationError
from .schema import (
    DEFLATORS,
    MONITORING,
    PANEL,
    PARTICIPATION,
    TableSchema,
    column_problems,
    table_problems,
    years_outside,
    validate_participation_against_panel,
)


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def panel(self) -> Path:
        return self.root / "enterprise_panel"

    @property
    def participation(self) -> Path:
        return self.root / "participation.csv"

    @property
    def monitoring(self) -> Path:
        return self.root / "monitoring.csv"

    @property
    def deflators(self) -> Path:
        return self.root / "deflators.csv"

    @property
    def manifest(self) -> Path:
        return self.root / "MANIFEST.json"

    def inputs(self) -> list[Path]:
        """Every file a report reads (for hashing and provenance)."""
        files = sorted(self.panel.rglob("*.parquet")) if self.panel.exists() else []
        return files + [p for p in (self.participation, self.monitoring, self.deflators, self.manifest) if p.exists()]


def _string_columns(schema: TableSchema) -> dict[str, str]:
    return {c.name: "string" for c in schema.columns if c.dtype == "str"}


def read_table(path: str | Path, schema: TableSchema) -> pd.DataFrame:
    """Read a CSV or Parquet file (or, for the panel, a directory of Parquet files) and validate it."""
    df, problems = read_table_problems(path, schema)
    if problems:
        raise problems[0]
    assert df is not None
    return df


def refuse_special_file(path: Path, *, what: str) -> None:
    """A named pipe, socket or device is not a data file: reading one blocks or never ends."""
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
        raise DataValidationError(f"{what}: the path is {kind}, not a file", file=path,
                                  hint="deliver the table as an ordinary file (copy it into the data directory "
                                       "instead of streaming it through a pipe)")


def read_table_problems(path: str | Path,
                        schema: TableSchema) -> tuple[pd.DataFrame | None, list[DataValidationError]]:
    """The validated table and no problems, or ``None`` and every problem found (see :func:`table_problems`)."""
    path = Path(path)
    if not path.exists():
        return None, [DataValidationError(
            f"{schema.name}: file not found", file=path,
            hint="check the data directory, or run `evalutils demo-data` for demo data")]
    if path.is_dir():
        if schema is not PANEL:
            return None, [DataValidationError(f"{schema.name}: a directory where a file was expected", file=path,
                                              hint="deliver the table as one CSV file (UTF-8)")]
        return panel_problems(path)
    try:
        refuse_special_file(path, what=schema.name)
    except DataValidationError as exc:
        return None, [exc]
    try:
        if path.suffix.lower() == ".parquet":
            table = pq.read_table(path)
            types = arrow_type_problems(table.schema, schema, file=path)
            if types:
                return None, types
            df = table.to_pandas()
        elif path.suffix.lower() in (".csv", ".txt"):
            if path.stat().st_size == 0:
                return None, [DataValidationError(f"{schema.name}: the file is empty", file=path,
                                                  hint="the delivery may have failed; ask for the file again")]
            extra = _rows_with_extra_fields(path, schema)
            if extra:
                return None, [extra]
            # index_col=False: a separator at the end of every line must not shift the columns by one
            df = pd.read_csv(path, dtype=_string_columns(schema), encoding="utf-8-sig", index_col=False)
        else:
            return None, [DataValidationError(f"{schema.name}: unsupported file type {path.suffix!r}", file=path,
                                              hint="deliver CSV (UTF-8) or Parquet")]
    except UnicodeDecodeError:
        return None, [_not_utf8(path, schema)]
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
        return None, [_damaged(schema, path, exc)]
    except pd.errors.EmptyDataError:
        return None, [DataValidationError(f"{schema.name}: the file has no header or rows", file=path,
                                          hint="the delivery may have failed; ask for the file again")]
    except (pd.errors.ParserError, csv.Error) as exc:
        return None, [DataValidationError(
            f"{schema.name}: the CSV cannot be parsed ({str(exc).splitlines()[0].removeprefix('Error tokenizing data. ')})",
            file=path, hint="a quote (\") that is never closed, or a value holding the separator without quotes: "
                            "correct the line, or export the table again as CSV (UTF-8)")]
    return table_problems(df, schema, file=str(path))


def _rows_with_extra_fields(path: Path, schema: TableSchema) -> DataValidationError | None:
    """Rows with more non-empty fields than the header (a comma inside a value, a shifted row): pandas would
    shift the columns or stop with a parser error; name the rows instead. Empty extra fields (a separator
    at the end of a line) are harmless."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if not header:
            return None
        width = len(header)
        bad = [i for i, row in enumerate(reader) if len(row) > width and any(v.strip() for v in row[width:])]
    if not bad:
        return None
    return DataValidationError(
        f"{schema.name}: rows with more values than the header's {width} columns", file=path, rows=bad,
        hint="a decimal comma (write 12.5, not 12,5), a text value holding a comma without quotes, or a value "
             "too many: correct these rows, or export the table again as CSV (UTF-8)")


def _damaged(schema: TableSchema, path: Path, exc: BaseException) -> DataValidationError:
    return DataValidationError(f"{schema.name}: cannot read the Parquet data ({_arrow_reason(exc)})", file=path,
                               hint="the file is damaged or truncated; copy it again from the source")


def _not_utf8(path: Path, schema: TableSchema) -> DataValidationError:
    """The error for a CSV that is not UTF-8, naming the first bad byte's line and data row."""
    raw = path.read_bytes()
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        body.decode("utf-8")
        start = 0
    except UnicodeDecodeError as exc:
        start = exc.start
    line = body[:start].count(b"\n")          # 0 = the header line
    return DataValidationError(
        f"{schema.name}: the file is not UTF-8 (byte {body[start]:#x} on line {line + 1})",
        file=path, rows=[line - 1] if line >= 1 else None,
        hint="re-save it as UTF-8 (in Excel: Save As > CSV UTF-8); Vietnamese exports are often "
             "Windows-1258 or TCVN3 (ABC), which evalutils does not guess",
    )


def _arrow_reason(exc: BaseException) -> str:
    """Arrow's message without the machine's paths (they are in the ``file`` line)."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if ": " in text and "/" in text.split(": ", 1)[0]:
        text = text.split(": ", 1)[1]
    return text


#: the Arrow types the panel's files are read as (after the checks of :func:`arrow_type_problems`)
_ARROW_PANEL = pa.schema([(c.name, {"str": pa.string(), "int": pa.float64(), "float": pa.float64()}[c.dtype])
                          for c in PANEL.columns])

_EXPECTED = {"int": "an integer (int64)", "float": "a number (double)", "str": "text (string)"}


def arrow_type_problems(arrow_schema: pa.Schema, schema: TableSchema, *, file: Path) -> list[DataValidationError]:
    """Columns of a Parquet file whose stored type cannot hold the schema's type.

    Numbers in a text column are left to :func:`validate_table` (which says the ids lost their zeros);
    text, dates, timestamps, true/false or nested values in a numeric column, and anything but text or
    numbers in a text column, are reported with the type found and the type expected.
    """
    out = []
    for col in schema.columns:
        if col.name not in arrow_schema.names:
            continue
        t = arrow_schema.field(col.name).type
        base = t.value_type if pa.types.is_dictionary(t) else t
        numeric = pa.types.is_integer(base) or pa.types.is_floating(base) or pa.types.is_decimal(base)
        text = pa.types.is_string(base) or pa.types.is_large_string(base)
        if col.dtype == "str" and numeric:
            out.append(DataValidationError(
                f"{schema.name}: column {col.name} was stored as numbers; codes and ids must be text "
                "(leading zeros are lost otherwise)", file=file, column=col.name,
                hint="export the column as text, or read the CSV with this column as a string"))
            continue
        ok = (text or pa.types.is_null(base)) if col.dtype == "str" else (numeric or pa.types.is_null(base))
        if ok:
            continue
        temporal = pa.types.is_timestamp(base) or pa.types.is_date(base)
        if temporal and col.unit == "year":
            msg = (f"{schema.name}: column {col.name} is stored as a {'timestamp' if pa.types.is_timestamp(base) else 'date'} "
                   f"({t}) in this file, not as a year; expected {_EXPECTED[col.dtype]}")
            hint = ("store the calendar year alone as an integer column (in pandas: "
                    f"df['{col.name}'] = df['{col.name}'].dt.year) and write the file again")
        else:
            msg = (f"{schema.name}: column {col.name} has the Parquet type {t} in this file; "
                   f"expected {_EXPECTED[col.dtype]}")
            hint = (f"write {col.name} as {_EXPECTED[col.dtype]} in every file (a file written with another type "
                    "cannot be combined with the others); see data/README.md")
        out.append(DataValidationError(msg, file=file, column=col.name, hint=hint))
    return out


def _visible(p: Path, root: Path) -> bool:
    """Files whose name or folder starts with '.' or '_' are not data (temporaries, metadata; as Arrow)."""
    return not any(part.startswith((".", "_")) for part in p.relative_to(root).parts)


def panel_files(panel_dir: Path, province_codes: list[str] | None = None) -> list[tuple[Path, str | None]]:
    """The panel's Parquet files and the province code of their ``province_code=XX`` folder (``None`` for a
    file outside such a folder: its own province_code column says where its rows belong)."""
    out = []
    for f in sorted(panel_dir.rglob("*.parquet")):
        if not _visible(f, panel_dir):
            continue
        folders = [p.split("=", 1)[1] for p in f.relative_to(panel_dir).parts[:-1]
                   if p.startswith("province_code=")]
        code = folders[-1] if folders else None
        if province_codes is None or code is None or code in province_codes:
            out.append((f, code))
    return out


def read_panel_files(panel_dir: Path, province_codes: list[str] | None = None) -> pd.DataFrame:
    """The panel from its Parquet files, each validated on its own (rows are rows of that file)."""
    df, problems = panel_problems(panel_dir, province_codes)
    if problems:
        raise problems[0]
    assert df is not None
    return df


def _read_panel_file(f: Path) -> pa.Table | DataValidationError:
    try:
        refuse_special_file(f, what="enterprise panel")
        return pq.read_table(f, partitioning=None)
    except DataValidationError as exc:
        return exc
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
        return _damaged(PANEL, f, exc)


def panel_problems(panel_dir: Path, province_codes: list[str] | None = None, *,
                   years: tuple[int, int] | None = None, defaults_file: str = "params/defaults.yml",
                   ) -> tuple[pd.DataFrame | None, list[DataValidationError]]:
    """Read and validate the panel's files: every problem names its file and the rows *in that file*.

    A file inside ``province_code=XX/`` may omit the province_code column (the folder gives it); when it
    has the column, every row must agree with the folder. A file outside such folders (a panel delivered
    unpartitioned) must have the column; with ``province_codes`` only its rows of those provinces are kept.
    The files are checked one by one for what concerns a file (readable, column types, header), then
    together for the values (one pass), and each value problem is reported per file. With ``years`` (the
    analysed period of ``defaults_file``), rows outside it are problems too.
    """
    if not panel_dir.is_dir():
        return None, [DataValidationError(
            "enterprise panel: directory not found", file=panel_dir,
            hint="run `evalutils demo-data` or point --data at a delivered panel (data/README.md: "
                 "enterprise_panel/province_code=XX/*.parquet)")]
    files = panel_files(panel_dir, province_codes)
    if not files and not panel_files(panel_dir):
        return None, [DataValidationError(
            "enterprise panel: no Parquet files in the directory", file=panel_dir,
            hint="put the panel's .parquet files under enterprise_panel/ (one folder province_code=XX per "
                 "province, or one file with a province_code column)")]
    problems: list[DataValidationError] = []
    tables, sources, folder_of = [], [], []
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:  # Arrow reads without the GIL
        read = list(pool.map(_read_panel_file, [f for f, _ in files]))
    for (f, code), table in zip(files, read):
        if isinstance(table, DataValidationError):
            problems.append(table)
            continue
        types = arrow_type_problems(table.schema, PANEL, file=f)
        if types:
            problems.extend(types)
            continue
        has_column = "province_code" in table.schema.names
        if not has_column:
            if code is None:
                problems.append(DataValidationError(
                    "enterprise panel: the file is not in a province_code=XX folder and has no province_code "
                    "column, so its rows belong to no province", file=f, column="province_code",
                    hint="add the province_code column (GSO two-digit text), or move the file into "
                         "enterprise_panel/province_code=XX/"))
                continue
            table = table.append_column("province_code", pa.array([code] * table.num_rows, pa.string()))
        header = column_problems(pd.DataFrame(columns=table.schema.names), PANEL, file=str(f))
        if header:
            problems.extend(header)
            continue
        if table.num_rows == 0:
            continue
        try:
            table = table.select(PANEL.names).cast(_ARROW_PANEL)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
            problems.append(DataValidationError(
                f"enterprise panel: a column of this file cannot be converted to its type ({_arrow_reason(exc)})",
                file=f, hint="write the columns with the types of data/README.md (text, integer, number)"))
            continue
        rows = np.arange(table.num_rows)
        if province_codes is not None and code is None:
            keep = pc.fill_null(pc.is_in(pc.utf8_trim_whitespace(table["province_code"]),
                                         value_set=pa.array(province_codes, pa.string())), False)
            table = table.filter(keep)
            rows = rows[keep.to_numpy(zero_copy_only=False)]
        tables.append(table)
        sources.append((f, rows))
        folder_of.append(code if has_column else None)
    if problems:
        return None, problems
    if not tables:
        if province_codes is None:
            return None, [DataValidationError(
                "enterprise panel: the Parquet files hold no rows", file=panel_dir,
                hint="the delivery may have failed; ask for the panel again")]
        return _ARROW_PANEL.empty_table().to_pandas(), []
    combined = pa.concat_tables(tables).to_pandas()
    which = np.repeat(np.arange(len(tables)), [t.num_rows for t in tables])
    local = np.concatenate([r for _, r in sources])
    panel, found = table_problems(combined, PANEL, file=str(panel_dir))
    if panel is not None and years is not None:
        found += years_outside(panel, PANEL, years, file=str(panel_dir), defaults_file=defaults_file)
    problems = [p for err in found for p in _per_file(err, which, local, sources, panel_dir)]
    if panel is None:
        return None, problems
    folder = pd.Series([folder_of[i] for i in which]) if any(c is not None for c in folder_of) else None
    if folder is not None:
        wrong = (folder.notna() & (panel["province_code"] != folder)).to_numpy()
        if wrong.any():
            for err_rows, i in _split(np.flatnonzero(wrong), which, local):
                f, code = sources[i][0], folder_of[i]
                got = sorted(panel.loc[np.flatnonzero(wrong & (which == i)), "province_code"].unique())
                problems.append(DataValidationError(
                    f"enterprise panel: rows whose province_code ({', '.join(got[:3])}) disagrees with their "
                    f"partition folder province_code={code}",
                    file=f, column="province_code", rows=err_rows, province=code,
                    hint="move these rows to the folder of their province (or correct their code): evalutils "
                         "does not guess whether the folder or the column is right"))
    return panel, problems


def _split(positions: np.ndarray, which: np.ndarray, local: np.ndarray) -> list[tuple[list[int], int]]:
    """Positions in the combined table as (rows in the file, file index), file by file in order."""
    out = []
    for i in dict.fromkeys(int(w) for w in which[positions]):
        mine = positions[which[positions] == i]
        out.append(([int(r) for r in local[mine]], i))
    return out


def _per_file(err: DataValidationError, which: np.ndarray, local: np.ndarray, sources: list,
              panel_dir: Path) -> list[DataValidationError]:
    """A problem found in the combined panel, restated for each file it concerns with that file's rows."""
    if not err.rows:
        return [err]
    parts = _split(np.asarray(err.rows), which, local)
    files = [str(sources[i][0].relative_to(panel_dir)) for _, i in parts]
    out = []
    for k, (rows, i) in enumerate(parts):
        message, hint = err.message, err.hint
        if "duplicate" in message and len(parts) > 1:
            others = [x for j, x in enumerate(files) if j != k]
            message += f" (the same firm-years are also in {', '.join(others[:3])})"
            hint = ("keep one row per firm_id-year: a firm belongs to one province's folder (remove the copies, "
                    "resolve conflicts at the source)")
        out.append(type(err)(message, file=sources[i][0], column=err.column, rows=rows, key=err.key,
                             province=err.province, hint=hint))
    return out


def load_panel(data_dir: str | Path, province_codes: list[str] | None = None) -> pd.DataFrame:
    """The enterprise panel, validated; only the given provinces' partitions when asked."""
    paths = DataPaths(Path(data_dir))
    refuse_panel_file(paths)
    df = read_panel_files(paths.panel, province_codes)
    if province_codes is not None and df.empty:
        raise DataValidationError("enterprise panel: no rows for these provinces", file=paths.panel,
                                  province=", ".join(province_codes),
                                  hint="check the province code; the panel may not cover it")
    return _check_deflator_years(paths, df)


def refuse_panel_file(paths: DataPaths) -> None:
    """A panel delivered as one file beside the other tables, instead of the enterprise_panel/ folder."""
    if paths.panel.exists() and not paths.panel.is_dir():
        raise DataValidationError(
            "enterprise panel: enterprise_panel is a file, not a directory", file=paths.panel,
            hint="create the folder enterprise_panel/ and put the Parquet file(s) in it (named *.parquet)")
    if not paths.panel.exists():
        loose = sorted(p.name for p in paths.root.glob("*.parquet"))
        if loose:
            raise DataValidationError(
                "enterprise panel: directory not found, but the data directory holds the Parquet file(s) "
                f"{', '.join(loose[:3])}", file=paths.panel,
                hint="move the panel file(s) into a folder enterprise_panel/ (an unpartitioned file needs a "
                     "province_code column; see data/README.md)")


def deflator_year_problems(paths: DataPaths, panel: pd.DataFrame,
                           deflators: pd.DataFrame) -> list[DataValidationError]:
    missing = sorted(set(int(y) for y in panel["year"].unique()) - set(int(y) for y in deflators["year"]))
    if not missing:
        return []
    return [DataValidationError(
        f"price deflators: no deflator for panel year(s) {', '.join(map(str, missing))}",
        file=paths.deflators, column="year",
        hint="add the value-added deflator of these years (2015 = 1), or remove deflators.csv to "
             "report nominal values")]


def _check_deflator_years(paths: DataPaths, panel: pd.DataFrame) -> pd.DataFrame:
    """With a deflators file, every panel year needs a deflator (else real values would silently be missing)."""
    if paths.deflators.exists():
        problems = deflator_year_problems(paths, panel, read_table(paths.deflators, DEFLATORS))
        if problems:
            raise problems[0]
    return panel


def load_participation(data_dir: str | Path, panel: pd.DataFrame | None = None) -> pd.DataFrame:
    """Programme participation, validated.

    With ``panel`` (the full national panel) the cross-table checks run too;
    with a province's panel, pass it to :func:`participation_for` instead.
    """
    paths = DataPaths(Path(data_dir))
    part = read_table(paths.participation, PARTICIPATION)
    if panel is not None:
        validate_participation_against_panel(part, panel, file=str(paths.participation))
    part.attrs["source_file"] = str(paths.participation)
    return part


def participation_for(participation: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """The participation rows of the firms present in ``panel``.

    Raises :class:`DataValidationError` when rows outside ``panel`` match its firms once their leading
    zeros are restored ('12' for '0012'): those supported firms would silently count as unsupported.
    """
    ids = pd.Index(panel["firm_id"].unique())
    mine = participation["firm_id"].isin(ids)
    others = participation.loc[~mine, "firm_id"].astype(str)
    numeric = others[others.str.isdigit()]
    if len(numeric) and len(ids):
        lost = numeric.str.zfill(int(ids.astype(str).str.len().max())).isin(ids) & numeric.str.len().lt(
            int(ids.astype(str).str.len().max()))
        if lost.any():
            rows = [int(participation.index.get_loc(i)) for i in numeric.index[lost]]
            example = numeric[lost].iloc[0]
            raise DataValidationError(
                "programme participation: firm ids lost their leading zeros "
                f"(e.g. '{example}' where the panel has '{example.zfill(int(ids.astype(str).str.len().max()))}')",
                file=participation.attrs.get("source_file"), column="firm_id", rows=rows,
                hint="export firm_id as text so that '0012' stays '0012' (a spreadsheet stores it as the number 12)",
            )
    return participation[mine].reset_index(drop=True)


def load_monitoring(data_dir: str | Path) -> pd.DataFrame:
    return read_table(DataPaths(Path(data_dir)).monitoring, MONITORING)


def load_deflators(data_dir: str | Path) -> pd.DataFrame | None:
    path = DataPaths(Path(data_dir)).deflators
    return read_table(path, DEFLATORS) if path.exists() else None


#: Key of the Parquet metadata that marks panel files written by the synthetic demo generator, so that
#: demo data copied without their MANIFEST.json cannot pass for delivered data.
SYNTHETIC_MARK = b"evalutils.synthetic"

_MANIFEST_EXAMPLE = ('{"synthetic": false, "description": "Enterprise survey 2015-2025, GSO, delivered to '
                     '<office>", "delivered": "2026-05-31"}')


def synthetic_panel_files(data_dir: str | Path) -> list[Path]:
    """The panel files that carry the synthetic demo generator's mark in their Parquet metadata."""
    paths = DataPaths(Path(data_dir))
    if not paths.panel.is_dir():
        return []
    marked = []
    for f, _ in panel_files(paths.panel):
        try:
            if not stat.S_ISREG(f.stat().st_mode):
                continue
            meta = pq.read_schema(f).metadata or {}
        except (pa.ArrowInvalid, OSError):
            continue  # a damaged file is reported by the panel checks
        if meta.get(SYNTHETIC_MARK) == b"true":
            marked.append(f)
    return marked


def load_data_manifest(data_dir: str | Path) -> dict:
    """What made the data (``MANIFEST.json``): every report states it, and synthetic data say so.

    The file is required: ``synthetic`` (true or false) and ``description`` (text), optionally
    ``delivered`` (date) and anything else. Panel files written by the synthetic demo generator carry a
    mark in their Parquet metadata; such data are refused unless MANIFEST.json says they are synthetic,
    so demo data copied without (or with a wrong) MANIFEST.json cannot be published unlabelled.
    """
    paths = DataPaths(Path(data_dir))
    path = paths.manifest
    marked = synthetic_panel_files(data_dir)
    demo_hint = ("these panel files were written by `evalutils demo-data`: they are SYNTHETIC; copy their "
                 "MANIFEST.json with them, or write the demo again with `evalutils demo-data --data "
                 f"{paths.root}`")
    if not path.exists():
        raise DataValidationError(
            "data directory: MANIFEST.json is missing, so no report could state where the data come from",
            file=path,
            hint=demo_hint if marked else
            f"write MANIFEST.json beside the tables, e.g. {_MANIFEST_EXAMPLE} (see data/README.md)")
    try:
        refuse_special_file(path, what="data manifest")
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataValidationError(f"data directory: MANIFEST.json is not valid JSON ({exc})", file=path,
                                  hint=f"write it as JSON (UTF-8), e.g. {_MANIFEST_EXAMPLE}") from None
    if not isinstance(manifest, dict):
        raise DataValidationError("data directory: MANIFEST.json must be a JSON object", file=path,
                                  hint=f"e.g. {_MANIFEST_EXAMPLE}")
    if not isinstance(manifest.get("synthetic"), bool):
        raise DataValidationError("data directory: MANIFEST.json needs \"synthetic\": true or false", file=path,
                                  key="synthetic", hint=f"e.g. {_MANIFEST_EXAMPLE}")
    description = manifest.get("description")
    if not isinstance(description, str) or not description.strip():
        raise DataValidationError("data directory: MANIFEST.json needs a \"description\" of the data (their "
                                  "source), which every report prints", file=path, key="description",
                                  hint=f"e.g. {_MANIFEST_EXAMPLE}")
    if marked and not manifest["synthetic"]:
        raise DataValidationError(
            f"data directory: MANIFEST.json says the data are not synthetic, but {len(marked)} panel file(s) "
            "were written by the synthetic demo generator", file=marked[0], key="synthetic",
            hint=demo_hint)
    return manifest


# ---------------------------------------------------------------- writing

def write_panel_partitioned(panel: pd.DataFrame, directory: Path, *, synthetic: bool = False) -> None:
    """Write the panel as Parquet partitioned by province_code; swap it in whole (``synthetic`` marks every
    file's metadata, see :data:`SYNTHETIC_MARK`)."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.with_name(f".{directory.name}.{uuid.uuid4().hex}.partial")
    table = pa.Table.from_pandas(panel.sort_values(["province_code", "firm_id", "year"]), preserve_index=False)
    if synthetic:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), SYNTHETIC_MARK: b"true"})
    part = ds.partitioning(pa.schema([("province_code", pa.string())]), flavor="hive")
    ds.write_dataset(table, tmp, format="parquet", partitioning=part,
                     basename_template="part-{i}.parquet", existing_data_behavior="error")
    old = directory.with_name(f".{directory.name}.{uuid.uuid4().hex}.old")
    if directory.exists():
        os.replace(directory, old)
    os.replace(tmp, directory)
    shutil.rmtree(old, ignore_errors=True)
