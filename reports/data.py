"""The plain data each report renders: built once from records, shared by Markdown and HTML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from drillsim.reports import charts
from drillsim.reports.render import ci_note
from drillsim.scenarios.measures import METRICS, TARGETS, metric
from drillsim.sim.intervals import Interval, mean_interval
from drillsim.sim.metrics import durations, responder_load
from drillsim.sim.runner import Run
from drillsim.sim.summary import NOT_MET, RunSummary, shares_by_severity

TIMELINE_KINDS = ("started", "detected", "declared", "deferred", "paged", "missed", "busy",
                  "escalated", "skipped", "acknowledged", "engaged", "mobilising", "phase",
                  "option", "option_failed", "option_worked", "inject", "severity_changed",
                  "mitigated", "resolved", "handed_over", "management_escalation",
                  "financial_escalation")


def _metric_values(incidents: pd.DataFrame) -> dict[str, list[float]]:
    d = durations(incidents)
    return {m.key: d[m.name].tolist() for m in METRICS}


def incident_timeline(events: pd.DataFrame, replication: int, incident: int) -> list[dict[str, Any]]:
    """One incident's event log, in order: minute, wall-clock time, what happened and who."""
    ev = events[(events.replication == replication) & (events.incident == incident)]
    ev = ev[ev.kind.isin(TIMELINE_KINDS)].sort_values("at", kind="stable")
    return [{"at": float(r.at), "time": r.time.strftime("%Y-%m-%d %H:%M"), "kind": r.kind,
             "actor": r.actor, "detail": r.detail} for r in ev.itertuples()]


def gantt(row: Any, timeline: list[dict[str, Any]], owed: pd.DataFrame) -> str:
    """The Gantt chart of one incident: detection, paging to acknowledgement, phases, deadlines."""
    start = row.started_at
    spans = [("until detected", start, row.detected_at)]
    if not np.isnan(row.paged_at):
        spans.append(("paged until acknowledged", row.paged_at,
                      row.acknowledged_at if not np.isnan(row.acknowledged_at) else row.paged_at))
    phases = [e for e in timeline if e["kind"] == "phase"]
    end = row.resolved_at if not np.isnan(row.resolved_at) else max(e["at"] for e in timeline)
    for i, phase in enumerate(phases):
        until = phases[i + 1]["at"] if i + 1 < len(phases) else end
        spans.append((f"phase: {phase['detail']}", phase["at"], until))
    spans = [(label, a - start, b - start) for label, a, b in spans if not np.isnan(b)]
    marks = [(f"{d.deadline} #{d.occurrence}", d.due_at - start, bool(d.met))
             for d in owed.itertuples()][:12]
    return charts.timeline(f"Incident {row.incident}: {row.type} ({row.severity})", spans, marks)


def pages_by_hour(events: pd.DataFrame, timezone: str, replications: int) -> np.ndarray:
    """Pages by (weekday, hour) in the scenario's time zone, per replication."""
    paged = events[events.kind == "paged"]
    local = pd.DatetimeIndex(paged["time"]).tz_convert(timezone)
    grid = np.zeros((7, 24))
    np.add.at(grid, (local.day_of_week.to_numpy(), local.hour.to_numpy()), 1)
    return grid / max(replications, 1)


def run_report(run: Run, summary: RunSummary, slowest: int = 5) -> dict[str, Any]:
    """Everything the run report shows."""
    rec, sc, org = run.records, run.bundle.scenario, run.bundle.org
    inc = rec.incidents
    load = responder_load(rec.responders).reset_index()
    ttr = (inc.resolved_at - inc.started_at).fillna(np.inf)
    worst = inc.assign(ttr=ttr).sort_values("ttr", ascending=False, kind="stable").head(slowest)
    slow = []
    for row in worst.itertuples():
        tl = incident_timeline(rec.events, row.replication, row.incident)
        slow.append({"replication": row.replication, "incident": row.incident, "type": row.type,
                     "severity": row.severity, "ttr": None if np.isinf(row.ttr) else row.ttr,
                     "timeline": tl})
    chart_list = [("distributions", "Distribution of TTD, TTA, TTM and TTR",
                   charts.distributions({sc.name: _metric_values(inc)}))]
    sla = shares_by_severity(summary)
    if any(sla.values()):
        chart_list.append(("sla", "SLA attainment by severity", charts.sla_bars(sla)))
    chart_list.append(("load", "Pages by hour of week",
                       charts.heatmap(pages_by_hour(rec.events, sc.timezone, run.replications))))
    if len(worst):
        first = worst.iloc[0]
        owed = rec.deadlines[(rec.deadlines.replication == first.replication)
                             & (rec.deadlines.incident == first.incident)]
        chart_list.append(("timeline", "Timeline of the slowest incident",
                           gantt(first, slow[0]["timeline"], owed)))
    return {
        "title": f"Drill report: {sc.name}",
        "scenario": {"name": sc.name, "description": sc.description, "start": str(sc.start),
                     "timezone": sc.timezone},
        "organisation": {"name": org.name, "description": org.description,
                         "responders": len(org.responders), "rotations": len(org.rotations),
                         "policies": len(org.escalation_policies)},
        "run": {"replications": run.replications, "seed": run.seed,
                "incidents": summary.incidents, "never": summary.never,
                "unacknowledged": summary.unacknowledged, "unresolved": summary.unresolved},
        "ci_note": ci_note(summary),
        "metrics": summary.metrics,
        "severities": summary.severities,
        "roles": summary.roles,
        "not_met": NOT_MET,
        "targets": [t.name for t in TARGETS if any(t.name in s.sla for s in summary.severities)],
        "load": load.to_dict("records"),
        "slowest": slow,
        "charts": chart_list,
    }


@dataclass(frozen=True)
class Difference:
    """A variant's paired difference from the baseline in one metric's mean (minutes), with
    the t-interval over replications' differences (None with a single replication)."""

    variant: str
    metric: str
    mean: float
    ci: Interval | None

    @property
    def verdict(self) -> str:
        if self.ci is None:
            return "needs two or more replications"
        if self.ci.high < 0:
            return "better"
        if self.ci.low > 0:
            return "worse"
        return "no clear difference"


def comparison(runs: Mapping[str, Run], baseline: str) -> dict[str, Any]:
    """Variants side by side and their differences from `baseline`, paired by replication
    (runs with the same seed share arrivals and work, so the pairing removes their noise)."""
    columns = [m.name for m in METRICS]
    frames = {name: durations(run.records.incidents) for name, run in runs.items()}
    per_rep = {name: d.groupby("replication")[columns].mean() for name, d in frames.items()}
    diffs = []
    for name in runs:
        if name == baseline:
            continue
        for m in METRICS:
            delta = (per_rep[name][m.name] - per_rep[baseline][m.name]).dropna().to_numpy()
            if len(delta):
                diffs.append(Difference(name, m.key, float(delta.mean()),
                                        mean_interval(delta, np.arange(len(delta)))))
    return {
        "title": f"What-if comparison against {baseline}",
        "baseline": baseline,
        "metrics": METRICS,
        "variants": [{"name": n, "metrics": {m.key: float(d[m.name].mean()) for m in METRICS}}
                     for n, d in frames.items()],
        "differences": [{"variant": d.variant, "metric": d.metric, "name": metric(d.metric).title,
                         "mean": d.mean, "ci95": None if d.ci is None else [d.ci.low, d.ci.high],
                         "verdict": d.verdict} for d in diffs],
        "charts": [("distributions", "Distributions by variant", charts.distributions(
            {n: _metric_values(r.records.incidents) for n, r in runs.items()}))],
    }
