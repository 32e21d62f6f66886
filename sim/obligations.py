"""What an incident owed that is measured once it is over: deadlines met by a milestone (`to`),
the response targets of each team and escalation level, management and financial escalations,
and its estimated cost.
Deadlines that are work (a task: status updates, notices, post-mortems) run in the engine, where
they take people's time."""

from __future__ import annotations

import math
from typing import Any

from drillsim.scenarios.durations import format_duration
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.cost import cost_at, crossing
from drillsim.sim.state import IncidentState

# incident, severity, deadline name, occurrence, due at, done at (NaN if never), met, status
Deadline = tuple[int, str, str, int, float, float, bool, str]
Event = tuple[int, float, str, str, str]
NAN = math.nan


def milestone(inc: IncidentState, name: str) -> float:
    """When an incident reached a milestone (minutes), NaN if it never did."""
    if name.startswith("phase:"):
        return inc.phase_ends.get(name[6:], NAN)
    if name.startswith("cost:"):
        return (inc.cost_reached or {}).get(name, NAN)
    value = getattr(inc, f"{name}_at")
    return NAN if value is None else value


def _status(done: float, due: float) -> str:
    return "missed" if math.isnan(done) else ("met" if done <= due else "late")


def obligations(inc: IncidentState, compiled: CompiledOrg,
                end: float) -> tuple[list[Event], list[Deadline]]:
    """The extra events (notifications) and the milestone deadline rows of a finished incident."""
    policy = compiled.org.severities[inc.severity]
    tags = set(inc.template.tags)
    deadlines: list[Deadline] = []
    resolved = milestone(inc, "resolved")
    until = end if math.isnan(resolved) else resolved
    for rule in policy.all_deadlines():
        if rule.to is None or (rule.tags and not tags & set(rule.tags)):
            continue
        for name in (rule.from_, rule.to):  # cost thresholds no task waited for
            if name.startswith("cost:") and name not in (inc.cost_reached or {}):
                at = crossing(inc, compiled, float(name[5:]), until)
                if not math.isnan(at):
                    inc.crossed(name, at)
        if any(n.startswith("phase:") and n[6:] not in inc.phase_names for n in (rule.from_, rule.to)):
            continue  # a phase target for work this incident does not have
        start = milestone(inc, rule.from_)
        if math.isnan(start):
            continue  # its clock never started
        assert rule.within is not None
        due, done = start + rule.within, milestone(inc, rule.to)
        deadlines.append((inc.id, inc.severity, rule.name, 1, due, done, done <= due,
                          _status(done, due)))
    for track in inc.tracks:
        if track.role is not None:
            continue
        done = NAN if track.acknowledged_at is None else track.acknowledged_at
        targets = [(f"{track.path.name} response", track.paged_at, track.path.respond_within)]
        targets += [(f"{path.name} level {number} response", at,
                     path.levels[number - 1].respond_within)
                    for path, number, at in track.levels_paged]
        for name, start, limit in targets:
            if limit is not None:
                due = start + limit
                deadlines.append((inc.id, inc.severity, name, 1, due, done, done <= due,
                                  _status(done, due)))
    events: list[Event] = []
    detected = milestone(inc, "detected")
    for trigger in policy.management:
        at = detected + trigger.after
        if not math.isnan(at) and not resolved <= at:
            events.append((inc.id, at, "management_escalation", trigger.notify,
                           f"open after {format_duration(trigger.after)}"))
    for money in compiled.org.financial_escalations:
        at = crossing(inc, compiled, money.threshold, until)
        if not math.isnan(at):
            events.append((inc.id, at, "financial_escalation", money.notify,
                           f"cost reached {money.threshold:,.0f}"))
    return events, deadlines


def summary_row(inc: IncidentState, compiled: CompiledOrg, deadlines: list[Deadline],
                end: float) -> dict[str, Any]:
    """Per-incident outcome columns: cost, data loss, RTO/RPO and status updates."""
    services = [s for s in compiled.org.services if s.id in inc.template.services]
    rtos = [s.rto for s in services if s.rto is not None]
    rpos = [s.rpo for s in services if s.rpo is not None]
    ttm = milestone(inc, "mitigated") - inc.started_at
    loss = inc.backup_age if inc.restored else 0.0
    updates = [d for d in deadlines if d[0] == inc.id and d[2] == "status update"]
    until = milestone(inc, "resolved")
    return {
        "cost": cost_at(inc, compiled, end if math.isnan(until) else until),
        "data_loss_minutes": loss,
        "rto_met": None if not rtos else bool(ttm <= min(rtos)),
        "rpo_met": None if not rpos else bool(loss <= min(rpos)),
        "updates_due": len(updates),
        "updates_sent": sum(d[6] for d in updates),
    }
