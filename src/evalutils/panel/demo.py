"""SYNTHETIC demonstration data: a deterministic generator for all 63 provinces, 2015–2025.

Nothing produced here is real. Every table written by :func:`write_demo` is
marked synthetic in ``MANIFEST.json``, and every report built from it carries a
"synthetic demonstration data" banner.

The data-generating process (all logs natural; money in million VND):

* Firms are spread over provinces by illustrative weights (large cities large,
  mountain provinces small; *not* GSO counts), with a floor so every province
  has enough firms for a demonstration. About 60% exist in 2015, the rest enter
  in 2016–2025; exit is absorbing, more likely for unproductive firms and in the
  2020–2021 COVID years.
* Productivity: ``ω_it = a_i + μ_sector + μ_ownership + 0.03·(t−2015) + covid_t + u_it + τ_it`` with
  ``u_it`` AR(1) (ρ = 0.8, σ_ξ = 0.12), COVID shocks −0.06 (2020) and −0.09 (2021).
* Labour is chosen knowing ω: ``l_it = s_i + 0.6·ω_it + η_it``; employment is
  ``round(exp(l))`` (≥ 1). Capital accumulates, ``K_t = 0.92·K_{t−1} + I_{t−1}``,
  with an investment rate rising in ω and zero for low-ω firms (about a tenth of
  firm-years), so Olley–Pakes has a monotone proxy where investment is positive.
* Real value added is Cobb–Douglas, ``y = c + ω + 0.30·k + 0.60·l + ε`` with
  measurement error ε ~ N(0, 0.10²); intermediate inputs are Leontief, a sector
  ratio times value added without ε (a monotone proxy for Levinsohn–Petrin and
  ACF). Money columns are in current prices: real values times ``deflators.csv``.
* Support starts in 2021–2025 for about 10% of the firms alive then, more
  likely for large and (permanently) productive firms; selection is on the
  firm's permanent traits, so parallel trends hold given firm fixed effects.
  The effect on log TFP grows with time since support and differs by type
  (:data:`TRUE_EFFECTS`); labour responds to it through ω.

Truth written beside the data: the structural effects by type and event time,
the realised ATT by cohort, year and outcome (treated firms' outcomes minus the
same firms' outcomes simulated without support, same shocks), and the
production-function elasticities.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import DataValidationError, ParameterError
from ..geography import provinces
from .indicators import INDICATORS
from ..atomic import atomic_write_csv, atomic_write_text
from .io import DataPaths, panel_files, synthetic_panel_files, write_panel_partitioned
from .schema import SUPPORT_TYPES

DEFAULT_SEED = 20200831
YEARS = np.arange(2015, 2026)
ELASTICITIES = {"labour": 0.60, "capital": 0.30}
FIRMS_PER_UNIT_SCALE = 10_000
MIN_FIRMS_PER_PROVINCE = 150

# effect on log TFP of support of each type, e years after it began: base + slope * e
TRUE_EFFECTS: dict[str, tuple[float, float]] = {
    "standards_management": (0.020, 0.010),
    "productivity_tools": (0.040, 0.015),
    "traceability": (0.010, 0.005),
    "digital_transformation": (0.000, 0.025),
    "training": (0.015, 0.000),
    "quality_award": (0.030, 0.010),
}
SUPPORT_SHARES = {
    "standards_management": 0.30, "productivity_tools": 0.25, "traceability": 0.10,
    "digital_transformation": 0.15, "training": 0.15, "quality_award": 0.05,
}

# Illustrative relative numbers of enterprises (not statistics): big economic centres large.
_WEIGHTS = {
    "79": 26.0, "01": 20.0, "74": 4.5, "75": 3.0, "31": 2.5, "48": 2.5, "27": 1.5, "80": 1.5,
    "38": 1.5, "40": 1.3, "56": 1.2, "77": 1.2, "22": 1.2, "92": 1.2, "30": 1.2, "26": 1.0,
    "49": 1.0, "33": 1.0, "91": 0.9, "19": 0.8, "68": 0.8, "24": 0.8, "37": 0.7, "36": 0.7,
    "46": 0.7, "52": 0.7, "66": 0.7, "72": 0.7, "89": 0.7, "25": 0.6, "34": 0.6, "60": 0.6,
    "82": 0.6, "87": 0.6, "64": 0.6, "51": 0.5, "70": 0.5, "42": 0.5, "35": 0.5, "54": 0.4,
    "86": 0.4, "83": 0.4, "94": 0.4, "96": 0.4, "10": 0.4, "44": 0.4, "45": 0.3, "95": 0.3,
    "93": 0.3, "84": 0.3, "58": 0.3, "67": 0.3, "62": 0.25, "15": 0.3, "17": 0.3, "08": 0.3,
    "20": 0.3, "14": 0.3, "02": 0.15, "04": 0.15, "06": 0.15, "11": 0.15, "12": 0.12,
}
_SECTORS = {"A": 0.04, "C": 0.30, "F": 0.12, "G": 0.30, "H": 0.07, "I": 0.07, "J": 0.04, "M": 0.06}
_SECTOR_MU = {"A": -0.20, "C": 0.05, "F": -0.05, "G": 0.00, "H": 0.00, "I": -0.10, "J": 0.25, "M": 0.15}
_MATERIALS_RATIO = {"A": 1.2, "C": 2.0, "F": 1.5, "G": 3.0, "H": 1.2, "I": 1.0, "J": 0.6, "M": 0.5}
_OWNERSHIP = {"private": 0.90, "foreign": 0.07, "state": 0.03}
_OWNERSHIP_MU = {"private": 0.0, "foreign": 0.20, "state": -0.10}
_COVID = {2020: -0.06, 2021: -0.09}


@dataclass
class DemoData:
    """The four synthetic tables plus the truth that produced them."""

    panel: pd.DataFrame
    participation: pd.DataFrame
    monitoring: pd.DataFrame
    deflators: pd.DataFrame
    true_att: pd.DataFrame
    true_effects: pd.DataFrame
    truth: dict = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)


def _effect(types: np.ndarray, event_time: np.ndarray) -> np.ndarray:
    base = np.zeros(types.shape)
    slope = np.zeros(types.shape)
    for k, name in enumerate(SUPPORT_TYPES):
        b, s = TRUE_EFFECTS[name]
        base[types == k] = b
        slope[types == k] = s
    return np.where(event_time >= 0, base + slope * np.maximum(event_time, 0), 0.0)


def generate_demo(*, scale: float = 1.0, seed: int = DEFAULT_SEED) -> DemoData:
    """Generate the synthetic panel; ``scale=1`` is about 15,000 firms (≈ 100,000 firm-years).

    ``scale=100`` gives about 7 million firm-years (1 million firms), the size of the national
    enterprise survey. The output depends only on ``scale`` and ``seed``.
    """
    check_demo_options(scale=scale, seed=seed)
    rng = np.random.default_rng(seed)
    prov = provinces()
    codes = prov["code"].to_numpy()
    w = np.array([_WEIGHTS[c] for c in codes])
    n_target = scale * FIRMS_PER_UNIT_SCALE
    per_prov = np.maximum(MIN_FIRMS_PER_PROVINCE, np.round(w / w.sum() * n_target)).astype(int)
    n = int(per_prov.sum())
    T = len(YEARS)

    prov_idx = np.repeat(np.arange(len(codes)), per_prov)
    sectors = np.array(list(_SECTORS))
    sec_idx = rng.choice(len(sectors), size=n, p=np.array(list(_SECTORS.values())))
    owners = np.array(list(_OWNERSHIP))
    own_idx = rng.choice(len(owners), size=n, p=np.array(list(_OWNERSHIP.values())))

    # entry and exit
    incumbent = rng.random(n) < 0.6
    entry = np.where(incumbent, YEARS[0], rng.integers(YEARS[0] + 1, YEARS[-1] + 1, size=n))

    # productivity
    a_i = rng.normal(0.0, 0.15, n)
    mu = (np.array([_SECTOR_MU[s] for s in sectors])[sec_idx]
          + np.array([_OWNERSHIP_MU[o] for o in owners])[own_idx] + a_i)
    rho, sig = 0.8, 0.12
    u = np.empty((n, T))
    u[:, 0] = rng.normal(0, sig / np.sqrt(1 - rho**2), n)
    xi = rng.normal(0, sig, (n, T))
    for t in range(1, T):
        u[:, t] = rho * u[:, t - 1] + xi[:, t]
    common = np.array([0.03 * (y - YEARS[0]) + _COVID.get(int(y), 0.0) for y in YEARS])

    # exit: hazard higher for low u and in COVID years; absorbing
    hazard = 0.04 + 0.05 * (u < -0.25) + np.array([0.03 if y in _COVID else 0.0 for y in YEARS])
    exits = (rng.random((n, T)) < hazard) & (YEARS[None, :] > entry[:, None])
    first_exit = np.where(exits.any(axis=1), YEARS[np.argmax(exits, axis=1)], YEARS[-1] + 1)
    last_year = first_exit - 1
    alive = (YEARS[None, :] >= entry[:, None]) & (YEARS[None, :] <= last_year[:, None])

    # programme support: cohorts 2021–2025, selection on permanent size and productivity
    size_i = rng.normal(np.log(20), 1.0, n)
    cohort_draw = rng.integers(2021, 2026, size=n)
    z = 0.6 * (size_i - np.log(20)) + 3.0 * a_i
    p = 1 / (1 + np.exp(-(-1.9 + z)))
    alive_at = alive[np.arange(n), np.clip(cohort_draw - YEARS[0], 0, T - 1)]
    established = entry <= cohort_draw - 2
    treated = (rng.random(n) < p) & alive_at & established
    type_idx = rng.choice(len(SUPPORT_TYPES), size=n, p=np.array(list(SUPPORT_SHARES.values())))
    cohort = np.where(treated, cohort_draw, 0)
    event_time = YEARS[None, :] - cohort[:, None]
    tau = np.where(treated[:, None], _effect(np.repeat(type_idx[:, None], T, 1), event_time), 0.0)

    omega0 = mu[:, None] + common[None, :] + u
    omega1 = omega0 + tau
    eta = rng.normal(0, 0.10, (n, T))
    eps = rng.normal(0, 0.10, (n, T))
    k0_entry = rng.normal(np.log(3000), 1.0, n) + 0.8 * (size_i - np.log(20))

    def outcomes(omega: np.ndarray) -> dict[str, np.ndarray]:
        emp = np.maximum(1, np.round(np.exp(size_i[:, None] + 0.6 * (omega - mu[:, None]) + eta)))
        K = np.empty((n, T))
        inv = np.empty((n, T))
        K[:, 0] = np.exp(k0_entry)
        dev = omega - mu[:, None] - common[None, :]
        rate = np.maximum(0.0, 0.10 + 0.35 * dev)
        for t in range(T):
            if t > 0:
                K[:, t] = np.where(YEARS[t] <= entry, np.exp(k0_entry), 0.92 * K[:, t - 1] + inv[:, t - 1])
            inv[:, t] = rate[:, t] * K[:, t]
        y_star = 4.1 + omega + ELASTICITIES["capital"] * np.log(K) + ELASTICITIES["labour"] * np.log(emp)
        return {"emp": emp, "K": K, "inv": inv, "y_star": y_star, "y": y_star + eps}

    o1 = outcomes(omega1)
    o0 = outcomes(omega0) if treated.any() else o1

    # deflators: ~3.5% a year with noise, 2015 = 1
    infl = np.concatenate([[0.0], rng.normal(0.035, 0.01, T - 1)])
    defl = np.exp(np.cumsum(infl))
    wage = 60.0 * 1.06 ** (YEARS - YEARS[0])

    fi, ti = np.nonzero(alive)
    mratio = np.array([_MATERIALS_RATIO[s] for s in sectors])[sec_idx]
    va_real = np.exp(o1["y"][fi, ti])
    d = defl[ti]
    firm_ids = np.char.add("DN", np.char.zfill(np.arange(1, n + 1).astype(str), 7))
    inter = np.exp(o1["y_star"][fi, ti]) * mratio[fi] * d
    panel = pd.DataFrame({
        "firm_id": firm_ids[fi],
        "year": YEARS[ti].astype("int64"),
        "province_code": codes[prov_idx[fi]],
        "vsic_section": sectors[sec_idx[fi]],
        "ownership": owners[own_idx[fi]],
        "employment": o1["emp"][fi, ti].astype("int64"),
        "value_added": np.round(va_real * d, 3),
        "intermediate_inputs": np.round(inter, 3),
        "capital": np.round(o1["K"][fi, ti] * d, 3),
        "wage_bill": np.round(o1["emp"][fi, ti] * wage[ti] * np.exp(rng.normal(0, 0.1, len(fi))), 3),
        "investment": np.round(o1["inv"][fi, ti] * d, 3),
    })
    panel["revenue"] = np.round(panel["value_added"] + panel["intermediate_inputs"], 3)
    panel = panel[["firm_id", "year", "province_code", "vsic_section", "ownership", "employment", "revenue",
                   "value_added", "capital", "intermediate_inputs", "wage_bill", "investment"]]

    tr = np.nonzero(treated)[0]
    type_names = np.array(list(SUPPORT_TYPES))
    participation = pd.DataFrame({
        "firm_id": firm_ids[tr],
        "support_start_year": cohort[tr].astype("int64"),
        "support_type": type_names[type_idx[tr]],
    })

    # realised ATT by cohort and year: treated, alive firms; outcome with minus without support
    rows = []
    if treated.any():
        mask = alive & treated[:, None]
        f2, t2 = np.nonzero(mask)
        diffs = {
            "log_tfp": tau[f2, t2],
            "log_value_added": o1["y"][f2, t2] - o0["y"][f2, t2],
            "log_va_per_worker": (o1["y"][f2, t2] - np.log(o1["emp"][f2, t2]))
            - (o0["y"][f2, t2] - np.log(o0["emp"][f2, t2])),
        }
        base = pd.DataFrame({"support_start_year": cohort[f2], "year": YEARS[t2],
                             "support_type": type_names[type_idx[f2]]})
        for name, val in diffs.items():
            g = base.assign(att=val).groupby(["support_start_year", "year"], as_index=False)
            rows.append(g.agg(att=("att", "mean"), n_firms=("att", "size")).assign(outcome=name))
    true_att = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["support_start_year", "year", "att", "n_firms", "outcome"])

    true_effects = pd.DataFrame(
        [{"support_type": k, "event_time": e, "effect_log_tfp": b + s * e}
         for k, (b, s) in TRUE_EFFECTS.items() for e in range(0, 5)]
    )
    monitoring = _monitoring(rng, panel, participation, codes, per_prov)
    deflators = pd.DataFrame({"year": YEARS.astype("int64"), "deflator": np.round(defl, 6)})
    manifest = {
        "synthetic": True,
        "description": "SYNTHETIC demonstration data generated by evalutils.demo; not real enterprises",
        "generator": "evalutils.demo.generate_demo",
        "evalutils_version": __version__,
        "seed": seed,
        "scale": scale,
        "n_firms": n,
        "n_firm_years": int(len(panel)),
        "n_supported": int(len(participation)),
        "years": [int(YEARS[0]), int(YEARS[-1])],
    }
    truth = {"elasticities": dict(ELASTICITIES), "true_effects": TRUE_EFFECTS,
             "value_added_is_real_after_deflating": True}
    return DemoData(panel, participation, monitoring, deflators, true_att, true_effects, truth, manifest)


def _monitoring(rng, panel, participation, codes, per_prov) -> pd.DataFrame:
    """Programme monitoring indicators per province and year, 2021–2025 (synthetic)."""
    years = np.arange(2021, 2026)
    size = per_prov / np.median(per_prov)
    firm_prov = panel.drop_duplicates("firm_id").set_index("firm_id")["province_code"]
    part = participation.assign(province_code=participation["firm_id"].map(firm_prov))
    supported = part.groupby(["province_code", "support_start_year"]).size()
    qms = part[part["support_type"] == "standards_management"].groupby(
        ["province_code", "support_start_year"]).size()
    award = part[part["support_type"] == "quality_award"].groupby(["province_code", "support_start_year"]).size()
    # labour-productivity growth (%) from the panel: aggregate VA per worker, nominal
    agg = panel.groupby(["province_code", "year"])[["value_added", "employment"]].sum()
    lp = (agg["value_added"] / agg["employment"]).unstack("year")
    lp_growth = (lp.pct_change(axis=1) * 100).round(2)

    lam = {  # yearly Poisson means for a province of median size
        "experts_trained": 2.5, "staff_expert_courses": 2.0, "officials_trained": 60, "people_trained": 110,
        "managers_trained": 150, "research_tasks": 1.2, "conformity_bodies_strengthened": 0.3,
        "innovation_centres": 0.15, "districts_with_plan": 0.3, "large_enterprises_with_plan": 0.3,
        "sme_pilot_projects": 3.0, "university_clubs": 0.2, "enterprises_model_sites": 1.0,
        "quality_award_participants": 0.8,
    }
    out = []
    for j, code in enumerate(codes):
        s = float(np.clip(size[j], 0.5, 4.0))
        missing = set(rng.choice(list(INDICATORS), size=2, replace=False))  # gaps in reporting
        guided0 = rng.poisson(40 * s) + 5
        guided_growth = rng.normal(0.11, 0.04)
        ocop0 = rng.uniform(45, 70)
        for y in years:
            vals = {name: float(rng.poisson(m * s)) for name, m in lam.items()}
            vals["enterprises_supported"] = float(supported.get((code, y), 0))
            vals["enterprises_qms_certified"] = float(qms.get((code, y), 0))
            vals["quality_award_participants"] += float(award.get((code, y), 0))
            vals["quality_award_winners"] = float(rng.binomial(int(vals["quality_award_participants"]), 0.5))
            vals["quality_award_gold"] = float(rng.binomial(int(vals["quality_award_winners"]), 0.15))
            vals["enterprises_guided"] = float(round(guided0 * (1 + guided_growth) ** (y - 2021)))
            vals["ocop_trademark_share"] = float(round(min(95.0, ocop0 + 5 * (y - 2021) + rng.normal(0, 2)), 1))
            vals["labour_productivity_growth"] = float(lp_growth.loc[code, y]) if code in lp_growth.index else np.nan
            vals["tfp_contribution_share"] = float(round(rng.normal(33, 8), 1))
            for name, v in vals.items():
                if name in missing or not np.isfinite(v):
                    continue
                out.append((code, int(y), name, v))
    return pd.DataFrame(out, columns=["province_code", "year", "indicator", "value"])


#: Largest scale accepted (100 is the national size; beyond 1,000 the generator needs hundreds of GB).
MAX_SCALE = 1000.0
#: Seeds are whole numbers in 0 … 2**32 − 1 (as ``params/defaults.yml: seed``).
MAX_SEED = 2**32 - 1


def check_demo_options(*, scale: float, seed: int) -> None:
    """Refuse a scale or seed the generator cannot use, naming the option and the accepted range."""
    if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not np.isfinite(scale) \
            or not 0 < scale <= MAX_SCALE:
        raise ParameterError(f"demo data: scale must be a number above 0 and at most {MAX_SCALE:g}, not {scale!r}",
                             key="scale", hint="use e.g. --scale 1 (about 15,000 firms) or --scale 0.2 for a "
                                               "quick test; 100 is the national size")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) <= MAX_SEED:
        raise ParameterError(f"demo data: seed must be a whole number from 0 to {MAX_SEED}, not {seed!r}",
                             key="seed", hint=f"omit --seed to use the suite's seed ({DEFAULT_SEED})")


def _refuse_delivered(paths: DataPaths) -> None:
    """Never write demo data over a directory that holds anything but earlier demo data."""
    root = paths.root
    if root.exists() and not root.is_dir():
        raise DataValidationError("demo data: the target is a file, not a directory", file=root,
                                  hint="choose a directory for the demo data, e.g. --data data/demo")
    if not root.is_dir() or not any(root.iterdir()):
        return
    manifest = None
    if paths.manifest.is_file():
        try:
            manifest = json.loads(paths.manifest.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            manifest = None
    if isinstance(manifest, dict) and manifest.get("synthetic") is True:
        return
    if manifest is None and not paths.manifest.exists() and paths.panel.is_dir():
        # earlier demo data whose MANIFEST.json was lost: every panel file carries the demo's mark
        marked = synthetic_panel_files(paths.root)
        if marked and len(marked) == len(panel_files(paths.panel)):
            return
    what = ("its MANIFEST.json does not say the data are synthetic" if paths.manifest.exists()
            else "it has no MANIFEST.json marking earlier demo data")
    raise DataValidationError(
        f"demo data: refusing to write over {root}: the directory is not empty and {what} (delivered data?)",
        file=root, hint="write the demo to another directory (e.g. --data data/demo), or move the directory "
                        "away yourself if it really holds nothing of value")


def write_demo(data_dir: str | Path, *, scale: float = 1.0, seed: int = DEFAULT_SEED) -> DemoData:
    """Generate the demo data and write it under ``data_dir`` (atomically, table by table).

    Refuses a non-empty directory unless it holds earlier demo data (``MANIFEST.json`` with
    ``"synthetic": true``): delivered data are never overwritten.
    """
    paths = DataPaths(Path(data_dir))
    check_demo_options(scale=scale, seed=seed)
    _refuse_delivered(paths)
    demo = generate_demo(scale=scale, seed=seed)
    paths.root.mkdir(parents=True, exist_ok=True)
    # the manifest first: a directory with any demo file in it is marked synthetic, even if writing stops
    atomic_write_text(paths.manifest, json.dumps(demo.manifest, indent=2, sort_keys=True, ensure_ascii=False))
    write_panel_partitioned(demo.panel, paths.panel, synthetic=True)
    atomic_write_csv(demo.participation, paths.participation)
    atomic_write_csv(demo.monitoring, paths.monitoring)
    atomic_write_csv(demo.deflators, paths.deflators)
    truth_dir = paths.root / "truth"
    atomic_write_csv(demo.true_att, truth_dir / "true_att.csv")
    atomic_write_csv(demo.true_effects, truth_dir / "true_effects.csv")
    atomic_write_text(truth_dir / "truth.json", json.dumps(demo.truth, indent=2, sort_keys=True))
    return demo
