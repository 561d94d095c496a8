"""Regression tables across results, in the spirit of ``pyfixest.etable`` and Stata ``esttab``.

Any result with a ``tidy()`` method can be a column: estimates with significance stars, standard
errors in parentheses underneath, and footer rows for observations, clusters, R² and method.

Rows are aligned across estimators (``align=True``): the overall effect is the row ``ATT`` in every
column (the treatment coefficient of :func:`twfe` and of the wild bootstrap, the overall ATT of a
Callaway–Sant'Anna aggregation, of the imputation estimator and of Sun–Abraham), event-time
effects are the rows ``e=-2``, ``e=0``, ... (event study, dynamic aggregation, imputation,
Sun–Abraham), sorted by event time after ``ATT``; other terms (covariates, ``g=``/``t=`` rows)
follow in order of first appearance.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._common import check_choice

_EVENT = re.compile(r"^e=(-?\d+)$")


def _aligned_tidy(result: Any) -> pd.DataFrame:
    """The result's tidy frame with its overall-effect row named ``ATT``."""
    t = result.tidy() if hasattr(result, "tidy") else result
    overall = getattr(result, "treatment", None)  # TWFE: the treatment coefficient
    if overall is None and "wild" in str(getattr(result, "method", "")):
        overall = getattr(result, "term", None)  # wild cluster bootstrap of the TWFE coefficient
    if overall is not None and "ATT" not in set(t["term"]):
        t = t.assign(term=t["term"].replace({overall: "ATT"}))
    return t


def _row_order(terms: list[str]) -> list[str]:
    """``ATT`` first, then event times in order, then the rest in order of first appearance."""
    events = sorted((t for t in terms if _EVENT.match(t)), key=lambda t: int(_EVENT.match(t).group(1)))
    rest = [t for t in terms if t != "ATT" and not _EVENT.match(t)]
    return (["ATT"] if "ATT" in terms else []) + events + rest

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
    align: bool = True,
) -> str | pd.DataFrame:
    """Side-by-side table of estimates (rows) by model (columns).

    ``keep``: terms to show, in that order (default: every term; with ``align`` ``ATT``, then event
    times, then the rest, see the module docstring). ``rename``: display names for terms.
    ``align=False`` keeps each result's own term names (e.g. the TWFE treatment column's name) in
    order of first appearance. ``format="frame"`` returns the table as a DataFrame.

    >>> import numpy as np, pandas as pd
    >>> from evalutils.effects import twfe, did_imputation
    >>> df = pd.DataFrame({"firm": np.repeat(np.arange(30), 4), "year": np.tile(np.arange(2018, 2022), 30)})
    >>> df["g"] = np.where(df["firm"] < 15, 2020, 0)
    >>> df["d"] = ((df["g"] > 0) & (df["year"] >= df["g"])).astype(int)
    >>> df["y"] = 0.5 * df["d"] + np.random.default_rng(3).normal(scale=0.2, size=len(df))
    >>> tw = twfe(df, outcome="y", unit="firm", time="year", treatment="d", vcov="hetero")
    >>> bjs = did_imputation(df, outcome="y", unit="firm", time="year", group="g")
    >>> etable([tw, bjs], labels=["TWFE", "Imputation"], format="frame").iloc[:, 0].tolist()[:4]
    ['ATT', '', 'e=0', '']
    """
    check_choice("format", format, ("markdown", "html", "latex", "frame"))
    if not results:
        raise ValueError("etable needs at least one result")
    tidies = [_aligned_tidy(r) if align else (r.tidy() if hasattr(r, "tidy") else r) for r in results]
    names = list(labels) if labels is not None else [f"({i + 1})" for i in range(len(results))]
    if len(names) != len(tidies):
        raise ValueError("labels must have one entry per result")
    terms: list[str] = []
    for t in tidies:
        for term in t["term"]:
            if term not in terms:
                terms.append(term)
    if align:
        terms = _row_order(terms)
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
    ]
    for label, attr in (("R²", "r2"), ("Within R²", "r2_within")):
        vals = [getattr(r, attr, None) for r in results]
        if any(v is not None and np.isfinite(v) for v in vals):
            footer.append([label, *[fmt.format(v) if v is not None and np.isfinite(v) else "" for v in vals]])
    footer.append(["Method", *[str(first(t, "method")) for t in tidies]])
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
