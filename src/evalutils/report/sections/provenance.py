"""What made this report: code, data and parameter hashes, parameters, packages, seed, time of the run."""

from __future__ import annotations

import platform
from datetime import datetime, timezone

import pandas as pd

from ... import __version__
from ...i18n import MESSAGES, t
from ...measures.aggregates import files_digest
from ...panel.io import DataPaths
from ...provenance import git_revision, package_version
from ..context import ProvinceContext
from ..html import render, table

#: parameters that are local paths: never shown in a report
LOCAL_PATHS = ("data_dir", "params_dir", "cache_dir")
PACKAGES = ("pandas", "numpy", "linearmodels", "matplotlib", "papermill", "nbconvert", "pyarrow", "pydantic")


def _short_revision() -> str:
    """The checkout's revision, short (12 hex digits), with ``-dirty`` when tracked files changed."""
    rev = git_revision()
    return rev if rev == "unknown" else rev[:12] + ("-dirty" if rev.endswith("-dirty") else "")


def provenance(ctx: ProvinceContext, parameters: dict) -> pd.DataFrame:
    """What made this report: code, data hashes, parameters, packages, seed, time of the run (labels in the
    report's language)."""
    paths = DataPaths(ctx.data_dir)
    lang = ctx.lang
    shown = {k: v for k, v in parameters.items() if k not in LOCAL_PATHS}
    params_text = "; ".join(f"{t('param_' + k, lang) if 'param_' + k in MESSAGES else k} = "
                            f"{t('geo_' + str(v), lang) if k == 'geography' else v}"
                            for k, v in sorted(shown.items()))
    rows = [
        ("evalutils", __version__),
        (t("prov_revision", lang), _short_revision()),
        (t("prov_data", lang), t("prov_synthetic", lang) if ctx.synthetic else ctx.data_manifest.get("description", "")),
        (t("prov_data_hash", lang), files_digest(paths.inputs())[:16]),
        (t("prov_params_hash", lang), files_digest([*ctx.params_files, ctx.params_dir / "defaults.yml"])[:16]),
        (t("prov_parameters", lang), params_text),
        (t("prov_seed", lang), str(ctx.defaults.seed)),
        ("Python", platform.python_version()),
        (t("prov_packages", lang), ", ".join(f"{name} {package_version(name)}" for name in PACKAGES)),
        (t("prov_run_at", lang), datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


def provenance_html(ctx: ProvinceContext, parameters: dict) -> str:
    """The provenance table, headed in the report's language."""
    tab = provenance(ctx, parameters).rename(columns={"item": t("prov_item", ctx.lang),
                                                      "value": t("prov_value", ctx.lang)})
    return render("provenance.html.j2", heading=t("provenance_heading", ctx.lang), t=table(tab))
