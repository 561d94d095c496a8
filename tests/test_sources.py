"""Plan sources: every document a province file cites is listed in params/sources.yml, taken from its own text,
and reports cite it as a reader can look it up (never as a file name)."""

import re
import unicodedata
from pathlib import Path

import pytest

from evalutils.errors import ParameterError
from evalutils.panel.params import load_province_params
from evalutils.panel.sources import Source, check_sources, citation, load_sources

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip().lower()


def test_every_cited_document_is_listed():
    sources = load_sources(ROOT / "params")
    cited = set()
    for f in sorted((ROOT / "params" / "provinces").glob("*.yml")):
        p = load_province_params(f)
        check_sources(p, sources, file=f)
        cited |= {x.source for x in [*p.plans, *p.targets]}
    assert cited == set(sources)  # no entry without a citing file either


def test_entries_come_from_the_documents_own_text():
    """Title, author, publisher and based-on are found in the document; a date is its date stamp (d/m/Y)."""
    for name, s in load_sources(ROOT / "params").items():
        text = _norm((SEEDS / name).read_text(encoding="utf-8"))
        assert _norm(s.title) in text, name
        for field in (s.author, s.publisher, s.based_on):
            if field:
                assert _norm(field) in text, (name, field)
        if s.date:
            y, m, d = s.date.split("-")
            assert f"{d}/{m}/{y}" in text, (name, s.date)


def test_citation_reads_as_a_reference_in_both_languages():
    s = load_sources(ROOT / "params")["002_973f1fb2c12b9f14.txt"]
    assert citation(s, "vi").endswith("không rõ cơ quan đăng tải, 20/7/2021")
    assert citation(s, "en").startswith("LanCC, “Kế hoạch tổng thể") and citation(s, "en").endswith("20 July 2021")
    undated = Source(title="T", publisher="Báo X")
    assert citation(undated, "vi") == "“T”, Báo X, không ghi ngày"
    assert citation(undated, "en") == "“T”, Báo X, date not given"


def test_missing_or_malformed_entries_are_clear_errors(tmp_path):
    (tmp_path / "sources.yml").write_text("sources:\n  a.txt:\n    title: T\n    date: 20/07/2021\n",
                                          encoding="utf-8")
    with pytest.raises(ParameterError, match="YYYY-MM-DD") as e:
        load_sources(tmp_path)
    assert "sources.yml" in str(e.value) and "a.txt" in str(e.value)
    (tmp_path / "sources.yml").write_text("sources:\n  a.txt:\n    titel: T\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="missing key 'title'") as e:
        load_sources(tmp_path)
    assert "sources.a.txt.title" in str(e.value)
    p = load_province_params(ROOT / "params" / "provinces" / "bac-lieu.yml")
    with pytest.raises(ParameterError, match="not listed in sources.yml") as e:
        check_sources(p, {}, file="params/provinces/bac-lieu.yml")
    assert "plans[0].source" in str(e.value) and "bac-lieu.yml" in str(e.value)
