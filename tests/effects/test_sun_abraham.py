"""Sun–Abraham: identity with Callaway–Sant'Anna (never treated, universal base), mpdta, errors."""

from __future__ import annotations

import numpy as np
import pytest

from evalutils.effects import att_gt, plot_event_study, sun_abraham
from evalutils.errors import EstimationError

from .conftest import simulate_staggered


@pytest.mark.validation
def test_catt_equal_cs_universal_base():
    df = simulate_staggered(n_units=400, seed=5)
    sa = sun_abraham(df, outcome="y", unit="unit", time="year", group="cohort")
    cs = att_gt(df, outcome="y", unit="unit", time="year", group="cohort", base_period="universal",
                bootstrap="none")
    m = sa.catt.merge(cs.cells, on=["group", "event_time"])
    assert len(m) == len(sa.catt) == len(cs.cells)
    np.testing.assert_allclose(m["estimate"], m["att"], atol=1e-10)
    # numpy backend gives the same numbers
    sa2 = sun_abraham(df, outcome="y", unit="unit", time="year", group="cohort", backend="numpy")
    np.testing.assert_allclose(sa2.catt["estimate"], sa.catt["estimate"], atol=1e-10)
    np.testing.assert_allclose(sa2.catt["std_error"], sa.catt["std_error"], rtol=1e-8)


@pytest.mark.validation
def test_mpdta_post_effects_equal_did_dynamic(mpdta):
    sa = sun_abraham(mpdta, outcome="lemp", unit="countyreal", time="year", group="first.treat")
    ev = sa.event_effects.set_index("event_time")["estimate"]
    # post-period event effects coincide with did's dynamic aggregation (README: -0.0199, -0.0510, -0.1373, -0.1008)
    assert [round(ev[e], 4) for e in range(4)] == [-0.0199, -0.0510, -0.1373, -0.1008]
    assert round(sa.overall_estimate, 2) == -0.04
    tidy = sa.tidy()
    assert tidy.loc[0, "term"] == "ATT" and "<table" in sa._repr_html_()


def test_last_treated_control_and_errors():
    df = simulate_staggered(n_units=300, seed=6, never_share=0.0)
    with pytest.raises(EstimationError, match="never-treated"):
        sun_abraham(df, outcome="y", unit="unit", time="year", group="cohort")
    res = sun_abraham(df, outcome="y", unit="unit", time="year", group="cohort", control="last_treated")
    assert 2017 not in set(res.catt["group"]) and res.notes
    with pytest.raises(ValueError, match="last_treated"):
        sun_abraham(df, outcome="y", unit="unit", time="year", group="cohort", control="notyet")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = plot_event_study(res)
    assert ax.get_xlabel()
    plt.close("all")
