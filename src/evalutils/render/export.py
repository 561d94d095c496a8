"""What the report's HTML export needs besides the notebook: the self-contained template, the document's
language and title, and the place where the website build puts its navigation bar (home, other language,
previous/next). The report as the run writes it links to no other file: which reports and which site exist is
known only when the site is built (a run may build one language, or fail one report, or have no --site).

Everything is read from the executed notebook's papermill parameters (``lang``, ``province``, ``geography``),
so the HTML of a Vietnamese report declares ``lang="vi"`` and its browser title is "‹Province› — ‹report title›".
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..geography import provinces, units_2025
from ..i18n import t
from .task import NATIONAL

TEMPLATE_DIR = Path(__file__).resolve().parent / "export_template"
TEMPLATE_NAME = "evalutils_report"

_NATIONAL_NAME = {"vi": "Toàn quốc", "en": "Viet Nam"}
_LANGS = ("vi", "en")


@lru_cache(maxsize=4)
def _names(geography: str, lang: str) -> dict[str, str]:
    table = units_2025() if geography == "2025" else provinces()
    return dict(zip(table["slug"], table["name_vi" if lang == "vi" else "name_en"]))


def unit_name(slug: str, geography: str, lang: str) -> str:
    """The province's (or 2025 unit's) name as a reader knows it: Vietnamese in Vietnamese, English in English."""
    if geography == NATIONAL or slug == NATIONAL:
        return _NATIONAL_NAME.get(lang, _NATIONAL_NAME["en"])
    return str(_names("2025" if geography == "2025" else "pre2025", "vi" if lang == "vi" else "en").get(slug, slug))


def report_title(slug: str, geography: str, lang: str) -> str:
    """The browser title of a report: "‹Province› — ‹report title›"."""
    if geography == NATIONAL or slug == NATIONAL:
        return f"{unit_name(NATIONAL, NATIONAL, lang)} — {t('national_title', lang)}"
    return f"{unit_name(slug, geography, lang)} — {t('report_title', lang, province='').rstrip(': ').strip()}"


def export_settings(nb) -> dict:
    """``{"lang", "title", "nav"}`` for the export template, from the notebook's papermill parameters; ``nav`` is
    None: the site build inserts the navigation where the template marks its place."""
    params = (nb.metadata.get("papermill") or {}).get("parameters") or {}
    lang = params.get("lang") if params.get("lang") in _LANGS else "en"
    slug = str(params.get("province") or NATIONAL)
    geography = str(params.get("geography") or (NATIONAL if slug == NATIONAL else "pre2025"))
    return {"lang": lang, "title": report_title(slug, geography, lang), "nav": None}
