"""The website: an index of every report with its headline figures, a methods
page and a generated map from each figure and table to the code that made it.

Everything is built from the run manifest (``reports/manifest.json``: the
results payload each notebook displayed) and from the notebook's source, never
from the rendered HTML. Links are relative, so the pages work from ``file://``
and from any static host; every string that comes from parameters or data is
HTML-escaped.

``build_site(reports)`` writes ``reports/site/`` (links go up to
``reports/<lang>/``); ``publish(reports, to)`` writes a self-contained copy:
the pages at the top and the rendered reports beside them, nothing else (no
executed notebooks, no failed notebooks, no manifest with local paths).
"""

from __future__ import annotations

import ast
import html
import json
import re
import inspect
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from .errors import ReportError
from .render.manifest import RunManifest
from .render.task import DEFAULT_NOTEBOOK, NATIONAL_NOTEBOOK, PROJECT_ROOT

GEOGRAPHIES = {"pre2025": "The 63 provinces (before 1 July 2025)",
               "2025": "The 34 provincial units (Resolution 202/2025/QH15)"}
LANGS = ("vi", "en")
STATUS_MET = "met"


def _e(x) -> str:
    return html.escape("" if x is None else str(x), quote=True)


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;margin:0 auto;max-width:72em;
padding:1em 1.5em;color:#1b1b1b;line-height:1.45}
nav a{margin-right:1.2em}
table{border-collapse:collapse;margin:0.8em 0 1.6em;font-size:0.95em;width:100%}
td code{overflow-wrap:anywhere}
th:first-child,td:first-child{min-width:8em}
th,td{border-bottom:1px solid #ddd;padding:0.35em 0.7em;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f3f3f3}
.synthetic{border:3px solid #b00020;background:#fff0f0;color:#600010;padding:0.7em 1em;font-weight:bold}
.muted{color:#666}
code{font-size:0.92em}
"""


def _page(title: str, body: str, *, prefix_nav: str = "") -> str:
    nav = (f'<nav><a href="{prefix_nav}index.html">Index</a><a href="{prefix_nav}methods.html">Methods</a>'
           f'<a href="{prefix_nav}figures.html">Figures and tables: where they come from</a></nav>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>{nav}{body}</body></html>\n")


# ------------------------------------------------------------------ index

@dataclass
class UnitRow:
    geography: str
    slug: str
    name: str
    results: dict | None
    html: dict[str, str | None]      # lang -> report path relative to the reports dir
    pdf: dict[str, str | None]
    failed: dict[str, str | None]    # lang -> error when the last build failed


def _units(manifest: RunManifest, reports_dir: Path) -> list[UnitRow]:
    rows: dict[tuple[str, str], UnitRow] = {}
    for key in sorted(manifest.reports):
        e = manifest.reports[key]
        geo, lang, slug = e["geography"], e["lang"], e["province"]
        row = rows.setdefault((geo, slug), UnitRow(geo, slug, slug, None, {}, {}, {}))
        res = e.get("results") or None
        if res and (row.results is None or lang == "en"):
            row.results = res
            row.name = res.get("name_vi") or slug
        rel = e.get("html") or (e.get("last_built") or {}).get("html")
        if rel and (reports_dir / rel).exists():
            row.html[lang] = rel
            pdf = e.get("pdf") or Path(rel).with_suffix(".pdf").as_posix()
            row.pdf[lang] = pdf if (reports_dir / pdf).exists() else None
        if e.get("outcome") == "failed":
            row.failed[lang] = e.get("error") or "failed"
    order = {"national": -1, "pre2025": 0, "2025": 1}
    return sorted(rows.values(), key=lambda r: (order.get(r.geography, 9), r.slug))


def _num(x, digits=3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


METHOD_LABELS = {"twfe": "TWFE", "callaway_santanna": "Callaway–Sant'Anna", "imputation": "imputation"}


def _effect_method(res: dict) -> str:
    """Which estimator the headline effect is: named in the payload, or the entry of ``effects`` it equals."""
    eff = res.get("effect") or {}
    if eff.get("method"):
        return str(eff["method"])
    for name, other in (res.get("effects") or {}).items():
        if other == eff:
            return METHOD_LABELS.get(name, name)
    return ""


def _effect_cell(res: dict | None) -> str:
    if not res:
        return '<td class="muted">–</td>'
    eff = res.get("effect")
    if not eff:
        reasons = res.get("reasons") or {}
        why = res.get("effect_unavailable") or "; ".join(dict.fromkeys(str(v) for v in reasons.values())) \
            or "not estimated"
        return f'<td class="muted">{_e(why)}</td>'
    method = _effect_method(res)
    return (f'<td class="num">{_e(_num(eff.get("estimate")))} '
            f'[{_e(_num(eff.get("conf_low")))}, {_e(_num(eff.get("conf_high")))}]'
            + (f' <span class="muted">{_e(method)}</span>' if method else "") + "</td>")


def _targets_cell(res: dict | None) -> str:
    if not res:
        return '<td class="muted">–</td>'
    met = (res.get("target_status_counts") or {}).get(STATUS_MET, 0)
    return f'<td class="num">{_e(met)} / {_e(res.get("n_targets", 0))}</td>'


def _links_cell(row: UnitRow, prefix: str, *, public: bool = False) -> str:
    parts = []
    for lang in LANGS:
        if row.html.get(lang):
            parts.append(f'<a href="{_e(prefix + row.html[lang])}" hreflang="{lang}">{lang.upper()}</a>')
            if row.pdf.get(lang):
                parts.append(f'<a href="{_e(prefix + row.pdf[lang])}" hreflang="{lang}">{lang.upper()} PDF</a>')
        elif public:  # the public site shows no error text, no local path
            parts.append(f'<span class="muted">{lang.upper()}: not yet available</span>')
        elif row.failed.get(lang):
            parts.append(f'<span class="muted" title="{_e(row.failed[lang])}">{lang.upper()}: failed</span>')
        else:
            parts.append(f'<span class="muted">{lang.upper()}: not built</span>')
    return "<td>" + " · ".join(parts) + "</td>"


def _synthesis(rows: list[UnitRow]) -> str:
    with_res = [r for r in rows if r.results]
    n_targets = sum(int(r.results.get("n_targets", 0)) for r in with_res)
    met = sum(int((r.results.get("target_status_counts") or {}).get(STATUS_MET, 0)) for r in with_res)
    effects = [r.results["effect"] for r in with_res if r.results.get("effect")]
    positive = sum(1 for e in effects if e.get("conf_low") is not None and e["conf_low"] > 0)
    negative = sum(1 for e in effects if e.get("conf_high") is not None and e["conf_high"] < 0)
    return (f"<p>{len(with_res)} unit(s) with results. Targets met: <strong>{met} of the {n_targets}</strong> "
            f"targets entered from the plans (each report's scorecard gives every target's status and why). "
            f"Programme effect estimated in {len(effects)} unit(s): the 95% confidence "
            f"interval lies above zero in {positive}, below zero in {negative}, and includes zero in "
            f"{len(effects) - positive - negative}.</p>")


def index_html(manifest: RunManifest, reports_dir: Path, *, prefix: str, public: bool = False) -> str:
    rows = _units(manifest, reports_dir)
    body = ["<h1>Enterprise productivity programme: province evaluation reports</h1>",
            "<p>Evaluation of the provinces' plans under the National Programme to support enterprises in raising "
            "productivity and quality (Decision 1322/QĐ-TTg) and the productivity master plan "
            "(Decision 36/QĐ-TTg). Each report is in Vietnamese (VI) and English (EN).</p>"]
    if any(r.results and r.results.get("synthetic") for r in rows):
        body.append('<p class="synthetic" role="note">These reports are built from SYNTHETIC demonstration data. '
                    'No figure describes a real province or enterprise.</p>')
    if not rows:
        body.append("<p>No report has been built yet: run <code>evalutils run</code>.</p>")
    for r in (r for r in rows if r.geography == "national"):
        res = r.results or {}
        n = res.get("n_units_estimated")
        body.append("<h2>National synthesis</h2><table><thead><tr><th>Pooled programme effect [95% CI]</th>"
                    "<th>Provinces with an estimate</th><th>Reports</th></tr></thead><tbody>"
                    f'<tr id="national">{_effect_cell(res or None)}<td class="num">{_e("–" if n is None else n)}</td>'
                    f"{_links_cell(r, prefix, public=public)}</tr></tbody></table>")
    for geo in GEOGRAPHIES:
        sel = [r for r in rows if r.geography == geo]
        if not sel:
            continue
        body.append(f"<h2>{_e(GEOGRAPHIES[geo])}</h2>")
        body.append(_synthesis(sel))
        outcomes = sorted({r.results.get("outcome") or (r.results.get("effect") or {}).get("outcome")
                           for r in sel if r.results} - {None})
        label = "Programme effect" + (f" on {', '.join(map(str, outcomes))}" if outcomes else "") + " [95% CI], estimator"
        body.append(f'<table><thead><tr><th>Unit</th><th>{_e(label)}</th><th>Targets met / total</th>'
                    f'<th>Supported firms</th><th>Reports</th></tr></thead><tbody>')
        for r in sel:
            n_sup = (r.results or {}).get("n_supported")
            body.append(f'<tr id="{_e(geo)}-{_e(r.slug)}"><td>{_e(r.name)}</td>{_effect_cell(r.results)}'
                        f'{_targets_cell(r.results)}<td class="num">{_e("–" if n_sup is None else n_sup)}</td>'
                        f'{_links_cell(r, prefix, public=public)}</tr>')
        body.append("</tbody></table>")
    body.append('<p class="muted">Figures come from the machine-readable results each report notebook emits, '
                'recorded in the run manifest; see the <a href="methods.html">methods</a>.</p>')
    return _page("Province evaluation reports", "".join(body))


# ------------------------------------------------------------------ methods

def methods_html() -> str:
    body = """
<h1>Methods</h1>
<h2>What each report answers</h2>
<p>For each province (or, in the 2025 geography, each of the 34 units, pooling the provinces it is made of):
did the province's plan meet its targets, and did programme support raise the productivity of the enterprises
that received it?</p>
<h2>Targets</h2>
<p>Every target of a provincial plan is entered in <code>params/provinces/&lt;slug&gt;.yml</code> with the plan's
verbatim sentence and its source. The scorecard compares it with the monitoring indicators over the plan's period:
<em>met</em>, <em>on track</em>, <em>behind</em>, or <em>no data</em>. The index counts targets <em>met</em>
among all targets entered.</p>
<h2>Programme effect</h2>
<p>Each report estimates the effect of programme support on its outcome (named in
<code>params/defaults.yml</code>) with the estimators of <code>evalutils.effects</code>: a two-way fixed-effects
(TWFE) regression and, when there are enough supported and comparison firms, heterogeneity-robust estimators
for staggered adoption (Callaway–Sant'Anna group-time effects, imputation). The index shows the headline
estimate the report gives, with its 95% confidence interval and the estimator's name; the report explains
each estimate and, when none can be made, why.</p>
<h2>Productivity</h2>
<p>Labour productivity is real value added per worker (value added deflated with the value-added deflator,
2015 = 1). National comparisons use province-year totals of the whole panel.</p>
<h2>Confidentiality</h2>
<p>No report shows an enterprise's identity or a cell computed from fewer enterprises than
<code>disclosure.min_firms_per_cell</code> in <code>params/defaults.yml</code>.</p>
<h2>Reproducibility</h2>
<p>Every report ends with its provenance (code revision, hashes of data and parameters, package versions, seed).
The run manifest (<code>reports/manifest.json</code>) records, for each report, the content hashes of every
input, the parameters, versions, seed, timings and the numbers the report displayed; a report is rebuilt only
when an input changed, and <code>evalutils verify</code> re-executes reports and checks that every number is
identical.</p>
"""
    return _page("Methods", body)


# ------------------------------------------------------------------ figure map

@dataclass(frozen=True)
class Provenance:
    cell: int            # 1-based position of the cell in the notebook
    shown: bool          # False when the cell is tagged remove-cell (not in the rendered report)
    function: str        # report.<function>
    kind: str
    defined_at: str      # src/evalutils/report.py:LINE
    summary: str         # first line of the docstring


def _kind(name: str) -> str:
    if name.startswith(("show_", "figure_")):
        return "display helper"
    if name.endswith("_figure"):
        return "figure"
    if name.endswith("_table"):
        return "table"
    if name.endswith("_html"):
        return "HTML section (text and tables)"
    if name.startswith("results_"):
        return "machine-readable results (not displayed)"
    return "helper (computes or formats what the sections show)"


# the names the notebooks import modules under -> the modules (`import evalutils.report.province as report`)
MAPPED_MODULES = {"report": "evalutils.report.province", "national": "evalutils.report.national"}


def figure_map(notebook: str | Path = DEFAULT_NOTEBOOK) -> list[Provenance]:
    """Every call of ``report.<function>`` (or ``national.<function>``) in the notebook's code cells, in order,
    with where the function is defined."""
    import importlib

    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    out, seen = [], set()
    for i, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        if "parameters" in tags:
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue  # a cell with IPython magics: nothing to map
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and isinstance(n.func.value, ast.Name) and n.func.value.id in MAPPED_MODULES]
        for call in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):
            module, name = call.func.value.id, call.func.attr
            if (i, module, name) in seen:
                continue
            seen.add((i, module, name))
            obj = getattr(importlib.import_module(MAPPED_MODULES[module]), name, None)
            where, summary = f"not found in {MAPPED_MODULES[module]}", ""
            if obj is not None and callable(obj):
                try:
                    src = Path(inspect.getsourcefile(obj)).resolve()
                    line = inspect.getsourcelines(obj)[1]
                    try:
                        src = src.relative_to(PROJECT_ROOT)
                    except ValueError:
                        src = Path(src.name)
                    where = f"{src.as_posix()}:{line}"
                except (OSError, TypeError):
                    where = MAPPED_MODULES[module]
                summary = (inspect.getdoc(obj) or "").split("\n\n")[0].replace("\n", " ")
                summary = re.sub(r":\w+:`~?([^`]+)`", r"\1", summary).replace("``", "")
            out.append(Provenance(i, "remove-cell" not in tags, f"{module}.{name}", _kind(name), where, summary))
    return out


def figures_html(notebooks: list[Path] | None = None) -> str:
    notebooks = notebooks or [p for p in (DEFAULT_NOTEBOOK, NATIONAL_NOTEBOOK) if p.exists()]
    body = ["<h1>Where each figure and table comes from</h1>",
            "<p>Generated from the notebooks' source: every call of a <code>report.&lt;function&gt;</code> or "
            "<code>national.&lt;function&gt;</code> in a code cell, in the order the report shows them. The kind "
            "is read from the function's name (<code>*_figure</code>: a figure; <code>*_html</code>: a section of "
            "text and tables; <code>*_table</code>: a table; <code>show_*</code>, <code>figure_*</code>: displays "
            "what the call inside it made). The province notebook makes every province's report in both "
            "languages.</p>"]
    for notebook in notebooks:
        try:
            nb_label = Path(notebook).resolve().relative_to(PROJECT_ROOT).as_posix()
        except ValueError:
            nb_label = Path(notebook).name
        counters: dict[str, int] = {}
        body.append(f"<h2><code>{_e(nb_label)}</code></h2>"
                    "<table><thead><tr><th>Item</th><th>Kind</th><th>Function</th><th>Defined at</th>"
                    "<th>Notebook cell</th><th>What it does</th></tr></thead><tbody>")
        for p in figure_map(notebook):
            label = ""
            if p.kind in ("figure", "table"):
                counters[p.kind] = counters.get(p.kind, 0) + 1
                label = f"{p.kind.capitalize()} {counters[p.kind]}"
            shown = "" if p.shown else " (not shown in the report)"
            body.append(f"<tr><td>{_e(label)}</td><td>{_e(p.kind)}</td><td><code>{_e(p.function)}</code></td>"
                        f"<td><code>{_e(p.defined_at)}</code></td><td>cell {p.cell}{_e(shown)}</td>"
                        f"<td>{_e(p.summary)}</td></tr>")
        body.append("</tbody></table>")
    return _page("Figures and tables: provenance", "".join(body))


# ------------------------------------------------------------------ writing

def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex}.partial")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _pages(manifest: RunManifest, reports_dir: Path, prefix: str,
           notebooks: list[Path] | None, *, public: bool = False) -> dict[str, str]:
    return {"index.html": index_html(manifest, reports_dir, prefix=prefix, public=public),
            "methods.html": methods_html(),
            "figures.html": figures_html(notebooks)}


def build_site(reports_dir: str | Path = "reports", *, notebooks: list[Path] | None = None) -> Path:
    """Write ``reports/site/{index,methods,figures}.html``; return the index path."""
    reports_dir = Path(reports_dir)
    site = reports_dir / "site"
    for name, text in _pages(RunManifest(reports_dir), reports_dir, "../", notebooks).items():
        _write(site / name, text)
    return site / "index.html"


PUBLISH_MARKER = ".evalutils-published.json"
_MARKER_KIND = "evalutils-publish"


def _published_files(to: Path) -> list[str] | None:
    """The files an earlier ``publish`` wrote into ``to`` (from its marker), or None when there is no marker.

    Only plain relative paths inside ``to`` are returned: a hand-edited marker can never make ``publish`` delete
    anything outside the folder."""
    marker = to / PUBLISH_MARKER
    if not marker.is_file():
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"the publish marker in {to} cannot be read ({exc})", file=marker,
                          hint="delete the folder's published files by hand (or the marker, if the folder holds "
                               "nothing else of value) and publish again") from None
    if not isinstance(data, dict) or data.get("kind") != _MARKER_KIND or not isinstance(data.get("files"), list):
        raise ReportError(f"{marker.name} in {to} is not a marker written by `evalutils publish`", file=marker,
                          hint="publish into an empty or new folder")
    out = []
    for f in data["files"]:
        if not isinstance(f, str) or not f or f.startswith("/") or "\\" in f:
            continue
        parts = Path(f).parts
        if ".." in parts or "." in parts or parts[0] == PUBLISH_MARKER:
            continue
        out.append(Path(*parts).as_posix())
    return out


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _protected_folders(reports_dir: Path, manifest: RunManifest) -> list[tuple[str, Path]]:
    """Folders ``publish`` must never write into, nor into any of their parents: the reports, the data and
    parameters each report was built from, and the project checkout."""
    out = [("the reports folder", reports_dir.resolve())]
    for e in manifest.reports.values():
        p = e.get("parameters") or {}
        for key, label in (("data_dir", "the data folder"), ("params_dir", "the parameters folder")):
            if p.get(key):
                out.append((label, Path(p[key]).resolve()))
    out.append(("the project folder", PROJECT_ROOT.resolve()))
    seen, unique = set(), []
    for label, path in out:
        if path not in seen:
            seen.add(path)
            unique.append((label, path))
    return unique


def _check_target(to: Path, reports_dir: Path, manifest: RunManifest) -> list[str] | None:
    """Refuse a target that could hold anything but an earlier publication; return the earlier file list."""
    shown = str(to)
    for label, folder in _protected_folders(reports_dir, manifest):
        if _is_within(folder, to):
            what = "is" if folder == to else "contains"
            raise ReportError(f"refusing to publish into {shown}: it {what} {label} ({folder})", file=to,
                              hint="publish into a new or empty folder outside the project, e.g. "
                                   "`evalutils publish --to ../public`")
        if label in ("the reports folder", "the data folder") and _is_within(to, folder):
            raise ReportError(f"refusing to publish into {shown}: it is inside {label} ({folder})", file=to,
                              hint="publish into a new or empty folder outside the reports and data folders")
    if to.exists() and not to.is_dir():
        raise ReportError(f"cannot publish into {shown}: it is a file, not a folder", file=to,
                          hint="choose a folder name that is new or empty")
    if not to.exists():
        return []
    earlier = _published_files(to)
    if earlier is None:
        if any(to.iterdir()):
            raise ReportError(f"refusing to publish into {shown}: the folder is not empty and was not written by "
                              "`evalutils publish`", file=to,
                              hint="publish into a new or empty folder; nothing in this one was changed")
        return []
    return earlier


def _public_files(manifest: RunManifest, reports_dir: Path) -> dict[str, Path]:
    """Published path -> source file: the rendered reports (HTML and PDF) of every unit that has one."""
    out: dict[str, Path] = {}
    for e in manifest.reports.values():
        rel = e.get("html") or (e.get("last_built") or {}).get("html")
        if not rel:
            continue
        for r in (rel, Path(rel).with_suffix(".pdf").as_posix()):
            src = reports_dir / r
            if src.is_file():
                out[Path(r).as_posix()] = src
    return out


def publish(reports_dir: str | Path, to: str | Path, *,
            notebooks: list[Path] | None = None) -> tuple[Path, int]:
    """Write a ready-to-serve copy of the website into ``to``; return the folder and the number of files written.

    ``publish`` never deletes what it did not write. It leaves a marker (:data:`PUBLISH_MARKER`) listing the files
    it wrote; publishing again replaces those files and removes the ones no longer published, and nothing else.
    It refuses (:class:`ReportError`, nothing changed) a non-empty folder without its marker, and the reports,
    data, parameters and project folders, the folders inside the reports and data folders, and every parent of
    them. Each file is written under a temporary name and renamed into place, so a reader never sees half a file.
    """
    reports_dir = Path(reports_dir)
    to = Path(os.path.abspath(to)).resolve()
    manifest = RunManifest(reports_dir)
    if not manifest.reports:
        raise ReportError("nothing to publish: the run manifest lists no report", file=manifest.path,
                          hint="run `evalutils run` first")
    earlier = _check_target(to, reports_dir, manifest)
    pages = _pages(manifest, reports_dir, "", notebooks, public=True)
    copies = _public_files(manifest, reports_dir)
    new_files = sorted({*pages, *copies, ".nojekyll"})
    clash = [f for f in new_files if (to / f).exists() and f not in earlier]
    if clash:
        raise ReportError(f"refusing to publish into {to}: {len(clash)} file(s) there were not written by "
                          f"`evalutils publish` (e.g. {clash[0]})", file=to / clash[0],
                          hint="move them away or publish into a new folder; nothing was changed")
    try:
        to.mkdir(parents=True, exist_ok=True)
        for name, text in pages.items():
            _write(to / name, text)
        for rel, src in copies.items():
            dest = to / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".{dest.name}.{os.getpid()}-{uuid.uuid4().hex}.partial")
            shutil.copy2(src, tmp)
            os.replace(tmp, dest)
        _write(to / ".nojekyll", "")  # GitHub Pages: serve files as they are
        _write(to / PUBLISH_MARKER, json.dumps({"kind": _MARKER_KIND, "files": new_files}, indent=1) + "\n")
        for rel in sorted(set(earlier) - set(new_files)):
            stale = to / rel
            if not _is_within(stale.parent.resolve(), to):
                continue  # a folder replaced by a link elsewhere: never delete through it
            if stale.is_symlink() or stale.is_file():
                stale.unlink()
            parent = stale.parent
            while parent != to and _is_within(parent, to):
                try:
                    parent.rmdir()  # only when empty
                except OSError:
                    break
                parent = parent.parent
    except OSError as exc:
        raise ReportError(f"publishing into {to} failed: {exc.strerror or exc}",
                          file=getattr(exc, "filename", None) or to,
                          hint="check that the folder is writable and the disk is not full, then publish again "
                               "(files already written are replaced, nothing else is touched)") from None
    return to, len(new_files)
