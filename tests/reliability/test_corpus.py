"""The bad-input corpus (issue 8, item 1): every case names the exact error expected.

Each case is a small committed file under ``corpus/`` (or, when the case is
binary, bytes generated here from the clean file beside it). A case asserts the
error class, the file, the column or key, the rows (0-based, header excluded)
and the "what to do" hint, so a message that loses one of them fails here.
Cases that must *succeed* (a byte-order mark, trailing blank lines, a province
typed without diacritics) are in the corpus too.
"""

from __future__ import annotations

import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evalutils.errors import DataValidationError, EvalutilsError, GeographyError, ParameterError
from evalutils.geography import resolve_province
from evalutils.panel.io import load_panel, read_table, write_panel_partitioned
from evalutils.panel.params import load_defaults, load_province_params
from evalutils.panel.schema import (
    DEFLATORS,
    MONITORING,
    PANEL,
    PARTICIPATION,
    validate_participation_against_panel,
)

CORPUS = Path(__file__).parent / "corpus"
ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = {"panel": PANEL, "participation": PARTICIPATION, "monitoring": MONITORING, "deflators": DEFLATORS}


@dataclass(frozen=True)
class Expect:
    """The exact error a bad input must raise."""

    cls: type[EvalutilsError]
    message: str                 # a substring of the message line
    hint: str                    # a substring of the "what to do" line
    column: str | None = None
    rows: list[int] | None = None
    key: str | None = None


def check(exc_info: pytest.ExceptionInfo, expect: Expect, file: Path | str) -> None:
    err = exc_info.value
    assert type(err) is expect.cls, f"{type(err).__name__}: {err}"
    assert err.file == str(file), err.file
    assert expect.message in err.message, err.message
    assert err.hint and expect.hint in err.hint, err.hint
    assert err.column == expect.column, err.column
    assert err.rows == expect.rows, err.rows
    assert err.key == expect.key, err.key
    text = str(err)  # what the user reads: every part on its own labelled line
    assert f"file: {file}" in text and "what to do: " in text
    assert "Traceback" not in text


# ------------------------------------------------------------------ data tables (committed CSV files)

E = DataValidationError
ALL_PANEL = ", ".join(PANEL.names)
DATA_CASES: dict[str, Expect] = {
    "panel/missing_column.csv": Expect(E, "missing column(s) capital", "the table needs columns", "capital"),
    "panel/renamed_column.csv": Expect(E, "missing column(s) capital", "rename capital (found 'Capital ')",
                                       "capital"),
    "panel/merged_two_row_header.csv": Expect(E, f"missing column(s) {ALL_PANEL}",
                                              "the column names are on line 2 of the file", "firm_id"),
    "panel/semicolon_separated.csv": Expect(E, "missing column(s)", "separated by semicolons", "firm_id"),
    "panel/duplicate_column.csv": Expect(E, "the header names column capital more than once (read as capital, "
                                            "capital.1)", "keep one column of each name", "capital"),
    "panel/firm_id_scientific.csv": Expect(E, "firm_id values were turned into numbers by a spreadsheet "
                                              "(e.g. '6.78E+02')", "formatted as text", "firm_id", [4]),
    "panel/province_code_as_float.csv": Expect(E, "province_code values were turned into numbers by a spreadsheet "
                                                  "(e.g. '1.0')", "formatted as text", "province_code", [0, 1]),
    "panel/wrong_type.csv": Expect(E, "column employment must be numeric (persons); found ['many']",
                                   "write a plain number", "employment", [2]),
    "panel/decimal_comma.csv": Expect(E, "column revenue must be numeric (million VND); found ['60,5']",
                                      "'.' as the decimal point", "revenue", [3]),
    "panel/empty_value.csv": Expect(E, "empty values in capital", "fill or drop these rows", "capital", [4]),
    "panel/duplicate_firm_year.csv": Expect(E, "duplicate firm_id/year rows", "keep one row per firm_id-year",
                                            "firm_id, year", [1, 6]),
    "panel/nonpositive_logged.csv": Expect(E, "value_added must be positive: it is logged",
                                           "evalutils does not impute", "value_added", [3]),
    "panel/negative_investment.csv": Expect(E, "investment must not be negative", "zero is allowed",
                                            "investment", [5]),
    "panel/impossible_year.csv": Expect(E, "impossible years in year", "1990–2050", "year", [1]),
    "panel/year_not_whole.csv": Expect(E, "year must hold whole numbers; found [2020.5]", "correct these values",
                                       "year", [4]),
    "panel/province_code_lost_zero.csv": Expect(E, "province codes lost their leading zero (e.g. '1')",
                                                "two-character text ('01', not 1)", "province_code", [0, 1]),
    "panel/unknown_province_code.csv": Expect(E, "unknown province codes ['99']", "GSO two-digit codes",
                                              "province_code", [0]),
    "panel/misspelled_ownership.csv": Expect(E, "unexpected values in ownership: ['Private']",
                                             "did you mean 'private' (not 'Private')?", "ownership", [2]),
    "panel/empty.csv": Expect(E, "the file is empty", "ask for the file again"),
    "panel/blank_lines_only.csv": Expect(E, "the file has no header or rows", "ask for the file again"),
    "panel/header_only.csv": Expect(E, "the table has no rows", "check that the right file was delivered"),
    "panel/trailing_comma_rows.csv": Expect(E, "2 entirely empty row(s)", "delete the empty rows", None, [6, 7]),
    "panel/spreadsheet.xlsx": Expect(E, "unsupported file type '.xlsx'", "deliver CSV (UTF-8) or Parquet"),
    "participation/supported_twice.csv": Expect(E, "duplicate firm_id rows", "keep one row per firm_id",
                                                "firm_id", [0, 2]),
    "participation/misspelled_support_type.csv": Expect(E, "unexpected values in support_type: ['trainning']",
                                                        "did you mean 'training'", "support_type", [0]),
    "participation/empty_support_year.csv": Expect(E, "empty values in support_start_year", "fill or drop",
                                                   "support_start_year", [0]),
    "monitoring/misspelled_indicator.csv": Expect(E, "unexpected values in indicator: ['enterprise_supported']",
                                                  "did you mean 'enterprises_supported'", "indicator", [1]),
    "monitoring/duplicate_key.csv": Expect(E, "duplicate province_code/year/indicator rows",
                                           "keep one row per province_code-year-indicator",
                                           "province_code, year, indicator", [0, 1]),
    "monitoring/province_code_lost_zero.csv": Expect(E, "province codes lost their leading zero",
                                                     "('01', not 1)", "province_code", [1]),
    "monitoring/value_not_available.csv": Expect(E, "empty values in value", "fill or drop", "value", [1]),
    "monitoring/value_with_text.csv": Expect(E, "column value must be numeric (indicator's unit); found ['about 4']",
                                             "write a plain number", "value", [1]),
    "deflators/zero_deflator.csv": Expect(E, "deflator must be positive", "correct these values at the source",
                                          "deflator", [1]),
    "deflators/duplicate_year.csv": Expect(E, "duplicate year rows", "keep one row per year", "year", [1, 2]),
}


@pytest.mark.parametrize("case", sorted(DATA_CASES))
def test_bad_data_file(case):
    path = CORPUS / case
    with pytest.raises(EvalutilsError) as exc_info:
        read_table(path, SCHEMAS[case.split("/")[0]])
    check(exc_info, DATA_CASES[case], path)


@pytest.mark.parametrize("case,n_rows", [
    ("panel/clean.csv", 6), ("panel/bom.csv", 6), ("panel/trailing_blank_lines.csv", 6),
    ("participation/clean.csv", 2), ("monitoring/clean.csv", 3), ("deflators/clean.csv", 2),
])
def test_acceptable_files_load_with_ids_as_text(case, n_rows):
    df = read_table(CORPUS / case, SCHEMAS[case.split("/")[0]])
    assert len(df) == n_rows
    if "firm_id" in df:
        assert df["firm_id"].iloc[0] == "0012"          # leading zeros kept
    if "province_code" in df and case.startswith("panel"):
        assert df["province_code"].iloc[0] == "01"


def test_bom_column_name_is_not_mangled():
    df = read_table(CORPUS / "panel/bom.csv", PANEL)
    assert list(df.columns)[0] == "firm_id"


# ------------------------------------------------------------------ cross-table checks (participation vs panel)

CROSS_CASES = {
    "participation/year_outside_panel.csv": Expect(E, "support_start_year outside the panel years 2020–2021",
                                                   "correct the year, or extend the panel", "support_start_year",
                                                   [1]),
    "participation/ids_lost_leading_zeros.csv": Expect(
        E, "firm ids lost their leading zeros (e.g. '12' where the panel has '0012')", "export firm_id as text",
        "firm_id", [0, 1]),
    "participation/firm_not_in_panel.csv": Expect(E, "firms not found in the enterprise panel (e.g. '9999')",
                                                  "check firm ids", "firm_id", [1]),
}


@pytest.mark.parametrize("case", sorted(CROSS_CASES))
def test_participation_against_panel(case):
    panel = read_table(CORPUS / "panel/clean.csv", PANEL)
    path = CORPUS / case
    part = read_table(path, PARTICIPATION)          # each file is valid on its own
    with pytest.raises(EvalutilsError) as exc_info:
        validate_participation_against_panel(part, panel, file=str(path))
    check(exc_info, CROSS_CASES[case], path)


# ------------------------------------------------------------------ binary cases, generated from the clean files

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_windows_1258(text: str) -> bytes:
    """Encode as Windows-1258 does: precomposed base letters (ư, ơ, ê …) followed by a combining tone mark."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            out.append((base + "".join(c for c in parts if c in _TONES)).encode("cp1258"))
    return b"".join(out)


def test_windows_1258_export_names_the_line(tmp_path):
    """A delivery with an extra Vietnamese column (firm names), saved by Excel as Windows-1258."""
    clean = (CORPUS / "panel/clean.csv").read_text(encoding="utf-8").splitlines()
    names = ["Công ty TNHH Hải Sản", "Công ty TNHH Hải Sản", "Cty CP Điện Tử", "Cty CP Điện Tử",
             "DNTN Thủy sản Bạc Liêu", "DNTN Thủy sản Bạc Liêu"]
    lines = [clean[0] + ",ten_doanh_nghiep"] + [f"{r},{n}" for r, n in zip(clean[1:], names)]
    text = "\n".join(lines) + "\n"
    path = tmp_path / "panel.csv"
    path.write_bytes(to_windows_1258(text))
    with pytest.raises(EvalutilsError) as exc_info:
        read_table(path, PANEL)
    check(exc_info, Expect(E, "the file is not UTF-8 (byte 0xf4 on line 2)", "Windows-1258", None, [0]), path)
    # the same content in UTF-8 loads (the extra column is ignored)
    path.write_text(text, encoding="utf-8")
    assert len(read_table(path, PANEL)) == 6


def _clean_panel() -> pd.DataFrame:
    return read_table(CORPUS / "panel/clean.csv", PANEL)


def test_truncated_parquet(tmp_path):
    good = tmp_path / "good.parquet"
    _clean_panel().to_parquet(good, index=False)
    bad = tmp_path / "panel.parquet"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(EvalutilsError) as exc_info:
        read_table(bad, PANEL)
    check(exc_info, Expect(E, "cannot read the Parquet data", "damaged or truncated"), bad)
    assert str(tmp_path) not in exc_info.value.message     # the path is on the file line only


def test_zero_byte_parquet(tmp_path):
    bad = tmp_path / "panel.parquet"
    bad.write_bytes(b"")
    with pytest.raises(EvalutilsError) as exc_info:
        read_table(bad, PANEL)
    check(exc_info, Expect(E, "cannot read the Parquet data", "damaged or truncated"), bad)


@pytest.mark.parametrize("column", ["firm_id", "province_code"])
def test_ids_stored_as_numbers_in_parquet(tmp_path, column):
    df = _clean_panel()
    df[column] = df[column].astype("int64")          # '0012' -> 12, '01' -> 1: the zeros are gone
    path = tmp_path / "panel.parquet"
    df.to_parquet(path, index=False)
    with pytest.raises(EvalutilsError) as exc_info:
        read_table(path, PANEL)
    check(exc_info, Expect(E, f"column {column} was stored as numbers", "export the column as text", column),
          path)


def test_participation_ids_stored_as_numbers_in_parquet(tmp_path):
    part = read_table(CORPUS / "participation/clean.csv", PARTICIPATION)
    part["firm_id"] = pa.array(part["firm_id"].astype("int64"))
    path = tmp_path / "participation.parquet"
    pq.write_table(pa.Table.from_pandas(part, preserve_index=False), path)
    with pytest.raises(EvalutilsError) as exc_info:
        read_table(path, PARTICIPATION)
    check(exc_info, Expect(E, "column firm_id was stored as numbers", "export the column as text", "firm_id"),
          path)


@pytest.fixture
def partitioned(tmp_path) -> Path:
    root = tmp_path / "data"
    write_panel_partitioned(_clean_panel(), root / "enterprise_panel")
    return root


def test_damaged_partition_names_its_file(partitioned):
    victim = partitioned / "enterprise_panel" / "province_code=95" / "part-0.parquet"
    victim.write_bytes(victim.read_bytes()[:100])
    with pytest.raises(EvalutilsError) as exc_info:
        load_panel(partitioned, ["95"])
    check(exc_info, Expect(E, "enterprise panel: cannot read the Parquet data", "damaged or truncated"), victim)


def test_province_missing_from_panel(partitioned):
    with pytest.raises(EvalutilsError) as exc_info:
        load_panel(partitioned, ["96"])
    check(exc_info, Expect(E, "no rows for these provinces", "the panel may not cover it"),
          partitioned / "enterprise_panel")
    assert exc_info.value.province == "96"


def test_missing_file(tmp_path):
    with pytest.raises(EvalutilsError) as exc_info:
        read_table(tmp_path / "monitoring.csv", MONITORING)
    check(exc_info, Expect(E, "file not found", "check the data directory"), tmp_path / "monitoring.csv")


def test_partitioned_panel_round_trip_keeps_codes_as_text(partitioned):
    panel = load_panel(partitioned, ["01"])
    assert panel["province_code"].tolist() == ["01", "01"] and panel["firm_id"].tolist() == ["0012", "0012"]


# ------------------------------------------------------------------ parameter files

P = ParameterError
PARAM_CASES: dict[str, Expect] = {
    "unknown_key": Expect(P, "unknown key 'colour'", "remove it or correct its spelling", key="colour"),
    "unknown_key_in_target": Expect(P, "unknown key 'weight'", "remove it or correct its spelling",
                                    key="targets[0].weight"),
    "unit_not_of_indicator": Expect(P, "unit 'enterprises' is not a unit of indicator 'experts_trained'",
                                    "correct the value", key="targets[1].unit"),
    "range_backwards": Expect(P, "range is written backwards: [15.0, 10.0]; write [low, high]",
                              "correct the value", key="targets[1].range"),
    "plan_period_backwards": Expect(P, "period is written backwards: [2025, 2021]", "correct the value",
                                    key="plans[0].period"),
    "impossible_year": Expect(P, "less than or equal to 2050", "correct the value", key="targets[0].period[1]"),
    "between_with_value": Expect(P, "comparison 'between' needs range: [low, high] and no value",
                                 "correct the value", key="targets[1].comparison"),
    "value_is_text": Expect(P, "valid number", "correct the value", key="targets[0].value"),
    "duplicate_target_id": Expect(P, "duplicate target id 't1'", "give every target its own id",
                                  key="targets[1].id"),
    "duplicate_plan_id": Expect(P, "duplicate plan id 'p'", "give every plan its own id", key="plans[1].id"),
    "duplicate_yaml_key": Expect(P, "invalid YAML at line 13, column 5: key 'value' is written twice "
                                    "(first on line 12)", "keep one of the two values"),
    "misspelled_province": Expect(P, "unknown province 'bac-lieuu'", "did you mean 'bac-lieu' (Bạc Liêu, code 95)?",
                                  key="province"),
    "python_object_tag": Expect(P, "could not determine a constructor for the tag", "remove the '!!' tag"),
    "empty": Expect(P, "parameter file is empty", "plans: []"),
    "tab_indented": Expect(P, "invalid YAML at line 12, column 1", "indent with spaces, not tabs"),
    "list_not_mapping": Expect(P, "must be a mapping of keys to values, not a list", "key: value",
                               key="(top level)"),
}


@pytest.mark.parametrize("case", sorted(PARAM_CASES))
def test_bad_province_file(case):
    path = CORPUS / "params" / case / "bac-lieu.yml"
    with pytest.raises(EvalutilsError) as exc_info:
        load_province_params(path)
    check(exc_info, PARAM_CASES[case], path)


def test_python_object_tag_runs_nothing(tmp_path):
    marker = Path("/tmp/evalutils-pwned")
    marker.unlink(missing_ok=True)
    with pytest.raises(ParameterError):
        load_province_params(CORPUS / "params" / "python_object_tag" / "bac-lieu.yml")
    assert not marker.exists()


@pytest.mark.parametrize("case", ["clean", "bom", "province_without_diacritics", "province_with_diacritics",
                                  "province_as_code"])
def test_acceptable_province_files_resolve_to_the_slug(case):
    params = load_province_params(CORPUS / "params" / case / "bac-lieu.yml")
    assert params.province == "bac-lieu"
    assert [t.id for t in params.targets] == ["t1", "t2"]


def test_province_file_in_windows_1258(tmp_path):
    path = tmp_path / "bac-lieu.yml"
    path.write_bytes(to_windows_1258((CORPUS / "params/clean/bac-lieu.yml").read_text(encoding="utf-8")))
    with pytest.raises(EvalutilsError) as exc_info:
        load_province_params(path)
    check(exc_info, Expect(P, "parameter file is not UTF-8", "save the file as UTF-8"), path)


def _defaults_text() -> str:
    return (ROOT / "params" / "defaults.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("old,new,expect", [
    (None, "colour: red\n", Expect(P, "unknown key 'colour'", "remove it", key="colour")),
    ("min_firms_per_cell: ", "min_firms_per_cell: 0  #", Expect(P, "greater than or equal to 1",
                                                             "correct the value",
                                                             key="disclosure.min_firms_per_cell")),
    ("years: [2015, 2025]", "years: [2025, 2015]", Expect(P, "years is written backwards: [2025, 2015]",
                                                          "correct the value", key="years")),
    ("cluster: firm_id\n", "", Expect(P, "missing key 'cluster'", "add it", key="cluster")),
])
def test_bad_defaults(tmp_path, old, new, expect):
    text = _defaults_text()
    if old is None:
        text += new
    else:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "defaults.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EvalutilsError) as exc_info:
        load_defaults(path)
    check(exc_info, expect, path)


# ------------------------------------------------------------------ provinces typed by hand

@pytest.mark.parametrize("typed,slug", [
    ("Bac Lieu", "bac-lieu"), ("bac lieu", "bac-lieu"), ("BẠC LIÊU", "bac-lieu"), ("Tỉnh Bạc Liêu", "bac-lieu"),
    ("95", "bac-lieu"), (95, "bac-lieu"), ("1", "ha-noi"), ("Ha Noi", "ha-noi"), ("TP. Hồ Chí Minh", "ho-chi-minh"),
    ("Khanh Hoa", "khanh-hoa"), ("Khánh Hoà", "khanh-hoa"), ("Dak Lak", "dak-lak"), (" quang-nam ", "quang-nam"),
])
def test_province_typed_without_diacritics_resolves(typed, slug):
    assert resolve_province(typed)["slug"] == slug


@pytest.mark.parametrize("typed,suggestion", [
    ("Bac Lieuu", "bac-lieu"), ("quang-nom", "quang-nam"), ("Khanh Hao", "khanh-hoa"),
])
def test_misspelled_province_suggests_the_closest(typed, suggestion):
    with pytest.raises(GeographyError) as exc_info:
        resolve_province(typed)
    err = exc_info.value
    assert err.message == f"unknown province {typed!r}" and err.province == typed
    assert err.hint.startswith(f"did you mean '{suggestion}'")


def test_corpus_is_large_enough():
    """Issue 8 asks for at least 30 cases; count the distinct bad inputs exercised here."""
    n_bad = len(DATA_CASES) + len(CROSS_CASES) + len(PARAM_CASES) + 4 + 12 + 3  # + defaults, generated, typos
    assert n_bad >= 30


def test_report_loader_refuses_participation_ids_that_lost_their_zeros(partitioned):
    """A report reads one province and skips the national cross-check: the lost zeros must still be caught,
    or the province's supported firms would silently count as unsupported."""
    from evalutils.panel.io import load_participation, participation_for

    target = partitioned / "participation.csv"
    shutil.copy(CORPUS / "participation/ids_lost_leading_zeros.csv", target)
    part = load_participation(partitioned)
    with pytest.raises(EvalutilsError) as exc_info:
        participation_for(part, load_panel(partitioned, ["01"]))
    check(exc_info, Expect(E, "firm ids lost their leading zeros (e.g. '12' where the panel has '0012')",
                           "export firm_id as text", "firm_id", [0]), target)
    # the clean file gives the province's supported firm
    shutil.copy(CORPUS / "participation/clean.csv", target)
    assert participation_for(load_participation(partitioned), load_panel(partitioned, ["01"]))["firm_id"].tolist() \
        == ["0012"]


def test_deflators_must_cover_the_panel_years(partitioned):
    """Without it, real value added would silently be missing for the uncovered years."""
    target = partitioned / "deflators.csv"
    target.write_text("year,deflator\n2020,1.10\n", encoding="utf-8")
    with pytest.raises(EvalutilsError) as exc_info:
        load_panel(partitioned, ["95"])
    check(exc_info, Expect(E, "price deflators: no deflator for panel year(s) 2021", "add the value-added deflator",
                           "year"), target)
    shutil.copy(CORPUS / "deflators/clean.csv", target)
    assert len(load_panel(partitioned, ["95"])) == 4
