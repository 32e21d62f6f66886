"""The incidents of one replication: drawn from a workload, or placed by a drill, with their
detection delays and work durations drawn up front so that policies compare on equal terms."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import simpy

from drillsim.scenarios.org import EscalationPolicy, Organisation
from drillsim.scenarios.policy import Alert, Symptom
from drillsim.scenarios.scenario import IncidentTemplate, Phase, Scenario, Workload
from drillsim.sim.clock import WallClock, to_instant, zone
from drillsim.sim.streams import Streams

Plan = float | tuple[tuple[float, bool], ...]  # a phase's drawn duration, or its options' (duration, works)


@dataclass(slots=True, eq=False)
class Track:
    """One escalation policy paging for an incident; parallel response teams each have one."""

    policy: EscalationPolicy
    ack: simpy.Event | None
    paged_at: float
    acknowledged_at: float | None = None
    acknowledged_by: int | None = None
    requests: list[simpy.Event] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class IncidentState:
    """One incident as the engine runs it; the `*_at` fields are minutes, None until they happen."""

    id: int
    template: IncidentTemplate
    severity: str
    started_at: float
    detect_delay: float
    detected_by: str
    assessment: float
    phases: list[tuple[Phase, Plan]]
    injected: dict[int, Plan]
    facts: frozenset[str]
    backup_age: float
    initial_severity: str = ""
    detected_at: float | None = None
    declared_at: float | None = None
    paged_at: float | None = None
    acknowledged_at: float | None = None
    acknowledged_by: int | None = None
    engaged_at: float | None = None
    mitigated_at: float | None = None
    resolved_at: float | None = None
    restored: bool = False
    escalations: int = 0
    pages: int = 0
    phase_ends: dict[str, float] = field(default_factory=dict)
    tracks: list[Track] = field(default_factory=list)
    engaged: dict[int, float] = field(default_factory=dict)  # engaged now, since when
    involved: list[int] = field(default_factory=list)  # everyone who ever engaged
    engagements: list[tuple[int, float, float]] = field(default_factory=list)  # who, from, to
    ack: simpy.Event | None = None
    severity_changed: simpy.Event | None = None
    done: simpy.Event | None = None

    @property
    def phase_names(self) -> set[str]:
        """Every phase this incident has or may gain from an inject."""
        return {p.name for p, _ in self.phases} | {
            i.add_phase.name for i in self.template.injects if i.add_phase is not None}

    def detach(self) -> None:
        """Drop SimPy events, so the finished record can cross process boundaries."""
        self.ack = self.severity_changed = self.done = None
        for track in self.tracks:
            track.ack = None
            track.requests = []


def _plan(phase: Phase, rng: np.random.Generator) -> Plan:
    if phase.duration is not None:
        return phase.duration.sample(rng)
    return tuple((o.duration.sample(rng), bool(rng.random() < o.success)) for o in phase.options)


def _windowed(symptom: Symptom, t: float, window: float) -> float:
    """The symptom's metric at t, or its mean over the trailing `window` minutes."""
    def area(x: float) -> float:  # integral of the metric from 0 to x (baseline before 0)
        b, v, ramp = symptom.baseline, symptom.value, symptom.ramp
        if x <= 0:
            return b * x
        if ramp <= 0:
            return v * x
        if x <= ramp:
            return b * x + (v - b) * x * x / (2 * ramp)
        return b * ramp + (v - b) * ramp / 2 + v * (x - ramp)

    if window <= 0:
        if t <= 0:
            return symptom.baseline
        return symptom.value if t >= symptom.ramp else symptom.baseline + (
            symptom.value - symptom.baseline) * t / symptom.ramp
    return (area(t) - area(t - window)) / window


def alert_delay(alert: Alert, symptom: Symptom | None, rng: np.random.Generator) -> float:
    """Minutes from impact start until a threshold alert notifies; infinite if never crossed.
    Evaluation ticks fall at a random phase relative to the onset; the condition must then hold
    for `for` minutes of ticks; `delay` is the notification's own latency."""
    if symptom is None:
        return math.inf
    threshold = alert.above if alert.above is not None else alert.below
    assert threshold is not None
    sign = 1.0 if alert.above is not None else -1.0
    window = alert.window or 0.0

    def beyond(t: float) -> bool:
        return sign * (_windowed(symptom, t, window) - threshold) > 0

    horizon = symptom.ramp + window + 1.0
    if not beyond(horizon):
        return math.inf
    lo, hi = 0.0, horizon
    if beyond(0.0):
        hi = 0.0
    while hi - lo > 1e-6:  # the metric (and its trailing mean) moves monotonically
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if beyond(mid) else (mid, hi)
    interval = alert.evaluation_interval
    first_tick = hi + rng.uniform(0.0, interval)
    fires = first_tick + math.ceil(alert.for_ / interval - 1e-9) * interval
    return fires + alert.delay.sample(rng)


def _prepare(ident: int, template: IncidentTemplate, severity: str, at: float, org: Organisation,
             streams: Streams) -> IncidentState:
    rng = streams.detection
    delays = []
    for signal in template.signals:
        if signal.alert is not None:
            alert = org.alerts[signal.alert]
            delays.append(alert_delay(alert, template.symptoms.get(alert.metric), rng))
        else:
            delays.append(signal.delay.sample(rng))
    first = int(np.argmin(delays))
    signal = template.signals[first]
    channel = signal.channel if signal.alert is None else (
        org.alerts[signal.alert].channel or signal.alert)
    assessment = signal.assessment.sample(rng) if signal.assessment is not None else 0.0
    work = streams.work
    phases = [(p, _plan(p, work)) for p in template.phases]
    injected = {i: _plan(inj.add_phase, work)
                for i, inj in enumerate(template.injects) if inj.add_phase is not None}
    facts = frozenset(name for name, p in template.facts.items() if work.random() < p)
    intervals = [s.backup_interval for s in org.services
                 if s.id in template.services and s.backup_interval is not None]
    backup_age = float(work.uniform(0.0, max(intervals))) if intervals else 0.0
    return IncidentState(id=ident, template=template, severity=severity, initial_severity=severity,
                         started_at=at, detect_delay=delays[first], detected_by=channel,
                         assessment=assessment, phases=phases, injected=injected,
                         facts=facts | frozenset(org.capabilities), backup_age=backup_age)


def _profile_factor(workload: Workload, clock: WallClock, tz: str, times: np.ndarray) -> np.ndarray:
    """Arrival-rate multiplier at each time, normalised so a week averages to 1."""
    local = (pd.Timestamp(clock.start) + pd.to_timedelta(times, unit="min")).tz_convert(tz)
    factor = np.ones(len(times))
    if workload.hourly_profile is not None:
        hourly = np.asarray(workload.hourly_profile) / np.mean(workload.hourly_profile)
        factor *= hourly[np.asarray(local.hour)]
    if workload.weekday_profile is not None:
        daily = np.asarray(workload.weekday_profile) / np.mean(workload.weekday_profile)
        factor *= daily[np.asarray(local.day_of_week)]
    return factor


def _peak(workload: Workload) -> float:
    peak = 1.0
    for profile in (workload.hourly_profile, workload.weekday_profile):
        if profile is not None:
            peak *= max(profile) / np.mean(profile)
    return peak


def incidents_for(scenario: Scenario, org: Organisation, clock: WallClock,
                  streams: Streams) -> list[IncidentState]:
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
    return [_prepare(i, template, sev, at, org, streams)
            for i, (at, _, template, sev) in enumerate(drawn)]

