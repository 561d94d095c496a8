"""Helpers shared by the reliability tests: small data directories, reading executed reports, scans."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd

from evalutils.panel.demo import DemoData, generate_demo
from evalutils.atomic import atomic_write_csv, atomic_write_text
from evalutils.panel.io import DataPaths, write_panel_partitioned
from evalutils.report.payload import RESULTS_MIME

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")


def write_data_dir(root: Path, demo: DemoData) -> Path:
    """Write ``demo`` (possibly modified) as a data directory, with the io helpers."""
    paths = DataPaths(root)
    root.mkdir(parents=True, exist_ok=True)
    write_panel_partitioned(demo.panel, paths.panel)
    atomic_write_csv(demo.participation, paths.participation)
    atomic_write_csv(demo.monitoring, paths.monitoring)
    atomic_write_csv(demo.deflators, paths.deflators)
    atomic_write_text(paths.manifest, json.dumps(demo.manifest, indent=2, sort_keys=True, ensure_ascii=False))
    return root


def small_demo(modify: Callable[[DemoData], None] | None = None) -> DemoData:
    """The small demo the end-to-end tests use (scale 0.2, seed 11), optionally modified in place."""
    demo = generate_demo(scale=0.2, seed=11)
    if modify is not None:
        modify(demo)
    return demo


def copy_params(dest: Path, slugs: list[str]) -> Path:
    """A params directory with defaults.yml, sources.yml and the given provinces' files."""
    (dest / "provinces").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "params" / "defaults.yml", dest / "defaults.yml")
    shutil.copy(ROOT / "params" / "sources.yml", dest / "sources.yml")  # the documents the plans cite
    for slug in slugs:
        shutil.copy(ROOT / "params" / "provinces" / f"{slug}.yml", dest / "provinces" / f"{slug}.yml")
    return dest


# ------------------------------------------------------------------ reading what a run produced

def results_payload(executed_notebook: Path) -> dict:
    """The machine-readable results (mime type RESULTS_MIME) of an executed notebook."""
    nb = nbformat.read(executed_notebook, as_version=4)
    found = [out["data"][RESULTS_MIME] for cell in nb.cells if cell.cell_type == "code"
             for out in cell.get("outputs", []) if RESULTS_MIME in out.get("data", {})]
    assert len(found) == 1, f"expected one results payload, found {len(found)}"
    return found[0]


def embedded_pngs(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', html)]


class _Elements(HTMLParser):
    """Collects every element (tag, attributes) and the text of script elements and of the body."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in.append(tag)
            if tag == "script":
                self.scripts.append("")

    def handle_endtag(self, tag):
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        if self._in and self._in[-1] == "script":
            self.scripts[-1] += data
        elif not self._in:
            self.text.append(data)


def parse_html(html: str) -> _Elements:
    p = _Elements()
    p.feed(html)
    p.close()
    return p


def visible_text(html: str) -> str:
    """The report's text as a reader sees it (entities decoded, whitespace collapsed)."""
    return re.sub(r"\s+", " ", " ".join(parse_html(html).text))


def chromium_dom(html_file: Path, profile: Path) -> str:
    """The DOM after a headless Chromium loaded the file and ran its scripts."""
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", "--virtual-time-budget=3000", "--dump-dom", html_file.as_uri()]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "<html" in out.stdout, out.stderr[-2000:]
    return out.stdout


# ------------------------------------------------------------------ what may never be published

def publishing_problems(html: str, *, k: int, lang: str, forbidden_paths: list[Path | str] = (),
                        counts: bool = True) -> list[str]:
    """Problems of a rendered report: machine paths, tracebacks, firm ids, cells below ``k`` firms
    (counts of firms in the text and in firm-count tables; skipped with ``counts=False``)."""
    from evalutils.i18n import t

    problems = []
    text = visible_text(html)
    for p in [*forbidden_paths, Path.home(), ROOT]:
        if str(p) in html:
            problems.append(f"absolute path {p} in the report")
    for m in re.finditer(r"(?<![\w/.])/(?:home|root|tmp|work|Users|var|private)/[\w.\-/]+", text):
        problems.append(f"absolute path {m.group(0)!r} in the report text")
    for word in ("Traceback (most recent call last)", "Error Traceback", 'File "/', "ipykernel_", "site-packages"):
        if word in html:
            problems.append(f"traceback text {word!r} in the report")
    for m in re.finditer(r"DN\d{7}", html):
        problems.append(f"firm id {m.group(0)} in the report")
    if not counts:
        return problems
    # counts of firms written in the text: "9 supported firms", "148 firms", "12 doanh nghiệp"
    # targets speak of enterprises too ("at least 2 enterprises a year"): leave the scorecard out
    text = visible_text(re.sub(r'<table class="evalutils-scorecard".*?</table>', "", html, flags=re.S))
    unit = r"(?:supported\s+)?firms?\b" if lang == "en" else r"doanh\s+nghiệp"
    counts = [*re.finditer(rf"(?<![<\d.,])(\d[\d.,]*)\s+{unit}", text),
              *re.finditer(r"(?:firms|doanh nghiệp) (?:among|in all|trong) (\d[\d.,]*)", text)]
    for m in counts:
        n = int(re.sub(r"[.,]", "", m.group(1)))
        if 0 < n < k:
            problems.append(f"a count of {n} firms (< {k}) in the text: {text[max(0, m.start() - 60):m.end()]!r}")
    # tables of firm counts: every count is 0, at least k, or shown as suppressed ("<k")
    for table in re.findall(r"<table.*?</table>", html, flags=re.S):
        heads = [visible_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, flags=re.S)]
        count_cols = [i for i, h in enumerate(heads) if h.strip() in (t("col_firms", lang),)]
        if t("col_support_type", lang) in [h.strip() for h in heads]:
            count_cols = list(range(1, len(heads)))
        if not count_cols:
            continue
        for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
            cells = [visible_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
            for i in count_cols:
                if i < len(cells) and re.fullmatch(r"[\d.,]+", cells[i]):
                    n = int(re.sub(r"[.,]", "", cells[i]))
                    if 0 < n < k:
                        problems.append(f"table cell of {n} firms (< {k}) under {heads[i]!r}: {cells}")
    return problems


def read_k() -> int:
    from evalutils.panel.params import load_defaults

    return load_defaults(ROOT / "params" / "defaults.yml").disclosure.min_firms_per_cell


def firm_ids(panel: pd.DataFrame) -> set[str]:
    return set(panel["firm_id"].astype(str))


def _tables(html: str) -> list[tuple[list[str], list[list[str]]]]:
    out = []
    for table in re.findall(r"<table.*?</table>", html, flags=re.S):
        heads = [visible_text(h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table, flags=re.S)]
        rows = [[visible_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
                for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)]
        out.append((heads, [r for r in rows if r]))
    return out


def _num(cell: str) -> float | None:
    cell = cell.replace("%", "").replace("\u2009", "").strip()
    if not re.fullmatch(r"[\d.,]+", cell):
        return None
    return float(cell.replace(",", "")) if "." in cell or cell.count(",") != 1 else float(cell.replace(",", "."))


def recoverable_suppressed_cells(html: str, *, k: int, lang: str) -> list[str]:
    """Suppressed cells ("<k") that a reader can recover by subtraction (no complementary suppression).

    * support table (type of support × start year, with a row total): the suppressed cells of a row are
      exactly known when there is one of them, or when the remainder forces them all to 1 or all to k − 1;
    * landscape table (firms and employment share by sector, size, ownership): the employment shares of a
      dimension add up to 100%, so a dimension with exactly one suppressed group gives that group's share.
    """
    from evalutils.i18n import t

    sup = f"<{k}"
    found = []
    for heads, rows in _tables(html):
        if heads and heads[0] == t("col_support_type", lang) and heads[-1] == t("col_total", lang):
            for r in rows:
                total = _num(r[-1])
                cells = r[1:-1]
                m = sum(c == sup for c in cells)
                if total is None or m == 0:
                    continue
                rest = total - sum(_num(c) or 0 for c in cells if c != sup)
                if m == 1 or rest == m or rest == m * (k - 1):
                    found.append(f"support table, {r[0]}: {m} suppressed cell(s) sum to {rest:g} of {total:g}")
        if t("col_emp_share", lang) in heads and t("col_dimension", lang) in heads:
            i_dim, i_share = heads.index(t("col_dimension", lang)), heads.index(t("col_emp_share", lang))
            by_dim: dict[str, list[list[str]]] = {}
            for r in rows:
                by_dim.setdefault(r[i_dim], []).append(r)
            for dim, rs in by_dim.items():
                hidden = [r for r in rs if not r[i_share].endswith("%")]  # any suppression mark hides the share
                if len(hidden) == 1 and len(rs) > 1:
                    found.append(f"landscape table, {dim}: the one suppressed group ({hidden[0][1]}) has the "
                                 "employment share 100% minus the others")
    return found
