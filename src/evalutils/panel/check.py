"""One check of a run's inputs, shared by ``evalutils validate`` and ``evalutils run``.

:func:`check_inputs` reads the parameter files and every table of a data directory and returns
*every* problem it finds (not only the first), each an :class:`~evalutils.errors.EvalutilsError` naming
its file, column or key, rows (of that file) and what to do:

* ``params/defaults.yml``, ``params/sources.yml`` and the province files with their sources (all of them for
  ``validate``; a run leaves the province files to their own reports, where a bad file fails that report only);
* ``MANIFEST.json`` (the data's provenance, which every report states; see
  :func:`evalutils.panel.io.load_data_manifest`);
* the panel file by file, participation, monitoring and deflators against their schemas;
* across tables: supported firms in the panel and support within its years; a deflator for every panel
  year; panel and monitoring years inside the analysed period (``defaults.yml: years``).

``run`` calls :func:`require_valid_inputs` before building anything, so a run never starts on inputs that
``validate`` would reject; the verdict on unchanged inputs is remembered in ``<reports>/.cache/checked.json``
(keyed by the contents of every input file and of the evalutils code), so an immediate re-run does not
read the whole panel again.
"""

from __future__ import annotations

import hashlib
import json
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..atomic import atomic_write_text
from ..errors import DataValidationError, EvalutilsError
from ..provenance import code_hash, file_sha256
from .io import (
    DataPaths,
    deflator_year_problems,
    load_data_manifest,
    panel_problems,
    read_table_problems,
    refuse_panel_file,
)
from .params import Defaults, load_defaults, load_province_params
from .sources import check_sources, load_sources
from .schema import DEFLATORS, MONITORING, PARTICIPATION, participation_panel_problems, years_outside


class InputsInvalid(EvalutilsError):
    """The inputs of a run have problems; :attr:`problems` lists every one of them."""

    def __init__(self, problems: list[EvalutilsError], *, data_dir: Path, params_dir: Path) -> None:
        self.problems = list(problems)
        body = "\n\n".join(f"{i}. {p}" for i, p in enumerate(self.problems, 1))
        super().__init__(
            f"{len(self.problems)} problem(s) in the inputs (data {data_dir}, parameters {params_dir}):\n\n{body}\n",
            hint="correct them, then check again with `evalutils validate --data "
                 f"{data_dir} --params {params_dir}`; nothing was built",
        )


@dataclass
class InputCheck:
    """What :func:`check_inputs` found: the problems and, for the tables that loaded, their sizes."""

    data_dir: Path
    params_dir: Path
    problems: list[EvalutilsError] = field(default_factory=list)
    n_province_files: int = 0
    n_targets: int = 0
    n_firm_years: int | None = None
    n_firms: int | None = None
    n_supported: int | None = None
    n_monitoring: int | None = None
    synthetic: bool | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def tidy(self) -> pd.DataFrame:
        """One row per problem: kind, file, key, column, province, rows, message, what to do."""
        return pd.DataFrame([{"kind": type(p).__name__, "file": p.file, "key": p.key, "column": p.column,
                              "province": p.province, "rows": p.rows, "message": p.message, "hint": p.hint}
                             for p in self.problems],
                            columns=["kind", "file", "key", "column", "province", "rows", "message", "hint"])


def _all(exc: EvalutilsError) -> list[EvalutilsError]:
    return list(getattr(exc, "problems", None) or [exc])


def check_inputs(data_dir: str | Path, params_dir: str | Path, *,
                 province_files: bool = True) -> InputCheck:
    """Every problem of the parameter files and of the data directory (see the module's docstring)."""
    data_dir, params_dir = Path(data_dir), Path(params_dir)
    out = InputCheck(data_dir, params_dir)
    problems = out.problems
    defaults: Defaults | None = None
    defaults_file = params_dir / "defaults.yml"
    try:
        defaults = load_defaults(defaults_file)
    except EvalutilsError as exc:
        problems.extend(_all(exc))
    if province_files:
        files = sorted((params_dir / "provinces").glob("*.yml"))
        out.n_province_files = len(files)
        sources = None
        try:
            sources = load_sources(params_dir)
        except EvalutilsError as exc:
            problems.extend(_all(exc))
        for f in files:
            try:
                province = load_province_params(f)
                if sources is not None:
                    check_sources(province, sources, file=f)
                out.n_targets += len(province.targets)
            except EvalutilsError as exc:
                problems.extend(_all(exc))
    paths = DataPaths(data_dir)
    if not data_dir.is_dir():
        problems.append(DataValidationError(
            "data directory not found" if not data_dir.exists() else "the data path is not a directory",
            file=data_dir, hint="point --data at a data directory (data/README.md), or write the demo with "
                                "`evalutils demo-data`"))
        return out
    try:
        out.synthetic = bool(load_data_manifest(data_dir)["synthetic"])
    except EvalutilsError as exc:
        problems.append(exc)
    panel = None
    try:
        refuse_panel_file(paths)
        panel, found = panel_problems(paths.panel, years=defaults.years if defaults is not None else None,
                                      defaults_file=str(defaults_file))
        problems.extend(found)
    except EvalutilsError as exc:
        problems.append(exc)
    part, found = read_table_problems(paths.participation, PARTICIPATION)
    problems.extend(found)
    mon, found = read_table_problems(paths.monitoring, MONITORING)
    problems.extend(found)
    defl = None
    if paths.deflators.exists():
        defl, found = read_table_problems(paths.deflators, DEFLATORS)
        problems.extend(found)
    if panel is not None:
        out.n_firm_years, out.n_firms = len(panel), int(panel["firm_id"].nunique())
        if part is not None:
            problems.extend(participation_panel_problems(part, panel, file=str(paths.participation)))
        if defl is not None:
            problems.extend(deflator_year_problems(paths, panel, defl))
    if part is not None:
        out.n_supported = len(part)
    if mon is not None:
        out.n_monitoring = len(mon)
    if defaults is not None:
        if mon is not None:
            problems.extend(years_outside(mon, MONITORING, defaults.years, file=str(paths.monitoring),
                                          defaults_file=str(defaults_file)))
    return out


# ------------------------------------------------------------------ the run's pre-flight check

CHECK_STAMP = "checked.json"


def _inputs_digest(data_dir: Path, params_dir: Path) -> str | None:
    """Hash of every input file's contents and of the code; ``None`` when a path is not a regular file
    (a named pipe would block: such inputs are never cached, the check reports them)."""
    paths = DataPaths(data_dir)
    h = hashlib.sha256(code_hash().encode())
    files = sorted(paths.panel.rglob("*")) if paths.panel.is_dir() else []
    files = [f for f in files if not f.is_dir()]
    files += [paths.participation, paths.monitoring, paths.deflators, paths.manifest, params_dir / "defaults.yml"]
    for f in files:
        h.update(str(f).encode())
        try:
            mode = f.stat().st_mode
        except FileNotFoundError:
            h.update(b"-")
            continue
        if not stat.S_ISREG(mode):
            return None
        h.update(bytes.fromhex(file_sha256(f)))
    return h.hexdigest()


def require_valid_inputs(data_dir: str | Path, params_dir: str | Path, *,
                         cache_dir: str | Path | None = None) -> InputCheck | None:
    """Raise :class:`InputsInvalid` listing every problem of the run's inputs (the checks of ``validate``
    except the province files, which each report reads itself); ``None`` when unchanged inputs passed
    before (remembered in ``<cache_dir>/checked.json``; without a cache directory, checked every time:
    the data directory is only read)."""
    data_dir, params_dir = Path(data_dir), Path(params_dir)
    stamp = Path(cache_dir) / CHECK_STAMP if cache_dir is not None else None
    digest = _inputs_digest(data_dir, params_dir) if data_dir.is_dir() and stamp is not None else None
    if digest is not None and stamp.is_file():
        try:
            if json.loads(stamp.read_text(encoding="utf-8")).get("digest") == digest:
                return None
        except (OSError, ValueError):
            pass
    result = check_inputs(data_dir, params_dir, province_files=False)
    if result.problems:
        raise InputsInvalid(result.problems, data_dir=data_dir, params_dir=params_dir)
    if digest is not None:
        try:
            atomic_write_text(stamp, json.dumps({"digest": digest}))
        except OSError:
            pass  # a read-only data directory: check again next time
    return result


__all__ = ["InputCheck", "InputsInvalid", "check_inputs", "require_valid_inputs"]
