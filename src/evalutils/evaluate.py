"""The evaluation of one reporting unit: the estimators a report shows, run together, as one typed result.

:func:`evaluate_effects` runs, on the unit's firm-year panel, the familiar
two-way fixed-effects regression and the estimators that are right under
staggered adoption (Callaway–Sant'Anna, Borusyak–Jaravel–Spiess), the TWFE
weights diagnostic, the pre-trend test, the design's minimum detectable effect
and effects by type of support, and returns one :class:`Evaluation`: every number
a report, its payload, the site and the national synthesis show, each overall
effect an :class:`Estimate` naming its estimator, with the p-value and interval
the estimator's own ``tidy()`` reported (never recomputed here). Each piece that
cannot be computed records why (``reasons``) instead of failing the report.
Nothing here formats text: :mod:`evalutils.report` does. Reasons and notes are
kept as :class:`evalutils.i18n.Message` (key and values), so one evaluation
serves the report in every language; :func:`evaluate_effects_cached` stores it
as JSON (:mod:`evalutils.cache`), keyed by the code, the data, the options and
the seed it was computed from.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from . import cache
from .effects import att_gt, did_imputation, heterogeneity, minimum_detectable_effect, sensitivity, twfe, twfe_weights
from .effects.did import PretestResult
from .effects.power import MDEResult
from .errors import EstimationError
from .i18n import Lang, Message, text
from .measures.analysis import encode_covariates, restrict_sample
from .provenance import code_hash

# the linear pre-trend (log points a year, i.e. about 1 % a year) against which the report states the
# pre-trend test's power (Roth 2022): a divergence that, over four years of support, would be as large as
# the effects the programme hopes for
PRETREND_SIZE = 0.01

Estimator = Literal["twfe", "callaway_santanna", "imputation"]
#: the overall estimators, in the order the report shows them
ESTIMATORS: tuple[Estimator, ...] = ("twfe", "callaway_santanna", "imputation")


class _SameContent:
    """Equality by content (the cached form), so that results holding tables compare as values."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and cache.encode(self) == cache.encode(other)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Estimate:
    """One overall effect: which estimator made it, on which outcome, with the inference that estimator reported."""

    estimator: str  # one of ESTIMATORS
    outcome: str
    estimate: float
    std_error: float
    conf_low: float
    conf_high: float
    p_value: float
    n_firms: int
    n_supported: int
    method: str  # the estimator's own description (the ``method`` column of its tidy())

    def as_dict(self) -> dict:
        return {"estimator": self.estimator, "outcome": self.outcome, "estimate": self.estimate,
                "std_error": self.std_error, "conf_low": self.conf_low, "conf_high": self.conf_high,
                "p_value": self.p_value, "n_firms": self.n_firms, "n_supported": self.n_supported,
                "method": self.method}


@dataclass(frozen=True, eq=False)
class EventStudy(_SameContent):
    """Effects by years since support began, as a figure draws them (``event_time, estimate, conf_low, conf_high,
    reference``), with the interval's level and whether it is a simultaneous band."""

    estimator: str
    label: str
    effects: pd.DataFrame
    alpha: float
    band: bool


@dataclass(frozen=True)
class TwfeWeights:
    """De Chaisemartin–D'Haultfœuille weights of the TWFE estimate: how many treated cells get a negative weight."""

    n_negative: int
    n_treated_obs: int


@dataclass(frozen=True, eq=False)
class EffectsByType(_SameContent):
    """Effects by type of support (``term, estimate, std_error, conf_low, conf_high, p_value, p_holm``) and the
    test that they are all equal."""

    effects: pd.DataFrame
    equality_p_value: float


@dataclass(frozen=True, eq=False)
class Evaluation(_SameContent):
    """Everything a report shows about one unit's programme effects, computed once for every language."""

    outcome: str
    n_firms: int
    n_supported: int
    estimates: dict[str, Estimate] = field(default_factory=dict)  # by estimator, in ESTIMATORS order
    secondary: dict[str, Estimate] = field(default_factory=dict)  # Callaway–Sant'Anna on other outcomes, by outcome
    event_studies: tuple[EventStudy, ...] = ()
    weights: TwfeWeights | None = None
    pretest: PretestResult | None = None  # calibrated pre-trend test with its power (issue 12)
    mde: MDEResult | None = None  # minimum detectable effect of the design (80 % power, 5 %)
    by_type: EffectsByType | None = None
    reasons: dict[str, Message] = field(default_factory=dict)
    notes: tuple[Message, ...] = ()
    # further diagnostics of the inference (e.g. sensitivity to violations of parallel trends) go here, each a
    # typed, registered record (see evalutils.cache.register), so that caches and payloads carry them unchanged
    diagnostics: dict[str, object] = field(default_factory=dict)

    @property
    def headline(self) -> Estimate | None:
        """The estimate a summary quotes: Callaway–Sant'Anna, or TWFE when it could not be computed."""
        return (self.estimates.get("callaway_santanna") or self.estimates.get("twfe")
                or self.estimates.get("imputation"))

    def reason(self, key: str, lang: Lang, default: str = "") -> str:
        """Why the piece ``key`` (twfe, att_gt, imputation, weights, pretest, mde, by_type) is missing, in ``lang``."""
        return text(self.reasons[key], lang) if key in self.reasons else default

    def reasons_text(self, lang: Lang) -> dict[str, str]:
        return {k: text(v, lang) for k, v in self.reasons.items()}

    def notes_text(self, lang: Lang) -> list[str]:
        return [text(n, lang) for n in self.notes]


@dataclass(frozen=True)
class Sensitivity:
    """Sensitivity of the average effect over the years since support to violations of parallel trends
    (Rambachan–Roth relative magnitudes, :func:`evalutils.effects.sensitivity`): what the report prints and plots
    (``plot_sensitivity`` takes it), in ``diagnostics["sensitivity"]``."""

    restriction: str
    method: str
    intervals: pd.DataFrame  # M, lb, ub, excludes_zero
    estimate: float
    std_error: float
    original: tuple[float, float]
    breakdown: float  # nan: the interval includes 0 already; inf: beyond breakdown_cap
    breakdown_cap: float
    alpha: float
    term: str

    @property
    def parameter(self) -> str:
        return "Mbar" if self.restriction == "relative_magnitudes" else "M"

    @classmethod
    def of(cls, res) -> Sensitivity:
        return cls(restriction=res.restriction, method=res.method, intervals=res.intervals.reset_index(drop=True),
                   estimate=float(res.estimate), std_error=float(res.std_error),
                   original=(float(res.original[0]), float(res.original[1])), breakdown=float(res.breakdown),
                   breakdown_cap=float(res.breakdown_cap), alpha=float(res.alpha), term=str(res.term))


# the event times the sensitivity analysis uses: four pre-support years before the reference year (-5..-2) and the
# first five years of support (0..4; later years would rest on the 2021 cohort alone)
SENSITIVITY_WINDOW = (-5, 4)

cache.register(Estimate, EventStudy, TwfeWeights, EffectsByType, Evaluation, Message, PretestResult, MDEResult,
               Sensitivity)


def estimate_from(estimator: str, result, *, outcome: str, n_firms: int, n_supported: int) -> Estimate:
    """The overall effect of an estimator's result, read from the first row of its ``tidy()``."""
    r = result.tidy().iloc[0]
    return Estimate(estimator=estimator, outcome=outcome, estimate=float(r["estimate"]),
                    std_error=float(r["std_error"]), conf_low=float(r["conf_low"]), conf_high=float(r["conf_high"]),
                    p_value=float(r["p_value"]), n_firms=n_firms, n_supported=n_supported, method=str(r["method"]))


def _event_study(estimator: str, label: str, result) -> EventStudy:
    effects = (result.effects if estimator == "callaway_santanna" else result.event_effects)
    frame = effects[["event_time", "estimate", "conf_low", "conf_high"]].reset_index(drop=True).copy()
    frame["reference"] = False
    return EventStudy(estimator, label, frame, float(result.alpha),
                      bool(getattr(result, "bootstrapped", False)))


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0]


def _why(exc: Exception) -> Message:
    """An estimator's error as a reason: the estimators speak English; the Vietnamese report says so."""
    return Message.of("reason_estimator_error", detail=_first_line(exc))


def analysis_data(df: pd.DataFrame, *, outcome: str, covariates: tuple[str, ...] | list[str] = (),
                  sample: dict | None = None) -> tuple[pd.DataFrame, list[str], int]:
    """The rows and columns the estimators read, from the outcome panel: the sample restriction applied (``sample``:
    lists of ``vsic_section``, ``size_class``, ``ownership`` kept), rows with a finite outcome and covariates,
    ``first_support`` (the year support began, 0 for firms never supported), the covariates as numeric columns
    (categorical ones as dummies) and supported firms alone in their cohort dropped.

    Returns the panel, the covariate columns and the number of firms dropped as alone in their cohort. Applying
    it to its own output changes nothing.
    """
    sample = {k: v for k, v in (sample or {}).items() if v is not None}
    if sample:
        df = restrict_sample(df, **sample)
    df, columns = encode_covariates(df, list(covariates))
    finite = np.isfinite(df[[outcome, *columns]].to_numpy(dtype=float)).all(axis=1)
    df = df[finite].copy()
    df["first_support"] = df["support_start_year"].fillna(0).astype(int)
    df, dropped = _drop_singleton_cohorts(df, ["first_support"])
    return df, columns, dropped


def time_varying(df: pd.DataFrame, columns: list[str], unit: str = "firm_id") -> list[str]:
    """The columns that vary within some unit (the others are absorbed by the unit effects of TWFE)."""
    return [c for c in columns if (df.groupby(unit)[c].nunique(dropna=False) > 1).any()]


def estimator_arguments(estimator: str, df: pd.DataFrame, *, outcome: str, covariates: list[str], seed: int,
                        n_boot: int = 499, control_group: str = "never_treated", cluster: str = "firm_id",
                        anticipation: int = 0, base_period: str = "varying") -> dict:
    """The keyword arguments a report passes to ``estimator`` (twfe, callaway_santanna, imputation) on the
    :func:`analysis_data` panel ``df``: calling the estimator with them reproduces the report's numbers exactly.
    TWFE gets the time-varying covariates (time-invariant ones are absorbed by the firm effects); the imputation
    estimator takes none."""
    if estimator == "twfe":
        return dict(outcome=outcome, unit="firm_id", time="year", treatment="post_support",
                    covariates=time_varying(df, covariates) or None, cluster=cluster, backend="linearmodels")
    if estimator == "callaway_santanna":
        return dict(outcome=outcome, unit="firm_id", time="year", group="first_support",
                    covariates=list(covariates) or None, control_group=control_group, anticipation=anticipation,
                    base_period=base_period, est_method="reg", unbalanced="pairwise", bootstrap="mammen",
                    n_boot=n_boot, seed=seed, cluster=cluster)
    if estimator == "imputation":
        return dict(outcome=outcome, unit="firm_id", time="year", group="first_support", anticipation=anticipation,
                    cluster=cluster)
    raise ValueError(f"estimator={estimator!r} is not supported; choose one of {', '.join(map(repr, ESTIMATORS))}")


def evaluate_effects(df: pd.DataFrame, *, outcome: str, seed: int, min_supported: int, n_boot: int = 499,
                     control_group: str = "never_treated", cluster: str = "firm_id",
                     with_heterogeneity: bool = True,
                     secondary_outcomes: tuple[str, ...] = (), disclosure_k: int = 1,
                     covariates: tuple[str, ...] | list[str] = (), sample: dict | None = None,
                     estimators: tuple[str, ...] | list[str] = ESTIMATORS, anticipation: int = 0,
                     base_period: str = "varying") -> Evaluation:
    """Run the effect estimators ``estimators`` on ``df`` (columns firm_id, year, ``outcome``, support_start_year,
    post_support, support_type and what the covariates and sample restriction read) and collect their results,
    and the reasons for the missing ones. The panel is first prepared by :func:`analysis_data`; every estimator
    is called with :func:`estimator_arguments`."""
    df, cov_cols, dropped = analysis_data(df, outcome=outcome, covariates=covariates, sample=sample)
    args = dict(outcome=outcome, covariates=cov_cols, seed=seed, n_boot=n_boot, control_group=control_group,
                cluster=cluster, anticipation=anticipation, base_period=base_period)
    notes = []
    if dropped:
        notes.append(Message.of("note_singleton", n=f"<{disclosure_k}" if dropped < disclosure_k else dropped))
    n_firms = int(df["firm_id"].nunique())
    n_supported = int(df.loc[df["first_support"] > 0, "firm_id"].nunique())
    counts = {"n_firms": n_firms, "n_supported": n_supported}
    reasons: dict[str, Message] = {}
    base = dict(outcome=outcome, n_firms=n_firms, n_supported=n_supported, notes=tuple(notes))
    if n_supported < min_supported:
        shown = f"<{disclosure_k}" if 0 < n_supported < disclosure_k else n_supported
        reason = Message.of("reason_few_supported", n=shown, k=min_supported)
        return Evaluation(**base, reasons={k: reason for k in ("twfe", "att_gt", "imputation", "weights", "by_type")})
    if n_supported == n_firms:
        reason = Message.of("reason_all_supported")
        return Evaluation(**base, reasons={k: reason for k in ("twfe", "att_gt", "imputation", "weights", "by_type")})

    estimates: dict[str, Estimate] = {}
    event_studies: list[EventStudy] = []
    pretest = mde = weights = by_type = None
    diagnostics: dict[str, object] = {}
    try:
        # the reports show linearmodels' PanelOLS, the reference a reader can re-run (same numbers as the faster
        # numpy backend, to 1e-10)
        if "twfe" in estimators:
            res = twfe(df, **estimator_arguments("twfe", df, **args))
            estimates["twfe"] = estimate_from("twfe", res, outcome=outcome, **counts)
    except EstimationError as exc:
        reasons["twfe"] = _why(exc)
    try:
        gt = att_gt(df, **estimator_arguments("callaway_santanna", df, **args))
        if "callaway_santanna" in estimators:  # else run only for the pre-trend test
            estimates["callaway_santanna"] = estimate_from("callaway_santanna", gt.aggregate("simple"),
                                                           outcome=outcome, **counts)
            event_studies.append(_event_study("callaway_santanna", "Callaway–Sant'Anna", gt.aggregate("dynamic")))
        try:
            pretest = gt.pretest(trend=PRETREND_SIZE)
        except EstimationError as exc:
            reasons["pretest"] = _why(exc)
        try:  # Rambachan–Roth sensitivity of the average effect; needs the universal base period
            gu = gt if base_period == "universal" and "callaway_santanna" in estimators else att_gt(
                df, **{**estimator_arguments("callaway_santanna", df, **args), "base_period": "universal",
                       "bootstrap": "none"})
            diagnostics["sensitivity"] = Sensitivity.of(sensitivity(
                gu, restriction="relative_magnitudes", target="average", min_e=SENSITIVITY_WINDOW[0],
                max_e=SENSITIVITY_WINDOW[1], covariance="small_sample", seed=seed))  # t at the design's df
        except (EstimationError, ValueError) as exc:
            reasons["sensitivity"] = _why(exc)
    except EstimationError as exc:
        reasons["att_gt"] = _why(exc)
    try:
        mde = minimum_detectable_effect(df, outcome=outcome, unit="firm_id", time="year", group="first_support",
                                        control_group=control_group, anticipation=anticipation)
    except EstimationError as exc:
        reasons["mde"] = _why(exc)
    try:
        if "imputation" in estimators:
            imp = did_imputation(df, **estimator_arguments("imputation", df, **args))
            estimates["imputation"] = estimate_from("imputation", imp, outcome=outcome, **counts)
            event_studies.append(_event_study("imputation", "Borusyak–Jaravel–Spiess", imp))
    except EstimationError as exc:
        reasons["imputation"] = _why(exc)
    try:
        w = twfe_weights(df, outcome=outcome, unit="firm_id", time="year", treatment="post_support")
        weights = TwfeWeights(n_negative=int(w.n_negative), n_treated_obs=int(w.n_treated_obs))
    except EstimationError as exc:
        reasons["weights"] = _why(exc)
    secondary: dict[str, Estimate] = {}
    for extra in secondary_outcomes:
        sub = df[np.isfinite(df[extra])]
        try:
            res = att_gt(sub, **estimator_arguments("callaway_santanna", sub, **{**args, "outcome": extra}))
            secondary[extra] = estimate_from("callaway_santanna", res.aggregate("simple"), outcome=extra, **counts)
        except EstimationError as exc:
            reasons[f"secondary:{extra}"] = _why(exc)
    if with_heterogeneity:
        types = df.loc[df["first_support"] > 0].groupby("support_type")["firm_id"].nunique()
        keep = types[types >= min_supported].index
        if len(keep) >= 2:
            sub = df[df["support_type"].isin(keep) | (df["first_support"] == 0)]
            sub, _ = _drop_singleton_cohorts(sub, ["support_type", "first_support"])
            try:
                het = heterogeneity(sub, by="support_type", outcome=outcome, unit="firm_id", time="year",
                                    group="first_support", control_group=control_group,
                                    unbalanced="pairwise", cluster=cluster, min_units=min_supported,
                                    anticipation=anticipation, base_period=base_period,
                                    covariates=cov_cols or None)
                table = het.tidy()[["term", "estimate", "std_error", "conf_low", "conf_high", "p_value", "p_holm"]]
                by_type = EffectsByType(table.reset_index(drop=True),
                                        float(het.equality_test.get("p_value", float("nan"))))
            except EstimationError as exc:
                reasons["by_type"] = _why(exc)
        else:
            reasons["by_type"] = Message.of("reason_few_types", k=min_supported)
    return Evaluation(**base, estimates={k: estimates[k] for k in ESTIMATORS if k in estimates},
                      secondary=secondary, event_studies=tuple(event_studies), weights=weights, pretest=pretest,
                      mde=mde, by_type=by_type, reasons=reasons, diagnostics=diagnostics)


EFFECTS_CACHE_VERSION = 3


def effects_cache_key(df: pd.DataFrame, options: dict) -> str:
    """Content key of an evaluation: the evalutils code, the rows and columns it reads, and its options (seed
    included)."""
    cols = ["firm_id", "year", options["outcome"], *options.get("secondary_outcomes", ()), "support_start_year",
            "post_support", "support_type", options.get("cluster", "firm_id"), *options.get("covariates", ()),
            *(["vsic_section", "ownership", "employment"] if options.get("sample") else []),
            *(["employment", "capital", "deflator"] if options.get("covariates") else [])]
    return content_key(df, cols, options)


def evaluate_effects_cached(df: pd.DataFrame, *, cache_dir: str | Path | None, name: str,
                            **options) -> Evaluation:
    """:func:`evaluate_effects`, computed once for all the report's languages.

    The evaluation is stored as JSON, ``<cache_dir>/<name>-<key>.json`` where ``key`` is
    :func:`effects_cache_key` (code, data and options, seed included), so a stale entry is never
    used: any change gives a new key and the older entries of ``name`` are removed.
    ``cache_dir=None``, an unwritable directory or an unreadable entry all fall back to computing.
    """
    return cache.cached(cache_dir, name, effects_cache_key(df, options), lambda: evaluate_effects(df, **options),
                        Evaluation)


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
