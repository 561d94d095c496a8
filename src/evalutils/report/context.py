"""What one province report reads, loaded and validated once: :class:`ProvinceContext`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ParameterError
from ..geography import REGIONS, Geography, province_codes, provinces, resolve_province, resolve_unit_2025
from ..i18n import Lang
from ..measures.aggregates import firm_log_tfp, national_aggregates
from ..measures.outcomes import outcome_panel
from ..measures.targets import scorecard
from . import exhibits
from ..panel.analysis import AnalysisChoices, as_overrides, resolve_analysis
from ..panel.io import load_data_manifest, load_deflators, load_monitoring, load_panel, load_participation, \
    participation_for
from ..panel.params import Defaults, ProvinceParams, load_defaults, load_province_params, province_params_path


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

    ``totals`` and ``tfp_model`` are the national aggregates (:mod:`evalutils.measures.aggregates`);
    ``cache_dir`` is where they and the unit's evaluation are cached (None: this process only).
    ``memo`` keeps what several sections compute from the context (the analysis panel, the productivity trend,
    the scorecards), computed on first use by :meth:`once`.
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
    panel: pd.DataFrame
    participation: pd.DataFrame
    monitoring: pd.DataFrame
    deflators: pd.DataFrame | None
    totals: pd.DataFrame
    tfp_model: dict
    data_manifest: dict
    data_dir: Path
    params_dir: Path
    cache_dir: Path | None
    #: the analysis choices: defaults.yml, then the province files' ``analysis:`` blocks, then the run's overrides
    analysis: AnalysisChoices | None = None
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

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
    panel = load_panel(data_dir, codes)
    participation = participation_for(load_participation(data_dir), panel)
    national = national_aggregates(data_dir, seed=defaults.seed, cache_dir=cache_dir)
    exhibits.start()  # a new report: the figures and tables it shows are recorded from here (report/exhibits.py)
    return ProvinceContext(
        geography=geography, slug=slug, name_vi=name_vi, name_en=name_en, codes=codes,
        region=", ".join(regions), members=members, lang=lang, defaults=defaults, panel=panel,
        participation=participation, monitoring=load_monitoring(data_dir), deflators=load_deflators(data_dir),
        totals=national.totals, tfp_model=national.model, data_manifest=load_data_manifest(data_dir),
        data_dir=data_dir, params_dir=params_dir, cache_dir=cache_dir, analysis=choices,
    )


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
