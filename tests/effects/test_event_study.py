"""Event study: agreement with pyfixest dummies regression, pre-trend test, plot."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from evalutils.effects import att_gt, event_study, plot_event_study
from evalutils.errors import EstimationError

from .conftest import simulate_staggered

pf = pytest.importorskip("pyfixest")


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulate_staggered(n_units=300, seed=8, n_clusters=50)


@pytest.mark.validation
def test_event_study_matches_pyfixest_with_binned_endpoints(panel):
    res = event_study(panel, outcome="y", unit="unit", time="year", group="cohort", window=(-4, 3),
                      covariates="x", cluster="cluster")
    df = panel.copy()
    e = np.where(df["cohort"] > 0, np.clip(df["year"] - df["cohort"], -4, 3), 0)
    names = []
    for v in sorted(set(e[df["cohort"] > 0])):
        if v == -1:
            continue
        nm = f"em{-v}" if v < 0 else f"ep{v}"
        df[nm] = ((df["cohort"] > 0) & (e == v)).astype(float)
        names.append((v, nm))
    fml = "y ~ " + " + ".join(nm for _, nm in names) + " + x | year + unit"
    fit = pf.feols(fml, data=df, vcov={"CRV1": "cluster"})
    tidy = res.tidy().set_index("event_time")
    for v, nm in names:
        assert tidy.loc[v, "estimate"] == pytest.approx(fit.coef()[nm], abs=1e-6)
        assert tidy.loc[v, "std_error"] == pytest.approx(fit.se()[nm], abs=1e-6)
        assert tidy.loc[v, "p_value"] == pytest.approx(fit.pvalue()[nm], abs=1e-6)
    # joint pre-trend Wald test (pyfixest reports the chi2 form here; ours also gives F = W/q)
    pre = [nm for v, nm in names if v < -1]
    with pytest.warns(UserWarning):
        w = fit.wald_test(R=np.eye(len(fit.coef()))[[list(fit.coef().index).index(p) for p in pre]])
    pt = res.pretrend_test()
    assert pt["wald"] == pytest.approx(float(w["statistic"]), rel=1e-6)
    assert pt["p_value_chi2"] == pytest.approx(float(w["pvalue"]), rel=1e-5)
    assert pt["statistic"] == pytest.approx(pt["wald"] / len(pre))
    assert res.coefs.loc[res.coefs["reference"], "estimate"].item() == 0.0
    assert res.coefs["binned"].sum() == 2


def test_event_study_unbinned_and_errors(panel):
    full = event_study(panel, outcome="y", unit="unit", time="year", group="cohort", window=None)
    assert full.coefs["event_time"].min() == 2010 - 2017
    cut = event_study(panel, outcome="y", unit="unit", time="year", group="cohort", window=(-2, 2),
                      bin_endpoints=False)
    assert cut.n_obs < len(panel)
    assert any("dropped" in n for n in cut.notes)
    with pytest.raises(EstimationError, match="no treated"):
        event_study(panel.assign(cohort=0), outcome="y", unit="unit", time="year", group="cohort")
    assert "<table" in full._repr_html_()


def test_plot_event_study_languages(panel, tmp_path):
    import matplotlib.pyplot as plt

    es = event_study(panel, outcome="y", unit="unit", time="year", group="cohort", window=(-4, 4))
    cs = att_gt(panel, outcome="y", unit="unit", time="year", group="cohort", n_boot=99).aggregate("dynamic")
    ax = plot_event_study([es, cs], lang="vi", labels=["TWFE", "CS"])
    assert "hỗ trợ" in ax.get_xlabel()
    assert len(ax.get_legend().get_texts()) == 2
    ax.figure.savefig(tmp_path / "es.png")
    plt.close("all")
    fig, ax2 = plt.subplots()
    out = plot_event_study(es, ax=ax2, lang="en", title="t")
    assert out is ax2 and ax2.get_xlabel().startswith("Years")
    plt.close("all")
    with pytest.raises(ValueError, match="'en'"):
        plot_event_study(es, lang="fr")
