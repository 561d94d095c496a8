"""Building blocks of the province report: each function takes the loaded
context and returns a table, a figure or a piece of escaped HTML.

Notebooks call these and display the results; nothing here estimates by
itself beyond calling :mod:`evalutils.effects`, and nothing here prints.
"""

from __future__ import annotations

import html
import json
import platform
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .aggregates import files_digest, province_year_totals
from .disclosure import suppress_small_cells
from .errors import EstimationError
from .geography import REGIONS, Geography, province_codes, provinces, resolve_province, resolve_unit_2025, \
    units_2025
from .i18n import Lang, fmt_number, t
from .io import DataPaths, load_data_manifest, load_deflators, load_monitoring, load_panel, load_participation, \
    participation_for
from .params import Defaults, ProvinceParams, load_defaults, load_province_params, province_params_path
from .targets import scorecard


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
    data_manifest: dict
    data_dir: Path
    params_dir: Path

    @property
    def name(self) -> str:
        return self.name_vi if self.lang == "vi" else self.name_en

    @property
    def synthetic(self) -> bool:
        return bool(self.data_manifest.get("synthetic"))

    @property
    def params_files(self) -> list[Path]:
        return [province_params_path(self.params_dir, m.slug) for m in self.members]


def load_province_context(province: str, *, data_dir: str | Path, params_dir: str | Path,
                          lang: Lang = "en", geography: Geography = "pre2025") -> ProvinceContext:
    """Load parameters and the unit's slice of the data (validated)."""
    if lang not in ("vi", "en"):
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
    data_dir, params_dir = Path(data_dir), Path(params_dir)
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
    regions = list(dict.fromkeys(REGIONS[prov.loc[c, "region"]][lang] for c in codes))
    panel = load_panel(data_dir, codes)
    participation = participation_for(load_participation(data_dir), panel)
    return ProvinceContext(
        geography=geography, slug=slug, name_vi=name_vi, name_en=name_en, codes=codes,
        region=", ".join(regions), members=members, lang=lang, defaults=defaults, panel=panel,
        participation=participation, monitoring=load_monitoring(data_dir), deflators=load_deflators(data_dir),
        totals=province_year_totals(data_dir), data_manifest=load_data_manifest(data_dir), data_dir=data_dir,
        params_dir=params_dir,
    )


# ------------------------------------------------------------------ header

def banner_html(ctx: ProvinceContext) -> str:
    """A prominent banner when the data are synthetic; empty otherwise."""
    if not ctx.synthetic:
        return ""
    return ('<div class="evalutils-synthetic" role="note" style="border:3px solid #b00020;background:#fff0f0;'
            'color:#600010;padding:0.8em 1em;margin:0.5em 0 1em;font-weight:bold;font-size:1.05em">'
            f'{html.escape(t("synthetic_banner", ctx.lang))}</div>')


def header_html(ctx: ProvinceContext) -> str:
    y0, y1 = ctx.defaults.years
    title = t("report_title", ctx.lang, province=ctx.name_vi)
    sub = t("subtitle", ctx.lang, years=f"{y0}–{y1}", code=", ".join(ctx.codes), region=ctx.region)
    if ctx.geography == "pre2025":
        unit_slug = provinces().set_index("code").loc[ctx.codes[0], "unit_2025"]
        unit_name = units_2025().set_index("slug").loc[unit_slug, f"name_{ctx.lang}"]
        note = t("unit_2025", ctx.lang, unit=unit_name)
    else:
        note = t("unit_members", ctx.lang, members=", ".join(m.name_vi for m in ctx.members))
    style = ("<style>.jp-RenderedHTML.jp-RenderedHTMLCommon table td,.jp-RenderedHTML.jp-RenderedHTMLCommon table th{text-align:left;"
             "vertical-align:top}.jp-RenderedHTMLCommon td.num{text-align:right}"
             "@media (max-width:700px){.jp-RenderedHTMLCommon table{font-size:0.8em}}</style>")
    return (style + f"<h1>{html.escape(title)}</h1><p><em>{html.escape(sub)}</em></p>"
            f"<p>{html.escape(note)}</p>")


def plans_html(ctx: ProvinceContext) -> str:
    out = [f"<h2>{html.escape(t('plans_heading', ctx.lang))}</h2>"]
    for m in ctx.members:
        if len(ctx.members) > 1:
            out.append(f"<h3>{html.escape(m.name_vi)}</h3>")
        if not m.params.plans:
            out.append(f"<p>{html.escape(t('no_plans', ctx.lang, slug=m.slug))}</p>")
            continue
        items = []
        for p in m.params.plans:
            bits = [p.title_vi]
            if p.number:
                bits.append(f"số {p.number}" if ctx.lang == "vi" else f"No. {p.number}")
            if p.issued:
                bits.append(p.issued)
            if p.period:
                bits.append(f"{p.period[0]}–{p.period[1]}")
            if p.implements:
                bits.append(", ".join(p.implements))
            items.append(f"<li>{html.escape(' · '.join(bits))} <small>[{html.escape(p.source)}]</small></li>")
        out.append(f"<ul>{''.join(items)}</ul>")
    return "".join(out)


# --------------------------------------------------------------- scorecard

def _goal_text(row: pd.Series, lang: Lang) -> str:
    if row["comparison"] == "between":
        lo, hi = row["target_range"]
        goal = t("cmp_between", lang, lo=fmt_number(lo, lang, 0 if lo == int(lo) else 1),
                 hi=fmt_number(hi, lang, 0 if hi == int(hi) else 1))
    else:
        v = row["target_value"]
        goal = t(f"cmp_{row['comparison']}", lang, v=fmt_number(v, lang, 0 if v == int(v) else 1))
    unit = "%" if row["unit"] == "percent" else " " + t(f"unit_{row['unit']}", lang)
    return f"{goal}{unit} ({t('agg_' + row['aggregation'], lang)})"


def scorecard_table(ctx: ProvinceContext, member: MemberProvince) -> pd.DataFrame:
    """The scorecard of one province's targets in the report's language, one row per target."""
    sc = scorecard(member.params, ctx.monitoring, member.code, about_tolerance=ctx.defaults.about_tolerance)
    lang = ctx.lang
    return pd.DataFrame({
        t("col_target", lang): sc["label_vi"] if lang == "vi" else sc["label_en"],
        t("col_period", lang): sc["period"],
        t("col_goal", lang): [_goal_text(r, lang) for _, r in sc.iterrows()],
        t("col_observed", lang): [("—" if pd.isna(v) else fmt_number(v, lang, 0 if float(v).is_integer() else 1))
                                   for v in sc["observed"]],
        t("col_status", lang): [t(f"status_{s}", lang) for s in sc["status"]],
        t("col_source", lang): [f"“{q}” [{s}]" for q, s in zip(sc["quote_vi"], sc["source"])],
        "status": sc["status"],
    })


_STATUS_COLOURS = {"met": "#1b7837", "on_track": "#5aae61", "behind": "#c51b7d", "no_data": "#777777"}


def scorecard_html(ctx: ProvinceContext) -> str:
    out = [f"<h2>{html.escape(t('scorecard_heading', ctx.lang))}</h2>"]
    for m in ctx.members:
        if len(ctx.members) > 1:
            out.append(f"<h3>{html.escape(m.name_vi)}</h3>")
        if not m.params.targets:
            out.append(f"<p>{html.escape(t('no_plans', ctx.lang, slug=m.slug))}</p>")
            continue
        table = scorecard_table(ctx, m)
        cols = [c for c in table.columns if c != "status"]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
        body = []
        for _, r in table.iterrows():
            cells = []
            for c in cols:
                style = ""
                if c == t("col_status", ctx.lang):
                    style = f' style="color:{_STATUS_COLOURS[r["status"]]};font-weight:bold"'
                cells.append(f"<td{style}>{html.escape(str(r[c]))}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        out.append('<table class="evalutils-scorecard"><thead><tr>' + head + "</tr></thead><tbody>"
                   + "".join(body) + "</tbody></table>")
    return "".join(out)


# ------------------------------------------------------------ productivity

def productivity_trend(ctx: ProvinceContext) -> pd.DataFrame:
    """Real value added per worker by year, province and whole country, with firm counts.

    Years built from fewer firms than the disclosure threshold are suppressed.
    """
    tot = ctx.totals
    prov = tot[tot["province_code"].isin(ctx.codes)].groupby("year")[
        ["value_added_real", "employment", "n_firms"]].sum()
    nat = tot.groupby("year")[["value_added_real", "employment", "n_firms"]].sum()
    out = pd.DataFrame({
        "year": prov.index,
        "province": (prov["value_added_real"] / prov["employment"]).to_numpy(),
        "n_firms": prov["n_firms"].to_numpy(),
    })
    out["national"] = (nat["value_added_real"] / nat["employment"]).reindex(out["year"]).to_numpy()
    return suppress_small_cells(out, count_col="n_firms", value_cols=["province"],
                                threshold=ctx.defaults.disclosure.min_firms_per_cell)


def trend_html(ctx: ProvinceContext, trend: pd.DataFrame) -> str:
    caption = t("trend_caption", ctx.lang, province=ctx.name_vi, base_year=ctx.defaults.plan_period[0] - 1)
    out = f"<h2>{html.escape(t('trend_heading', ctx.lang))}</h2><p>{html.escape(caption)}</p>"
    if trend["suppressed"].any():
        k = ctx.defaults.disclosure.min_firms_per_cell
        years = ", ".join(str(y) for y in trend.loc[trend["suppressed"], "year"])
        out += f"<p><small>{html.escape(years)}: {html.escape(t('suppressed', ctx.lang, k=k))}</small></p>"
    return out


def productivity_figure(ctx: ProvinceContext, trend: pd.DataFrame):
    """Line chart of the trend against the nation and a 7%-a-year path."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(7.5, 4.0), dpi=110)
    ax = fig.subplots()
    ax.plot(trend["year"], trend["province"], marker="o", color="#1f4e79", label=ctx.name_vi)
    ax.plot(trend["year"], trend["national"], marker="s", color="#999999", label=t("national", ctx.lang))
    base_year = ctx.defaults.plan_period[0] - 1
    base = trend.loc[trend["year"] == base_year, "province"]
    if len(base) and np.isfinite(base.iloc[0]):
        yrs = np.arange(base_year, trend["year"].max() + 1)
        ax.plot(yrs, base.iloc[0] * 1.07 ** (yrs - base_year), ls=":", color="#c51b7d",
                label=t("target_7pct", ctx.lang))
    ax.set_xlabel(t("col_year", ctx.lang))
    ax.set_ylabel(t("lp_axis", ctx.lang))
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    return fig


def figure_png(fig) -> bytes:
    """PNG bytes of a figure, without a creation date or software stamp (same input, same bytes)."""
    import io as _io

    buf = _io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def figure_image(fig):
    """An IPython image of the figure for display in a notebook (embedded in rendered HTML)."""
    from IPython.display import Image

    return Image(data=figure_png(fig), format="png")


# ------------------------------------------------------------------ effect

def analysis_panel(ctx: ProvinceContext) -> pd.DataFrame:
    """The firm-year panel with the outcome (log real VA per worker) and the post-support indicator."""
    df = ctx.panel.merge(ctx.participation[["firm_id", "support_start_year", "support_type"]],
                         on="firm_id", how="left")
    defl = ctx.deflators.set_index("year")["deflator"] if ctx.deflators is not None else None
    va = df["value_added"] / (df["year"].map(defl) if defl is not None else 1.0)
    df["log_va_per_worker"] = np.log(va / df["employment"])
    df["supported"] = df["support_start_year"].notna()
    df["post_support"] = (df["supported"] & (df["year"] >= df["support_start_year"])).astype(int)
    return df


@dataclass(frozen=True)
class EffectSummary:
    result: object | None
    reason: str | None
    n_firms: int
    n_treated: int


def effect_estimate(ctx: ProvinceContext) -> EffectSummary:
    """TWFE estimate of support on log real VA per worker, or the reason there is none."""
    from .effects import twfe

    df = analysis_panel(ctx)
    n_firms = int(df["firm_id"].nunique())
    n_treated = int(df.loc[df["supported"], "firm_id"].nunique())
    k = ctx.defaults.disclosure.min_firms_per_cell
    if n_treated < k:
        return EffectSummary(None, f"{n_treated} supported firms; at least {k} are needed "
                                   "(disclosure threshold)" if ctx.lang == "en" else
                             f"{n_treated} doanh nghiệp được hỗ trợ; cần ít nhất {k} (ngưỡng bảo mật)",
                             n_firms, n_treated)
    if n_firms < ctx.defaults.min_firms_for_estimate:
        return EffectSummary(None, f"only {n_firms} firms", n_firms, n_treated)
    try:
        res = twfe(df, outcome=ctx.defaults.outcome, unit="firm_id", time="year", treatment="post_support",
                   cluster=ctx.defaults.cluster)
    except EstimationError as exc:
        return EffectSummary(None, str(exc).splitlines()[0], n_firms, n_treated)
    return EffectSummary(res, None, n_firms, n_treated)


def _pct(x: float, lang: Lang) -> str:
    return fmt_number(100 * (np.exp(x) - 1), lang, 1) + "%"


def effect_html(ctx: ProvinceContext, eff: EffectSummary) -> str:
    heading = f"<h2>{html.escape(t('effect_heading', ctx.lang))}</h2>"
    if eff.result is None:
        return heading + f"<p>{html.escape(t('effect_unavailable', ctx.lang, reason=eff.reason))}</p>"
    row = eff.result.tidy().iloc[0]
    text = t("effect_text", ctx.lang, pct=_pct(row["estimate"], ctx.lang), lo=_pct(row["conf_low"], ctx.lang),
             hi=_pct(row["conf_high"], ctx.lang), n_treated=eff.n_treated, n_firms=eff.n_firms)
    lang = ctx.lang
    table = pd.DataFrame({
        t("col_estimate", lang): [fmt_number(row["estimate"], lang, 4)],
        t("col_se", lang): [fmt_number(row["std_error"], lang, 4)],
        t("col_ci", lang): [f"[{fmt_number(row['conf_low'], lang, 4)}; {fmt_number(row['conf_high'], lang, 4)}]"],
        t("col_p", lang): [fmt_number(row["p_value"], lang, 3)],
        "N": [fmt_number(row["n_obs"], lang)],
    })
    return (heading + f"<p>{html.escape(text)}</p>" + table.to_html(index=False, escape=True)
            + f"<p><small>{html.escape(t('effect_caveat', lang))}</small></p>")


# -------------------------------------------------------------- provenance

def _git_revision() -> str:
    try:
        root = Path(__file__).resolve().parents[2]
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                             text=True, timeout=5)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5)
        if out.returncode == 0:
            return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return "unknown"


def provenance(ctx: ProvinceContext, parameters: dict) -> pd.DataFrame:
    """What made this report: code, data hashes, parameters, packages, seed, time of the run."""
    pkgs = {}
    for name in ("pandas", "numpy", "linearmodels", "matplotlib", "papermill", "nbconvert", "pyarrow", "pydantic"):
        try:
            pkgs[name] = version(name)
        except PackageNotFoundError:
            pkgs[name] = "not installed"
    paths = DataPaths(ctx.data_dir)
    rows = [
        ("evalutils", __version__),
        ("code revision (git)", _git_revision()),
        ("data", "SYNTHETIC demonstration data" if ctx.synthetic else ctx.data_manifest.get("description", "")),
        ("data files sha256", files_digest(paths.inputs())[:16]),
        ("parameters sha256", files_digest([*ctx.params_files, ctx.params_dir / "defaults.yml"])[:16]),
        ("parameters", json.dumps({k: v for k, v in parameters.items() if k not in ("data_dir", "params_dir")},
                                  ensure_ascii=False, sort_keys=True)),
        ("seed", str(ctx.defaults.seed)),
        ("python", platform.python_version()),
        ("packages", ", ".join(f"{k} {v}" for k, v in pkgs.items())),
        ("run at (UTC)", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


def provenance_html(ctx: ProvinceContext, parameters: dict) -> str:
    return (f"<h2>{html.escape(t('provenance_heading', ctx.lang))}</h2>"
            + provenance(ctx, parameters).to_html(index=False, escape=True))


# ------------------------------------------------------- machine-readable

RESULTS_MIME = "application/vnd.evalutils.results+json"


def results_payload(ctx: ProvinceContext, effect: EffectSummary | None = None) -> dict:
    """The report's headline numbers, machine-readable (no timestamps: same inputs, same payload).

    The runner extracts this from the executed notebook (mime type
    :data:`RESULTS_MIME`) for the site index, the run manifest and determinism checks.
    """
    statuses: dict[str, int] = {}
    targets = []
    for m in ctx.members:
        sc = scorecard(m.params, ctx.monitoring, m.code, about_tolerance=ctx.defaults.about_tolerance)
        for r in sc.itertuples():
            statuses[r.status] = statuses.get(r.status, 0) + 1
            targets.append({"province": m.slug, "target_id": r.target_id, "status": r.status,
                            "observed": None if pd.isna(r.observed) else float(r.observed)})
    payload = {
        "unit": ctx.slug, "geography": ctx.geography, "lang": ctx.lang, "name_vi": ctx.name_vi,
        "synthetic": ctx.synthetic, "n_targets": len(targets), "target_status_counts": statuses,
        "targets": targets, "effect": None,
    }
    if effect is not None:
        payload["n_firms"] = effect.n_firms
        payload["n_supported"] = effect.n_treated
        if effect.result is not None:
            row = effect.result.tidy().iloc[0]
            payload["effect"] = {k: float(row[k]) for k in ("estimate", "std_error", "conf_low", "conf_high",
                                                            "p_value")}
            payload["effect"]["method"] = "TWFE"
            payload["effect"]["outcome"] = ctx.defaults.outcome
        else:
            payload["effect_unavailable"] = effect.reason
    return payload


def results_output(payload: dict):
    """Display object carrying the payload; invisible in rendered HTML (no text/html part)."""
    return {RESULTS_MIME: payload, "text/plain": "evalutils results"}
