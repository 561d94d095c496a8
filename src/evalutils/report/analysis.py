"""The panel a province report analyses, for re-running its estimates in a notebook.

.. code-block:: python

    import evalutils.report as er
    from evalutils.effects import att_gt
    p = er.analysis_panel("bac-lieu", data_dir="data/demo", params_dir="params")
    att_gt(p.data, **p.arguments("callaway_santanna")).aggregate("simple").tidy()

The estimate is the report's to the last digit: :func:`analysis_panel` prepares the rows exactly as
:func:`evalutils.evaluate.evaluate_effects` does (:func:`evalutils.evaluate.analysis_data`) and
:meth:`AnalysisPanel.arguments` returns the options the report passes to each estimator
(:func:`evalutils.evaluate.estimator_arguments`). The tutorial (notebooks/tutorial.ipynb) runs these lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..evaluate import ESTIMATORS, analysis_data, estimator_arguments
from ..geography import Geography
from ..panel.analysis import AnalysisChoices
from .context import ProvinceContext, load_province_context
from .context import analysis_panel as outcome_panel_of


@dataclass(frozen=True)
class AnalysisPanel:
    """The firm-year panel one report analyses, with the analysis choices it was built with.

    ``data`` has one row per firm and year of the analysed sample: ``firm_id``, ``year``, the outcomes
    (``log_va_per_worker``, ``log_tfp``), ``first_support`` (the year support began, 0 for firms never supported),
    ``post_support``, ``support_type``, the covariates as numeric columns (``covariates``; categorical ones as
    0/1 dummies) and the raw panel columns. The sample restriction is applied, rows with a missing outcome or
    covariate are dropped and so are supported firms alone in their cohort (``n_dropped_singletons``).
    """

    unit: str
    geography: str
    choices: AnalysisChoices
    seed: int
    data: pd.DataFrame
    covariates: tuple[str, ...]
    n_dropped_singletons: int

    @property
    def outcome(self) -> str:
        return self.choices.outcome

    def arguments(self, estimator: str) -> dict:
        """Keyword arguments that make ``estimator`` (``twfe``, ``callaway_santanna`` or ``imputation``) give the
        report's numbers: ``twfe(p.data, **p.arguments("twfe"))``."""
        a = self.choices
        return estimator_arguments(estimator, self.data, outcome=a.outcome, covariates=list(self.covariates),
                                   seed=self.seed, n_boot=a.n_boot, control_group=a.control_group, cluster=a.cluster,
                                   anticipation=a.anticipation, base_period=a.base_period)

    def summary(self) -> pd.DataFrame:
        """Firms, supported firms and firm-years of the panel, by cohort (``first_support``)."""
        firms = self.data.drop_duplicates("firm_id")
        out = firms.groupby("first_support").size().rename("n_firms").to_frame()
        out["n_firm_years"] = self.data.groupby("first_support").size()
        return out.reset_index()


def analysis_panel(province: str | ProvinceContext, *, data_dir: str | Path = "data/demo",
                   params_dir: str | Path = "params", geography: Geography = "pre2025",
                   analysis: dict | str | None = None, cache_dir: str | Path | None = None) -> AnalysisPanel:
    """The panel the report of ``province`` (slug, GSO code or name; or a loaded report context) analyses.

    ``analysis`` overrides analysis choices as the report's run would (``{"control_group": "not_yet_treated"}``);
    the choices are otherwise those of ``params/defaults.yml`` and the province file's ``analysis:`` block.
    ``cache_dir`` is where the national aggregates (needed for the firms' log TFP) are cached; the report runs'
    cache (``reports/.cache``) is reused when given.

    Examples
    --------
    ``data_dir`` holds the demo data (``python3 tasks.py demo`` writes ``data/demo``) and ``params_dir`` is the
    repository's ``params`` folder:

    >>> from evalutils.effects import twfe
    >>> p = analysis_panel("ha-noi", data_dir=data_dir, params_dir=params_dir,
    ...                    analysis={"control_group": "not_yet_treated", "covariates": ["ownership"]})
    >>> p.choices.control_group, p.covariates
    ('not_yet_treated', ('ownership_foreign', 'ownership_state'))
    >>> int(p.data["first_support"].min()), bool(p.data["firm_id"].nunique() == p.summary()["n_firms"].sum())
    (0, True)
    >>> twfe(p.data, **p.arguments("twfe")).tidy()["term"].iloc[0]
    'post_support'
    """
    if isinstance(province, ProvinceContext):
        ctx = province
    else:
        ctx = load_province_context(province, data_dir=data_dir, params_dir=params_dir, geography=geography,
                                    cache_dir=cache_dir, analysis=analysis)
    a = ctx.analysis
    sample = {k: list(v) for k, v in a.sample.model_dump().items() if v is not None} or None
    data, covariates, dropped = analysis_data(outcome_panel_of(ctx), outcome=a.outcome, covariates=a.covariates,
                                              sample=sample)
    return AnalysisPanel(unit=ctx.slug, geography=ctx.geography, choices=a, seed=ctx.defaults.seed,
                         data=data.reset_index(drop=True), covariates=tuple(covariates), n_dropped_singletons=dropped)


__all__ = ["ESTIMATORS", "AnalysisPanel", "analysis_panel"]
