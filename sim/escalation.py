"""Paging, escalation and acknowledgement, shared by every incident of a replication.

Escalation follows PagerDuty: each level's delay counts from the moment that level was paged, a
level with nobody on call is skipped, the chain repeats `repeat` times, and any page already sent
can still be acknowledged later. Each escalation policy paging an incident is a track with its own
acknowledgement, so parallel response teams are answered independently; the incident is
acknowledged at the first. Responders hold `capacity` tokens in one FilterStore: engaging takes a
token and leaving returns it, so team pools queue first-come first-served for the first free
member."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy

from drillsim.scenarios.org import EscalationLevel, EscalationPolicy, Target
from drillsim.sim.arrivals import IncidentState, Track
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.streams import Streams

Event = tuple[int, float, str, str, str]  # incident, minute, kind, actor, detail


class Paging:
    """The responders' shared state and everything that pages, acknowledges and engages them."""

    def __init__(self, compiled: CompiledOrg, streams: Streams) -> None:
        self.c = compiled
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

    def _log(self, inc: IncidentState, kind: str, actor: str = "", detail: str = "") -> None:
        self.events.append((inc.id, self.env.now, kind, actor, detail))

    def _start_track(self, inc: IncidentState, policy: EscalationPolicy) -> None:
        track = Track(policy=policy, ack=self.env.event(), paged_at=self.env.now)
        inc.tracks.append(track)
        self.env.process(self._escalate(inc, track))

    def _escalate(self, inc: IncidentState, track: Track) -> Generator[simpy.Event, Any, None]:
        env = self.env
        assert track.ack is not None
        first = True
        policy: EscalationPolicy | None = track.policy
        while policy is not None:
            for cycle in range(policy.repeat + 1):
                for number, level in enumerate(policy.levels, start=1):
                    if track.ack.triggered:
                        return
                    if not first:
                        inc.escalations += 1
                        self._log(inc, "escalated", detail=f"{policy.id} level {number}"
                                                           f"{f' (repeat {cycle})' if cycle else ''}")
                    if not self._page_level(inc, track, level):
                        self._log(inc, "skipped", detail=f"{policy.id} level {number}: "
                                                         "nobody on call")
                        continue
                    first = False
                    yield env.timeout(level.delay) | track.ack
            policy = self.c.policies[policy.then] if policy.then else None

    def _page_level(self, inc: IncidentState, track: Track, level: EscalationLevel) -> bool:
        reached = False
        for target in level.targets:
            if target.rotation is not None:
                for r in self.c.on_call[target.rotation].at(self.env.now):
                    self._page(inc, track, r, target.rotation)
                    reached = True
            elif target.responder is not None:
                self._page(inc, track, self.c.index[target.responder])
                reached = True
            else:
                self._queue(inc, track, self._members(target))
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

    def _delivery(self, inc: IncidentState) -> float:
        """How long the alert takes to reach someone on the severity's channel."""
        delay = self.c.delivery[inc.severity]
        return 0.0 if delay is None else delay.sample(self.streams.delivery)

    def _after(self, delay: float, then: Callable[[], None]) -> None:
        timer = self.env.timeout(delay)
        timer.callbacks.append(lambda _: then())

    def _page(self, inc: IncidentState, track: Track, r: int, rotation: str | None = None) -> None:
        working = self._count_page(inc, r)
        miss = self.c.miss[r]
        if miss and self.streams.miss.random() < miss:
            self._log(inc, "missed", self.ids[r])
            return
        delay = self._delivery(inc) + self._ack_delay(r, working)
        self._after(delay, lambda: self._try_ack(inc, track, r, holding=False, rotation=rotation))

    def _queue(self, inc: IncidentState, track: Track, members: frozenset[int]) -> None:
        request = self.free.get(lambda i: i in members)
        track.requests.append(request)
        request.callbacks.append(lambda ev: self._pool_granted(inc, track, ev.value))

    def _pool_granted(self, inc: IncidentState, track: Track, r: int) -> None:
        assert track.ack is not None
        if track.ack.triggered:
            self.free.put(r)
            return
        working = self._count_page(inc, r, "team pool")
        delay = self._delivery(inc) + self._ack_delay(r, working)
        self._after(delay, lambda: self._try_ack(inc, track, r, holding=True))

    def _try_ack(self, inc: IncidentState, track: Track, r: int, holding: bool,
                 rotation: str | None = None) -> None:
        assert track.ack is not None
        if track.ack.triggered:
            if holding:
                self.free.put(r)
            return
        if r in inc.engaged:  # already on this incident through another track: no new token
            if holding:
                self.free.put(r)
        elif not holding:
            if r not in self.free.items:
                self._log(inc, "busy", self.ids[r])
                return
            self.free.items.remove(r)  # a direct take: removing a token cannot satisfy a waiter
        now = self.env.now
        track.acknowledged_at = now
        track.acknowledged_by = r
        self.acknowledgements[r] += 1
        self._log(inc, "acknowledged", self.ids[r], track.policy.id)
        for request in track.requests:
            if not request.triggered:
                request.cancel()
        track.requests.clear()
        track.ack.succeed(r)
        if r not in inc.engaged:
            self._engage(inc, r)
            if rotation is not None and self.c.handover[rotation]:
                self.env.process(self._handover(inc, r, rotation))
        if inc.acknowledged_at is None:
            inc.acknowledged_at = now
            inc.acknowledged_by = r
            if inc.ack is not None:
                inc.ack.succeed(r)

    def _engage(self, inc: IncidentState, r: int) -> None:
        inc.engaged[r] = self.env.now
        inc.involved.append(r)
        self.incidents_worked[r] += 1
        self._log(inc, "engaged", self.ids[r])

    def _release(self, inc: IncidentState, r: int) -> None:
        since = inc.engaged.pop(r)
        inc.engagements.append((r, since, self.env.now))
        self.engaged_minutes[r] += self.env.now - since
        self.free.put(r)

    def _handover(self, inc: IncidentState, r: int,
                  rotation: str) -> Generator[simpy.Event, Any, None]:
        """When r's shift on `rotation` ends, the incoming on-call takes the incident over: they
        join once free and acknowledged, then r leaves. Repeats for every shift until resolved."""
        env = self.env
        schedule = self.c.on_call[rotation]
        if inc.done is None:
            inc.done = env.event()
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
                if inc.done.triggered:  # resolved while the incoming responder acknowledged
                    self.free.put(incoming)
                    return
                self._engage(inc, incoming)
            if r in inc.engaged:
                self._log(inc, "handed_over", self.ids[r], f"to {self.ids[incoming]}")
                self._release(inc, r)
            r = incoming

    def _satisfied(self, inc: IncidentState, target: Target) -> bool:
        members = self._members(target)
        return any(r in members for r in inc.engaged)

    def _mobilise(self, inc: IncidentState, target: Target) -> Generator[simpy.Event, Any, None]:
        """Bring in someone the incident requires: the first free member, once they acknowledge."""
        members = self._members(target)
        if not members:
            self._log(inc, "unfilled", detail=f"{target.kind} {target.ref}: nobody available")
            return
        self._log(inc, "mobilising", detail=f"{target.kind} {target.ref}")
        r = yield self.free.get(lambda i: i in members)
        yield self.env.timeout(self._ack_delay(r, self.c.working[r].at(self.env.now)))
        self._engage(inc, r)
