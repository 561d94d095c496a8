"""The evaluation of one reporting unit: the estimators a report shows, run together.

:func:`evaluate_effects` runs, on the unit's firm-year panel, the familiar
two-way fixed-effects regression and the estimators that are right under
staggered adoption (Callaway–Sant'Anna, Borusyak–Jaravel–Spiess), the TWFE
weights diagnostic, the pre-trend test and effects by type of support. Each
piece that cannot be computed records why (``reasons``) instead of failing the
report. Nothing here formats text: :mod:`evalutils.report` does. Reasons and
notes are kept as :class:`evalutils.i18n.Message` (key and values), so one
evaluation serves the report in every language; :func:`evaluate_effects_cached`
stores it on disk, keyed by the content it was computed from.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import atomic_write_bytes
from .effects import att_gt, did_imputation, heterogeneity, minimum_detectable_effect, twfe, twfe_weights
from .errors import EstimationError
from .i18n import Lang, Message, text
from .provenance import code_hash


# the linear pre-trend (log points a year, i.e. about 1 % a year) against which the report states the
# pre-trend test's power (Roth 2022): a divergence that, over four years of support, would be as large as
# the effects the programme hopes for
PRETREND_SIZE = 0.01


@dataclass
class EffectsBundle:
    outcome: str
    n_firms: int
    n_supported: int
    twfe: object | None = None
    att_gt: object | None = None
    simple: object | None = None
    dynamic: object | None = None
    imputation: object | None = None
    weights: object | None = None
    pretest: object | None = None  # effects.PretestResult: calibrated pre-trend test with its power
    mde: object | None = None  # effects.MDEResult: minimum detectable effect of the design (80 % power, 5 %)
    by_type: object | None = None
    reasons: dict[str, Message] = field(default_factory=dict)
    notes: list[Message] = field(default_factory=list)
    secondary: dict[str, object] = field(default_factory=dict)  # outcome -> CS simple aggregate, or a reason

    @property
    def robust(self):
        """The headline heterogeneity-robust estimate (CS simple aggregate)."""
        return self.simple

    def reason(self, key: str, lang: Lang, default: str = "") -> str:
        """Why the piece ``key`` (twfe, att_gt, imputation, weights, pretest, by_type) is missing, in ``lang``."""
        return text(self.reasons[key], lang) if key in self.reasons else default

    def reasons_text(self, lang: Lang) -> dict[str, str]:
        return {k: text(v, lang) for k, v in self.reasons.items()}

    def notes_text(self, lang: Lang) -> list[str]:
        return [text(n, lang) for n in self.notes]


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0]


def _why(exc: Exception) -> Message:
    """An estimator's error as a reason: the estimators speak English; the Vietnamese report says so."""
    return Message.of("reason_estimator_error", detail=_first_line(exc))


def evaluate_effects(df: pd.DataFrame, *, outcome: str, seed: int, min_supported: int, n_boot: int = 499,
                     control_group: str = "never_treated", cluster: str = "firm_id",
                     with_heterogeneity: bool = True,
                     secondary_outcomes: tuple[str, ...] = (), disclosure_k: int = 1) -> EffectsBundle:
    """Run every effect estimator on ``df`` (columns firm_id, year, ``outcome``, support_start_year,
    post_support, support_type) and collect results and reasons."""
    df = df[np.isfinite(df[outcome])].copy()
    df["first_support"] = df["support_start_year"].fillna(0).astype(int)
    df, dropped = _drop_singleton_cohorts(df, ["first_support"])
    notes = []
    if dropped:
        notes.append(Message.of("note_singleton", n=f"<{disclosure_k}" if dropped < disclosure_k else dropped))
    n_firms = int(df["firm_id"].nunique())
    n_supported = int(df.loc[df["first_support"] > 0, "firm_id"].nunique())
    b = EffectsBundle(outcome=outcome, n_firms=n_firms, n_supported=n_supported, notes=notes)
    if n_supported < min_supported:
        shown = f"<{disclosure_k}" if 0 < n_supported < disclosure_k else n_supported
        reason = Message.of("reason_few_supported", n=shown, k=min_supported)
        for k in ("twfe", "att_gt", "imputation", "weights", "by_type"):
            b.reasons[k] = reason
        return b
    if n_supported == n_firms:
        for k in ("twfe", "att_gt", "imputation", "weights", "by_type"):
            b.reasons[k] = Message.of("reason_all_supported")
        return b

    try:
        # the reports show linearmodels' PanelOLS, the reference a reader can re-run (same numbers as the faster
        # numpy backend, to 1e-10)
        b.twfe = twfe(df, outcome=outcome, unit="firm_id", time="year", treatment="post_support", cluster=cluster,
                      backend="linearmodels")
    except EstimationError as exc:
        b.reasons["twfe"] = _why(exc)
    try:
        b.att_gt = att_gt(df, outcome=outcome, unit="firm_id", time="year", group="first_support",
                          control_group=control_group, est_method="reg", unbalanced="pairwise",
                          bootstrap="mammen", n_boot=n_boot, seed=seed, cluster=cluster)
        b.simple = b.att_gt.aggregate("simple")
        b.dynamic = b.att_gt.aggregate("dynamic")
        try:
            b.pretest = b.att_gt.pretest(trend=PRETREND_SIZE)
        except EstimationError as exc:
            b.reasons["pretest"] = _why(exc)
    except EstimationError as exc:
        b.reasons["att_gt"] = _why(exc)
    try:
        b.mde = minimum_detectable_effect(df, outcome=outcome, unit="firm_id", time="year", group="first_support",
                                          control_group=control_group)
    except EstimationError as exc:
        b.reasons["mde"] = _why(exc)
    try:
        b.imputation = did_imputation(df, outcome=outcome, unit="firm_id", time="year", group="first_support",
                                      cluster=cluster)
    except EstimationError as exc:
        b.reasons["imputation"] = _why(exc)
    try:
        b.weights = twfe_weights(df, outcome=outcome, unit="firm_id", time="year", treatment="post_support")
    except EstimationError as exc:
        b.reasons["weights"] = _why(exc)
    for extra in secondary_outcomes:
        sub = df[np.isfinite(df[extra])]
        try:
            res = att_gt(sub, outcome=extra, unit="firm_id", time="year", group="first_support",
                         control_group=control_group, est_method="reg", unbalanced="pairwise",
                         bootstrap="mammen", n_boot=n_boot, seed=seed, cluster=cluster)
            b.secondary[extra] = res.aggregate("simple")
        except EstimationError as exc:
            b.secondary[extra] = _first_line(exc)
    if with_heterogeneity:
        types = df.loc[df["first_support"] > 0].groupby("support_type")["firm_id"].nunique()
        keep = types[types >= min_supported].index
        if len(keep) >= 2:
            sub = df[df["support_type"].isin(keep) | (df["first_support"] == 0)]
            sub, _ = _drop_singleton_cohorts(sub, ["support_type", "first_support"])
            try:
                b.by_type = heterogeneity(sub, by="support_type", outcome=outcome, unit="firm_id", time="year",
                                          group="first_support", control_group=control_group,
                                          unbalanced="pairwise", cluster=cluster, min_units=min_supported)
            except EstimationError as exc:
                b.reasons["by_type"] = _why(exc)
        else:
            b.reasons["by_type"] = Message.of("reason_few_types", k=min_supported)
    return b


EFFECTS_CACHE_VERSION = 1


def effects_cache_key(df: pd.DataFrame, options: dict) -> str:
    """Content key of an evaluation: the evalutils code, the rows and columns it reads, and its options."""
    cols = ["firm_id", "year", options["outcome"], *options.get("secondary_outcomes", ()), "support_start_year",
            "post_support", "support_type", options.get("cluster", "firm_id")]
    return content_key(df, cols, options)


def evaluate_effects_cached(df: pd.DataFrame, *, cache_dir: str | Path | None, name: str,
                            **options) -> EffectsBundle:
    """:func:`evaluate_effects`, computed once for all the report's languages.

    The bundle is stored as ``<cache_dir>/<name>-<key>.pkl`` where ``key`` is
    :func:`effects_cache_key` (code, data and options), so a stale entry is never
    used: any change gives a new key and the older entries of ``name`` are
    removed. The cache belongs beside the confidential data (the province report
    uses ``<data_dir>/derived/effects/``): results hold firm-level influence
    functions. ``cache_dir=None``, an unwritable directory or an unreadable
    entry all fall back to computing.
    """
    if cache_dir is None:
        return evaluate_effects(df, **options)
    return cached(Path(cache_dir), name, effects_cache_key(df, options), lambda: evaluate_effects(df, **options),
                  EffectsBundle)


def cached(cache_dir: Path, name: str, key: str, compute, kind: type | tuple = object):
    """``compute()``, or its result stored under ``<cache_dir>/<name>-<key[:32]>.pkl`` by an earlier call.

    Written atomically; older entries of ``name`` are deleted; a damaged entry or an unwritable
    directory falls back to computing. ``key`` must change whenever the result would.
    """
    path = cache_dir / f"{name}-{key[:32]}.pkl"
    if path.exists():
        try:
            with open(path, "rb") as fh:
                result = pickle.load(fh)
            if isinstance(result, kind):
                return result
        except Exception:  # noqa: BLE001 - a damaged or foreign entry: compute again and overwrite it
            pass
    result = compute()
    try:
        atomic_write_bytes(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        for old in cache_dir.glob(f"{name}-*.pkl"):
            if old != path and len(old.stem) == len(path.stem):
                old.unlink(missing_ok=True)
    except OSError:  # read-only data directory: the result is still right, only slower next time
        pass
    return result


def content_key(df: pd.DataFrame, columns: list[str], options: dict) -> str:
    """sha256 of the evalutils code, ``options`` and the values of ``columns`` of ``df`` in row order."""
    cols = list(dict.fromkeys(c for c in columns if c in df.columns))
    h = hashlib.sha256(f"effects-v{EFFECTS_CACHE_VERSION}".encode())
    h.update(code_hash().encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    h.update(json.dumps(cols).encode())
    h.update(pd.util.hash_pandas_object(df[cols], index=False).to_numpy().tobytes())
    return h.hexdigest()


def _drop_singleton_cohorts(df: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, int]:
    """Drop supported firms that are alone in their cohort (cell of ``keys``); return the count dropped."""
    firms = df.loc[df["first_support"] > 0].drop_duplicates("firm_id")
    size = firms.groupby(keys)["firm_id"].transform("size")
    lonely = firms.loc[size < 2, "firm_id"]
    return df[~df["firm_id"].isin(lonely)], int(len(lonely))
