"""Data validation: each problem names the file, column and rows."""

import pandas as pd
import pytest

from evalutils.errors import DataValidationError
from evalutils.panel.io import load_panel, read_table
from evalutils.panel.schema import MONITORING, PANEL, PARTICIPATION, validate_participation_against_panel


def _panel() -> pd.DataFrame:
    return pd.DataFrame({
        "firm_id": ["0012", "0012", "0345", "0345"], "year": [2020, 2021, 2020, 2021],
        "province_code": ["01", "01", "95", "95"], "vsic_section": ["C", "C", "G", "G"],
        "ownership": ["private"] * 4, "employment": [10, 12, 5, 6], "revenue": [100.0, 120, 50, 60],
        "value_added": [30.0, 35, 12, 14], "capital": [80.0, 85, 20, 22],
        "intermediate_inputs": [70.0, 85, 38, 46], "wage_bill": [10.0, 12, 4, 5], "investment": [5.0, 0, 1, 2],
    })


def _write(tmp_path, df, name="panel.csv"):
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


def _err(tmp_path, df, schema=PANEL) -> str:
    path = _write(tmp_path, df)
    with pytest.raises(DataValidationError) as err:
        read_table(path, schema)
    msg = str(err.value)
    assert str(path) in msg
    return msg


def test_clean_panel_keeps_ids_as_text(tmp_path):
    out = read_table(_write(tmp_path, _panel()), PANEL)
    assert out["firm_id"].tolist()[:1] == ["0012"] and out["province_code"].tolist()[0] == "01"


def test_missing_column_is_named(tmp_path):
    msg = _err(tmp_path, _panel().drop(columns="capital"))
    assert "missing column(s) capital" in msg and "column: capital" in msg


def test_renamed_column_gets_a_hint(tmp_path):
    msg = _err(tmp_path, _panel().rename(columns={"capital": "Capital "}))
    assert "rename capital (found 'Capital ')" in msg


def test_wrong_type_names_rows(tmp_path):
    df = _panel().astype({"employment": object})
    df.loc[2, "employment"] = "many"
    msg = _err(tmp_path, df)
    assert "column: employment" in msg and "rows: 2 (1 row)" in msg and "must be numeric" in msg


def test_duplicate_firm_year(tmp_path):
    df = pd.concat([_panel(), _panel().iloc[[1]]], ignore_index=True)
    msg = _err(tmp_path, df)
    assert "duplicate firm_id/year" in msg and "rows: 1, 4 (2 rows)" in msg


def test_nonpositive_value_that_will_be_logged(tmp_path):
    df = _panel()
    df.loc[3, "value_added"] = -2.0
    msg = _err(tmp_path, df)
    assert "value_added must be positive" in msg and "rows: 3 (1 row)" in msg


def test_unknown_province_code(tmp_path):
    df = _panel()
    df.loc[0, "province_code"] = "99"
    msg = _err(tmp_path, df)
    assert "unknown province codes ['99']" in msg and "rows: 0 (1 row)" in msg


def test_province_code_lost_leading_zero(tmp_path):
    df = _panel()
    df["province_code"] = ["1", "1", "95", "95"]
    msg = _err(tmp_path, df)
    assert "lost their leading zero" in msg


def test_impossible_year(tmp_path):
    df = _panel()
    df.loc[1, "year"] = 2202
    assert "impossible years" in _err(tmp_path, df)


def test_not_utf8(tmp_path):
    path = tmp_path / "panel.csv"
    text = _panel().to_csv(index=False).replace("private", "tư nhân")
    path.write_bytes(text.encode("cp1258"))
    with pytest.raises(DataValidationError, match="not UTF-8"):
        read_table(path, PANEL)


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "panel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + _panel().to_csv(index=False).encode())
    assert len(read_table(path, PANEL)) == 4


def test_empty_file(tmp_path):
    path = tmp_path / "panel.csv"
    path.write_text("")
    with pytest.raises(DataValidationError, match="empty"):
        read_table(path, PANEL)


def test_truncated_parquet(tmp_path):
    good = tmp_path / "p.parquet"
    _panel().to_parquet(good)
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(good.read_bytes()[:200])
    with pytest.raises(DataValidationError, match="damaged or truncated"):
        read_table(bad, PANEL)


def test_participation_rules(tmp_path):
    part = pd.DataFrame({"firm_id": ["0012", "0012"], "support_start_year": [2021, 2022],
                         "support_type": ["training", "training"]})
    assert "duplicate firm_id" in _err(tmp_path, part, PARTICIPATION)
    part = pd.DataFrame({"firm_id": ["0012"], "support_start_year": [2021], "support_type": ["coaching"]})
    assert "allowed values" in _err(tmp_path, part, PARTICIPATION)
    ok = pd.DataFrame({"firm_id": ["0012", "9999"], "support_start_year": [2021, 2030],
                       "support_type": ["training", "training"]})
    with pytest.raises(DataValidationError, match="not found in the enterprise panel"):
        validate_participation_against_panel(ok, _panel(), file="p.csv")
    with pytest.raises(DataValidationError, match="outside the panel years"):
        validate_participation_against_panel(ok.iloc[[0]].assign(support_start_year=2030), _panel(), file="p.csv")


def test_monitoring_unknown_indicator(tmp_path):
    mon = pd.DataFrame({"province_code": ["95"], "year": [2021], "indicator": ["firms_helped"], "value": [3]})
    assert "unexpected values in indicator" in _err(tmp_path, mon, MONITORING)


def test_missing_panel_directory(tmp_path):
    with pytest.raises(DataValidationError, match="directory not found"):
        load_panel(tmp_path, ["95"])
