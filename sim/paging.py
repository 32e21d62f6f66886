"""Paging, escalation, acknowledgement and who works which incident.

Escalation follows PagerDuty: each level's delay counts from the moment that level was paged, a
level with nobody on call is skipped, the chain repeats `repeat` times, and any page already sent
can still be acknowledged later. Each path paging for an incident is a track with its own
acknowledgement, so parallel response teams are answered independently, and mobilising a role
is a track of the role's own path. A page reaches a person who may miss it (more often asleep)
and answers after a delay that depends on the hour in their own zone; someone at capacity
declines, unless the organisation lets a more severe incident pull them off a less severe one."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from functools import partial
from typing import Any

import simpy

from drillsim.sim.compiled import CompiledOrg, Level, Path
from drillsim.sim.people import People
from drillsim.sim.state import IncidentState, Track
from drillsim.sim.streams import Streams

Event = tuple[int, float, str, str, str]  # incident, minute, kind, actor, detail
FIELDS = 5  # an event's fields, kept one after another in a flat log


def event_rows(log: list[Any]) -> Iterator[Event]:
    """The events of a flat log, each as a tuple."""
    fields = iter(log)
    return zip(*[fields] * FIELDS, strict=True)


class Paging:
    """The responders' shared state and everything that pages, acknowledges and engages them."""

    def __init__(self, env: simpy.Environment, compiled: CompiledOrg, streams: Streams,
                 events: list[Any] | None) -> None:
        self.env = env
        self.c = compiled
        self.streams = streams
        # an event-log row, built by the caller, kept as its fields one after another: a run
        # keeps every row to its end, and a tuple for each would double what the log holds;
        # without a log (`events` None), none is kept
        self.row: Callable[[Event], None] = _drop if events is None else events.extend
        self.people = People(env, [r.capacity for r in compiled.responders])
        n = len(compiled.responders)
        self.pages = [0] * n
        self.night_pages = [0] * n
        self.off_hours_pages = [0] * n
        self.acknowledgements = [0] * n
        self.engaged_minutes = [0.0] * n
        self.incidents_worked = [0] * n
        self.ids = [r.id for r in compiled.responders]
        self.end = float("inf")  # when the run stops: nothing later is scheduled
        self._starting: Track | None = None  # the track `start` or `start_pool` is starting

    def log(self, inc: IncidentState, kind: str, actor: str = "", detail: str = "") -> None:
        self.row((inc.id, self.env.now, kind, actor, detail))

    # --- tracks ---------------------------------------------------------------------------

    def start(self, inc: IncidentState, path: Path, role: str | None = None) -> Track:
        """Start paging along `path` for the incident (or to mobilise `role`)."""
        track = Track(path=path, ack=self.env.event(), paged_at=self.env.now, role=role)
        inc.tracks += (track,)
        outer, self._starting = self._starting, track
        self._escalate(inc, track, path, 0, 0, True)
        self._starting = outer
        return track

    def _escalate(self, inc: IncidentState, track: Track, path: Path | None, cycle: int,
                  index: int, first: bool) -> None:
        """Page the track's next level, skipping levels with nobody on call, and set a timer
        for the one after; past the last level of the last path the track is exhausted.
        Timers rather than a process per track: escalation is the hottest path of a run."""
        while path is not None:
            levels = path.levels
            while cycle <= path.repeat:
                while index < len(levels):
                    if track.ack.triggered:
                        return
                    level = levels[index]
                    index += 1
                    if not first:
                        inc.escalations += 1
                        self.log(inc, "escalated", detail=f"{path.id} level {index}"
                                                          f"{f' (repeat {cycle})' if cycle else ''}")
                    if not self._page_level(inc, track, level):
                        track.skipped += 1
                        self.log(inc, "skipped", detail=f"{path.id} level {index}: "
                                                        "nobody on call")
                        continue
                    if level.respond_within is not None and cycle == 0:
                        track.levels_paged += ((path, index, self.env.now),)

                    if track.ack.triggered:  # answered at once: nothing left to escalate
                        return

                    def next_level(_: simpy.Event, p: Path = path, k: int = cycle,
                                   i: int = index) -> None:
                        if not track.ack.triggered:  # else answered while the timer ran
                            self._escalate(inc, track, p, k, i, False)

                    if self.env.now + level.delay < self.end:  # else it could never fire
                        self.env.timeout(level.delay).callbacks.append(next_level)
                    return
                cycle, index = cycle + 1, 0
            path, cycle = (self.c.paths[path.then] if path.then else None), 0
        track.exhausted = True
        self._check_exhausted(inc, track)

    def _check_exhausted(self, inc: IncidentState, track: Track) -> None:
        """Once a track has paged its last level and nothing it sent can still be answered,
        tell whoever waits for it (a role being mobilised) that nobody is coming."""
        if (track.exhausted and not track.ack.triggered and track.pending == 0
                and all(a.done for a in track.asks)):
            self.log(inc, "exhausted", detail=track.path.id)
            track.ack.succeed(None)

    def _page_level(self, inc: IncidentState, track: Track, level: Level) -> bool:
        reached = False
        for reach in level.reaches:
            if reach.rotation is not None:
                for r in self.c.on_call[reach.rotation].at(self.env.now):
                    self._page(inc, track, r, reach.rotation)
                    reached = True
            elif reach.responder is not None:
                self._page(inc, track, reach.responder)
                reached = True
            elif reach.pool:
                self._ask(inc, track, reach.pool)
                reached = True
        return reached

    # --- pages and answers -----------------------------------------------------------------

    def _count_page(self, inc: IncidentState, track: Track, r: int, now: float,
                    detail: str = "") -> tuple[bool, bool]:
        """Record a page to responder r; whether r is in their working hours, and asleep."""
        inc.pages += 1
        track.pages += 1
        self.pages[r] += 1
        night = self.c.night[r].at(now)
        if night:
            self.night_pages[r] += 1
        working = self.c.working[r].at(now)
        if not working:
            self.off_hours_pages[r] += 1
        self.row((inc.id, now, "paged", self.ids[r],
                  detail or (f"for {track.role}" if track.role else "")))
        return working, night

    def ack_delay(self, r: int, hours: tuple[bool, bool] | None = None) -> float:
        """How long r takes to answer now: by the hour in their zone (working, evening, asleep)."""
        working, night = hours or (self.c.working[r].at(self.env.now),
                                   self.c.night[r].at(self.env.now))
        by_hour = self.c.ack_sleep if night else self.c.ack_evening
        dist = self.c.ack_working[r] if working else by_hour[r]
        return dist.sample(self.streams.acknowledgement)

    def _misses(self, r: int, night: bool) -> bool:
        odds = self.c.sleep_miss[r] if night else self.c.miss[r]
        return bool(odds) and self.streams.miss.random() < odds

    def _delivery(self, inc: IncidentState) -> float:
        """How long the alert takes to reach someone on the severity's channel."""
        delay = self.c.delivery[inc.severity]
        return 0.0 if delay is None else delay.sample(self.streams.delivery)

    def _after(self, delay: float, then: Callable[..., None], *args: Any) -> None:
        """`then(*args)` after `delay` minutes: at once when there is none to wait."""
        if delay <= 0:
            then(*args)
            return
        self.env.timeout(delay).callbacks.append(lambda _: then(*args))

    def _page(self, inc: IncidentState, track: Track, r: int, rotation: str | None = None) -> None:
        hours = self._count_page(inc, track, r, self.env.now)
        if self._misses(r, hours[1]):
            track.missed += 1
            self.log(inc, "missed", self.ids[r])
            return
        track.pending += 1
        delay = self._delivery(inc) + self.ack_delay(r, hours)
        self._after(delay, self._answer, inc, track, r, rotation)

    def _answer(self, inc: IncidentState, track: Track, r: int, rotation: str | None) -> None:
        track.pending -= 1
        if track.ack.triggered:
            return
        if r not in inc.engaged:
            if self.people.free(r):
                self.people.take(r)
            elif not self._pull_off(inc, r):
                track.busy += 1
                self.log(inc, "busy", self.ids[r])
                self._check_exhausted(inc, track)
                return
        self._acknowledge(inc, track, r, rotation, self.env.now)

    def _pull_off(self, inc: IncidentState, r: int) -> bool:
        """With preemption, r leaves their least severe incident (if less severe than this)."""
        if not self.c.org.preempt:
            return False
        other = self.people.least_severe(r, inc.rank)
        if other is None:
            return False
        self.log(other, "preempted", self.ids[r], f"for incident {inc.id} ({inc.severity})")
        self.release(other, r, keep_slot=True)
        return True

    def _ask(self, inc: IncidentState, track: Track, pool: frozenset[int]) -> None:
        candidates = pool.difference(inc.engaged) if inc.engaged else pool
        if not candidates:
            return
        if self.c.org.preempt and not any(self.people.free(r) for r in candidates):
            pick = self.people.preemptible(candidates, inc.rank)
            if pick is not None:
                r, other = pick
                self.log(other, "preempted", self.ids[r], f"for incident {inc.id} ({inc.severity})")
                self.release(other, r, keep_slot=True)
                self.people.vacate(r)  # the slot is handed to this request below
        self._ask_pool(inc, track, candidates)

    def _ask_pool(self, inc: IncidentState, track: Track, pool: frozenset[int]) -> None:
        """Ask for `pool`'s first free member; a request left waiting is kept with the track,
        to be withdrawn once the track is answered (one granted at once is kept by nobody)."""
        ask = self.people.ask(pool, inc.rank, lambda r: self._pool_granted(inc, track, r, pool))
        if ask is not None:
            track.asks += (ask,)

    def start_pool(self, inc: IncidentState, path: Path, level: Level, now: float) -> Track:
        """`start` for a path of one level asking one pool, without the general escalation:
        the pool's first free member is paged, or the incident waits its turn, while the
        level's timer runs. The whole of paging for a team queue, so kept to few steps."""
        env = self.env
        track = Track(path, env.event(), now)  # positional: keywords make a track 2/3 dearer
        inc.tracks += (track,)
        pool = level.reaches[0].pool
        assert pool
        outer, self._starting = self._starting, track
        self._ask_pool(inc, track, pool)
        self._starting = outer
        if level.respond_within is not None:
            track.levels_paged += ((path, 1, now),)
        if now + level.delay < self.end and not track.ack.triggered:
            env.timeout(level.delay).callbacks.append(
                lambda _: None if track.ack.triggered else self._escalate(inc, track, path, 0,
                                                                          1, False))
        return track

    def _pool_granted(self, inc: IncidentState, track: Track, r: int,
                      candidates: frozenset[int]) -> None:
        """r, free, takes the pool's page. A team queue runs this for every incident, so the
        page's count (`_count_page`), a miss and the answer's delay (`_misses`, `ack_delay`),
        and an answer at once (`_acknowledge`, `engage`) are written out."""
        if track.ack.triggered or r in inc.engaged:
            self.people.give_back(r)
            return
        now = self.env.now
        c, row, ident, rid = self.c, self.row, inc.id, self.ids[r]
        inc.pages += 1
        track.pages += 1
        self.pages[r] += 1
        night = c.night[r].at(now)
        if night:
            self.night_pages[r] += 1
        working = c.working[r].at(now)
        if not working:
            self.off_hours_pages[r] += 1
        row((ident, now, "paged", rid, "pool"))
        odds = c.sleep_miss[r] if night else c.miss[r]
        if odds and self.streams.miss.random() < odds:  # the page goes to the next free member
            track.missed += 1
            self.log(inc, "missed", rid)
            self.people.give_back(r)
            rest = candidates - {r}
            if rest:
                self._ask_pool(inc, track, rest)
            self._check_exhausted(inc, track)
            return
        dist = c.ack_working[r] if working else (c.ack_sleep if night else c.ack_evening)[r]
        delay = dist.sample(self.streams.acknowledgement)
        if c.delivery[inc.severity] is not None:
            delay = self._delivery(inc) + delay
        if delay > 0:
            track.pending += 1
            self.env.timeout(delay).callbacks.append(lambda _: self._pool_answer(inc, track, r))
            return
        # answered at once: nothing has changed since the checks above
        track.acknowledged_at = now
        track.acknowledged_by = r
        self.acknowledgements[r] += 1
        row((ident, now, "acknowledged", rid, f"as {track.role}" if track.role else track.path.id))
        for ask in track.asks:
            ask.done = True
        track.asks = ()
        inc.engaged[r] = now
        inc.involved += (r,)
        self.people.working[r][ident] = inc
        self.incidents_worked[r] += 1
        if inc.first_response_at is None:
            inc.first_response_at = now
            if inc.milestones:
                inc.wake("first_response")
        row((ident, now, "engaged", rid, ""))
        if inc.staffed is not None and not inc.staffed.triggered:
            inc.staffed.succeed()
        self._answered(track, r)
        if track.role is None and inc.acknowledged_at is None:
            self._incident_acknowledged(inc, r, now)

    def _pool_answer(self, inc: IncidentState, track: Track, r: int) -> None:
        track.pending -= 1
        if track.ack.triggered or r in inc.engaged:
            self.people.give_back(r)
            self._check_exhausted(inc, track)
            return
        self._acknowledge(inc, track, r, None, self.env.now)

    def _acknowledge(self, inc: IncidentState, track: Track, r: int, rotation: str | None,
                     now: float) -> None:
        """r answers the track's page, holding one of their slots unless already on the incident."""
        track.acknowledged_at = now
        track.acknowledged_by = r
        self.acknowledgements[r] += 1
        self.row((inc.id, now, "acknowledged", self.ids[r],
                  f"as {track.role}" if track.role else track.path.id))
        for ask in track.asks:
            ask.done = True
        track.asks = ()
        joined = r not in inc.engaged  # else already on the incident, holding a slot for it
        if joined:
            self.engage(inc, r, now)
        self._answered(track, r)
        if joined and rotation is not None and self.c.handover[rotation]:
            self.env.process(self._handover(inc, r, rotation))
        if track.role is None and inc.acknowledged_at is None:
            self._incident_acknowledged(inc, r, now)

    def _answered(self, track: Track, r: int) -> None:
        """The track's page is answered by r: an answer while the track is being started is
        processed at once (whoever started it goes on in the same step), a later one in the
        next step."""
        ack = track.ack
        if track is self._starting:
            ack._ok, ack._value = True, r
            ack.callbacks = None  # type: ignore[assignment]  # processed, as SimPy marks it
        else:
            ack.succeed(r)

    def _incident_acknowledged(self, inc: IncidentState, r: int, now: float) -> None:
        """The first answer to a page for the incident (not for a role) acknowledges it."""
        inc.acknowledged_by = r
        inc.acknowledged_at = now
        if inc.milestones:
            inc.wake("acknowledged")
        if inc.ack is not None and not inc.ack.triggered:
            inc.ack.succeed(r)

    # --- engagement -------------------------------------------------------------------------

    def engage(self, inc: IncidentState, r: int, now: float) -> None:
        """r (already holding a slot) joins the incident."""
        inc.engaged[r] = now
        inc.involved += (r,)
        self.people.working[r][inc.id] = inc
        self.incidents_worked[r] += 1
        if inc.first_response_at is None:
            inc.first_response_at = now
            if inc.milestones:
                inc.wake("first_response")
        self.row((inc.id, now, "engaged", self.ids[r], ""))
        if inc.staffed is not None and not inc.staffed.triggered:
            inc.staffed.succeed()

    def release(self, inc: IncidentState, r: int, keep_slot: bool = False) -> None:
        """r leaves the incident; the slot goes back (or straight to new work, `keep_slot`)."""
        now = self.env.now
        since = inc.engaged.pop(r)
        inc.engagements += ((r, since, now),)
        self.engaged_minutes[r] += now - since
        del self.people.working[r][inc.id]
        if not keep_slot:
            self.people.give_back(r)
        if not inc.engaged and inc.resolved_at is None:
            self._lost(inc)

    def _lost(self, inc: IncidentState) -> None:
        """Nobody is left on an open incident (pulled off for a worse one): its work pauses and
        it is paged again."""
        if inc.acknowledged_at is None:
            return
        self.log(inc, "unstaffed", detail="everyone was pulled off; paging again")
        if inc.worker is not None and inc.spending:
            inc.worker.interrupt("lost")
        live = {t.path.id for t in inc.tracks if t.role is None and not t.ack.triggered}
        for policy in self.c.policies_for(inc.template, inc.severity):
            if policy not in live:
                self.start(inc, self.c.paths[policy])

    def _handover(self, inc: IncidentState, r: int,
                  rotation: str) -> Generator[simpy.Event, Any, None]:
        """When r's shift on `rotation` ends, the incoming on-call takes the incident over: they
        join once free and acknowledged, then r leaves. Repeats for every shift until resolved."""
        env = self.env
        schedule = self.c.on_call[rotation]
        if inc.done is None:
            inc.done = env.event()
        while True:
            ends = schedule.next_time(env.now, partial(_off, r))
            if ends is None:
                return
            yield env.timeout(ends - env.now) | inc.done
            if inc.done.triggered or r not in inc.engaged:
                return
            incoming = next(i for i in schedule.at(env.now) if i != r)
            if incoming not in inc.engaged:
                granted = env.event()
                ask = self.people.ask(frozenset((incoming,)), inc.rank, granted.succeed)
                yield granted | inc.done
                if ask is not None and not granted.triggered:
                    ask.done = True
                    return
                yield env.timeout(self.ack_delay(incoming)) | inc.done
                if inc.done.triggered or incoming in inc.engaged:
                    self.people.give_back(incoming)
                    return
                self.engage(inc, incoming, env.now)
            if r in inc.engaged:
                self.log(inc, "handed_over", self.ids[r], f"to {self.ids[incoming]}")
                self.release(inc, r)
            r = incoming


def _off(r: int, on_call: tuple[int, ...]) -> bool:
    """Whether r is off a rotation that has someone on call."""
    return bool(on_call) and r not in on_call


def _drop(row: Event) -> None:
    """Keep no event-log row."""
