"""HTML of the report sections from Jinja2 templates (``report/templates/*.html.j2``), autoescaped.

Every value that reaches a page goes through a template, which escapes it: no section writes HTML by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

_ENV = Environment(loader=PackageLoader("evalutils.report", "templates"), autoescape=True,
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(template: str, **values) -> str:
    """The template ``report/templates/<template>`` filled with ``values`` (escaped), without outer whitespace."""
    return _ENV.get_template(template).render(**values).strip()


def table(df: pd.DataFrame, *, numeric: Iterable[str] = (), css: str = "evalutils-table") -> dict:
    """A DataFrame as the ``table`` macro of ``_macros.html.j2`` reads it (columns, rows, numeric columns)."""
    numeric = set(numeric)
    columns = [str(c) for c in df.columns]
    rows = [[str(v) for v in r] for r in df.itertuples(index=False, name=None)]
    return {"columns": columns, "rows": rows, "numeric": [str(c) in numeric for c in df.columns], "css": css}


def rows_table(columns: Sequence[str], rows: Sequence[Sequence[object]], *, css: str = "") -> dict:
    """Plain rows (already formatted) for the ``table`` macro."""
    return {"columns": [str(c) for c in columns], "rows": [[str(v) for v in r] for r in rows],
            "numeric": [False] * len(columns), "css": css}
