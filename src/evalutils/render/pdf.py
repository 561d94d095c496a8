"""PDF reports through the pip route: pandoc (``pypandoc_binary``) and Typst (``typst``), both from PyPI.

Why this route: nbconvert's LaTeX route needs a TeX installation and its WebPDF
route a Chromium download, neither of which a fresh machine has or may fetch;
pandoc and the Typst compiler ship as wheels, and Typst is also what Quarto's
own ``typst`` format uses, so the two routes agree.

The executed notebook's outputs (HTML fragments and PNG figures of cells not
tagged ``remove-cell``) are gathered into one plain HTML document, converted to
Typst by pandoc, wrapped in a template with a title page, page numbers and a
font that covers Vietnamese, and compiled. The PDF is written under a temporary
name and renamed into place. The compile date is fixed to the data vintage so
that the same inputs give the same PDF.

Two things the HTML has that the PDF must not repeat or garble:

* the synthetic-data banner: the title page carries it (and the running footer a short marker), so the banners
  of the notebook's outputs (top and end of the report) are left out of the body (:func:`strip_banners`);
* a letter with a combining mark that has no precomposed character (the sensitivity analysis' M̄, U+004D U+0304):
  Typst 0.15 maps both glyphs of such a cluster to the whole cluster in the PDF's text layer, so a reader who
  copies or searches the text gets "M̄M̄" (typst/typst#8767). The template sets each such pair as a math accent
  (:data:`_COMBINING_RULE`), whose glyphs map to the letter and the mark once each; the page looks the same.
"""

from __future__ import annotations

import base64
import datetime as _dt
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from .. import __version__
from ..errors import ReportError
from ..i18n import t
from ..report.payload import RESULTS_MIME
from .task import partial_name, scratch_prefix

HIDDEN_TAGS = {"remove-cell", "parameters", "injected-parameters"}
_DATA_URI = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=\s]+)"')
#: the synthetic-data banner of the HTML report (report/templates/banner.html.j2): one <div>, no nested <div>
_BANNER_DIV = re.compile(r'<div\b[^>]*\bclass="evalutils-synthetic"[^>]*>.*?</div>', re.S)

#: A Latin letter followed by a combining mark (after NFC, only pairs without a precomposed character are left),
#: set as a math accent on the upright letter: see the module docstring. ``codepoints().first()`` because a Typst
#: string's ``first()`` is the first grapheme cluster, i.e. the letter with its mark.
_COMBINING_RULE = (r'#show regex("\p{Latin}[\u{0300}-\u{036F}]"): it => box(math.equation(math.accent('
                   r'math.upright(it.text.codepoints().first()), it.text.codepoints().last())))')

_TEMPLATE = r"""
#set document(title: "{title}")
#set text(font: ("Libertinus Serif", "New Computer Modern"), size: 10.5pt, lang: "{lang}")
#set page(paper: "a4", margin: (x: 2cm, y: 2.2cm),
  numbering: "1 / 1",
  footer: context [#set text(size: 8pt, fill: gray); {footer} #h(1fr) #counter(page).display("1 / 1", both: true)])
#set par(justify: false, leading: 0.6em)
#set heading(numbering: none)
#show heading.where(level: 1): set text(size: 16pt)
#show heading.where(level: 2): set text(size: 13pt, fill: rgb("#1f4e79"))
#show figure.where(kind: table): set block(breakable: true)
#show table: set text(size: 8pt)
#show table: set par(justify: false)
#set table(stroke: 0.4pt + gray, inset: 4pt)
#show image: it => align(center, it)
{combining}

// title page
#page(numbering: none, footer: none)[
  #v(3cm)
  #text(size: 22pt, weight: "bold")[{title}]
  #v(0.8cm)
  #text(size: 12pt)[{subtitle}]
  #v(1.5cm)
  {banner}
  #v(1fr)
  #text(size: 9pt, fill: gray)[{footer}]
]
#counter(page).update(1)

"""

_BANNER = r"""#block(fill: rgb("#fff0f0"), stroke: 2pt + rgb("#b00020"), inset: 10pt, radius: 3pt, width: 100%)[
  #text(fill: rgb("#600010"), weight: "bold")[{text}]
]"""


def _typst_escape(text: str) -> str:
    """Escape text for Typst markup (title page strings come from parameters)."""
    out = []
    for ch in text:
        if ch in '\\#$*_`<>@[]"~/=-+':
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


#: Text width of the A4 page (21 cm less 2 × 2 cm margins) and the tallest a figure may be drawn, so that it and its
#: caption fit on one page (29.7 cm less 2 × 2.2 cm margins, less room for the caption).
TEXT_WIDTH_CM = 17.0
MAX_FIGURE_HEIGHT_CM = 21.0


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, from the PNG's IHDR chunk."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def fit_figures(body: str, figure_dir: Path) -> str:
    """Give each figure taller than a page, drawn at the text width, a height that fits (its width follows): a
    forest plot of 63 provinces would otherwise run past the page's foot and leave its caption on the next page."""
    def fit(m: re.Match) -> str:
        path = figure_dir / m.group(1)
        if not path.exists():
            return m.group(0)
        w, h = _png_size(path.read_bytes())
        if w and TEXT_WIDTH_CM * h / w > MAX_FIGURE_HEIGHT_CM:
            return f'image("{m.group(1)}", height: {MAX_FIGURE_HEIGHT_CM}cm'
        return m.group(0)

    return re.sub(r'image\("(figure-\d+\.png)"', fit, body)


def strip_banners(html: str) -> str:
    """``html`` without its synthetic-data banners (the PDF's title page and footer carry the notice)."""
    return _BANNER_DIV.sub("", html)


def typst_body(html: str) -> str:
    """The Typst markup of an HTML document (pandoc), in NFC: a letter and its mark are one character wherever
    Unicode has one, so :data:`_COMBINING_RULE` sees only the pairs that need it."""
    import pypandoc

    body = pypandoc.convert_text(html, "typst", format="html", extra_args=["--wrap=preserve"])
    return unicodedata.normalize("NFC", body)


def notebook_html_fragments(nb, figure_dir: Path) -> str:
    """One plain HTML document of the visible outputs; figures (PNG outputs and data-URI images
    inside HTML outputs) written to ``figure_dir`` and referred to by file name."""
    parts: list[str] = []
    figures: list[bytes] = []

    def save(png: bytes) -> str:
        figures.append(png)
        name = f"figure-{len(figures):02d}.png"
        (figure_dir / name).write_bytes(png)
        return name

    for cell in nb.cells:
        if cell.cell_type != "code" or HIDDEN_TAGS & set(cell.metadata.get("tags", [])):
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/html" in data:
                fragment = data["text/html"] if isinstance(data["text/html"], str) else "".join(data["text/html"])
                parts.append(_DATA_URI.sub(lambda m: f'src="{save(base64.b64decode(m.group(1)))}"', fragment))
            elif "image/png" in data:
                parts.append(f'<p><img src="{save(base64.b64decode(data["image/png"]))}"/></p>')
    return "<html><body>" + "\n".join(parts) + "</body></html>"


def render_pdf(executed_notebook: Path, pdf_path: Path, *, title: str, subtitle: str, footer: str,
               banner: str | None, lang: str, date: _dt.datetime | None = None) -> Path:
    """Render an executed report notebook to PDF (see the module docstring)."""
    import nbformat
    import typst

    nb = nbformat.read(executed_notebook, as_version=4)
    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    # named after this process, so that a run after a killed one removes what it left (task.clean_stale_scratch)
    with tempfile.TemporaryDirectory(prefix=scratch_prefix("pdf")) as tmp:
        tmpdir = Path(tmp)
        html = notebook_html_fragments(nb, tmpdir)
        if banner:  # on the title page, and a short marker in the footer of every page
            html = strip_banners(html)
        try:
            body = fit_figures(typst_body(html), tmpdir)
        except (RuntimeError, OSError) as exc:
            raise ReportError(f"pandoc could not convert the report to Typst: {exc}", file=executed_notebook,
                              hint="check that pypandoc_binary is installed (it is in the package's dependencies)")
        preamble = _TEMPLATE.format(
            title=_typst_escape(title), subtitle=_typst_escape(subtitle), footer=_typst_escape(footer), lang=lang,
            combining=_COMBINING_RULE,
            banner=_BANNER.format(text=_typst_escape(banner)) if banner else "")
        source = tmpdir / "report.typ"
        source.write_text(preamble + body, encoding="utf-8")
        tmp_pdf = partial_name(pdf_path)
        try:
            typst.compile(str(source), output=str(tmp_pdf), root=str(tmpdir),
                          timestamp=int((date or _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)).timestamp()))
        except Exception as exc:  # noqa: BLE001 - typst raises its own error type
            if tmp_pdf.exists():
                tmp_pdf.unlink()
            raise ReportError(f"Typst could not compile the report: {str(exc)[:500]}", file=executed_notebook,
                              hint="the Typst source is rebuilt on every run; report this as a bug") from None
        os.replace(tmp_pdf, pdf_path)
    return pdf_path


def _payload(nb) -> dict:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if RESULTS_MIME in out.get("data", {}):
                return dict(out["data"][RESULTS_MIME])
    return {}


def render_report_pdf(executed_notebook: Path, pdf_path: Path) -> Path:
    """PDF of an executed province or national notebook; title page from its results payload."""
    import nbformat

    nb = nbformat.read(executed_notebook, as_version=4)
    p = _payload(nb)
    lang = p.get("lang", "en")
    if p.get("unit") == "national":
        title = t("national_title", lang)
    else:
        title = t("report_title", lang, province=p.get("name_vi", ""))
    subtitle = t("pdf_subtitle", lang)
    banner = t("synthetic_banner", lang) if p.get("synthetic", True) else None
    footer = f"evalutils {__version__}" + (" · " + t("pdf_footer_synthetic", lang) if p.get("synthetic", True) else "")
    return render_pdf(Path(executed_notebook), Path(pdf_path), title=title, subtitle=subtitle, footer=footer,
                      banner=banner, lang=lang)
