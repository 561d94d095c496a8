"""The machine-readable results a report displays: the mime type the runner, the manifest and the site read,
and the province report's payload.

The render side reads payloads through :data:`RESULTS_MIME` only; it never imports the report code.
"""

from __future__ import annotations

import pandas as pd

RESULTS_MIME = "application/vnd.evalutils.results+json"


def results_payload(ctx, bundle=None) -> dict:
    """The report's headline numbers, machine-readable (no timestamps: same inputs, same payload).

    The runner extracts this from the executed notebook (mime type
    :data:`RESULTS_MIME`) for the site index, the run manifest and determinism checks.
    """
    from .sections.effects import estimates  # noqa: PLC0415 - the payload module stays importable on its own

    statuses: dict[str, int] = {}
    targets = []
    for m in ctx.members:
        sc = ctx.scorecard(m)
        for r in sc.itertuples():
            statuses[r.status] = statuses.get(r.status, 0) + 1
            targets.append({"province": m.slug, "target_id": r.target_id, "status": r.status,
                            "observed": None if pd.isna(r.observed) else float(r.observed)})
    payload = {
        "unit": ctx.slug, "geography": ctx.geography, "lang": ctx.lang, "name_vi": ctx.name_vi,
        "synthetic": ctx.synthetic, "n_targets": len(targets), "target_status_counts": statuses,
        "targets": targets, "effect": None, "effects": {},
    }
    if bundle is not None:
        payload["n_firms"] = bundle.n_firms
        payload["n_supported"] = bundle.n_supported
        payload["outcome"] = bundle.outcome
        for name, (est, se, lo, hi, p) in estimates(bundle).items():
            payload["effects"][name] = {"estimate": est, "std_error": se, "conf_low": lo, "conf_high": hi,
                                        "p_value": p}
        for outcome, agg in bundle.secondary.items():
            if not isinstance(agg, str):
                r = agg.tidy().iloc[0]
                payload["effects"][f"callaway_santanna_{outcome}"] = {
                    "estimate": float(agg.overall_estimate), "std_error": float(agg.overall_std_error),
                    "conf_low": float(r["conf_low"]), "conf_high": float(r["conf_high"])}
        payload["effect"] = payload["effects"].get("callaway_santanna") or payload["effects"].get("twfe")
        payload["reasons"] = bundle.reasons_text(ctx.lang)
    return payload


def results_output(payload: dict):
    """Display object carrying the payload; invisible in rendered HTML (no text/html part)."""
    return {RESULTS_MIME: payload, "text/plain": "evalutils results"}
