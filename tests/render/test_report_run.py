"""One real `evalutils run` of Hồ Chí Minh City (Vietnamese and English, HTML, PDF and the website) on small
synthetic data, as a user runs it:

* the run's stderr carries no "KeyboardInterrupt caught in kernel" (render/kernel.py: a finished notebook's kernel
  is shut down without jupyter_client's interrupt; tests/render/test_kernel.py checks the signals themselves);
* the English report names the city "Ho Chi Minh City" wherever it names the unit (heading, browser title, PDF
  title page and metadata, the website's rows and page titles), the Vietnamese one "TP. Hồ Chí Minh"; the header
  of a 2025 unit lists its former provinces by their names in the report's language.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
from html import unescape
from pathlib import Path

import pytest

from evalutils.i18n import t
from evalutils.panel.demo import write_demo
from evalutils.render.manifest import RunManifest

ROOT = Path(__file__).resolve().parents[2]
EVALUTILS = Path(sys.executable).with_name("evalutils")
pytestmark = pytest.mark.slow

NAMES = {"vi": "TP. Hồ Chí Minh", "en": "Ho Chi Minh City"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    for tool in ("pdfinfo", "pdftotext"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} (Debian package poppler-utils) is needed: .ci/run installs it")
    base = tmp_path_factory.mktemp("report-run")
    data, out = base / "data", base / "reports"
    write_demo(data, scale=0.2)
    res = subprocess.run([str(EVALUTILS), "run", "--data", str(data), "--params", str(ROOT / "params"),
                          "--reports", str(out), "--provinces", "ho-chi-minh", "--lang", "vi,en", "--workers", "1",
                          "--pdf", "--site"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    reports = {e["lang"]: e for e in RunManifest(out).reports.values() if e["province"] == "ho-chi-minh"}
    assert set(reports) == {"vi", "en"}
    return data, out, reports, res


def _flat(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", unescape(re.sub(r"<[^>]+>", "", s)))).strip()


def test_the_run_logs_no_kernel_interrupt(run):
    *_, res = run
    assert "KeyboardInterrupt caught" not in res.stderr + res.stdout, res.stderr
    assert "built 2, skipped as unchanged 0, failed 0" in res.stdout, res.stdout


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_report_names_the_unit_in_its_language(run, lang):
    _, out, reports, _ = run
    name, other = NAMES[lang], NAMES["en" if lang == "vi" else "vi"]
    html = (out / reports[lang]["html"]).read_text(encoding="utf-8")
    title = _flat(re.search(r"<title>(.*?)</title>", html, re.S).group(1))
    h1 = _flat(re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1))
    heading = t("report_title", lang, province=name)
    assert h1 == heading, h1
    assert title.startswith(f"{name} — "), title
    assert other not in title and other not in h1
    # the productivity and TFP charts' captions name the city in the report's language too
    body = _flat(html)
    for key in ("trend_caption", "tfp_caption"):
        caption = _flat(t(key, lang, province=name))
        assert caption in body, (key, caption)
        assert _flat(t(key, lang, province=other)) not in body
    # the PDF: its title page and its metadata carry the heading (and the body does not repeat it: the heading the
    # title page replaces is the same text)
    pdf = out / reports[lang]["pdf"]
    info = subprocess.run(["pdfinfo", "-enc", "UTF-8", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert _flat(re.search(r"^Title:\s*(.*)$", info, re.M).group(1)) == heading, info
    pages = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    assert heading in _flat(pages[0]) and other not in _flat(pages[0])
    assert _flat("\n".join(pages)).count(heading) == 1
    # the website: the overview's row and the report's page in the site
    index = (out / "site" / lang / "index.html").read_text(encoding="utf-8")
    row = _flat(re.search(r'<tr id="[^"]*ho-chi-minh[^"]*">(.*?)</tr>', index, re.S).group(1))
    assert row.startswith(name) and other not in row, row
    pages = [p for p in (out / "site").rglob("ho-chi-minh.html") if f"/{lang}/" in p.as_posix()]
    assert pages
    for page in pages:
        site_title = _flat(re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8"), re.S).group(1))
        assert site_title.startswith(f"{name} — ") and other not in site_title, site_title


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_2025_units_header_names_its_former_provinces_in_the_reports_language(run, lang):
    from evalutils.report.context import load_province_context
    from evalutils.report.sections.header import header_html, plans_html

    data, *_ = run
    ctx = load_province_context("ho-chi-minh", data_dir=data, params_dir=ROOT / "params", lang=lang,
                                geography="2025")
    # the header and the plans' headings (one a former province); the plans' own titles and sources are quoted in
    # Vietnamese, as issued
    headings = re.findall(r"<h3>(.*?)</h3>", plans_html(ctx), re.S)
    assert len(headings) == 3, headings
    text = _flat(re.sub(r"<style.*?</style>", "", header_html(ctx), flags=re.S) + " | " + " | ".join(headings))
    former = {"vi": ["Bình Dương", "Bà Rịa–Vũng Tàu", "TP. Hồ Chí Minh"],
              "en": ["Binh Duong", "Ba Ria–Vung Tau", "Ho Chi Minh City"]}
    assert t("report_title", lang, province=NAMES[lang]) in text
    for name in former[lang]:
        assert name in text, (name, text[:400])
    for name in former["en" if lang == "vi" else "vi"]:
        assert name not in text, (name, text[:400])
