"""The plan documents' citations: ``params/sources.yml``, keyed by the file name a province file's ``source:`` gives.

A report never prints a file name such as ``000_deaed99237a260b6.txt``; it prints the document as a reader can look
it up — author, title, publisher, date — from :func:`citation`. Unknown fields stay ``None`` and are said to be
unknown; nothing is invented. :func:`check_sources` makes a missing entry an error naming the province file and key.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ..errors import ParameterError
from ..i18n import Lang, t
from .params import ProvinceParams, _load_yaml, _raise_validation

SOURCES_FILE = "sources.yml"


class Source(BaseModel):
    """One source document, as its own text describes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    publisher: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    based_on: str | None = None
    note: str | None = None

    @field_validator("date")
    @classmethod
    def _iso_date(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                dt.date.fromisoformat(v)
            except ValueError:
                raise ValueError(f"date {v!r} is not YYYY-MM-DD") from None
        return v


class Sources(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: dict[str, Source]


def load_sources(params_dir: str | Path) -> dict[str, Source]:
    """Read and validate ``<params_dir>/sources.yml``."""
    path = Path(params_dir) / SOURCES_FILE
    data = _load_yaml(path)
    try:
        return dict(Sources.model_validate(data).sources)
    except ValidationError as exc:
        _raise_validation(path, exc, data)
        raise  # unreachable


def check_sources(params: ProvinceParams, sources: dict[str, Source], *, file: str | Path) -> None:
    """Every ``source:`` of the province file must be listed in ``sources.yml``."""
    refs = [(f"plans[{i}].source", p.source) for i, p in enumerate(params.plans)]
    refs += [(f"targets[{i}].source", x.source) for i, x in enumerate(params.targets)]
    for key, name in refs:
        if name not in sources:
            raise ParameterError(f"source {name!r} is not listed in {SOURCES_FILE}", file=file, key=key,
                                 hint=f"add it to params/{SOURCES_FILE} with its title, publisher, author and date "
                                      "as the document gives them (null where it does not)")


def _date_text(iso: str, lang: Lang) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.day}/{d.month}/{d.year}" if lang == "vi" else f"{d.day} {d.strftime('%B')} {d.year}"


def citation(source: Source, lang: Lang) -> str:
    """The source as a reader can look it up: ``author, “title”, publisher, date`` (unknowns said so)."""
    parts = [source.author] if source.author else []
    parts.append(f"“{source.title}”")
    parts.append(source.publisher or t("cite_no_publisher", lang))
    parts.append(_date_text(source.date, lang) if source.date else t("cite_no_date", lang))
    text = ", ".join(parts)
    if source.based_on:
        text += f" ({t('cite_based_on', lang, doc=source.based_on)})"
    if source.url:
        text += f", {source.url}"
    return text
