"""Regression tables across results, in the spirit of ``pyfixest.etable`` and Stata ``esttab``.

Any result with a ``tidy()`` method can be a column: estimates with significance stars, standard
errors in parentheses underneath, and footer rows for observations, clusters and method.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._common import check_choice

_STARS = ((0.01, "***"), (0.05, "**"), (0.1, "*"))


def _stars(p: float) -> str:
    if not np.isfinite(p):
        return ""
    for cut, s in _STARS:
        if p < cut:
            return s
    return ""


def _latex_escape(s: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("$", r"\$"), ("#", r"\#"),
                 ("_", r"\_"), ("{", r"\{"), ("}", r"\}")):
        s = s.replace(a, b)
    return s


def _latex_stars(cell: str) -> str:
    base = cell.rstrip("*")
    n = len(cell) - len(base)
    return base + (f"$^{{{'*' * n}}}$" if n else "")


def etable(
    results: Sequence[Any],
    *,
    format: Literal["markdown", "html", "latex", "frame"] = "markdown",
    labels: Sequence[str] | None = None,
    keep: Sequence[str] | None = None,
    rename: dict[str, str] | None = None,
    digits: int = 3,
    stars: bool = True,
    caption: str | None = None,
) -> str | pd.DataFrame:
    """Side-by-side table of estimates (rows) by model (columns).

    ``keep``: terms to show, in that order (default: every term, in order of first appearance).
    ``rename``: display names for terms. ``format="frame"`` returns the table as a DataFrame.
    """
    check_choice("format", format, ("markdown", "html", "latex", "frame"))
    if not results:
        raise ValueError("etable needs at least one result")
    tidies = [r.tidy() if hasattr(r, "tidy") else r for r in results]
    names = list(labels) if labels is not None else [f"({i + 1})" for i in range(len(results))]
    if len(names) != len(tidies):
        raise ValueError("labels must have one entry per result")
    terms: list[str] = []
    for t in tidies:
        for term in t["term"]:
            if term not in terms:
                terms.append(term)
    if keep is not None:
        terms = [t for t in keep if t in terms]
    rename = rename or {}
    fmt = f"{{:.{digits}f}}"
    body: list[list[str]] = []
    for term in terms:
        est_row = [rename.get(term, term)]
        se_row = [""]
        for t in tidies:
            hit = t[t["term"] == term]
            if hit.empty:
                est_row.append("")
                se_row.append("")
                continue
            r = hit.iloc[0]
            est_row.append(fmt.format(r["estimate"]) + (_stars(r["p_value"]) if stars else ""))
            se_row.append("(" + fmt.format(r["std_error"]) + ")" if np.isfinite(r["std_error"]) else "")
        body += [est_row, se_row]

    def first(t, col):
        return t[col].iloc[0] if col in t and len(t) else ""

    def fmt_int(v):
        return f"{int(v):,}" if v is not None and not pd.isna(v) and v != "" else ""

    footer = [
        ["Observations", *[fmt_int(first(t, "n_obs")) for t in tidies]],
        ["Clusters", *[fmt_int(first(t, "n_clusters")) for t in tidies]],
        ["Method", *[str(first(t, "method")) for t in tidies]],
    ]
    note = "Standard errors in parentheses." + (" * p<0.1, ** p<0.05, *** p<0.01." if stars else "")
    header = ["", *names]
    if format == "frame":
        return pd.DataFrame(body + footer, columns=header)
    if format == "markdown":
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + [":---:"] * len(names)) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in body]
        lines += ["| " + " | ".join(r) + " |" for r in footer]
        text = "\n".join(lines) + f"\n\n{note}\n"
        return (f"**{caption}**\n\n" if caption else "") + text
    if format == "html":
        esc = html.escape
        out = ["<table class='etable' style='border-collapse:collapse'>"]
        if caption:
            out.append(f"<caption>{esc(caption)}</caption>")
        out.append("<thead><tr>" + "".join(f"<th style='padding:2px 8px;border-bottom:1px solid'>{esc(h)}</th>"
                                             for h in header) + "</tr></thead><tbody>")
        for r in body:
            out.append("<tr>" + "".join(f"<td style='padding:0 8px;text-align:{'left' if i == 0 else 'center'}'>"
                                        f"{esc(c)}</td>" for i, c in enumerate(r)) + "</tr>")
        for j, r in enumerate(footer):
            style = "border-top:1px solid;" if j == 0 else ""
            out.append("<tr>" + "".join(f"<td style='{style}padding:0 8px;text-align:{'left' if i == 0 else 'center'}'>"
                                        f"{esc(c)}</td>" for i, c in enumerate(r)) + "</tr>")
        out.append(f"</tbody><tfoot><tr><td colspan='{len(header)}' style='font-size:85%'>{esc(note)}</td></tr>"
                   "</tfoot></table>")
        return "\n".join(out)
    # latex (booktabs)
    cols = "l" + "c" * len(names)
    out = [r"\begin{table}[htbp]", r"\centering"]
    if caption:
        out.append(r"\caption{" + _latex_escape(caption) + "}")
    out += [r"\begin{tabular}{" + cols + "}", r"\toprule",
            " & ".join(_latex_escape(h) for h in header) + r" \\", r"\midrule"]
    for r in body:
        out.append(" & ".join(_latex_escape(c) if i == 0 else _latex_stars(c) for i, c in enumerate(r)) + r" \\")
    out.append(r"\midrule")
    for r in footer:
        out.append(" & ".join(_latex_escape(c) for c in r) + r" \\")
    out += [r"\bottomrule", r"\end{tabular}", r"\par\footnotesize " + _latex_escape(note), r"\end{table}"]
    return "\n".join(out)
