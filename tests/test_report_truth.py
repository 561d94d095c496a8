"""Reports that tell the truth in both languages (issue 14): a check that makes contradictions fail.

The demo reports of two provinces (Bạc Liêu: a plan with labour-productivity and TFP targets; Hồ Chí Minh City: no
plan entered) are built once, in Vietnamese and English, HTML and PDF, by the real
command (`evalutils run`: papermill, nbconvert, pandoc, Typst). Then, for every report:

* the key findings, the scorecard, the tables and the results payload agree (same statuses, same numbers);
* no report mentions a target that its province's parameter file lacks, and the data behind the productivity
  figure draw a target line only from that file;
* no Vietnamese report contains English words outside a short allow-list (names, abbreviations, units);
* every generated limitation agrees with the table it cites (balance table, effects table);
* the PDF says what the HTML says (key findings, limitations).
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import unicodedata
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from evalutils.cli import main
from evalutils.i18n import LANGS, MESSAGES, fmt_number, t
from evalutils.panel.demo import write_demo
from evalutils.panel.params import load_province_params
from evalutils.report.formatting import count_text, join_names

ROOT = Path(__file__).resolve().parents[1]
PROVINCES = ("bac-lieu", "ho-chi-minh")
pytestmark = pytest.mark.slow

#: Words in Latin script without Vietnamese diacritics that a Vietnamese report may contain: names of methods,
#: authors and software, abbreviations Vietnamese official texts use, units. Anything else that is an English word
#: (the vocabulary of the English messages) fails the test.
ALLOWED_IN_VI = {
    # abbreviations used in Vietnamese official and statistical texts
    "tfp", "fdi", "vsic", "ocop", "iso", "twfe", "att", "sha256", "utc", "pdf", "html", "qd", "ttg", "qh15", "kh",
    "ubnd", "kaizen", "lean", "5s", "apo", "log", "p", "g", "t",
    # authors of the methods
    "callaway", "sant", "anna", "borusyak", "jaravel", "spiess", "ackerberg", "caves", "frazer", "cobb", "douglas",
    "chaisemartin", "haultf", "uille", "holm", "webb", "wald", "de",
    # software and file names
    "evalutils", "linearmodels", "panelols", "fixest", "reghdfe", "pandas", "numpy", "matplotlib", "papermill",
    "nbconvert", "pyarrow", "pydantic", "python", "git", "dirty", "yml", "params", "provinces",
    "rambachan", "roth", "welch", "satterthwaite", "student",
    # loanwords Vietnamese statistics uses as they are; the exponential function in a formula
    "bootstrap", "exp",
    # Vietnamese syllables spelled like English words
    "a", "an", "do", "so", "to", "ban", "bin", "con", "hay", "tin", "than", "the", "mat", "me", "ma", "van",
    "b", "d", "m", "x",
}


# ----------------------------------------------------------------------------------------------- building

@pytest.fixture(scope="session")
def truth_build(tmp_path_factory):
    """The demo data and the reports of PROVINCES, vi and en, HTML and PDF, built once by ``evalutils run``."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian package poppler-utils) is needed: .ci/run installs it")
    data = tmp_path_factory.mktemp("truth-data")
    write_demo(data, scale=1.0)
    out = tmp_path_factory.mktemp("truth-reports")
    rc = main(["run", "--data", str(data), "--reports", str(out), "--provinces", ",".join(PROVINCES),
               "--lang", "vi,en", "--pdf", "--workers", "2"])
    assert rc == 0
    return data, out


@pytest.fixture(scope="session")
def reports(truth_build):
    return load_reports(truth_build[1])


def load_reports(out: Path) -> dict:
    """The reports of a built reports directory, by (province, language)."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    built = {}
    for entry in manifest["reports"].values():
        if entry["province"] not in PROVINCES:
            continue
        slug, lang = entry["province"], entry["lang"]
        html = (out / entry["html"]).read_text(encoding="utf-8")
        pdf_text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out / entry["pdf"]), "-"], check=True,
                                  capture_output=True, text=True).stdout
        built[slug, lang] = Report(slug, lang, html, pdf_text, entry["results"])
    assert set(built) == {(s, lang) for s in PROVINCES for lang in LANGS}
    return built


class _Parser(HTMLParser):
    """Visible text, tables (with the section heading above them) and list items of a rendered report."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.tables: list[dict] = []
        self.items: list[tuple[str, str]] = []  # (section heading, text of a <li>)
        self.heading = ""
        self._skip = 0
        self._in_heading = False
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._li: list[str] | None = None
        self._head_buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "h2":
            self._in_heading, self._head_buf = True, []
        elif tag == "table":
            self.tables.append({"heading": self.heading, "css": dict(attrs).get("class") or "", "rows": []})
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "li":
            self._li = []
        if tag in ("p", "li", "td", "th", "h1", "h2", "h3", "div", "br", "tr"):
            self.text.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag == "h2":
            self._in_heading, self.heading = False, _norm("".join(self._head_buf))
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(_norm("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1]["rows"].append(self._row)
            self._row = None
        elif tag == "li" and self._li is not None:
            self.items.append((self.heading, _norm("".join(self._li))))
            self._li = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        for buf in (self._cell, self._li, self._head_buf if self._in_heading else None):
            if buf is not None:
                buf.append(data)


def _norm(s: str) -> str:
    """NFC, single spaces, and one minus sign (Typst sets a hyphen before a digit as a minus)."""
    s = re.sub(r"(?<![\w])-(?=\d)", "−", unicodedata.normalize("NFC", s))
    return re.sub(r"\s+", " ", s).strip()


class Report:
    def __init__(self, slug, lang, html, pdf_text, payload):
        self.slug, self.lang, self.payload = slug, lang, payload
        self.html = html
        p = _Parser()
        p.feed(html)
        self.text = _norm("".join(p.text))
        self.tables, self.items = p.tables, p.items
        self.pdf_raw = pdf_text
        # the running footer and page numbers interrupt a paragraph that breaks across pages: leave them out
        body = [line for line in pdf_text.replace("\f", "\n").splitlines()
                if not re.fullmatch(r"\s*(evalutils \S+ · .*|\d+\s?/\s?\d+)\s*", line)]
        self.pdf = _norm("\n".join(body))
        self.params = load_province_params(ROOT / "params" / "provinces" / f"{slug}.yml")

    def table(self, heading_key: str) -> list[list[str]]:
        heading = _norm(t(heading_key, self.lang))
        found = [tb["rows"] for tb in self.tables if tb["heading"] == heading]
        assert found, f"{self.slug} ({self.lang}): no table under {heading!r}"
        return found[0]

    def section_items(self, heading_key: str) -> list[str]:
        heading = _norm(t(heading_key, self.lang))
        return [text for h, text in self.items if h == heading]

    def num(self, x: float, d: int) -> str:
        return fmt_number(x, self.lang, d)


def _each(reports):
    return [reports[k] for k in sorted(reports)]


# ----------------------------------------------------------------------------------------------- the checks

def test_no_report_mentions_a_target_its_province_lacks(reports):
    """"7% a year" (or any yearly rate called a target) only where the province's own file sets it; the data behind
    the productivity figure draw a target line only from that file."""
    for r in _each(reports):
        own_rates = {tg.value for tg in r.params.targets if tg.indicator == "labour_productivity_growth"}
        figure = r.payload["findings"]["figures"]["productivity"]
        assert (figure["target_rate"] is None) == (not own_rates), (r.slug, r.lang)
        if own_rates:
            assert figure["target_rate"] in own_rates
        allowed = {r.num(v, 0) for v in own_rates} | {r.num(v, 1) for v in own_rates}
        growth = r.payload["findings"]["labour_productivity"]
        if growth["value"] is not None:  # the panel's growth and the returns' figure for the province's own target
            allowed.add(r.num(growth["value"], 1))
        for target in r.payload["targets"]:
            if target["indicator"] == "labour_productivity_growth" and target["observed"] is not None:
                allowed.add(r.num(target["observed"], 1))
        per_year = r"%\s?/\s?năm" if r.lang == "vi" else r"% a year"
        target_word = r"chỉ tiêu|mục tiêu" if r.lang == "vi" else r"target"
        for text, where in ((r.text, "html"), (r.pdf, "pdf")):
            # every yearly rate in a sentence that speaks of a target is the province's own target or a figure
            # the payload states (the panel's growth, the returns' figure for that target)
            for sentence in re.split(r"(?<=[.;:])\s", text):
                if not re.search(target_word, sentence, flags=re.I):
                    continue
                for m in re.finditer(r"(\d+(?:[.,]\d+)?)\s?" + per_year, sentence):
                    assert m.group(1) in allowed, (r.slug, r.lang, where, sentence)
        if not r.params.targets:
            for text in (r.text, r.pdf):
                assert _norm(t("kf_no_targets", r.lang)) in text
                for word in ("target", "mục tiêu") if r.lang == "en" else ("mục tiêu",):
                    for m in re.finditer(word, text, flags=re.I):
                        context = text[m.start():m.end() + 60]
                        assert not re.search(r"\d\s?%", context), (r.slug, r.lang, context)


def test_key_findings_scorecard_and_payload_tell_one_story(reports):
    for r in _each(reports):
        p = r.payload
        kf = r.section_items("kf_heading")
        assert kf, (r.slug, r.lang)
        counts = p["target_status_counts"]
        if p["n_targets"]:
            expect = t("kf_targets", r.lang, n=p["n_targets"], met=counts.get("met", 0),
                       on_track=counts.get("on_track", 0), behind=counts.get("behind", 0),
                       no_data=counts.get("no_data", 0))
            assert _norm(expect) in kf
            # the scorecard table: one row per target, the same status and observed figure as the payload
            rows = r.table("scorecard_heading")
            header, body = rows[0], rows[1:]
            status_col, obs_col = header.index(t("col_status", r.lang)), header.index(t("col_observed", r.lang))
            assert len(body) == len(p["targets"])
            for row, target in zip(body, p["targets"]):
                assert row[status_col] == t(f"status_{target['status']}", r.lang)
                if target["years_counted"] is not None:
                    assert row[obs_col] == t("obs_years", r.lang, k=target["years_met"], n=target["years_counted"])
                elif target["observed"] is None:
                    assert row[obs_col] == "—"
                else:
                    assert row[obs_col].rstrip("%") in (r.num(target["observed"], 0), r.num(target["observed"], 1))
        # the headline effect: the payload's estimate as a percent change, its interval, the significance verdict
        effect = p.get("effect")
        if effect is not None:
            pct = lambda x: _norm(r.num(100 * (math.exp(x) - 1), 1) + "%")  # noqa: E731
            line = [x for x in kf if pct(effect["conf_low"]) in x and pct(effect["conf_high"]) in x]
            assert line, (r.slug, r.lang, kf)
            assert pct(abs(effect["estimate"]) if effect["estimate"] >= 0 else effect["estimate"]).lstrip("-−") \
                in line[0].replace("−", "-").replace("-", "")
            verdict = "kf_sig" if effect["p_value"] < 0.05 else "kf_not_sig"
            assert t(verdict, r.lang) in line[0]
        # labour productivity: the panel's figure as the payload has it; the target verdict is the scorecard's
        lp = p["findings"]["labour_productivity"]
        if lp["value"] is not None:
            assert any(r.num(lp["value"], 1) + "%" in x for x in kf), (r.slug, r.lang, kf)
        target = p["findings"]["labour_productivity"]["target"]
        lp_lines = [x for x in kf if lp["value"] is not None and r.num(lp["value"], 1) + "%" in x]
        if target is None:
            assert not any(w in " ".join(lp_lines).lower() for w in ("target", "chỉ tiêu", "mục tiêu"))
        else:
            status = next(x["status"] for x in p["targets"] if x["target_id"] == target["target_id"])
            assert target["status"] == status
            assert any(t(f"status_{status}", r.lang).lower() in x.lower() for x in lp_lines), (r.slug, lp_lines)


def test_growth_accounting_text_agrees_with_its_table_and_the_scorecard(reports):
    for r in _each(reports):
        ga = r.payload["findings"]["growth_accounting"]
        if ga is None:
            continue
        rows = [tb["rows"] for tb in r.tables if tb["rows"] and tb["rows"][0][0] == t("ga_component", r.lang)]
        assert rows, (r.slug, r.lang)
        table = {row[0]: row[1:] for row in rows[0][1:]}
        share = table[t("ga_tfp_share", r.lang)]
        assert share[0] == r.num(100 * ga["tfp_share"], 1) + "%"
        assert share[1] == t("unit_share_of_growth", r.lang)
        for key in ("ga_output", "ga_capital", "ga_labour", "ga_tfp"):  # log points: never a % sign
            value, unit = table[t(key, r.lang)]
            assert "%" not in value and unit == t("unit_log_points", r.lang)
        assert table[t("ga_output", r.lang)][0] == r.num(100 * ga["output_growth"], 1)
        target = ga["target"]
        if target is not None:  # the text names the returns (scorecard) and the sample's share, and says why
            sentence = _norm(t("ga_target", r.lang, goal="§", src="§", returns="§", years="§", status="§",
                               share="§")).split("§")
            assert all(part.strip() in r.text for part in sentence if part.strip())
            assert r.num(target["observed"], 1) + "%" in r.text


def _printed_number(text: str, lang: str) -> float:
    text = text.replace("−", "-")
    if lang == "vi":
        text = text.replace(".", "").replace(",", ".")
    return float(text.replace(",", ""))


def test_limitations_agree_with_the_tables_they_cite(reports):
    for r in _each(reports):
        lims = r.section_items("limitations_heading")
        p = r.payload
        selection = [x for x in lims if x.startswith(_norm(t("lim_selection_intro", r.lang)))]
        if p.get("effect") is not None:
            assert len(selection) == 1, (r.slug, r.lang, lims)
        balance = [tb["rows"] for tb in r.tables if tb["rows"] and tb["rows"][0][-1] == t("col_norm_diff", r.lang)]
        sel = p["findings"]["selection"]
        if not balance:
            assert sel is None
            continue
        # the balance table as printed: normalised differences of employment and of productivity
        printed = {row[0]: row[-1] for row in balance[0][1:] if row[-1] != "—"}
        for variable, key in (("bal_log_employment", "size"), ("bal_log_va_per_worker", "productivity")):
            cell = printed.get(t(variable, r.lang))
            if cell is None:
                assert sel is None or sel[key] is None
                continue
            value = _printed_number(cell, r.lang)
            word = "more" if value >= 0.1 else "less" if value <= -0.1 else "similar"
            assert sel[key] == word, (r.slug, key, value, sel)
            if selection:
                phrase = _norm(t(f"sel_{key}_{word}", r.lang, nd=cell))
                assert phrase in selection[0], (r.slug, r.lang, phrase, selection[0])
                for other in {"more", "less", "similar"} - {word}:
                    assert _norm(t(f"sel_{key}_{other}", r.lang, nd="§")).split("(")[0] not in selection[0]
        # "only N supported firms" is the effects section's N; the interval quoted is the key findings' one
        few = [x for x in lims if x.startswith(_norm(t("lim_few_supported", r.lang, n="§")).split("§")[0])]
        if few:
            assert count_text(p["n_supported"], 3, r.lang) in few[0]
        wide = [x for x in lims if x.startswith(_norm(t("lim_wide", r.lang, lo="§", hi="§")).split("§")[0])]
        if wide:
            e = p["effect"]
            assert _norm(r.num(100 * (math.exp(e["conf_low"]) - 1), 1)) in wide[0]
            assert _norm(r.num(100 * (math.exp(e["conf_high"]) - 1), 1)) in wide[0]


def test_each_fact_once_and_technical_detail_in_the_appendix(reports):
    """No paragraph or list item is printed twice (the synthetic-data banner, top and bottom, aside); a province
    without a plan says so once (plans section) and the key findings once that no target is scored, with no
    scorecard section; the count of negatively weighted TWFE observations is in the method appendix, not in the
    main text; the effects section says which rows the table has, from the estimators it shows."""
    from collections import Counter

    for r in _each(reports):
        blocks = [_norm(unescape(re.sub(r"<[^>]+>", " ", b))) for _, b in
                  re.findall(r"<(p|li)\b[^>]*>(.*?)</\1>", r.html, flags=re.S)]
        banner = _norm(t("synthetic_banner", r.lang))
        repeated = [b for b, n in Counter(blocks).items() if n > 1 and b != banner and len(b) > 30]
        assert not repeated, (r.slug, r.lang, repeated)
        if not r.params.plans:
            for text in (r.text, r.pdf):
                assert text.count(_norm(t("no_plans", r.lang, slug=r.slug))) == 1, (r.slug, r.lang)
                assert text.count(_norm(t("kf_no_targets", r.lang))) == 1, (r.slug, r.lang)
            assert _norm(t("scorecard_heading", r.lang)) not in r.text
        main_text, appendix = r.text.split(_norm(t("methods_heading", r.lang)))[:2]
        assert not re.search(r"negative (TWFE )?weight|trọng số âm", main_text), (r.slug, r.lang)
        shown = r.payload["analysis"]["estimators"]
        if "twfe" in r.payload["effects"]:
            weights = _norm(t("m_weights", r.lang, neg="§", n="§")).split("§")
            assert all(piece.strip() in appendix for piece in weights), (r.slug, r.lang)
            robust = [t(f"kf_method_{e}", r.lang) for e in shown if e != "twfe"]
            names = join_names(robust, r.lang)
            assert _norm(t("effects_rows_twfe_first", r.lang, names=names)) in main_text


def test_effects_sentences_agree_with_the_table_and_the_support_section(reports):
    """The key finding's count of supported firms agrees with "Who was supported" ("10 (of 11)" when the analysis
    keeps fewer); TWFE and Callaway–Sant'Anna are compared in the percent changes of the table, "the same
    conclusion" only when both (or neither) are significant at 5 %; the effects-by-type verdict follows its p."""
    from evalutils.report.formatting import pct_effect

    for r in _each(reports):
        p = r.payload
        if p.get("effect") is None:
            continue
        support = [tb["rows"] for tb in r.tables if tb["heading"] == _norm(t("support_heading", r.lang))]
        total = int(_printed_number(support[0][-1][-1], r.lang))  # the table's last cell: the total
        kf = r.section_items("kf_heading")[0]
        n = count_text(p["n_supported"], 3, r.lang)
        expect = n if p["n_supported"] == total else t("kf_n_of_total", r.lang, n=n, total=count_text(total, 3, r.lang))
        assert _norm(expect) + " " in kf, (r.slug, r.lang, expect, kf)
        e = p["effects"]
        if "twfe" in e and "callaway_santanna" in e:
            tw, cs = e["twfe"], e["callaway_santanna"]
            key = "diff_large" if abs(tw["estimate"] - cs["estimate"]) > max(tw["std_error"], cs["std_error"]) \
                else "diff_small"
            same = (tw["p_value"] < 0.05) == (cs["p_value"] < 0.05)
            end = t("diff_same_conclusion", r.lang) if same else "."
            sentence = t(key, r.lang, twfe=pct_effect(tw["estimate"], r.lang), cs=pct_effect(cs["estimate"], r.lang),
                         end=end)
            assert _norm(sentence) in r.text, (r.slug, r.lang, sentence)
        by_type = [tb["rows"] for tb in r.tables if tb["rows"] and t("col_p_holm", r.lang) in tb["rows"][0]]
        if r.slug == "ho-chi-minh":
            assert by_type, r.lang  # six support types of at least 10 firms: the table is shown
        if by_type:
            m = re.search(r"p = ([\d.,]+); ", r.text.split(_norm(t("by_type_heading", r.lang)))[1])
            verdict = "by_type_differ" if _printed_number(m.group(1), r.lang) < 0.05 else "by_type_no_diff"
            assert _norm(t(verdict, r.lang)) in r.text, (r.slug, r.lang)


def test_the_pdf_says_what_the_html_says(reports):
    for r in _each(reports):
        for heading in ("kf_heading", "limitations_heading"):
            for item in r.section_items(heading):
                assert item in r.pdf, (r.slug, r.lang, item)
        # every figure has a caption (no empty "Hình 1:"), and the footer speaks the report's language
        captions = re.findall(r"(?:Hình|Figure) \d+:(.*)", r.pdf_raw)
        assert captions and all(c.strip() for c in captions), (r.slug, r.lang, captions)
        assert f"· {t('pdf_footer_synthetic', r.lang)}" in r.pdf_raw


def test_pdf_banner_once_m_bar_once_and_layout(truth_build, reports, tmp_path):
    """The PDF's text layer and layout (issue 14 item 10): the synthetic-data banner once, on the title page (not
    again at the top of page 2); the sensitivity analysis' M̄ written as often as the HTML writes it, never "M̄M̄";
    the Typst source of each report has a header row in every table (Typst repeats it on every page), a caption
    under every figure and no centred column (checks of tests/render/test_pdf_text.py)."""
    import importlib.util

    import nbformat

    spec = importlib.util.spec_from_file_location("_pdf_text_checks", ROOT / "tests" / "render" / "test_pdf_text.py")
    checks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checks)
    out = truth_build[1]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    notebooks = {(e["province"], e["lang"]): out / e["executed_notebook"] for e in manifest["reports"].values()}
    m_bar = 0
    for r in _each(reports):
        pages = r.pdf_raw.split("\f")
        banner = _norm(t("synthetic_banner", r.lang))
        assert banner in _norm(pages[0]) and sum(_norm(p).count(banner) for p in pages) == 1, (r.slug, r.lang)
        assert "M\u0304M\u0304" not in r.pdf_raw
        assert r.pdf.count("M\u0304") == r.text.count("M\u0304"), (r.slug, r.lang)
        m_bar += r.pdf.count("M\u0304")
        body = checks.report_typst(nbformat.read(notebooks[r.slug, r.lang], as_version=4), tmp_path)
        assert checks.typst_layout_problems(body) == [], (r.slug, r.lang)
    assert m_bar >= 2  # the sensitivity paragraph is there (Bạc Liêu or Hồ Chí Minh City, both languages)


def _english_vocabulary() -> set[str]:
    """The words of the English messages (and a few more), less the allow-list."""
    en = set()
    for m in MESSAGES.values():
        en |= {w.lower() for w in re.findall(r"[A-Za-z]+", re.sub(r"\{[^}]*\}", " ", m["en"]))}
    extra = {"run", "at", "data", "files", "parameters", "packages", "seed", "code", "revision", "synthetic",
             "demonstration", "of", "and", "in", "is", "not", "no", "item", "value", "figure", "table", "analysis"}
    return (en | extra) - ALLOWED_IN_VI


def test_vietnamese_reports_have_no_english(reports):
    vocabulary = _english_vocabulary()
    assert {"target", "run", "data", "wild", "imputation"} <= vocabulary
    for r in _each(reports):
        if r.lang != "vi":
            continue
        for text, where in ((r.text, "html"), (r.pdf, "pdf")):
            assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (r.slug, where, "a variable name")
            words = {w.lower() for w in re.findall(r"\w+", text) if re.fullmatch(r"[A-Za-z]+", w)}
            english = sorted(words & vocabulary)
            assert not english, (r.slug, where, english)


def test_numbers_in_vietnamese_use_the_decimal_comma(reports):
    for r in _each(reports):
        if r.lang != "vi":
            continue
        for text in (r.text, r.pdf):
            text = text.split(_norm(t("provenance_heading", "vi")))[0]  # package versions are not figures
            # a decimal point between digits (not a date, a version or a thousands group of three digits)
            bad = [m.group(0) for m in re.finditer(r"(?<![\d.])\d+\.\d{1,2}(?![\d.])", text)]
            assert not bad, (r.slug, bad[:5])


def test_vietnamese_figures_use_the_decimal_comma(truth_build):
    """The numbers on the figures' axes, as drawn, use the decimal comma in Vietnamese (the point in English)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    import evalutils.report.province as report

    data, _ = truth_build
    for lang, sep, other in (("vi", ",", "."), ("en", ".", ",")):
        ctx = report.load_province_context("bac-lieu", data_dir=data, params_dir=ROOT / "params", lang=lang)
        figs = [report.tfp_figure(ctx, report.tfp_trend(ctx)), report.scorecard_figure(ctx)]
        labels = []
        for fig in figs:
            FigureCanvasAgg(fig)
            fig.canvas.draw()
            for ax in fig.axes:
                labels += [x.get_text() for x in ax.get_yticklabels() + ax.get_xticklabels()]
        decimals = [x for x in labels if re.search(r"\d[.,]\d", x)]
        assert decimals, labels
        assert all(sep in x and other not in x for x in decimals), (lang, decimals)


def test_mde_and_pretest_in_the_text_are_the_payloads(reports):
    """The minimum detectable effect and the pre-trend test's p-value that a report prints are the numbers its
    results payload carries (issue 12; the website's MDE column reads the payload)."""
    from evalutils.report.formatting import fmt, pct_effect
    checked = 0
    for r in _each(reports):
        mde, pretest = r.payload.get("mde"), r.payload.get("pretest")
        if mde is None:  # no MDE in the payload: the report states none
            assert t("kf_mde_missed", r.lang, mde="@").split("@")[0] not in r.text, (r.slug, r.lang)
            continue
        assert mde["power"] == 0.8 and mde["alpha"] == 0.05 and mde["method"], (r.slug, r.lang)
        printed = pct_effect(mde["estimate"], r.lang)
        assert printed in r.text, (r.slug, r.lang, printed)
        if pretest is not None:
            assert pretest["method"] and 0 <= pretest["p_value"] <= 1
            assert fmt(pretest["p_value"], r.lang, 3) in r.text, (r.slug, r.lang)
        checked += 1
    assert checked >= 2
