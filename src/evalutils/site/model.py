"""What the website shows, read from the run manifest: one :class:`Unit` per province (or 2025 unit, or the
national synthesis) with its built reports and the results payload each report displayed.

Paths are "site paths": relative to the site's root folder (``reports/site/`` or the published folder). A report
keeps the path it has under the reports folder (``vi/bac-lieu.html``, ``en/units-2025/ha-noi.html``,
``vi/national.html``), so the site pages of a language (``vi/index.html``…) sit beside its reports.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from ..geography import provinces, units_2025
from ..render.export import report_title, unit_name
from ..render.manifest import RunManifest
from ..render.task import NATIONAL
from .strings import LANGS

GEOGRAPHIES = ("pre2025", "2025")
STATUS_MET = "met"


@dataclass(frozen=True)
class Report:
    """One built report in one language."""

    lang: str
    html: str                 # site path of the HTML (same as under the reports folder)
    pdf: str | None           # site path of the PDF beside it, when there is one
    title: str                # "‹Province› — ‹report title›"

    @property
    def data(self) -> str:
        """Site path of the report's results as JSON."""
        return posixpath.join("data", posixpath.splitext(self.html)[0] + ".json")

    def table(self, name: str) -> str:
        """Site path of one of the report's tables as CSV: ``targets``, ``effects`` (linked from the navigation
        bar) or the id of a figure or table of the report (linked under it; report/exhibits.py)."""
        return posixpath.join("data", f"{posixpath.splitext(self.html)[0]}-{name}.csv")


@dataclass
class Unit:
    geography: str            # "national", "pre2025" or "2025"
    slug: str
    order: int
    reports: dict[str, Report] = field(default_factory=dict)
    results: dict[str, dict] = field(default_factory=dict)   # lang -> payload of the built report

    def name(self, lang: str) -> str:
        return unit_name(self.slug, self.geography, lang)

    def headline(self, lang: str) -> dict | None:
        """The payload shown for this unit in ``lang`` (the other language's when only that one is built)."""
        return self.results.get(lang) or next((self.results[x] for x in LANGS if x in self.results), None)

    @property
    def key(self) -> str:
        return f"{self.geography}-{self.slug}"


def _orders() -> dict[str, dict[str, int]]:
    return {"pre2025": {s: i for i, s in enumerate(provinces()["slug"])},
            "2025": {s: i for i, s in enumerate(units_2025()["slug"])},
            NATIONAL: {NATIONAL: 0}}


def collect_units(manifest: RunManifest, reports_dir: Path) -> list[Unit]:
    """Every unit of the manifest, national first, then each geography in its official order.

    A unit's report in a language is listed only when its HTML is in place (the last good build is kept when a
    rebuild failed); a failed or missing report is simply absent: the site says "not yet available", never why.
    """
    orders = _orders()
    units: dict[tuple[str, str], Unit] = {}
    for key in sorted(manifest.reports):
        e = manifest.reports[key]
        geo, lang, slug = e.get("geography"), e.get("lang"), e.get("province")
        if geo not in orders or lang not in LANGS or not slug:
            continue
        unit = units.setdefault((geo, slug), Unit(geo, slug, orders[geo].get(slug, 10_000)))
        rel = e.get("html") or (e.get("last_built") or {}).get("html")
        if not rel or not (reports_dir / rel).is_file():
            continue
        rel = Path(rel).as_posix()
        pdf = posixpath.splitext(rel)[0] + ".pdf"
        unit.reports[lang] = Report(lang, rel, pdf if (reports_dir / pdf).is_file() else None,
                                    report_title(slug, geo, lang))
        if e.get("results"):
            unit.results[lang] = e["results"]
    rank = {NATIONAL: 0, "pre2025": 1, "2025": 2}
    return sorted(units.values(), key=lambda u: (rank[u.geography], u.order, u.slug))


def neighbours(units: list[Unit], unit: Unit, lang: str) -> tuple[Unit | None, Unit | None]:
    """The previous and next unit of the same geography with a report in ``lang``."""
    same = [u for u in units if u.geography == unit.geography and lang in u.reports]
    if unit not in same:
        return None, None
    i = same.index(unit)
    return (same[i - 1] if i > 0 else None), (same[i + 1] if i + 1 < len(same) else None)


def rel(from_page: str, to: str) -> str:
    """Relative link from the site page ``from_page`` to the site path ``to``."""
    return posixpath.relpath(to, posixpath.dirname(from_page) or ".")


# ------------------------------------------------------------------ numbers shown

def effect_of(res: dict | None) -> dict | None:
    return (res or {}).get("effect") or None


def mde_of(res: dict | None) -> float | None:
    """The minimum detectable effect when the payload has one (issue 12 adds it)."""
    res = res or {}
    for key in ("mde", "minimum_detectable_effect"):
        v = res.get(key)
        if isinstance(v, dict):
            v = v.get("estimate") or v.get("value") or v.get("mde")
        if isinstance(v, (int, float)):
            return float(v)
    eff = res.get("effect") or {}
    v = eff.get("mde")
    return float(v) if isinstance(v, (int, float)) else None


def targets_of(res: dict | None) -> tuple[int, int] | None:
    if not res or res.get("n_targets") is None:
        return None
    return int((res.get("target_status_counts") or {}).get(STATUS_MET, 0)), int(res.get("n_targets") or 0)


#: the estimators' short names in the overview table, in the page's language (docs/glossary.md)
METHOD_LABELS = {"twfe": {"vi": "TWFE", "en": "TWFE"},
                 "callaway_santanna": {"vi": "Callaway–Sant'Anna", "en": "Callaway–Sant'Anna"},
                 "imputation": {"vi": "điền khuyết (BJS)", "en": "imputation (BJS)"},
                 "sun_abraham": {"vi": "Sun–Abraham", "en": "Sun–Abraham"}}


def effect_method(res: dict | None, lang: str = "en") -> str:
    """Which estimator the headline effect is, by its short name in ``lang``: the payload's ``estimator``, or the
    entry of ``effects`` it equals; else the payload's own description."""
    eff = effect_of(res) or {}
    name = eff.get("estimator")
    if not name:
        name = next((n for n, other in ((res or {}).get("effects") or {}).items() if other == eff), None)
    if name in METHOD_LABELS:
        return METHOD_LABELS[name].get(lang, METHOD_LABELS[name]["en"])
    return str(name or eff.get("method") or "")
