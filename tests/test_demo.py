"""The synthetic demo generator: deterministic, plausible, and its truth is consistent with its data."""

import numpy as np
import pandas as pd
import pytest

from evalutils.panel.demo import TRUE_EFFECTS, generate_demo, write_demo
from evalutils.panel.io import load_monitoring, load_panel, load_participation
from evalutils.panel.schema import MONITORING, PANEL, PARTICIPATION, validate_table


@pytest.fixture(scope="module")
def demo():
    return generate_demo(scale=0.3, seed=7)


def test_same_seed_same_data_other_seed_other_data(demo):
    again = generate_demo(scale=0.3, seed=7)
    pd.testing.assert_frame_equal(demo.panel, again.panel)
    pd.testing.assert_frame_equal(demo.participation, again.participation)
    pd.testing.assert_frame_equal(demo.monitoring, again.monitoring)
    other = generate_demo(scale=0.3, seed=8)
    assert not demo.panel["value_added"].equals(other.panel["value_added"])


def test_tables_pass_their_schemas(demo):
    validate_table(demo.panel, PANEL, file="demo")
    validate_table(demo.participation, PARTICIPATION, file="demo")
    validate_table(demo.monitoring, MONITORING, file="demo")
    assert demo.manifest["synthetic"] is True


def test_all_provinces_years_entry_exit(demo):
    p = demo.panel
    assert p["province_code"].nunique() == 63
    assert sorted(p["year"].unique()) == list(range(2015, 2026))
    first = p.groupby("firm_id")["year"].min()
    last = p.groupby("firm_id")["year"].max()
    assert (first > 2015).mean() > 0.2 and (last < 2025).mean() > 0.2  # entry and exit
    size = p.groupby("province_code")["firm_id"].nunique()
    assert size["79"] > 5 * size["95"]  # Ho Chi Minh City much larger than Bac Lieu


def test_covid_shock_in_aggregate_productivity(demo):
    p = demo.panel.merge(demo.deflators, on="year")
    lp = (p["value_added"] / p["deflator"]).groupby(p["year"]).sum() / p.groupby("year")["employment"].sum()
    growth = lp.pct_change()
    assert growth[2021] < growth[2019] and growth[2022] > growth[2021]


def test_staggered_support_selected_on_size(demo):
    part = demo.participation
    assert sorted(part["support_start_year"].unique()) == [2021, 2022, 2023, 2024, 2025]
    assert set(part["support_type"]) == set(TRUE_EFFECTS)
    p = demo.panel[demo.panel["year"] == 2020]
    supported = p["firm_id"].isin(part["firm_id"])
    assert p.loc[supported, "employment"].median() > p.loc[~supported, "employment"].median()


def test_truth_matches_structural_effects(demo):
    att = demo.true_att
    tfp = att[att["outcome"] == "log_tfp"]
    pre = tfp[tfp["year"] < tfp["support_start_year"]]
    assert np.allclose(pre["att"], 0.0)
    post = tfp[tfp["year"] >= tfp["support_start_year"]]
    assert (post["att"] > 0).all()
    # effects grow with time since support
    g21 = tfp[tfp["support_start_year"] == 2021].set_index("year")["att"]
    assert g21[2025] > g21[2021]


def test_scale_grows_rows():
    # beyond the per-province floor, rows grow in proportion to the scale
    small = generate_demo(scale=4, seed=1).manifest["n_firm_years"]
    big = generate_demo(scale=8, seed=1).manifest["n_firm_years"]
    assert 1.7 < big / small < 2.05


def test_written_demo_round_trips(tmp_path):
    d = write_demo(tmp_path, scale=0.2, seed=3)
    panel = load_panel(tmp_path)
    assert len(panel) == len(d.panel)
    assert sorted(load_panel(tmp_path, ["95"])["province_code"].unique()) == ["95"]
    assert len(load_participation(tmp_path, panel)) == len(d.participation)
    assert len(load_monitoring(tmp_path)) == len(d.monitoring)
    assert (tmp_path / "truth" / "true_att.csv").exists()
