"""Turning replications' raw rows into the three tidy frames: events, incidents, responders.

Instants are minutes since the scenario start (`*_at`, NaN when it never happened) alongside
wall-clock instants (`*_time`, UTC); durations start with `time_to_`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from drillsim.scenarios.org import Organisation
from drillsim.sim.clock import WallClock
from drillsim.sim.engine import RunRecords

TARGETS = ("acknowledge", "first_response", "mitigate", "resolve")
INSTANTS = ("started", "detected", "paged", "acknowledged", "engaged", "mitigated", "resolved")


@dataclass(frozen=True)
class Records:
    """The tidy frames of a whole run."""

    events: pd.DataFrame
    incidents: pd.DataFrame
    responders: pd.DataFrame


def _nan(value: float | None) -> float:
    return math.nan if value is None else value


def _updates(detected: float, acknowledged: float, resolved: float, cadence: float | None,
             end: float) -> tuple[int, int]:
    """Status updates due every `cadence` from detection until resolution, and how many of them
    fell after someone had acknowledged (nobody can post before that)."""
    if cadence is None or math.isnan(detected):
        return 0, 0
    until = end if math.isnan(resolved) else resolved
    due = max(0, math.ceil((until - detected) / cadence) - 1)
    if math.isnan(acknowledged):
        return due, 0
    missed = min(due, max(0, math.ceil((acknowledged - detected) / cadence) - 1))
    return due, due - missed


def build(runs: Sequence[RunRecords], org: Organisation, clock: WallClock) -> Records:
    """The events, incidents and responders frames of a set of replications."""
    ids = [r.id for r in org.responders]
    cost_rate = {s.id: s.impact_per_minute for s in org.services}
    incident_rows = []
    event_rows = []
    responder_rows = []
    for run in runs:
        for inc, t, kind, actor, detail in run.events:
            event_rows.append((run.replication, inc, t, kind, actor, detail))
        for inc in run.incidents:
            policy = org.severities[inc.severity]
            at = {name: _nan(getattr(inc, f"{name}_at")) for name in INSTANTS}
            elapsed = {
                "acknowledge": at["acknowledged"] - at["detected"],
                "first_response": at["engaged"] - at["detected"],
                "mitigate": at["mitigated"] - at["started"],
                "resolve": at["resolved"] - at["started"],
            }
            due, sent = _updates(at["detected"], at["acknowledged"], at["resolved"],
                                 policy.status_updates, run.end_at)
            row = {"replication": run.replication, "incident": inc.id, "type": inc.template.type,
                   "severity": inc.severity, "initial_severity": inc.initial_severity}
            row.update({f"{name}_at": value for name, value in at.items()})
            row.update({
                "detected_by": inc.detected_by,
                "acknowledged_by": None if inc.acknowledged_by is None else ids[inc.acknowledged_by],
                "escalations": inc.escalations, "pages": inc.pages,
                "responders_engaged": len(set(inc.involved)),
                "updates_due": due, "updates_sent": sent,
                "cost": sum(cost_rate.get(s, 0.0) for s in inc.template.services)
                * elapsed["mitigate"],
            })
            for target in TARGETS:
                limit = getattr(policy.targets, target)
                met = None if limit is None else bool(elapsed[target] <= limit)
                row[f"{target}_met"] = met
            for trigger in policy.management:
                due_at = at["detected"] + trigger.after
                if not at["resolved"] <= due_at:  # still open (or never resolved)
                    event_rows.append((run.replication, inc.id, due_at, "management_escalation",
                                       trigger.notify, f"open after {trigger.after:g}m"))
            incident_rows.append(row)
        for i, rid in enumerate(ids):
            responder_rows.append({
                "replication": run.replication, "responder": rid, "pages": run.pages[i],
                "night_pages": run.night_pages[i], "off_hours_pages": run.off_hours_pages[i],
                "acknowledgements": run.acknowledgements[i],
                "minutes_engaged": run.engaged_minutes[i],
                "incidents_worked": run.incidents_worked[i]})
    incidents = pd.DataFrame(incident_rows, columns=_incident_columns())
    for name in INSTANTS:
        incidents[f"{name}_time"] = _wall(clock, incidents[f"{name}_at"])
    for target in TARGETS:
        incidents[f"{target}_met"] = incidents[f"{target}_met"].astype("boolean")
    events = pd.DataFrame(event_rows, columns=["replication", "incident", "at", "kind", "actor",
                                               "detail"])
    events = events.sort_values(["replication", "at", "incident"], kind="stable",
                                ignore_index=True)
    events["time"] = _wall(clock, events["at"])
    responders = pd.DataFrame(responder_rows, columns=[
        "replication", "responder", "pages", "night_pages", "off_hours_pages", "acknowledgements",
        "minutes_engaged", "incidents_worked"])
    return Records(events=events, incidents=incidents, responders=responders)


def _incident_columns() -> list[str]:
    return ["replication", "incident", "type", "severity", "initial_severity",
            *(f"{n}_at" for n in INSTANTS), "detected_by", "acknowledged_by", "escalations",
            "pages", "responders_engaged", "updates_due", "updates_sent", "cost",
            *(f"{t}_met" for t in TARGETS)]


def _wall(clock: WallClock, minutes: pd.Series) -> pd.Series:
    base = pd.Timestamp(clock.start)
    return base + pd.to_timedelta(np.asarray(minutes, dtype=float), unit="min")
