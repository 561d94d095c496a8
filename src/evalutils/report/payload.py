"""The machine-readable results a report displays: the mime type the runner, the manifest and the site read,
and the province report's payload.

The render side reads :data:`RESULTS_MIME` only.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # the render side imports this module for RESULTS_MIME: keep it light
    from ..evaluate import Estimate, Evaluation

RESULTS_MIME = "application/vnd.evalutils.results+json"


def results_payload(ctx, evaluation: Evaluation | None = None) -> dict:
    """The report's headline numbers, machine-readable (no timestamps: same inputs, same payload).

    Every effect names the estimator that made it (``estimator``) and its method; ``effect`` is the headline
    (Callaway–Sant'Anna, or TWFE when it could not be computed). The runner extracts this from the executed
    notebook (mime type :data:`RESULTS_MIME`) for the site index, the run manifest and determinism checks.
    """
    statuses: dict[str, int] = {}
    targets = []
    for m in ctx.members:
        sc = ctx.scorecard(m)
        for r in sc.itertuples():
            statuses[r.status] = statuses.get(r.status, 0) + 1
            targets.append({"province": m.slug, "target_id": r.target_id, "indicator": r.indicator,
                            "status": r.status, "rule_name": r.rule_name,
                            "observed": None if pd.isna(r.observed) else float(r.observed),
                            "years_met": None if pd.isna(r.years_met) else int(r.years_met),
                            "years_counted": None if pd.isna(r.years_counted) else int(r.years_counted),
                            "judged_over": r.judged_over or None, "source": "monitoring_returns"})
    payload = {
        "unit": ctx.slug, "geography": ctx.geography, "lang": ctx.lang, "name_vi": ctx.name_vi,
        "synthetic": ctx.synthetic, "n_targets": len(targets), "target_status_counts": statuses,
        "targets": targets, "effect": None, "effects": {},
    }
    if getattr(ctx, "analysis", None) is not None:  # the choices the estimates follow (docs/analysis.md)
        payload["analysis"] = ctx.analysis.as_dict()
    if evaluation is not None:
        payload["n_firms"] = evaluation.n_firms
        payload["n_supported"] = evaluation.n_supported
        payload["outcome"] = evaluation.outcome
        for name, e in evaluation.estimates.items():
            payload["effects"][name] = _effect(e)
        for outcome, e in evaluation.secondary.items():
            payload["effects"][f"callaway_santanna_{outcome}"] = _effect(e)
        headline = evaluation.headline
        payload["effect"] = None if headline is None else _effect(headline)
        payload["reasons"] = evaluation.reasons_text(ctx.lang)
        payload.update(_credibility(evaluation))
    # what the key findings and limitations state about growth, targets and selection (issue 14: one story)
    from .sections.summary import facts  # noqa: PLC0415 - the render side imports this module for RESULTS_MIME
    payload["findings"] = facts(ctx)
    from .exhibits import recorded  # noqa: PLC0415 - as above
    payload["exhibits"] = recorded()  # the data behind each figure and table shown (report/exhibits.py)
    ctx.mark_built()  # every section has run: its tables are stored, the next report of this data need not read it
    return payload


def _effect(e: Estimate) -> dict:
    return {"estimator": e.estimator, "outcome": e.outcome, "estimate": e.estimate, "std_error": e.std_error,
            "conf_low": e.conf_low, "conf_high": e.conf_high, "p_value": e.p_value, "method": e.method}


def _num(x) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def _credibility(evaluation: Evaluation) -> dict:
    """The pre-trend test, the minimum detectable effect and the sensitivity analysis the report shows (issue 12),
    each naming its method; ``None`` where the report shows none (the reason is in ``reasons``)."""
    out: dict = {"pretest": None, "mde": None, "sensitivity": None}
    pt = evaluation.pretest
    if pt is not None:
        out["pretest"] = {"method": pt.method, "estimate": _num(pt.estimate), "std_error": _num(pt.std_error),
                          "conf_low": _num(pt.conf_low), "conf_high": _num(pt.conf_high),
                          "p_value": _num(pt.p_value), "df": _num(pt.df), "trend": _num(pt.trend),
                          "power": _num(pt.power), "detectable_trend": _num(pt.detectable_trend)}
    m = evaluation.mde
    if m is not None:
        out["mde"] = {"estimate": _num(m.mde), "power": _num(m.power), "alpha": _num(m.alpha),
                      "std_error": _num(m.std_error), "df": _num(m.df), "method": m.method}
    s = evaluation.diagnostics.get("sensitivity")
    if s is not None:
        # breakdown: None when the usual interval already includes 0 (nan), the cap when it never does (inf)
        b = float(s.breakdown)
        out["sensitivity"] = {"restriction": s.restriction, "method": s.method, "parameter": s.parameter,
                              "breakdown": None if math.isnan(b) else (float(s.breakdown_cap) if math.isinf(b)
                                                                       else b),
                              "breakdown_beyond_cap": bool(math.isinf(b)), "term": s.term}
    return out


def results_output(payload: dict):
    """Display object carrying the payload; invisible in rendered HTML (no text/html part)."""
    return {RESULTS_MIME: payload, "text/plain": "evalutils results"}
