"""etable across result types and formats."""

from __future__ import annotations

import pandas as pd
import pytest

from evalutils.effects import att_gt, did_imputation, etable, event_study, sun_abraham, twfe, wild_cluster_bootstrap

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
    md = etable(results, labels=["TWFE", "TWFE+x", "CS", "BJS"], rename={"ATT": "Support"}, keep=["ATT", "x"])
    assert md.splitlines()[0] == "|  | TWFE | TWFE+x | CS | BJS |"
    assert "| Support |" in md and "Observations" in md and "2,000" in md
    # the TWFE coefficient and the overall ATTs share one row; R² only for the regressions
    support = [ln for ln in md.splitlines() if ln.startswith("| Support |")][0].split("|")[2:6]
    assert all(cell.strip() for cell in support)
    r2 = [ln for ln in md.splitlines() if ln.startswith("| R² |")][0].split("|")[2:6]
    assert r2[0].strip() and r2[1].strip() and not r2[2].strip() and not r2[3].strip()
    # align=False keeps each result's own names
    raw = etable(results, format="frame", align=False)
    assert "treated" in raw.iloc[:, 0].tolist()
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


def test_etable_aligns_overall_and_event_time_rows_across_estimators():
    df = simulate_staggered(n_units=150, seed=4)
    kw = dict(outcome="y", unit="unit", time="year")
    tw = twfe(df, treatment="treated", **kw)
    es = event_study(df, group="cohort", window=(-3, 3), **kw)
    cs = att_gt(df, group="cohort", bootstrap="none", **kw)
    simple, dynamic = cs.aggregate("simple"), cs.aggregate("dynamic")
    bjs = did_imputation(df, group="cohort", horizons=[0, 1, 2], **kw)
    sa = sun_abraham(df, group="cohort", **kw)
    frame = etable([tw, es, simple, dynamic, bjs, sa], format="frame")
    terms = [t for t in frame.iloc[:, 0] if t]
    body = terms[: terms.index("Observations")]
    # ATT first, then event times in numeric order, each once
    assert body[0] == "ATT" and len(body) == len(set(body))
    events = [int(t[2:]) for t in body if t.startswith("e=")]
    assert events == sorted(events) and -3 in events and 0 in events
    row = frame.set_index(frame.columns[0]).loc["ATT"]
    row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
    filled = [bool(v) for v in row.tolist()]
    # every estimator with an overall effect fills the ATT row; the event study has none
    assert filled == [True, False, True, True, True, True]
    # the numbers are each result's own: TWFE's coefficient and Sun–Abraham's overall estimate
    assert row.iloc[0].startswith(f"{tw.estimate:.3f}") and row.iloc[5].startswith(f"{sa.estimate:.3f}")
    e0 = frame.set_index(frame.columns[0]).loc["e=0"]
    e0 = e0.iloc[0] if isinstance(e0, pd.DataFrame) else e0
    assert e0.iloc[0] == "" and e0.iloc[1] and e0.iloc[3] and e0.iloc[5]
    wb = wild_cluster_bootstrap(df.assign(c=df["unit"] % 8), treatment="treated", cluster="c", n_boot=99,
                                conf_int=False, **kw)
    assert etable([tw, wb], format="frame").iloc[0, 0] == "ATT"
