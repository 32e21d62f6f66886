"""A bare hand-written SimPy model of the incident lifecycle: the baseline drillsim is timed against.

It does the same work as the engine for the benchmark's organisation (detection, paging mode,
escalation levels repeating, misses, busy responders, acknowledgement by the hour, mobilising a
required skill as a pool served most severe first with its pages counted and missed pages passed
on, skill-paced phases, releasing people) and keeps the same records (the event log, pages, night
and off-hours pages and engaged minutes per responder), with nothing general: on-call, working
hours and nights are read from precomputed arrays and every distribution is a lognormal drawn
directly."""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from drillsim.scenarios.distributions import LogNormal
from drillsim.scenarios.org import PagingMode
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.state import IncidentState


def _arrays(schedule: Any, horizon: float) -> tuple[list[float], list[Any]]:
    schedule.at(horizon)  # build the lazy schedule to the end
    return schedule.times, schedule.values


def run_bare(c: CompiledOrg, incidents: list[IncidentState], seed: int,
             horizon: float) -> list[tuple[float, ...]]:
    """Simulate the incidents; one row (started, detected, paged, acknowledged, resolved) each."""
    env = simpy.Environment()
    rng = np.random.default_rng(seed)
    capacity = [r.capacity for r in c.responders]
    load = [0] * len(capacity)
    waiting: list[list[Any]] = [[] for _ in capacity]
    order = itertools.count()
    rotations = {rid: _arrays(s, horizon) for rid, s in c.on_call.items()}
    working = [_arrays(s, horizon) for s in c.working]
    night = [_arrays(s, horizon) for s in c.night]
    n = len(c.responders)
    pages, night_pages, off_hours, engaged_minutes = [0] * n, [0] * n, [0] * n, [0.0] * n
    business = _arrays(c.business, horizon)
    ack_params = [[d.params for d in dists] for dists in (c.ack_working, c.ack_evening,
                                                           c.ack_sleep)]
    assert all(isinstance(d, LogNormal) for d in (*c.ack_working, *c.ack_evening, *c.ack_sleep))
    policies = {p.id: p for p in c.org.escalation_policies}
    events: list[tuple[int, float, str, int, str]] = []
    rows: list[tuple[float, ...]] = []

    def value(arrays: tuple[list[float], list[Any]], now: float) -> Any:
        return arrays[1][bisect.bisect_right(arrays[0], now) - 1]

    def ack_delay(r: int, works: bool) -> float:
        mu, sigma = ack_params[0 if works else (2 if value(night[r], env.now) else 1)][r]
        return float(rng.lognormal(mu, sigma))

    def ask(members: frozenset[int], rank: int, grant: Any) -> None:
        free = [r for r in members if load[r] < capacity[r]]
        if free:
            r = min(free)
            load[r] += 1
            grant(r)
            return
        entry = [rank, env.now, next(order), grant, False]
        for r in members:
            heapq.heappush(waiting[r], entry)

    def give_back(r: int) -> None:
        load[r] -= 1
        while waiting[r]:
            entry = heapq.heappop(waiting[r])
            if not entry[4]:
                entry[4] = True
                load[r] += 1
                entry[3](r)
                return

    def next_opening(now: float, after_current: bool) -> float:
        times, values = business
        i = bisect.bisect_right(times, now) - 1
        if values[i] and not after_current:
            return now
        i += 1
        while not values[i] or (after_current and times[i] <= now):
            i += 1
        return times[i]

    def try_ack(inc: int, ack: simpy.Event, r: int) -> None:
        if ack.triggered:
            return
        if load[r] >= capacity[r]:
            events.append((inc, env.now, "busy", r, ""))
            return
        load[r] += 1
        events.append((inc, env.now, "acknowledged", r, ""))
        events.append((inc, env.now, "engaged", r, ""))
        ack.succeed(r)

    def count(inc: int, r: int) -> bool:
        events.append((inc, env.now, "paged", r, ""))
        pages[r] += 1
        if value(night[r], env.now):
            night_pages[r] += 1
        works = bool(value(working[r], env.now))
        if not works:
            off_hours[r] += 1
        return works

    def page(inc: int, ack: simpy.Event, r: int) -> None:
        works = count(inc, r)
        if rng.random() < c.miss[r]:
            events.append((inc, env.now, "missed", r, ""))
            return
        timer = env.timeout(ack_delay(r, works))
        timer.callbacks.append(lambda _: try_ack(inc, ack, r))

    def escalate(inc: int, ack: simpy.Event, pid: str) -> Generator[simpy.Event, Any, None]:
        policy = policies[pid]
        first = True
        for _ in range(policy.repeat + 1):
            for level in policy.levels:
                if ack.triggered:
                    return
                if not first:
                    events.append((inc, env.now, "escalated", -1, pid))
                reached = False
                for target in level.targets:
                    assert target.rotation is not None
                    for r in value(rotations[target.rotation], env.now):
                        page(inc, ack, r)
                        reached = True
                if reached:
                    first = False
                    yield env.timeout(level.delay) | ack

    def lifecycle(inc: IncidentState) -> Generator[simpy.Event, Any, None]:
        events.append((inc.id, env.now, "started", -1, inc.template.type))
        yield env.timeout(inc.detect_delay)
        detected = env.now
        events.append((inc.id, env.now, "detected", -1, inc.detected_by))
        events.append((inc.id, env.now, "declared", -1, inc.severity))
        mode = c.org.severities[inc.severity].paging
        if mode is not PagingMode.ALWAYS:
            opens = next_opening(env.now, mode is PagingMode.NEXT_BUSINESS_DAY)
            if opens > env.now:
                events.append((inc.id, env.now, "deferred", -1, mode.value))
                yield env.timeout(opens - env.now)
        paged = env.now
        ack = env.event()
        env.process(escalate(inc.id, ack, c.org.severities[inc.severity].escalation_policy))
        first = yield ack
        acknowledged = env.now
        engaged = {first: env.now}
        rank = c.ranks[inc.severity]
        for target in inc.template.requires:
            members = c.skills[target.skill] if target.skill else frozenset()
            if not any(r in members for r in engaged):
                events.append((inc.id, env.now, "mobilising", -1, target.ref))
                joined = env.event()

                def granted(r: int, rest: frozenset[int], joined: simpy.Event = joined) -> None:
                    works = count(inc.id, r)
                    if rng.random() < c.miss[r]:  # the page passes to the next free member
                        events.append((inc.id, env.now, "missed", r, ""))
                        give_back(r)
                        if rest - {r}:
                            ask(rest - {r}, rank, lambda q: granted(q, rest - {r}))
                        return
                    timer = env.timeout(ack_delay(r, works))
                    timer.callbacks.append(lambda _: joined.succeed(r))

                ask(members - set(engaged), rank, lambda r, m=members - set(engaged): granted(r, m))
                who = yield joined
                events.append((inc.id, env.now, "acknowledged", who, ""))
                events.append((inc.id, env.now, "engaged", who, ""))
                engaged[who] = env.now
        mitigated = None
        for phase, minutes in inc.phases:
            events.append((inc.id, env.now, "phase", -1, phase.name))
            assert isinstance(minutes, float)
            skilled = [c.speeds[r] for r in engaged if phase.skill is None
                       or r in c.skills.get(phase.skill, ())]
            pace = 1 / max(skilled) if skilled else phase.unskilled_factor / max(
                c.speeds[r] for r in engaged)
            yield env.timeout(minutes * pace)
            if phase.mitigates and mitigated is None:
                mitigated = env.now
                events.append((inc.id, env.now, "mitigated", -1, ""))
        events.append((inc.id, env.now, "resolved", -1, ""))
        for r, since in engaged.items():
            engaged_minutes[r] += env.now - since
            give_back(r)
        rows.append((inc.started_at, detected, paged, acknowledged, env.now))

    def arrivals() -> Generator[simpy.Event, Any, None]:
        for inc in incidents:
            yield env.timeout(inc.started_at - env.now)
            env.process(lifecycle(inc))

    env.process(arrivals())
    env.run()
    assert not math.isnan(sum(r[-1] for r in rows))
    return rows
