import numpy as np
import pandas as pd
import pytest

from evalutils.errors import DataValidationError
from evalutils.productivity import melitz_polanec
from evalutils.productivity._simulate import simulate_panel

TINY = pd.DataFrame(
    {
        "firm": ["A", "B", "X", "A", "B", "E"],
        "year": [1, 1, 1, 2, 2, 2],
        "phi": [1.0, 2.0, 0.0, 2.0, 2.0, 4.0],
        "emp": [1.0, 3.0, 1.0, 2.0, 2.0, 4.0],
    }
)


def test_hand_computed_example():
    # Φ1 = (1·1 + 2·3 + 0·1)/5 = 1.4 ; Φ2 = (2·2 + 2·2 + 4·4)/8 = 3.0
    # survivors: shares (1/4, 3/4) then (1/2, 1/2): Φ_S1 = 1.75 = mean 1.5 + cov 0.25; Φ_S2 = 2 = 2 + 0
    # within 2 − 1.5 = 0.5; between 0 − 0.25 = −0.25
    # entry s_E2 (Φ_E2 − Φ_S2) = 0.5 (4 − 2) = 1.0 ; exit s_X1 (Φ_S1 − Φ_X1) = 0.2 (1.75 − 0) = 0.35
    out = melitz_polanec(TINY, productivity="phi", weight="emp", unit="firm", time="year")
    r = out.iloc[0]
    assert (r.start, r.end) == (1, 2)
    assert r.aggregate_start == pytest.approx(1.4) and r.aggregate_end == pytest.approx(3.0)
    assert r.total == pytest.approx(1.6)
    assert r["within"] == pytest.approx(0.5)
    assert r["between"] == pytest.approx(-0.25)
    assert r["entry"] == pytest.approx(1.0)
    assert r["exit"] == pytest.approx(0.35)
    assert (r.n_survivors, r.n_entrants, r.n_exiters) == (2, 1, 1)


def test_components_sum_to_total_by_group_and_year():
    df = simulate_panel(200, 6, seed=5, gap_share=0.15)
    df["prov"] = np.where(df["firm"] % 3 == 0, "01", "79")
    df["emp"] = np.exp(df["l"])
    out = melitz_polanec(df, productivity="omega", weight="emp", unit="firm", time="year", by="prov")
    assert len(out) == 2 * 5
    parts = out[["within", "between", "entry", "exit"]].sum(axis=1)
    np.testing.assert_allclose(parts, out["total"], atol=1e-12)
    assert (out["n_entrants"] > 0).all() and (out["n_exiters"] > 0).all()
    one = melitz_polanec(df, productivity="omega", weight="emp", unit="firm", time="year", start=2010, end=2015)
    np.testing.assert_allclose(one[["within", "between", "entry", "exit"]].sum(axis=1), one["total"], atol=1e-12)


def test_no_entry_or_exit_gives_zero_terms():
    df = TINY[TINY.firm.isin(["A", "B"])]
    r = melitz_polanec(df, productivity="phi", weight="emp", unit="firm", time="year").iloc[0]
    assert r["entry"] == 0 and r["exit"] == 0
    assert r["within"] + r["between"] == pytest.approx(r.total)


def test_bad_weights():
    bad = TINY.assign(emp=[1.0, -1.0, 1.0, 1.0, 1.0, 1.0])
    with pytest.raises(DataValidationError, match="negative"):
        melitz_polanec(bad, productivity="phi", weight="emp", unit="firm", time="year")
