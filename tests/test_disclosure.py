"""Disclosure control: small cells and dominated cells never reach a published table."""

import numpy as np
import pandas as pd
import pytest

from evalutils.measures.disclosure import (
    cell_reasons, check_no_firm_ids, hidden_row_totals, suppress_dominated, suppress_small_cells, top_share,
)


def test_small_cells_are_blanked_and_flagged():
    t = pd.DataFrame({"year": [2020, 2021, 2022], "value": [1.0, 2.0, 3.0], "n": [2, 3, 10]})
    out = suppress_small_cells(t, count_col="n", value_cols=["value"], threshold=3)
    assert out["suppressed"].tolist() == [True, False, False]
    assert np.isnan(out.loc[0, "value"]) and out.loc[1, "value"] == 2.0
    assert t.loc[0, "value"] == 1.0  # the input is not modified
    with pytest.raises(ValueError):
        suppress_small_cells(t, count_col="n", value_cols=["value"], threshold=0)


def test_firm_id_scan():
    ids = pd.Series(["DN0000001", "DN0000002"])
    assert check_no_firm_ids("<td>DN0000002</td>", ids) == ["DN0000002"]
    assert check_no_firm_ids("<td>123</td>", ids) == []


def test_dominated_cells_are_blanked_and_flagged():
    va = pd.Series([90.0, 5.0, 5.0, 40.0, 30.0, 30.0])
    year = pd.Series([2020, 2020, 2020, 2021, 2021, 2021])
    shares = top_share(va, year)
    assert shares.loc[2020] == pytest.approx(0.9) and shares.loc[2021] == pytest.approx(0.4)
    t = pd.DataFrame({"year": [2020, 2021], "value": [1.0, 2.0], "suppressed": [False, False]})
    out = suppress_dominated(t, shares, key="year", value_cols=["value"], max_share=0.8)
    assert out["suppressed"].tolist() == [True, False]
    assert np.isnan(out.loc[0, "value"]) and out.loc[1, "value"] == 2.0
    # a small cell stays flagged when the dominance rule does not hide it
    t2 = t.assign(suppressed=[False, True])
    assert suppress_dominated(t2, shares, key="year", value_cols=["value"], max_share=0.8)["suppressed"].tolist() \
        == [True, True]
    with pytest.raises(ValueError):
        suppress_dominated(t, shares, key="year", value_cols=["value"], max_share=0)


def test_one_hidden_group_hides_the_smallest_shown_one_too():
    counts = {"A": 2, "B": 10, "C": 5, "D": 40}
    shares = {"A": 0.5, "B": 0.3, "C": 0.2, "D": 0.1}
    reasons = cell_reasons(counts, shares, threshold=3, max_share=0.8)
    assert reasons == {"A": "small", "B": "", "C": "complementary", "D": ""}
    # two hidden groups protect each other: nothing more is hidden
    reasons = cell_reasons(counts, {**shares, "D": 0.95}, threshold=3, max_share=0.8)
    assert reasons == {"A": "small", "B": "", "C": "", "D": "dominated"}
    assert cell_reasons({"A": 5, "B": 6}, {"A": 0.1, "B": 0.1}, threshold=3, max_share=0.8) == {"A": "", "B": ""}


def test_row_totals_that_would_reveal_small_cells_are_hidden():
    ct = pd.DataFrame({2021: [1, 5, 7, 0], 2022: [4, 6, 8, 9]}, index=["a", "b", "c", "d"])
    # row a has a small cell; alone it would be recoverable from the overall total, so the smallest other goes too
    assert hidden_row_totals(ct, threshold=3) == {"a", "d"}
    ct2 = pd.DataFrame({2021: [1, 2, 7], 2022: [4, 6, 8]}, index=["a", "b", "c"])
    assert hidden_row_totals(ct2, threshold=3) == {"a", "b"}
    assert hidden_row_totals(ct2, threshold=1) == set()


def test_coarsen_counts_publishes_every_count_and_the_total():
    from evalutils.measures.disclosure import coarsen_counts

    # years: neighbours merge until each group has 3 firms; the remainder joins the last group
    years = coarsen_counts({2021: 3, 2023: 2, 2024: 2, 2025: 4}, threshold=3, ordered=True)
    assert years == [((2021,), 3), ((2023, 2024), 4), ((2025,), 4)]
    assert coarsen_counts({2021: 1, 2022: 5, 2023: 1}, threshold=3, ordered=True) == [((2021, 2022, 2023), 7)]
    # types: small ones pooled; a pool still below the threshold takes in the smallest other group
    types = coarsen_counts({"a": 5, "b": 1, "c": 0, "d": 4}, threshold=3, ordered=False)
    assert types == [(("a",), 5), (("b", "d"), 5)]
    assert coarsen_counts({"a": 5, "b": 2, "d": 2}, threshold=3, ordered=False) == [(("a",), 5), (("b", "d"), 4)]
    for groups in (years, types):
        assert all(n >= 3 for _, n in groups)
    # a total below the threshold is one group, for the caller to print '<3'
    assert coarsen_counts({"a": 1, "b": 1}, threshold=3, ordered=False) == [(("a", "b"), 2)]
    # every firm counted once, every time
    import numpy as np
    rng = np.random.default_rng(0)
    for _ in range(200):
        counts = {g: int(rng.integers(0, 6)) for g in range(int(rng.integers(1, 8)))}
        for ordered in (True, False):
            out = coarsen_counts(counts, threshold=3, ordered=ordered)
            assert sum(n for _, n in out) == sum(counts.values())
            assert sorted(g for members, _ in out for g in members) == sorted(g for g, n in counts.items() if n)
            if sum(counts.values()) >= 3:
                assert all(n >= 3 for _, n in out)
