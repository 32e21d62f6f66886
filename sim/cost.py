"""What an incident costs, in the organisation's currency.

Until mitigation, each minute of impact costs the affected services' full-outage rate
(`impact_per_minute`, summed) times the share of it the incident's impact takes: `affected` x
(1 when down, `degraded_factor` when degraded), from its severity's impact with the incident
type's fields laid over it. A severity change (an inject) changes the rate from that minute.
Engaged responders add their time at their hourly rate. The total is a sum of ramps
`delta x (t - at)` from the minutes at which the cost per minute changes, so it is piecewise
linear and non-decreasing, and a threshold's crossing is found exactly."""

from __future__ import annotations

import math

from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.state import IncidentState

Ramp = tuple[float, float]  # from this minute on, the cost per minute changes by this much


def impact_rate(inc: IncidentState, compiled: CompiledOrg, severity: str) -> float:
    """Cost per minute of the incident's impact while it has `severity`."""
    impact = compiled.org.severities[severity].impact
    assert impact is not None  # the organisation fills in every severity's impact
    full = sum(compiled.service_costs.get(s, 0.0) for s in inc.template.services)
    return full * impact.under(inc.template.impact).factor()


def severity_changes(inc: IncidentState) -> list[tuple[float, str]]:
    """(minute, severity) from impact start: the initial severity, then each inject that
    changes it, in the order the engine applies them."""
    changes = [(inc.started_at, inc.initial_severity or inc.severity)]
    for inject in sorted(inc.template.injects, key=lambda i: i.at):
        if inject.severity and inject.severity != changes[-1][1]:
            changes.append((inc.started_at + inject.at, inject.severity))
    return changes


def ramps(inc: IncidentState, compiled: CompiledOrg) -> list[Ramp]:
    """Every change in the incident's cost per minute, in order of time."""
    out: list[Ramp] = []
    mitigated = math.inf if inc.mitigated_at is None else inc.mitigated_at
    rate = 0.0
    for at, severity in severity_changes(inc):
        if at >= mitigated:
            break
        new = impact_rate(inc, compiled, severity)
        out.append((at, new - rate))
        rate = new
    if mitigated < math.inf:
        out.append((mitigated, -rate))
    for r, since, until in inc.engagements:
        out += [(since, compiled.rates[r]), (until, -compiled.rates[r])]
    out += [(since, compiled.rates[r]) for r, since in inc.engaged.items()]
    out.sort()
    return out


def cost_at(inc: IncidentState, compiled: CompiledOrg, t: float) -> float:
    """Estimated cost by minute t: impact until mitigation plus engaged responders' time."""
    return sum(delta * (t - at) for at, delta in ramps(inc, compiled) if at < t)


def crossing(inc: IncidentState, compiled: CompiledOrg, threshold: float, end: float) -> float:
    """The first minute by `end` at which the cost reaches `threshold`, or NaN."""
    before, cost, slope = inc.started_at, 0.0, 0.0
    for at, delta in [*(c for c in ramps(inc, compiled) if c[0] < end), (end, 0.0)]:
        value = cost + slope * (at - before)
        if value >= threshold:
            return before + (threshold - cost) / slope
        before, cost, slope = at, value, slope + delta
    return math.nan
