"""Header, synthetic-data banner and the province's plans."""

from __future__ import annotations

from ...geography import province_name, provinces, units_2025
from ...i18n import Lang, fmt_number, t
from ..context import ProvinceContext
from ..html import render
from ..sources import source_list, source_mark


def banner_html(ctx) -> str:
    """A prominent banner when the data are synthetic; empty otherwise (any context with ``synthetic``, ``lang``)."""
    if not ctx.synthetic:
        return ""
    return render("banner.html.j2", text=t("synthetic_banner", ctx.lang))


def vintage_text(manifest: dict, lang: Lang) -> str:
    """Where the data come from, as every report (province and national) states it: the synthetic set's seed
    and scale, or the delivered data's description and date (``MANIFEST.json``, required by
    :func:`evalutils.panel.io.load_data_manifest`)."""
    if manifest.get("synthetic"):
        scale = manifest.get("scale")
        scale = fmt_number(float(scale), lang, 1) if isinstance(scale, (int, float)) else scale
        return t("vintage_synthetic", lang, seed=manifest.get("seed"), scale=scale)
    return t("vintage_delivered", lang, description=manifest.get("description", ""),
             date=manifest.get("delivered", "—"))


def header_html(ctx: ProvinceContext) -> str:
    """Title, period, the unit's codes and region, how it maps to the 2025 units, and the data's vintage."""
    y0, y1 = ctx.defaults.years
    if ctx.geography == "pre2025":
        unit_slug = provinces().set_index("code").loc[ctx.codes[0], "unit_2025"]
        unit_name = units_2025().set_index("slug").loc[unit_slug, f"name_{ctx.lang}"]
        note = t("unit_2025", ctx.lang, unit=unit_name)
    else:
        note = t("unit_members", ctx.lang, members=", ".join(province_name(m.code, ctx.lang) for m in ctx.members))
    vintage = vintage_text(ctx.data_manifest, ctx.lang)
    # the unit by its name in the report's language: "Ho Chi Minh City" in English, "TP. Hồ Chí Minh" in Vietnamese
    return render("header.html.j2", title=t("report_title", ctx.lang, province=ctx.name),
                  subtitle=t("subtitle", ctx.lang, years=f"{y0}–{y1}", code=", ".join(ctx.codes), region=ctx.region),
                  note=note, vintage=vintage)


def plans_html(ctx: ProvinceContext) -> str:
    """The provincial plans implementing the programme, with their sources."""
    members = []
    for m in ctx.members:
        entry = {"name": province_name(m.code, ctx.lang) if len(ctx.members) > 1 else "", "empty": "", "plans": []}
        if not m.params.plans:
            entry["empty"] = t("no_plans", ctx.lang, slug=m.slug)
        for p in m.params.plans:
            bits = [p.title_vi]
            if p.number:
                bits.append(f"số {p.number}" if ctx.lang == "vi" else f"No. {p.number}")
            if p.issued:
                y, mo, d = (int(x) for x in p.issued.split("-"))
                bits.append(t("issued_on", ctx.lang, date=f"{d}/{mo}/{y}"))
            if p.period and not all(str(y) in p.title_vi for y in p.period):  # not when the title says it
                bits.append(f"{p.period[0]}–{p.period[1]}")
            if p.implements:
                bits.append(", ".join(p.implements))
            entry["plans"].append({"text": " · ".join(bits), "source": source_mark(ctx, p.source)})
        members.append(entry)
    sources = source_list(ctx, ctx.lang)
    return render("plans.html.j2", heading=t("plans_heading", ctx.lang), members=members,
                  sources_heading=t("sources_heading", ctx.lang) if sources else "", sources=sources)
