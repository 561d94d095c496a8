"""The small surface every effect result shares: ``estimate``, ``std_error``, ``tidy()``, ``_repr_html_()``.

A result class subclasses :class:`EffectResult`, implements ``tidy()`` (one row per term, the
overall effect first) and names its table (``_title``) and notes (``_notes``); the headline
estimate, its standard error and the notebook display then come from the tidy frame, so they
cannot disagree with it.

>>> import pandas as pd
>>> class Demo(EffectResult):
...     _title = "Demo"
...     def tidy(self):
...         return pd.DataFrame({"term": ["ATT"], "estimate": [0.2], "std_error": [0.05],
...                              "conf_low": [0.1], "conf_high": [0.3], "p_value": [0.0001]})
>>> d = Demo()
>>> d.estimate, d.std_error
(0.2, 0.05)
>>> "<table" in d._repr_html_()
True
"""

from __future__ import annotations

import pandas as pd

from ._common import html_table

_DISPLAY = ["term", "estimate", "std_error", "conf_low", "conf_high", "p_value"]


class EffectResult:
    """Base of the effect results (no state of its own; subclasses are frozen dataclasses)."""

    _title: str = "Estimates"

    def tidy(self) -> pd.DataFrame:  # pragma: no cover - every subclass implements it
        raise NotImplementedError

    def _headline(self) -> pd.Series:
        return self.tidy().iloc[0]

    @property
    def estimate(self) -> float:
        """The headline estimate: the first row of :meth:`tidy` (the overall effect)."""
        return float(self._headline()["estimate"])

    @property
    def std_error(self) -> float:
        return float(self._headline()["std_error"])

    def _notes(self) -> list[str]:
        return list(getattr(self, "notes", ()))

    def _display_columns(self) -> list[str]:
        return _DISPLAY

    def _repr_html_(self) -> str:
        tidy = self.tidy()
        cols = [c for c in self._display_columns() if c in tidy.columns]
        return html_table(self._title, tidy[cols], self._notes())
