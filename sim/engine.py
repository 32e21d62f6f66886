"""The incident lifecycle in SimPy, run once per replication: impact starts, the first
signal detects it, someone may assess it before it is declared, routing by severity defers the
page or sends it, escalation runs until someone acknowledges, the roles it needs are mobilised
along their own paths, work phases (or response options tried in turn) run to mitigation and
resolution while people are on it, and the tasks it owes take the time of people in roles."""

from __future__ import annotations

import gc
import math
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import simpy
from simpy.events import URGENT

from drillsim.scenarios.durations import format_duration
from drillsim.scenarios.org import PagingMode
from drillsim.scenarios.policy import Deadline as DeadlineRule
from drillsim.scenarios.policy import Task
from drillsim.scenarios.scenario import Phase, Scenario
from drillsim.sim.arrivals import incidents_for
from drillsim.sim.compiled import CompiledOrg, Level, Path, Reach, RoleNeed
from drillsim.sim.cost import crossing
from drillsim.sim.obligations import milestone, obligations
from drillsim.sim.paging import Paging
from drillsim.sim.records import incident_row
from drillsim.sim.stack import on_fresh_stack
from drillsim.sim.state import IncidentState, Track
from drillsim.sim.streams import Streams

TAIL = 30 * 1440.0  # a run ends this long after its last incident starts
NAN = math.nan


@dataclass(frozen=True)
class RunRecords:
    """What one replication produced, as flat rows; frames are built once, by the caller."""

    replication: int
    incidents: list[tuple[Any, ...]]
    events: list[Any]  # the event log, flat: see `paging.event_rows`
    deadlines: list[tuple[Any, ...]]
    mobilisations: list[tuple[Any, ...]]
    responders: list[tuple[Any, ...]]
    end_at: float


@dataclass(frozen=True, slots=True)
class _Route:
    """How a simple incident of one type and severity is paged, worked out once per run."""

    policies: tuple[str, ...]
    # the one policy's path and its one level, when that asks one pool and no role is needed
    queue: tuple[Path, Level] | None
    at_once: bool  # paged on declaration, whatever the hour
    owes: bool  # the severity has deadlines
    started: str  # the detail of its "started" row


FRESH_STACK_FROM = 500  # incidents from which a replication runs on a stack of its own
_UNKNOWN: Any = object()  # a route not yet worked out


class Simulation:
    """One replication of a scenario against a compiled organisation."""

    def __init__(self, compiled: CompiledOrg, scenario: Scenario, streams: Streams,
                 events: bool = True, quick: bool = True) -> None:
        self.c = compiled
        self.scenario = scenario
        self.streams = streams
        self.env = simpy.Environment()
        self.events: list[Any] = []
        self.paging = Paging(self.env, compiled, streams, self.events if events else None)
        self.keep_events = events
        self.people = self.paging.people
        self.log = self.paging.log
        self.row = self.paging.row
        self.tasks: list[list[Any]] = []  # incident, severity, name, occurrence, due, done, unstaffed
        self.mobilised: list[list[Any]] = []  # incident, role, requested, engaged, by, track
        self._needs: dict[int, list[RoleNeed]] = {}  # each incident type's requirements, by id
        self.quick = quick  # simple incidents as callbacks; off, every incident is a process
        # by type's id and severity: how a simple incident is paged; None when not simple
        self._routes: dict[tuple[int, str], _Route | None] = {}

    def run(self, replication: int, outcomes: bool = True) -> RunRecords:
        return self.records(replication, self.play(), outcomes)

    def play(self) -> list[IncidentState]:
        """Run every incident of the replication to the end of the run."""
        workload = self.scenario.workload
        with collector_paused():
            if workload is not None and workload.expected >= FRESH_STACK_FROM:
                return on_fresh_stack(self._play)
            return self._play()

    def _play(self) -> list[IncidentState]:
        incidents = incidents_for(self.scenario, self.c.org, self.c.clock, self.streams)
        self._soon(lambda _: self._arrivals(incidents))
        last = incidents[-1].started_at if incidents else 0.0
        self.paging.end = max(last, self.scenario.workload.horizon
                              if self.scenario.workload else 0.0) + TAIL
        self.env.run(until=self.paging.end)
        return incidents

    def records(self, replication: int, incidents: list[IncidentState],
                outcomes: bool = True) -> RunRecords:
        """The replication's flat rows, from its incidents as the run left them (without
        `outcomes`, the incident rows leave out cost, data loss, RTO/RPO and updates)."""
        end = self.env.now
        rows, deadlines = [], []
        by_id = {inc.id: inc for inc in incidents}
        for inc in incidents:
            more_events, owed = obligations(inc, self.c, end)
            if self.keep_events:
                for event in more_events:
                    self.events.extend(event)
            deadlines.extend(owed)
        for ident, _, name, k, due, done, unstaffed in self.tasks:
            inc = by_id[ident]
            if name not in {d.name for d in self._rules(inc)}:
                continue  # owed under a severity the incident no longer has
            until = milestone(inc, next(d.until for d in self._rules(inc) if d.name == name))
            if k > 1 and not due < (end if math.isnan(until) else until):
                continue  # the incident ended before this update fell due
            status = "unstaffed" if unstaffed else ("missed" if math.isnan(done) else (
                "met" if done <= due else "late"))
            deadlines.append((ident, inc.severity, name, k, due, done, status == "met", status))
        per_incident: dict[int, list[tuple[Any, ...]]] = {}
        for deadline in deadlines:
            per_incident.setdefault(deadline[0], []).append(deadline)
        for inc in incidents:
            rows.append(incident_row(replication, inc, self.c, per_incident.get(inc.id, []), end,
                                     outcomes))
        mobilisations = [
            (inc_id, by_id[inc_id].severity, role, requested, engaged,
             None if by is None else self.paging.ids[by], track.pages if track else 0,
             outcome if outcome else ("engaged" if by is not None else "waiting at end of run"))
            for inc_id, role, requested, engaged, by, track, outcome in self.mobilised]
        p = self.paging
        responders = list(zip(p.ids, p.pages, p.night_pages, p.off_hours_pages, p.acknowledgements,
                              p.engaged_minutes, p.incidents_worked, strict=True))
        return RunRecords(replication, rows, self.events, deadlines, mobilisations, responders,
                          end)

    def _rules(self, inc: IncidentState) -> tuple[DeadlineRule, ...]:
        return self.c.deadlines[inc.severity]

    # --- milestones ---------------------------------------------------------------------------

    def _reached(self, inc: IncidentState, name: str) -> simpy.Event:
        """An event that fires when the incident reaches a milestone (at once if it has)."""
        if not math.isnan(milestone(inc, name)):
            return self.env.timeout(0)
        waiting = inc.milestones
        if waiting is None:
            waiting = inc.milestones = {}
        if name not in waiting:
            waiting[name] = self.env.event()
            if name.startswith("cost:"):
                self.env.process(self._watch_cost(inc, name))
        return waiting[name]

    def _watch_cost(self, inc: IncidentState, name: str) -> Generator[simpy.Event, Any, None]:
        """Reach `cost:AMOUNT` at the minute the estimated cost reaches AMOUNT. The cost grows
        piecewise linearly: wake when it would cross at the present rates, or sooner when
        someone joins (the rate rises) or the incident is resolved (it stops), and look again."""
        env = self.env
        threshold = float(name[5:])
        resolved = self._reached(inc, "resolved")
        while True:
            at = crossing(inc, self.c, threshold,
                          math.inf if inc.resolved_at is None else inc.resolved_at)
            if at <= env.now + 1e-9:  # a wake-up at the crossing may land a rounding short
                inc.reach(name, at)
                return
            if inc.resolved_at is not None:
                return  # it never cost that much
            wake = [resolved, self._staffed(inc)]
            if not math.isnan(at):
                wake.append(env.timeout(at - env.now))
            yield env.any_of(wake)

    # --- the lifecycle ------------------------------------------------------------------------

    def _arrivals(self, incidents: list[IncidentState], at: int = 0) -> None:
        """Start every incident due now, then wait for the next: a timer chain, not a process."""
        now, count = self.env.now, len(incidents)
        due = at
        while due < count and not incidents[due].started_at > now:
            due += 1
        if due < count:
            self.env.timeout(incidents[due].started_at - now).callbacks.append(
                lambda _: self._arrivals(incidents, due))
        for i in range(at, due):
            self._begin(incidents[i], due - at == 1)

    def _begin(self, inc: IncidentState, alone: bool) -> None:
        """Start an incident's lifecycle. A simple one (nothing can change its course: no
        injects, at most one role to mobilise, no assessment, no response options, no
        preemption) runs as a chain of callbacks, the others as a process; either starts the
        way a process does, ahead of anything else due now, so both give the same records.
        Started `alone` (nothing else starts now), a simple one starts at once: its start
        would be the very next step, as nothing else can be due ahead of it."""
        key = (id(inc.template), inc.severity)
        route = self._routes.get(key, _UNKNOWN)
        if route is _UNKNOWN:
            route = self._routes[key] = self._route(inc)
        if route is not None and inc.assessment == 0:
            if alone:
                self._start(inc, route)
            else:
                self._soon(lambda _: self._start(inc, route))
        else:
            self.env.process(self._lifecycle(inc))

    def _soon(self, then: Callable[[simpy.Event], None]) -> None:
        """`then(event)` now but after the present step, ahead of other events now: when a
        process started here would take its first step."""
        start = simpy.Event(self.env)
        start._ok, start._value = True, None  # triggered at creation, like a process's start
        start.callbacks.append(then)
        self.env.schedule(start, URGENT)

    # --- a simple incident's lifecycle, step by step -----------------------------------------

    def _start(self, inc: IncidentState, route: _Route) -> None:
        now = self.env.now
        if inc.detect_delay == 0 and route.at_once and route.queue is not None:
            self._queue(inc, route, *route.queue, now)
            return
        self._started(inc, now)
        if inc.detect_delay == 0:
            self._declare(inc, now, route)
        elif inc.detect_delay == math.inf:
            self.log(inc, "undetected", detail="no signal fires")
        else:
            self.env.timeout(inc.detect_delay).callbacks.append(
                lambda _: self._declare(inc, self.env.now, route))

    def _declare(self, inc: IncidentState, now: float, route: _Route) -> None:
        self._detected(inc, now)
        self._declared(inc, now)
        wait = self.c.routing_wait(inc.severity, now)
        if wait > 0:
            self._deferred(inc, wait)
            self.env.timeout(wait).callbacks.append(
                lambda _: self._call(inc, self.env.now, route))
        else:
            self._call(inc, now, route)

    def _call(self, inc: IncidentState, now: float, route: _Route) -> None:
        inc.paged_at = now
        if inc.milestones:
            inc.wake("paged")
        if route.queue is not None:  # no roles to mobilise: engaged on the answer
            self._pool_engaged(inc, self.paging.start_pool(inc, *route.queue, now).ack, now)
            return
        policies = route.policies
        if len(policies) == 1:
            ack = self.paging.start(inc, self.c.paths[policies[0]]).ack
        else:
            ack = inc.ack = self.env.event()
            self._page(inc)
        _when(ack, lambda answer: self._answered(inc, answer))

    def _queue(self, inc: IncidentState, route: _Route, path: Path, level: Level,
               now: float) -> None:
        """A team queue's incident, detected and paged at once: `_start`, `_declare` and `_call`
        in one step, as a queue runs it for every incident. Nothing waits on its milestones yet:
        whatever will (its deadlines' work) is started here, and takes its first step later."""
        row, ident, severity = self.row, inc.id, inc.severity
        row((ident, now, "started", "", route.started))
        if route.owes:
            self._owe(inc)
        inc.detected_at = inc.declared_at = inc.paged_at = now
        row((ident, now, "detected", inc.detected_by, ""))
        row((ident, now, "declared", "", severity))
        self._pool_engaged(inc, self.paging.start_pool(inc, path, level, now).ack, now)

    def _pool_engaged(self, inc: IncidentState, ack: simpy.Event, now: float) -> None:
        """Engaged once a team queue's page is answered: now, if it was at once."""
        if ack.callbacks is None:
            self._engaged(inc, now)
        else:
            ack.callbacks.append(
                lambda e: None if e.value is None else self._engaged(inc, self.env.now))

    def _route(self, inc: IncidentState) -> _Route | None:
        """How an incident of this type and severity is paged if it is simple (see `_begin`);
        None if it runs as a process."""
        template, severity = inc.template, inc.severity
        if not (self.quick and not self.c.org.preempt and not template.injects
                and len(template.requires) < 2
                and all(p.duration is not None for p in template.phases)):
            return None
        policies = self.c.policies_for(template, severity)
        path = self.c.paths[policies[0]] if len(policies) == 1 else None
        queue = (path, path.levels[0]) if (
            path is not None and len(path.levels) == 1 and not path.repeat
            and path.then is None and len(path.levels[0].reaches) == 1
            and path.levels[0].reaches[0].pool and not template.requires) else None
        return _Route(policies, queue, self.c.modes[severity] is PagingMode.ALWAYS,
                      bool(self.c.deadlines[severity]), f"{template.type} {severity}")

    def _answered(self, inc: IncidentState, answer: int | None) -> None:
        if answer is None:
            return  # every policy ran out without an answer
        needs = self._needs_of(inc)
        if needs and self._on_incident(inc, needs[0]) is None:
            self._mobilise_then(inc, needs[0], lambda _: self._engaged(inc, self.env.now))
        else:
            self._engaged(inc, self.env.now)

    def _engaged(self, inc: IncidentState, now: float) -> None:
        inc.engaged_at = now
        if inc.milestones:
            inc.wake("engaged")
        self._work(inc, 0, now)

    def _work(self, inc: IncidentState, index: int, now: float) -> None:
        """Work phase `index`, then the next; after the last, resolve. Every simple incident
        takes this step, so `_pace` in its usual case is written out."""
        if index == len(inc.phases):
            self._resolve(inc, now)
            return
        phase, plan = inc.phases[index]
        self.row((inc.id, now, "phase", "", phase.name))
        assert isinstance(plan, float)
        if phase.skill is None and len(inc.engaged) == 1:
            for r in inc.engaged:
                minutes = plan * (1.0 / self.c.speeds[r])
        else:
            minutes = plan * self._pace(inc, phase.skill, phase.unskilled_factor)

        def worked(_: simpy.Event) -> None:
            now = self.env.now
            self._phase_done(inc, phase, True, now)
            self._work(inc, index + 1, now)

        self.env.timeout(minutes).callbacks.append(worked)

    # --- the steps both lifecycles share ------------------------------------------------------

    # every incident takes these steps: they set milestones and write log rows directly, and
    # wake waiters only when something waits

    def _started(self, inc: IncidentState, now: float) -> None:
        self.row((inc.id, now, "started", "", f"{inc.template.type} {inc.severity}"))
        if self.c.deadlines[inc.severity]:
            self._owe(inc)

    def _detected(self, inc: IncidentState, now: float) -> None:
        inc.detected_at = now
        if inc.milestones:
            inc.wake("detected")
        self.row((inc.id, now, "detected", inc.detected_by, ""))

    def _declared(self, inc: IncidentState, now: float) -> None:
        inc.declared_at = now
        if inc.milestones:
            inc.wake("declared")
        self.row((inc.id, now, "declared", "", inc.severity))

    def _deferred(self, inc: IncidentState, wait: float) -> None:
        self.log(inc, "deferred", detail=f"{self.c.org.severities[inc.severity].paging.value} "
                                         f"for {format_duration(wait)}")

    def _phase_done(self, inc: IncidentState, phase: Phase, worked: bool, now: float) -> None:
        inc.phase_ended(phase.name, now)
        if phase.mitigates and worked and inc.mitigated_at is None:
            self._mitigated(inc, now)

    def _mitigated(self, inc: IncidentState, now: float) -> None:
        inc.mitigated_at = now
        if inc.milestones:
            inc.wake("mitigated")
        self.row((inc.id, now, "mitigated", "", ""))

    def _resolve(self, inc: IncidentState, now: float) -> None:
        if inc.mitigated_at is None:
            self._mitigated(inc, now)
        inc.resolved_at = now
        if inc.milestones:
            inc.wake("resolved")
        self.row((inc.id, now, "resolved", "", ""))
        for r in list(inc.engaged):
            self.paging.release(inc, r)
        inc.engaged.clear()  # empty, but it keeps its table, which the next incident can reuse
        if inc.done is not None:
            inc.done.succeed()

    def _lifecycle(self, inc: IncidentState) -> Generator[simpy.Event, Any, None]:
        env = self.env
        may_change = any(i.severity for i in inc.template.injects)
        if may_change:
            inc.severity_changed = env.event()
        self._started(inc, env.now)
        if inc.template.injects:
            env.process(self._injects(inc))
        if inc.detect_delay == math.inf:
            self.log(inc, "undetected", detail="no signal fires")
            return
        if inc.detect_delay > 0:
            yield env.timeout(inc.detect_delay)
        self._detected(inc, env.now)
        if inc.assessment > 0:
            yield from self._assess(inc)
        self._declared(inc, env.now)
        while (wait := self.c.routing_wait(inc.severity, env.now)) > 0:
            self._deferred(inc, wait)
            if not may_change:  # nothing can cut the wait short
                yield env.timeout(wait)
                break
            changed = inc.severity_changed
            assert changed is not None
            yield env.timeout(wait) | changed
            if not changed.triggered:
                break
        inc.reach("paged", env.now)
        policies = self.c.policies_for(inc.template, inc.severity)
        if len(policies) == 1 and not may_change:  # one track, nothing can add another
            answer = yield self.paging.start(inc, self.c.paths[policies[0]]).ack
        else:
            inc.ack = env.event()
            self._page(inc)
            answer = yield inc.ack
        if answer is None:
            return  # every policy ran out without an answer
        missing = [n for n in self._needs_of(inc) if self._on_incident(inc, n) is None]
        if len(missing) == 1:
            yield from self._mobilise(inc, missing[0])
        elif missing:
            yield env.all_of([env.process(self._mobilise(inc, n)) for n in missing])
        inc.reach("engaged", env.now)
        inc.worker = env.active_process
        preempt = self.c.org.preempt
        index = 0
        while index < len(inc.phases):  # injects may append phases while this runs
            phase, plan = inc.phases[index]
            self.log(inc, "phase", detail=phase.name)
            if isinstance(plan, float):
                minutes = plan * self._pace(inc, phase.skill, phase.unskilled_factor)
                if preempt:
                    yield from self._spend(inc, minutes)
                else:  # nobody is ever pulled off: plain work
                    yield env.timeout(minutes)
                worked = True
            else:
                worked = yield from self._try_options(inc, phase, plan)
            self._phase_done(inc, phase, worked, env.now)
            index += 1
        inc.worker = None
        self._resolve(inc, env.now)

    def _needs_of(self, inc: IncidentState) -> list[RoleNeed]:
        needs = self._needs.get(id(inc.template))
        if needs is None:
            needs = self._needs[id(inc.template)] = [self.c.need(t) for t in inc.template.requires]
        return needs

    def _page(self, inc: IncidentState) -> None:
        """Start every escalation policy the incident's severity and tags call for that is not
        already paging for it."""
        paging = {t.path.id for t in inc.tracks if t.role is None}
        for policy in self.c.policies_for(inc.template, inc.severity):
            if policy not in paging:
                self.paging.start(inc, self.c.paths[policy])

    def _spend(self, inc: IncidentState, minutes: float) -> Generator[simpy.Event, Any, None]:
        """Work on the incident for `minutes`, paused while nobody is on it."""
        env = self.env
        if not self.c.org.preempt:  # nobody is ever pulled off: plain work
            yield env.timeout(minutes)
            return
        remaining = minutes
        while remaining > 0:
            if not inc.engaged:
                self.log(inc, "paused", detail="nobody on the incident")
                yield self._staffed(inc)
            begun = env.now
            inc.spending = True
            try:
                yield env.timeout(remaining)
                return
            except simpy.Interrupt:
                remaining -= env.now - begun
            finally:
                inc.spending = False

    def _assess(self, inc: IncidentState) -> Generator[simpy.Event, Any, None]:
        """Someone assesses the signal before it is declared; it takes their time."""
        r = self._assessor(inc)
        if r is None:
            self.log(inc, "assessing", detail="nobody to assess it")
            yield self.env.timeout(inc.assessment)
            return
        with self.people.desk(r).request(priority=inc.rank) as turn:
            yield turn
            if inc.first_response_at is None:
                inc.reach("first_response", self.env.now)
            self.log(inc, "assessing", self.paging.ids[r])
            yield self.env.timeout(inc.assessment)

    def _assessor(self, inc: IncidentState) -> int | None:
        if inc.assessor is not None:
            reach = Reach("assessor", pool=self.c.members(inc.assessor)) \
                if inc.assessor.rotation is None else Reach("assessor", rotation=inc.assessor.rotation)
        else:
            path = self.c.paths[self.c.policies_for(inc.template, inc.severity)[0]]
            reach = path.levels[0].reaches[0]
        if reach.rotation is not None:
            on_call = self.c.on_call[reach.rotation].at(self.env.now)
            return on_call[0] if on_call else None
        if reach.responder is not None:
            return reach.responder
        people = sorted(reach.pool or ())
        return min(people, key=lambda r: (self.people.desk_queue(r), r), default=None)

    def _staffed(self, inc: IncidentState) -> simpy.Event:
        """An event that fires when the next person joins the incident."""
        if inc.staffed is None or inc.staffed.triggered:
            inc.staffed = self.env.event()
        return inc.staffed

    # --- mobilisation -------------------------------------------------------------------------

    def _on_incident(self, inc: IncidentState, need: RoleNeed) -> int | None:
        """Someone on the incident who fills the need (the earliest to join), if anyone does."""
        on = [r for r in inc.engaged if r in need.qualified]
        return min(on, key=inc.engaged.__getitem__, default=None)

    def _mobilise(self, inc: IncidentState,
                  need: RoleNeed) -> Generator[simpy.Event, Any, int | None]:
        """Bring in someone for a role along its own path; shared by everything on the
        incident that needs the role. None when nobody could be found."""
        mobilising = inc.mobilising_roles()
        if need.key in mobilising:
            return (yield mobilising[need.key])
        done = mobilising[need.key] = self.env.event()
        row, track = self._request(inc, need)
        r = None if track is None else (yield track.ack)
        return self._filled(inc, need, row, done, r)

    def _mobilise_then(self, inc: IncidentState, need: RoleNeed,
                       then: Callable[[int | None], None]) -> None:
        """`_mobilise` for a simple incident's lifecycle: `then(who)` once the role is filled."""
        mobilising = inc.mobilising_roles()
        if need.key in mobilising:
            _when(mobilising[need.key], then)
            return
        done = mobilising[need.key] = self.env.event()
        row, track = self._request(inc, need)
        if track is None:
            then(self._filled(inc, need, row, done, None))
        else:
            _when(track.ack, lambda r: then(self._filled(inc, need, row, done, r)))

    def _request(self, inc: IncidentState, need: RoleNeed) -> tuple[list[Any], Track | None]:
        """Start paging the role's path (no track when nobody in the organisation fills it)."""
        row: list[Any] = [inc.id, need.key, self.env.now, NAN, None, None, ""]
        self.mobilised.append(row)
        if not need.qualified:
            self.log(inc, "unfilled", detail=f"{need.key}: nobody in the organisation fills it")
            row[6] = "unstaffed"
            return row, None
        self.log(inc, "mobilising", detail=need.key)
        inc.waiting_for |= {need.key}
        track = row[5] = self.paging.start(inc, need.path, role=need.key)
        return row, track

    def _filled(self, inc: IncidentState, need: RoleNeed, row: list[Any], done: simpy.Event,
                r: int | None) -> int | None:
        if row[5] is not None:
            inc.waiting_for -= {need.key}
            if r is None:
                row[6] = "exhausted"
                self.log(inc, "unfilled", detail=f"{need.key}: nobody answered")
            else:
                row[3], row[4] = self.env.now, r
        done.succeed(r)
        return r

    # --- work ---------------------------------------------------------------------------------

    def _try_options(self, inc: IncidentState, phase: Phase,
                     plan: tuple[tuple[float, bool], ...]) -> Generator[simpy.Event, Any, bool]:
        """Try the phase's response options in order until one works; False if none did."""
        for option, (base, works) in zip(phase.options, plan, strict=True):
            if option.when is not None and option.when not in inc.facts:
                self.log(inc, "option_skipped", detail=f"{option.name}: no {option.when}")
                continue
            self.log(inc, "option", detail=option.name)
            skill = option.skill or phase.skill
            yield from self._spend(inc, base * self._pace(inc, skill, phase.unskilled_factor))
            if works:
                self.log(inc, "option_worked", detail=option.name)
                inc.restored = inc.restored or option.restores
                return True
            self.log(inc, "option_failed", detail=option.name)
        self.log(inc, "options_exhausted", detail=phase.name)
        return False

    def _injects(self, inc: IncidentState) -> Generator[simpy.Event, Any, None]:
        env = self.env
        for order, inject in sorted(enumerate(inc.template.injects), key=lambda p: p[1].at):
            yield env.timeout(max(0.0, inc.started_at + inject.at - env.now))
            if inc.resolved_at is not None:
                continue
            self.log(inc, "inject", detail=inject.note)
            if inject.add_phase is not None:
                inc.phases.append((inject.add_phase, inc.injected[order]))
            if inject.severity and inject.severity != inc.severity:
                before, inc.severity = inc.severity, inject.severity
                inc.rank = self.c.ranks[inc.severity]
                self.log(inc, "severity_changed", detail=f"{before} -> {inc.severity}")
                assert inc.severity_changed is not None
                changed, inc.severity_changed = inc.severity_changed, env.event()
                changed.succeed()
                self._owe(inc)
                if inc.paged_at is not None and inc.acknowledged_at is None:
                    self._page(inc)

    def _pace(self, inc: IncidentState, skill: str | None, unskilled: float) -> float:
        """Multiplier on a phase's drawn duration given who is engaged."""
        engaged = inc.engaged
        speeds = self.c.speeds
        if skill is not None:
            skilled = [speeds[r] for r in engaged if r in self.c.skills.get(skill, ())]
            if skilled:
                return 1.0 / max(skilled)
            return unskilled / max((speeds[r] for r in engaged), default=1.0)
        if len(engaged) == 1:  # the usual case
            for r in engaged:
                return 1.0 / speeds[r]
        return 1.0 / max((speeds[r] for r in engaged), default=1.0)

    # --- obligations that are work ----------------------------------------------------------

    def _owe(self, inc: IncidentState) -> None:
        """Start the work of every deadline the incident's severity owes that is not started."""
        tags = set(inc.template.tags)
        phases = inc.phase_names
        for rule in self._rules(inc):
            if rule.to is not None or rule.name in inc.owed:
                continue
            if rule.tags and not tags & set(rule.tags):
                continue
            if rule.from_.startswith("phase:") and rule.from_[6:] not in phases:
                continue
            inc.owed |= {rule.name}
            self.env.process(self._obligation(inc, rule))

    def _obligation(self, inc: IncidentState,
                    rule: DeadlineRule) -> Generator[simpy.Event, Any, None]:
        env = self.env
        yield self._reached(inc, rule.from_)
        yield self._reached(inc, "declared")  # nobody works on what has not been declared
        start = milestone(inc, rule.from_)
        task = rule.task or Task()
        if rule.every is None:
            assert rule.within is not None
            yield from self._do(inc, rule.name, 1, start + rule.within, task)
            return
        until = self._reached(inc, rule.until)
        k = 1
        while not until.triggered:
            env.process(self._do(inc, rule.name, k, start + k * rule.every, task))
            yield env.timeout(max(0.0, start + k * rule.every - env.now)) | until
            k += 1

    def _do(self, inc: IncidentState, name: str, k: int, due: float,
            task: Task) -> Generator[simpy.Event, Any, None]:
        """One occurrence of an obligation's work: find the person, queue at their desk, work."""
        row: list[Any] = [inc.id, inc.severity, name, k, due, NAN, False]
        self.tasks.append(row)
        need = self.c.task_need(task)
        if need is not None and not need.qualified:
            row[6] = True
            return
        r = yield from self._worker_for(inc, need)
        if r is None:
            return
        effort = task.effort.sample(self.streams.obligations)
        with self.people.desk(r).request(priority=inc.rank) as turn:
            yield turn
            yield self.env.timeout(effort)
        row[5] = self.env.now

    def _worker_for(self, inc: IncidentState,
                    need: RoleNeed | None) -> Generator[simpy.Event, Any, int | None]:
        if need is None:  # whoever owns the incident, once someone has acknowledged it
            yield self._reached(inc, "acknowledged")
            while inc.lead() is None:
                yield self._staffed(inc)
            return inc.lead()
        on = self._on_incident(inc, need)
        if on is not None:
            return on
        if inc.resolved_at is not None:  # after the incident: assigned, not paged
            involved = [r for r in inc.involved if r in need.qualified]
            if involved:
                return involved[0]
            return min(sorted(need.qualified), key=lambda r: (self.people.desk_queue(r), r))
        return (yield from self._mobilise(inc, need))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a replication runs. What a replication
    allocates is freed by reference counting or lives to its end (it makes no cyclic garbage:
    tested on every bundled scenario), so a collection would free nothing and only scan what is
    kept alive again and again, a tenth of a team queue's time. Nested or on several threads at
    once (a Dask worker's), the collector resumes when the last one leaves, if it ran before."""
    global _pausing, _was_enabled
    with _pause_lock:
        if _pausing == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pausing += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pausing -= 1
            if _pausing == 0 and _was_enabled:
                gc.enable()


_pause_lock = threading.Lock()
_pausing = 0  # replications running now, on any thread
_was_enabled = True


def _when(event: simpy.Event, then: Callable[[Any], None]) -> None:
    """`then(value)` when the event is processed, as a process waiting on it would resume: at
    once if it has been."""
    if event.callbacks is not None:
        event.callbacks.append(lambda e: then(e.value))
    else:
        then(event.value)


def simulate(compiled: CompiledOrg, scenario: Scenario, seed: int, replication: int,
             events: bool = True, outcomes: bool = True) -> RunRecords:
    """Run replication `replication` of a scenario; the same arguments give the same records."""
    sim = Simulation(compiled, scenario, Streams.for_replication(seed, replication), events)
    return sim.run(replication, outcomes)
