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
        return f, "estimate", 0.05, False
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
