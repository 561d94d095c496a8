"""Analysis choices: what a report estimates, on which firms, compared with whom.

The choices are keys of ``params/defaults.yml`` (shared by every report); a province's file may override any of
them in an ``analysis:`` block, and a run may override them again (papermill's ``analysis`` parameter, the CLI's
``--set analysis.<key>=<value>``). :func:`resolve_analysis` merges the three layers, in that order, into one
validated :class:`AnalysisChoices`; a bad value is a :class:`~evalutils.errors.ParameterError` naming the file (or
the run option) and the key. See docs/analysis.md.

>>> choices = resolve_analysis({"outcome": "log_va_per_worker", "control_group": "never_treated",
...                             "n_boot": 499, "cluster": "firm_id"},
...                            run={"control_group": "not_yet_treated", "sample": {"size_class": ["micro", "small"]}})
>>> choices.control_group, choices.sample.size_class, choices.estimators
('not_yet_treated', ('micro', 'small'), ('twfe', 'callaway_santanna', 'imputation'))
>>> parse_settings(["analysis.covariates=[ownership, log_employment]", "analysis.anticipation=1"])
{'covariates': ['ownership', 'log_employment'], 'anticipation': 1}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import ParameterError
from .schema import OWNERSHIP, VSIC_SECTIONS

#: outcomes a report can estimate effects on (columns of the analysis panel)
Outcome = Literal["log_va_per_worker", "log_tfp"]
#: panel columns the standard errors may be clustered by
Cluster = Literal["firm_id", "vsic_section"]
ControlGroup = Literal["never_treated", "not_yet_treated"]
BasePeriod = Literal["varying", "universal"]
EstimatorName = Literal["twfe", "callaway_santanna", "imputation"]
#: firm size classes of Decree 80/2021/NĐ-CP (by employment; see :func:`evalutils.measures.analysis.size_class`)
SizeClass = Literal["micro", "small", "medium", "large"]
#: covariates a report can adjust for; ``ownership`` and ``vsic_section`` are categorical (encoded as dummies)
Covariate = Literal["log_employment", "log_capital_per_worker", "ownership", "vsic_section"]
CATEGORICAL_COVARIATES = ("ownership", "vsic_section")
ESTIMATOR_NAMES: tuple[str, ...] = ("twfe", "callaway_santanna", "imputation")
#: the keys a province's ``analysis:`` block and a run may set
ANALYSIS_KEYS = ("outcome", "control_group", "covariates", "sample", "estimators", "anticipation", "base_period",
                 "n_boot", "cluster")
#: fewest bootstrap draws accepted: with B draws a 5% test needs 0.05·(B + 1) whole (99, 199, 499, 999 …)
MIN_BOOT = 99


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sample(_Strict):
    """Which firms a report analyses: each key lists the values kept (``None``: all firms).

    A firm's sector, ownership and size class are those of its first year in the panel, so the restriction never
    depends on what happened after support began.
    """

    vsic_section: tuple[Literal[VSIC_SECTIONS], ...] | None = None  # type: ignore[valid-type]
    size_class: tuple[SizeClass, ...] | None = None
    ownership: tuple[Literal[OWNERSHIP], ...] | None = None  # type: ignore[valid-type]

    @field_validator("vsic_section", "size_class", "ownership")
    @classmethod
    def _not_empty(cls, v):
        if v is not None and len(v) == 0:
            raise ValueError("an empty list would keep no firm; leave the key out (or null) to keep all firms")
        return None if v is None else tuple(dict.fromkeys(v))

    @property
    def restricted(self) -> bool:
        return any(getattr(self, k) is not None for k in type(self).model_fields)


class AnalysisFields(_Strict):
    """The analysis keys of ``params/defaults.yml`` that are optional there (defaults below)."""

    covariates: tuple[Covariate, ...] = ()
    sample: Sample = Sample()
    estimators: tuple[EstimatorName, ...] = ESTIMATOR_NAMES  # type: ignore[assignment]
    anticipation: int = Field(0, ge=0, le=5)
    base_period: BasePeriod = "varying"

    @field_validator("estimators")
    @classmethod
    def _estimators(cls, v):
        if len(v) == 0:
            raise ValueError("name at least one estimator: " + ", ".join(ESTIMATOR_NAMES))
        # shown in the report's order, whatever order they were written in
        return tuple(e for e in ESTIMATOR_NAMES if e in v)

    @field_validator("covariates")
    @classmethod
    def _covariates(cls, v):
        return tuple(dict.fromkeys(v))


class AnalysisChoices(AnalysisFields):
    """Every analysis choice of one report, after the province's and the run's overrides."""

    outcome: Outcome
    control_group: ControlGroup
    n_boot: int = Field(ge=MIN_BOOT, le=100_000)
    cluster: Cluster

    def as_dict(self) -> dict[str, Any]:
        """Plain values (lists, no tuples), as the payload and the cache keys record them."""
        return self.model_dump(mode="json")


class AnalysisOverrides(_Strict):
    """A province's ``analysis:`` block (or a run's overrides): any analysis key, each optional."""

    outcome: Outcome | None = None
    control_group: ControlGroup | None = None
    covariates: tuple[Covariate, ...] | None = None
    sample: Sample | None = None
    estimators: tuple[EstimatorName, ...] | None = None
    anticipation: int | None = Field(None, ge=0, le=5)
    base_period: BasePeriod | None = None
    n_boot: int | None = Field(None, ge=MIN_BOOT, le=100_000)
    cluster: Cluster | None = None

    @field_validator("estimators")
    @classmethod
    def _estimators(cls, v):
        return v if v is None else AnalysisFields._estimators(v)

    def given(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude_unset=True)


_HINTS = {
    "outcome": "choose log_va_per_worker or log_tfp",
    "control_group": "choose never_treated (firms never supported) or not_yet_treated (firms not supported yet)",
    "covariates": "choose among log_employment, log_capital_per_worker, ownership, vsic_section",
    "estimators": "choose among twfe, callaway_santanna, imputation",
    "base_period": "choose varying or universal",
    "n_boot": f"write at least {MIN_BOOT} draws (499 or 999 are usual)",
    "anticipation": "write the number of years before support in which firms already reacted (0 to 5)",
    "cluster": "choose firm_id or vsic_section",
}


def _errors(exc: ValidationError, *, where: str | Path, prefix: str) -> ParameterError:
    """The first pydantic problem as a :class:`ParameterError` naming ``where`` and the key (all kept in
    ``.problems``)."""
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"] if not isinstance(p, int) and not str(p).startswith("function-")]
        key = ".".join([prefix, *loc]) if prefix else ".".join(loc)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown analysis key {loc[-1]!r}"
            hint = "analysis keys: " + ", ".join(ANALYSIS_KEYS) + (
                "; sample keys: vsic_section, size_class, ownership" if "sample" in loc[:-1] else "")
        else:
            top = loc[0] if loc else ""
            hint = _HINTS.get(top, "see docs/analysis.md")
            if top == "sample":
                hint = ("list the values kept, e.g. vsic_section: [C], size_class: [micro, small, medium], "
                        "ownership: [private]")
            if "input" in err and not isinstance(err["input"], dict):
                msg = f"{msg} (got {err['input']!r})"
        problems.append(ParameterError(msg, file=where, key=key or "(top level)", hint=hint))
    first = problems[0]
    more = f" ({len(problems) - 1} more problem(s) after this one)" if len(problems) > 1 else ""
    out = ParameterError(first.message + more, file=where, key=first.key, hint=first.hint)
    out.problems = problems
    return out


def check_overrides(data: Any, *, where: str | Path, prefix: str = "analysis") -> dict[str, Any]:
    """Validate an ``analysis:`` block (a mapping of analysis keys); return the keys it sets."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(f"the analysis block must be a mapping of keys to values, not {type(data).__name__}",
                             file=where, key=prefix, hint="write 'control_group: not_yet_treated' lines; see "
                                                          "docs/analysis.md")
    try:
        return AnalysisOverrides.model_validate(data).given()
    except ValidationError as exc:
        raise _errors(exc, where=where, prefix=prefix) from None


def resolve_analysis(defaults: dict[str, Any] | Any, province: dict[str, Any] | None = None,
                     run: dict[str, Any] | None = None, *, defaults_file: str | Path = "params/defaults.yml",
                     province_file: str | Path = "the province file",
                     run_source: str = "the run's analysis options") -> AnalysisChoices:
    """The analysis choices of one report: ``defaults`` (a mapping, or :class:`~evalutils.panel.params.Defaults`),
    then a province's ``analysis:`` block, then the run's overrides; each layer's bad value names its source."""
    if not isinstance(defaults, dict):
        defaults = {k: getattr(defaults, k) for k in ANALYSIS_KEYS if hasattr(defaults, k)}
        defaults = {k: (v.model_dump() if isinstance(v, BaseModel) else v) for k, v in defaults.items()}
    merged = dict(defaults)
    merged.update(check_overrides(province, where=province_file))
    merged.update(check_overrides(run, where=run_source))
    try:
        return AnalysisChoices.model_validate(merged)
    except ValidationError as exc:
        raise _errors(exc, where=defaults_file, prefix="") from None


def parse_settings(settings: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """``["analysis.control_group=not_yet_treated", "analysis.sample.size_class=[micro, small]"]`` as the nested
    mapping of analysis overrides; values are read as YAML (lists in brackets, numbers as numbers)."""
    out: dict[str, Any] = {}
    for item in settings:
        key, sep, value = item.partition("=")
        parts = key.strip().split(".")
        if not sep or parts[0] != "analysis" or len(parts) < 2 or not all(parts):
            raise ParameterError(f"cannot read the setting {item!r}", file="--set", key=key.strip() or item,
                                 hint="write --set analysis.<key>=<value>, e.g. "
                                      "--set analysis.control_group=not_yet_treated; keys: " + ", ".join(ANALYSIS_KEYS))
        try:
            parsed = yaml.safe_load(value) if value.strip() else None
        except yaml.YAMLError:
            raise ParameterError(f"cannot read the value of {item!r}", file="--set", key=key,
                                 hint="write a single value or a list in brackets, e.g. [micro, small]") from None
        node = out
        for p in parts[1:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ParameterError(f"{key!r} is set twice, as a value and as a mapping", file="--set", key=key,
                                     hint="give each analysis key once")
        node[parts[-1]] = parsed
    check_overrides(out, where="--set")
    return out


def as_overrides(value: Any, *, where: str = "the notebook parameter 'analysis'") -> dict[str, Any]:
    """A run's overrides given as a mapping, as YAML/JSON text (papermill ``-p analysis '{...}'``) or ``None``."""
    if value is None or value == "" or value == {}:
        return {}
    if isinstance(value, str):
        try:
            value = yaml.safe_load(value)
        except yaml.YAMLError:
            raise ParameterError("the analysis overrides are not readable YAML/JSON", file=where, key="analysis",
                                 hint='write e.g. {"control_group": "not_yet_treated"}') from None
    check_overrides(value, where=where)
    return dict(value or {})
