"""The national synthesis: every province's effect, target attainment, a pooled estimate.

Each province's effect is re-estimated here with the same code, seed and
settings as its own report (so the numbers agree), rather than read back from
rendered reports.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..effects import twfe, wild_cluster_bootstrap
from ..effects.plots import percent_change
from ..errors import EstimationError
from .. import cache
from ..evaluate import Estimate, content_key, estimate_from, evaluate_effects_cached
from ..geography import provinces, units_2025
from ..i18n import Lang, fmt_number, t
from ..measures.aggregates import files_digest
from ..measures.outcomes import outcome_panel
from ..measures.targets import scorecard
from ..panel.io import DataPaths, load_data_manifest, load_deflators, load_monitoring, load_panel, load_participation
from ..provenance import code_hash, remember_digests
from ..panel.params import Defaults, load_defaults, load_province_params, province_params_path
from . import exhibits
from .formatting import count_text, localise_axes, pct_effect, pct_interval
from .html import render
from .sections.header import vintage_text


@dataclass
class NationalContext:
    """What the synthesis reads. ``loaded_panel`` None: the firm-year panel (7 M rows at national size) is read
    from ``data_dir`` only when an estimate is not in the cache, so a re-run after a change to some province's
    targets reads the cached estimates and never the panel."""

    lang: Lang
    defaults: Defaults
    loaded_panel: pd.DataFrame | None
    monitoring: pd.DataFrame
    data_manifest: dict
    params_dir: Path
    data_dir: Path
    cache_dir: Path | None = None  # where the units' evaluations and the pooled estimate are cached
    _inputs_digest: str | None = field(default=None, repr=False)

    @property
    def synthetic(self) -> bool:
        return bool(self.data_manifest.get("synthetic"))

    @property
    def from_files(self) -> bool:
        """Whether the panel is (to be) read from ``data_dir``, so cache keys can hash its files."""
        return self.loaded_panel is None or bool(self.loaded_panel.attrs.get("from_files"))

    @property
    def panel(self) -> pd.DataFrame:
        """The firm-year panel with outcomes, read on first use."""
        if self.loaded_panel is None:
            self.loaded_panel = _outcome_panel_from(self.data_dir)
        return self.loaded_panel

    def estimates_key(self, kind: str, columns: list[str], options: dict) -> str:
        """Cache key of an estimate from the panel: the code, ``options`` and the panel's input files (hashed, not
        the 7 M-row table rebuilt) when it comes from ``data_dir``, else the columns' values."""
        if not self.from_files:
            return content_key(self.panel, columns, {"kind": kind, **options})
        if self._inputs_digest is None:
            paths = DataPaths(self.data_dir)
            files = sorted(paths.panel.rglob("*.parquet")) if paths.panel.exists() else []
            self._inputs_digest = files_digest(files + [p for p in (paths.participation, paths.deflators)
                                                         if p.exists()])
        h = hashlib.sha256(b"national-estimates-v1")
        h.update(code_hash().encode())
        h.update(self._inputs_digest.encode())
        h.update(json.dumps({"kind": kind, "columns": columns, **options}, sort_keys=True, default=str).encode())
        return h.hexdigest()

    @property
    def effects_cache(self) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / "effects"


@dataclass(frozen=True)
class WildBootstrap:
    """Wild cluster bootstrap of the pooled estimate: p-value and interval, and the number of draws."""

    p_value: float
    conf_low: float
    conf_high: float
    n_boot: int


@dataclass(frozen=True)
class PooledEstimate:
    """The national TWFE estimate clustered by province, with its wild cluster bootstrap (or why there is none)."""

    estimate: Estimate
    n_clusters: int
    wild: WildBootstrap | None
    wild_reason: str = ""


cache.register(WildBootstrap, PooledEstimate)


def load_national_context(*, data_dir: str | Path, params_dir: str | Path, lang: Lang = "en",
                          cache_dir: str | Path | None = None) -> NationalContext:
    """The whole country's firm-year panel with outcomes, the monitoring table and the settings."""
    data_dir, params_dir = Path(data_dir), Path(params_dir)
    remember_digests(cache_dir)  # the panel's digests, kept beside the caches: its 300 MB are not read to key them
    exhibits.start()  # a new report: the figures and tables it shows are recorded from here
    return NationalContext(lang, load_defaults(params_dir / "defaults.yml"), None, load_monitoring(data_dir),
                           load_data_manifest(data_dir), params_dir, data_dir,
                           None if cache_dir is None else Path(cache_dir))


def _outcome_panel_from(data_dir: Path) -> pd.DataFrame:
    panel = load_panel(data_dir)
    df = outcome_panel(panel, load_participation(data_dir, panel), load_deflators(data_dir))
    df.attrs["from_files"] = True
    return df


def unit_effects(ctx: NationalContext, geography: str = "pre2025") -> pd.DataFrame:
    """TWFE and Callaway–Sant'Anna estimates for every province (or 2025 unit). The table is cached whole (per
    language: it carries the reasons in words), keyed by the code, the panel's files and every setting."""
    key = ctx.estimates_key(f"units-{geography}-{ctx.lang}", ["firm_id", "year", "province_code"],
                            json.loads(ctx.defaults.model_dump_json()))
    out = cache.cached(ctx.effects_cache, f"national-units-{geography}-{ctx.lang}", key,
                       lambda: _unit_effects(ctx, geography), pd.DataFrame)
    out.attrs["k"] = ctx.defaults.disclosure.min_firms_per_cell
    return out


def n_firms(ctx: NationalContext) -> int:
    """Firms in the national panel (cached with the estimates: the header needs no 7 M-row read)."""
    key = ctx.estimates_key("n-firms", ["firm_id"], {})
    return int(cache.cached(ctx.effects_cache, "national-n-firms", key,
                            lambda: int(ctx.panel["firm_id"].nunique()), int))


def _unit_effects(ctx: NationalContext, geography: str) -> pd.DataFrame:
    prov = provinces()
    key = "province_code" if geography == "pre2025" else "unit_2025"
    df = ctx.panel
    if geography == "2025":
        df = df.assign(unit_2025=df["province_code"].map(prov.set_index("code")["unit_2025"]))
        names = units_2025().set_index("slug")[["name_vi", "name_en"]]
    else:
        names = prov.set_index("code")[["name_vi", "name_en"]]
    d = ctx.defaults
    rows = []
    for unit, g in df.groupby(key, sort=True):
        # cached like the province reports' (content-keyed): the other language, and a re-run after a change
        # to some province's targets, read these instead of re-estimating every unit
        ev = evaluate_effects_cached(g, cache_dir=ctx.effects_cache,
                                    name=f"national-{geography}-{unit}",
                                    outcome=d.outcome, seed=d.seed, min_supported=d.min_supported_for_estimate,
                                    n_boot=d.n_boot, control_group=d.control_group, cluster=d.cluster,
                                    covariates=list(d.covariates), estimators=list(d.estimators),
                                    sample={k: list(v) for k, v in d.sample.model_dump().items() if v is not None}
                                    or None, anticipation=d.anticipation, base_period=d.base_period,
                                    with_heterogeneity=False,
                                    disclosure_k=d.disclosure.min_firms_per_cell)
        row = {"unit": unit, "name_vi": names.at[unit, "name_vi"], "name_en": names.at[unit, "name_en"],
               "n_firms": ev.n_firms, "n_supported": ev.n_supported}
        cs, tw = ev.estimates.get("callaway_santanna"), ev.estimates.get("twfe")
        if cs is not None:
            row.update(cs=cs.estimate, cs_low=cs.conf_low, cs_high=cs.conf_high, cs_p=cs.p_value)
        if tw is not None:
            row.update(twfe=tw.estimate, twfe_low=tw.conf_low, twfe_high=tw.conf_high, twfe_p=tw.p_value)
        row["reason"] = ev.reason("att_gt", ctx.lang)
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["k"] = d.disclosure.min_firms_per_cell
    out.attrs["geography"] = geography  # names the figure's and the table's data (exhibits)
    return out


def unit_name_column(lang: Lang) -> str:
    """The column of :func:`unit_effects` that names the units in ``lang`` (Vietnamese or English names)."""
    return "name_vi" if lang == "vi" else "name_en"


def forest_figure(effects: pd.DataFrame, lang: Lang, *, title: str | None = None):
    """Forest plot of the Callaway–Sant'Anna estimates (units without one are listed, not drawn), drawn as the
    effects table prints them: percent changes 100 (e^b − 1), the interval's ends transformed alike."""
    from matplotlib.figure import Figure

    e = effects.dropna(subset=["cs"]).sort_values("cs").reset_index(drop=True)
    fig = Figure(figsize=(7.5, 0.2 * len(e) + 1.4), dpi=110)
    ax = fig.subplots()
    y = np.arange(len(e))
    pct, lo, hi = (percent_change(e[c]) for c in ("cs", "cs_low", "cs_high"))
    ax.errorbar(pct, y, xerr=[pct - lo, hi - pct], fmt="o", ms=3.5,
                color="#1f4e79", ecolor="#7f9fbf", elinewidth=1, capsize=1.5)
    ax.axvline(0, color="0.3", lw=0.8)
    name = unit_name_column(lang)
    ax.set_yticks(y, e[name], fontsize=7)
    ax.set_xlabel(t("forest_axis", lang))
    if title:
        ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    localise_axes(fig, lang)
    fig.tight_layout()
    geo = effects.attrs.get("geography", "pre2025")
    data = e.reindex(columns=["unit", name, "cs", "cs_low", "cs_high"]).rename(
        columns={"cs": "estimate", "cs_low": "conf_low", "cs_high": "conf_high"})
    # what is drawn: the same estimates as percent changes (estimate, conf_low, conf_high stay in logs)
    data["change_pct"], data["change_pct_low"], data["change_pct_high"] = pct, lo, hi
    return exhibits.figure_data(fig, f"forest-{geo}-chart",
                                t("forest_heading" if geo == "pre2025" else "forest_units_heading", lang), data)


def attainment_table(ctx: NationalContext) -> pd.DataFrame:
    """Status counts of the targets of every province that has targets."""
    prov = provinces()
    rows = []
    for r in prov.itertuples():
        params = load_province_params(province_params_path(ctx.params_dir, r.slug))
        if not params.targets:
            continue
        sc = scorecard(params, ctx.monitoring, r.code, about_tolerance=ctx.defaults.about_tolerance)
        counts = sc["status"].value_counts()
        rows.append({"province": r.name_vi if ctx.lang == "vi" else r.name_en, "targets": len(sc),
                     **{s: int(counts.get(s, 0)) for s in ("met", "on_track", "behind", "no_data")}})
    return pd.DataFrame(rows)


def pooled_estimate(ctx: NationalContext, *, n_boot: int = 999) -> PooledEstimate:
    """National TWFE with standard errors clustered by province, with a wild cluster bootstrap p-value and CI."""
    d = ctx.defaults
    options = {"kind": "pooled", "outcome": d.outcome, "n_boot": n_boot, "seed": d.seed, "weights": "webb"}
    key = ctx.estimates_key("pooled", ["firm_id", "year", d.outcome, "post_support", "province_code"], options)
    # language-neutral: computed by the first language's report, read by the other
    return cache.cached(ctx.effects_cache, "national-pooled", key, lambda: _pooled(ctx.panel, d.outcome, d.seed, n_boot),
                        PooledEstimate)


def _pooled(df: pd.DataFrame, outcome: str, seed: int, n_boot: int) -> PooledEstimate:
    res = twfe(df, outcome=outcome, unit="firm_id", time="year", treatment="post_support", cluster="province_code")
    est = estimate_from("twfe", res, outcome=outcome, n_firms=int(df["firm_id"].nunique()),
                        n_supported=int(df.loc[df["support_start_year"].notna(), "firm_id"].nunique()))
    try:
        w = wild_cluster_bootstrap(df, outcome=outcome, unit="firm_id", time="year", treatment="post_support",
                                   cluster="province_code", weights="webb", n_boot=n_boot, seed=seed)
    except EstimationError as exc:
        return PooledEstimate(est, int(res.n_clusters), None, str(exc).splitlines()[0])
    return PooledEstimate(est, int(res.n_clusters),
                          WildBootstrap(float(w.p_value), float(w.conf_low), float(w.conf_high), int(w.n_boot)))


def section_heading_html(key: str, lang: Lang, *paragraphs: str) -> str:
    """A section heading (message ``key``) with optional paragraphs of text, escaped."""
    return render("heading.html.j2", level=2, text=t(key, lang), paragraphs=list(paragraphs))


def forest_intro_html(ctx: NationalContext) -> str:
    """Heading and explanation of the forest plot of the provinces' effects."""
    return section_heading_html("forest_heading", ctx.lang,
                                t("forest_text", ctx.lang, k=ctx.defaults.min_supported_for_estimate))


def units_intro_html(ctx: NationalContext) -> str:
    """Heading and one sentence on the 34 provincial units of Resolution 202/2025/QH15."""
    return section_heading_html("forest_units_heading", ctx.lang, t("forest_units_text", ctx.lang))


def _finite(x) -> bool:
    return isinstance(x, (float, int)) and bool(np.isfinite(x))


def effects_table_html(effects: pd.DataFrame, lang: Lang) -> str:
    """Every unit's Callaway–Sant'Anna estimate with its interval (or why there is none) and the TWFE estimate, as
    percent changes 100 (e^b − 1) like the province reports' text and the website (the interval's ends transformed
    one by one); the payload keeps the log points (``province_effects``)."""
    cols = [t("col_area", lang), t("col_firms", lang), t("col_supported", lang), t("col_cs_pct", lang),
            t("col_ci", lang), t("col_twfe_pct", lang)]
    body = []
    k = effects.attrs["k"]  # the disclosure threshold, set by unit_effects
    names = effects[unit_name_column(lang)]
    for name, r in zip(names, effects.itertuples()):
        cs = getattr(r, "cs", np.nan)
        ok = _finite(cs)
        ci = pct_interval(r.cs_low, r.cs_high, lang) if ok else (r.reason or "—")
        tw = getattr(r, "twfe", np.nan)
        body.append([name, count_text(r.n_firms, k, lang), count_text(r.n_supported, k, lang),
                     pct_effect(cs, lang) if ok else "—", ci, pct_effect(tw, lang) if _finite(tw) else "—"])
    geo = effects.attrs.get("geography", "pre2025")
    tbl = exhibits.shown_rows(f"effects-{geo}-table",
                              t("forest_heading" if geo == "pre2025" else "forest_units_heading", lang), cols, body)
    # counts and estimates right-aligned; the interval column holds the reason when there is no estimate
    tbl["numeric"] = [False, True, True, True, False, True]
    return render("paragraphs.html.j2", paragraphs=[], t=tbl)


def attainment_html(table: pd.DataFrame, lang: Lang) -> str:
    """Status counts of every province's targets, with a note on how many provinces have targets."""
    cols = {"province": t("col_area", lang), "targets": t("col_targets", lang), "met": t("status_met", lang),
            "on_track": t("status_on_track", lang), "behind": t("status_behind", lang),
            "no_data": t("status_no_data", lang)}
    body = [[r[k] for k in cols] for _, r in table.iterrows()]
    tbl = exhibits.shown_rows("attainment-table", t("attainment_heading", lang), list(cols.values()), body)
    tbl["numeric"] = [False] + [True] * (len(cols) - 1)
    return render("paragraphs.html.j2", paragraphs=[t("attainment_note", lang, n=len(table))], t=tbl)


def pooled_interval(pooled: PooledEstimate) -> tuple[float, float, float, str]:
    """The one interval and p-value the synthesis reports for the pooled estimate, and where they come from: the
    wild cluster bootstrap when it ran (reliable with few clusters), else the analytic clustered ones. The report's
    text, its summary and its payload (which the website reads) all quote this one."""
    if pooled.wild is not None:
        return pooled.wild.conf_low, pooled.wild.conf_high, pooled.wild.p_value, "wild_cluster_bootstrap"
    e = pooled.estimate
    return e.conf_low, e.conf_high, e.p_value, "analytic_cluster"


#: decimals of the pooled estimate and its interval in logs, as the effects table and the website print them
LOG_DECIMALS = 3


def p_text(p: float, lang: Lang) -> str:
    """A p-value after "p": "= 0.012", or "< 0.001" (never "= 0.000")."""
    return f"< {fmt_number(0.001, lang, 3)}" if p < 0.001 else f"= {fmt_number(p, lang, 3)}"


def pooled_html(ctx: NationalContext, pooled: PooledEstimate) -> str:
    """The national pooled TWFE estimate with one interval (:func:`pooled_interval`): first as a percent change,
    then in logs with the p-value and where the interval comes from."""
    lang = ctx.lang
    e = pooled.estimate
    lo, hi, p, method = pooled_interval(pooled)
    w = pooled.wild
    extra = "" if w is None else t("pooled_extra_wild", lang, b=w.n_boot, g=pooled.n_clusters,
                                   se=fmt_number(e.std_error, lang, 4))
    text = t("pooled_one", lang, pct=pct_effect(e.estimate, lang).lstrip("-\u2212"),
             direction=t("kf_higher" if e.estimate >= 0 else "kf_lower", lang),
             lo_pct=pct_effect(lo, lang), hi_pct=pct_effect(hi, lang),
             est=fmt_number(e.estimate, lang, LOG_DECIMALS), lo=fmt_number(lo, lang, LOG_DECIMALS),
             hi=fmt_number(hi, lang, LOG_DECIMALS), p=p_text(p, lang),
             method=t("interval_wild" if method == "wild_cluster_bootstrap" else "interval_analytic", lang),
             extra=extra)
    if w is None:
        text += " " + t("wild_unavailable", lang, reason=pooled.wild_reason)
    # a pooled TWFE assumes one effect for all: say so beside the number (the provinces' estimates do not)
    return render("paragraphs.html.j2", paragraphs=[text, t("pooled_caveat", lang)], t=None)


def facts(ctx: NationalContext, effects: pd.DataFrame, attainment: pd.DataFrame | None) -> dict:
    """The counts the key findings state, as the results payload carries them (``findings``): how many provinces
    have an effect estimate, where their intervals lie, why the others have none, how many intervals would exclude
    zero by chance alone; the targets' statuses summed over the provinces that have targets (None when none has)."""
    k = ctx.defaults.min_supported_for_estimate
    has = effects["cs"].notna() if "cs" in effects else pd.Series(False, index=effects.index)
    est = effects[has]
    above = int((est["cs_low"] > 0).sum()) if len(est) else 0
    below = int((est["cs_high"] < 0).sum()) if len(est) else 0
    others = effects[~has]
    few = "n_supported" in effects and bool((others["n_supported"] < k).all())
    units = {"n": len(effects), "n_estimated": len(est), "above_zero": above, "below_zero": below,
             "includes_zero": len(est) - above - below, "min_supported": k,
             "others": None if not len(others) else "few_supported" if few else "see_table",
             # intervals that would exclude zero with no effect anywhere (5% of them)
             "by_chance": round(0.05 * len(est))}
    targets = None
    if attainment is not None and len(attainment):
        targets = {"provinces": len(attainment),
                   **{c: int(attainment[c].sum()) for c in ("targets", "met", "on_track", "behind", "no_data")}}
    return {"units": units, "targets": targets}


def summary_html(ctx: NationalContext, effects: pd.DataFrame, pooled: PooledEstimate,
                 attainment: pd.DataFrame) -> str:
    """The synthesis' key findings (:func:`facts`): how many provinces' effects were estimated and where their
    intervals lie, the pooled effect with its one interval, and the targets' statuses across provinces."""
    lang = ctx.lang
    f = facts(ctx, effects, attainment)
    u = f["units"]
    why = {None: "", "few_supported": t("nat_why_few", lang, k=u["min_supported"]),
           "see_table": t("nat_why_table", lang)}[u["others"]]
    text = t("nat_kf_units", lang, n=u["n"], n_est=u["n_estimated"], why=why, above=u["above_zero"],
             below=u["below_zero"], zero=u["includes_zero"])
    if u["by_chance"] >= 1:
        text += " " + t("nat_kf_chance", lang, n_est=u["n_estimated"], chance=u["by_chance"])
    items = [text]
    e = pooled.estimate
    lo, hi, p, _ = pooled_interval(pooled)
    items.append(t("nat_kf_pooled", lang, pct=pct_effect(e.estimate, lang).lstrip("-\u2212"),
                   direction=t("kf_higher" if e.estimate >= 0 else "kf_lower", lang),
                   lo=pct_effect(lo, lang), hi=pct_effect(hi, lang),
                   sig=t("kf_sig" if p < 0.05 else "kf_not_sig", lang)))
    if f["targets"] is not None:
        tg = f["targets"]
        items.append(t("nat_kf_targets", lang, n_prov=tg["provinces"], n=tg["targets"], met=tg["met"],
                       on_track=tg["on_track"], behind=tg["behind"], no_data=tg["no_data"]))
    return render("key_findings.html.j2", heading=t("kf_heading", lang), items=items)


def header_html(ctx: NationalContext) -> str:
    """Title and subtitle of the synthesis (years, number of firms) and where the data come from."""
    lang = ctx.lang
    y0, y1 = ctx.defaults.years
    return render("national_header.html.j2", title=t("national_title", lang),
                  subtitle=t("national_subtitle", lang, y0=y0, y1=y1, n=fmt_number(n_firms(ctx), lang)),
                  vintage=vintage_text(ctx.data_manifest, lang))


def results_payload(ctx: NationalContext, effects: pd.DataFrame, pooled: PooledEstimate,
                    attainment: pd.DataFrame | None = None) -> dict:
    """Machine-readable headline numbers of the synthesis (same mime type as the province reports); every
    number names its estimator; ``findings``: the counts the key findings state (:func:`facts`)."""
    e = pooled.estimate
    lo, hi, p, interval = pooled_interval(pooled)  # the one interval the report quotes
    out = {"unit": "national", "geography": "pre2025", "lang": ctx.lang, "name_vi": "Toàn quốc",
           "synthetic": ctx.synthetic,
           "effect": {"estimator": e.estimator, "outcome": e.outcome, "method": e.method,
                      "estimate": e.estimate, "std_error": e.std_error, "conf_low": lo, "conf_high": hi,
                      "p_value": p, "interval": interval},
           "n_units_estimated": int(effects["cs"].notna().sum()) if "cs" in effects else 0}
    if pooled.wild is not None:
        out["wild_bootstrap"] = {"p_value": pooled.wild.p_value, "conf_low": pooled.wild.conf_low,
                                 "conf_high": pooled.wild.conf_high, "n_boot": pooled.wild.n_boot}
    out["findings"] = facts(ctx, effects, attainment)
    out["province_effects_estimator"] = "callaway_santanna"
    out["province_effects"] = {str(u): (None if pd.isna(v) else float(v))
                               for u, v in zip(effects["unit"], effects.get("cs", pd.Series(dtype=float)))}
    out["exhibits"] = exhibits.recorded()  # the data behind each figure and table shown
    return out
