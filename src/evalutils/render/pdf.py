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

Things the HTML has that the PDF must not repeat or garble:

* the synthetic-data banner: the title page carries it (and the running footer a short marker), so the banners
  of the notebook's outputs (top and end of the report) are left out of the body (:func:`strip_banners`);
* the report's title: the title page carries it, so the header's heading that repeats it is left out of the body
  (:func:`strip_title`; the subtitle and data line stay, at the top of page 2);
* a letter with a combining mark that has no precomposed character (the sensitivity analysis' M̄, U+004D U+0304):
  Typst 0.15 maps both glyphs of such a cluster to the whole cluster in the PDF's text layer, so a reader who
  copies or searches the text gets "M̄M̄" (typst/typst#8767). The template sets each such pair as a math accent
  (:data:`_COMBINING_RULE`), whose glyphs map to the letter and the mark once each; the page looks the same.

A figure taller than a page is drawn :data:`MAX_FIGURE_HEIGHT_CM` tall at most; a figure that does not fit in the
room left on its page floats to the top of the next one while the text after it fills this page, unless that room
is less than a quarter of the page (:data:`_FLOAT_RULE`), so no page before the last is left more than a quarter
empty by a figure.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
import os
import re
import tempfile
import unicodedata
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from .. import __version__
from ..errors import ReportError
from ..i18n import t
from ..report.payload import RESULTS_MIME
from .export import unit_name
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

#: Text width of the A4 page (21 cm less 2 × 2 cm margins) and the tallest a figure may be drawn, so that it and its
#: caption fit on one page (29.7 cm less 2 × 2.2 cm margins, less room for the caption).
TEXT_WIDTH_CM = 17.0
MARGIN_Y_CM = 2.2
MAX_FIGURE_HEIGHT_CM = 21.0

_TEMPLATE = r"""
#set document(title: "{title}")
#set text(font: ("Libertinus Serif", "New Computer Modern"), size: 10.5pt, lang: "{lang}")
#set page(paper: "a4", margin: (x: 2cm, y: {margin_y}cm),
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
{float_rule}

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

#: A figure that does not fit in what is left of its page, when that is at least a quarter of the text's height,
#: floats to the top of the next page and the text after it fills the rest of this page (the forest plot of 63
#: provinces, 21 cm, after the key findings would otherwise leave half a page blank). Where the figure stands in
#: the flow is the marker put there just before it (the last one before the figure in the document's order;
#: ``here()`` inside a figure's show rule is the figure's own place, which moves with the float); a figure that
#: fits, or that leaves less than a quarter page, stays where it is.
_FLOAT_RULE = r"""#show figure.where(kind: image): it => {{
  [#metadata("figure") <evalutils-figure>]
  context {{
    let y = query(selector(<evalutils-figure>).before(here())).last().location().position().y
    let text-height = page.height - {margin_y}cm * 2
    let room = page.height - {margin_y}cm - y
    let tall = measure(it, width: {width}cm).height
    if tall > room and room > text-height / 4 {{ place(top, float: true, clearance: 1.5em, it) }} else {{ it }}
  }}
}}"""

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


#: A table whose rows hold more characters than this gets column widths from its text (:func:`set_column_widths`).
WIDE_TABLE_CHARS = 100
_TABLE = re.compile(r"(<table\b[^>]*>)(.*?)(</table>)", re.S)


class _Cells(HTMLParser):
    """The text of each cell of one table, row by row; ``spans`` when a cell spans columns or rows."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.spans = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
            self.spans |= any(k in ("colspan", "rowspan") for k, _ in attrs)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


#: A column whose cells hold more characters than this on average shares the width left by the others.
LONG_COLUMN_CHARS = 24


def _column_weights(rows: list[list[str]]) -> list[float | None] | None:
    """For each column, None (as wide as its text: short columns) or its weight in the width the short ones leave
    (columns of long text: the square root of their mean length, so that a column of long quotes gets the most
    room without starving the others); None for a table that fits without help, has ragged rows or no column of
    long text."""
    if not rows or len({len(r) for r in rows}) != 1 or len(rows[0]) < 2:
        return None
    cols = list(zip(*rows))
    if sum(max(len(c) for c in col) for col in cols) <= WIDE_TABLE_CHARS:
        return None
    weights: list[float | None] = []
    for col in cols:
        body = col[1:] or col
        mean = sum(len(c) for c in body) / len(body)
        weights.append(math.sqrt(mean) if mean > LONG_COLUMN_CHARS else None)
    return weights if any(w is not None for w in weights) else None


def set_column_widths(html: str) -> str:
    """Give each wide table (more than :data:`WIDE_TABLE_CHARS` characters a row at most) a ``<colgroup>``: short
    columns as wide as their text, columns of long text sharing the rest by their length. Left to itself, Typst
    squeezes a column of long quotes (the scorecard's "The plan's words") into a narrow strip many lines tall.
    pandoc writes the widths as percentages; :func:`_fractions` makes them Typst fractions (``fr``) of what the
    short columns leave."""
    def widen(m: re.Match) -> str:
        if "<colgroup" in m.group(2):
            return m.group(0)
        cells = _Cells()
        cells.feed(m.group(2))
        weights = None if cells.spans else _column_weights(cells.rows)
        if weights is None:
            return m.group(0)
        total = sum(w for w in weights if w is not None)
        cols = "".join("<col/>" if w is None else f'<col style="width: {100 * w / total:.1f}%"/>' for w in weights)
        return f"{m.group(1)}<colgroup>{cols}</colgroup>{m.group(2)}{m.group(3)}"

    return _TABLE.sub(widen, html)


def _fractions(body: str) -> str:
    """``columns: (auto, 40%, 60%)`` (from :func:`set_column_widths`) as ``columns: (auto, 40fr, 60fr)``."""
    def fr(m: re.Match) -> str:
        return re.sub(r"(\d+(?:\.\d+)?)%", r"\1fr", m.group(0))

    return re.sub(r"columns: \([^)]*%[^)]*\)", fr, body)


_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)


def strip_title(html: str, title: str) -> str:
    """``html`` without its first level-1 heading when that heading is ``title`` (the PDF's title page carries it;
    the report's header would otherwise print it again at the top of page 2)."""
    def flat(s: str) -> str:
        return " ".join(unicodedata.normalize("NFC", unescape(re.sub(r"<[^>]+>", " ", s))).split())

    m = _H1.search(html)
    if m and flat(m.group(1)) == flat(title):
        return html[:m.start()] + html[m.end():]
    return html


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


def notebook_typst(nb, figure_dir: Path, *, strip_banner: bool = True, title: str | None = None) -> str:
    """The Typst body of an executed notebook's visible outputs, as the PDF is compiled from it: banners left out
    (``strip_banner``), the heading that repeats the title page's ``title`` left out, wide tables' column widths,
    pandoc, combining marks in NFC, figures that fit a page."""
    html = notebook_html_fragments(nb, figure_dir)
    if strip_banner:
        html = strip_banners(html)
    if title:
        html = strip_title(html, title)
    return fit_figures(_fractions(typst_body(set_column_widths(html))), figure_dir)


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
        try:
            # the banner is on the title page, and a short marker in the footer of every page
            body = notebook_typst(nb, tmpdir, strip_banner=bool(banner), title=title)
        except (RuntimeError, OSError) as exc:
            raise ReportError(f"pandoc could not convert the report to Typst: {exc}", file=executed_notebook,
                              hint="check that pypandoc_binary is installed (it is in the package's dependencies)")
        preamble = _TEMPLATE.format(
            title=_typst_escape(title), subtitle=_typst_escape(subtitle), footer=_typst_escape(footer), lang=lang,
            combining=_COMBINING_RULE, margin_y=MARGIN_Y_CM,
            float_rule=_FLOAT_RULE.format(margin_y=MARGIN_Y_CM, width=TEXT_WIDTH_CM),
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
        # the unit's name in the report's language, as the header's heading (which the title page replaces) has it
        name = unit_name(str(p["unit"]), str(p.get("geography", "pre2025")), lang) if p.get("unit") else ""
        title = t("report_title", lang, province=name or p.get("name_vi", ""))
    subtitle = t("pdf_subtitle", lang)
    banner = t("synthetic_banner", lang) if p.get("synthetic", True) else None
    footer = f"evalutils {__version__}" + (" · " + t("pdf_footer_synthetic", lang) if p.get("synthetic", True) else "")
    return render_pdf(Path(executed_notebook), Path(pdf_path), title=title, subtitle=subtitle, footer=footer,
                      banner=banner, lang=lang)
