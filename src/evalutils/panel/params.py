"""Parameter files: the shared analysis defaults and one file per province.

``params/defaults.yml`` holds the analysis settings every report shares (years,
outcomes, estimators, disclosure threshold, seed). ``params/provinces/<slug>.yml``
holds a province's plans and quantitative targets, each target with the
verbatim Vietnamese sentence it comes from and the source document's name.

Files are read with ``yaml.safe_load`` and validated with pydantic models that
forbid unknown keys; every problem is raised as :class:`ParameterError` naming
the file and the key path (``targets[2].unit``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import ParameterError
from ..geography import resolve_province
from .indicators import INDICATORS, Aggregation, allowed_units
from .analysis import MIN_BOOT, AnalysisFields, check_overrides

Comparison = Literal["at_least", "more_than", "at_most", "between", "about"]
Year = Annotated[int, Field(ge=1990, le=2050)]
#: a number that is a number: ``.nan`` and ``.inf`` in YAML are refused
Number = Annotated[float, Field(allow_inf_nan=False)]
#: outcomes a report can estimate effects on (columns of :func:`evalutils.report.province.analysis_panel`)
Outcome = Literal["log_va_per_worker", "log_tfp"]
#: panel columns the standard errors of a province's effect estimates may be clustered by
Cluster = Literal["firm_id", "vsic_section"]
#: seeds are whole numbers 0 … 2**32 − 1 (numpy accepts larger ones, but they are written to int64 fields,
#: JSON manifests and other tools' 32-bit seeds)
MAX_SEED = 2**32 - 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Plan(_Strict):
    """A provincial plan (kế hoạch) implementing the national programmes."""

    id: str
    title_vi: str
    number: str | None = None
    issued: str | None = Field(None, description="date of issue, YYYY-MM-DD, when the source gives it")
    issuer: str | None = None
    period: tuple[Year, Year] | None = None
    implements: list[str] = Field(default_factory=list)
    source: str
    note: str | None = None

    @model_validator(mode="after")
    def _period_order(self) -> "Plan":
        if self.period and self.period[0] > self.period[1]:
            raise ValueError(f"period is written backwards: {list(self.period)}; write [start, end]")
        if self.issued is not None:
            try:
                date.fromisoformat(self.issued)
                ok = len(self.issued) == 10
            except ValueError:
                ok = False
            if not ok:
                raise ValueError(f"issued {self.issued!r} is not a date written YYYY-MM-DD (e.g. 2021-06-23); "
                                 "write null when the source does not give it")
        return self


class Target(_Strict):
    """One quantitative target, as the plan states it."""

    id: str
    plan: str
    indicator: str
    comparison: Comparison
    value: Number | None = None
    range: tuple[Number, Number] | None = None
    unit: str
    aggregation: Aggregation
    period: tuple[Year, Year] | None = None
    label_en: str
    quote_vi: str = Field(min_length=10)
    source: str
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "Target":
        if self.indicator not in INDICATORS:
            raise ValueError(
                f"unknown indicator {self.indicator!r}; known: {', '.join(sorted(INDICATORS))}"
            )
        units = allowed_units(self.indicator, self.aggregation)
        if self.unit not in units:
            raise ValueError(
                f"unit {self.unit!r} is not a unit of indicator {self.indicator!r} "
                f"with aggregation {self.aggregation!r}; allowed: {sorted(units) or 'none'}"
            )
        if self.comparison == "between":
            if self.range is None or self.value is not None:
                raise ValueError("comparison 'between' needs range: [low, high] and no value")
            if self.range[0] > self.range[1]:
                raise ValueError(f"range is written backwards: {list(self.range)}; write [low, high]")
        elif self.value is None or self.range is not None:
            raise ValueError(f"comparison {self.comparison!r} needs value: and no range")
        if self.period and self.period[0] > self.period[1]:
            raise ValueError(f"period is written backwards: {list(self.period)}; write [start, end]")
        numbers = [self.value] if self.range is None else list(self.range)
        ind = INDICATORS[self.indicator]
        if self.aggregation == "annual_growth":
            lo, hi, what = -100.0, None, "a growth rate in percent cannot fall below -100"
        elif ind.kind == "count":
            lo, hi, what = 0.0, None, f"a count of {ind.unit} cannot be negative"
        else:
            lo, hi, what = ind.lower, ind.upper, f"{self.indicator} runs {ind.bounds_text}" if (
                ind.lower is not None or ind.upper is not None) else ""
        wrong = [v for v in numbers if v is not None and ((lo is not None and v < lo) or (hi is not None and v > hi))]
        if wrong:
            raise ValueError(f"{'range' if self.range is not None else 'value'} {wrong[0]:g} is impossible: {what}")
        return self


class ProvinceParams(_Strict):
    """Everything a province report needs to know about the province's plans."""

    province: str = Field(description="slug of the pre-2025 province, e.g. bac-lieu")
    plans: list[Plan] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    analysis: dict | None = Field(None, description="overrides of the analysis choices (docs/analysis.md)")

    def check_references(self, path: Path) -> None:
        """Targets must refer to a plan of the file; target ids must be unique."""
        plan_ids = {p.id for p in self.plans}
        seen_plans: set[str] = set()
        for i, p in enumerate(self.plans):
            if p.id in seen_plans:
                raise ParameterError(f"duplicate plan id {p.id!r}", file=path, key=f"plans[{i}].id",
                                     hint="give every plan its own id")
            seen_plans.add(p.id)
        seen: set[str] = set()
        for i, t in enumerate(self.targets):
            if t.plan not in plan_ids:
                raise ParameterError(f"target refers to plan {t.plan!r}, not among {sorted(plan_ids)}",
                                     file=path, key=f"targets[{i}].plan",
                                     hint="use the id of one of the plans listed under plans:")
            if t.id in seen:
                raise ParameterError(f"duplicate target id {t.id!r}", file=path, key=f"targets[{i}].id",
                                     hint="give every target its own id")
            seen.add(t.id)

    def target_period(self, target: Target) -> tuple[int, int] | None:
        if target.period:
            return target.period
        plan = next(p for p in self.plans if p.id == target.plan)
        return plan.period


class Disclosure(_Strict):
    min_firms_per_cell: int = Field(ge=1, description="statistical disclosure control threshold")
    max_firm_share: Number = Field(gt=0, le=1, description="dominance rule: largest firm's share of a cell's total")


class Defaults(AnalysisFields):
    """Analysis settings shared by every report (params/defaults.yml); the analysis choices (covariates, sample,
    estimators, anticipation, base_period and outcome, control_group, n_boot, cluster) may be overridden by a
    province file's ``analysis:`` block and by a run (:mod:`.analysis`)."""

    seed: int = Field(ge=0, le=MAX_SEED)
    years: tuple[Year, Year]
    plan_period: tuple[Year, Year]
    outcome: Outcome
    about_tolerance: Number = Field(gt=0, lt=1, description="relative band for 'about' targets")
    disclosure: Disclosure
    cluster: Cluster
    min_supported_for_estimate: int = Field(ge=2)
    control_group: Literal["never_treated", "not_yet_treated"]
    n_boot: int = Field(ge=MIN_BOOT, le=100_000)

    @model_validator(mode="after")
    def _ranges(self) -> "Defaults":
        for name in ("years", "plan_period"):
            lo, hi = getattr(self, name)
            if lo > hi:
                raise ValueError(f"{name} is written backwards: [{lo}, {hi}]; write [start, end]")
        return self


class _UniqueKeyLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a key written twice in one mapping (PyYAML keeps the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key!r} is written twice (first on line {seen[key] + 1})",
                        key_node.start_mark)
            except TypeError:  # an unhashable key: let PyYAML report it
                break
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _load_yaml(path: Path) -> dict:
    if path.exists() and not path.is_file():
        raise ParameterError("the parameter path is not a regular file (a directory, named pipe or device)",
                             file=path, hint="make it an ordinary YAML file (see params/README.md)")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParameterError("parameter file not found", file=path,
                             hint="run `evalutils params init` or check the params directory") from None
    except UnicodeDecodeError as exc:
        raise ParameterError(f"parameter file is not UTF-8 ({exc.reason} at byte {exc.start})", file=path,
                             hint="save the file as UTF-8") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        hint = "fix the YAML syntax (indentation, quotes, colons)"
        if "written twice" in problem:
            hint = "keep one of the two values and delete the other"
        elif "could not determine a constructor" in problem:
            hint = "remove the '!!' tag: parameter files hold plain values only (no Python objects)"
        elif "\t" in problem or "'\\t'" in problem:
            hint = "indent with spaces, not tabs"
        raise ParameterError(f"invalid YAML{where}: {problem}", file=path, hint=hint) from None
    if data is None:
        raise ParameterError("parameter file is empty", file=path,
                             hint="write the keys of params/README.md (a province without plans has "
                                  "'plans: []' and 'targets: []')")
    if not isinstance(data, dict):
        raise ParameterError(f"parameter file must be a mapping of keys to values, not a {type(data).__name__}",
                             file=path, key="(top level)", hint="write 'key: value' lines; see params/README.md")
    return data


def _key_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


_HINTS = {
    "seed": f"write a whole number from 0 to {MAX_SEED} (the suite's seed is 20200831)",
    "n_boot": f"write at least {MIN_BOOT} draws (499 or 999 are usual; 0 would give no confidence interval)",
    "outcome": "choose one of the outcomes listed; see params/README.md",
    "cluster": "choose one of the columns listed; see params/README.md",
}


def _validation_errors(path: Path, exc: ValidationError) -> list[ParameterError]:
    """Each pydantic error as a :class:`ParameterError` naming the file and the key path."""
    out = []
    for err in exc.errors():
        key = _key_path(tuple(p for p in err["loc"] if not str(p).startswith("function-")))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown key {err['loc'][-1]!r}"
            hint = "remove it or correct its spelling; see params/README.md for the keys"
        elif err["type"] == "missing":
            msg = f"missing key {err['loc'][-1]!r}"
            hint = "add it; see params/README.md"
        else:
            hint = _HINTS.get(key, "correct the value; see params/README.md")
            if err["type"] == "finite_number":
                msg = f"{msg}, not {err.get('input')!r}"
                hint = "write the number the plan states (.nan and .inf are not numbers)"
            # a model-level check names its field first ('range is written backwards'): point the key at it
            words = msg.removeprefix("unknown ").split(" ", 1)
            if err["type"] == "value_error" and words[0] in _FIELDS:
                key = f"{key}.{words[0]}" if key != "(top level)" else words[0]
        out.append(ParameterError(msg, file=path, key=key, hint=hint))
    return out


def _raise_validation(path: Path, exc: ValidationError, data: dict) -> None:
    errors = _validation_errors(path, exc)
    first = errors[0]
    more = f" ({len(errors) - 1} more problem(s) after this one)" if len(errors) > 1 else ""
    err = ParameterError(f"{first.message}{more}", file=path, key=first.key, hint=first.hint)
    err.problems = errors  # every problem, for `evalutils validate`
    raise err from None


_FIELDS = {name for model in (Plan, Target, Defaults) for name in model.model_fields}


def load_defaults(path: str | Path) -> Defaults:
    path = Path(path)
    data = _load_yaml(path)
    try:
        return Defaults.model_validate(data)
    except ValidationError as exc:
        _raise_validation(path, exc, data)
        raise  # unreachable


def load_province_params(path: str | Path) -> ProvinceParams:
    """Read and validate one province file; the province slug must exist."""
    path = Path(path)
    data = _load_yaml(path)
    try:
        params = ProvinceParams.model_validate(data)
    except ValidationError as exc:
        _raise_validation(path, exc, data)
        raise
    params.check_references(path)
    check_overrides(params.analysis, where=path)
    try:
        slug = resolve_province(params.province)["slug"]
    except Exception as exc:  # GeographyError: re-raise naming the file
        raise ParameterError(str(exc).splitlines()[0], file=path, key="province",
                             hint=getattr(exc, "hint", None)) from None
    if slug != params.province:
        # a name or code ('Bac Lieu', 'Bạc Liêu', '95') resolves to the slug, which is what the suite uses
        params = params.model_copy(update={"province": slug})
    if path.stem != params.province:
        raise ParameterError(f"file name does not match province {params.province!r}", file=path,
                             key="province", hint=f"rename the file to {params.province}.yml")
    return params


def province_params_path(params_dir: str | Path, province: str) -> Path:
    return Path(params_dir) / "provinces" / f"{province}.yml"
