"""The data behind each figure and table a report shows ("exhibits"), recorded as it is shown.

Every figure and data table of a report is recorded here with a stable id (``landscape-table``,
``productivity-chart`` …) and its caption, and its element in the HTML carries ``data-evalutils-exhibit="<id>"``.
The results payload (:mod:`.payload`) carries the exhibits; the website writes each one as
``data/<report>-<id>.csv`` and links it right under its figure or table (a report opened on its own links nothing).

* a **table** is recorded as displayed: its column headings and cells as the page prints them, in the report's
  language (a suppressed cell stays "×" or "<k"; nothing is here that the page does not show);
* a **figure** is recorded as the numbers it draws, after disclosure control (a suppressed year is empty).

Each report runs in a kernel of its own (papermill), so the log is the process's: loading a context
(:func:`start`) begins a new one, and the payload reads it after the sections were shown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from .html import rows_table, table

Kind = Literal["figure", "table"]
KINDS: tuple[str, ...] = ("figure", "table")


@dataclass(frozen=True)
class Exhibit:
    """One figure or table: ``id`` (stable, used in file names), ``kind``, ``caption`` (report's language), and
    its data as ``columns`` and ``rows`` (JSON values: text, numbers, or None for an empty cell)."""

    id: str
    kind: Kind
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"exhibit kind must be one of {', '.join(KINDS)}, not {self.kind!r}")

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([list(r) for r in self.rows], columns=list(self.columns))

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "caption": self.caption, "columns": list(self.columns),
                "rows": [list(r) for r in self.rows]}


_LOG: dict[str, Exhibit] = {}


def start() -> None:
    """Begin a new report's log (called when a report's context is loaded)."""
    _LOG.clear()


def record(exhibit: Exhibit) -> str:
    """Keep ``exhibit`` (a second one with the same id replaces the first); return its id."""
    _LOG[exhibit.id] = exhibit
    return exhibit.id


def recorded() -> list[dict]:
    """The exhibits shown since :func:`start`, in the order they were first shown, as the payload holds them."""
    return [e.as_dict() for e in _LOG.values()]


def _value(v):
    """A JSON value for one cell: numbers as float/int (None when not finite), anything else as text."""
    if v is None:
        return None
    if isinstance(v, bool) or getattr(getattr(v, "dtype", None), "kind", "") == "b":
        return bool(v)
    if isinstance(v, (int, float)) or hasattr(v, "dtype"):
        try:
            x = float(v)
        except (TypeError, ValueError):
            return str(v)
        if not math.isfinite(x):
            return None
        return int(x) if isinstance(v, int) or (hasattr(v, "dtype") and v.dtype.kind in "iu") else x
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def figure_data(fig, exhibit_id: str, caption: str, data: pd.DataFrame):
    """Record the numbers ``fig`` draws and mark the figure with the id (:func:`.figures.figure_html` reads it);
    return the figure."""
    record(Exhibit(exhibit_id, "figure", caption, tuple(str(c) for c in data.columns),
                   tuple(tuple(_value(v) for v in r) for r in data.itertuples(index=False, name=None))))
    fig.evalutils_exhibit = exhibit_id
    return fig


def _table_exhibit(t: dict, exhibit_id: str, caption: str) -> dict:
    record(Exhibit(exhibit_id, "table", caption, tuple(t["columns"]), tuple(tuple(r) for r in t["rows"])))
    return {**t, "exhibit": exhibit_id}


def shown_table(exhibit_id: str, caption: str, df: pd.DataFrame, *, numeric: Sequence[str] = ()) -> dict:
    """:func:`.html.table` of a displayed frame, recorded as the exhibit ``exhibit_id``."""
    return _table_exhibit(table(df, numeric=numeric), exhibit_id, caption)


def shown_rows(exhibit_id: str, caption: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> dict:
    """:func:`.html.rows_table` of displayed rows, recorded as the exhibit ``exhibit_id``."""
    return _table_exhibit(rows_table(columns, rows), exhibit_id, caption)


def shown_cells(exhibit_id: str, caption: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Record a table a template draws itself (the scorecard); return the id for its ``data-`` attribute."""
    return record(Exhibit(exhibit_id, "table", caption, tuple(str(c) for c in columns),
                          tuple(tuple(str(v) for v in r) for r in rows)))
