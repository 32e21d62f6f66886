"""The incidents of one replication: drawn from a workload, or placed by a drill, with their
detection delays and work durations drawn up front so that policies compare on equal terms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from drillsim.scenarios.distributions import Distribution, sample_each
from drillsim.scenarios.org import Organisation
from drillsim.scenarios.scenario import IncidentTemplate, Phase, Scenario, Workload
from drillsim.sim.clock import WallClock, to_instant, zone
from drillsim.sim.detection import alert_delay
from drillsim.sim.state import IncidentState, Plan
from drillsim.sim.streams import Streams


def _plan(phase: Phase, rng: np.random.Generator) -> Plan:
    if phase.duration is not None:
        return phase.duration.sample(rng)
    return tuple((o.duration.sample(rng), bool(rng.random() < o.success)) for o in phase.options)


NO_INJECTS: Mapping[int, Plan] = MappingProxyType({})  # one read-only table for all without


class _Preparer:
    """Draws each incident's detection, assessment and work up front; what depends only on the
    incident type or the organisation is worked out once per replication, not per incident."""

    def __init__(self, org: Organisation, streams: Streams) -> None:
        self.org = org
        self.streams = streams
        self.ranks = {name: rank for rank, name in enumerate(org.severities)}
        self.capabilities = frozenset(org.capabilities)
        self.backups: dict[int, float | None] = {}  # longest backup interval of a type's services

    def backup_interval(self, template: IncidentTemplate) -> float | None:
        key = id(template)
        if key not in self.backups:
            self.backups[key] = max((s.backup_interval for s in self.org.services
                                     if s.id in template.services
                                     and s.backup_interval is not None), default=None)
        return self.backups[key]

    def __call__(self, ident: int, template: IncidentTemplate, severity: str,
                 at: float) -> IncidentState:
        org, rng = self.org, self.streams.detection
        signals = template.signals
        if len(signals) == 1 and signals[0].alert is None:  # the common case, drawn the same
            first, delay = 0, signals[0].delay.sample(rng)
        else:
            delays = []
            for signal in signals:
                if signal.alert is not None:
                    alert = org.alerts[signal.alert]
                    delays.append(alert_delay(alert, template.symptoms.get(alert.metric), rng))
                else:
                    delays.append(signal.delay.sample(rng))
            first = min(range(len(delays)), key=delays.__getitem__)  # the earliest; first on ties
            delay = delays[first]
        signal = signals[first]
        channel = signal.channel if signal.alert is None else (
            org.alerts[signal.alert].channel or signal.alert)
        assessment = signal.assessment.sample(rng) if signal.assessment is not None else 0.0
        work = self.streams.work
        phases = [(p, p.duration.sample(work) if p.duration is not None else _plan(p, work))
                  for p in template.phases]
        injected = {i: _plan(inj.add_phase, work) for i, inj in enumerate(template.injects)
                    if inj.add_phase is not None} if template.injects else {}
        facts = self.capabilities
        if template.facts:
            facts = facts | frozenset(name for name, p in template.facts.items()
                                      if work.random() < p)
        longest = self.backup_interval(template)
        backup_age = float(work.uniform(0.0, longest)) if longest is not None else 0.0
        return IncidentState(id=ident, template=template, severity=severity,
                             initial_severity=severity, rank=self.ranks[severity], started_at=at,
                             detect_delay=delay, detected_by=channel,
                             assessment=assessment,
                             assessor=signal.assessor if signal.assessment is not None else None,
                             phases=phases, injected=injected, facts=facts,
                             backup_age=backup_age)

    def plain(self, template: IncidentTemplate) -> bool:
        """Whether the type's incidents draw only durations: one signal without an alert, a
        duration for each phase, and no injected phases, facts or backups."""
        signals = template.signals
        return (len(signals) == 1 and signals[0].alert is None and not template.facts
                and all(p.duration is not None for p in template.phases)
                and not any(i.add_phase is not None for i in template.injects)
                and self.backup_interval(template) is None)

    def every(self, drawn: list[tuple[float, int, IncidentTemplate, str]]) -> list[IncidentState]:
        """Every incident, in order; when every type draws only durations, each stream's draws
        are made in one call (the same numbers, in the same order, as one incident at a time)."""
        templates = {id(t): t for _, _, t, _ in drawn}
        if not all(self.plain(t) for t in templates.values()):
            return [self(i, template, sev, at) for i, (at, _, template, sev) in enumerate(drawn)]
        detecting = {key: tuple(d for s in t.signals for d in (s.delay,) + (
            (s.assessment,) if s.assessment is not None else ())) for key, t in templates.items()}
        working = {key: tuple(p.duration for p in t.phases if p.duration is not None)
                   for key, t in templates.items()}
        detection = iter(sample_each(_each(drawn, detecting), self.streams.detection))
        work = iter(sample_each(_each(drawn, working), self.streams.work))
        ranks, facts = self.ranks, self.capabilities
        incidents = []
        for i, (at, _, template, severity) in enumerate(drawn):
            signal, phases = template.signals[0], template.phases
            plans: list[tuple[Phase, Plan]] = (
                [(phases[0], next(work))] if len(phases) == 1  # the usual case, quicker
                else [(p, next(work)) for p in phases])
            # positional: keyword arguments would make this loop a fifth slower
            incidents.append(IncidentState(
                i, template, severity, ranks[severity], at, next(detection), signal.channel,
                0.0 if signal.assessment is None else next(detection),
                None if signal.assessment is None else signal.assessor,
                plans, NO_INJECTS, facts, 0.0, severity))
        return incidents


def _each(drawn: list[tuple[float, int, IncidentTemplate, str]],
          dists: dict[int, tuple[Distribution, ...]]) -> list[Distribution]:
    """Each incident's distributions (by its type), one incident after another."""
    if len(dists) == 1:  # one type: its distributions, once per incident
        return list(next(iter(dists.values()))) * len(drawn)
    return [d for _, _, t, _ in drawn for d in dists[id(t)]]


def _profile_factor(workload: Workload, clock: WallClock, tz: str, times: np.ndarray) -> np.ndarray:
    """Arrival-rate multiplier at each time, normalised so a week averages to 1."""
    local = [(clock.start + dt.timedelta(minutes=float(t))).astimezone(zone(tz)) for t in times]
    factor = np.ones(len(times))
    if workload.hourly_profile is not None:
        hourly = np.asarray(workload.hourly_profile) / np.mean(workload.hourly_profile)
        factor *= hourly[np.array([x.hour for x in local], dtype=int)]
    if workload.weekday_profile is not None:
        daily = np.asarray(workload.weekday_profile) / np.mean(workload.weekday_profile)
        factor *= daily[np.array([x.weekday() for x in local], dtype=int)]
    return factor


def _peak(workload: Workload) -> float:
    peak = 1.0
    for profile in (workload.hourly_profile, workload.weekday_profile):
        if profile is not None:
            peak *= max(profile) / float(np.mean(profile))
    return peak


def incidents_for(scenario: Scenario, org: Organisation, clock: WallClock,
                  streams: Streams) -> list[IncidentState]:
    """Every incident of one replication, in order of start."""
    drawn: list[tuple[float, int, IncidentTemplate, str]] = []
    if scenario.workload is None:
        for order, inc in enumerate(scenario.incidents):
            at = inc.at if isinstance(inc.at, float) else clock.minutes(
                to_instant(inc.at, zone(scenario.timezone or org.timezone)))
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
                    workload, clock, scenario.timezone or org.timezone, times)
                times = times[keep]
            names = list(kind.severity_mix)
            weights = np.asarray([kind.severity_mix[n] for n in names], dtype=float)
            picks = streams.severity.choice(len(names), size=len(times), p=weights / weights.sum())
            drawn.extend((t, order, kind, names[p])
                         for t, p in zip(times.tolist(), picks.tolist(), strict=True))
    if scenario.workload is None or len(scenario.workload.types) > 1:  # else drawn in order
        drawn.sort(key=lambda d: (d[0], d[1]))
    return _Preparer(org, streams).every(drawn)

