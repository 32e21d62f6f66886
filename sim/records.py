"""Turning replications' raw rows into tidy frames: events, incidents, deadlines, responders.

Instants are minutes since the scenario start (`*_at`, NaN when it never happened) alongside
wall-clock instants (`*_time`, UTC); durations start with `time_to_`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from drillsim.scenarios.measures import MILESTONES, TARGETS
from drillsim.scenarios.org import Organisation
from drillsim.sim.clock import WallClock
from drillsim.sim.engine import RunRecords

OUTCOMES = ("cost", "data_loss_minutes", "rto_met", "rpo_met", "updates_due", "updates_sent")


@dataclass(frozen=True)
class Records:
    """The tidy frames of a whole run."""

    events: pd.DataFrame
    incidents: pd.DataFrame
    deadlines: pd.DataFrame
    responders: pd.DataFrame


def _nan(value: float | None) -> float:
    return math.nan if value is None else value


def build(runs: Sequence[RunRecords], org: Organisation, clock: WallClock) -> Records:
    """The frames of a set of replications."""
    ids = [r.id for r in org.responders]
    incident_rows = []
    event_rows = []
    deadline_rows = []
    responder_rows = []
    for run in runs:
        event_rows += [(run.replication, *event) for event in run.events]
        deadline_rows += [(run.replication, *row) for row in run.deadlines]
        for inc, outcome in zip(run.incidents, run.outcomes, strict=True):
            policy = org.severities[inc.severity]
            at = {name: _nan(getattr(inc, f"{name}_at")) for name in MILESTONES}
            row = {"replication": run.replication, "incident": inc.id, "type": inc.template.type,
                   "severity": inc.severity, "initial_severity": inc.initial_severity}
            row.update({f"{name}_at": value for name, value in at.items()})
            row.update({
                "detected_by": inc.detected_by,
                "acknowledged_by": None if inc.acknowledged_by is None
                else ids[inc.acknowledged_by],
                "escalations": inc.escalations, "pages": inc.pages,
                "responders_engaged": len(set(inc.involved)),
                **outcome,
            })
            for target in TARGETS:
                limit = getattr(policy.targets, target.name)
                row[f"{target.name}_met"] = None if limit is None \
                    else bool(at[target.end] - at[target.start] <= limit)
            incident_rows.append(row)
        for i, rid in enumerate(ids):
            responder_rows.append({
                "replication": run.replication, "responder": rid, "pages": run.pages[i],
                "night_pages": run.night_pages[i], "off_hours_pages": run.off_hours_pages[i],
                "acknowledgements": run.acknowledgements[i],
                "minutes_engaged": run.engaged_minutes[i],
                "incidents_worked": run.incidents_worked[i]})
    incidents = pd.DataFrame(incident_rows, columns=_incident_columns())
    for name in MILESTONES:
        incidents[f"{name}_time"] = _wall(clock, incidents[f"{name}_at"])
    for column in (*(f"{t.name}_met" for t in TARGETS), "rto_met", "rpo_met"):
        incidents[column] = incidents[column].astype("boolean")
    events = pd.DataFrame(event_rows, columns=["replication", "incident", "at", "kind", "actor",
                                               "detail"])
    events = events.sort_values(["replication", "at", "incident"], kind="stable",
                                ignore_index=True)
    events["time"] = _wall(clock, events["at"])
    deadlines = pd.DataFrame(deadline_rows, columns=["replication", "incident", "severity",
                                                     "deadline", "occurrence", "due_at",
                                                     "done_at", "met"])
    deadlines["due_time"] = _wall(clock, deadlines["due_at"])
    responders = pd.DataFrame(responder_rows, columns=[
        "replication", "responder", "pages", "night_pages", "off_hours_pages", "acknowledgements",
        "minutes_engaged", "incidents_worked"])
    return Records(events=events, incidents=incidents, deadlines=deadlines, responders=responders)


def _incident_columns() -> list[str]:
    return ["replication", "incident", "type", "severity", "initial_severity",
            *(f"{n}_at" for n in MILESTONES), "detected_by", "acknowledged_by", "escalations",
            "pages", "responders_engaged", *OUTCOMES, *(f"{t.name}_met" for t in TARGETS)]


def _wall(clock: WallClock, minutes: pd.Series) -> pd.Series:
    base = pd.Timestamp(clock.start)
    return base + pd.to_timedelta(np.asarray(minutes, dtype=float), unit="min")
