"""One exception hierarchy for the whole suite.

Every error says what it is about (file, column, rows, key, province, estimator)
and what to do about it, so a user never has to read a traceback to act.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path


def _format_rows(rows: Iterable[int] | None, limit: int = 10) -> str | None:
    if rows is None:
        return None
    rows = list(rows)
    if not rows:
        return None
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" … and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"{shown}{more} ({len(rows)} row{'s' if len(rows) != 1 else ''})"


class EvalutilsError(Exception):
    """Base class of every error raised on purpose by evalutils.

    Parameters are all optional and keyword-only; those given are printed as
    labelled lines under the message, with ``hint`` (what to do) last.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        column: str | None = None,
        rows: Sequence[int] | None = None,
        key: str | None = None,
        province: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.column = column
        self.rows = list(rows) if rows is not None else None
        self.key = key
        self.province = province
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [self.message]
        for label, value in (
            ("file", self.file),
            ("province", self.province),
            ("key", self.key),
            ("column", self.column),
            ("rows", _format_rows(self.rows)),
        ):
            if value:
                lines.append(f"  {label}: {value}")
        if self.hint:
            lines.append(f"  what to do: {self.hint}")
        return "\n".join(lines)


class ParameterError(EvalutilsError):
    """A parameter file (params/*.yml, defaults) is invalid."""


class DataValidationError(EvalutilsError):
    """An input data table fails its schema."""


class GeographyError(EvalutilsError):
    """An unknown province code, slug or name."""


class EstimationError(EvalutilsError):
    """An estimator cannot be computed on the data given (too few units, no controls, no convergence)."""


class ReportError(EvalutilsError):
    """A report could not be executed or rendered."""
