"""Parameter files: the shipped ones validate; bad ones fail naming the file and the key."""

import re
import unicodedata
from pathlib import Path

import pytest

from evalutils.errors import ParameterError
from evalutils.panel.params import load_defaults, load_province_params

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_PROVINCES = {"bac-lieu": 6, "quang-nam": 1, "tuyen-quang": 5, "khanh-hoa": 8, "quang-ninh": 6, "binh-duong": 9}


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip()


def test_defaults_validate():
    d = load_defaults(ROOT / "params" / "defaults.yml")
    assert d.disclosure.min_firms_per_cell >= 1 and d.years[0] < d.years[1]


def test_every_province_has_a_valid_file():
    files = sorted((ROOT / "params" / "provinces").glob("*.yml"))
    assert len(files) == 63
    counts = {f.stem: len(load_province_params(f).targets) for f in files}
    for slug, n in SEED_PROVINCES.items():
        assert counts[slug] == n, slug
    assert sum(v for k, v in counts.items() if k not in SEED_PROVINCES) == 0  # no invented targets


def test_every_quote_is_verbatim_in_its_source():
    assert SEEDS.exists(), f"the seed documents must be at {SEEDS} (../shared beside the repository)"
    for slug in SEED_PROVINCES:
        p = load_province_params(ROOT / "params" / "provinces" / f"{slug}.yml")
        for plan in p.plans:
            assert (SEEDS / plan.source).exists()
        for t in p.targets:
            text = _norm((SEEDS / t.source).read_text(encoding="utf-8"))
            assert _norm(t.quote_vi) in text, (slug, t.id)


GOOD = """province: bac-lieu
plans:
  - id: p
    title_vi: "Kế hoạch"
    period: [2021, 2025]
    source: x.txt
targets:
  - id: t1
    plan: p
    indicator: enterprises_supported
    comparison: at_least
    value: 2
    unit: enterprises
    aggregation: per_year
    label_en: "At least 2 a year"
    quote_vi: "Hỗ trợ ít nhất 02 doanh nghiệp/năm"
    source: x.txt
"""


@pytest.mark.parametrize("old,new,key,words", [
    ("    unit: enterprises", "    unit: persons", "targets[0]", "not a unit of indicator"),
    ("    value: 2\n", "    value: 2\n    colour: red\n", "targets[0].colour", "unknown key"),
    ("period: [2021, 2025]", "period: [2025, 2021]", "plans[0]", "backwards"),
    ("indicator: enterprises_supported", "indicator: firms_helped", "targets[0]", "unknown indicator"),
    ("    comparison: at_least", "    comparison: atleast", "targets[0].comparison", "at_least"),
    ("    plan: p\n", "    plan: q\n", "targets[0].plan", "refers to plan"),
    ("    label_en: \"At least 2 a year\"\n", "", "targets[0].label_en", "missing key"),
])
def test_bad_parameter_files_name_file_and_key(tmp_path, old, new, key, words):
    path = tmp_path / "bac-lieu.yml"
    assert old in GOOD
    path.write_text(GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        load_province_params(path)
    msg = str(err.value)
    assert str(path) in msg and f"key: {key}" in msg and words in msg


def test_good_file_loads_and_name_must_match(tmp_path):
    path = tmp_path / "bac-lieu.yml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_province_params(path).targets[0].value == 2
    other = tmp_path / "ca-mau.yml"
    other.write_text(GOOD, encoding="utf-8")
    with pytest.raises(ParameterError, match="does not match"):
        load_province_params(other)


def test_unknown_province_and_bad_yaml(tmp_path):
    path = tmp_path / "bac-lieuu.yml"
    path.write_text(GOOD.replace("province: bac-lieu", "province: bac-lieuu"), encoding="utf-8")
    with pytest.raises(ParameterError, match="did you mean 'bac-lieu'"):
        load_province_params(path)
    bad = tmp_path / "x.yml"
    bad.write_text("province: [unclosed\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="invalid YAML at line"):
        load_province_params(bad)


def test_yaml_is_loaded_safely(tmp_path):
    path = tmp_path / "bac-lieu.yml"
    path.write_text("!!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="invalid YAML"):
        load_province_params(path)
