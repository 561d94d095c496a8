"""etable across result types and formats."""

from __future__ import annotations

import pandas as pd
import pytest

from evalutils.effects import att_gt, did_imputation, etable, twfe

from .conftest import simulate_staggered


@pytest.fixture(scope="module")
def results():
    df = simulate_staggered(n_units=200, seed=9)
    a = twfe(df, outcome="y", unit="unit", time="year", treatment="treated")
    b = twfe(df, outcome="y", unit="unit", time="year", treatment="treated", covariates="x")
    c = att_gt(df, outcome="y", unit="unit", time="year", group="cohort", bootstrap="none").aggregate("simple")
    d = did_imputation(df, outcome="y", unit="unit", time="year", group="cohort")
    return [a, b, c, d]


def test_etable_formats(results):
    md = etable(results, labels=["TWFE", "TWFE+x", "CS", "BJS"], rename={"treated": "Support"}, keep=["treated", "x", "ATT"])
    assert md.splitlines()[0] == "|  | TWFE | TWFE+x | CS | BJS |"
    assert "| Support |" in md and "Observations" in md and "2,000" in md
    assert "(" in md and "***" in md
    html = etable(results, format="html", caption="Effects on log VA per worker")
    assert html.startswith("<table") and "<caption>Effects on log VA per worker</caption>" in html
    tex = etable(results, format="latex", caption="A & B")
    assert r"\begin{tabular}{lcccc}" in tex and r"\toprule" in tex and r"A \& B" in tex
    assert "$^{***}$" in tex
    frame = etable(results, format="frame")
    assert isinstance(frame, pd.DataFrame) and frame.shape[1] == 5
    # a term missing from a model leaves an empty cell
    row = frame[frame.iloc[:, 0] == "x"].iloc[0]
    assert row.iloc[1] == "" and row.iloc[2] != ""


def test_etable_bad_input(results):
    with pytest.raises(ValueError, match="'markdown'"):
        etable(results, format="docx")
    with pytest.raises(ValueError, match="labels"):
        etable(results, labels=["a"])
    with pytest.raises(ValueError, match="at least one"):
        etable([])
