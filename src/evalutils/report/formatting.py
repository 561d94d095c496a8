"""Numbers as a report prints them (language-aware), with disclosure control on counts of firms."""

from __future__ import annotations

import numpy as np

from ..i18n import Lang, fmt_number


def fmt(x, lang: Lang, d: int = 3) -> str:
    """``x`` with ``d`` decimals in the language's notation; an em dash when missing or not finite."""
    return "—" if x is None or (isinstance(x, float) and not np.isfinite(x)) else fmt_number(float(x), lang, d)


def stars(p: float | None) -> str:
    """Significance stars: *** p < 0.01, ** p < 0.05, * p < 0.1."""
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def count_text(n: int, k: int, lang: Lang) -> str:
    """A count of firms as published: '<k' when 0 < n < k (disclosure control), else the number."""
    return f"<{k}" if 0 < n < k else fmt_number(n, lang)


def join_names(names, lang: Lang) -> str:
    """``a``, ``a and b``, ``a, b and c`` (vi: ``và``)."""
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + (" và " if lang == "vi" else " and ") + names[-1]


def pct_effect(x: float, lang: Lang) -> str:
    """A log-point effect as a percentage change, 100 (e^x - 1), a negative one with the minus sign (U+2212), as
    the PDF typesets it wherever it stands (a hyphen became a minus in some places and not in others)."""
    return fmt_number(100 * (np.exp(x) - 1), lang, 1).replace("-", "\u2212") + "%"


def pct_interval(low: float | None, high: float | None, lang: Lang, *, missing: str = "—") -> str:
    """An interval of log-point effects as percent changes, each end by :func:`pct_effect` (100 (e^x - 1) is
    increasing, so the ends stay the ends): "[0.9%, 3.9%]", in Vietnamese "[0,9%; 3,9%]" (the comma is the decimal
    mark), as the national synthesis and the website print it; an end that is missing or not finite as
    ``missing``."""
    ends = [missing if x is None or not np.isfinite(x) else pct_effect(float(x), lang) for x in (low, high)]
    return f"[{ends[0]}{';' if lang == 'vi' else ','} {ends[1]}]"


#: Colours of a target's status (scorecard table and chart): each at least 4.5:1 against white (WCAG AA for
#: text), and the status is always written out too, never shown by colour alone.
STATUS_COLOURS = {"met": "#1b7837", "on_track": "#4d7c0f", "behind": "#c51b7d", "no_data": "#595959"}



class _DecimalComma:
    """A matplotlib tick formatter that writes what ``base`` writes, with a decimal comma."""

    def __init__(self, base):
        self.base = base

    def __getattr__(self, name):  # set_axis, set_locs, format_ticks, … go to the wrapped formatter
        return getattr(self.base, name)

    def __call__(self, x, pos=None):
        return self.base(x, pos).replace(".", ",")

    def format_ticks(self, values):
        self.base.set_locs(values)
        return [self(v, i) for i, v in enumerate(values)]

    def get_offset(self):
        return self.base.get_offset().replace(".", ",")


def localise_axes(fig, lang: Lang) -> None:
    """Write the numbers on a figure's axes as the report's text does (Vietnamese: decimal comma).

    Each plain numeric axis keeps matplotlib's choice of ticks and decimals; only the separator changes (years have
    no separator and stay as they are).
    """
    if lang != "vi":
        return
    from matplotlib.ticker import Formatter, ScalarFormatter  # noqa: PLC0415 - matplotlib only when drawing

    wrapper = type("DecimalCommaFormatter", (_DecimalComma, Formatter), {})
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            base = axis.get_major_formatter()
            if isinstance(base, ScalarFormatter):
                axis.set_major_formatter(wrapper(base))
