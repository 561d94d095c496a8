"""National quantities computed once per data delivery and cached.

A province notebook needs the national picture (for comparison) and the
national production-function estimates (for firm TFP) but should not read or
re-estimate the whole country. Both are built once, keyed by the evalutils code,
the content of the panel and deflator files and the seed, and stored in the cache
directory (never in the data directory, which is only read):

* ``national-<key>.parquet``: value added (nominal, real), employment, number of
  firms, and the sum and count of firm log TFP, by province and year;
* ``national-<key>.json``: value-added Cobb–Douglas elasticities estimated by
  Ackerberg–Caves–Frazer (materials proxy) for each VSIC section with enough
  firms, and their average weighted by observations (used for sections without
  their own, and for growth accounting). A single ACF pooled over sections is
  not used: sections differ in productivity levels, which breaks ACF's Markov
  assumption (on the demo it lands on a false optimum with a negative capital
  elasticity).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._processes import clean_context
from ..atomic import atomic_write, atomic_write_text
from ..productivity import estimate_production_function
from ..panel.io import DataPaths, load_deflators, load_panel
from ..provenance import code_hash, file_sha256, remember_digests


def files_digest(files: list[Path]) -> str:
    """One hash of the files' names and contents (each file read once per process: :func:`file_sha256`)."""
    h = hashlib.sha256()
    for f in files:
        h.update(str(f.name).encode())
        h.update(bytes.fromhex(file_sha256(f)))
    return h.hexdigest()


MIN_FIRMS_PER_SECTOR = 50


def production_inputs(panel: pd.DataFrame, deflators: pd.DataFrame | None) -> pd.DataFrame:
    """Logs of real value added, employment, real capital and real intermediate inputs."""
    d = panel["year"].map(deflators.set_index("year")["deflator"]) if deflators is not None else 1.0
    return pd.DataFrame({
        "firm_id": panel["firm_id"], "year": panel["year"], "vsic_section": panel["vsic_section"],
        "y": np.log(panel["value_added"] / d), "l": np.log(panel["employment"].astype(float)),
        "k": np.log(panel["capital"] / d), "m": np.log(panel["intermediate_inputs"] / d),
    }, index=panel.index)


def estimate_tfp_model(panel: pd.DataFrame, deflators: pd.DataFrame | None, *, seed: int,
                       n_jobs: int = 1) -> dict:
    """ACF elasticities by VSIC section (sections with at least MIN_FIRMS_PER_SECTOR firms) and pooled.

    With ``n_jobs`` > 1 and at least :data:`PARALLEL_ROWS` rows, sections are
    fitted in that many processes (started by ``forkserver``, so a calling
    script needs the usual ``if __name__ == "__main__":`` guard; the CLI passes
    its worker count, notebooks fit serially). Each section's fit does not
    depend on the others: the numbers are the same whatever ``n_jobs`` is.
    """
    x = production_inputs(panel, deflators)
    opts = dict(method="acf", output="y", free="l", state="k", proxy="m", unit="firm_id", time="year",
                seed=seed, on_failure="warn")
    fits, skipped = _fit_by_sector(x, opts, n_jobs=n_jobs)

    def coef(fit) -> dict:
        return {"labour": float(fit.params["l"]), "capital": float(fit.params["k"]), "n_obs": int(fit.n_obs),
                "n_firms": int(fit.n_firms), "converged": bool(fit.converged)}

    sectors = {str(g): coef(f) for g, f in fits.items()
               if f.converged and np.isfinite(f.params).all()}
    if sectors:
        w = np.array([c["n_obs"] for c in sectors.values()], dtype=float)
        pooled = {"labour": float(np.average([c["labour"] for c in sectors.values()], weights=w)),
                  "capital": float(np.average([c["capital"] for c in sectors.values()], weights=w)),
                  "n_obs": int(w.sum()), "n_firms": int(sum(c["n_firms"] for c in sectors.values())),
                  "converged": True, "note": "average of the sections' estimates weighted by observations"}
    else:
        pooled = coef(estimate_production_function(x, **opts).fits["all"])
    return {"method": "acf", "pooled": pooled, "by_sector": sectors,
            "skipped": {str(k): v for k, v in skipped.items()}}


PARALLEL_ROWS = 500_000  # below this, starting processes costs more than it saves


def _fit_sector(x: pd.DataFrame, opts: dict):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = estimate_production_function(x, by="vsic_section", min_firms=MIN_FIRMS_PER_SECTOR,
                                           on_small_group="skip", **opts)
    return dict(res.fits), dict(res.skipped), [(str(w.message), w.category) for w in caught]


def _fit_by_sector(x: pd.DataFrame, opts: dict, *, n_jobs: int) -> tuple[dict, dict]:
    """ACF for each VSIC section, in parallel processes when asked and the panel is large; (fits, skipped)."""
    import warnings

    if len(x) < PARALLEL_ROWS:
        n_jobs = 1
    sections = sorted(x["vsic_section"].dropna().unique().tolist(), key=str)
    if n_jobs <= 1 or len(sections) < 2:
        parts = [_fit_sector(x, opts)]
    else:
        from concurrent.futures import ProcessPoolExecutor

        ctx = clean_context()
        by_size = sorted(sections, key=lambda s: -int((x["vsic_section"] == s).sum()))  # largest first
        with ProcessPoolExecutor(max_workers=min(n_jobs, len(sections)), mp_context=ctx) as pool:
            futures = [pool.submit(_fit_sector, x[x["vsic_section"] == s], opts) for s in by_size]
            parts = [f.result() for f in futures]
    fits, skipped = {}, {}
    for f, sk, caught in parts:
        fits.update(f)
        skipped.update(sk)
        for message, category in caught:
            warnings.warn(message, category, stacklevel=3)
    return dict(sorted(fits.items(), key=lambda kv: str(kv[0]))), dict(sorted(skipped.items(), key=lambda kv: str(kv[0])))


def firm_log_tfp(panel: pd.DataFrame, deflators: pd.DataFrame | None, model: dict) -> pd.Series:
    """Firm-year log TFP (up to a constant): y − β_l·l − β_k·k with the section's elasticities."""
    x = production_inputs(panel, deflators)
    pooled = model["pooled"]
    bl = x["vsic_section"].map({s: c["labour"] for s, c in model["by_sector"].items()}).fillna(pooled["labour"])
    bk = x["vsic_section"].map({s: c["capital"] for s, c in model["by_sector"].items()}).fillna(pooled["capital"])
    return (x["y"] - bl * x["l"] - bk * x["k"]).rename("log_tfp")


NATIONAL_CACHE_VERSION = 2
_MEMO_SIZE = 4


@dataclass(frozen=True)
class NationalAggregates:
    """The national totals by province and year, and the TFP model, with the key they are stored under."""

    totals: pd.DataFrame
    model: dict
    key: str


def _input_files(data_dir: Path) -> list[Path]:
    paths = DataPaths(data_dir)
    return sorted(paths.panel.rglob("*.parquet")) + ([paths.deflators] if paths.deflators.exists() else [])


def _signature(files: list[Path]) -> tuple:
    """Names, sizes and modification times: cheap to read; when unchanged, the contents need no new hash."""
    return tuple((str(f), st.st_size, st.st_mtime_ns) for f in files for st in (f.stat(),))


# one process (a report's kernel, a CLI run) reads and hashes the national data once, not once per use
_MEMO: dict[tuple, NationalAggregates] = {}


def national_key(data_dir: str | Path, *, seed: int) -> str:
    """Cache key of the national aggregates: code, content of the panel and deflator files, seed."""
    h = hashlib.sha256(f"national-v{NATIONAL_CACHE_VERSION}".encode())
    h.update(code_hash().encode())
    h.update(files_digest(_input_files(Path(data_dir))).encode())
    h.update(str(int(seed)).encode())
    return h.hexdigest()


def national_aggregates(data_dir: str | Path, *, seed: int, cache_dir: str | Path | None = None,
                        n_jobs: int = 1) -> NationalAggregates:
    """The national totals and TFP model of the data in ``data_dir``: from this process's memory, else from
    ``cache_dir`` (``national-<key>.parquet`` and ``.json``), else computed (and stored there when given).

    ``seed`` is the suite's seed (``params/defaults.yml``); ``n_jobs``: see :func:`estimate_tfp_model`.
    """
    data_dir = Path(data_dir).resolve()
    cache = None if cache_dir is None else Path(cache_dir).resolve()
    memo_key = (str(data_dir), str(cache), int(seed), _signature(_input_files(data_dir)))
    if memo_key in _MEMO:
        return _MEMO[memo_key]
    key = national_key(data_dir, seed=seed)
    found = _read_national(cache, key) if cache is not None else None
    if found is None:
        found = compute_national(data_dir, seed=seed, n_jobs=n_jobs, key=key)
        if cache is not None:
            _write_national(cache, found)
    while len(_MEMO) >= _MEMO_SIZE:
        _MEMO.pop(next(iter(_MEMO)))
    _MEMO[memo_key] = found
    return found


def prepare_national(data_dir: str | Path, *, seed: int, cache_dir: str | Path, n_jobs: int = 1) -> None:
    """Make sure ``cache_dir`` holds the national aggregates of ``data_dir``, computing them (when missing) in a
    child process: a batch run's own process then never holds the 7 M-row panel while its workers build reports
    (it would add about 1 GB to the run's peak memory at national size). A child that fails is followed by the
    same computation here, which raises the error that says what is wrong."""
    data_dir, cache = Path(data_dir).resolve(), Path(cache_dir).resolve()
    key = national_key(data_dir, seed=seed)
    if _read_national(cache, key) is not None:
        return
    child = clean_context().Process(target=_prepare_in_child, args=(str(data_dir), int(seed), str(cache), n_jobs),
                                    name="evalutils-national-aggregates")
    child.start()
    child.join()
    if child.exitcode != 0 or _read_national(cache, key) is None:
        national_aggregates(data_dir, seed=seed, cache_dir=cache, n_jobs=n_jobs)


def _prepare_in_child(data_dir: str, seed: int, cache_dir: str, n_jobs: int) -> None:
    remember_digests(cache_dir)
    national_aggregates(data_dir, seed=seed, cache_dir=cache_dir, n_jobs=n_jobs)


def national_cache_files(cache_dir: str | Path) -> list[Path]:
    """The stored national aggregates in ``cache_dir`` (what every report compares with)."""
    cache_dir = Path(cache_dir)
    return sorted(cache_dir.glob("national-*.parquet")) + sorted(cache_dir.glob("national-*.json")) \
        if cache_dir.is_dir() else []


def _read_national(cache_dir: Path, key: str) -> NationalAggregates | None:
    totals_path, model_path = cache_dir / f"national-{key[:32]}.parquet", cache_dir / f"national-{key[:32]}.json"
    try:
        entry = json.loads(model_path.read_text(encoding="utf-8"))
        if entry.get("key") != key:
            return None
        return NationalAggregates(pd.read_parquet(totals_path), entry["model"], key)
    except (OSError, ValueError, KeyError):  # missing, damaged or foreign: rebuilt
        return None


def _write_national(cache_dir: Path, agg: NationalAggregates) -> None:
    totals_path = cache_dir / f"national-{agg.key[:32]}.parquet"
    model_path = totals_path.with_suffix(".json")
    try:
        atomic_write(totals_path, lambda tmp: agg.totals.to_parquet(tmp, index=False))
        atomic_write_text(model_path, json.dumps({"key": agg.key, "model": agg.model}, indent=1, sort_keys=True))
        for old in national_cache_files(cache_dir):
            if old not in (totals_path, model_path):
                old.unlink(missing_ok=True)
    except OSError:  # read-only or full: the numbers are right, only the next process rebuilds them
        pass


def compute_national(data_dir: str | Path, *, seed: int, n_jobs: int = 1, key: str | None = None) -> NationalAggregates:
    """The national totals and TFP model computed from the data (no cache; see :func:`national_aggregates`)."""
    data_dir = Path(data_dir)
    key = key or national_key(data_dir, seed=seed)
    panel = load_panel(data_dir)
    defl = load_deflators(data_dir)
    model = estimate_tfp_model(panel, defl, seed=seed, n_jobs=n_jobs)
    panel = panel.assign(log_tfp=firm_log_tfp(panel, defl, model))
    totals = (panel.groupby(["province_code", "year"])
              .agg(value_added=("value_added", "sum"), employment=("employment", "sum"),
                   n_firms=("firm_id", "nunique"), sum_log_tfp=("log_tfp", "sum"), n_tfp=("log_tfp", "count"))
              .reset_index())
    if defl is not None:
        totals = totals.merge(defl, on="year", how="left")
        totals["value_added_real"] = totals["value_added"] / totals["deflator"]
        totals = totals.drop(columns="deflator")
    else:
        totals["value_added_real"] = float("nan")
    return NationalAggregates(totals, model, key)


def province_year_totals(data_dir: str | Path, *, seed: int, cache_dir: str | Path | None = None,
                         n_jobs: int = 1) -> pd.DataFrame:
    """Province-year totals (value added, employment, firms, log TFP sums); see :func:`national_aggregates`."""
    return national_aggregates(data_dir, seed=seed, cache_dir=cache_dir, n_jobs=n_jobs).totals.copy()


def tfp_model(data_dir: str | Path, *, seed: int, cache_dir: str | Path | None = None) -> dict:
    """The national production-function estimates used for firm TFP; see :func:`national_aggregates`."""
    return json.loads(json.dumps(national_aggregates(data_dir, seed=seed, cache_dir=cache_dir).model))
