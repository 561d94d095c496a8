"""The province report describes the analysis it ran, not the default one (issue 14).

Province reports are built by the real command (`evalutils run --set analysis.…`: papermill, a real kernel,
nbconvert) in Vietnamese and English under two sets of non-default analysis choices, and every sentence that
describes the method or the effects table is checked to name what was used, and nothing else:

* **A** (Bạc Liêu, 10 supported firms): imputation alone, on log TFP, standard errors clustered by VSIC section: no TWFE anywhere (no "first
  row is TWFE", no TWFE diagnostic), firm clusters named nowhere, the key finding quotes the imputation estimate on
  TFP, the appendix says Callaway–Sant'Anna (run for the pre-trend test) is not in the table;
* **B** (Hồ Chí Minh City, SMEs: about 230 supported firms): TWFE alone, not-yet-supported comparison group, covariates, SMEs only: no imputation anywhere, no
  "never-supported" comparison group, the table is said to hold TWFE only, the sample and the controls TWFE uses
  are named in words (no code identifiers in Vietnamese), the negative-weight count is in the appendix only;
* the trend and growth-accounting text say they cover every firm of the enterprise panel, and under B's sample
  restriction that the effects use only the firms kept (never "the enterprises in the sample" for all of them);
  the figures' captions follow the outcome analysed (A: TFP) and the scorecard chart is not captioned as a table;
* **C** (Nam Định, default choices, too few supported firms for an estimate): why no effect is estimated is said
  in the key findings and the effects section only (not again under effects by type, in the limitations or the
  appendix), and no paragraph of any report is printed twice.
"""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from evalutils.cli import main
from evalutils.i18n import LANGS, t
from evalutils.panel.demo import write_demo

pytestmark = pytest.mark.slow
PROVINCES = {"A": "bac-lieu", "B": "ho-chi-minh", "C": "nam-dinh"}
CHOICES = {
    "A": ["analysis.estimators=[imputation]", "analysis.outcome=log_tfp", "analysis.cluster=vsic_section"],
    "B": ["analysis.estimators=[twfe]", "analysis.control_group=not_yet_treated",
          "analysis.covariates=[log_employment, ownership]", "analysis.sample.size_class=[micro, small, medium]"],
    "C": [],
}


class _Sections(HTMLParser):
    """Visible text of a report, and the text of each <h2> section and of each <li> under it."""

    def __init__(self):
        super().__init__()
        self.sections: dict[str, list[str]] = {}
        self.items: dict[str, list[str]] = {}
        self.heading, self._h, self._skip, self._li = "", None, 0, None

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "h2":
            self._h = []
        elif tag == "li":
            self._li = []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag == "h2" and self._h is not None:
            self.heading = " ".join("".join(self._h).split())
            self._h = None
        elif tag == "li" and self._li is not None:
            self.items.setdefault(self.heading, []).append(" ".join("".join(self._li).split()))
            self._li = None

    def handle_data(self, data):
        if self._skip:
            return
        if self._h is not None:
            self._h.append(data)
        self.sections.setdefault(self.heading, []).append(data)
        if self._li is not None:
            self._li.append(data)


class Built:
    def __init__(self, html: str, payload: dict, lang: str):
        p = _Sections()
        p.feed(html)
        self.lang = lang
        self.payload = payload
        self.text = " ".join(unescape(" ".join(sum(p.sections.values(), []))).split())
        self.sections = {h: " ".join(" ".join(v).split()) for h, v in p.sections.items()}
        self.items = p.items
        self.blocks = [" ".join(unescape(re.sub(r"<[^>]+>", " ", b)).split())
                       for _, b in re.findall(r"<(p|li)\b[^>]*>(.*?)</\1>", html, flags=re.S)]

    def section(self, key: str) -> str:
        return self.sections[t(key, self.lang)]

    def list_items(self, key: str) -> list[str]:
        return self.items[t(key, self.lang)]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data = tmp_path_factory.mktemp("choices-data")
    write_demo(data, scale=1.0)
    out = {}
    for name, settings in CHOICES.items():
        reports = tmp_path_factory.mktemp(f"choices-{name}")
        args = ["run", "--data", str(data), "--reports", str(reports), "--provinces", PROVINCES[name], "--lang", "vi,en",
                "--workers", "1"]
        for s in settings:
            args += ["--set", s]
        assert main(args) == 0
        manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
        for entry in manifest["reports"].values():
            html = (reports / entry["html"]).read_text(encoding="utf-8")
            out[name, entry["lang"]] = Built(html, entry["results"], entry["lang"])
    assert set(out) == {(n, lang) for n in CHOICES for lang in LANGS}
    return out


def _tr(key: str, lang: str, **values) -> str:
    return t(key, lang, **values)


@pytest.mark.parametrize("lang", LANGS)
def test_imputation_on_tfp_clustered_by_sector_names_only_what_was_used(built, lang):
    r = built["A", lang]
    a = r.payload["analysis"]
    assert a["estimators"] == ["imputation"] and a["outcome"] == "log_tfp" and a["cluster"] == "vsic_section"
    # no TWFE anywhere: not in the table, not "the first row", not its diagnostic or its disagreement
    assert "TWFE" not in r.text
    effects = r.section("effect_heading")
    assert _tr("effects_rows_robust_one", lang, names=_tr("kf_method_imputation", lang)) in effects
    assert _tr("effects_rows_secondary", lang, what=_tr("kf_what_log_va_per_worker", lang)) in effects
    assert _tr("est_bjs", lang) in effects and _tr("est_cs", lang) not in effects
    # clusters: the section everywhere, the firm nowhere
    assert _tr("stars_note_vsic_section", lang) in effects and _tr("stars_note", lang) not in r.text
    appendix = " ".join(r.list_items("methods_heading"))
    assert _tr("cluster_vsic_section", lang) in appendix
    by_firm = "standard errors clustered by firm" if lang == "en" else "theo cụm doanh nghiệp"
    assert by_firm not in r.text.lower()
    assert _tr("m_cs_not_shown", lang).strip() in appendix  # run for the pre-trend test, not in the table
    assert _tr("m_outcome_log_tfp", lang) in appendix and _tr("m_outcome", lang) not in appendix
    # the key finding quotes the estimate shown (imputation) on the outcome analysed (TFP)
    effect = r.payload["effect"]
    assert effect["estimator"] == "imputation" and effect["outcome"] == "log_tfp"
    first = r.list_items("kf_heading")[0]
    assert _tr("kf_method_imputation", lang) in first and _tr("kf_what_log_tfp", lang) in first
    assert "Callaway" not in first
    assert _tr("lim_selection_all_firms", lang) not in r.text  # no sample restriction
    # which firms the trend and growth accounting cover: all the panel's, and no restriction to tell apart
    trend = r.section("trend_heading")
    assert ("all the enterprises in the enterprise panel" if lang == "en"
            else "mọi doanh nghiệp trong dữ liệu bảng doanh nghiệp") in trend
    for key in ("scope_whole_panel", "scope_ga"):
        assert _tr(key, lang, sample="§").split("§")[0] not in r.text
    # the figures' captions: what each shows, on the outcome analysed (TFP), the scorecard chart not as a table
    captions = {e["id"]: e["caption"] for e in r.payload["exhibits"]}
    what = _tr("kf_what_log_tfp", lang)
    assert captions["event-study-chart"] == _tr("es_caption", lang, what=what) in effects
    if "sensitivity-chart" in captions:
        assert captions["sensitivity-chart"] == _tr("sens_caption", lang, what=what) in r.text
    assert captions["scorecard-chart"] == _tr("scorecard_chart_caption", lang) in r.text
    assert captions["scorecard-chart"] != captions["scorecard-table"]


@pytest.mark.parametrize("lang", LANGS)
def test_twfe_alone_on_smes_with_controls_names_only_what_was_used(built, lang):
    r = built["B", lang]
    a = r.payload["analysis"]
    assert a["estimators"] == ["twfe"] and a["control_group"] == "not_yet_treated"
    assert "Borusyak" not in r.text and _tr("est_bjs", lang) not in r.text  # imputation nowhere
    # the comparison group chosen, never the default one
    assert _tr("control_never_treated", lang) not in r.text and _tr("est_cs", lang) not in r.text
    effects = r.section("effect_heading")
    assert _tr("effects_rows_twfe_only", lang) in effects
    assert _tr("effects_rows_twfe_first", lang, names="§").split("§")[0] not in effects
    assert _tr("effects_control_any", lang) in effects  # TWFE compares with every firm not (yet) supported
    sample = "size class: micro, small, medium" if lang == "en" else "quy mô: siêu nhỏ, nhỏ, vừa"
    assert sample in effects
    # the trend and the growth accounting cover every firm of the panel, the effects only the SMEs: the text says so
    trend = r.section("trend_heading")
    assert _tr("scope_whole_panel", lang, sample=sample) in trend
    assert r.payload["findings"]["growth_accounting"] is not None
    assert _tr("scope_ga", lang, sample=sample) in trend
    assert ("enterprises in the sample" if lang == "en" else "doanh nghiệp trong mẫu") not in r.text
    appendix = " ".join(r.list_items("methods_heading"))
    assert sample in appendix
    # the selection limitation reads the balance table of all the province's firms, and says so
    assert _tr("lim_selection_all_firms", lang) in " ".join(r.list_items("limitations_heading"))
    # TWFE's controls: the covariate that varies within firms (ownership is absorbed by the firm effects)
    assert _tr("m_twfe_controls", lang, names=_tr("cov_log_employment", lang)) in appendix
    # Callaway–Sant'Anna (run for the pre-trend test) conditions on both covariates chosen
    both = _tr("cov_log_employment", lang) + ", " + _tr("cov_ownership", lang)
    assert _tr("m_cs_covariates", lang, names=both) in appendix
    assert _tr("cluster_firm_id", lang) in appendix and _tr("stars_note", lang) in effects
    # the key finding quotes TWFE
    first = r.list_items("kf_heading")[0]
    assert _tr("kf_method_twfe", lang) in first and r.payload["effect"]["estimator"] == "twfe"
    # the negative-weight count: in the appendix, not in the main text
    after = _tr("m_weights", lang, neg="§", n="§").split("§")[2][:40]  # "… carry a negative weight" / "… có trọng số âm"
    assert after in appendix
    main_text = r.text.split(t("methods_heading", lang))[0]
    assert after not in main_text
    assert not re.search(r"negative (TWFE )?weight|trọng số âm", main_text)
    if lang == "vi":  # the choices in words: no code identifiers, no English values (the provenance table
        # records the run's parameters verbatim, to re-run it: left out)
        words = r.text.split(t("provenance_heading", lang))[0]
        for word in ("micro", "small", "medium", "log_employment", "ownership", "not_yet_treated", "twfe"):
            assert not re.search(rf"\b{re.escape(word)}\b", words), word


@pytest.mark.parametrize("lang", LANGS)
def test_no_effect_is_explained_once(built, lang):
    r = built["C", lang]
    assert r.payload["effect"] is None and r.payload["effects"] == {}
    kf = r.list_items("kf_heading")
    why = [b for b in r.blocks if _tr("effect_unavailable", lang, reason="§").split("§")[0] in b]
    assert len(why) == 1 and kf[0].startswith(_tr("kf_no_effect", lang, reason="§").split("§")[0])
    # the reason itself: in the key finding and the effects section, nowhere else
    core = why[0].split(": ", 1)[1].rstrip(".")
    assert core in kf[0]
    assert sum(core in b for b in r.blocks) == 2, [b for b in r.blocks if core in b]
    assert t("by_type_heading", lang) not in r.sections
    assert t("lim_missing_estimate", lang, reason="§").split("§")[0] not in r.text


def test_no_paragraph_is_printed_twice(built):
    from collections import Counter

    for (name, lang), r in built.items():
        banner = " ".join(t("synthetic_banner", lang).split())
        repeated = [b for b, n in Counter(r.blocks).items() if n > 1 and b != banner and len(b) > 30]
        assert not repeated, (name, lang, repeated)


def test_vietnamese_reports_under_other_choices_have_no_english(built):
    """The words the non-default choices bring (sample, covariates, clusters, estimators) are Vietnamese too: the
    English-vocabulary check of tests/test_report_truth.py over these reports (the provenance table, which records
    the run's parameters verbatim, aside)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_truth_checks", Path(__file__).parents[1] / "test_report_truth.py")
    truth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(truth)
    vocabulary = truth._english_vocabulary()
    for name in CHOICES:
        r = built[name, "vi"]
        text = r.text.split(t("provenance_heading", "vi"))[0]
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (name, "a variable name")
        words = {w.lower() for w in re.findall(r"\w+", text) if re.fullmatch(r"[A-Za-z]+", w)}
        assert not words & vocabulary, (name, sorted(words & vocabulary))
