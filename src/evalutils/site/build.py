"""Build the website into ``reports/site/``: everything a static host (or a browser from ``file://``) needs.

::

    site/index.html                 opens the Vietnamese pages
    site/vi/index.html …            home, overview (table + tile map), methods, figure map, search: per language
    site/vi/bac-lieu.html           each built report, with a navigation bar (home, other language,
    site/vi/units-2025/… .pdf       previous/next province, search, its data); PDFs beside
    site/data/vi/bac-lieu.json      each report's results payload (what the report displayed)
    site/data/vi/bac-lieu-<id>.csv  the data of each figure and table of the report, linked right under it
    site/data/overview-pre2025.csv  the overview table behind each geography
    site/assets/                    stylesheet, scripts, search index (no file from another host)

The reports under ``reports/<lang>/`` are left as the runner wrote them; the site holds copies with the full
navigation (it depends on which reports exist, which only the site build knows). ``publish`` copies this folder.
Files a build wrote and the next build no longer writes are removed (listed in ``site/.evalutils-site.json``);
nothing else in the folder is touched. A build holds the reports' run lock (the one ``evalutils run`` holds), so it
never copies half of a set of reports a run is writing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..atomic import atomic_write, atomic_write_text
from ..errors import ReportError
from ..provenance import code_hash
from ..geography import provinces, units_2025
from ..render.manifest import LOCK_NAME, RunManifest, run_lock
from ..render.task import DEFAULT_NOTEBOOK, NATIONAL, NATIONAL_NOTEBOOK, report_cache_dir
from . import search
from .api import place_api_docs
from .figures import figure_rows, notebook_label
from .markers import SITE_KIND, SITE_MARKER, read_marker, remove_stale
from ..report.formatting import pct_effect, pct_interval
from .model import (GEOGRAPHIES, Unit, collect_units, effect_method, effect_of, mde_of, neighbours, rel,
                    targets_of)
from .strings import LANGS, STRINGS, s
from .tiles import TILES

PAGES = ("index.html", "overview.html", "methods.html", "figures.html", "search.html")
_PKG = Path(__file__).resolve().parent
_NAV_BLOCK = re.compile(r"<!--evalutils:nav-->.*?<!--/evalutils:nav-->", re.S)
_BODY = re.compile(r"<body\b[^>]*>", re.I)
_HTML_TAG = re.compile(r"<html\b[^>]*>", re.I)
_TITLE = re.compile(r"<title>.*?</title>", re.S | re.I)
#: a figure or table the report marked with the id of its data (report/exhibits.py)
_EXHIBIT = re.compile(r'<(table|figure)\b[^>]*\bdata-evalutils-exhibit="([a-z0-9-]+)"[^>]*>', re.I)
_EXHIBIT_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,80}")


def _env() -> Environment:
    return Environment(loader=FileSystemLoader(str(_PKG / "templates")), autoescape=select_autoescape(["j2"]),
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _pct(x, lang: str) -> str:
    """An effect in log points as the reports print it: the percent change 100 (e^x - 1), decimal comma in
    Vietnamese, minus sign U+2212 (the overview CSV keeps the log points)."""
    return "–" if x is None or (isinstance(x, float) and not math.isfinite(x)) else pct_effect(float(x), lang)


def _interval_text(eff: dict, lang: str) -> str:
    # the interval as the national synthesis prints it (";" between its ends in Vietnamese: "," is the decimal mark)
    interval = pct_interval(eff.get("conf_low"), eff.get("conf_high"), lang, missing="–")
    return f"{_pct(eff.get('estimate'), lang)} {interval}"


# ------------------------------------------------------------------ rows of the tables

def _row(unit: Unit, lang: str, page: str) -> dict:
    res = unit.headline(lang)
    eff = effect_of(res)
    tg = targets_of(res)
    mde = mde_of(res)
    sup = (res or {}).get("n_supported")
    report = unit.reports.get(lang)
    other = "en" if lang == "vi" else "vi"
    other_report = unit.reports.get(other) if not report else None
    reasons = (res or {}).get("reasons") or {}
    missing = (res or {}).get("effect_unavailable") or "; ".join(dict.fromkeys(str(v) for v in reasons.values()))
    return {
        "key": unit.key, "name": unit.name(lang), "order": unit.order,
        "fold": search.fold(f"{unit.name('vi')} {unit.name('en')} {unit.slug}"),
        "effect": {"estimate": eff.get("estimate"), "text": _interval_text(eff, lang)} if eff else None,
        "effect_missing": (missing or s("not_estimated", lang)) if res else "–",
        "method": effect_method(res, lang) if eff else "",
        # a province whose plans set no target has nothing to attain: "–", not "0 / 0"
        "targets_text": "–" if not tg or not tg[1] else f"{tg[0]} / {tg[1]}",
        "attain": (tg[0] / tg[1]) if tg and tg[1] else None,
        "attain_sort": "" if not tg or not tg[1] else f"{tg[0] / tg[1]:.6f}",
        "mde_text": _pct(mde, lang), "mde_sort": "" if mde is None else f"{mde:.6f}", "mde": mde,
        "supported": sup, "supported_text": "–" if sup is None else str(sup),
        "supported_sort": "" if sup is None else str(sup),
        "n_units": (res or {}).get("n_units_estimated", "–"),
        "href": rel(page, report.html) if report else None,
        "pdf": rel(page, report.pdf) if report and report.pdf else None,
        "json": rel(page, report.data) if report and unit.results.get(lang) else None,
        "other_href": rel(page, other_report.html) if other_report else None,
    }


def _synthesis(rows: list[dict], units: list[Unit], lang: str) -> str:
    with_res = [u.headline(lang) for u in units if u.headline(lang)]
    total = sum(int(r.get("n_targets") or 0) for r in with_res)
    met = sum(int((r.get("target_status_counts") or {}).get("met", 0)) for r in with_res)
    effects = [r["effect"] for r in with_res if r.get("effect")]
    pos = sum(1 for e in effects if e.get("conf_low") is not None and e["conf_low"] > 0)
    neg = sum(1 for e in effects if e.get("conf_high") is not None and e["conf_high"] < 0)
    return s("synthesis", lang, n=len(with_res), met=met, total=total, k=len(effects), pos=pos, neg=neg,
             zero=len(effects) - pos - neg)


def _effect_label(units: list[Unit], lang: str) -> str:
    outcomes = sorted({str((u.headline(lang) or {}).get("outcome")) for u in units
                       if (u.headline(lang) or {}).get("outcome")})
    # the outcome named in words (a variable name means nothing to an official); an unknown one as it is
    named = [s(f"outcome_{o}", lang) if f"outcome_{o}" in STRINGS else o for o in outcomes]
    return s("effect_on", lang, outcome=", ".join(named)) if outcomes else s("effect", lang)


def _indicators(lang: str, has_mde: bool) -> list[dict]:
    out = [{"key": "attain", "label": s("attainment", lang)}, {"key": "effect", "label": s("effect", lang)},
           {"key": "supported", "label": s("supported", lang)}]
    if has_mde:
        out.append({"key": "mde", "label": s("mde", lang)})
    return out


def _bins(values: list[float | None], n: int = 5) -> tuple[list[int], list[tuple[float, float]]]:
    """Equal-width classes 1..n over the observed range (0 = no value) and each class's bounds."""
    vals = [v for v in values if v is not None]
    if not vals:
        return [0] * len(values), []
    lo, hi = min(vals), max(vals)
    width = (hi - lo) / n if hi > lo else 1.0
    bounds = [(lo + i * width, lo + (i + 1) * width) for i in range(n)] if hi > lo else [(lo, hi)]
    out = []
    for v in values:
        if v is None:
            out.append(0)
        elif hi == lo:
            out.append(3)
        else:
            out.append(min(n, int((v - lo) / width) + 1))
    return out, bounds


def _fmt(key: str, v: float | None, lang: str) -> str:
    if v is None:
        return "–"
    if key == "attain":
        return f"{100 * v:.0f}%"
    if key == "supported":
        return f"{v:.0f}"
    return _pct(v, lang)  # effect, minimum detectable effect: percent changes as in the reports


def _geo_group(geo: str, units: list[Unit], lang: str, page: str) -> dict:
    rows = [_row(u, lang, page) for u in units]
    has_mde = any(r["mde"] is not None for r in rows)
    tiles_at = TILES[geo]
    by_slug = {u.slug: (u, r) for u, r in zip(units, rows)}
    table = provinces() if geo == "pre2025" else units_2025()
    values = {"attain": [], "effect": [], "supported": [], "mde": []}
    slugs = [slug for slug in table["slug"] if slug in tiles_at]
    for slug in slugs:
        r = by_slug.get(slug, (None, None))[1]
        values["attain"].append(r["attain"] if r and r["href"] else None)
        values["effect"].append(r["effect"]["estimate"] if r and r["href"] and r["effect"] else None)
        values["supported"].append(float(r["supported"]) if r and r["href"] and r["supported"] is not None else None)
        values["mde"].append(r["mde"] if r and r["href"] else None)
    bins, legends = {}, {}
    for key, vals in values.items():
        bins[key], bounds = _bins(vals)
        legends[key] = [{"bin": i + 1, "text": f"{_fmt(key, lo, lang)} – {_fmt(key, hi, lang)}"} for i, (lo, hi) in
                        enumerate(bounds)] if len(bounds) > 1 else (
            [{"bin": 3, "text": _fmt(key, bounds[0][0], lang)}] if bounds else [])
        legends[key].append({"bin": 0, "text": s("no_value", lang)})
    tiles = []
    for i, slug in enumerate(slugs):
        unit, r = by_slug.get(slug, (None, None))
        name = unit.name(lang) if unit else _name(table, slug, lang)
        row, col = tiles_at[slug]
        vals = {k: _fmt(k, values[k][i], lang) for k in values}
        tiles.append({"name": name, "row": row + 1, "col": col + 1, "href": r["href"] if r else None,
                      "bins": {k: bins[k][i] for k in values}, "vals": vals,
                      "label": f"{name}: {vals['attain']}"})
    return {"geography": geo, "heading": s(f"geo_{geo}", lang), "rows": rows, "has_mde": has_mde,
            "effect_label": _effect_label(units, lang), "synthesis": _synthesis(rows, units, lang),
            "tiles": tiles, "legends": legends, "map_cols": max(c for _, c in tiles_at.values()) + 1,
            "csv": rel(page, f"data/overview-{geo}.csv")}


def _name(table, slug: str, lang: str) -> str:
    row = table[table["slug"] == slug]
    return str(row.iloc[0]["name_vi" if lang == "vi" else "name_en"]) if not row.empty else slug


# ------------------------------------------------------------------ pages

def _common(lang: str, page: str, title: str, synthetic: bool) -> dict:
    other = "en" if lang == "vi" else "vi"
    return {"lang": lang, "other": other, "page": page, "title": f"{title} — {s('site_title', lang)}",
            "root": "../", "switch_href": f"../{other}/{page}", "synthetic": synthetic,
            "s": lambda key, **kw: s(key, lang, **kw)}


def _figures_context(lang: str, maps: list[dict]) -> dict:
    if lang == "vi":
        intro = Markup("<p>Lập tự động từ mã nguồn của các notebook: mỗi lời gọi <code>report.&lt;hàm&gt;</code> "
                       "hoặc <code>national.&lt;hàm&gt;</code> trong một ô mã, theo thứ tự báo cáo hiển thị. "
                       "Loại được đọc từ tên hàm (<code>*_figure</code>: hình; <code>*_html</code>: một phần "
                       "gồm chữ và bảng; <code>*_table</code>: bảng). Tên hàm và mô tả giữ nguyên tiếng Anh của "
                       "mã nguồn.</p>")
        headers = ["Mục", "Loại", "Hàm", "Định nghĩa tại", "Ô notebook", "Chức năng (tiếng Anh)"]
        cell_word, hidden_word = "ô", "không hiển thị trong báo cáo"
    else:
        intro = Markup("<p>Generated from the notebooks' source: every call of a <code>report.&lt;function&gt;"
                       "</code> or <code>national.&lt;function&gt;</code> in a code cell, in the order the report "
                       "shows them. The kind is read from the function's name (<code>*_figure</code>: a figure; "
                       "<code>*_html</code>: a section of text and tables; <code>*_table</code>: a table).</p>")
        headers = ["Item", "Kind", "Function", "Defined at", "Notebook cell", "What it does"]
        cell_word, hidden_word = "cell", "not shown in the report"
    return {"intro": intro, "headers": headers, "cell_word": cell_word, "hidden_word": hidden_word,
            "notebooks": maps}


def render_pages(units: list[Unit], *, notebooks: list[Path] | None = None) -> dict[str, str]:
    """Site path -> HTML of every site page (both languages) and the root page."""
    env = _env()
    notebooks = notebooks or [p for p in (DEFAULT_NOTEBOOK, NATIONAL_NOTEBOOK) if p.exists()]
    synthetic = any(bool(r.get("synthetic")) for u in units for r in u.results.values())
    out: dict[str, str] = {}
    maps = [{"label": notebook_label(nb), "rows": figure_rows(nb)} for nb in notebooks]
    figures_rows = {lang: _figures_context(lang, maps) for lang in LANGS}
    for lang in LANGS:
        def page_path(p: str) -> str:
            return f"{lang}/{p}"
        national = next((u for u in units if u.geography == NATIONAL), None)
        for page in PAGES:
            ctx = _common(lang, page, s({"index.html": "index_title", "overview.html": "overview",
                                         "methods.html": "methods_title", "figures.html": "figures_title",
                                         "search.html": "search_title"}[page], lang), synthetic)
            if page in ("index.html", "overview.html"):
                ctx["groups"] = [_geo_group(g, [u for u in units if u.geography == g], lang, page_path(page))
                                 for g in GEOGRAPHIES if any(u.geography == g for u in units)]
                ctx["national"] = _row(national, lang, page_path(page)) if national else None
                ctx["indicators"] = _indicators(lang, any(gr["has_mde"] for gr in ctx["groups"]))
            if page == "figures.html":
                ctx.update(figures_rows[lang])
            if page == "index.html":
                ctx["title"] = s("site_title", lang)
            out[page_path(page)] = env.get_template(page.replace(".html", ".html.j2")).render(**ctx)
    out["index.html"] = env.get_template("root.html.j2").render(title=s("site_title", "vi"),
                                                                 redirect=s("redirect", "vi"))
    return out


def report_with_nav(document: str, unit: Unit, lang: str, units: list[Unit], env: Environment) -> str:
    """The report's HTML with the site's navigation bar, its language and its title."""
    report = unit.reports[lang]
    page = report.html
    other = "en" if lang == "vi" else "vi"
    prev, nxt = neighbours(units, unit, lang)
    nav = env.get_template("report_nav.html.j2").render(
        s=lambda key, **kw: s(key, lang, **kw), other=other,
        index=rel(page, f"{lang}/index.html"), overview=rel(page, f"{lang}/overview.html"),
        search=rel(page, f"{lang}/search.html"),
        other_href=rel(page, unit.reports[other].html) if other in unit.reports else None,
        prev={"href": rel(page, prev.reports[lang].html), "name": prev.name(lang)} if prev else None,
        next={"href": rel(page, nxt.reports[lang].html), "name": nxt.name(lang)} if nxt else None,
        json=rel(page, report.data) if unit.results.get(lang) else None,
        tables=[{"href": rel(page, report.table(name)), "name": name}
                for name in report_tables(unit.results.get(lang) or {})]).strip()
    style = Markup('<link rel="stylesheet" href="{}">').format(rel(page, "assets/report-nav.css"))
    if _NAV_BLOCK.search(document):
        document = _NAV_BLOCK.sub(lambda m: nav, document, count=1)
    else:
        m = _BODY.search(document)
        document = (document[:m.end()] + "\n" + nav + document[m.end():]) if m else nav + document
    document = link_exhibits(document, {
        e["id"]: {"csv": rel(page, report.table(e["id"])), "caption": e["caption"]}
        for e in exhibits_of(unit.results.get(lang) or {})},
        json_href=rel(page, report.data) if unit.results.get(lang) else None, lang=lang, env=env)
    document = document.replace("</head>", str(style) + "\n</head>", 1)
    html_tag = Markup('<html lang="{}">').format(lang)
    title = Markup("<title>{}</title>").format(report.title)
    document = _HTML_TAG.sub(lambda m: str(html_tag), document, count=1)
    return _TITLE.sub(lambda m: str(title), document, count=1)


# ------------------------------------------------------------------ data

OVERVIEW_COLUMNS = ("geography", "slug", "name_vi", "name_en", "targets_met", "targets_total", "effect_estimate",
                    "effect_conf_low", "effect_conf_high", "effect_estimator", "mde", "n_supported",
                    "report_vi", "report_en")


def overview_csv(units: list[Unit], geo: str) -> str:
    """The overview table of one geography: the numbers the overview page shows, nothing else."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(OVERVIEW_COLUMNS)
    for u in (u for u in units if u.geography == geo):
        res = u.headline("en")
        eff = effect_of(res) or {}
        tg = targets_of(res)
        w.writerow([geo, u.slug, u.name("vi"), u.name("en"), tg[0] if tg else "", tg[1] if tg else "",
                    _csvnum(eff.get("estimate")), _csvnum(eff.get("conf_low")), _csvnum(eff.get("conf_high")),
                    effect_method(res, "en") if eff else "", _csvnum(mde_of(res)), (res or {}).get("n_supported", ""),
                    u.reports["vi"].html if "vi" in u.reports else "", u.reports["en"].html if "en" in u.reports
                    else ""])
    return buf.getvalue()


TABLE_COLUMNS = {"targets": ("province", "target_id", "status", "observed"),
                 "effects": ("estimator", "estimate", "std_error", "conf_low", "conf_high", "p_value")}


def report_tables(results: dict) -> dict[str, str]:
    """The report's scorecard and effect estimates as CSV, from its results payload (what the report shows)."""
    out = {}
    targets = results.get("targets") or []
    if targets:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(TABLE_COLUMNS["targets"])
        for t in targets:
            w.writerow([t.get("province", ""), t.get("target_id", ""), t.get("status", ""),
                        _csvnum(t.get("observed"))])
        out["targets"] = buf.getvalue()
    effects = results.get("effects") or {}
    if effects:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(TABLE_COLUMNS["effects"])
        for name, e in effects.items():
            if isinstance(e, dict):
                w.writerow([name, *(_csvnum(e.get(k)) for k in TABLE_COLUMNS["effects"][1:])])
        out["effects"] = buf.getvalue()
    return out


def _csvnum(x) -> str:
    return "" if x is None or (isinstance(x, float) and not math.isfinite(x)) else repr(float(x))


def exhibits_of(results: dict) -> list[dict]:
    """The figures' and tables' data a report's payload carries (report/exhibits.py), those with a usable id
    (it becomes part of a file name) and the same number of cells in every row as it has columns."""
    out = []
    for e in results.get("exhibits") or []:
        if (isinstance(e, dict) and isinstance(e.get("id"), str) and _EXHIBIT_ID.fullmatch(e["id"])
                and e["id"] not in TABLE_COLUMNS and isinstance(e.get("columns"), list)
                and isinstance(e.get("rows"), list)
                and all(isinstance(r, list) and len(r) == len(e["columns"]) for r in e["rows"])):
            out.append(e)
    return out


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def exhibit_csv(exhibit: dict) -> str:
    """One figure's or table's data as CSV: its columns, then its rows (a table's cells as the page prints them,
    a figure's numbers as drawn; an empty cell is a value disclosure control or the data left out)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([str(c) for c in exhibit["columns"]])
    for r in exhibit["rows"]:
        w.writerow([_cell(v) for v in r])
    return buf.getvalue()


def link_exhibits(document: str, links: dict[str, dict], *, json_href: str | None, lang: str,
                  env: Environment) -> str:
    """Under each figure and table the report marked, a link to its data as CSV (and to the report's results
    as JSON); an element whose data the site does not have gets no link."""
    template = env.get_template("exhibit_links.html.j2")
    out, pos = [], 0
    for m in _EXHIBIT.finditer(document):
        if m.group(2) not in links:
            continue
        close = document.find(f"</{m.group(1).lower()}>", m.end())
        if close < 0:
            continue
        end = close + len(m.group(1)) + 3
        link = links[m.group(2)]
        out += [document[pos:end], "\n", template.render(id=m.group(2), csv=link["csv"], caption=link["caption"],
                                                          json=json_href, s=lambda key, **kw: s(key, lang, **kw)).strip()]
        pos = end
    out.append(document[pos:])
    return "".join(out)


# ------------------------------------------------------------------ what the last build wrote

class _ReportMemo:
    """What the last site build wrote for each report, in ``<reports>/.cache/site-reports.json``: a key (the code,
    the site's frame of units, names and report paths, the report's HTML bytes, its results payload and its PDF's
    size and time), the report's search-index entry and its files with their sizes and modification times. A
    report whose key is unchanged and whose files are as they were written is not rebuilt (its navigation, search
    entry, JSON and CSVs): a target change rebuilds 4 of 128 reports, and the site follows in well under a second.
    A damaged memo, or a file changed since, only means the report's pages are written again."""

    def __init__(self, reports_dir: Path, units: list[Unit]) -> None:
        self.path = report_cache_dir(reports_dir) / "site-reports.json"
        self.reports_dir = reports_dir
        try:
            old = json.loads(self.path.read_text(encoding="utf-8"))
            self.old = old if isinstance(old, dict) else {}
        except (OSError, ValueError):
            self.old = {}
        self.new: dict[str, dict] = {}
        frame = [[u.geography, u.slug, u.order, u.name("vi"), u.name("en"),
                  {lang: [r.html, r.pdf, r.title] for lang, r in sorted(u.reports.items())}] for u in units]
        self.frame = hashlib.sha256(f"{code_hash()}{json.dumps(frame, sort_keys=True)}".encode()).hexdigest()

    def key(self, unit: Unit, lang: str, raw: bytes) -> str:
        """What the report's pages are made from: the site's frame, the HTML's bytes, the results, the PDF."""
        report = unit.reports[lang]
        h = hashlib.sha256(self.frame.encode())
        h.update(hashlib.sha256(raw).digest())
        h.update(json.dumps(unit.results.get(lang), sort_keys=True, default=str).encode())
        if report.pdf:
            st = (self.reports_dir / report.pdf).stat()
            h.update(f"{st.st_size}:{st.st_mtime_ns}".encode())
        return h.hexdigest()

    @staticmethod
    def _stamp(path: Path) -> list[int]:
        st = path.stat()
        return [st.st_size, st.st_mtime_ns]

    def unchanged(self, site: Path, html: str, key: str) -> tuple[dict, list[str]] | None:
        old = self.old.get(html)
        try:
            if (not isinstance(old, dict) or old.get("key") != key
                    or any(self._stamp(site / f) != stamp for f, stamp in old["files"].items())):
                return None
            entry, files = old["entry"], list(old["files"])
        except (OSError, KeyError, TypeError, AttributeError):
            return None
        self.new[html] = old
        return entry, files

    def record(self, site: Path, html: str, key: str, entry: dict, files: list[str]) -> None:
        self.new[html] = {"key": key, "entry": entry, "files": {f: self._stamp(site / f) for f in files}}

    def save(self) -> None:
        try:
            # keys in their order: the search index is written from the entries as they are
            atomic_write_text(self.path, json.dumps(self.new, ensure_ascii=False))
        except OSError:  # a read-only cache: the next build writes every report's pages again
            pass


# ------------------------------------------------------------------ writing

def _write_text(path: Path, text: str) -> None:
    """Write ``text`` atomically, unless the file already holds it: renaming over an existing file makes the
    file system flush it to disk (ext4), milliseconds per file, and a rebuild leaves most files as they were.
    A CSV starts with a byte-order mark: Excel, which most readers will open it with, otherwise takes UTF-8 for the
    Windows code page and garbles every Vietnamese letter."""
    if path.suffix == ".csv" and not text.startswith("\ufeff"):
        text = "\ufeff" + text
    try:
        if path.stat().st_size == len(text.encode("utf-8")) and path.read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    atomic_write_text(path, text)


def _place_copy(src: Path, dest: Path, *, link: bool = False) -> None:
    """``dest`` becomes a copy of ``src`` (written under a temporary name, then renamed: ``evalutils.atomic``);
    with ``link``, a hard link when possible (the PDFs: large, and the runner replaces them by renaming, never in
    place, so the two names never diverge by an edit)."""
    if link and dest.exists() and os.path.samefile(src, dest):
        return

    def place(tmp: Path) -> None:
        try:
            if not link:
                raise OSError
            os.link(src, tmp)
        except OSError:
            shutil.copy2(src, tmp)
    atomic_write(dest, place)


def _earlier(site: Path) -> list[str]:
    return read_marker(site / SITE_MARKER, kind=SITE_KIND) or []


@contextmanager
def site_lock(reports_dir: str | Path) -> Iterator[None]:
    """Hold the reports' run lock (``<reports>/.evalutils-run.lock``, :func:`evalutils.render.manifest.run_lock`)
    or refuse, naming the lock file and the run holding it."""
    lock = Path(reports_dir) / LOCK_NAME
    try:
        with run_lock(reports_dir):
            yield
    except ReportError as exc:
        if not exc.message.startswith("another evalutils run is writing"):
            raise
        holder = exc.message.rsplit(" (", 1)[-1].rstrip(")")
        raise ReportError(f"cannot build the website while another evalutils run writes the reports in "
                          f"{reports_dir}: it holds the lock {lock} ({holder})",                          file=lock, hint="wait for that run to finish (it updates an existing site itself), then "
                                          "build the site again") from None


def build_site(reports_dir: str | Path = "reports", *, notebooks: list[Path] | None = None,
               lock_held: bool = False) -> Path:
    """Write the website into ``reports/site/``; return the path of its home page (Vietnamese).

    It takes the reports' run lock (:func:`site_lock`) unless the caller holds it (``lock_held``: ``evalutils run``
    and ``publish``)."""
    if not lock_held:
        with site_lock(reports_dir):
            return build_site(reports_dir, notebooks=notebooks, lock_held=True)
    reports_dir = Path(reports_dir)
    site = reports_dir / "site"
    units = collect_units(RunManifest(reports_dir), reports_dir)
    env = _env()
    earlier = set(_earlier(site)) if site.exists() else set()
    written: list[str] = []
    entries: list[dict] = []
    try:
        pages = render_pages(units, notebooks=notebooks)
        for path, text in pages.items():
            _write_text(site / path, text)
            written.append(path)
            if path != "index.html":
                entries.append(search.index_entry(path, path.split("/")[0], "page", text))
        for name in ("site.css", "site.js", "search.js", "report-nav.css"):
            _place_copy(_PKG / "static" / name, site / "assets" / name)
            written.append(f"assets/{name}")
        written += place_api_docs(site)  # the API reference (docs/analysis.md), rebuilt when the code changed
        for geo in GEOGRAPHIES:
            if any(u.geography == geo for u in units):
                _write_text(site / f"data/overview-{geo}.csv", overview_csv(units, geo))
                written.append(f"data/overview-{geo}.csv")
        memo = _ReportMemo(reports_dir, units)
        for unit in units:
            for lang, report in unit.reports.items():
                raw = (reports_dir / report.html).read_bytes()
                key = memo.key(unit, lang, raw)
                found = memo.unchanged(site, report.html, key)
                if found is not None:  # the same report, results and site frame as the last build wrote
                    entry, files = found
                    entries.append(entry)
                    written += files
                    continue
                files = []
                document = report_with_nav(raw.decode("utf-8"), unit, lang, units, env)
                _write_text(site / report.html, document)
                files.append(report.html)
                entry = search.index_entry(report.html, lang, "report", document,
                                           extra=f"{unit.name('vi')} {unit.name('en')}")
                if report.pdf:
                    _place_copy(reports_dir / report.pdf, site / report.pdf, link=True)
                    files.append(report.pdf)
                if unit.results.get(lang):
                    _write_text(site / report.data, json.dumps(unit.results[lang], ensure_ascii=False, indent=1,
                                                               sort_keys=True, allow_nan=False) + "\n")
                    files.append(report.data)
                    for name, text in report_tables(unit.results[lang]).items():
                        path = report.table(name)
                        _write_text(site / path, text)
                        files.append(path)
                    for exhibit in exhibits_of(unit.results[lang]):  # each figure's and table's data
                        path = report.table(exhibit["id"])
                        _write_text(site / path, exhibit_csv(exhibit))
                        files.append(path)
                entries.append(entry)
                written += files
                memo.record(site, report.html, key, entry, files)
        memo.save()
        _write_text(site / "assets/search-index.js", search.index_script(entries))
        written.append("assets/search-index.js")
        _write_text(site / SITE_MARKER, json.dumps({"kind": SITE_KIND, "files": sorted(written)},
                                                   indent=1) + "\n")
        remove_stale(site, earlier - set(written))
    except OSError as exc:
        raise ReportError(f"writing the website into {site} failed: {exc.strerror or exc}",
                          file=getattr(exc, "filename", None) or site,
                          hint="check that the reports folder is writable and the disk is not full") from None
    return site / "index.html"


def site_files(reports_dir: str | Path) -> list[str]:
    """The files of the last site build (site paths), from its marker."""
    return _earlier(Path(reports_dir) / "site")
