"""Vietnam's provincial geography before and after 1 July 2025.

Two reference tables ship with the package (``resources/``):

* ``provinces_pre2025.csv``: the 63 provinces and centrally-run cities in force
  until 30 June 2025, with the two-digit code of the General Statistics Office
  (GSO; the list of administrative-unit codes of Decision 124/2004/QĐ-TTg as
  amended), the Vietnamese name, an ASCII slug, the English name and the GSO
  socio-economic region. Thừa Thiên Huế became the centrally-run city of Huế on
  1 January 2025; the table keeps the name under which the 2021–2025 plans were
  issued.
* ``units_2025.csv``: the 34 provincial units after Resolution 202/2025/QH15
  (in force 1 July 2025), keyed by slug and name only: no official codes are
  recorded here because none is cited in this repository.

The 2021–2025 plans belong to the old provinces, so the panel's canonical
location is the pre-2025 ``province_code``; :func:`to_2025_unit` maps it to the
new unit when a report is produced for the new geography.
"""

from __future__ import annotations

import difflib
import unicodedata
from functools import lru_cache
from importlib.resources import files
from typing import Literal

import pandas as pd

from .errors import GeographyError

Geography = Literal["pre2025", "2025"]

REGIONS: dict[str, dict[str, str]] = {
    "red_river_delta": {"vi": "Đồng bằng sông Hồng", "en": "Red River Delta"},
    "northern_midlands_mountains": {
        "vi": "Trung du và miền núi phía Bắc",
        "en": "Northern Midlands and Mountains",
    },
    "north_central_central_coast": {
        "vi": "Bắc Trung Bộ và duyên hải miền Trung",
        "en": "North Central and Central Coast",
    },
    "central_highlands": {"vi": "Tây Nguyên", "en": "Central Highlands"},
    "southeast": {"vi": "Đông Nam Bộ", "en": "Southeast"},
    "mekong_river_delta": {"vi": "Đồng bằng sông Cửu Long", "en": "Mekong River Delta"},
}


def _read(name: str) -> pd.DataFrame:
    path = files("evalutils") / "resources" / name
    with path.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def _provinces() -> pd.DataFrame:
    return _read("provinces_pre2025.csv")


@lru_cache(maxsize=1)
def _units() -> pd.DataFrame:
    df = _read("units_2025.csv")
    df["merged"] = df["merged"].eq("true")
    return df


def provinces() -> pd.DataFrame:
    """The 63 pre-2025 provinces: code, name_vi, slug, name_en, region, unit_2025."""
    return _provinces().copy()


def units_2025() -> pd.DataFrame:
    """The 34 provincial units after Resolution 202/2025/QH15, with their old provinces."""
    units = _units().copy()
    members = _provinces().groupby("unit_2025")["name_vi"].apply(list)
    units["old_provinces"] = units["slug"].map(members)
    return units


@lru_cache(maxsize=2)
def _province_names(lang: str) -> dict[str, str]:
    return dict(zip(_provinces()["code"], _provinces()["name_vi" if lang == "vi" else "name_en"]))


def province_name(code: str, lang: str) -> str:
    """A pre-2025 province's name as a reader of ``lang`` knows it: "TP. Hồ Chí Minh" in Vietnamese, "Ho Chi Minh
    City" in English (any other language: English)."""
    return _province_names("vi" if lang == "vi" else "en")[str(code)]


def province_slug(code: str) -> str:
    """A pre-2025 province's slug from its GSO code."""
    return _province_slugs()[str(code)]


@lru_cache(maxsize=1)
def _province_slugs() -> dict[str, str]:
    prov = _provinces()
    return dict(zip(prov["code"], prov["slug"]))


def mapping_pre2025_to_2025() -> pd.DataFrame:
    """One row per old province: old code, old slug, new unit slug and name."""
    prov = _provinces()[["code", "slug", "name_vi", "unit_2025"]]
    units = _units()[["slug", "name_vi"]].rename(
        columns={"slug": "unit_2025", "name_vi": "unit_2025_name_vi"}
    )
    return prov.merge(units, on="unit_2025", how="left", validate="many_to_one")


def _fold(text: str) -> str:
    """Lower-case ASCII fold of a Vietnamese name ('Đắk Lắk' -> 'dak lak')."""
    text = text.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("–", " ").replace("-", " ").replace(".", " ")
    for prefix in ("tinh ", "thanh pho ", "tp "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return " ".join(text.split())


def resolve_province(value: str | int) -> pd.Series:
    """Find a pre-2025 province by GSO code, slug or name (with or without diacritics).

    Raises :class:`GeographyError` suggesting the closest match when nothing fits.
    """
    prov = _provinces()
    key = str(value).strip()
    if key.isdigit():
        hit = prov[prov["code"] == key.zfill(2)]
        if len(hit) == 1:
            return hit.iloc[0]
    hit = prov[prov["slug"] == key.lower()]
    if len(hit) == 1:
        return hit.iloc[0]
    folded = _fold(key)
    names = prov["name_vi"].map(_fold)
    hit = prov[(names == folded) | (prov["name_en"].map(_fold) == folded)]
    if len(hit) == 1:
        return hit.iloc[0]
    candidates = list(prov["slug"]) + list(names)
    close = difflib.get_close_matches(folded.replace(" ", "-"), candidates, n=1, cutoff=0.6) or \
        difflib.get_close_matches(folded, candidates, n=1, cutoff=0.6)
    hint = "use a GSO two-digit code, a slug such as 'bac-lieu', or the Vietnamese name"
    if close:
        match = prov[(prov["slug"] == close[0]) | (names == close[0])].iloc[0]
        hint = f"did you mean '{match['slug']}' ({match['name_vi']}, code {match['code']})?"
    raise GeographyError(f"unknown province {value!r}", province=str(value), hint=hint)


def resolve_unit_2025(value: str) -> pd.Series:
    """Find a post-2025 unit by slug or name."""
    units = _units()
    key = str(value).strip()
    hit = units[(units["slug"] == key.lower()) | (units["name_vi"].map(_fold) == _fold(key))]
    if len(hit) == 1:
        return hit.iloc[0]
    close = difflib.get_close_matches(key.lower(), list(units["slug"]), n=1, cutoff=0.6)
    raise GeographyError(
        f"unknown 2025 provincial unit {value!r}",
        province=str(value),
        hint=f"did you mean '{close[0]}'?" if close else "see evalutils.geography.units_2025()",
    )


def to_2025_unit(codes: pd.Series) -> pd.Series:
    """Map a Series of pre-2025 GSO codes to the slug of their post-2025 unit."""
    lookup = _provinces().set_index("code")["unit_2025"]
    out = codes.astype(str).map(lookup)
    bad = out.isna()
    if bad.any():
        raise GeographyError(
            "province codes not in the pre-2025 list",
            rows=list(codes.index[bad]),
            hint=f"unknown codes: {sorted(set(codes[bad].astype(str)))[:10]}",
        )
    return out


def province_codes(geography: Geography, unit: str) -> list[str]:
    """Pre-2025 codes that make up ``unit`` in the chosen geography."""
    return list(_province_codes(geography, unit))


@lru_cache(maxsize=512)
def _province_codes(geography: Geography, unit: str) -> tuple[str, ...]:
    # the lists are the package's own, fixed tables: a batch planning 128 reports looks each unit up once
    if geography == "pre2025":
        return (resolve_province(unit)["code"],)
    if geography == "2025":
        slug = resolve_unit_2025(unit)["slug"]
        prov = _provinces()
        return tuple(prov.loc[prov["unit_2025"] == slug, "code"])
    raise GeographyError(f"unknown geography {geography!r}", hint="use 'pre2025' or '2025'")
