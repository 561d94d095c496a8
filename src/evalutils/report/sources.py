"""The documents a report cites (``params/sources.yml``), numbered in the order the report first cites them."""

from __future__ import annotations

from ..i18n import Lang
from ..panel.params import province_params_path
from ..panel.sources import Source, check_sources, citation, load_sources
from .context import ProvinceContext


def report_sources(ctx: ProvinceContext) -> dict[str, tuple[int, Source]]:
    """Each cited file → (its number in the report, its entry); every ``source:`` checked against sources.yml."""
    def build():
        table = load_sources(ctx.params_dir)
        out: dict[str, tuple[int, Source]] = {}
        for m in ctx.members:
            check_sources(m.params, table, file=province_params_path(ctx.params_dir, m.slug))
            for item in [*m.params.plans, *m.params.targets]:
                if item.source not in out:
                    out[item.source] = (len(out) + 1, table[item.source])
        return out
    return ctx.once("sources", build)


def source_mark(ctx: ProvinceContext, file: str) -> str:
    """How the text refers to a source: ``[n]``."""
    return f"[{report_sources(ctx)[file][0]}]"


def source_list(ctx: ProvinceContext, lang: Lang) -> list[str]:
    """``[n] author, “title”, publisher, date`` for every source the report cites, in order."""
    return [f"[{n}] {citation(s, lang)}" for n, s in report_sources(ctx).values()]
