"""Figures for effect estimates. Separate from estimation: each function takes result objects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._common import check_choice

_TEXT = {
    "en": {
        "x": "Years relative to first support",
        "y": "Estimated effect",
        "ci": "{level:.0%} confidence interval",
        "band": "{level:.0%} simultaneous band",
        "ref": "reference period",
        "start": "support starts",
    },
    "vi": {
        "x": "Số năm so với năm bắt đầu được hỗ trợ",
        "y": "Tác động ước lượng",
        "ci": "Khoảng tin cậy {level:.0%}",
        "band": "Dải tin cậy đồng thời {level:.0%}",
        "ref": "kỳ tham chiếu",
        "start": "bắt đầu hỗ trợ",
    },
}


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
):
    """Plot event-time estimates with confidence intervals; several results are overlaid side by side.

    ``result``: an :class:`EventStudyResult`, ``att_gt(...).aggregate("dynamic")``, an imputation
    result, a tidy frame with ``event_time, estimate, conf_low, conf_high``, or a list of these.
    Reference period: hollow marker; binned endpoints of a TWFE event study: square markers.
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
    """
    import matplotlib.pyplot as plt

    check_choice("lang", lang, tuple(_TEXT))
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
        est = frame["estimate"].to_numpy(dtype=float)
        lo = frame["conf_low"].to_numpy(dtype=float)
        hi = frame["conf_high"].to_numpy(dtype=float)
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
    ax.set_ylabel(txt["y"])
    if title:
        ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.legend(frameon=False, fontsize=8, loc="best")
    return ax


_SENS_TEXT = {
    "en": {
        "x_rm": "M̄: largest post-support violation of parallel trends, relative to the largest before support",
        "x_sd": "M: largest change in the slope of the trend difference between consecutive years",
        "y": "Effect: {level:.0%} confidence set",
        "original": "usual interval (parallel trends exact)",
        "robust": "robust set ({method})",
        "breakdown": "breakdown {param} = {value}",
        "tick": "usual",
    },
    "vi": {
        "x_rm": "M̄: mức vi phạm xu hướng song song sau hỗ trợ so với mức lớn nhất trước hỗ trợ",
        "x_sd": "M: mức thay đổi lớn nhất của độ dốc chênh lệch xu hướng giữa hai năm liên tiếp",
        "y": "Tác động: tập tin cậy {level:.0%}",
        "original": "khoảng tin cậy thông thường (xu hướng song song đúng)",
        "robust": "tập tin cậy vững ({method})",
        "breakdown": "giá trị phá vỡ {param} = {value}",
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
):
    """Plot a :class:`~evalutils.effects.SensitivityResult`: the usual interval at the left, then the
    robust set for each M (or M̄), a line at zero and the breakdown value. Returns the ``Axes``.

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
    txt = _SENS_TEXT[lang]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4), dpi=120)
    c_orig, c_rob = (list(colors) + ["#c55a11"])[:2] if colors else ("#7f7f7f", "#1f4e79")
    iv = result.intervals
    m = iv["M"].to_numpy(dtype=float)
    gap = float(np.min(np.diff(np.unique(m)))) if len(np.unique(m)) > 1 else max(float(m.max()), 1.0) / 2
    x0 = float(m.min()) - gap
    lo, hi = result.original
    ax.errorbar([x0], [(lo + hi) / 2], yerr=[[(hi - lo) / 2], [(hi - lo) / 2]], fmt="none", ecolor=c_orig,
                elinewidth=2, capsize=4, label=txt["original"])
    lb, ub = iv["lb"].to_numpy(dtype=float), iv["ub"].to_numpy(dtype=float)
    ok = np.isfinite(lb) & np.isfinite(ub)
    ax.errorbar(m[ok], (lb[ok] + ub[ok]) / 2, yerr=np.vstack([(ub[ok] - lb[ok]) / 2, (ub[ok] - lb[ok]) / 2]),
                fmt="none", ecolor=c_rob, elinewidth=2, capsize=4, label=txt["robust"].format(method=result.method))
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
    ax.set_xlabel(txt["x_rm" if result.restriction == "relative_magnitudes" else "x_sd"], fontsize=8)
    ax.set_ylabel(txt["y"].format(level=1 - result.alpha))
    if title:
        ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="best")
    return ax
