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

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from ..errors import DataValidationError
from .schema import (
    DEFLATORS,
    MONITORING,
    PANEL,
    PARTICIPATION,
    TableSchema,
    validate_participation_against_panel,
    validate_table,
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
    """Read a CSV or Parquet file (or a partitioned Parquet directory) and validate it."""
    path = Path(path)
    if not path.exists():
        raise DataValidationError(f"{schema.name}: file not found", file=path,
                                  hint="check the data directory, or run `evalutils demo-data` for demo data")
    try:
        if path.is_dir():
            df = _read_partitioned(path)
        elif path.suffix.lower() == ".parquet":
            df = pq.read_table(path).to_pandas()
        elif path.suffix.lower() in (".csv", ".txt"):
            if path.stat().st_size == 0:
                raise DataValidationError(f"{schema.name}: the file is empty", file=path,
                                          hint="the delivery may have failed; ask for the file again")
            df = pd.read_csv(path, dtype=_string_columns(schema), encoding="utf-8-sig")
        else:
            raise DataValidationError(f"{schema.name}: unsupported file type {path.suffix!r}", file=path,
                                      hint="deliver CSV (UTF-8) or Parquet")
    except UnicodeDecodeError:
        raise _not_utf8(path, schema) from None
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
        raise DataValidationError(f"{schema.name}: cannot read the Parquet data ({_arrow_reason(exc)})",
                                  file=_damaged_file(path, exc),
                                  hint="the file is damaged or truncated; copy it again from the source") from None
    except pd.errors.EmptyDataError:
        raise DataValidationError(f"{schema.name}: the file has no header or rows", file=path,
                                  hint="the delivery may have failed; ask for the file again") from None
    return validate_table(df, schema, file=str(path))


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


def _damaged_file(path: Path, exc: BaseException) -> Path:
    """The Parquet file that cannot be read (``path`` itself unless it is a directory with one bad file)."""
    if not path.is_dir():
        return path
    for f in sorted(path.rglob("*.parquet")):
        if str(f) in str(exc):
            return f
        try:
            pq.read_metadata(f)
        except Exception:  # noqa: BLE001 - any failure marks the file as the damaged one
            return f
    return path


def _read_partitioned(path: Path, province_codes: list[str] | None = None) -> pd.DataFrame:
    part = ds.partitioning(pa.schema([("province_code", pa.string())]), flavor="hive")
    dataset = ds.dataset(path, format="parquet", partitioning=part)
    flt = ds.field("province_code").isin(province_codes) if province_codes else None
    return dataset.to_table(filter=flt).to_pandas()


def load_panel(data_dir: str | Path, province_codes: list[str] | None = None) -> pd.DataFrame:
    """The enterprise panel, validated; only the given provinces' partitions when asked."""
    paths = DataPaths(Path(data_dir))
    if province_codes is None:
        return _check_deflator_years(paths, read_table(paths.panel, PANEL))
    if not paths.panel.exists():
        raise DataValidationError("enterprise panel: directory not found", file=paths.panel,
                                  hint="run `evalutils demo-data` or point --data at a delivered panel")
    try:
        df = _read_partitioned(paths.panel, province_codes)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataValidationError(f"enterprise panel: cannot read the Parquet data ({_arrow_reason(exc)})",
                                  file=_damaged_file(paths.panel, exc),
                                  hint="the file is damaged or truncated; copy it again from the source") from None
    if df.empty:
        raise DataValidationError("enterprise panel: no rows for these provinces", file=paths.panel,
                                  province=", ".join(province_codes),
                                  hint="check the province code; the panel may not cover it")
    return _check_deflator_years(paths, validate_table(df, PANEL, file=str(paths.panel)))


def _check_deflator_years(paths: DataPaths, panel: pd.DataFrame) -> pd.DataFrame:
    """With a deflators file, every panel year needs a deflator (else real values would silently be missing)."""
    if paths.deflators.exists():
        deflators = read_table(paths.deflators, DEFLATORS)
        missing = sorted(set(int(y) for y in panel["year"].unique()) - set(int(y) for y in deflators["year"]))
        if missing:
            raise DataValidationError(
                f"price deflators: no deflator for panel year(s) {', '.join(map(str, missing))}",
                file=paths.deflators, column="year",
                hint="add the value-added deflator of these years (2015 = 1), or remove deflators.csv to "
                     "report nominal values",
            )
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


def load_data_manifest(data_dir: str | Path) -> dict:
    path = DataPaths(Path(data_dir)).manifest
    if not path.exists():
        return {"synthetic": False, "description": "delivered data (no MANIFEST.json)"}
    return json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- writing

def write_panel_partitioned(panel: pd.DataFrame, directory: Path) -> None:
    """Write the panel as Parquet partitioned by province_code; swap it in whole."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.with_name(f".{directory.name}.{uuid.uuid4().hex}.partial")
    table = pa.Table.from_pandas(panel.sort_values(["province_code", "firm_id", "year"]), preserve_index=False)
    part = ds.partitioning(pa.schema([("province_code", pa.string())]), flavor="hive")
    ds.write_dataset(table, tmp, format="parquet", partitioning=part,
                     basename_template="part-{i}.parquet", existing_data_behavior="error")
    old = directory.with_name(f".{directory.name}.{uuid.uuid4().hex}.old")
    if directory.exists():
        os.replace(directory, old)
    os.replace(tmp, directory)
    shutil.rmtree(old, ignore_errors=True)
