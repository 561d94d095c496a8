"""Building blocks of the province report: each function takes the loaded
context and returns a table, a figure or a piece of escaped HTML.

Notebooks call these and display the results; nothing here estimates by
itself beyond calling :mod:`evalutils.effects`, and nothing here prints.
"""

from __future__ import annotations

import base64
import html
import json
import platform
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from .._dist import norm
from ..effects import plot_event_study
from ..evaluate import evaluate_effects_cached
from ..geography import REGIONS, Geography, province_codes, provinces, resolve_province, resolve_unit_2025, \
    units_2025
from ..i18n import Lang, fmt_number, t
from ..measures.aggregates import files_digest, firm_log_tfp, province_year_totals, tfp_model
from ..measures.disclosure import suppress_small_cells
from ..measures.outcomes import balance_table, outcome_panel
from ..measures.targets import scorecard
from ..panel.io import DataPaths, load_data_manifest, load_deflators, load_monitoring, load_panel, load_participation, \
    participation_for
from ..panel.params import Defaults, ProvinceParams, load_defaults, load_province_params, province_params_path
from ..panel.schema import SUPPORT_TYPES
from ..productivity import growth_accounting
from ..provenance import git_revision
from .payload import RESULTS_MIME


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

    def scorecard(self, member: MemberProvince) -> pd.DataFrame:
        """The member province's scorecard, computed once per context."""
        cache = self.__dict__.setdefault("_scorecards", {})
        if member.slug not in cache:
            cache[member.slug] = scorecard(member.params, self.monitoring, member.code,
                                           about_tolerance=self.defaults.about_tolerance)
        return cache[member.slug]

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

#: Report CSS (beats the nbconvert lab template's right-aligned cells; tables scroll on phones).
STYLE = ("<style>.jp-RenderedHTML.jp-RenderedHTMLCommon table td,.jp-RenderedHTML.jp-RenderedHTMLCommon table th"
         "{text-align:left;vertical-align:top}.jp-RenderedHTML.jp-RenderedHTMLCommon table td.num{text-align:right}"
         ".jp-RenderedHTML.jp-RenderedHTMLCommon table{display:block;overflow-x:auto;max-width:100%}"
         "@media (max-width:700px){.jp-RenderedHTMLCommon table{font-size:0.8em}}</style>")


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
    m = ctx.data_manifest
    vintage = t("vintage_synthetic", ctx.lang, seed=m.get("seed"), scale=m.get("scale")) if ctx.synthetic else \
        t("vintage_delivered", ctx.lang, description=m.get("description", ""), date=m.get("delivered", "—"))
    return (STYLE + f"<h1>{html.escape(title)}</h1><p><em>{html.escape(sub)}</em></p>"
            f"<p>{html.escape(note)}</p><p><small>{html.escape(vintage)}</small></p>")


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
    sc = ctx.scorecard(member)
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

def _cached(ctx: ProvinceContext, key: str, build):
    """Compute ``build()`` once per context (reports call some blocks from several sections)."""
    cache = ctx.__dict__.setdefault("_cache", {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


def productivity_trend(ctx: ProvinceContext) -> pd.DataFrame:
    """Real value added per worker by year, province and whole country, with firm counts.

    Years built from fewer firms than the disclosure threshold are suppressed.
    """
    return _cached(ctx, "trend", lambda: _productivity_trend(ctx)).copy()


def _productivity_trend(ctx: ProvinceContext) -> pd.DataFrame:
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
    out = suppress_small_cells(out, count_col="n_firms", value_cols=["province"],
                               threshold=ctx.defaults.disclosure.min_firms_per_cell)
    # dominance rule: a year where one firm holds too large a share of value added is suppressed too
    va = ctx.panel.groupby("year")["value_added"]
    top_share = (va.max() / va.sum()).reindex(out["year"]).to_numpy()
    dominated = top_share > ctx.defaults.disclosure.max_firm_share
    out.loc[dominated, "province"] = float("nan")
    out["suppressed"] = out["suppressed"] | dominated
    return out


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
    """The firm-year panel with the outcomes (log real VA per worker, log TFP) and the post-support indicator."""
    return _cached(ctx, "analysis_panel", lambda: _analysis_panel(ctx)).copy()


def _analysis_panel(ctx: ProvinceContext) -> pd.DataFrame:
    df = outcome_panel(ctx.panel, ctx.participation, ctx.deflators)
    df["log_tfp"] = firm_log_tfp(df, ctx.deflators, tfp_model(ctx.data_dir)).to_numpy()
    return df


# -------------------------------------------------------------- provenance

def _git_revision() -> str:
    """The checkout's revision, short (12 hex digits), with ``-dirty`` when tracked files changed."""
    rev = git_revision()
    return rev if rev == "unknown" else rev[:12] + ("-dirty" if rev.endswith("-dirty") else "")


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
    table = provenance(ctx, parameters).rename(columns={"item": t("prov_item", ctx.lang),
                                                        "value": t("prov_value", ctx.lang)})
    return f"<h2>{html.escape(t('provenance_heading', ctx.lang))}</h2>" + _table_html(table)


# ------------------------------------------------------- machine-readable

def results_payload(ctx: ProvinceContext, bundle=None) -> dict:
    """The report's headline numbers, machine-readable (no timestamps: same inputs, same payload).

    The runner extracts this from the executed notebook (mime type
    :data:`RESULTS_MIME`) for the site index, the run manifest and determinism checks.
    """
    statuses: dict[str, int] = {}
    targets = []
    for m in ctx.members:
        sc = ctx.scorecard(m)
        for r in sc.itertuples():
            statuses[r.status] = statuses.get(r.status, 0) + 1
            targets.append({"province": m.slug, "target_id": r.target_id, "status": r.status,
                            "observed": None if pd.isna(r.observed) else float(r.observed)})
    payload = {
        "unit": ctx.slug, "geography": ctx.geography, "lang": ctx.lang, "name_vi": ctx.name_vi,
        "synthetic": ctx.synthetic, "n_targets": len(targets), "target_status_counts": statuses,
        "targets": targets, "effect": None, "effects": {},
    }
    if bundle is not None:
        payload["n_firms"] = bundle.n_firms
        payload["n_supported"] = bundle.n_supported
        payload["outcome"] = bundle.outcome
        for name, (est, se, lo, hi, p) in _estimates(bundle).items():
            payload["effects"][name] = {"estimate": est, "std_error": se, "conf_low": lo, "conf_high": hi,
                                        "p_value": p}
        for outcome, agg in bundle.secondary.items():
            if not isinstance(agg, str):
                r = agg.tidy().iloc[0]
                payload["effects"][f"callaway_santanna_{outcome}"] = {
                    "estimate": float(agg.overall_estimate), "std_error": float(agg.overall_std_error),
                    "conf_low": float(r["conf_low"]), "conf_high": float(r["conf_high"])}
        payload["effect"] = payload["effects"].get("callaway_santanna") or payload["effects"].get("twfe")
        payload["reasons"] = bundle.reasons_text(ctx.lang)
    return payload


def results_output(payload: dict):
    """Display object carrying the payload; invisible in rendered HTML (no text/html part)."""
    return {RESULTS_MIME: payload, "text/plain": "evalutils results"}


# ================================================================ sections (issue 5)

SIZE_CLASSES = [(1, 9, "1–9"), (10, 49, "10–49"), (50, 199, "50–199"), (200, np.inf, "200+")]


def _k(ctx: ProvinceContext) -> int:
    return ctx.defaults.disclosure.min_firms_per_cell


def _h(text: str) -> str:
    return html.escape(str(text))


def _table_html(df: pd.DataFrame, *, numeric: list[str] = (), css: str = "evalutils-table") -> str:
    """An escaped HTML table; ``numeric`` columns right-aligned."""
    head = "".join(f"<th>{_h(c)}</th>" for c in df.columns)
    rows = []
    for _, r in df.iterrows():
        cells = "".join(f'<td class="num">{_h(r[c])}</td>' if c in numeric else f"<td>{_h(r[c])}</td>"
                        for c in df.columns)
        rows.append(f"<tr>{cells}</tr>")
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _fmt(x, lang: Lang, d: int = 3) -> str:
    return "—" if x is None or (isinstance(x, float) and not np.isfinite(x)) else fmt_number(float(x), lang, d)


def _stars(p: float) -> str:
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def count_text(n: int, ctx) -> str:
    """A count of firms as published: '<k' when 0 < n < k (disclosure control), else the number."""
    k = ctx.defaults.disclosure.min_firms_per_cell
    return f"<{k}" if 0 < n < k else fmt_number(n, ctx.lang)


def _pct_effect(x: float, lang: Lang) -> str:
    return fmt_number(100 * (np.exp(x) - 1), lang, 1) + "%"


# --------------------------------------------------------------- evaluation

def evaluate(ctx: ProvinceContext, *, cache: bool = True):
    """Run every effect estimator for the unit (see :func:`evalutils.analysis.evaluate_effects`).

    The results do not depend on the report's language: they are computed once per unit, data,
    parameters and code, and kept in ``<data_dir>/derived/effects/`` for the other language
    (``cache=False`` always recomputes).
    """
    d = ctx.defaults
    cache = Path(ctx.data_dir) / "derived" / "effects" if cache else None
    return evaluate_effects_cached(analysis_panel(ctx), cache_dir=cache, name=f"{ctx.geography}-{ctx.slug}",
                                   outcome=d.outcome, seed=d.seed,
                                   min_supported=d.min_supported_for_estimate, n_boot=d.n_boot,
                                   control_group=d.control_group, cluster=d.cluster,
                                   secondary_outcomes=("log_tfp",), disclosure_k=_k(ctx))


def _estimates(bundle) -> dict[str, tuple[float, float, float, float, float]]:
    """(estimate, SE, CI low, CI high, p) of each overall estimator that ran."""
    out = {}
    if bundle.twfe is not None:
        r = bundle.twfe.tidy().iloc[0]
        out["twfe"] = (float(r["estimate"]), float(r["std_error"]), float(r["conf_low"]), float(r["conf_high"]),
                       float(r["p_value"]))
    if bundle.simple is not None:
        r = bundle.simple.tidy().iloc[0]
        est, se = float(bundle.simple.overall_estimate), float(bundle.simple.overall_std_error)
        out["callaway_santanna"] = (est, se, float(r["conf_low"]), float(r["conf_high"]),
                                    float(2 * norm.sf(abs(est / se))) if se > 0 else float("nan"))
    if bundle.imputation is not None:
        r = bundle.imputation.tidy().iloc[0]
        out["imputation"] = (float(r["estimate"]), float(r["std_error"]), float(r["conf_low"]),
                             float(r["conf_high"]), float(r["p_value"]))
    return out


# ----------------------------------------------------------- key findings

def key_findings_html(ctx: ProvinceContext, bundle) -> str:
    lang = ctx.lang
    items = []
    est = _estimates(bundle)
    if "callaway_santanna" in est:
        e, _, lo, hi, p = est["callaway_santanna"]
        items.append(t("kf_effect", lang, pct=_pct_effect(e, lang), lo=_pct_effect(lo, lang),
                       hi=_pct_effect(hi, lang), n=count_text(bundle.n_supported, ctx),
                       sig=t("kf_sig" if p < 0.05 else "kf_not_sig", lang)))
    else:
        reason = bundle.reason("att_gt", lang)
        items.append(t("kf_no_effect", lang, reason=reason))
    counts: dict[str, int] = {}
    n = 0
    for m in ctx.members:
        sc = ctx.scorecard(m)
        for s in sc["status"]:
            counts[s] = counts.get(s, 0) + 1
            n += 1
    if n:
        items.append(t("kf_targets", lang, n=n, met=counts.get("met", 0), on_track=counts.get("on_track", 0),
                       behind=counts.get("behind", 0), no_data=counts.get("no_data", 0)))
    else:
        items.append(t("kf_no_targets", lang))
    trend = productivity_trend(ctx)
    y0, y1 = ctx.defaults.plan_period[0] - 1, int(trend["year"].max())
    a = trend.set_index("year")["province"]
    if y0 in a.index and np.isfinite(a.get(y0, np.nan)) and np.isfinite(a.get(y1, np.nan)) and y1 > y0:
        g = 100 * ((a[y1] / a[y0]) ** (1 / (y1 - y0)) - 1)
        items.append(t("kf_lp_growth", lang, g=fmt_number(g, lang, 1), y0=y0, y1=y1,
                       verdict=t("kf_above" if g > 7 else "kf_below", lang)))
    lis = "".join(f"<li>{_h(x)}</li>" for x in items)
    return (f'<div class="evalutils-findings" style="border:1px solid #1f4e79;background:#f3f7fb;padding:0.6em 1em;'
            f'margin:1em 0"><h2 style="margin-top:0.2em">{_h(t("kf_heading", lang))}</h2><ul>{lis}</ul></div>')


# ---------------------------------------------------------- scorecard chart

def scorecard_figure(ctx: ProvinceContext):
    """Progress of each target: observed value over the target's threshold (1 = reached); None without targets."""
    from matplotlib.figure import Figure

    rows = []
    for m in ctx.members:
        sc = ctx.scorecard(m)
        for r in sc.itertuples():
            goal = r.target_range[0] if r.comparison == "between" else r.target_value
            ratio = (r.observed / goal) if (r.observed is not None and pd.notna(r.observed) and goal) else np.nan
            label = r.label_vi if ctx.lang == "vi" else r.label_en
            rows.append((label[:60] + ("…" if len(label) > 60 else ""), ratio, r.status))
    if not rows:
        return None
    fig = Figure(figsize=(7.5, 0.42 * len(rows) + 1.0), dpi=110)
    ax = fig.subplots()
    y = np.arange(len(rows))[::-1]
    vals = [min(r[1], 2.0) if np.isfinite(r[1]) else 0 for r in rows]
    ax.barh(y, vals, color=[_STATUS_COLOURS[r[2]] for r in rows], height=0.6)
    for yi, r in zip(y, rows):
        if not np.isfinite(r[1]):
            ax.text(0.02, yi, t("status_no_data", ctx.lang), va="center", fontsize=8, color="#555555")
    ax.axvline(1.0, color="0.2", lw=1, ls="--")
    ax.set_yticks(y, [r[0] for r in rows], fontsize=8)
    ax.set_xlim(0, 2.05)
    ax.set_xlabel(t("progress_axis", ctx.lang))
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------ landscape

def landscape_table(ctx: ProvinceContext) -> pd.DataFrame:
    """Firms and employment by sector, size class and ownership in the latest year (small cells suppressed)."""
    lang = ctx.lang
    p = ctx.panel[ctx.panel["year"] == ctx.panel["year"].max()].copy()
    p["size"] = pd.cut(p["employment"], [0, 9, 49, 199, np.inf], labels=[c[2] for c in SIZE_CLASSES])
    total_emp = p["employment"].sum()
    rows = []
    k = _k(ctx)
    for dim, col in (("dim_sector", "vsic_section"), ("dim_size", "size"), ("dim_ownership", "ownership")):
        groups = []
        for level, g in p.groupby(col, observed=True):
            n = g["firm_id"].nunique()
            share_top = g["value_added"].max() / g["value_added"].sum()
            reason = "small" if n < k else ("dominated" if share_top > ctx.defaults.disclosure.max_firm_share else "")
            groups.append([level, g, n, reason])
        # complementary suppression: shares add to 100% and counts to the province total, so a dimension
        # with exactly one hidden group would give it away by subtraction; hide the next smallest too
        hidden = [x for x in groups if x[3]]
        if len(hidden) == 1 and len(groups) > 1:
            min(((x for x in groups if not x[3])), key=lambda x: x[2])[3] = "complementary"
        for level, g, n, reason in groups:
            label = t(f"own_{level}", lang) if col == "ownership" else (
                t(f"vsic_{level}", lang) if col == "vsic_section" else str(level))
            shown = {"small": f"<{k}", "dominated": "‡", "complementary": "×", "": fmt_number(n, lang)}[reason]
            rows.append({t("col_dimension", lang): t(dim, lang), t("col_group", lang): label,
                         t("col_firms", lang): shown,
                         t("col_emp_share", lang): "—" if reason else
                         fmt_number(100 * g["employment"].sum() / total_emp, lang, 1) + "%"})
    return pd.DataFrame(rows)


def landscape_html(ctx: ProvinceContext) -> str:
    lang = ctx.lang
    year = int(ctx.panel["year"].max())
    tab = landscape_table(ctx)
    return (f"<h2>{_h(t('landscape_heading', lang))}</h2><p>{_h(t('landscape_text', lang, year=year, k=_k(ctx)))} "
            f"{_h(t('suppression_marks', lang, k=_k(ctx)))}</p>"
            + _table_html(tab, numeric=[t("col_firms", lang), t("col_emp_share", lang)]))


def tfp_trend(ctx: ProvinceContext) -> pd.DataFrame:
    """Mean firm log TFP by year, as a change from the first year (log points × 100), unit and nation."""
    model = tfp_model(ctx.data_dir)
    p = ctx.panel.assign(log_tfp=firm_log_tfp(ctx.panel, ctx.deflators, model))
    prov = p.groupby("year").agg(mean=("log_tfp", "mean"), n_firms=("firm_id", "nunique"))
    tot = ctx.totals.groupby("year")[["sum_log_tfp", "n_tfp"]].sum()
    nat = tot["sum_log_tfp"] / tot["n_tfp"]
    y0 = prov.index.min()
    out = pd.DataFrame({"year": prov.index, "province": 100 * (prov["mean"] - prov["mean"].loc[y0]).to_numpy(),
                        "national": 100 * (nat.reindex(prov.index) - nat.loc[y0]).to_numpy(),
                        "n_firms": prov["n_firms"].to_numpy()})
    return suppress_small_cells(out, count_col="n_firms", value_cols=["province"], threshold=_k(ctx))


def tfp_figure(ctx: ProvinceContext, trend: pd.DataFrame):
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(7.5, 3.6), dpi=110)
    ax = fig.subplots()
    ax.plot(trend["year"], trend["province"], marker="o", color="#1f4e79", label=ctx.name_vi)
    ax.plot(trend["year"], trend["national"], marker="s", color="#999999", label=t("national", ctx.lang))
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel(t("col_year", ctx.lang))
    ax.set_ylabel(t("tfp_axis", ctx.lang, y0=int(trend["year"].min())))
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    return fig


def _tfp_target(ctx: ProvinceContext) -> float | None:
    for m in ctx.members:
        for tg in m.params.targets:
            if tg.indicator == "tfp_contribution_share" and tg.value is not None:
                return tg.value
    return None


def growth_accounting_html(ctx: ProvinceContext) -> str:
    """Output growth over the plan period split into TFP, capital and labour (estimated elasticities)."""
    lang = ctx.lang
    model = tfp_model(ctx.data_dir)["pooled"]
    start, end = ctx.defaults.plan_period[0] - 1, int(ctx.panel["year"].max())
    target = _tfp_target(ctx)
    heading = f"<h3>{_h(t('ga_heading', lang))}</h3>"
    try:
        ga = growth_accounting(ctx.panel, output="value_added", capital="capital", labour="employment", group=None,
                               year="year", period=(start, end), unit="firm_id",
                               elasticities={"capital": model["capital"], "labour": model["labour"]},
                               target_tfp_share=None if target is None else target / 100,
                               deflators=ctx.deflators)
    except Exception as exc:  # noqa: BLE001 - reported in the report, not raised
        return heading + f"<p>{_h(t('ga_unavailable', lang, reason=str(exc).splitlines()[0]))}</p>"
    r = ga.period.iloc[0]
    if min(r["n_firms_start"], r["n_firms_end"]) < _k(ctx):
        return heading + f"<p>{_h(t('suppressed', lang, k=_k(ctx)))}</p>"
    pct = lambda x: fmt_number(100 * x, lang, 1) + "%"  # noqa: E731
    tab = pd.DataFrame({
        t("ga_component", lang): [t("ga_output", lang), t("ga_capital", lang), t("ga_labour", lang),
                                  t("ga_tfp", lang), t("ga_tfp_share", lang)],
        f"{start}–{end}": [pct(r["output_growth"]), pct(r["capital_contribution"]), pct(r["labour_contribution"]),
                           pct(r["tfp_contribution"]), pct(r["tfp_share"])],
    })
    text = t("ga_text", lang, start=start, end=end, n0=int(r["n_firms_start"]), n1=int(r["n_firms_end"]),
             bk=fmt_number(model["capital"], lang, 3), bl=fmt_number(model["labour"], lang, 3))
    if target is not None:
        text += " " + t("ga_target", lang, target=fmt_number(target, lang, 0), share=pct(r["tfp_share"]))
    if r["output_growth"] <= 0:
        text += " " + t("ga_negative", lang)
    return heading + f"<p>{_h(text)}</p>" + _table_html(tab, numeric=[f"{start}–{end}"])


# ---------------------------------------------------------------- support

def support_html(ctx: ProvinceContext) -> str:
    """Support by type and start year (cells below the threshold suppressed) and the balance table."""
    lang = ctx.lang
    part = ctx.participation
    out = [f"<h2>{_h(t('support_heading', lang))}</h2>"]
    if part.empty:
        return out[0] + f"<p>{_h(t('support_none', lang))}</p>"
    ct = pd.crosstab(part["support_type"], part["support_start_year"])
    years = [int(y) for y in ct.columns]
    k = _k(ctx)
    # a row total pins its hidden cells (e.g. "<3 <3 | 2"): hide the total of every row with a hidden cell,
    # and when that leaves a single hidden total (recoverable from the overall count), hide the smallest other
    hidden_total = {typ for typ, r in ct.iterrows() if ((r > 0) & (r < k)).any() or 0 < r.sum() < k}
    if len(hidden_total) == 1 and len(ct) > 1:
        others = ct.drop(index=list(hidden_total)).sum(axis=1)
        hidden_total.add(others.idxmin())
    rows = []
    for typ, r in ct.iterrows():
        row = {t("col_support_type", lang): SUPPORT_TYPES[typ][lang]}
        for y in years:
            v = int(r[y])
            row[str(y)] = "0" if v == 0 else (f"<{k}" if v < k else fmt_number(v, lang))
        row[t("col_total", lang)] = "×" if typ in hidden_total else fmt_number(int(r.sum()), lang)
        rows.append(row)
    tab = pd.DataFrame(rows)
    out.append(f"<p>{_h(t('support_text', lang, n=count_text(len(part), ctx), k=k))} "
               f"{_h(t('suppression_marks', lang, k=k))}</p>")
    out.append(_table_html(tab, numeric=[str(y) for y in years] + [t("col_total", lang)]))
    if ctx.participation["firm_id"].nunique() >= ctx.panel["firm_id"].nunique():
        out.append(f"<h3>{_h(t('balance_heading', lang))}</h3><p>{_h(t('reason_all_supported', lang))}.</p>")
        return "".join(out)
    bal = balance_table(analysis_panel(ctx).merge(ctx.deflators, on="year", how="left")
                        if ctx.deflators is not None else analysis_panel(ctx), min_firms=_k(ctx))
    btab = pd.DataFrame({
        t("col_variable", lang): [t(f"bal_{v}", lang) for v in bal["variable"]],
        t("col_supported", lang): [_fmt(v, lang, 3) for v in bal["supported"]],
        t("col_others", lang): [_fmt(v, lang, 3) for v in bal["others"]],
        t("col_norm_diff", lang): [_fmt(v, lang, 2) for v in bal["normalised_difference"]],
    })
    out.append(f"<h3>{_h(t('balance_heading', lang))}</h3><p>{_h(t('balance_text', lang))}</p>")
    out.append(_table_html(btab, numeric=list(btab.columns[1:])))
    return "".join(out)


# ---------------------------------------------------------------- effects

def effects_figure(ctx: ProvinceContext, bundle):
    """Event-study figure: Callaway–Sant'Anna dynamic effects and the imputation estimator; None if neither ran."""
    from matplotlib.figure import Figure

    results, labels = [], []
    if bundle.dynamic is not None:
        results.append(bundle.dynamic)
        labels.append("Callaway–Sant'Anna")
    if bundle.imputation is not None:
        results.append(bundle.imputation)
        labels.append("Borusyak–Jaravel–Spiess")
    if not results:
        return None
    fig = Figure(figsize=(7.5, 4.2), dpi=110)
    ax = fig.subplots()
    plot_event_study(results, ax=ax, lang=ctx.lang, labels=labels)
    fig.tight_layout()
    return fig


_EST_NAMES = {"twfe": "est_twfe", "callaway_santanna": "est_cs", "imputation": "est_bjs"}


def effects_html(ctx: ProvinceContext, bundle) -> str:
    lang = ctx.lang
    out = [f"<h2>{_h(t('effect_heading', lang))}</h2>",
           f"<p>{_h(t('effects_intro', lang, n=count_text(bundle.n_supported, ctx), N=count_text(bundle.n_firms, ctx)))}</p>"]
    est = _estimates(bundle)
    if not est:
        reason = bundle.reason("twfe", lang) or bundle.reason("att_gt", lang)
        return "".join(out) + f"<p>{_h(t('effect_unavailable', lang, reason=reason))}</p>"
    rows = []
    for name, (e, se, lo, hi, p) in est.items():
        rows.append({t("col_estimator", lang): t(_EST_NAMES[name], lang),
                     t("col_estimate", lang): _fmt(e, lang, 4) + _stars(p),
                     t("col_se", lang): _fmt(se, lang, 4),
                     t("col_ci", lang): f"[{_fmt(lo, lang, 4)}; {_fmt(hi, lang, 4)}]",
                     t("col_pct", lang): _pct_effect(e, lang),
                     t("col_p", lang): _fmt(p, lang, 3)})
    for outcome, agg in bundle.secondary.items():
        if isinstance(agg, str):
            continue
        e, se = float(agg.overall_estimate), float(agg.overall_std_error)
        r = agg.tidy().iloc[0]
        p = float(2 * norm.sf(abs(e / se))) if se > 0 else float("nan")
        rows.append({t("col_estimator", lang): t("est_cs_" + outcome, lang),
                     t("col_estimate", lang): _fmt(e, lang, 4) + _stars(p), t("col_se", lang): _fmt(se, lang, 4),
                     t("col_ci", lang): f"[{_fmt(r['conf_low'], lang, 4)}; {_fmt(r['conf_high'], lang, 4)}]",
                     t("col_pct", lang): _pct_effect(e, lang), t("col_p", lang): _fmt(p, lang, 3)})
    tab = pd.DataFrame(rows)
    out.append(_table_html(tab, numeric=list(tab.columns[1:])))
    out.append(f"<p><small>{_h(t('stars_note', lang))}</small></p>")
    for k in ("att_gt", "imputation", "twfe"):
        if k in bundle.reasons:
            out.append(f"<p><small>{_h(t('estimator_missing', lang, name=t(_EST_NAMES.get(k, 'est_cs') if k != 'att_gt' else 'est_cs', lang), reason=bundle.reason(k, lang)))}</small></p>")
    # why TWFE and the robust estimate differ
    if "twfe" in est and "callaway_santanna" in est:
        d = est["twfe"][0] - est["callaway_santanna"][0]
        se = max(est["twfe"][1], est["callaway_santanna"][1])
        w = bundle.weights
        neg = f"{w.n_negative}" if w is not None else "—"
        key = "diff_large" if abs(d) > se else "diff_small"
        out.append(f"<p>{_h(t(key, lang, d=_fmt(d, lang, 4), neg=neg, n=w.n_treated_obs if w else '—'))}</p>")
    if bundle.pretest is not None:
        p = bundle.pretest["p_value"]
        text = t("pretest_reject" if p < 0.05 else "pretest_ok", lang, p=_fmt(p, lang, 3), df=int(bundle.pretest["df"]))
        if bundle.n_supported < 30:
            text += " " + t("pretest_few", lang)
        out.append(f"<p>{_h(text)}</p>")
    for note in bundle.notes_text(lang):
        out.append(f"<p><small>{_h(note)}</small></p>")
    return "".join(out)


def by_type_html(ctx: ProvinceContext, bundle) -> str:
    lang = ctx.lang
    out = f"<h3>{_h(t('by_type_heading', lang))}</h3>"
    if bundle.by_type is None:
        return out + f"<p>{_h(t('by_type_unavailable', lang, reason=bundle.reason('by_type', lang)))}</p>"
    e = bundle.by_type.tidy()
    rows = []
    for r in e.itertuples():
        typ = str(r.term).split("=", 1)[-1]
        rows.append({t("col_support_type", lang): SUPPORT_TYPES.get(typ, {lang: typ})[lang],
                     t("col_estimate", lang): _fmt(r.estimate, lang, 4),
                     t("col_ci", lang): f"[{_fmt(r.conf_low, lang, 4)}; {_fmt(r.conf_high, lang, 4)}]",
                     t("col_p", lang): _fmt(r.p_value, lang, 3),
                     t("col_p_holm", lang): _fmt(r.p_holm, lang, 3)})
    tab = pd.DataFrame(rows)
    eq = bundle.by_type.equality_test
    return (out + f"<p>{_h(t('by_type_text', lang))}</p>" + _table_html(tab, numeric=list(tab.columns[1:]))
            + f"<p><small>{_h(t('by_type_equality', lang, p=_fmt(eq.get('p_value'), lang, 3)))}</small></p>")


# ------------------------------------------------------ robustness, methods

def limitations_html(ctx: ProvinceContext, bundle) -> str:
    """Limitations generated from the results, not boilerplate."""
    lang = ctx.lang
    items = []
    if ctx.synthetic:
        items.append(t("lim_synthetic", lang))
    est = _estimates(bundle)
    if bundle.pretest is not None and bundle.pretest["p_value"] < 0.05:
        items.append(t("lim_pretrend", lang, p=_fmt(bundle.pretest["p_value"], lang, 3)))
    if 0 < bundle.n_supported < 30 and est:
        items.append(t("lim_few_supported", lang, n=count_text(bundle.n_supported, ctx)))
    if "callaway_santanna" in est:
        e, se, lo, hi, _ = est["callaway_santanna"]
        if hi - lo > 0.2:
            items.append(t("lim_wide", lang, lo=_pct_effect(lo, lang), hi=_pct_effect(hi, lang)))
    if "twfe" in est and "callaway_santanna" in est:
        a, b = est["twfe"][0], est["callaway_santanna"][0]
        if np.sign(a) != np.sign(b) or abs(a - b) > max(est["twfe"][1], est["callaway_santanna"][1]):
            items.append(t("lim_disagree", lang))
    nd = sum(int((ctx.scorecard(m)["status"] == "no_data").sum()) for m in ctx.members)
    if nd:
        items.append(t("lim_no_data", lang, n=nd))
    for reason in dict.fromkeys(r for k, r in bundle.reasons_text(lang).items() if k in ("att_gt", "twfe")):
        items.append(t("lim_missing_estimate", lang, reason=reason))
    items.append(t("lim_selection", lang))
    return f"<h2>{_h(t('limitations_heading', lang))}</h2><ul>" + "".join(f"<li>{_h(x)}</li>" for x in items) + "</ul>"


def methods_html(ctx: ProvinceContext) -> str:
    lang = ctx.lang
    d = ctx.defaults
    keys = ["m_outcome", "m_twfe", "m_cs", "m_bjs", "m_weights", "m_tfp", "m_targets", "m_disclosure"]
    vals = dict(outcome=d.outcome, control=d.control_group, n_boot=d.n_boot, seed=d.seed, k=_k(ctx),
                share=fmt_number(100 * d.disclosure.max_firm_share, lang, 0), tol=fmt_number(100 * d.about_tolerance, lang, 0),
                min_sup=d.min_supported_for_estimate)
    return (f"<h2>{_h(t('methods_heading', lang))}</h2><ul>"
            + "".join(f"<li>{_h(t(k, lang, **vals))}</li>" for k in keys) + "</ul>")


def tfp_html(ctx: ProvinceContext, trend: pd.DataFrame) -> str:
    return (f"<h3>{_h(t('tfp_heading', ctx.lang))}</h3>"
            f"<p>{_h(t('tfp_caption', ctx.lang, province=ctx.name_vi))}</p>")


def figure_html(fig, alt: str) -> str:
    """The figure as an embedded PNG with alternative text (screen readers; the PDF route reads it too)."""
    data = base64.b64encode(figure_png(fig)).decode("ascii")
    return (f'<figure class="evalutils-figure" style="margin:0.5em 0"><img alt="{_h(alt)}" '
            f'style="max-width:100%;height:auto" src="data:image/png;base64,{data}"/></figure>')


def show_figure(fig, alt: str = ""):
    """Display helper for notebooks: the figure as HTML with alt text, or nothing when there is no figure."""
    from IPython.display import HTML

    return HTML(figure_html(fig, alt)) if fig is not None else None
