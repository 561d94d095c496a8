"""Province-year totals of the national panel, computed once and cached.

A province notebook needs the national picture (for comparison) but should not
read the whole country's firm-level data. The totals are built once per data
delivery, keyed by the hash of the panel files, and stored as
``<data_dir>/derived/province_year.parquet``.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path

import pandas as pd

from .io import DataPaths, load_deflators, load_panel


def files_digest(files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(str(f.name).encode())
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def province_year_totals(data_dir: str | Path) -> pd.DataFrame:
    """Sum of value added (nominal and real), employment and number of firms by province and year."""
    paths = DataPaths(Path(data_dir))
    panel_files = sorted(paths.panel.rglob("*.parquet"))
    digest = files_digest(panel_files + ([paths.deflators] if paths.deflators.exists() else []))
    out = paths.root / "derived" / "province_year.parquet"
    meta = out.with_suffix(".json")
    if out.exists() and meta.exists() and json.loads(meta.read_text()).get("digest") == digest:
        return pd.read_parquet(out)
    panel = load_panel(data_dir)
    totals = (panel.groupby(["province_code", "year"])
              .agg(value_added=("value_added", "sum"), employment=("employment", "sum"),
                   n_firms=("firm_id", "nunique"))
              .reset_index())
    defl = load_deflators(data_dir)
    if defl is not None:
        totals = totals.merge(defl, on="year", how="left")
        totals["value_added_real"] = totals["value_added"] / totals["deflator"]
        totals = totals.drop(columns="deflator")
    else:
        totals["value_added_real"] = float("nan")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.partial")
    totals.to_parquet(tmp, index=False)
    os.replace(tmp, out)
    tmpm = meta.with_name(f".{meta.name}.{uuid.uuid4().hex}.partial")
    tmpm.write_text(json.dumps({"digest": digest}))
    os.replace(tmpm, meta)
    return totals
