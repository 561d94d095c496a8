"""The site rebuilds only the reports that changed since its last build (``<reports>/.cache/site-reports.json``),
and what it writes is what a build from nothing writes: a changed report, changed results, a page edited by hand or
a damaged memo all give the pages a fresh build gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evalutils.site import build_site


def _doc(text: str) -> str:
    return f"<!DOCTYPE html><html><head><title>Notebook</title></head><body><main>{text}</main></body></html>"


@pytest.fixture
def reports(tmp_path):
    reports = tmp_path / "reports"
    entries = {}
    for lang in ("vi", "en"):
        for slug in ("bac-lieu", "khanh-hoa", "ha-noi"):
            (reports / lang).mkdir(parents=True, exist_ok=True)
            (reports / lang / f"{slug}.html").write_text(_doc(f"{slug} {lang} năng suất"), encoding="utf-8")
            entries[f"pre2025/{lang}/{slug}"] = {
                "province": slug, "lang": lang, "geography": "pre2025", "outcome": "built",
                "html": f"{lang}/{slug}.html", "error": None, "parameters": {},
                "results": {"name_vi": slug, "n_targets": 2, "target_status_counts": {"met": 1, "behind": 1}}}
    (reports / "manifest.json").write_text(json.dumps({"schema": 1, "reports": entries}), encoding="utf-8")
    return reports


def _site(reports: Path) -> dict[str, bytes]:
    site = reports / "site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _fresh(reports: Path, tmp_path: Path) -> dict[str, bytes]:
    """The site a build from nothing writes for the same reports."""
    other = tmp_path / "fresh"
    shutil.rmtree(other, ignore_errors=True)
    shutil.copytree(reports, other, ignore=shutil.ignore_patterns("site", ".cache"))
    build_site(other)
    return _site(other)


def _mtimes(reports: Path) -> dict[str, int]:
    site = reports / "site"
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}


def test_only_changed_reports_are_rebuilt_and_the_site_is_what_a_fresh_build_writes(reports, tmp_path):
    build_site(reports)
    memo = reports / ".cache" / "site-reports.json"
    assert set(json.loads(memo.read_text(encoding="utf-8"))) == {f"{lang}/{slug}.html" for lang in ("vi", "en")
                                                                 for slug in ("bac-lieu", "khanh-hoa", "ha-noi")}
    assert _site(reports) == _fresh(reports, tmp_path)

    # one report rebuilt (its HTML and results changed): its pages follow, the others are not touched
    before = _mtimes(reports)
    (reports / "en" / "ha-noi.html").write_text(_doc("ha-noi en: a new target"), encoding="utf-8")
    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    manifest["reports"]["pre2025/en/ha-noi"]["results"]["n_targets"] = 3
    (reports / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    build_site(reports)
    after = _mtimes(reports)
    site = _site(reports)
    assert "a new target" in site["en/ha-noi.html"].decode("utf-8")
    assert json.loads(site["data/en/ha-noi.json"].decode("utf-8"))["n_targets"] == 3
    assert "target" in site["assets/search-index.js"].decode("utf-8")  # its search entry too
    assert after["vi/bac-lieu.html"] == before["vi/bac-lieu.html"]  # not written again
    assert after["en/khanh-hoa.html"] == before["en/khanh-hoa.html"]
    assert site == _fresh(reports, tmp_path)


def test_a_page_edited_since_or_a_damaged_memo_is_written_again(reports, tmp_path):
    build_site(reports)
    expected = _site(reports)
    page = reports / "site" / "vi" / "khanh-hoa.html"
    page.write_text("edited by hand", encoding="utf-8")
    build_site(reports)
    assert _site(reports) == expected
    (reports / ".cache" / "site-reports.json").write_text("{not json", encoding="utf-8")
    build_site(reports)
    assert _site(reports) == expected
    # a memo whose entry names another key is not trusted either
    memo = reports / ".cache" / "site-reports.json"
    entries = json.loads(memo.read_text(encoding="utf-8"))
    entries["vi/khanh-hoa.html"]["key"] = "0" * 64
    entries["vi/khanh-hoa.html"]["entry"]["w"] = "forged"
    memo.write_text(json.dumps(entries), encoding="utf-8")
    build_site(reports)
    assert _site(reports) == expected and b"forged" not in _site(reports)["assets/search-index.js"]
