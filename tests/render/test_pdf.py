"""PDF route helpers (render.pdf) that need no compiler: escaping of title-page text, figures taken out of HTML."""

from __future__ import annotations

import base64

import nbformat

from evalutils.render.pdf import _typst_escape, notebook_html_fragments

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def test_title_text_cannot_inject_typst():
    assert _typst_escape('#set page(fill: red) $x$ [a] "q"') == \
        '\\#set page(fill: red) \\$x\\$ \\[a\\] \\"q\\"'
    assert _typst_escape("Bạc Liêu 2021–2025") == "Bạc Liêu 2021–2025"  # letters and the en dash untouched


def test_visible_outputs_only_and_figures_as_files(tmp_path):
    nb = nbformat.v4.new_notebook()
    shown = nbformat.v4.new_code_cell("x")
    shown.outputs = [nbformat.v4.new_output("display_data", data={
        "text/html": f'<p>visible</p><img alt="a" src="data:image/png;base64,{base64.b64encode(PNG).decode()}"/>'})]
    hidden = nbformat.v4.new_code_cell("y", metadata={"tags": ["remove-cell"]})
    hidden.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<p>secret</p>"})]
    nb.cells = [shown, hidden]
    html = notebook_html_fragments(nb, tmp_path)
    assert "visible" in html and "secret" not in html
    assert 'src="figure-01.png"' in html and (tmp_path / "figure-01.png").read_bytes() == PNG
    assert "base64" not in html


def test_the_title_heading_is_left_out_when_it_is_the_title_pages():
    from evalutils.render.pdf import strip_title

    heading = "<h1>Tổng hợp &amp;\n kết quả</h1>"
    html = f"<style></style>{heading}<p><em>sub</em></p>{heading}"
    assert strip_title(html, "Tổng hợp & kết quả") == f"<style></style><p><em>sub</em></p>{heading}"  # the first
    other = "<h1>Another heading</h1><p>x</p>"
    assert strip_title(other, "Tổng hợp & kết quả") == other  # only the heading that repeats the title page's
