"""The targets scorecard: each plan target against the monitoring returns.

Every target gets a status (``met``, ``on_track``, ``behind``, ``no_data``) and the rule that
decided it (:attr:`TargetStatus.rule`, a list of messages shown beside the status in the report).
The rules, also in ``docs/report.md``:

* **Years judged.** The target's period (its own, else its plan's). A plan that states no period is
  judged over the years the monitoring returns cover, and the rule says so.
* **Cumulative** (``cumulative``): the total of the years judged. Met once the total reaches the
  target, even before the period ends (``reached_early``). While the period runs and the total has
  not reached it: ``on_track`` when the total reaches the pro-rata share of the target for the
  years elapsed, else ``behind``. After the period: ``met`` or ``behind``. A ceiling (``at most``)
  already exceeded is ``behind`` at once.
* **Every year** (``per_year``): counts the years that meet the target ("3 of 5 years"); met only
  when every year of the period meets it; while the period runs, ``on_track`` when every year so
  far meets it.
* **Average, final year, growth** (``annual_average``, ``final_year``, ``annual_growth``): the
  yearly average, the last year's value or the compound yearly growth of the years judged. After
  the period ``met`` or ``behind``; while it runs, ``on_track`` or ``behind`` on the value so far.
* ``no_data``: no monitoring value for the indicator in the years judged, or the period has not
  started in the data.

Reading conventions (also in the report's method appendix): ``between`` targets are met from the
lower end up (exceeding the upper end is noted, not penalised); ``about X`` is met from
``X·(1 − about_tolerance)`` up; ``more than`` is strict.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..i18n import Lang, Message
from ..panel.indicators import INDICATORS
from ..panel.params import ProvinceParams, Target

STATUSES = ("met", "on_track", "behind", "no_data")

#: The rules that decide a status; each has a message ``rule_<name>`` in :mod:`evalutils.i18n`.
RULES = ("period_total", "reached_early", "pro_rata", "ceiling_exceeded", "ceiling_so_far", "every_year",
         "average", "final_year", "growth", "growth_short", "not_started", "no_monitoring")


@dataclass(frozen=True)
class TargetStatus:
    """One target judged against the monitoring returns.

    ``observed`` is the figure compared with the target: the total (cumulative), the yearly average,
    the last year's value, the yearly growth in percent, or, for a per-year target, the number of
    years that met it (``years_met`` of ``years_counted``). ``progress`` is ``observed`` over what the
    target asks (1 = reached; per-year targets: share of years met), for the progress chart.
    """

    target_id: str
    indicator: str
    status: str
    observed: float | None
    target_low: float
    target_high: float | None
    period: tuple[int, int] | None
    years_with_data: tuple[int, ...]
    reason: str
    rule: tuple[Message, ...] = ()
    judged_over: tuple[int, int] | None = None
    period_stated: bool = True
    years_met: int | None = None
    years_counted: int | None = None
    progress: float | None = None

    @property
    def rule_name(self) -> str:
        """The name of the deciding rule (one of :data:`RULES`)."""
        return self.rule[0].key.removeprefix("rule_") if self.rule else ""

    def rule_text(self, lang: Lang) -> str:
        """The rule beside the status, in ``lang``."""
        return "; ".join(m.text(lang) for m in self.rule)


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


def _progress(x: float, low: float, high: float | None, comparison: str) -> float | None:
    """``x`` relative to what the target asks (1 = reached); None when the target is zero or a ceiling."""
    if comparison == "at_most":
        return (high / x if x > 0 else np.inf) if high is not None and high > 0 else None
    return x / low if low and np.isfinite(low) and low > 0 else None


def evaluate_target(t: Target, period: tuple[int, int] | None, series: pd.Series,
                    *, about_tolerance: float) -> TargetStatus:
    """Judge one target; ``series`` is the indicator's yearly values for the province (index = year)."""
    low, high, strict = _threshold(t, about_tolerance)
    series = series.dropna().sort_index()
    series.index = series.index.astype(int)
    period_stated = period is not None
    notes: list[Message] = []
    if not period_stated:
        if series.empty:
            return TargetStatus(t.id, t.indicator, "no_data", None, low, high, None, (),
                                "the plan states no period and there are no monitoring data",
                                rule=(Message.of("rule_no_monitoring"), Message.of("rule_no_period_no_data")),
                                period_stated=False)
        period = (int(series.index.min()), int(series.index.max()))
        notes.append(Message.of("rule_no_period", y0=period[0], y1=period[1]))
    start, end = period
    last_data_year = int(series.index.max()) if len(series) else None
    in_period = series[(series.index >= start) & (series.index <= end)]

    def result(status, observed, years, reason, rule, *, judged=None, years_met=None, years_counted=None,
               progress=None):
        if not period_stated:
            reason = f"{reason}; the plan states no period: judged over the years observed {start}–{end}"
        return TargetStatus(t.id, t.indicator, status, None if observed is None else round(float(observed), 2),
                            low, high, period if period_stated else None, tuple(int(y) for y in years), reason,
                            rule=(rule, *notes), judged_over=judged, period_stated=period_stated,
                            years_met=years_met, years_counted=years_counted,
                            progress=None if progress is None else float(progress))

    if last_data_year is not None and last_data_year < start:
        return result("no_data", None, (), f"the period {start}–{end} has not started in the data",
                      Message.of("rule_not_started", y0=start, y1=end))
    if in_period.empty and t.aggregation != "annual_growth":
        return result("no_data", None, (), "no monitoring data for this indicator in the period",
                      Message.of("rule_no_monitoring"))
    complete = last_data_year is not None and last_data_year >= end
    years = list(in_period.index)
    last = min(last_data_year, end) if last_data_year is not None else end
    agg = t.aggregation
    years_met = years_counted = None
    if agg == "cumulative":
        observed = float(in_period.sum())
        reached = _satisfies(observed, low, high, strict, t.comparison)
        progress = _progress(observed, low, high, t.comparison)
        if t.comparison == "at_most":
            if not reached:
                status, rule = "behind", Message.of("rule_ceiling_exceeded", y0=start, y1=last)
            elif complete:
                status, rule = "met", Message.of("rule_period_total", y0=start, y1=end)
            else:
                status, rule = "on_track", Message.of("rule_ceiling_so_far", y0=start, y1=last, end=end)
        elif complete:
            status, rule = ("met" if reached else "behind"), Message.of("rule_period_total", y0=start, y1=end)
        elif reached:
            status, rule = "met", Message.of("rule_reached_early", y0=start, y1=last, end=end)
        else:
            elapsed = (last - start + 1) / (end - start + 1)
            status = "on_track" if observed >= low * elapsed else "behind"
            rule = Message.of("rule_pro_rata", y0=start, y1=last, end=end, share=round(100 * elapsed))
            progress = observed / (low * elapsed) if low > 0 else None
        judged = (start, last)
    elif agg == "per_year":
        met_each = [_satisfies(v, low, high, strict, t.comparison) for v in in_period]
        years_met, years_counted = int(sum(met_each)), len(met_each)
        observed = float(years_met)
        n_years_due = last - start + 1  # a year without a return cannot count as met
        all_met = years_met == n_years_due
        status = ("met" if all_met else "behind") if complete else ("on_track" if all_met else "behind")
        rule = Message.of("rule_every_year", k=years_met, n=n_years_due, y0=start, y1=last)
        progress = years_met / n_years_due
        years_counted = n_years_due
        judged = (start, last)
    elif agg in ("annual_average", "final_year"):
        observed = float(in_period.mean()) if agg == "annual_average" else float(in_period.iloc[-1])
        ok = _satisfies(observed, low, high, strict, t.comparison)
        status = ("met" if ok else "behind") if complete else ("on_track" if ok else "behind")
        y_last = int(in_period.index[-1])
        rule = (Message.of("rule_average", y0=int(in_period.index[0]), y1=y_last) if agg == "annual_average"
                else Message.of("rule_final_year", y1=y_last))
        progress = _progress(observed, low, high, t.comparison)
        judged = (int(in_period.index[0]), y_last)
    elif agg == "annual_growth":
        window = series[(series.index >= start - 1) & (series.index <= end)]
        if len(window) < 2 or (window.iloc[0] <= 0):
            return result("no_data", None, tuple(window.index),
                          "growth needs at least two years of positive values in the period",
                          Message.of("rule_growth_short"))
        y0, y1 = int(window.index[0]), int(window.index[-1])
        observed = float(((window.iloc[-1] / window.iloc[0]) ** (1 / (y1 - y0)) - 1) * 100)
        years = list(window.index)
        ok = _satisfies(observed, low, high, strict, t.comparison)
        status = ("met" if ok else "behind") if complete else ("on_track" if ok else "behind")
        rule = Message.of("rule_growth", y0=y0, y1=y1)
        progress = _progress(observed, low, high, t.comparison)
        judged = (y0, y1)
    else:  # pragma: no cover - schema forbids it
        raise ValueError(agg)
    missing = [y for y in range(start, last + 1) if y not in series.index]
    reason = "period complete" if complete else f"data to {last_data_year}, period ends {end}"
    if status == "met" and not complete:
        reason += "; target already reached"
    if missing:
        reason += f"; no data for {', '.join(map(str, missing))}"
        notes.insert(0, Message.of("rule_missing_years", years=", ".join(map(str, missing))))
    if high is not None and t.comparison == "between" and observed > high:
        reason += "; above the upper end of the range"
        notes.insert(0, Message.of("rule_above_range"))
    return result(status, observed, years, reason, rule, judged=judged, years_met=years_met,
                  years_counted=years_counted, progress=progress)


SCORECARD_COLUMNS = ["target_id", "indicator", "label_en", "label_vi", "comparison", "target_value", "target_range",
                     "unit", "aggregation", "period", "period_stated", "judged_over", "observed", "years_met",
                     "years_counted", "progress", "status", "rule_name", "rule", "reason", "quote_vi", "source"]


def scorecard(params: ProvinceParams, monitoring: pd.DataFrame, province_code: str,
              *, about_tolerance: float) -> pd.DataFrame:
    """One row per target of the province: observed value, status and the rule that decided it.

    ``rule`` holds the :class:`~evalutils.i18n.Message` tuple (``TargetStatus.rule``); render it with
    :func:`rule_text`.
    """
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
            "period_stated": st.period_stated,
            "judged_over": f"{st.judged_over[0]}–{st.judged_over[1]}" if st.judged_over else "",
            "observed": st.observed,
            "years_met": st.years_met,
            "years_counted": st.years_counted,
            "progress": st.progress,
            "status": st.status,
            "rule_name": st.rule_name,
            "rule": st.rule,
            "reason": st.reason,
            "quote_vi": t.quote_vi,
            "source": t.source,
        })
    return pd.DataFrame(rows, columns=SCORECARD_COLUMNS)


def rule_text(rule: tuple[Message, ...], lang: Lang) -> str:
    """A scorecard row's ``rule`` in ``lang``."""
    return "; ".join(m.text(lang) for m in rule)
