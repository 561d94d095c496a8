"""Figures for effect estimates. Separate from estimation: each function takes result objects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._common import check_choice

Scale = Literal["estimate", "percent"]
SCALES: tuple[str, ...] = ("estimate", "percent")

_TEXT = {
    "en": {
        "x": "Years relative to first support",
        "y_estimate": "Estimated effect (in the outcome's units)",
        "y_percent": "Effect (change, %)",
        "ci": "{level:.0%} confidence interval",
        "band": "{level:.0%} simultaneous confidence band",
        "start": "support starts",
    },
    "vi": {
        "x": "Số năm so với năm bắt đầu được hỗ trợ",
        "y_estimate": "Tác động ước lượng (theo đơn vị của biến kết quả)",
        "y_percent": "Tác động (thay đổi, %)",
        "ci": "khoảng tin cậy {level:.0%}",
        "band": "dải tin cậy đồng thời {level:.0%}",
        "start": "bắt đầu hỗ trợ",
    },
}


def percent_change(x):
    """An effect on a log outcome as the percent change it means, 100 (e^x − 1) (monotone: an interval's ends map to
    the ends of the interval of the percent change)."""
    return 100 * np.expm1(np.asarray(x, dtype=float))


def _on_scale(values, scale: str):
    v = np.asarray(values, dtype=float)
    return percent_change(v) if scale == "percent" else v


def _wrap(label: str, width: int = 44) -> str:
    """A long axis label on two lines: before its unit in parentheses when there is one, else at the last space
    before ``width``."""
    if len(label) <= width:
        return label
    cut = label.rfind(" (")
    if not 0 < cut <= width:
        cut = label.rfind(" ", 0, width)
    return label if cut <= 0 else label[:cut] + "\n" + label[cut + 1:]


def _legend(ax, *, above: bool) -> None:
    """The legend above the plot, where it covers no interval (long labels in words; "best" inside the axes when a
    title takes that room)."""
    if above:
        ax.legend(frameon=False, fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 1.01), borderaxespad=0.0)
    else:
        ax.legend(frameon=False, fontsize=8, loc="best")


def _event_frame(result: Any) -> tuple[pd.DataFrame, str, float, bool]:
    """Return (frame with event_time, estimate, conf_low, conf_high, reference), label, alpha, band."""
    from .did import AggregateResult
    from .event_study import EventStudyResult

    if isinstance(result, EventStudyResult):
        return result.coefs.copy(), "TWFE event study", result.alpha, False
    if isinstance(result, AggregateResult):
        if result.kind != "dynamic":
            raise ValueError("plot_event_study needs aggregate(kind='dynamic')")
        f = result.effects.copy()
        f["reference"] = False
        return f, "Callaway–Sant'Anna", result.alpha, result.bootstrapped
    if hasattr(result, "event_effects"):  # imputation estimator
        f = result.event_effects.copy()
        f["reference"] = False
        return f, getattr(result, "method", "estimate"), result.alpha, False
    if isinstance(result, pd.DataFrame) and {"event_time", "estimate", "conf_low", "conf_high"} <= set(result.columns):
        f = result.copy()
        if "reference" not in f:
            f["reference"] = False
        # a stored result's frame may say what its interval is (frame.attrs: alpha, band, label)
        return (f, str(f.attrs.get("label", "estimate")), float(f.attrs.get("alpha", 0.05)),
                bool(f.attrs.get("band", False)))
    raise TypeError(f"cannot plot an event study from {type(result).__name__}")


def plot_event_study(
    result: Any | Sequence[Any],
    ax: Any = None,
    *,
    lang: Literal["en", "vi"] = "en",
    labels: Sequence[str] | None = None,
    title: str | None = None,
    colors: Sequence[str] | None = None,
    scale: Scale = "estimate",
    ylabel: str | None = None,
):
    """Plot event-time estimates with confidence intervals; several results are overlaid side by side.

    ``result``: an :class:`EventStudyResult`, ``att_gt(...).aggregate("dynamic")``, an imputation
    result, a tidy frame with ``event_time, estimate, conf_low, conf_high``, or a list of these.
    Reference period: hollow marker; binned endpoints of a TWFE event study: square markers.
    ``scale="estimate"`` draws the estimates as they are (in the outcome's units); ``"percent"``, for an outcome
    in logs, draws the percent change each means, 100 (e^b − 1), intervals mapped end by end. ``ylabel`` names
    the quantity (default: "Effect (change, %)" or "Estimated effect (in the outcome's units)", in ``lang``).
    Returns the matplotlib ``Axes``.

    Examples
    --------
    >>> from evalutils.effects import did_imputation, plot_event_study
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"firm": np.repeat(np.arange(40), 6), "year": np.tile(np.arange(2016, 2022), 40)})
    >>> df["g"] = np.select([df["firm"] < 10, df["firm"] < 20], [2018, 2020], 0)
    >>> df["d"] = ((df["g"] > 0) & (df["year"] >= df["g"])).astype(int)
    >>> df["y"] = 0.5 * df["d"] + np.random.default_rng(0).normal(scale=0.1, size=len(df))
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> imp = did_imputation(df, outcome="y", unit="firm", time="year", group="g")
    >>> ax = plot_event_study(imp, lang="vi")
    >>> ax.get_xlabel()
    'Số năm so với năm bắt đầu được hỗ trợ'
    >>> plot_event_study(imp, scale="percent").get_ylabel()
    'Effect (change, %)'
    """
    import matplotlib.pyplot as plt

    check_choice("lang", lang, tuple(_TEXT))
    check_choice("scale", scale, SCALES)
    txt = _TEXT[lang]
    results = list(result) if isinstance(result, (list, tuple)) else [result]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4), dpi=120)
    palette = list(colors) if colors else ["#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000"]
    k = len(results)
    width = 0.12 if k > 1 else 0.0
    for i, res in enumerate(results):
        frame, default_label, alpha, band = _event_frame(res)
        label = labels[i] if labels is not None else default_label
        color = palette[i % len(palette)]
        shift = (i - (k - 1) / 2) * width
        x = frame["event_time"].to_numpy(dtype=float) + shift
        est = _on_scale(frame["estimate"], scale)
        lo = _on_scale(frame["conf_low"], scale)
        hi = _on_scale(frame["conf_high"], scale)
        ok = np.isfinite(lo) & np.isfinite(hi)
        ax.errorbar(
            x[ok], est[ok], yerr=np.vstack([est[ok] - lo[ok], hi[ok] - est[ok]]), fmt="o", ms=4.5,
            color=color, ecolor=color, elinewidth=1.2, capsize=2.5,
            label=f"{label} ({(txt['band'] if band else txt['ci']).format(level=1 - alpha)})",
        )
        ref = frame["reference"].to_numpy(dtype=bool)
        if ref.any():  # reference period: hollow marker at zero
            ax.plot(x[ref], est[ref], marker="o", ms=5, mfc="white", mec=color, ls="none")
        if "binned" in frame:  # binned endpoints: square markers
            b = frame["binned"].to_numpy(dtype=bool) & ok
            if b.any():
                ax.plot(x[b], est[b], marker="s", ms=5.5, color=color, ls="none")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.axvline(-0.5, color="0.5", lw=0.8, ls="--")
    ax.annotate(txt["start"], xy=(-0.5, 1.0), xytext=(3, 0), textcoords="offset points",
                xycoords=("data", "axes fraction"), va="top", ha="left", fontsize=8, color="0.35")
    ax.set_xlabel(txt["x"])
    ax.set_ylabel(_wrap(ylabel or txt[f"y_{scale}"]))
    if title:
        ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    _legend(ax, above=not title)
    return ax


_SENS_TEXT = {
    "en": {
        "x_rm": "M̄: divergence of trends after support, in multiples of the largest divergence before support",
        "x_sd": "M: largest change in the slope of the trend difference from one year to the next (outcome's units)",
        "y_estimate": "Average effect (in the outcome's units)",
        "y_percent": "Average effect (change, %)",
        "original": "usual {level:.0%} confidence interval (parallel trends hold)",
        "robust_rm": "{level:.0%} confidence interval still valid if trends diverge up to M̄ times as much as "
                     "before support",
        "robust_sd": "{level:.0%} confidence interval still valid if the slope of the trend difference changes by "
                     "up to M a year",
        "breakdown": "beyond {param} = {value} the interval includes zero",
        "tick": "usual",
    },
    "vi": {
        "x_rm": "M̄: mức chênh lệch xu hướng sau hỗ trợ, tính bằng số lần mức chênh lệch lớn nhất trước hỗ trợ",
        "x_sd": "M: mức thay đổi lớn nhất của độ dốc chênh lệch xu hướng giữa hai năm liên tiếp (đơn vị của biến "
                "kết quả)",
        "y_estimate": "Tác động bình quân (theo đơn vị của biến kết quả)",
        "y_percent": "Tác động bình quân (thay đổi, %)",
        "original": "khoảng tin cậy {level:.0%} thông thường (giả định xu hướng song song đúng)",
        "robust_rm": "khoảng tin cậy {level:.0%} vẫn đúng khi xu hướng chênh nhau tới M̄ lần mức trước hỗ trợ",
        "robust_sd": "khoảng tin cậy {level:.0%} vẫn đúng khi độ dốc chênh lệch xu hướng thay đổi tới M mỗi năm",
        "breakdown": "quá {param} = {value}, khoảng tin cậy chứa 0",
        "tick": "thông thường",
    },
}


def plot_sensitivity(
    result: Any,
    ax: Any = None,
    *,
    lang: Literal["en", "vi"] = "en",
    title: str | None = None,
    colors: Sequence[str] | None = None,
    scale: Scale = "estimate",
    ylabel: str | None = None,
):
    """Plot a :class:`~evalutils.effects.SensitivityResult`: the usual interval at the left, then the
    robust set for each M (or M̄), a line at zero and the breakdown value. Returns the ``Axes``.

    The legend says in words what each interval assumes (no method acronym). ``scale`` and ``ylabel`` as in
    :func:`plot_event_study` (``"percent"``: the sets of an effect on a log outcome as percent changes).

    Examples
    --------
    >>> from evalutils.effects import honest_did, plot_sensitivity
    >>> import matplotlib, numpy as np
    >>> matplotlib.use("Agg")
    >>> res = honest_did([0.01, -0.02, 0.30], np.diag([0.01, 0.01, 0.01]), num_pre=2, num_post=1, M=[0.5, 1])
    >>> ax = plot_sensitivity(res, lang="en")
    >>> len(ax.lines) > 0
    True
    """
    import matplotlib.pyplot as plt

    check_choice("lang", lang, tuple(_SENS_TEXT))
    check_choice("scale", scale, SCALES)
    txt = _SENS_TEXT[lang]
    level = 1 - result.alpha
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4), dpi=120)
    c_orig, c_rob = (list(colors) + ["#c55a11"])[:2] if colors else ("#7f7f7f", "#1f4e79")
    iv = result.intervals
    m = iv["M"].to_numpy(dtype=float)
    gap = float(np.min(np.diff(np.unique(m)))) if len(np.unique(m)) > 1 else max(float(m.max()), 1.0) / 2
    x0 = float(m.min()) - gap
    lo, hi = _on_scale(result.original, scale)
    ax.errorbar([x0], [(lo + hi) / 2], yerr=[[(hi - lo) / 2], [(hi - lo) / 2]], fmt="none", ecolor=c_orig,
                elinewidth=2, capsize=4, label=txt["original"].format(level=level))
    lb, ub = _on_scale(iv["lb"], scale), _on_scale(iv["ub"], scale)
    ok = np.isfinite(lb) & np.isfinite(ub)
    rm = result.restriction == "relative_magnitudes"
    ax.errorbar(m[ok], (lb[ok] + ub[ok]) / 2, yerr=np.vstack([(ub[ok] - lb[ok]) / 2, (ub[ok] - lb[ok]) / 2]),
                fmt="none", ecolor=c_rob, elinewidth=2, capsize=4,
                label=txt["robust_rm" if rm else "robust_sd"].format(level=level))
    ax.axhline(0, color="0.3", lw=0.8)
    bd = result.breakdown
    if np.isfinite(bd):
        ax.axvline(bd, color="0.5", lw=0.8, ls="--")
        value = f"{bd:.3g}".replace(".", ",") if lang == "vi" else f"{bd:.3g}"
        ax.annotate(txt["breakdown"].format(param=result.parameter.replace("Mbar", "M̄"), value=value),
                    xy=(bd, 0.0), xytext=(3, 3), textcoords="offset points", xycoords=("data", "axes fraction"),
                    va="bottom", ha="left", fontsize=8, color="0.35")
    ticks = [x0, *np.unique(m)]
    fmt = (lambda v: f"{v:g}".replace(".", ",")) if lang == "vi" else (lambda v: f"{v:g}")
    ax.set_xticks(ticks, [txt["tick"], *(fmt(v) for v in np.unique(m))], fontsize=8)
    ax.set_xlabel(txt["x_rm" if rm else "x_sd"], fontsize=8)
    ax.set_ylabel(_wrap(ylabel or txt[f"y_{scale}"]))
    if title:
        ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    _legend(ax, above=not title)
    return ax
