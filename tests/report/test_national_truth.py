"""The national synthesis tells the truth in both languages (issue 14, items 7 and 10), like the province reports
(tests/test_report_truth.py).

The synthesis is built once in Vietnamese and English, HTML and PDF, by the batch runner that ``evalutils run
--national --pdf`` uses (papermill on notebooks/national_synthesis.ipynb, nbconvert, pandoc, Typst), on small
synthetic data, and the website is built over it. Then, for each language:

* the key findings are the sentences the payload's numbers give (counts of provinces, the pooled effect as a
  percent change with its one interval, the targets' statuses), and those numbers are the tables' (the effects
  table's intervals, the attainment table's sums) and the parameter files' (which provinces have targets);
* the pooled section prints the payload's estimate, interval and p-value, and the website's overview prints the
  same interval (one number, one source);
* no yearly rate or percentage is called a target: the synthesis has no target of its own;
* Vietnamese has no English words outside the allow-list and writes the decimal comma;
* the PDF says what the HTML says, carries the synthetic-data banner and the title once (title page), leaves no page
  before the last more than a quarter empty (the forest plot floats to the next page), and its Typst source has a
  header row in every table, a caption under every figure and no centred text column;
* every section is there, the pooled interval is the wild cluster bootstrap's (Webb weights), the payload covers the
  63 provinces (what tests/test_report.py once checked on a build of its own).
"""

from __future__ import annotations

import importlib.util
import math
import re
import shutil
import subprocess
import unicodedata
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from evalutils.geography import province_name, provinces, units_2025
from evalutils.i18n import LANGS, fmt_number, t
from evalutils.measures.targets import scorecard
from evalutils.panel.demo import write_demo
from evalutils.panel.io import load_monitoring
from evalutils.panel.params import load_defaults, load_province_params, province_params_path
from evalutils.render.manifest import RunManifest, run_lock
from evalutils.render.runner import run_batch
from evalutils.render.task import NATIONAL, NATIONAL_NOTEBOOK, ReportTask
from evalutils.report.formatting import pct_effect
from evalutils.report.national import LOG_DECIMALS, p_text

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _truth_module():
    """tests/test_report_truth.py, for its allow-list of Latin words in Vietnamese and its English vocabulary."""
    spec = importlib.util.spec_from_file_location("_report_truth_words", ROOT / "tests" / "test_report_truth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _render_typst_checks():
    spec = importlib.util.spec_from_file_location("_pdf_text_checks", ROOT / "tests" / "render" / "test_pdf_text.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------------------------- building

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian package poppler-utils) is needed: .ci/run installs it")
    from evalutils.site import build_site

    tmp = tmp_path_factory.mktemp("national-truth")
    data, out = tmp / "data", tmp / "reports"
    write_demo(data, scale=0.3)
    seed = load_defaults(ROOT / "params" / "defaults.yml").seed
    tasks = [ReportTask(NATIONAL, lang, data, ROOT / "params", out, notebook=NATIONAL_NOTEBOOK, geography=NATIONAL,
                        pdf=True) for lang in LANGS]
    with run_lock(out):
        # one worker: the second language reads the first one's cached estimates
        _, outcomes = run_batch(tasks, RunManifest(out), workers=1, seed=seed)
    assert [o.ok for o in outcomes] == [True, True], [o.error for o in outcomes]
    build_site(out)
    return data, out


class _Parser(HTMLParser):
    """Visible text, tables (with the h2 above them), list items, paragraphs (with their h2) of a report."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.tables: list[dict] = []
        self.items: list[tuple[str, str]] = []
        self.paragraphs: list[tuple[str, str]] = []
        self.heading = ""
        self._skip = 0
        self._buf: dict[str, list[str] | None] = {"h2": None, "cell": None, "li": None, "p": None}
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "h2":
            self._buf["h2"] = []
        elif tag == "table":
            self.tables.append({"heading": self.heading, "rows": []})
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._buf["cell"] = []
        elif tag in ("li", "p"):
            self._buf[tag] = []
        if tag in ("p", "li", "td", "th", "h1", "h2", "h3", "div", "br", "tr"):
            self.text.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag == "h2" and self._buf["h2"] is not None:
            self.heading, self._buf["h2"] = _norm("".join(self._buf["h2"])), None
        elif tag in ("td", "th") and self._buf["cell"] is not None and self._row is not None:
            self._row.append(_norm("".join(self._buf["cell"])))
            self._buf["cell"] = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1]["rows"].append(self._row)
            self._row = None
        elif tag == "li" and self._buf["li"] is not None:
            self.items.append((self.heading, _norm("".join(self._buf["li"]))))
            self._buf["li"] = None
        elif tag == "p" and self._buf["p"] is not None:
            self.paragraphs.append((self.heading, _norm("".join(self._buf["p"]))))
            self._buf["p"] = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        for buf in self._buf.values():
            if buf is not None:
                buf.append(data)


def _norm(s: str) -> str:
    """NFC, single spaces, one minus sign (Typst sets a hyphen before a digit as a minus)."""
    s = re.sub(r"(?<![\w])-(?=\d)", "−", unicodedata.normalize("NFC", unescape(s)))
    return re.sub(r"\s+", " ", s).strip()


def _blocks(lines) -> str:
    return "\n".join(b for b in (_norm(x) for x in lines) if b)


class Synthesis:
    def __init__(self, out: Path, entry: dict):
        self.lang, self.payload = entry["lang"], entry["results"]
        self.html = (out / entry["html"]).read_text(encoding="utf-8")
        p = _Parser()
        p.feed(self.html)
        self.text = _norm("".join(p.text))
        # the same, one block (paragraph, heading, table cell) a line: where a sentence ends that is not one
        self.blocks = _blocks("".join(p.text).split("\n"))
        self.tables, self.items, self.paragraphs = p.tables, p.items, p.paragraphs
        self.pdf_path = out / entry["pdf"]
        self.pdf_pages = subprocess.run(["pdftotext", "-enc", "UTF-8", str(self.pdf_path), "-"], check=True,
                                        capture_output=True, text=True).stdout.split("\f")
        body = [line for line in "\n".join(self.pdf_pages).splitlines()
                if not re.fullmatch(r"\s*(evalutils \S+ · .*|\d+\s?/\s?\d+)\s*", line)]
        self.pdf = _norm("\n".join(body))
        self.pdf_blocks = _blocks(body)  # one line of the PDF a line
        self.notebook = nbformat.read(out / entry["executed_notebook"], as_version=4)

    def under(self, heading_key: str, what: str = "items") -> list[str]:
        heading = _norm(t(heading_key, self.lang))
        return [x for h, x in getattr(self, what) if h == heading]

    def table(self, heading_key: str) -> list[list[str]]:
        heading = _norm(t(heading_key, self.lang))
        found = [tb["rows"] for tb in self.tables if tb["heading"] == heading]
        assert found, (self.lang, heading)
        return found[0]


@pytest.fixture(scope="module")
def syntheses(built):
    _, out = built
    manifest = RunManifest(out)
    found = {e["lang"]: Synthesis(out, e) for e in manifest.reports.values() if e["province"] == NATIONAL}
    assert set(found) == set(LANGS)
    return found


def _each(syntheses):
    return [syntheses[lang] for lang in LANGS]


def _number(text: str, lang: str) -> float:
    text = text.replace("−", "-").removesuffix("%")
    return float(text.replace(".", "").replace(",", ".") if lang == "vi" else text.replace(",", ""))


#: an interval of percent changes as the effects tables and the website print it: "[−1,0%; 9,4%]", "[−1.0%, 9.4%]"
_INTERVAL = {"vi": r"\[(−?\d+,\d%); (−?\d+,\d%)\]", "en": r"\[(−?\d+\.\d%), (−?\d+\.\d%)\]"}

# ----------------------------------------------------------------------------------------------- the checks

def test_key_findings_are_the_payloads_numbers(syntheses):
    for s in _each(syntheses):
        kf = s.under("kf_heading")
        f, e = s.payload["findings"], s.payload["effect"]
        u = f["units"]
        why = {None: "", "few_supported": t("nat_why_few", s.lang, k=u["min_supported"]),
               "see_table": t("nat_why_table", s.lang)}[u["others"]]
        units = t("nat_kf_units", s.lang, n=u["n"], n_est=u["n_estimated"], why=why, above=u["above_zero"],
                  below=u["below_zero"], zero=u["includes_zero"])
        if u["by_chance"] >= 1:
            units += " " + t("nat_kf_chance", s.lang, n_est=u["n_estimated"], chance=u["by_chance"])
        assert kf[0] == _norm(units), (s.lang, kf[0])
        assert u["by_chance"] == round(0.05 * u["n_estimated"]) and u["n_estimated"] == s.payload["n_units_estimated"]
        # the pooled effect: the payload's estimate and its one interval as percent changes, the verdict from its p
        pooled = t("nat_kf_pooled", s.lang, pct=pct_effect(e["estimate"], s.lang).lstrip("-\u2212"),
                   direction=t("kf_higher" if e["estimate"] >= 0 else "kf_lower", s.lang),
                   lo=pct_effect(e["conf_low"], s.lang), hi=pct_effect(e["conf_high"], s.lang),
                   sig=t("kf_sig" if e["p_value"] < 0.05 else "kf_not_sig", s.lang))
        assert kf[1] == _norm(pooled), (s.lang, kf[1])
        assert e["conf_low"] <= e["estimate"] <= e["conf_high"]
        if s.payload.get("wild_bootstrap"):  # the one interval is the bootstrap's, as the pooled section says
            assert e["interval"] == "wild_cluster_bootstrap"
            assert (e["conf_low"], e["conf_high"]) == (s.payload["wild_bootstrap"]["conf_low"],
                                                       s.payload["wild_bootstrap"]["conf_high"])
        tg = f["targets"]
        assert tg is not None  # the seed provinces' plans have targets
        assert kf[2] == _norm(t("nat_kf_targets", s.lang, n_prov=tg["provinces"], n=tg["targets"], met=tg["met"],
                                on_track=tg["on_track"], behind=tg["behind"], no_data=tg["no_data"]))
        assert len(kf) == 3


def test_counts_in_the_findings_are_the_tables(syntheses):
    """Where the intervals lie is counted again from the effects table as printed; the targets' statuses are the
    attainment table's sums."""
    for s in _each(syntheses):
        u, tg = s.payload["findings"]["units"], s.payload["findings"]["targets"]
        rows = s.table("forest_heading")
        header, body = rows[0], rows[1:]
        assert len(body) == u["n"] == 63
        ci = header.index(t("col_ci", s.lang))
        printed = [re.fullmatch(_INTERVAL[s.lang], r[ci]) for r in body]
        intervals = [(_number(m.group(1), s.lang), _number(m.group(2), s.lang)) for m in printed if m]
        assert len(intervals) == u["n_estimated"]
        assert sum(lo > 0 for lo, _ in intervals) == u["above_zero"]
        assert sum(hi < 0 for _, hi in intervals) == u["below_zero"]
        # the others: each row says why (fewer than k supported firms, or another reason)
        for r, m in zip(body, printed):
            if not m:
                assert r[ci] and r[ci] != "—", r
        estimated = {k for k, v in s.payload["province_effects"].items() if v is not None}
        assert len(estimated) == u["n_estimated"]
        table = s.table("attainment_heading")
        cols = table[0]
        sums = {key: sum(int(r[cols.index(t(label, s.lang))]) for r in table[1:])
                for key, label in (("targets", "col_targets"), ("met", "status_met"), ("on_track", "status_on_track"),
                                   ("behind", "status_behind"), ("no_data", "status_no_data"))}
        assert sums == {k: tg[k] for k in sums} and len(table) - 1 == tg["provinces"]


def test_targets_are_the_provinces_own(built, syntheses):
    """The attainment table lists exactly the provinces whose parameter files set targets, each with its own number
    of targets and the statuses its own scorecard gives; the synthesis calls no rate a target."""
    data, _ = built
    monitoring = load_monitoring(data)
    about = load_defaults(ROOT / "params" / "defaults.yml").about_tolerance
    expected = {}
    for r in provinces().itertuples():
        params = load_province_params(province_params_path(ROOT / "params", r.slug))
        if params.targets:
            sc = scorecard(params, monitoring, r.code, about_tolerance=about)
            counts = sc["status"].value_counts()
            expected[r.code] = [len(params.targets)] + [int(counts.get(k, 0)) for k in
                                                        ("met", "on_track", "behind", "no_data")]
    assert expected
    for s in _each(syntheses):
        table = s.table("attainment_heading")
        # each province by its name in the report's language ("TP. Hồ Chí Minh", "Ho Chi Minh City")
        named = {province_name(code, s.lang): counts for code, counts in expected.items()}
        assert {r[0]: [int(x) for x in r[1:]] for r in table[1:]} == named
        target_word = r"chỉ tiêu|mục tiêu" if s.lang == "vi" else r"target"
        for text, where in ((s.blocks, "html"), (s.pdf_blocks, "pdf")):
            assert not re.search(r"%\s?/\s?năm|% a year", text), (s.lang, where)
            # no percentage next to a word for target: 40 characters before it (in its sentence and its block: not
            # the effects table's last percent changes above the attainment heading), 80 after
            for m in re.finditer(target_word, text, flags=re.I):
                before = re.split(r"[.;:]\s|\n", text[max(0, m.start() - 40):m.start()])[-1]
                window = before + text[m.start():m.end() + 80]
                assert not re.search(r"\d\s?%", window), (s.lang, where, window)


def test_pooled_section_and_site_print_the_one_interval(built, syntheses):
    """The pooled section gives the payload's estimate, interval and p-value; the website's overview gives the same
    estimate and interval (issue 14 item 7: they once differed, 0.034 against 0.0381)."""
    _, out = built
    for s in _each(syntheses):
        e = s.payload["effect"]
        pooled, caveat = s.under("pooled_heading", "paragraphs")
        assert caveat == _norm(t("pooled_caveat", s.lang))
        logs = [fmt_number(x, s.lang, LOG_DECIMALS) for x in (e["estimate"], e["conf_low"], e["conf_high"])]
        assert _norm(f"{logs[0]}, ") in pooled and _norm(f"[{logs[1]}; {logs[2]}]") in pooled, pooled
        assert _norm(f"p {p_text(e['p_value'], s.lang)}") in pooled
        assert "p = 0,000" not in pooled and "p = 0.000" not in pooled
        for x in (e["conf_low"], e["conf_high"]):
            assert _norm(pct_effect(x, s.lang)) in pooled
        # the site's overview, in the same language: its national row
        index = (out / "site" / s.lang / "index.html").read_text(encoding="utf-8")
        row = re.search(r'<tr id="national">(.*?)</tr>', index, re.S)
        assert row, s.lang
        cell = _norm(re.sub(r"<[^>]+>", " ", row.group(1)))
        # the site prints percent changes as the reports' text does ("2,2% [0,9%; 3,9%]" in Vietnamese): the same
        # three numbers as the pooled paragraph's
        sep = ";" if s.lang == "vi" else ","
        pcts = [pct_effect(x, s.lang) for x in (e["estimate"], e["conf_low"], e["conf_high"])]
        assert _norm(f"{pcts[0]} [{pcts[1]}{sep} {pcts[2]}]") in cell, (s.lang, cell, pcts)
        assert _norm(pcts[0].lstrip("−")) in pooled, (pooled, pcts[0])
        assert int(re.findall(r">\s*(\d+)\s*<", row.group(1))[0]) == s.payload["n_units_estimated"]


def test_vietnamese_is_vietnamese(syntheses):
    words = _truth_module()
    vocabulary = words._english_vocabulary()
    s = syntheses["vi"]
    for text, where in ((s.text, "html"), (s.pdf, "pdf")):
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (where, "a variable name")
        latin = {w.lower() for w in re.findall(r"\w+", text) if re.fullmatch(r"[A-Za-z]+", w)}
        assert not sorted(latin & vocabulary), (where, sorted(latin & vocabulary))
        bad = [m.group(0) for m in re.finditer(r"(?<![\d.])\d+\.\d{1,2}(?![\d.])", text)]
        assert not bad, (where, bad[:5])


def test_the_pdf_says_what_the_html_says(syntheses, tmp_path):
    checks = _render_typst_checks()
    for s in _each(syntheses):
        for item in s.under("kf_heading") + s.under("pooled_heading", "paragraphs"):
            assert item in s.pdf, (s.lang, item)
        banner = _norm(t("synthetic_banner", s.lang))
        assert banner in _norm(s.pdf_pages[0])
        assert sum(_norm(p).count(banner) for p in s.pdf_pages) == 1, s.lang
        captions = re.findall(r"(?:Hình|Figure) \d+:(.*)", "\n".join(s.pdf_pages))
        assert len(captions) == 2 and all(c.strip() for c in captions), captions
        body = checks.report_typst(s.notebook, tmp_path)
        assert checks.typst_layout_problems(body) == [], s.lang
        assert body.count("table.header(") == 3  # the two effects tables and the attainment table


def test_sections_payload_and_the_bootstrap(syntheses):
    """Every section's heading; the pooled interval from the wild cluster bootstrap (Webb weights), which ran, and
    contains the estimate; a payload for the national unit with an entry for each of the 63 provinces."""
    for s in _each(syntheses):
        for key in ("national_title", "kf_heading", "forest_heading", "attainment_heading", "pooled_heading",
                    "forest_units_heading"):
            assert _norm(t(key, s.lang)) in s.text, (s.lang, key)
        p, wild = s.payload, s.payload["wild_bootstrap"]
        assert p["unit"] == "national" and len(p["province_effects"]) == 63
        assert wild and p["effect"]["interval"] == "wild_cluster_bootstrap"
        assert wild["conf_low"] <= p["effect"]["estimate"] <= wild["conf_high"]
        pooled = s.under("pooled_heading", "paragraphs")[0]
        assert _norm(t("interval_wild", s.lang)) in pooled and "Webb" in pooled, (s.lang, pooled)


def test_the_pdf_has_its_title_once_and_no_half_empty_page(syntheses):
    """The title on the title page only (not again at the top of page 2); the forest plot of 63 provinces, which does
    not fit below the key findings, floats to the next page and the effects table fills page 2: no page between
    the title page and the last is more than a quarter empty."""
    checks = _render_typst_checks()
    for s in _each(syntheses):
        title = _norm(t("national_title", s.lang))
        assert title in _norm(s.pdf_pages[0]), s.lang
        assert sum(_norm(p).count(title) for p in s.pdf_pages) == 1, s.lang
        words = checks.page_words(s.pdf_path)
        assert len(words) >= 4
        fill = [max(y for y, _ in page) for page in words[1:-1]]
        assert min(fill) >= 0.75, (s.lang, fill)
        word = "Hình" if s.lang == "vi" else "Figure"
        assert f"{word} 1:" not in s.pdf_pages[1] and f"{word} 1:" in s.pdf_pages[2]  # the forest plot on page 3
        assert _norm(t("kf_heading", s.lang)) in _norm(s.pdf_pages[1])


def test_effects_tables_print_the_payloads_log_points_as_percent_changes(syntheses):
    """Both effects tables (63 provinces, 34 units) print each Callaway–Sant'Anna estimate and the ends of its
    interval as percent changes 100 (e^b − 1), rounded as printed (one decimal, decimal comma in Vietnamese), of the
    log points the payload carries: the estimate in ``province_effects`` (63 provinces) and in the forest plot's
    data, which also holds the interval's ends in logs and the percent changes drawn; no log points are printed.
    Each row names the unit in the report's language."""
    for s in _each(syntheses):
        exhibits = {e["id"]: e for e in s.payload["exhibits"]}
        for geo, heading, table in (("pre2025", "forest_heading", provinces()), ("2025", "forest_units_heading",
                                                                                 units_2025())):
            chart = exhibits[f"forest-{geo}-chart"]
            assert chart["columns"][:2] == ["unit", "name_vi" if s.lang == "vi" else "name_en"]
            logs = {r[0]: dict(zip(chart["columns"], r)) for r in chart["rows"]}
            names = dict(zip(table["code" if geo == "pre2025" else "slug"],
                             table["name_vi" if s.lang == "vi" else "name_en"]))
            rows = s.table(heading)
            header, body = rows[0], rows[1:]
            assert len(body) == len(names) and len(logs) >= 1, (s.lang, geo)
            cs, ci, tw = (header.index(t(k, s.lang)) for k in ("col_cs_pct", "col_ci", "col_twfe_pct"))
            by_name = {name: unit for unit, name in names.items()}
            for r in body:
                unit = by_name[r[0]]  # the unit's name in this language (KeyError: another language's name)
                if geo == "pre2025":
                    assert (s.payload["province_effects"][unit] is None) == (unit not in logs), (s.lang, r)
                if unit not in logs:  # no estimate: the interval column says why
                    assert r[cs] == "—" and not re.fullmatch(_INTERVAL[s.lang], r[ci]), (s.lang, r)
                    continue
                e = logs[unit]
                if geo == "pre2025":
                    assert e["estimate"] == s.payload["province_effects"][unit]
                m = re.fullmatch(_INTERVAL[s.lang], r[ci])
                assert m, (s.lang, r)
                for printed, log in ((r[cs], e["estimate"]), (m.group(1), e["conf_low"]), (m.group(2), e["conf_high"])):
                    assert printed == _norm(pct_effect(log, s.lang)), (s.lang, unit, printed, log)
                    # and the number is 100 (e^b - 1) to the printed decimal, not log points
                    assert abs(_number(printed, s.lang) - 100 * math.expm1(log)) <= 0.05 + 1e-9, (printed, log)
                for col, src in (("change_pct", "estimate"), ("change_pct_low", "conf_low"),
                                 ("change_pct_high", "conf_high")):
                    assert e[col] == pytest.approx(100 * math.expm1(e[src]), rel=1e-12, abs=1e-12)
                assert r[tw] == "—" or re.fullmatch(r"−?\d+[.,]\d%", r[tw]), (s.lang, r[tw])
