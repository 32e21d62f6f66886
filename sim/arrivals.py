"""The incidents of one replication: drawn from a workload, or placed by a drill, with their
detection delays and work durations drawn up front so that policies compare on equal terms."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import simpy

from drillsim.scenarios.scenario import IncidentTemplate, Phase, Scenario, Workload
from drillsim.sim.clock import WallClock, to_instant, zone
from drillsim.sim.streams import Streams


@dataclass(slots=True, eq=False)
class IncidentState:
    """One incident as the engine runs it; the `*_at` fields are minutes, None until they happen."""

    id: int
    template: IncidentTemplate
    severity: str
    started_at: float
    detect_delay: float
    detected_by: str
    phases: list[tuple[Phase, float]]
    injected: dict[int, float]
    initial_severity: str = ""
    detected_at: float | None = None
    paged_at: float | None = None
    acknowledged_at: float | None = None
    acknowledged_by: int | None = None
    engaged_at: float | None = None
    mitigated_at: float | None = None
    resolved_at: float | None = None
    escalations: int = 0
    pages: int = 0
    engaged: dict[int, float] = field(default_factory=dict)  # engaged now, since when
    involved: list[int] = field(default_factory=list)  # everyone who ever engaged
    ack: simpy.Event | None = None
    severity_changed: simpy.Event | None = None
    done: simpy.Event | None = None
    requests: list[simpy.Event] = field(default_factory=list)


def _prepare(ident: int, template: IncidentTemplate, severity: str, at: float,
             streams: Streams) -> IncidentState:
    delays = [s.delay.sample(streams.detection) for s in template.signals]
    first = int(np.argmin(delays))
    phases = [(p, p.duration.sample(streams.work)) for p in template.phases]
    injected = {i: inj.add_phase.duration.sample(streams.work)
                for i, inj in enumerate(template.injects) if inj.add_phase is not None}
    return IncidentState(id=ident, template=template, severity=severity, initial_severity=severity,
                         started_at=at, detect_delay=delays[first],
                         detected_by=template.signals[first].channel, phases=phases,
                         injected=injected)


def _profile_factor(workload: Workload, clock: WallClock, tz: str, times: np.ndarray) -> np.ndarray:
    """Arrival-rate multiplier at each time, normalised so a week averages to 1."""
    local = (pd.Timestamp(clock.start) + pd.to_timedelta(times, unit="min")).tz_convert(tz)
    factor = np.ones(len(times))
    if workload.hourly_profile is not None:
        hourly = np.asarray(workload.hourly_profile) / np.mean(workload.hourly_profile)
        factor *= hourly[np.asarray(local.hour)]
    if workload.weekday_profile is not None:
        daily = np.asarray(workload.weekday_profile) / np.mean(workload.weekday_profile)
        factor *= daily[np.asarray(local.dayofweek)]
    return factor


def _peak(workload: Workload) -> float:
    peak = 1.0
    for profile in (workload.hourly_profile, workload.weekday_profile):
        if profile is not None:
            peak *= max(profile) / np.mean(profile)
    return peak


def incidents_for(scenario: Scenario, clock: WallClock, streams: Streams) -> list[IncidentState]:
    """Every incident of one replication, in order of start."""
    drawn: list[tuple[float, int, IncidentTemplate, str]] = []
    if scenario.workload is None:
        for order, inc in enumerate(scenario.incidents):
            at = inc.at if isinstance(inc.at, float) else clock.minutes(
                to_instant(inc.at, zone(scenario.timezone)))
            drawn.append((at, order, inc, inc.severity))
    else:
        workload = scenario.workload
        peak = _peak(workload)
        for order, kind in enumerate(workload.types):
            rng = streams.arrivals
            count = rng.poisson(kind.rate * peak * workload.horizon)
            times = np.sort(rng.uniform(0.0, workload.horizon, count))
            if peak != 1.0:
                keep = rng.uniform(0.0, peak, count) < _profile_factor(
                    workload, clock, scenario.timezone, times)
                times = times[keep]
            names = list(kind.severity_mix)
            weights = np.asarray([kind.severity_mix[n] for n in names], dtype=float)
            picks = streams.severity.choice(len(names), size=len(times), p=weights / weights.sum())
            drawn.extend((float(t), order, kind, names[p]) for t, p in zip(times, picks, strict=True))
    drawn.sort(key=lambda d: (d[0], d[1]))
    return [_prepare(i, template, sev, at, streams) for i, (at, _, template, sev) in enumerate(drawn)]

