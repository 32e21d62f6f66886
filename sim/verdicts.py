"""Hypotheses judged on a simulation: each estimate with its 95% interval, and pass / fail /
inconclusive by where the interval lies against the limit (inside it: inconclusive).

- A mean: the cluster-robust t-interval over replications (`intervals.mean_interval`);
  incidents that never reach the metric's end are left out of it and counted.
- A percentile: incidents that never reach the end count as longer than any that do. Its
  interval is by order statistics: the ranks at the Wilson bounds of the percentile's share,
  on the effective n of incidents (n shrunk for how alike a replication's incidents are).
- A share (attainment, or within a duration): the Wilson interval on the effective n.
- Load: each responder's monthly mean over replications with its t-interval; the hypothesis
  holds when every responder's interval is within the limit, fails when anyone's is past it.

An inconclusive verdict says how many replications would likely decide it: an interval
narrows as 1/sqrt(replications), so the distance from the estimate to the limit needs
(half-width / distance)^2 times as many."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from drillsim.scenarios.hypotheses import LOAD_MEASURES, Hypothesis, percentile_of
from drillsim.sim import intervals

if TYPE_CHECKING:

    from drillsim.sim.load import Estimate, LoadReport, ResponderLoad
    from drillsim.sim.metrics import Share
    from drillsim.sim.summary import RunSummary
    from drillsim.sim.tally import Tally

Outcome = Literal["pass", "fail", "inconclusive"]


@dataclass(frozen=True)
class Verdict:
    """One hypothesis judged: its estimate and 95% interval (minutes, a share or a number a
    month; None when it never happened), over n incidents (or responders) and so many
    replications, the outcome, the replications likely to decide an inconclusive one, and a
    note (what the estimate leaves out, who is nearest the limit)."""

    hypothesis: Hypothesis
    estimate: float | None
    low: float | None
    high: float | None
    n: int
    replications: int
    outcome: Outcome
    needed: int | None
    note: str = ""


def judge(low: float | None, high: float | None, limit: float, upper: bool) -> Outcome:
    """Pass when the whole interval keeps the limit, fail when none of it does."""
    if low is None or high is None:
        return "inconclusive"
    if upper:
        return "pass" if high <= limit else "fail" if low > limit else "inconclusive"
    return "pass" if low >= limit else "fail" if high < limit else "inconclusive"


def replications_needed(replications: int, estimate: float, low: float, high: float,
                        limit: float) -> int | None:
    """Replications at which the interval would likely clear the limit; None when the
    estimate sits on it (no number of replications decides it)."""
    distance, half = abs(estimate - limit), (high - low) / 2
    if distance == 0 or not math.isfinite(half):
        return None
    return max(replications + 1, math.ceil(replications * (half / distance) ** 2))


def _inconclusive_needed(outcome: Outcome, replications: int, estimate: float | None,
                         low: float | None, high: float | None, limit: float) -> int | None:
    if outcome != "inconclusive" or None in (estimate, low, high):
        return None
    assert estimate is not None and low is not None and high is not None
    return replications_needed(replications, estimate, low, high, limit)


@dataclass(frozen=True)
class Observed:
    """The incidents of a run as arrays, in order of replication and then start: severity,
    replication, each metric's duration (minutes, NaN where never reached, `METRICS` order)
    and whether each target was met (1, 0, or -1 where the severity sets none; `TARGETS`
    order)."""

    severity: np.ndarray
    replication: np.ndarray
    durations: np.ndarray
    met: np.ndarray

    @classmethod
    def from_tally(cls, tally: Tally) -> Observed:
        """From a run's tally: the same arrays, without keeping any records."""
        ladder = np.array(tally.ladder, dtype=str)
        return cls(ladder[tally.severity.array()], tally.replication.array(),
                   tally.durations.array(), tally.met.array())

    def select(self, severity: str | None) -> Observed:
        if severity is None:
            return self
        keep = self.severity == severity
        return Observed(self.severity[keep], self.replication[keep], self.durations[keep],
                        self.met[keep])


def _share(h: Hypothesis, met: np.ndarray, rep: np.ndarray, reps: int) -> Verdict:
    if len(met) == 0:
        return Verdict(h, None, None, None, 0, reps, "inconclusive", None, "no incidents")
    ci, effective = intervals.share_interval(met, intervals.units(rep, reps))
    share = float(met.mean())
    outcome = judge(ci.low, ci.high, h.limit, h.upper)
    needed = _inconclusive_needed(outcome, reps, share, ci.low, ci.high, h.limit)
    return Verdict(h, share, ci.low, ci.high, len(met), reps, outcome, needed,
                   f"effective n {effective:.0f}")


def _statistic(h: Hypothesis, values: np.ndarray, rep: np.ndarray, reps: int) -> Verdict:
    assert h.metric is not None
    never = int(np.isnan(values).sum())
    q = percentile_of(h.statistic)
    if q is None:
        present = ~np.isnan(values)
        x = values[present]
        note = f"{never} never reached, not in the mean" if never else ""
        if len(x) == 0:
            return Verdict(h, None, None, None, 0, reps, "inconclusive", None, note)
        ci = intervals.mean_interval(x, intervals.units(rep[present], reps))
        low, high = (None, None) if ci is None else (max(ci.low, 0.0), ci.high)
        outcome = judge(low, high, h.limit, h.upper)
        needed = _inconclusive_needed(outcome, reps, float(x.mean()), low, high, h.limit)
        return Verdict(h, float(x.mean()), low, high, len(x), reps, outcome, needed, note)
    if len(values) == 0:
        return Verdict(h, None, None, None, 0, reps, "inconclusive", None, "no incidents")
    x = np.where(np.isnan(values), np.inf, values)
    share = q / 100
    unit = intervals.units(rep, reps)
    estimate = float(np.quantile(x, share, method="inverted_cdf"))
    below = x <= estimate if math.isfinite(estimate) else np.isfinite(x)
    _, effective = intervals.share_interval(below, unit)
    lo_q, hi_q = intervals.wilson(share, effective)
    low = float(np.quantile(x, lo_q, method="inverted_cdf"))
    high = float(np.quantile(x, hi_q, method="inverted_cdf"))
    outcome = judge(low, high, h.limit, h.upper)
    needed = None
    if outcome == "inconclusive":  # on the share's scale, where the interval is symmetric-ish
        within = x <= h.limit
        ci, _ = intervals.share_interval(within, unit)
        needed = replications_needed(reps, float(within.mean()), ci.low, ci.high, share)
    note = f"{never} never reached, counted as longest" if never else ""
    return Verdict(h, None if math.isinf(estimate) else estimate, low,
                   None if math.isinf(high) else high, len(x), reps, outcome, needed, note)


def _measure(r: ResponderLoad, measure: str) -> Estimate | None:
    if measure in ("business_pages", "off_hours_pages", "sleep_pages"):
        return r.pages[measure.removesuffix("_pages")]
    return {"pages": r.all_pages, "interruptions": r.interruptions, "person_hours": r.person_hours,
            "incidents_per_shift": r.incidents_per_shift}[measure]


def _load(h: Hypothesis, report: LoadReport) -> Verdict:
    assert h.load is not None
    rows = [(r, e) for r in report.responders if (e := _measure(r, h.load)) is not None]
    reps = report.replications
    if not rows:
        return Verdict(h, None, None, None, 0, reps, "inconclusive", None, "nobody measured")
    outcomes = [judge(e.low, e.high, h.limit, h.upper) for _, e in rows]
    outcome: Outcome = ("fail" if "fail" in outcomes else
                        "inconclusive" if "inconclusive" in outcomes else "pass")
    worst, e = (max if h.upper else min)(rows, key=lambda row: row[1].mean)
    needed = None
    if outcome == "inconclusive":
        counts = [_inconclusive_needed(o, reps, x.mean, x.low, x.high, h.limit)
                  for o, (_, x) in zip(outcomes, rows, strict=True) if o == "inconclusive"]
        needed = None if None in counts else max(c for c in counts if c is not None)
    note = f"{'highest' if h.upper else 'lowest'}: {worst.name}"
    if reps == 1:
        note += "; one replication gives no interval"
    return Verdict(h, e.mean, e.low, e.high, len(rows), reps, outcome, needed, note)


def evaluate(hypotheses: Sequence[Hypothesis], observed: Observed, replications: int,
             load: LoadReport | None = None) -> list[Verdict]:
    """Every hypothesis judged on one run's incidents (and its load report, for load ones)."""
    from drillsim.scenarios.measures import METRICS, TARGETS

    out = []
    for h in hypotheses:
        if h.kind == "load":
            assert load is not None, "load hypotheses need the run's load report"
            out.append(_load(h, load))
            continue
        chosen = observed.select(h.severity)
        rep = chosen.replication
        if h.kind == "attainment":
            assert h.attainment is not None  # what makes this kind
            met = chosen.met[:, [t.name for t in TARGETS].index(h.attainment)]
            set_here = met >= 0
            out.append(_share(h, met[set_here] == 1, rep[set_here], replications))
            continue
        assert h.metric is not None  # the one statement left
        values = chosen.durations[:, [m.name for m in METRICS].index(h.metric)]
        if h.kind == "within":
            assert h.within is not None
            out.append(_share(h, np.nan_to_num(values, nan=np.inf) <= h.within, rep,
                              replications))
        else:
            out.append(_statistic(h, values, rep, replications))
    return out


def statement(h: Hypothesis) -> str:
    """The hypothesis in words: `p90 time_to_acknowledge of P1 ≤ 5m`."""
    from drillsim.scenarios.durations import format_duration

    sign = "≤" if h.upper else "≥"
    of = f" of {h.severity}" if h.severity else ""
    if h.kind == "load":
        assert h.load is not None
        return f"every responder's {LOAD_MEASURES[h.load]} {sign} {h.limit:g}"
    if h.kind == "attainment":
        return f"share{of} meeting the {h.attainment} target {sign} {h.limit:.1%}"
    if h.kind == "within":
        return (f"share{of} with {h.metric} within {format_duration(h.within)} "
                f"{sign} {h.limit:.1%}")
    return f"{h.statistic} {h.metric}{of} {sign} {format_duration(h.limit)}"


@dataclass(frozen=True)
class Gate:
    """One of the organisation's own targets or deadlines for one severity, judged against
    an objective share of incidents (or deadline occurrences) meeting it."""

    severity: str
    what: str
    share: Share
    outcome: Outcome
    needed: int | None


def target_gate(summary: RunSummary, objective: float) -> list[Gate]:
    """Every target and deadline the run measured, pass / fail / inconclusive on its share's
    95% interval against `objective`; `run --fail-on-miss` exits 1 when any fails."""
    out = []
    for sev in summary.severities:
        shares = [(f"{name.replace('_', ' ')} target", s) for name, s in sev.sla.items()]
        shares += [(f"deadline: {name}", d.met) for name, d in sev.deadlines.items()]
        for what, s in shares:
            outcome = judge(s.ci.low, s.ci.high, objective, upper=False)
            needed = _inconclusive_needed(outcome, summary.replications, s.value, s.ci.low,
                                          s.ci.high, objective)
            out.append(Gate(sev.severity, what, s, outcome, needed))
    return out
