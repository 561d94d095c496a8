"""The targets scorecard: each plan target against the monitoring data.

Status is one of ``met``, ``on_track``, ``behind``, ``no_data``:

* a target whose period has ended (the data reach its last year) is ``met`` or ``behind``;
* a target whose period is still running is ``on_track`` when the value so far
  reaches the pro-rata share of the target (cumulative targets) or already
  satisfies it (yearly, average, growth and final-year targets), else ``behind``;
* ``no_data`` when the monitoring table has no value for the indicator in the
  period, when the period has not started, or when the plan states no period.

Reading conventions (stated in the report's method appendix):
``between`` targets are met from the lower end up (exceeding the upper end is
noted, not penalised); ``about X`` is met from ``X·(1 − about_tolerance)`` up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..panel.indicators import INDICATORS
from ..panel.params import ProvinceParams, Target

STATUSES = ("met", "on_track", "behind", "no_data")


@dataclass(frozen=True)
class TargetStatus:
    target_id: str
    indicator: str
    status: str
    observed: float | None
    target_low: float
    target_high: float | None
    period: tuple[int, int] | None
    years_with_data: tuple[int, ...]
    reason: str


def _threshold(t: Target, about_tolerance: float) -> tuple[float, float | None, bool]:
    """(lower bound, upper bound, strict?) a value must respect."""
    if t.comparison == "between":
        return t.range[0], t.range[1], False
    if t.comparison == "about":
        return t.value * (1 - about_tolerance), None, False
    if t.comparison == "more_than":
        return t.value, None, True
    if t.comparison == "at_least":
        return t.value, None, False
    return -np.inf, t.value, False  # at_most


def _satisfies(x: float, low: float, high: float | None, strict: bool, comparison: str) -> bool:
    if comparison == "at_most":
        return x <= high
    return x > low if strict else x >= low


def evaluate_target(t: Target, period: tuple[int, int] | None, series: pd.Series,
                    *, about_tolerance: float) -> TargetStatus:
    """Evaluate one target; ``series`` is the indicator's yearly values for the province (index = year)."""
    low, high, strict = _threshold(t, about_tolerance)

    def result(status, observed, years, reason):
        return TargetStatus(t.id, t.indicator, status, observed, low, high, period, tuple(int(y) for y in years),
                            reason)

    if period is None:
        return result("no_data", None, (), "the plan states no period for this target")
    start, end = period
    series = series.dropna().sort_index()
    last_data_year = int(series.index.max()) if len(series) else None
    in_period = series[(series.index >= start) & (series.index <= end)]
    if last_data_year is not None and last_data_year < start:
        return result("no_data", None, (), f"the period {start}–{end} has not started in the data")
    if in_period.empty and t.aggregation != "annual_growth":
        return result("no_data", None, (), "no monitoring data for this indicator in the period")
    complete = last_data_year is not None and last_data_year >= end
    years = list(in_period.index)
    agg = t.aggregation
    if agg == "cumulative":
        observed = float(in_period.sum())
        if complete:
            ok = _satisfies(observed, low, high, strict, t.comparison)
        else:
            elapsed = (min(last_data_year, end) - start + 1) / (end - start + 1)
            ok = (observed <= high if t.comparison == "at_most" else observed >= low * elapsed)
    elif agg == "per_year":
        observed = float(in_period.min()) if t.comparison != "at_most" else float(in_period.max())
        ok = all(_satisfies(v, low, high, strict, t.comparison) for v in in_period)
    elif agg == "annual_average":
        observed = float(in_period.mean())
        ok = _satisfies(observed, low, high, strict, t.comparison)
    elif agg == "final_year":
        observed = float(in_period.iloc[-1])
        ok = _satisfies(observed, low, high, strict, t.comparison)
    elif agg == "annual_growth":
        window = series[(series.index >= start - 1) & (series.index <= end)]
        if len(window) < 2 or (window.iloc[0] <= 0):
            return result("no_data", None, tuple(window.index),
                          "growth needs at least two years of positive values in the period")
        n_years = int(window.index[-1] - window.index[0])
        observed = float(((window.iloc[-1] / window.iloc[0]) ** (1 / n_years) - 1) * 100)
        years = list(window.index)
        ok = _satisfies(observed, low, high, strict, t.comparison)
    else:  # pragma: no cover - schema forbids it
        raise ValueError(agg)
    status = ("met" if ok else "behind") if complete else ("on_track" if ok else "behind")
    missing = [y for y in range(start, min(end, last_data_year) + 1) if y not in series.index]
    reason = f"{'period complete' if complete else f'data to {last_data_year}, period ends {end}'}"
    if missing:
        reason += f"; no data for {', '.join(map(str, missing))}"
    if high is not None and t.comparison == "between" and observed > high:
        reason += "; above the upper end of the range"
    return result(status, round(observed, 2), years, reason)


def scorecard(params: ProvinceParams, monitoring: pd.DataFrame, province_code: str,
              *, about_tolerance: float) -> pd.DataFrame:
    """One row per target of the province, with observed value and status."""
    mon = monitoring[monitoring["province_code"] == province_code]
    rows = []
    for t in params.targets:
        series = mon.loc[mon["indicator"] == t.indicator].set_index("year")["value"]
        st = evaluate_target(t, params.target_period(t), series, about_tolerance=about_tolerance)
        rows.append({
            "target_id": t.id,
            "indicator": t.indicator,
            "label_en": t.label_en,
            "label_vi": INDICATORS[t.indicator].label_vi,
            "comparison": t.comparison,
            "target_value": t.value,
            "target_range": t.range,
            "unit": t.unit,
            "aggregation": t.aggregation,
            "period": f"{st.period[0]}–{st.period[1]}" if st.period else "",
            "observed": st.observed,
            "status": st.status,
            "reason": st.reason,
            "quote_vi": t.quote_vi,
            "source": t.source,
        })
    cols = ["target_id", "indicator", "label_en", "label_vi", "comparison", "target_value", "target_range", "unit",
            "aggregation", "period", "observed", "status", "reason", "quote_vi", "source"]
    return pd.DataFrame(rows, columns=cols)
