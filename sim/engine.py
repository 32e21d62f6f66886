"""The incident lifecycle as SimPy processes, run once per replication.

Escalation follows PagerDuty: each level's delay counts from the moment that level was paged, a
level with nobody on call is skipped, the chain repeats `repeat` times, and any page already sent
can still be acknowledged later. Responders are shared: each holds `capacity` tokens in one
FilterStore; engaging takes a token and resolving returns it, so team pools queue FIFO for the
first free member."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import simpy

from drillsim.scenarios.org import EscalationLevel, EscalationPolicy, Target
from drillsim.scenarios.scenario import Scenario
from drillsim.sim.arrivals import IncidentState, incidents_for
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.streams import Streams

Event = tuple[int, float, str, str, str]  # incident, minute, kind, actor, detail


@dataclass(frozen=True)
class RunRecords:
    """What one replication produced, as plain rows; frames are built once, by the caller."""

    replication: int
    incidents: list[IncidentState]
    events: list[Event]
    pages: list[int]
    night_pages: list[int]
    off_hours_pages: list[int]
    acknowledgements: list[int]
    engaged_minutes: list[float]
    incidents_worked: list[int]
    end_at: float


class Simulation:
    """One replication of a scenario against a compiled organisation."""

    def __init__(self, compiled: CompiledOrg, scenario: Scenario, streams: Streams) -> None:
        self.c = compiled
        self.scenario = scenario
        self.streams = streams
        self.env = simpy.Environment()
        self.free = simpy.FilterStore(self.env)
        for i, r in enumerate(compiled.responders):
            self.free.items.extend([i] * r.capacity)
        n = len(compiled.responders)
        self.events: list[Event] = []
        self.pages = [0] * n
        self.night_pages = [0] * n
        self.off_hours_pages = [0] * n
        self.acknowledgements = [0] * n
        self.engaged_minutes = [0.0] * n
        self.incidents_worked = [0] * n
        self.ids = [r.id for r in compiled.responders]

    def run(self, replication: int) -> RunRecords:
        incidents = incidents_for(self.scenario, self.c.clock, self.streams)
        self.env.process(self._arrivals(incidents))
        self.env.run()
        for inc in incidents:  # SimPy events stay behind: records cross process boundaries
            inc.ack = inc.severity_changed = inc.done = None
            inc.requests = []
        return RunRecords(replication, incidents, self.events, self.pages, self.night_pages,
                          self.off_hours_pages, self.acknowledgements, self.engaged_minutes,
                          self.incidents_worked, self.env.now)

    def _log(self, inc: IncidentState, kind: str, actor: str = "", detail: str = "") -> None:
        self.events.append((inc.id, self.env.now, kind, actor, detail))

    def _arrivals(self, incidents: list[IncidentState]) -> Generator[simpy.Event, Any, None]:
        env = self.env
        for inc in incidents:
            if inc.started_at > env.now:
                yield env.timeout(inc.started_at - env.now)
            env.process(self._lifecycle(inc))

    def _lifecycle(self, inc: IncidentState) -> Generator[simpy.Event, Any, None]:
        env = self.env
        inc.ack = env.event()
        inc.severity_changed = env.event()
        inc.done = env.event()
        self._log(inc, "started", detail=f"{inc.template.type} {inc.severity}")
        if inc.template.injects:
            env.process(self._injects(inc))
        yield env.timeout(inc.detect_delay)
        inc.detected_at = env.now
        self._log(inc, "detected", inc.detected_by)
        while (wait := self.c.routing_wait(inc.severity, env.now)) > 0:
            self._log(inc, "deferred", detail=f"{self.c.org.severities[inc.severity].paging.value} "
                                              f"for {wait:.0f}m")
            changed = inc.severity_changed
            yield env.timeout(wait) | changed
            if not changed.triggered:
                break
        inc.paged_at = env.now
        policy = self.c.org.policy(self.c.org.severities[inc.severity].escalation_policy)
        env.process(self._escalate(inc, policy))
        yield inc.ack
        needed = [t for t in inc.template.requires if not self._satisfied(inc, t)]
        if needed:
            waits = [w for t in needed if (w := self._mobilise(inc, t)) is not None]
            if waits:
                yield env.all_of(waits)
        inc.engaged_at = env.now
        index = 0
        while index < len(inc.phases):  # injects may append phases while this runs
            phase, base = inc.phases[index]
            self._log(inc, "phase", detail=phase.name)
            yield env.timeout(base * self._pace(inc, phase.skill, phase.unskilled_factor))
            if phase.mitigates and inc.mitigated_at is None:
                inc.mitigated_at = env.now
                self._log(inc, "mitigated")
            index += 1
        inc.resolved_at = env.now
        if inc.mitigated_at is None:
            inc.mitigated_at = env.now
            self._log(inc, "mitigated")
        self._log(inc, "resolved")
        for r in list(inc.engaged):
            self._release(inc, r)
        assert inc.done is not None
        inc.done.succeed()

    def _injects(self, inc: IncidentState) -> Generator[simpy.Event, Any, None]:
        env = self.env
        for order, inject in sorted(enumerate(inc.template.injects), key=lambda p: p[1].at):
            yield env.timeout(max(0.0, inc.started_at + inject.at - env.now))
            if inc.resolved_at is not None:
                continue
            self._log(inc, "inject", detail=inject.note)
            if inject.add_phase is not None:
                inc.phases.append((inject.add_phase, inc.injected[order]))
            if inject.severity and inject.severity != inc.severity:
                before, inc.severity = inc.severity, inject.severity
                self._log(inc, "severity_changed", detail=f"{before} -> {inc.severity}")
                assert inc.severity_changed is not None and inc.ack is not None
                changed, inc.severity_changed = inc.severity_changed, env.event()
                changed.succeed()
                policy = self.c.org.policy(self.c.org.severities[inc.severity].escalation_policy)
                if inc.paged_at is not None and not inc.ack.triggered:
                    env.process(self._escalate(inc, policy))

    def _escalate(self, inc: IncidentState,
                  policy: EscalationPolicy | None) -> Generator[simpy.Event, Any, None]:
        env = self.env
        assert inc.ack is not None
        paged_before = inc.pages > 0 or bool(inc.requests)
        while policy is not None:
            for cycle in range(policy.repeat + 1):
                for number, level in enumerate(policy.levels, start=1):
                    if inc.ack.triggered:
                        return
                    if paged_before:
                        inc.escalations += 1
                        self._log(inc, "escalated", detail=f"{policy.id} level {number}"
                                                           f"{f' (repeat {cycle})' if cycle else ''}")
                    if not self._page_level(inc, level):
                        self._log(inc, "skipped", detail=f"{policy.id} level {number}: "
                                                         "nobody on call")
                        continue
                    paged_before = True
                    yield env.timeout(level.delay) | inc.ack
            policy = self.c.org.policy(policy.then) if policy.then else None

    def _page_level(self, inc: IncidentState, level: EscalationLevel) -> bool:
        reached = False
        for target in level.targets:
            if target.rotation is not None:
                for r in self.c.on_call[target.rotation].at(self.env.now):
                    self._page(inc, r, target.rotation)
                    reached = True
            elif target.responder is not None:
                self._page(inc, self.c.index[target.responder])
                reached = True
            else:
                self._queue(inc, self._members(target), on_grant=self._pool_granted)
                reached = True
        return reached

    def _members(self, target: Target) -> frozenset[int]:
        if target.team is not None:
            return self.c.teams.get(target.team, frozenset())
        if target.skill is not None:
            return self.c.skills.get(target.skill, frozenset())
        if target.responder is not None:
            return frozenset((self.c.index[target.responder],))
        assert target.rotation is not None
        return frozenset(self.c.on_call[target.rotation].at(self.env.now))

    def _count_page(self, inc: IncidentState, r: int, detail: str = "") -> bool:
        """Record a page to responder r; True when r is in their working hours."""
        now = self.env.now
        inc.pages += 1
        self.pages[r] += 1
        if self.c.night[r].at(now):
            self.night_pages[r] += 1
        working = self.c.working[r].at(now)
        if not working:
            self.off_hours_pages[r] += 1
        self._log(inc, "paged", self.ids[r], detail)
        return working

    def _ack_delay(self, r: int, working: bool) -> float:
        dist = self.c.ack_working[r] if working else self.c.ack_off_hours[r]
        return dist.sample(self.streams.acknowledgement)

    def _page(self, inc: IncidentState, r: int, rotation: str | None = None) -> None:
        working = self._count_page(inc, r)
        miss = self.c.responders[r].miss_probability
        if miss and self.streams.miss.random() < miss:
            self._log(inc, "missed", self.ids[r])
            return
        timer = self.env.timeout(self._ack_delay(r, working))
        timer.callbacks.append(lambda _: self._try_ack(inc, r, holding=False, rotation=rotation))

    def _queue(self, inc: IncidentState, members: frozenset[int], on_grant: Any) -> simpy.Event:
        request = self.free.get(lambda i: i in members)
        inc.requests.append(request)
        request.callbacks.append(lambda ev: on_grant(inc, ev.value))
        return request

    def _pool_granted(self, inc: IncidentState, r: int) -> None:
        assert inc.ack is not None
        if inc.ack.triggered:
            self.free.put(r)
            return
        working = self._count_page(inc, r, "team pool")
        timer = self.env.timeout(self._ack_delay(r, working))
        timer.callbacks.append(lambda _: self._try_ack(inc, r, holding=True))

    def _try_ack(self, inc: IncidentState, r: int, holding: bool,
                 rotation: str | None = None) -> None:
        assert inc.ack is not None
        if inc.ack.triggered:
            if holding:
                self.free.put(r)
            return
        if not holding:
            if r not in self.free.items:
                self._log(inc, "busy", self.ids[r])
                return
            self.free.items.remove(r)  # a direct take: removing a token cannot satisfy a waiter
        now = self.env.now
        inc.acknowledged_at = now
        inc.acknowledged_by = r
        self.acknowledgements[r] += 1
        self._log(inc, "acknowledged", self.ids[r])
        self._engage(inc, r)
        for request in inc.requests:
            if not request.triggered:
                request.cancel()
        inc.requests.clear()
        inc.ack.succeed(r)
        if rotation is not None and self.c.handover[rotation]:
            self.env.process(self._handover(inc, r, rotation))

    def _engage(self, inc: IncidentState, r: int) -> None:
        inc.engaged[r] = self.env.now
        inc.involved.append(r)
        self.incidents_worked[r] += 1
        self._log(inc, "engaged", self.ids[r])

    def _release(self, inc: IncidentState, r: int) -> None:
        self.engaged_minutes[r] += self.env.now - inc.engaged.pop(r)
        self.free.put(r)

    def _handover(self, inc: IncidentState, r: int,
                  rotation: str) -> Generator[simpy.Event, Any, None]:
        """When r's shift on `rotation` ends, the incoming on-call takes the incident over: they
        join once free and acknowledged, then r leaves. Repeats for every shift until resolved."""
        env = self.env
        schedule = self.c.on_call[rotation]
        assert inc.done is not None
        while True:
            ends = schedule.next_time(env.now, lambda v, r=r: bool(v) and r not in v)
            if ends is None:
                return
            yield env.timeout(ends - env.now) | inc.done
            if inc.done.triggered:
                return
            incoming = next(i for i in schedule.at(env.now) if i != r)
            if incoming not in inc.engaged:
                request = self.free.get(incoming.__eq__)
                yield request | inc.done
                if inc.done.triggered:
                    if request.triggered:
                        self.free.put(incoming)
                    else:
                        request.cancel()
                    return
                yield env.timeout(self._ack_delay(incoming, self.c.working[incoming].at(env.now)))
                self._engage(inc, incoming)
                if inc.done.triggered:  # resolved during the incoming acknowledgement
                    self._release(inc, incoming)
                    return
            if r in inc.engaged:
                self._log(inc, "handed_over", self.ids[r], f"to {self.ids[incoming]}")
                self._release(inc, r)
            r = incoming

    def _satisfied(self, inc: IncidentState, target: Target) -> bool:
        members = self._members(target)
        return any(r in members for r in inc.engaged)

    def _mobilise(self, inc: IncidentState, target: Target) -> simpy.Event | None:
        members = self._members(target)
        if not members:
            self._log(inc, "unfilled", detail=f"{target.kind} {target.ref}: nobody available")
            return None
        done = self.env.event()

        def granted(inc: IncidentState, r: int) -> None:
            timer = self.env.timeout(self._ack_delay(r, self.c.working[r].at(self.env.now)))
            timer.callbacks.append(lambda _: engaged(inc, r))

        def engaged(inc: IncidentState, r: int) -> None:
            self._engage(inc, r)
            done.succeed()

        request = self.free.get(lambda i: i in members)
        request.callbacks.append(lambda ev: granted(inc, ev.value))
        self._log(inc, "mobilising", detail=f"{target.kind} {target.ref}")
        return done

    def _pace(self, inc: IncidentState, skill: str | None, unskilled: float) -> float:
        """Multiplier on a phase's drawn duration given who is engaged."""
        engaged = inc.engaged
        if skill is not None:
            skilled = [r for r in engaged if skill in self.c.responders[r].skills]
            if skilled:
                return 1.0 / max(self.c.responders[r].speed for r in skilled)
            return unskilled / max((self.c.responders[r].speed for r in engaged), default=1.0)
        return 1.0 / max((self.c.responders[r].speed for r in engaged), default=1.0)


def simulate(compiled: CompiledOrg, scenario: Scenario, seed: int, replication: int) -> RunRecords:
    """Run replication `replication` of a scenario; the same arguments give the same records."""
    sim = Simulation(compiled, scenario, Streams.for_replication(seed, replication))
    return sim.run(replication)
