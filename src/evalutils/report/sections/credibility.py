"""How far the effect estimate can be trusted, in plain words (issue 12): the calibrated pre-trend test with its
power, the smallest effect the design could detect, and the breakdown value of the sensitivity analysis.

Text only, from the :class:`~evalutils.evaluate.Evaluation`; the effects section and the key findings call it.
Every sentence states what a valid test or interval says; none calls a published number unreliable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...i18n import Lang, fmt_number, t
from ..formatting import fmt, pct_effect


def _pct(p: float, lang: Lang) -> str:
    return fmt_number(100 * p, lang, 0) + "%"


def pretrend_paragraphs(evaluation: Any, lang: Lang) -> list[str]:
    """The pre-trend test (trend difference a year before support, its interval and p) and its power."""
    pt = getattr(evaluation, "pretest", None)
    if pt is None or not np.isfinite(getattr(pt, "estimate", np.nan)):
        return []
    verdict = t("pretest_diff" if pt.p_value < pt.alpha else "pretest_no_diff", lang)
    out = [t("pretest_trend", lang, est=pct_effect(pt.estimate, lang), lo=pct_effect(pt.conf_low, lang),
             hi=pct_effect(pt.conf_high, lang), p=fmt(pt.p_value, lang, 3), verdict=verdict)]
    out.append(t("pretest_power", lang, trend=pct_effect(pt.trend, lang), power=_pct(pt.power, lang),
                 detect=pct_effect(pt.detectable_trend, lang)))
    return out


def mde_sentence(evaluation: Any, lang: Lang) -> str | None:
    """The design's minimum detectable effect; when the headline is not significant, what it could have missed."""
    mde = getattr(evaluation, "mde", None)
    if mde is None or not np.isfinite(mde.mde):
        return None
    head = getattr(evaluation, "headline", None)  # the estimate the summary quotes
    if head is None:
        head = getattr(evaluation, "estimates", {}).get("callaway_santanna")
    key = "kf_mde_missed" if head is not None and head.p_value >= mde.alpha else "kf_mde"
    return t(key, lang, mde=pct_effect(mde.mde, lang))


def breakdown_sentence(sensitivity: Any, lang: Lang, *, keys: tuple[str, str] = ("kf_breakdown", "kf_breakdown_over"),
                       ) -> str | None:
    """The breakdown value of a relative-magnitudes sensitivity analysis, in plain words (None when the estimate's
    interval already includes zero, so there is no conclusion to break)."""
    if sensitivity is None:
        return None
    bd = float(sensitivity.breakdown)
    if np.isnan(bd):
        return None
    if np.isinf(bd):
        return t(keys[1], lang, m=fmt_number(float(sensitivity.breakdown_cap), lang, 1))
    return t(keys[0], lang, m=fmt_number(bd, lang, 2))


def key_breakdown_sentence(evaluation: Any, lang: Lang) -> str | None:
    """For the key findings: the breakdown value, only when the headline estimate itself is significant (a
    conclusion to defend) and the sensitivity analysis finds one too."""
    head = evaluation.estimates.get("callaway_santanna")
    if head is None or not head.p_value < 0.05:
        return None
    return breakdown_sentence(evaluation.diagnostics.get("sensitivity"), lang)


def sensitivity_paragraphs(evaluation: Any, lang: Lang) -> list[str]:
    """What the sensitivity figure shows, and the breakdown value in plain words."""
    sens = getattr(evaluation, "diagnostics", {}).get("sensitivity")
    if sens is None:
        return []
    lo, hi = sens.original
    text = t("sens_text", lang, lo=pct_effect(lo, lang), hi=pct_effect(hi, lang))
    shown = getattr(evaluation, "estimates", None)
    if shown is not None and "callaway_santanna" not in shown:  # it is Callaway–Sant'Anna's average
        text += " " + t("sens_cs_not_shown", lang)
    bd = breakdown_sentence(sens, lang, keys=("sens_breakdown", "sens_breakdown_over"))
    return [text + " " + (bd or t("sens_no_conclusion", lang))]
