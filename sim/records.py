"""Records: flat rows built in the worker for each incident, and the tidy frames of a run.

Instants are minutes since the scenario start (`*_at`, NaN when it never happened) alongside
wall-clock instants (`*_time`, UTC); durations start with `time_to_`. A severity whose targets
use the business clock is judged on business minutes, given as `<target>_business_minutes`
(NaN for targets on the wall clock)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drillsim.scenarios.measures import MILESTONES, TARGETS
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.obligations import summary_row
from drillsim.sim.paging import FIELDS
from drillsim.sim.state import IncidentState

if TYPE_CHECKING:
    import pandas as pd

    from drillsim.sim.clock import WallClock
    from drillsim.sim.engine import RunRecords

_ATTRIBUTES = tuple((name, f"{name}_at") for name in MILESTONES)
OUTCOMES = ("cost", "data_loss_minutes", "rto_met", "rpo_met", "updates_due", "updates_sent")
INCIDENT_COLUMNS = (
    "replication", "incident", "type", "severity", "initial_severity",
    *(f"{n}_at" for n in MILESTONES), "detected_by", "acknowledged_by", "escalations", "pages",
    "responders_engaged", *OUTCOMES, *(f"{t.name}_met" for t in TARGETS), "unacknowledged_reason",
    "unresolved_reason", *(f"{t.name}_business_minutes" for t in TARGETS))
DEADLINE_COLUMNS = ("replication", "incident", "severity", "deadline", "occurrence", "due_at",
                    "done_at", "met", "status")
MOBILISATION_COLUMNS = ("replication", "incident", "severity", "role", "requested_at",
                        "engaged_at", "responder", "pages", "outcome")
RESPONDER_COLUMNS = ("replication", "responder", "pages", "night_pages", "off_hours_pages",
                     "acknowledgements", "minutes_engaged", "incidents_worked")
LOAD_COLUMNS = RESPONDER_COLUMNS[2:]  # a responder's load in one replication: pages ... incidents


@dataclass(frozen=True)
class Records:
    """The tidy frames of a whole run."""

    events: pd.DataFrame
    incidents: pd.DataFrame
    deadlines: pd.DataFrame
    responders: pd.DataFrame
    mobilisations: pd.DataFrame


def _nan(value: float | None) -> float:
    return math.nan if value is None else value


def why_unacknowledged(inc: IncidentState) -> str | None:
    """Why an incident was never acknowledged, in the words a report can print."""
    if inc.acknowledged_at is not None:
        return None
    if inc.detected_at is None:
        return "never detected"
    if inc.paged_at is None:
        return "not paged by the end of the run"
    tracks = [t for t in inc.tracks if t.role is None]
    waiting = any(not a.done for t in tracks for a in t.asks)
    if waiting:
        return "everyone at capacity"
    if sum(t.pages for t in tracks) == 0:
        return "nobody on call"
    if all(t.exhausted for t in tracks):
        busy, missed = sum(t.busy for t in tracks), sum(t.missed for t in tracks)
        return "everyone at capacity" if busy and not missed else "policy exhausted"
    return "still escalating at the end of the run"


def why_unresolved(inc: IncidentState) -> str | None:
    if inc.resolved_at is not None:
        return None
    if inc.acknowledged_at is None:
        return "never acknowledged"
    if inc.waiting_for:
        return "waiting for " + ", ".join(sorted(inc.waiting_for))
    if not inc.engaged:
        return "nobody working it"
    return "still being worked at the end of the run"


_NO_OUTCOMES: dict[str, Any] = dict.fromkeys(OUTCOMES)


def incident_row(replication: int, inc: IncidentState, compiled: CompiledOrg,
                 deadlines: list[Any], end: float, outcomes: bool = True) -> tuple[Any, ...]:
    """One incident's row, in INCIDENT_COLUMNS order. Without `outcomes` the cost, data-loss,
    RTO/RPO and update columns are left None: a summary reads none of them."""
    policy = compiled.org.severities[inc.severity]
    at = {name: _nan(getattr(inc, attribute)) for name, attribute in _ATTRIBUTES}
    outcome = summary_row(inc, compiled, deadlines, end) if outcomes else _NO_OUTCOMES
    met, business = [], []
    for target in TARGETS:
        limit = getattr(policy.targets, target.name)
        elapsed, counted = at[target.end] - at[target.start], math.nan
        if policy.targets.clock == "business" and limit is not None and not math.isnan(elapsed):
            assert compiled.business is not None
            elapsed = counted = compiled.business.minutes_in(at[target.start], at[target.end])
        met.append(None if limit is None else bool(elapsed <= limit))
        business.append(counted)
    return (replication, inc.id, inc.template.type, inc.severity, inc.initial_severity,
            *at.values(), inc.detected_by,
            None if inc.acknowledged_by is None else compiled.responders[inc.acknowledged_by].id,
            inc.escalations, inc.pages, len(set(inc.involved)), *(outcome[o] for o in OUTCOMES),
            *met, why_unacknowledged(inc), why_unresolved(inc), *business)


def build(runs: Sequence[RunRecords], clock: WallClock) -> Records:
    """The frames of a set of replications."""
    import numpy as np
    import pandas as pd

    def frame(rows: list[tuple[Any, ...]], columns: tuple[str, ...]) -> pd.DataFrame:
        return pd.DataFrame(rows, columns=list(columns))

    def wall(minutes: pd.Series) -> pd.Series:
        return pd.Timestamp(clock.start) + pd.to_timedelta(np.asarray(minutes, dtype=float),
                                                           unit="min")

    incidents = frame([row for run in runs for row in run.incidents], INCIDENT_COLUMNS)
    for name in MILESTONES:
        incidents[f"{name}_time"] = wall(incidents[f"{name}_at"])
    for column in (*(f"{t.name}_met" for t in TARGETS), "rto_met", "rpo_met"):
        incidents[column] = incidents[column].astype("boolean")
    events = pd.DataFrame({"replication": [run.replication for run in runs
                                           for _ in range(len(run.events) // FIELDS)],
                           **{name: [v for run in runs for v in run.events[i::FIELDS]]
                              for i, name in enumerate(("incident", "at", "kind", "actor",
                                                        "detail"))}})
    events = events.sort_values(["replication", "at", "incident"], kind="stable",
                                ignore_index=True)
    events["time"] = wall(events["at"])
    deadlines = frame([(run.replication, *d) for run in runs for d in run.deadlines],
                      DEADLINE_COLUMNS)
    deadlines["due_time"] = wall(deadlines["due_at"])
    responders = frame([(run.replication, *r) for run in runs for r in run.responders],
                       RESPONDER_COLUMNS)
    mobilisations = frame([(run.replication, *m) for run in runs for m in run.mobilisations],
                          MOBILISATION_COLUMNS)
    mobilisations["time_to_mobilise"] = mobilisations["engaged_at"] - mobilisations["requested_at"]
    return Records(events=events, incidents=incidents, deadlines=deadlines,
                   responders=responders, mobilisations=mobilisations)
