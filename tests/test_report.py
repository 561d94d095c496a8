"""The evaluation report (issue 5): structure, languages, disclosure, PDF text layer. The national synthesis is
built and checked by tests/report/test_national_truth.py.

Real notebooks in a real kernel (papermill), real HTML (nbconvert) and real PDF (pandoc + Typst).
"""

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

import evalutils.report.province as report
from evalutils.panel.demo import write_demo
from evalutils.i18n import MESSAGES, t
from evalutils.render.pdf import render_report_pdf
from evalutils.report.payload import RESULTS_MIME
from evalutils.render.runner import ReportTask, run_task

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
SECTIONS = ["kf_heading", "scorecard_heading", "landscape_heading", "trend_heading", "tfp_heading", "ga_heading",
            "support_heading", "balance_heading", "effect_heading", "by_type_heading", "limitations_heading",
            "methods_heading", "provenance_heading"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    demo = write_demo(data, scale=0.3, seed=5)
    out = tmp_path_factory.mktemp("reports")
    results = {lang: run_task(ReportTask("khanh-hoa", lang, data, ROOT / "params", out)) for lang in ("vi", "en")}
    for r in results.values():
        assert r.ok, r.error
    return data, demo, out, results


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_sections_banner_and_no_code(built, lang):
    _, _, out, results = built
    html = results[lang].html.read_text(encoding="utf-8")
    for key in SECTIONS:
        assert _h(t(key, lang)) in html, key
    assert t("synthetic_banner", lang).split("—")[0].strip() in html
    assert html.count("evalutils-synthetic") >= 2  # at the top and before the provenance
    assert "import evalutils" not in html and "report.load_province_context" not in html
    assert "injected-parameters" not in html and "class=\"jp-InputArea" not in html
    assert "evalutils results" not in html  # the machine-readable payload stays out of the page
    # figures embedded, nothing fetched from elsewhere
    assert len(re.findall(r'src="data:image/png;base64,', html)) >= 4
    assert not re.search(r'<img[^>]+src="(?!data:)', html)


def _h(s: str) -> str:
    import html as _html

    return _html.escape(s)


def test_vietnamese_report_is_in_vietnamese(built):
    html = built[3]["vi"].html.read_text(encoding="utf-8")
    assert "Khánh Hòa" in html and "Phát hiện chính" in html and "Bảng theo dõi chỉ tiêu" in html
    assert "Key findings" not in html and "Targets scorecard" not in html
    # numbers written the Vietnamese way: decimal comma
    assert re.search(r"\d,\d{3,4}", _text(html))


def test_every_message_has_both_languages():
    for key, texts in MESSAGES.items():
        assert set(texts) == {"vi", "en"}, key
        assert all(texts.values()), key


def test_no_firm_ids_no_paths_no_small_cells(built):
    data, demo, out, results = built
    ids = set(demo.panel["firm_id"])
    for r in results.values():
        html = r.html.read_text(encoding="utf-8")
        found = {m for m in re.findall(r"DN\d{7}", html)}
        assert not (found & ids)
        assert str(data) not in html and "/root/" not in html
        assert "Traceback" not in html
    # every published count of firms respects the threshold: suppressed cells read "<k"
    k = 3
    html = results["en"].html.read_text(encoding="utf-8")
    landscape = html[html.index(t("landscape_heading", "en")):html.index(t("trend_heading", "en"))]
    for cell in re.findall(r'<td class="num">([^<]+)</td>', landscape):
        if cell.startswith("&lt;") or cell == "—" or cell.endswith("%"):
            continue
        assert int(cell.replace(",", "")) >= k


def test_payload_matches_the_estimators(built):
    _, demo, out, results = built
    nb = nbformat.read(results["en"].task.executed_path, as_version=4)
    payloads = [o["data"][RESULTS_MIME] for c in nb.cells for o in c.get("outputs", []) if RESULTS_MIME in
                o.get("data", {})]
    assert len(payloads) == 1
    p = payloads[0]
    assert p["synthetic"] is True and p["unit"] == "khanh-hoa" and p["n_targets"] == 8
    assert sum(p["target_status_counts"].values()) == 8
    # the payload's numbers are the estimators' own, each naming the estimator that made it: re-estimate
    # the unit here (no cache) and compare every field of every effect
    ctx = report.load_province_context("khanh-hoa", data_dir=built[0], params_dir=ROOT / "params", lang="en")
    ev = report.evaluate(ctx, cache=False)
    assert set(ev.estimates) == {"twfe", "callaway_santanna", "imputation"}  # all three ran on this unit
    assert set(p["effects"]) == {*ev.estimates, *(f"callaway_santanna_{o}" for o in ev.secondary)}
    for name, e in ev.estimates.items():
        got = p["effects"][name]
        assert got["estimator"] == name and got["method"] == e.method
        for field in ("estimate", "std_error", "conf_low", "conf_high", "p_value"):
            assert got[field] == pytest.approx(getattr(e, field), rel=1e-12, abs=1e-15), (name, field)
    assert p["effect"] == p["effects"]["callaway_santanna"]  # the headline names its estimator
    assert p["n_supported"] == ev.n_supported and p["n_firms"] == ev.n_firms


def test_pdf_has_title_page_pages_and_diacritics(built, tmp_path):
    _, _, _, results = built
    pdf = render_report_pdf(results["vi"].task.executed_path, tmp_path / "khanh-hoa.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 4
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    first = text.split("\f")[0]
    assert "Khánh Hòa" in first and "DỮ LIỆU MINH HỌA TỔNG HỢP" in first  # title page with the banner
    for phrase in ("Phát hiện chính", "Bảng theo dõi chỉ tiêu", "Bức tranh doanh nghiệp", "Độ tin cậy và hạn chế",
                   "Tác động của hỗ trợ tới năng suất"):
        assert phrase in re.sub(r"\s+", " ", text), phrase
    assert re.search(r"\b2 ?/ ?\d+\b", text)  # page numbers in the footer


@pytest.mark.skipif(shutil.which("quarto") is None,
                    reason="Quarto is not on the PATH (it comes with environment.yml; the pip route does not need it)")
def test_quarto_renders_the_executed_notebooks(built, tmp_path):
    _, _, out, _ = built
    shutil.copy(ROOT / "reports" / "_quarto.yml", out / "_quarto.yml")
    subprocess.run(["quarto", "render", "--to", "html"], cwd=out, check=True)
    assert list((out / "quarto").rglob("*.html"))
