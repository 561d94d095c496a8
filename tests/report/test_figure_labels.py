"""The effect figures say what they draw, in the report's language (issue 14, review of the province reports).

* the event-study and sensitivity figures draw effects as the text gives them, percent changes 100 (e^b − 1) of
  the log outcome, the y-axis naming the quantity and the unit ("%"), Vietnamese axes with the decimal comma;
* the sensitivity legend says in words what each interval assumes (no "C-LF" or any method acronym);
* the scorecard chart has a caption of its own (what it shows), not the scorecard table's heading; the figure's
  caption, its alternative text and its exhibit's caption are the same words, and the exhibit data keep their
  ids and columns (the percent changes drawn are added after them).

The library functions are checked on small hand-made results; the report's figures on a real context and a real
evaluation of the demo data (Bạc Liêu, scale 1).
"""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

from evalutils.effects import honest_did, plot_event_study, plot_sensitivity
from evalutils.i18n import LANGS, t
from evalutils.report.formatting import localise_axes

matplotlib.use("Agg")

ACRONYMS = ("C-LF", "FLCI", "Mbar", "ATT")


def _event_frame() -> pd.DataFrame:
    f = pd.DataFrame({"event_time": [-2, -1, 0, 1, 2],
                      "estimate": [0.001, -0.002, 0.004, 0.008, 0.006],
                      "conf_low": [-0.003, -0.006, 0.0, 0.003, 0.001],
                      "conf_high": [0.005, 0.002, 0.008, 0.013, 0.011]})
    f.attrs.update(alpha=0.05, band=True, label="Callaway–Sant'Anna")
    return f


def _tick_texts(ax, axis: str) -> list[str]:
    ax.figure.canvas.draw()
    return [x.get_text() for x in getattr(ax, f"get_{axis}ticklabels")() if x.get_text()]


@pytest.mark.parametrize("lang", LANGS)
def test_event_study_in_percent_changes_with_its_unit(lang):
    import matplotlib.pyplot as plt

    f = _event_frame()
    ax = plot_event_study(f, lang=lang, scale="percent")
    localise_axes(ax.figure, lang)
    # the y-axis: quantity and unit, in the report's language
    assert ax.get_ylabel() == {"en": "Effect (change, %)", "vi": "Tác động (thay đổi, %)"}[lang]
    # what is drawn: 100 (e^b - 1), the interval's ends mapped end by end
    bars = ax.containers[0]
    assert np.allclose(bars.lines[0].get_ydata(), 100 * np.expm1(f["estimate"]))
    segments = np.array([s[:, 1] for s in bars.lines[2][0].get_segments()])
    assert np.allclose(np.sort(segments, axis=1), 100 * np.expm1(f[["conf_low", "conf_high"]].to_numpy()))
    # the percent ticks are fractional here (0.2, 0.4 ...): Vietnamese writes them with the decimal comma
    ticks = _tick_texts(ax, "y")
    assert any(re.search(r"\d[.,]\d", x) for x in ticks), ticks
    assert not any("." in x for x in ticks) if lang == "vi" else not any("," in x for x in ticks), ticks
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert legend == [f"Callaway–Sant'Anna ({t_band})" for t_band in
                      [{"en": "95% simultaneous confidence band", "vi": "dải tin cậy đồng thời 95%"}[lang]]]
    plt.close(ax.figure)
    # the default scale draws the estimates as they are and says so; a bad scale is refused naming the choices
    ax = plot_event_study(f, lang=lang, ylabel="custom label")
    assert np.allclose(ax.containers[0].lines[0].get_ydata(), f["estimate"]) and ax.get_ylabel() == "custom label"
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="estimate.*percent"):
        plot_event_study(f, scale="log")


@pytest.mark.parametrize("lang", LANGS)
def test_sensitivity_legend_and_axes_in_words(lang):
    import matplotlib.pyplot as plt

    res = honest_did([0.01, -0.01, 0.08], np.diag([0.0004, 0.0004, 0.0004]), num_pre=2, num_post=1,
                     M=[0, 0.5, 1, 1.5, 2])
    assert np.isfinite(res.breakdown)  # the breakdown value is drawn and written out
    ax = plot_sensitivity(res, lang=lang, scale="percent")
    localise_axes(ax.figure, lang)
    words = [x.get_text() for x in ax.get_legend().get_texts()] + [x.get_text() for x in ax.texts]
    words += [ax.get_xlabel(), ax.get_ylabel()]
    for acronym in ACRONYMS:
        assert not any(acronym in w for w in words), (acronym, words)
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert legend == {
        "en": ["usual 95% confidence interval (parallel trends hold)",
               "95% confidence interval still valid if trends diverge up to M̄ times as much as before support"],
        "vi": ["khoảng tin cậy 95% thông thường (giả định xu hướng song song đúng)",
               "khoảng tin cậy 95% vẫn đúng khi xu hướng chênh nhau tới M̄ lần mức trước hỗ trợ"]}[lang]
    assert ax.get_ylabel().replace("\n", " ") == {"en": "Average effect (change, %)",
                                                   "vi": "Tác động bình quân (thay đổi, %)"}[lang]
    assert ("multiples of the largest divergence before support" if lang == "en"
            else "số lần mức chênh lệch lớn nhất trước hỗ trợ") in ax.get_xlabel()
    # the breakdown in words, with its value as the text writes numbers
    value = f"{res.breakdown:.3g}"
    note = ax.texts[0].get_text()
    assert note == ({"en": f"beyond M̄ = {value} the interval includes zero",
                     "vi": f"quá M̄ = {value.replace('.', ',')}, khoảng tin cậy chứa 0"}[lang])
    # drawn in percent changes: the robust sets' ends are 100 (e^lb - 1), 100 (e^ub - 1)
    segs = np.array([np.sort(s[:, 1]) for s in ax.containers[1].lines[2][0].get_segments()])
    iv = res.intervals[np.isfinite(res.intervals["lb"]) & np.isfinite(res.intervals["ub"])]
    assert np.allclose(segs, 100 * np.expm1(iv[["lb", "ub"]].to_numpy()))
    ticks = _tick_texts(ax, "x")
    assert ("0,5" if lang == "vi" else "0.5") in ticks
    plt.close(ax.figure)


# --- the report's figures, on a real context and evaluation -------------------------------------------------------


@pytest.fixture(scope="module")
def contexts(tmp_path_factory):
    from evalutils.panel.demo import write_demo
    from evalutils.report.province import evaluate, load_province_context

    root = tmp_path_factory.mktemp("figure-labels")
    write_demo(root / "data", scale=1.0)
    params = __import__("pathlib").Path(__file__).parents[2] / "params"
    out = {}
    for lang in LANGS:
        ctx = load_province_context("bac-lieu", data_dir=root / "data", params_dir=params, lang=lang,
                                    cache_dir=root / "cache")
        out[lang] = ctx, evaluate(ctx)
    return out


def _exhibit(exhibit_id: str) -> dict:
    from evalutils.report import exhibits

    return {e["id"]: e for e in exhibits.recorded()}[exhibit_id]


def _alt_and_caption(fig, alt: str) -> tuple[str, str]:
    from html import unescape

    from evalutils.report.figures import figure_html

    html = figure_html(fig, alt)
    return (unescape(re.search(r'alt="([^"]*)"', html).group(1)),
            unescape(re.search(r"<figcaption>(.*?)</figcaption>", html, flags=re.S).group(1)))


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_report_event_study_names_outcome_and_unit(contexts, lang):
    from evalutils.report.figures import effects_figure

    ctx, ev = contexts[lang]
    assert ctx.analysis.outcome == "log_va_per_worker"
    fig = effects_figure(ctx, ev)
    ax = fig.axes[0]
    assert ax.get_ylabel().replace("\n", " ") == t("es_axis", lang, what=t("es_what_log_va_per_worker", lang))
    assert ax.get_ylabel().replace("\n", " ").endswith("(thay đổi, %)" if lang == "vi" else "(change, %)")
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    names = {"vi": ("Callaway–Sant'Anna", "Điền khuyết Borusyak–Jaravel–Spiess"),
             "en": ("Callaway–Sant'Anna", "Borusyak–Jaravel–Spiess imputation")}[lang]
    assert [x.split(" (")[0] for x in legend] == list(names)
    if lang == "vi":
        assert all(re.search(r"\((dải|khoảng) tin cậy", x) for x in legend), legend
        assert not any("." in x for x in _tick_texts(ax, "y"))
    # the exhibit: stable id and columns, the percent changes drawn added after them
    e = _exhibit("event-study-chart")
    assert e["columns"] == ["estimator", "event_time", "estimate", "conf_low", "conf_high", "simultaneous_band",
                            "level", "reference", "change_pct", "change_pct_low", "change_pct_high"]
    rows = pd.DataFrame(e["rows"], columns=e["columns"]).dropna(subset=["estimate", "conf_low", "conf_high"])
    assert len(rows) > 5
    for pct, log in (("change_pct", "estimate"), ("change_pct_low", "conf_low"), ("change_pct_high", "conf_high")):
        assert np.allclose(rows[pct], 100 * np.expm1(rows[log].astype(float)))
    drawn = np.concatenate([c.lines[0].get_ydata() for c in ax.containers])
    assert np.allclose(np.sort(drawn), np.sort(rows["change_pct"].astype(float)))
    # one caption: the page's, the alternative text and the exhibit's (whatever the notebook passes as alt)
    caption = t("es_caption", lang, what=t("kf_what_log_va_per_worker", lang))
    assert e["caption"] == caption
    assert _alt_and_caption(fig, t("effect_heading", lang)) == (caption, caption)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_report_sensitivity_figure_in_words(contexts, lang):
    from evalutils.report.figures import sensitivity_figure

    ctx, ev = contexts[lang]
    fig = sensitivity_figure(ctx, ev)
    assert fig is not None
    ax = fig.axes[0]
    texts = [x.get_text() for x in ax.get_legend().get_texts()] + [x.get_text() for x in ax.texts]
    assert not any(a in x for a in ACRONYMS for x in texts), texts
    assert ax.get_ylabel().replace("\n", " ") == t("sens_axis", lang, what=t("es_what_log_va_per_worker", lang))
    if lang == "vi":
        assert not any("." in x for x in _tick_texts(ax, "y") + _tick_texts(ax, "x"))
    e = _exhibit("sensitivity-chart")
    assert e["columns"] == ["M", "conf_low", "conf_high", "set", "breakdown", "change_pct_low", "change_pct_high"]
    rows = pd.DataFrame(e["rows"], columns=e["columns"])
    assert rows["set"].tolist()[0] == "usual"
    assert np.allclose(rows["change_pct_low"], 100 * np.expm1(rows["conf_low"].astype(float)))
    caption = t("sens_caption", lang, what=t("kf_what_log_va_per_worker", lang))
    assert e["caption"] == caption and _alt_and_caption(fig, t("sens_alt", lang)) == (caption, caption)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_scorecard_chart_has_its_own_caption(contexts, lang):
    from evalutils.report.figures import scorecard_figure

    ctx, _ = contexts[lang]
    fig = scorecard_figure(ctx)
    caption = t("scorecard_chart_caption", lang)
    assert caption != t("scorecard_heading", lang)
    e = _exhibit("scorecard-chart")
    assert e["caption"] == caption
    assert e["columns"] == ["province", "target_id", "target", "status", "status_text", "progress", "progress_drawn"]
    # the notebook passes the table's heading: the chart still shows its own caption, as alt text too
    assert _alt_and_caption(fig, t("scorecard_heading", lang)) == (caption, caption)
    # the x-axis says what a bar measures, Vietnamese ticks with the decimal comma
    assert fig.axes[0].get_xlabel() == t("progress_axis", lang)
    ticks = _tick_texts(fig.axes[0], "x")
    assert ("0,5" if lang == "vi" else "0.5") in ticks and ("1,0" if lang == "vi" else "1.0") in ticks
