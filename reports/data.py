"""The plain data each report renders: built once from records, shared by Markdown and HTML."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from drillsim.reports import charts
from drillsim.reports.render import LOAD_SHOWN, NO_INCIDENTS, ci_note
from drillsim.reports.units import format_instant, format_money
from drillsim.scenarios.durations import format_duration, format_span
from drillsim.scenarios.measures import METRICS, TARGETS, metric
from drillsim.scenarios.org import Organisation
from drillsim.sim.clock import zone
from drillsim.sim.intervals import mean_interval
from drillsim.sim.metrics import durations
from drillsim.sim.records import Records
from drillsim.sim.runner import Run
from drillsim.sim.summary import NOT_MET, RunSummary, shares_by_severity

_BARE_AMOUNT = re.compile(r"cost reached ([\d,.]+)")  # the engine's words, without a currency


def by_ladder(names: Any, ladder: Sequence[str]) -> list[str]:
    """Severity names in the organisation's order, most severe first; unknown names last."""
    rank = {name: i for i, name in enumerate(ladder)}
    return sorted(dict.fromkeys(names), key=lambda n: (rank.get(n, len(rank)), str(n)))


def incident_timeline(events: pd.DataFrame, replication: int, incident: int,
                      timezone: str, currency: str = "USD") -> list[dict[str, Any]]:
    """One incident's event log, in order: local time with its offset, time since the impact
    started, what happened and who; amounts in `currency`."""
    ev = events[(events.replication == replication) & (events.incident == incident)]
    start = ev.loc[ev.kind == "started", "at"].min()
    ev = ev.sort_values("at", kind="stable")
    paged = ev[ev.kind == "paged"]
    rows = []
    for r in ev.itertuples():
        detail = r.detail
        if r.kind == "deferred":  # say when the wait for business hours ends, on the clock
            after = paged[paged["at"] >= r.at]
            until = f" until {format_instant(after['time'].iloc[0], timezone)}" if len(after) else ""
            detail = f"waiting for business hours{until} ({r.detail})"
        elif r.kind == "financial_escalation" and (amount := _BARE_AMOUNT.fullmatch(detail)):
            detail = f"cost reached {format_money(float(amount[1].replace(',', '')), currency)}"
        rows.append({"at": float(r.at), "time": format_instant(r.time, timezone),
                     "since": format_duration(r.at - start), "kind": r.kind, "actor": r.actor,
                     "detail": detail})
    return rows


def gantt(row: Any, timeline: list[dict[str, Any]], owed: pd.DataFrame, timezone: str) -> Any:
    """The Gantt chart of one incident: impact, detection, any wait for business hours, paging
    to acknowledgement, mobilisation, phases and deadlines, in time since the impact started."""
    start = row.started_at
    end = row.resolved_at if not np.isnan(row.resolved_at) else max(e["at"] for e in timeline)
    spans = [("impact until mitigated",
              start, row.mitigated_at if not np.isnan(row.mitigated_at) else end),
             ("until detected", start, row.detected_at)]
    deferred = [e["at"] for e in timeline if e["kind"] == "deferred"]
    if deferred and not np.isnan(row.paged_at):
        until = row.paged_time.astimezone(zone(timezone))
        spans.append((f"waiting for business hours\n(until {until:%a %d %b %H:%M})", deferred[0],
                      row.paged_at))
    if not np.isnan(row.paged_at):
        spans.append(("paged until acknowledged", row.paged_at,
                      row.acknowledged_at if not np.isnan(row.acknowledged_at) else end))
    if row.engaged_at > row.acknowledged_at:
        spans.append(("mobilising until engaged", row.acknowledged_at, row.engaged_at))
    phases = [e for e in timeline if e["kind"] == "phase"]
    for i, phase in enumerate(phases):
        until = phases[i + 1]["at"] if i + 1 < len(phases) else end
        spans.append((f"phase: {phase['detail']}", phase["at"], until))
    spans = [(label, a - start, b - start) for label, a, b in spans if not np.isnan(b)]
    marks = [(d.deadline + (f" #{d.occurrence}" if d.occurrence > 1 else ""), d.due_at - start,
              d.status) for d in owed.itertuples()][:12]
    started = format_instant(row.started_time, timezone)
    return charts.timeline(f"Incident {row.incident}: {row.type} ({row.severity})", spans, marks,
                           f"time since the impact started ({started}, {timezone})")


def page_counts(events: pd.DataFrame, zones: Mapping[str, str], default: str) -> np.ndarray:
    """Pages by (weekday, hour) on each paged responder's own clock (`zones`, else `default`)."""
    paged = events[events.kind == "paged"]
    grid = np.zeros((7, 24))
    for tz, group in paged.groupby(paged.actor.map(zones).fillna(default), sort=True):
        local = pd.DatetimeIndex(group["time"]).tz_convert(str(tz))
        np.add.at(grid, (local.day_of_week.to_numpy(), local.hour.to_numpy()), 1)
    return grid


class ReportTally:
    """What the run report reads from a run's records, gathered a chunk of replications at a
    time so that the records need not be kept: each incident's durations by metric, the
    slowest incidents with their event logs and deadlines, and the pages by hour of week."""

    def __init__(self, org: Organisation, slowest: int = 5) -> None:
        self.zones = {r.id: r.timezone or org.timezone for r in org.responders}
        self.timezone = org.timezone
        self.slowest = slowest
        self._durations: list[pd.DataFrame] = []
        self.worst: pd.DataFrame | None = None  # incident rows with their `ttr`, slowest first
        self.events: pd.DataFrame | None = None  # the event log of the slowest incidents
        self.deadlines: pd.DataFrame | None = None  # and their deadlines
        self.pages = np.zeros((7, 24))

    @classmethod
    def of(cls, records: Records, org: Organisation, slowest: int = 5) -> ReportTally:
        tally = cls(org, slowest)
        tally.add(records)
        return tally

    def add(self, records: Records) -> None:
        """Fold in the records of the next replications, in replication order."""
        inc = records.incidents
        self.pages += page_counts(records.events, self.zones, self.timezone)
        if self.worst is not None and inc.empty:
            return
        self._durations.append(durations(inc)[["severity", *(m.name for m in METRICS)]])
        ranked = inc.assign(ttr=(inc.resolved_at - inc.started_at).fillna(np.inf))
        if self.worst is not None and not self.worst.empty:  # earlier ones first: on ties
            ranked = pd.concat([self.worst, ranked], ignore_index=True)  # the earliest stays
        self.worst = ranked.sort_values("ttr", ascending=False, kind="stable").head(self.slowest)
        keys = pd.MultiIndex.from_frame(self.worst[["replication", "incident"]])
        self.events = _of(keys, self.events, records.events)
        self.deadlines = _of(keys, self.deadlines, records.deadlines)

    @property
    def durations(self) -> pd.DataFrame:
        return pd.concat(self._durations, ignore_index=True)


def _of(keys: pd.MultiIndex, kept: pd.DataFrame | None, more: pd.DataFrame) -> pd.DataFrame:
    """The rows of `kept` then `more` that belong to the incidents `keys`."""
    rows = more if kept is None or kept.empty else pd.concat([kept, more], ignore_index=True)
    mine = pd.MultiIndex.from_frame(rows[["replication", "incident"]]).isin(keys)
    return rows[mine].reset_index(drop=True)


def run_report(run: Run, summary: RunSummary, tally: ReportTally | None = None) -> dict[str, Any]:
    """Everything the run report shows, from the run's records or a tally of them."""
    sc, org = run.bundle.scenario, run.bundle.org
    if tally is None:
        tally = ReportTally.of(run.records, org)
    assert tally.worst is not None and tally.events is not None and tally.deadlines is not None
    tz, ladder = org.timezone, list(org.severities)
    slow = []
    for row in tally.worst.itertuples():
        tl = incident_timeline(tally.events, row.replication, row.incident, tz, org.currency)
        slow.append({"replication": row.replication, "incident": row.incident, "type": row.type,
                     "severity": row.severity, "ttr": None if np.isinf(row.ttr) else row.ttr,
                     "started": format_instant(row.started_time, tz),
                     "cost": format_money(row.cost, org.currency), "timeline": tl})
    values = tally.durations
    cdfs = {f"{s} (n={(values.severity == s).sum()})":
            {m.key: values.loc[values.severity == s, m.name].tolist() for m in METRICS}
            for s in by_ladder(values.severity, ladder)}
    chart_list = [("distributions", "How long incidents took, by severity: cumulative share "
                   "of incidents on a logarithmic time axis",
                   charts.Drawn(lambda: charts.distributions({"": cdfs})))] if cdfs else []
    sla = shares_by_severity(summary)
    if any(sla.values()):
        chart_list.append(("sla", "SLA attainment by severity",
                           charts.Drawn(lambda: charts.sla_bars(sla))))
    chart_list.append(("load", "Pages by hour of week, on each responder's own clock",
                       charts.Drawn(lambda: charts.heatmap(tally.pages / max(run.replications, 1),
                                                           run.replications))))
    if slow:
        first = tally.worst.iloc[0]
        owed = tally.deadlines[(tally.deadlines.replication == first.replication)
                               & (tally.deadlines.incident == first.incident)]
        chart_list.append(("timeline", "Timeline of the slowest incident",
                           charts.Drawn(lambda: gantt(first, slow[0]["timeline"], owed, tz))))
    return {
        "title": f"Drill report: {sc.name}",
        "timezone": tz,
        "scenario": {"name": sc.name, "description": sc.description,
                     "start": format_instant(sc.start_instant(), tz), "timezone": tz},
        "organisation": {"name": org.name, "description": org.description,
                         "responders": len(org.responders), "rotations": len(org.rotations),
                         "policies": len(org.escalation_policies), "currency": org.currency,
                         "severities": ladder},
        "run": {"replications": run.replications, "seed": run.seed,
                "incidents": summary.incidents, "never": summary.never,
                "unacknowledged": summary.unacknowledged, "unresolved": summary.unresolved},
        "ci_note": ci_note(summary),
        "no_incidents": NO_INCIDENTS,
        "metrics": summary.metrics,
        "severities": summary.severities,
        "roles": summary.roles,
        "not_met": NOT_MET,
        "targets": [t.name for t in TARGETS if any(t.name in s.sla for s in summary.severities)],
        "load": summary.load,
        "load_shown": LOAD_SHOWN,
        "slowest": slow,
        "charts": chart_list,
    }


@dataclass(frozen=True)
class Measure:
    """A scorecard column as a table shows it: its label and how its values read."""

    column: str
    label: str
    kind: str  # duration, share, count or money


def measure(column: str) -> Measure:
    """How to show one scorecard column (`time_to_acknowledge.p90.P1` -> `TTA p90 · P1`)."""
    head, *rest = column.split(".")
    if head in {m.name for m in METRICS}:
        stat, *severity = rest
        label = f"{metric(head).label} {stat}"
        return Measure(column, label + "".join(f" · {s}" for s in severity), "duration")
    if head == "sla":
        target, *severity = rest
        return Measure(column, f"SLA {target.replace('_', ' ')} met"
                       + "".join(f" · {s}" for s in severity), "share")
    if head == "deadlines":
        return Measure(column, "deadlines met" + "".join(f" · {s}" for s in rest), "share")
    if head == "cost":
        return Measure(column, "cost", "money")
    return Measure(column, head.replace("_", " ") + "".join(f" · {s}" for s in rest), "count")


def show(value: float | None, kind: str, currency: str, signed: bool = False) -> str:
    """A value of a measure as people read it: a duration, a percentage, money or a count."""
    if value is None or value != value:
        return "\u2013"
    if kind == "duration":
        return format_duration(value, signed=signed)
    text = {"share": f"{100 * abs(value):.1f}%", "money": format_money(abs(value), currency),
            "count": f"{abs(value):,.2f}"}[kind]
    if not any(ch in "123456789" for ch in text):  # rounds to zero: no sign
        return text
    return ("\u2212" if value < 0 else "+" if signed else "") + text


def show_span(ci: tuple[float, float] | None, kind: str, currency: str) -> str:
    if ci is None:
        return "\u2013"
    if kind == "duration":
        return format_span(*ci, signed=True)
    return f"{show(ci[0], kind, currency, True)} \u2013 {show(ci[1], kind, currency, True)}"


def columns_for(results: pd.DataFrame, metrics: Sequence[str], stats: Sequence[str],
                severities: Sequence[str | None]) -> list[str]:
    """The scorecard columns a comparison shows, in order, leaving out those never measured:
    each metric at each statistic, the SLA targets and deadlines, for all incidents (None) and
    each severity; then on-call load and cost."""
    wanted = []
    for severity in severities:
        suffix = "" if severity is None else f".{severity}"
        wanted += [f"{metric(m).name}.{s}{suffix}" for m in metrics for s in stats]
        wanted += [f"sla.{t.name}{suffix}" for t in TARGETS] + [f"deadlines{suffix}"]
    wanted += ["pages_per_responder", "night_pages_per_responder", "cost"]
    return [c for c in wanted if c in results.columns and results[c].notna().any()]


def summary_frame(results: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Per variant and scorecard column: the mean over replications with its 95% interval, and
    (except for the baseline) the paired difference from the baseline, its interval and verdict."""
    from drillsim.sim.paired import differences

    metrics_ = [c for c in results.columns if c not in ("variant", "replication")
                and pd.api.types.is_float_dtype(results[c])]
    rows = []
    paired = {(d.variant, d.column): d for d in differences(results, baseline, metrics_)}
    for name, group in results.groupby("variant", sort=False):
        for column in metrics_:
            values = group[column].dropna().to_numpy(dtype=float)
            ci = mean_interval(values, np.arange(len(values)))
            d = paired.get((name, column))
            rows.append({"variant": name, "column": column, "n": len(values),
                         "mean": float(values.mean()) if len(values) else np.nan,
                         "ci_low": np.nan if ci is None else ci.low,
                         "ci_high": np.nan if ci is None else ci.high,
                         "difference": np.nan if d is None else d.mean,
                         "difference_low": np.nan if d is None or d.ci is None else d.ci.low,
                         "difference_high": np.nan if d is None or d.ci is None else d.ci.high,
                         "pairs": 0 if d is None else d.n,
                         "verdict": None if d is None else d.verdict})
    return pd.DataFrame(rows)


def comparison(results: pd.DataFrame, baseline: str, columns: Sequence[str],
               currency: str = "USD", title: str | None = None,
               chart: bool = True) -> dict[str, Any]:
    """Variants side by side and their paired differences from `baseline` in each of `columns`
    (scorecard columns; see `columns_for`). `results` has one row per variant x replication;
    replication r of every variant saw the same incidents and draws, so the pairing removes
    their noise. `chart` draws the differences (for a report)."""
    summary = summary_frame(results[["variant", "replication", *columns]], baseline)
    by = {(r.variant, r.column): r for r in summary.itertuples()}
    variants = list(dict.fromkeys(results["variant"]))
    measures = [measure(c) for c in columns]
    rows: list[dict[str, Any]] = []
    for m in measures:
        cells = []
        for name in variants:
            r = by[(name, m.column)]
            diff = None if np.isnan(r.difference_low) else (r.difference_low, r.difference_high)
            cells.append({"variant": name, "value": r.mean, "text": show(r.mean, m.kind, currency),
                          "n": r.n, "difference": None if name == baseline else r.difference,
                          "difference_text": "" if name == baseline else show(
                              r.difference, m.kind, currency, signed=True),
                          "ci95": diff, "ci_text": show_span(diff, m.kind, currency),
                          "verdict": r.verdict})
        rows.append({"column": m.column, "label": m.label, "kind": m.kind, "cells": cells,
                     "best": _best(m.column, cells)})
    reps = int(results["replication"].nunique())
    return {
        "title": title or f"What-if comparison against {baseline}",
        "baseline": baseline,
        "replications": reps,
        "variants": variants,
        "rows": rows,
        "differences": [{"variant": c["variant"], "column": row["column"], "label": row["label"],
                         "mean": c["difference"], "ci95": c["ci95"],
                         "difference_text": c["difference_text"], "ci_text": c["ci_text"],
                         "verdict": c["verdict"], "pairs": by[(c["variant"], row["column"])].pairs}
                        for row in rows for c in row["cells"] if c["variant"] != baseline],
        "charts": [("differences", "Paired differences from the baseline in response times "
                    "over all severities, with their 95% confidence intervals (left of zero is "
                    "faster)", charts.Drawn(lambda: charts.differences(
                        {row["label"]: {c["variant"]: (c["difference"], c["ci95"])
                                        for c in row["cells"] if c["variant"] != baseline}
                         for row in rows if row["kind"] == "duration" and "·" not in row["label"]
                         })))] if chart else [],
    }


def _best(column: str, cells: list[dict[str, Any]]) -> str | None:
    """The variant with the best mean in a column, when the variants differ in it at all."""
    from drillsim.sim.scorecard import lower_is_better

    lower = lower_is_better(column)
    values = [(c["value"], c["variant"]) for c in cells if c["value"] == c["value"]]
    if lower is None or len({v for v, _ in values}) < 2:
        return None
    return (min(values) if lower else max(values))[1]


def results_of(runs: Mapping[str, Run]) -> pd.DataFrame:
    """The tidy results (variant x replication scorecards) of finished runs, one per variant."""
    from drillsim.sim.scorecard import scorecards

    frames = []
    for name, run in runs.items():
        org = run.bundle.org
        cards = scorecards(run.records, list(org.severities), len(org.responders)).reset_index()
        frames.append(cards.assign(variant=name))
    frame = pd.concat(frames, ignore_index=True)
    return frame[["variant", *[c for c in frame.columns if c != "variant"]]]
