"""The plain data each report renders: built once from records, shared by Markdown and HTML."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from drillsim.reports import charts
from drillsim.reports.render import ci_note
from drillsim.reports.units import format_instant, format_money
from drillsim.scenarios.durations import format_duration
from drillsim.scenarios.measures import METRICS, TARGETS, metric
from drillsim.sim.clock import zone
from drillsim.sim.intervals import Interval, mean_interval
from drillsim.sim.metrics import durations, responder_load
from drillsim.sim.runner import Run
from drillsim.sim.summary import NOT_MET, RunSummary, shares_by_severity

_BARE_AMOUNT = re.compile(r"cost reached ([\d,.]+)")  # the engine's words, without a currency


def _metric_values(incidents: pd.DataFrame) -> dict[str, list[float]]:
    d = durations(incidents)
    return {m.key: d[m.name].tolist() for m in METRICS}


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


def pages_by_hour(events: pd.DataFrame, zones: Mapping[str, str], default: str,
                  replications: int) -> np.ndarray:
    """Pages by (weekday, hour) on each paged responder's own clock (`zones`, else `default`),
    per replication."""
    paged = events[events.kind == "paged"]
    grid = np.zeros((7, 24))
    for tz, group in paged.groupby(paged.actor.map(zones).fillna(default), sort=True):
        local = pd.DatetimeIndex(group["time"]).tz_convert(str(tz))
        np.add.at(grid, (local.day_of_week.to_numpy(), local.hour.to_numpy()), 1)
    return grid / max(replications, 1)


def run_report(run: Run, summary: RunSummary, slowest: int = 5) -> dict[str, Any]:
    """Everything the run report shows."""
    rec, sc, org = run.records, run.bundle.scenario, run.bundle.org
    tz, ladder = org.timezone, list(org.severities)
    inc = rec.incidents
    load = responder_load(rec.responders).reset_index()
    ttr = (inc.resolved_at - inc.started_at).fillna(np.inf)
    worst = inc.assign(ttr=ttr).sort_values("ttr", ascending=False, kind="stable").head(slowest)
    slow = []
    for row in worst.itertuples():
        tl = incident_timeline(rec.events, row.replication, row.incident, tz, org.currency)
        slow.append({"replication": row.replication, "incident": row.incident, "type": row.type,
                     "severity": row.severity, "ttr": None if np.isinf(row.ttr) else row.ttr,
                     "started": format_instant(row.started_time, tz),
                     "cost": format_money(row.cost, org.currency), "timeline": tl})
    severities = by_ladder(inc.severity, ladder)
    cdfs = {f"{s} (n={(inc.severity == s).sum()})": _metric_values(inc[inc.severity == s])
            for s in severities}
    chart_list = [("distributions", "How long incidents took, by severity: cumulative share "
                   "of incidents on a logarithmic time axis",
                   charts.svg(charts.distributions({"": cdfs})))]
    sla = shares_by_severity(summary)
    if any(sla.values()):
        chart_list.append(("sla", "SLA attainment by severity", charts.svg(charts.sla_bars(sla))))
    zones = {r.id: r.timezone or tz for r in org.responders}
    chart_list.append(("load", "Pages by hour of week, on each responder's own clock",
                       charts.svg(charts.heatmap(pages_by_hour(rec.events, zones, tz,
                                                               run.replications),
                                                 run.replications))))
    if len(worst):
        first = worst.iloc[0]
        owed = rec.deadlines[(rec.deadlines.replication == first.replication)
                             & (rec.deadlines.incident == first.incident)]
        chart_list.append(("timeline", "Timeline of the slowest incident",
                           charts.svg(gantt(first, slow[0]["timeline"], owed, tz))))
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
        "charts": [("distributions", "Distributions by severity and variant: cumulative share of "
                    "incidents on a logarithmic time axis", charts.svg(charts.distributions(
                        _by_severity_and_variant(runs, baseline))))],
    }


def _by_severity_and_variant(runs: Mapping[str, Run], baseline: str
                             ) -> dict[str, dict[str, dict[str, list[float]]]]:
    """CDF rows for a comparison: one per severity of the baseline's ladder, one line per variant."""
    frames = {name: run.records.incidents for name, run in runs.items()}
    names = by_ladder(pd.concat([f.severity for f in frames.values()]),
                      list(runs[baseline].bundle.org.severities))
    rows = {}
    for severity in names:
        counts = ", ".join(str(int((f.severity == severity).sum())) for f in frames.values())
        rows[f"{severity} (n = {counts})"] = {name: _metric_values(f[f.severity == severity])
                                             for name, f in frames.items()}
    return rows

