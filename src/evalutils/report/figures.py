"""The report's figures (matplotlib, no pyplot state) and how a notebook shows them (PNG with alternative text)."""

from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd

from ..effects import plot_event_study, plot_sensitivity
from ..effects.plots import percent_change
from ..evaluate import Evaluation
from ..i18n import fmt_number, t
from .context import ProvinceContext
from .exhibits import figure_data
from .findings import productivity_target_rate
from .formatting import STATUS_COLOURS, localise_axes
from .html import render


def productivity_figure(ctx: ProvinceContext, trend: pd.DataFrame):
    """Line chart of the trend against the nation, with the path of the province's own labour-productivity target
    when its plan sets one (no line otherwise)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(7.5, 4.0), dpi=110)
    ax = fig.subplots()
    ax.plot(trend["year"], trend["province"], marker="o", color="#1f4e79", label=ctx.name)
    ax.plot(trend["year"], trend["national"], marker="s", color="#999999", label=t("national", ctx.lang))
    rate = productivity_target_rate(ctx)
    base_year = ctx.defaults.plan_period[0] - 1
    base = trend.loc[trend["year"] == base_year, "province"]
    if rate is not None and len(base) and np.isfinite(base.iloc[0]):  # only the province's own target
        yrs = np.arange(base_year, trend["year"].max() + 1)
        ax.plot(yrs, base.iloc[0] * (1 + rate / 100) ** (yrs - base_year), ls=":", color="#c51b7d",
                label=t("target_line", ctx.lang,
                        rate=fmt_number(rate, ctx.lang, 0 if float(rate).is_integer() else 1)))
        target = dict(zip(yrs, base.iloc[0] * (1 + rate / 100) ** (yrs - base_year)))
    else:
        target = {}
    ax.set_xlabel(t("col_year", ctx.lang))
    ax.set_ylabel(t("lp_axis", ctx.lang))
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    localise_axes(fig, ctx.lang)
    fig.tight_layout()
    data = _drawn(trend, ["year", "province", "national"])
    if target:
        data["target_path"] = [target.get(y) for y in data["year"]]
    return figure_data(fig, "productivity-chart", t("trend_heading", ctx.lang), data)


def tfp_figure(ctx: ProvinceContext, trend: pd.DataFrame):
    """Mean firm log TFP of the unit and the nation, as a change from the first year."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(7.5, 3.6), dpi=110)
    ax = fig.subplots()
    ax.plot(trend["year"], trend["province"], marker="o", color="#1f4e79", label=ctx.name)
    ax.plot(trend["year"], trend["national"], marker="s", color="#999999", label=t("national", ctx.lang))
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel(t("col_year", ctx.lang))
    ax.set_ylabel(t("tfp_axis", ctx.lang, y0=int(trend["year"].min())))
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    localise_axes(fig, ctx.lang)
    fig.tight_layout()
    return figure_data(fig, "tfp-chart", t("tfp_heading", ctx.lang), _drawn(trend, ["year", "province", "national"]))


def scorecard_figure(ctx: ProvinceContext):
    """Progress of each target as the scorecard measures it (1 = reached; per-year targets: share of years met;
    running cumulative targets: against the pro-rata share); None without targets."""
    from matplotlib.figure import Figure

    rows, drawn = [], []
    for m in ctx.members:
        sc = ctx.scorecard(m)
        for r in sc.itertuples():
            ratio = r.progress if r.progress is not None and pd.notna(r.progress) else np.nan
            label = r.label_vi if ctx.lang == "vi" else r.label_en
            label = label[:60] + ("…" if len(label) > 60 else "")
            # matplotlib reads text between two '$' as math ("US$ 3 bn … US$ 4 bn" cannot be drawn): escape them
            rows.append((label.replace("$", r"\$"), ratio, r.status))
            drawn.append((m.slug, r.target_id, label, r.status, t(f"status_{r.status}", ctx.lang),
                          ratio if np.isfinite(ratio) else None,
                          min(ratio, 2.0) if np.isfinite(ratio) else None))
    if not rows:
        return None
    fig = Figure(figsize=(7.5, 0.42 * len(rows) + 1.0), dpi=110)
    ax = fig.subplots()
    y = np.arange(len(rows))[::-1]
    vals = [min(r[1], 2.0) if np.isfinite(r[1]) else 0 for r in rows]
    ax.barh(y, vals, color=[STATUS_COLOURS[r[2]] for r in rows], height=0.6)
    # the status in words beside each bar, in the status colour: never told by colour alone
    for yi, v, r in zip(y, vals, rows):
        ax.text(v + 0.03, yi, t(f"status_{r[2]}", ctx.lang), va="center", fontsize=8,
                color=STATUS_COLOURS[r[2]], fontweight="bold",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
    ax.axvline(1.0, color="0.2", lw=1, ls="--")
    ax.set_yticks(y, [r[0] for r in rows], fontsize=8)
    ax.set_xlim(0, 2.75)  # room for the words beside a bar capped at 2
    ax.set_xticks([0, 0.5, 1.0, 1.5, 2.0])
    ax.set_xlabel(t("progress_axis", ctx.lang))
    ax.spines[["top", "right"]].set_visible(False)
    localise_axes(fig, ctx.lang)
    fig.tight_layout()
    data = pd.DataFrame(drawn, columns=["province", "target_id", "target", "status", "status_text", "progress",
                                        "progress_drawn"])
    # a chart is not a table: its own caption, saying what it shows (the table's heading is the section's)
    return _captioned(figure_data(fig, "scorecard-chart", t("scorecard_chart_caption", ctx.lang), data),
                      t("scorecard_chart_caption", ctx.lang))


def _outcome_words(ctx: ProvinceContext) -> tuple[str, str]:
    """The outcome analysed, short (an axis) and in full (a caption), in the report's language."""
    outcome = ctx.analysis.outcome
    return t(f"es_what_{outcome}", ctx.lang), t(f"kf_what_{outcome}", ctx.lang)


def effects_figure(ctx: ProvinceContext, evaluation: Evaluation):
    """Event-study figure: Callaway–Sant'Anna dynamic effects and the imputation estimator; None if neither ran.

    Drawn as the text reports effects, percent changes 100 (e^b − 1) of the log outcome, the axis naming the
    outcome and the unit; the legend names each estimator in the report's language."""
    from matplotlib.figure import Figure

    if not evaluation.event_studies:
        return None
    frames = []
    for es in evaluation.event_studies:
        f = es.effects.copy()
        f.attrs.update(alpha=es.alpha, band=es.band, label=es.label)
        frames.append(f)
    fig = Figure(figsize=(7.5, 4.2), dpi=110)
    ax = fig.subplots()
    short, full = _outcome_words(ctx)
    names = [t(f"kf_method_{es.estimator}", ctx.lang) for es in evaluation.event_studies]
    plot_event_study(frames, ax=ax, lang=ctx.lang, labels=[n[:1].upper() + n[1:] for n in names],
                     scale="percent", ylabel=t("es_axis", ctx.lang, what=short))
    localise_axes(fig, ctx.lang)
    fig.tight_layout()
    cols = ["event_time", "estimate", "conf_low", "conf_high"]
    # the interval drawn: a simultaneous band or a pointwise interval, at this level
    data = pd.concat([f.reindex(columns=cols).assign(estimator=f.attrs["label"], reference=f.get("reference", False),
                                                     simultaneous_band=bool(f.attrs["band"]),
                                                     level=1 - float(f.attrs["alpha"]))
                      for f in frames], ignore_index=True)[["estimator", *cols, "simultaneous_band", "level",
                                                            "reference"]]
    # what is drawn: the same estimates as percent changes (estimate, conf_low, conf_high stay in logs)
    for col, src in (("change_pct", "estimate"), ("change_pct_low", "conf_low"), ("change_pct_high", "conf_high")):
        data[col] = percent_change(data[src])
    caption = t("es_caption", ctx.lang, what=full)
    return _captioned(figure_data(fig, "event-study-chart", caption, data), caption)


def sensitivity_figure(ctx: ProvinceContext, evaluation: Evaluation):
    """Rambachan–Roth sensitivity of the average effect (robust sets for each M̄, the breakdown value); None when
    the evaluation has no sensitivity analysis."""
    from matplotlib.figure import Figure

    sens = evaluation.diagnostics.get("sensitivity")
    if sens is None:
        return None
    fig = Figure(figsize=(7.5, 3.8), dpi=110)
    ax = fig.subplots()
    short, full = _outcome_words(ctx)
    plot_sensitivity(sens, ax=ax, lang=ctx.lang, scale="percent", ylabel=t("sens_axis", ctx.lang, what=short))
    localise_axes(fig, ctx.lang)
    fig.tight_layout()
    lo, hi = sens.original
    data = pd.concat([pd.DataFrame({"M": [None], "conf_low": [lo], "conf_high": [hi], "set": ["usual"]}),
                      sens.intervals.rename(columns={"lb": "conf_low", "ub": "conf_high"})
                      [["M", "conf_low", "conf_high"]].assign(set="robust")], ignore_index=True)
    data["breakdown"] = sens.breakdown
    for col, src in (("change_pct_low", "conf_low"), ("change_pct_high", "conf_high")):
        data[col] = percent_change(data[src])
    caption = t("sens_caption", ctx.lang, what=full)
    return _captioned(figure_data(fig, "sensitivity-chart", caption, data), caption)


def _captioned(fig, caption: str):
    """Keep the caption the figure's exhibit records on the figure: :func:`figure_html` shows that one, so the
    page's caption, the alternative text and the data's caption are the same words."""
    fig.evalutils_caption = caption
    return fig


def figure_png(fig) -> bytes:
    """PNG bytes of a figure, without a creation date or software stamp (same input, same bytes)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def figure_html(fig, alt: str) -> str:
    """The figure as an embedded PNG with alternative text (screen readers; the PDF route reads it too) and caption.

    A figure of this module that carries its own caption (the scorecard chart, the event study, the sensitivity
    figure) is shown with it; ``alt`` is the text of any other figure."""
    alt = getattr(fig, "evalutils_caption", None) or alt
    return render("figure.html.j2", alt=alt, data=base64.b64encode(figure_png(fig)).decode("ascii"),
                  exhibit=getattr(fig, "evalutils_exhibit", None))


def _drawn(trend: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The columns a line chart draws, and which years disclosure control blanked (their values are empty)."""
    out = trend[columns].copy()
    if "suppressed" in trend:
        out["suppressed"] = trend["suppressed"].astype(bool).to_numpy()
    return out


def show_figure(fig, alt: str = ""):
    """Display helper for notebooks: the figure as HTML with alt text, or nothing when there is no figure."""
    from IPython.display import HTML

    return HTML(figure_html(fig, alt)) if fig is not None else None
