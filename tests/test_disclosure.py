"""Disclosure control: small cells and dominated cells never reach a published table."""

import numpy as np
import pandas as pd
import pytest

from evalutils.measures.disclosure import check_no_firm_ids, suppress_small_cells


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
