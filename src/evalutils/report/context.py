"""What one province report reads, loaded and validated once: :class:`ProvinceContext`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import cache
from ..errors import ParameterError
from ..geography import REGIONS, Geography, province_codes, provinces, resolve_province, resolve_unit_2025
from ..i18n import Lang
from ..measures.aggregates import files_digest, firm_log_tfp, national_aggregates
from ..measures.outcomes import outcome_panel
from ..measures.targets import scorecard
from . import exhibits
from ..panel.analysis import AnalysisChoices, as_overrides, resolve_analysis
from ..panel.io import DataPaths, load_data_manifest, load_deflators, load_monitoring, load_panel, load_participation, \
    participation_for
from ..panel.params import Defaults, ProvinceParams, load_defaults, load_province_params, province_params_path
from ..provenance import code_hash, remember_digests

#: the version of the stored tables' form (:meth:`ProvinceContext.stored`); raise it when a stored table changes
UNIT_CACHE_VERSION = 1


@dataclass(frozen=True)
class MemberProvince:
    """A pre-2025 province inside the report's unit, with its plans and targets."""

    slug: str
    code: str
    name_vi: str
    params: ProvinceParams


@dataclass
class ProvinceContext:
    """Everything a report reads, loaded and validated once.

    In the ``pre2025`` geography the unit is one of the 63 provinces; in the
    ``2025`` geography it is one of the 34 units of Resolution 202/2025/QH15 and
    pools the old provinces it is made of (their plans stay separate).

    ``panel`` and ``participation`` are the unit's firm-years and supported firms, ``totals`` and ``tfp_model``
    the national aggregates (:mod:`evalutils.measures.aggregates`); all four are read on first use
    (:meth:`load_data`). ``cache_dir`` is where the national aggregates, the unit's evaluation and the tables
    its sections compute from the data are cached (None: this process only). ``memo`` keeps what several
    sections compute (the analysis panel, the productivity trend, the scorecards), computed on first use by
    :meth:`once`; what comes from the data alone is also kept in the cache directory by :meth:`stored`, keyed
    by :attr:`data_key`, so that a report whose plan alone changed (a target) reads none of the panel.
    """

    geography: Geography
    slug: str
    name_vi: str
    name_en: str
    codes: list[str]
    region: str
    members: list[MemberProvince]
    lang: Lang
    defaults: Defaults
    monitoring: pd.DataFrame
    deflators: pd.DataFrame | None
    data_manifest: dict
    data_dir: Path
    params_dir: Path
    cache_dir: Path | None
    #: the analysis choices: defaults.yml, then the province files' ``analysis:`` blocks, then the run's overrides
    analysis: AnalysisChoices | None = None
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _data: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.name_vi if self.lang == "vi" else self.name_en

    @property
    def synthetic(self) -> bool:
        return bool(self.data_manifest.get("synthetic"))

    @property
    def k(self) -> int:
        """The disclosure threshold: no published cell is built from fewer firms."""
        return self.defaults.disclosure.min_firms_per_cell

    def once(self, key: str, build: Callable[[], Any]) -> Any:
        """``build()``, computed on the first call with ``key`` and kept in :attr:`memo`."""
        if key not in self.memo:
            self.memo[key] = build()
        return self.memo[key]

    # ---------------------------------------------------------------- the data, read on first use

    def load_data(self) -> None:
        """Read and validate the unit's panel partitions and participation rows, and the national aggregates."""
        if "panel" not in self._data:
            panel = load_panel(self.data_dir, self.codes)
            self._data["participation"] = participation_for(load_participation(self.data_dir), panel)
            self._data["panel"] = panel
        self._national()

    @property
    def data_loaded(self) -> bool:
        """Whether this context has read the unit's panel (a report whose sections are all stored does not)."""
        return "panel" in self._data

    @property
    def panel(self) -> pd.DataFrame:
        """The unit's firm-year panel (validated)."""
        self.load_data()
        return self._data["panel"]

    @property
    def participation(self) -> pd.DataFrame:
        """The programme participation rows of the unit's firms."""
        self.load_data()
        return self._data["participation"]

    @property
    def totals(self) -> pd.DataFrame:
        """Province-year totals of the whole country (:func:`evalutils.measures.aggregates.national_aggregates`)."""
        return self._national().totals

    @property
    def tfp_model(self) -> dict:
        """The national production-function estimates used for firm TFP."""
        return self._national().model

    def _national(self):
        if "national" not in self._data:  # from the cache directory: no need to read the unit's panel
            self._data["national"] = national_aggregates(self.data_dir, seed=self.defaults.seed,
                                                         cache_dir=self.cache_dir)
        return self._data["national"]

    @property
    def data_key(self) -> str:
        """Key of everything computed from the data alone: the code, the contents of every input data file, every
        setting of defaults.yml, the unit's analysis choices. The province files' plans and targets are not in it:
        a changed target changes no stored table."""
        if "key" not in self._data:
            h = hashlib.sha256(f"unit-v{UNIT_CACHE_VERSION}".encode())
            h.update(code_hash().encode())
            h.update(files_digest(DataPaths(self.data_dir).inputs()).encode())
            h.update(self.defaults.model_dump_json().encode())
            h.update(("" if self.analysis is None else self.analysis.model_dump_json()).encode())
            h.update(json.dumps([self.geography, self.slug, self.codes]).encode())
            self._data["key"] = h.hexdigest()
        return self._data["key"]

    def stored(self, name: str, build: Callable[[], Any], kind: type | tuple = object) -> Any:
        """``build()`` (which must read only the data, the defaults and the analysis choices: :attr:`data_key`),
        kept in :attr:`memo` and in ``<cache_dir>/units/`` as JSON (:mod:`evalutils.cache`)."""
        def persistent():
            if self.cache_dir is None:
                return build()
            return cache.cached(self.cache_dir / "units", f"{self.geography}-{self.slug}-{name}", self.data_key,
                                build, kind)
        return self.once(f"stored:{name}", persistent)

    @property
    def warm(self) -> bool:
        """Whether a report of this unit was completed from the same data, code and settings (:meth:`mark_built`):
        its stored tables are all there, so the panel need not be read (nor validated again: the same bytes
        passed before)."""
        return self.cache_dir is not None and cache.peek(
            self.cache_dir / "units", f"{self.geography}-{self.slug}-built", self.data_key) is True

    def mark_built(self) -> None:
        """Record that every stored table of this unit exists (called once the report's payload is complete)."""
        if self.cache_dir is not None:
            cache.cached(self.cache_dir / "units", f"{self.geography}-{self.slug}-built", self.data_key,
                         lambda: True, bool)

    @property
    def last_year(self) -> int:
        """The panel's latest year."""
        return int(self.stored("last-year", lambda: int(self.panel["year"].max()), int))

    @property
    def n_supported_firms(self) -> int:
        """Supported firms of the unit (distinct firms in its participation rows)."""
        return int(self.stored("n-supported", lambda: int(self.participation["firm_id"].nunique()), int))

    def scorecard(self, member: MemberProvince) -> pd.DataFrame:
        """The member province's scorecard, computed once per context."""
        return self.once(f"scorecard:{member.slug}", lambda: scorecard(
            member.params, self.monitoring, member.code, about_tolerance=self.defaults.about_tolerance))

    @property
    def params_files(self) -> list[Path]:
        return [province_params_path(self.params_dir, m.slug) for m in self.members]


def load_province_context(province: str, *, data_dir: str | Path, params_dir: str | Path,
                          lang: Lang = "en", geography: Geography = "pre2025",
                          cache_dir: str | Path | None = None,
                          analysis: dict | str | None = None) -> ProvinceContext:
    """Load parameters and the unit's slice of the data (validated); the national aggregates from ``cache_dir``
    (built there on first use). The data directory is only read.

    ``analysis`` overrides analysis choices for this run (a mapping or YAML text, e.g.
    ``{"control_group": "not_yet_treated"}``), after ``defaults.yml`` and the province file's ``analysis:`` block
    (see docs/analysis.md)."""
    if lang not in ("vi", "en"):
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
    data_dir, params_dir = Path(data_dir), Path(params_dir)
    cache_dir = None if cache_dir is None else Path(cache_dir)
    prov = provinces().set_index("code")
    if geography == "pre2025":
        row = resolve_province(province)
        slug, name_vi, name_en = row["slug"], row["name_vi"], row["name_en"]
    else:
        unit = resolve_unit_2025(province)
        slug, name_vi, name_en = unit["slug"], unit["name_vi"], unit["name_en"]
    codes = province_codes(geography, slug)
    defaults = load_defaults(params_dir / "defaults.yml")
    members = [MemberProvince(prov.loc[c, "slug"], c, prov.loc[c, "name_vi"],
                              load_province_params(province_params_path(params_dir, prov.loc[c, "slug"])))
               for c in codes]
    choices = analysis_choices(params_dir, defaults, members, analysis)
    regions = list(dict.fromkeys(REGIONS[prov.loc[c, "region"]][lang] for c in codes))
    remember_digests(cache_dir)  # the data's digests, kept beside the caches (provenance.FileHasher)
    ctx = ProvinceContext(
        geography=geography, slug=slug, name_vi=name_vi, name_en=name_en, codes=codes,
        region=", ".join(regions), members=members, lang=lang, defaults=defaults,
        monitoring=load_monitoring(data_dir), deflators=load_deflators(data_dir),
        data_manifest=load_data_manifest(data_dir), data_dir=data_dir, params_dir=params_dir, cache_dir=cache_dir,
        analysis=choices,
    )
    if not ctx.warm:  # read and validated now, so that a problem of the data stops the report at its first cell
        ctx.load_data()
    exhibits.start()  # a new report: the figures and tables it shows are recorded from here (report/exhibits.py)
    return ctx


def analysis_choices(params_dir: Path, defaults: Defaults, members: list[MemberProvince],
                     run: dict | str | None = None) -> AnalysisChoices:
    """The unit's analysis choices. The members of a 2025 unit must not set one key to different values."""
    province: dict = {}
    source: dict = {}
    for m in members:
        path = province_params_path(params_dir, m.slug)
        for key, value in (m.params.analysis or {}).items():
            if key in province and province[key] != value:
                raise ParameterError(f"the provinces of this unit set analysis.{key} differently "
                                     f"({province[key]!r} in {source[key].name}, {value!r} here)", file=path,
                                     key=f"analysis.{key}", hint="give the provinces of a unit the same choice, "
                                                                 "or set it for the run (--set)")
            province[key], source[key] = value, path
    where = province_params_path(params_dir, members[0].slug) if members else "the province file"
    return resolve_analysis(defaults, province, as_overrides(run), defaults_file=params_dir / "defaults.yml",
                            province_file=where)


def analysis_panel(ctx: ProvinceContext) -> pd.DataFrame:
    """The firm-year panel with the outcomes (log real VA per worker, log TFP) and the post-support indicator."""
    return ctx.once("analysis_panel", lambda: _analysis_panel(ctx)).copy()


def _analysis_panel(ctx: ProvinceContext) -> pd.DataFrame:
    df = outcome_panel(ctx.panel, ctx.participation, ctx.deflators)
    df["log_tfp"] = firm_log_tfp(df, ctx.deflators, ctx.tfp_model).to_numpy()
    return df
