"""The PDF route as a reader gets it (render.pdf: pandoc, then Typst), checked on the PDF's extracted text
(``pdftotext``, Debian's poppler-utils) and on the Typst source: the synthetic-data banner and the report's title once,
on the title page; the sensitivity analysis' M̄ written once (not "M̄M̄", typst/typst#8767); a table that runs over
several pages repeats its header; every figure has a caption; no text column is centred; a figure that does not fit
in the room left on its page floats to the next and the text after it fills the room (no page before the last left
more than a quarter empty), while a figure that fits stays in its place.

The document is a small notebook made of the reports' own pieces (the banner template, the sensitivity sentence,
a table and a figure as the report sections write them), rendered for real; the full reports are checked the same
way by tests/test_report_truth.py (provinces) and tests/report/test_national_truth.py (national synthesis).
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import nbformat
import pytest

from evalutils.i18n import t
from evalutils.render.pdf import notebook_typst, render_pdf, typst_body
from evalutils.report.html import render, rows_table

pytestmark = pytest.mark.slow  # pandoc and the Typst compiler run (about a second a document)


def _png(width: float = 3, height: float = 12) -> bytes:
    """A figure; by default four times as tall as it is wide, like the forest plot of 63 provinces: taller than a
    page."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=50)
    fig.subplots().plot([0, 1], [0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _notebook(lang: str) -> nbformat.NotebookNode:
    """The order and the templates of a report: banner and header (the report's title as its heading), a paragraph,
    a small figure, a paragraph, key findings (with the sensitivity sentence), a figure taller than the room left on
    its page, a 120-row table, banner again."""
    banner = render("banner.html.j2", text=t("synthetic_banner", lang))
    header = render("national_header.html.j2", title=t("national_title", lang), subtitle="subtitle", vintage="vintage")
    sens = t("sens_text", lang, lo="−1,0%" if lang == "vi" else "−1.0%", hi="2,0%" if lang == "vi" else "2.0%")
    small = render("figure.html.j2", alt=t("forest_units_heading", lang), exhibit="",
                   data=base64.b64encode(_png(6, 3)).decode())
    findings = render("paragraphs.html.j2", paragraphs=["para-after"], t=None) + render(
        "key_findings.html.j2", heading=t("kf_heading", lang),
        items=[sens] + [f"finding{i} " + "một câu dài của phát hiện chính " * 4 for i in range(2)])
    table = render("paragraphs.html.j2", paragraphs=[],
                   t=rows_table(["Tỉnh" if lang == "vi" else "Province", t("col_source", lang)],
                                [[f"row{i:03d}", "“" + "một đoạn trích dài của kế hoạch " * 3 + "”"]
                                 for i in range(120)]))
    figure = render("figure.html.j2", alt=t("forest_heading", lang), exhibit="",
                    data=base64.b64encode(_png()).decode())
    cells = []
    for html in (banner + header, "<p>para-before</p>", small, findings, figure, table, banner):
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html})]
        cells.append(cell)
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nb


def _pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return text.split("\f")


@pytest.fixture(scope="module", params=["vi", "en"])
def rendered(request, tmp_path_factory):
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian package poppler-utils) is needed: .ci/run installs it")
    lang = request.param
    tmp = tmp_path_factory.mktemp(f"pdf-{lang}")
    nb_path = tmp / "report.ipynb"
    nbformat.write(_notebook(lang), nb_path)
    pdf = render_pdf(nb_path, tmp / "report.pdf", title=t("national_title", lang), subtitle="Subtitle",
                     footer="evalutils · x", banner=t("synthetic_banner", lang), lang=lang)
    return lang, _pdf_pages(pdf), pdf


def _flat(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def test_the_banner_is_on_the_title_page_only(rendered):
    lang, pages, _ = rendered
    banner = _flat(t("synthetic_banner", lang))
    assert banner in _flat(pages[0])
    assert sum(_flat(p).count(banner) for p in pages) == 1, [i for i, p in enumerate(pages) if banner in _flat(p)]


def test_m_bar_is_written_once(rendered):
    lang, pages, _ = rendered
    text = "\n".join(pages)
    assert "M\u0304M\u0304" not in text
    # the sentence as the catalogue writes it: "… tới M̄ lần …" / "… up to M̄ times …", the symbol once
    around = ("tới", "lần") if lang == "vi" else ("to", "times")
    assert re.search(rf"{around[0]}\s+M\u0304\s+{around[1]}", text), text[:2000]
    assert _flat(text).count("M\u0304") == 1


def test_a_long_table_repeats_its_header_on_every_page(rendered):
    lang, pages, _ = rendered
    header = t("col_source", lang)
    with_rows = [p for p in pages if re.search(r"row\d{3}", p)]
    assert len(with_rows) >= 2  # the table does run over pages
    assert all(_flat(header) in _flat(p) for p in with_rows)
    rows = re.findall(r"row(\d{3})", "\n".join(pages))
    assert sorted(set(rows)) == [f"{i:03d}" for i in range(120)]  # every row printed, none twice
    assert len(rows) == 120


def test_every_figure_has_a_caption(rendered):
    lang, pages, _ = rendered
    word = "Hình" if lang == "vi" else "Figure"
    captions = re.findall(rf"{word} (\d+):(.*)", "\n".join(pages))
    assert captions == [("1", " " + t("forest_units_heading", lang)), ("2", " " + t("forest_heading", lang))]


def test_the_title_is_on_the_title_page_only(rendered):
    """The report's header repeats its title as a heading; the PDF prints it on the title page only."""
    lang, pages, _ = rendered
    title = _flat(t("national_title", lang))
    assert title in _flat(pages[0])
    assert sum(_flat(p).count(title) for p in pages) == 1, [i for i, p in enumerate(pages) if title in _flat(p)]
    assert "subtitle" in _flat(pages[1])  # the rest of the header stays, at the top of page 2


def page_words(pdf: Path) -> list[list[tuple[float, str]]]:
    """For each page, its words' bottom edges as a share of the text area's height (0 at the top margin, 1 at the
    bottom margin; the running footer, below it, left out), with the words (``pdftotext -bbox``)."""
    from evalutils.render.pdf import MARGIN_Y_CM

    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    margin = MARGIN_Y_CM / 2.54 * 72
    pages = []
    for page in re.finditer(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', xml, re.S):
        height = float(page.group(1))
        words = [((float(y) - margin) / (height - 2 * margin), unescape(w))
                 for y, w in re.findall(r'<word [^>]*yMax="([\d.]+)">([^<]*)</word>', page.group(2))]
        pages.append([(y, w) for y, w in words if y <= 1])
    return pages


def test_no_page_is_left_half_empty(rendered):
    """A figure that does not fit in the room left on its page floats to the top of the next page and the text after
    it fills this one: every page between the title page and the last is at least three quarters full."""
    lang, pages, pdf = rendered
    words = page_words(pdf)
    fill = [max(y for y, _ in page) for page in words[1:-1]]
    assert fill and min(fill) >= 0.75, fill
    # the key findings, then (in the room the tall figure did not fit) the table's first rows; the figure on the next
    # page, with its caption
    word = "Hình" if lang == "vi" else "Figure"
    first = pages[1]
    assert "para-after" in first and "finding1" in first and "row000" in first and f"{word} 2:" not in first
    assert f"{word} 2:" in pages[2]


def test_a_figure_that_fits_stays_in_place(rendered):
    """The small figure, which fits, stays between the paragraphs before and after it."""
    lang, pages, pdf = rendered
    words = page_words(pdf)[1]
    word = "Hình" if lang == "vi" else "Figure"
    y = {w: y for y, w in words if w in ("para-before", "para-after", word)}
    assert y["para-before"] < y[word] < y["para-after"], y


def test_a_tall_figure_fits_on_its_page_with_its_caption(rendered):
    """Drawn at most MAX_FIGURE_HEIGHT_CM tall (``pdfimages -list``: pixels over pixels per inch), on the page of its
    caption."""
    from evalutils.render.pdf import MAX_FIGURE_HEIGHT_CM

    lang, pages, pdf = rendered
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True).stdout
    images = [line.split() for line in listing.splitlines()[2:] if line.split()[2:3] == ["image"]]
    assert len(images) == 2
    tall = max(images, key=lambda i: int(i[4]) / int(i[3]))  # the taller for its width
    page, height_px, y_ppi = int(tall[0]), int(tall[4]), float(tall[13])
    assert MAX_FIGURE_HEIGHT_CM - 0.5 <= 2.54 * height_px / y_ppi <= MAX_FIGURE_HEIGHT_CM + 0.1  # ppi printed whole
    word = "Hình" if lang == "vi" else "Figure"
    assert f"{word} 2:" in pages[page - 1]


def typst_layout_problems(body: str) -> list[str]:
    """What the Typst source of a report must not have: a table without a header row (Typst repeats
    ``table.header`` on every page), a figure with an empty caption, a centred text column."""
    problems = []
    tables = body.split("#table(")[1:]
    for i, tbl in enumerate(tables):
        header, first_cell = tbl.find("table.header("), tbl.find("table.cell(")
        if header == -1 or -1 < first_cell < header:
            problems.append(f"table {i + 1}: no header row")
        m = re.search(r"align: \(([^)]*)\)", tbl)
        if m and "center" in m.group(1):
            problems.append(f"table {i + 1}: a centred column ({m.group(1)})")
        if "table.cell(align: center)" in tbl:
            problems.append(f"table {i + 1}: a centred cell")
    for m in re.finditer(r"#figure\(image\([^)]*\),\s*caption: \[(.*?)\]\s*\)", body, re.S):
        if not m.group(1).strip():
            problems.append(f"figure with an empty caption at {m.start()}")
    n_images = len(re.findall(r"\bimage\(\"", body))
    n_captioned = len(re.findall(r"#figure\(image\([^)]*\),\s*caption: \[", body))
    if n_images != n_captioned:
        problems.append(f"{n_images - n_captioned} figure(s) without a caption")
    return problems


def report_typst(nb, tmp: Path) -> str:
    """The Typst body the PDF of an executed report notebook is compiled from (banners left out, as for the PDF)."""
    return notebook_typst(nb, tmp)


def test_the_layout_check_finds_what_it_looks_for(tmp_path):
    good = report_typst(_notebook("en"), tmp_path)
    assert typst_layout_problems(good) == []
    centred = good.replace("align: (left,left,)", "align: (left,center,)")
    assert centred != good and typst_layout_problems(centred)
    uncaptioned = typst_body('<p><img src="figure-01.png"/></p>')
    assert typst_layout_problems(uncaptioned) == ["1 figure(s) without a caption"]
    empty = typst_body('<figure><img src="figure-01.png"/><figcaption> </figcaption></figure>')
    assert len(typst_layout_problems(empty)) == 1 and "empty caption" in typst_layout_problems(empty)[0]
    headless = good.replace("table.header(", "(")
    assert any("no header row" in p for p in typst_layout_problems(headless))


def test_wide_tables_share_the_width_by_their_text():
    """A table with a column of long quotes: short columns as wide as their text (``auto``), long ones sharing the
    rest (``fr``, the quotes the most); a narrow table is left to Typst."""
    from evalutils.render.pdf import _fractions, set_column_widths

    quote = "“" + "hỗ trợ ít nhất 02 doanh nghiệp mỗi năm áp dụng tiêu chuẩn " * 3 + "”"
    rows = [["Số doanh nghiệp được hỗ trợ nâng cao năng suất", "2021–2025", "Đạt", quote]] * 3
    wide = render("paragraphs.html.j2", paragraphs=[], t=rows_table(["Chỉ tiêu", "Giai đoạn", "Tình trạng",
                                                                     "Trích nguyên văn"], rows))
    body = _fractions(typst_body(set_column_widths(wide)))
    m = re.search(r"columns: \(([^)]*)\)", body)
    cols = [c.strip() for c in m.group(1).split(",")]
    assert cols[1:3] == ["auto", "auto"] and all(c.endswith("fr") for c in (cols[0], cols[3]))
    assert float(cols[3][:-2]) > float(cols[0][:-2])  # the quotes get more room than the target's name
    narrow = render("paragraphs.html.j2", paragraphs=[], t=rows_table(["a", "b"], [["1", "2"]]))
    assert set_column_widths(narrow) == narrow
