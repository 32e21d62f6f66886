"""Responders' capacity, shared by every incident of a replication.

Each responder works at most `capacity` incidents at once. A pool request (a team, a skill, a
role) takes the member free longest; when none is free it waits, and waiting requests are
served most severe first, then first come. Who has a free slot is kept as a set, so a request
looks only at its pool's free members; once a large pool asks, they are also kept in order of
release, where its member free longest is the first of its members, found without a scan of
all of them. Requests wait in one heap per pool, and each responder knows which pools they are
in have someone waiting, so a release serves the next request by looking at the head of each
of those heaps: no scan of everyone waiting, and no copy of a request for every member of its
pool. A task (a status update, a notice) takes a responder's attention on their desk, one task
at a time, most severe first."""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from collections.abc import Callable

import simpy

from drillsim.sim.state import Ask, IncidentState

LARGE_POOL = 48  # members from which a pool's request looks through the free in order of release


class People:
    """Who is free, who waits for whom, and which incidents each responder is working."""

    def __init__(self, env: simpy.Environment, capacities: list[int]) -> None:
        self.env = env
        self.capacity = capacities
        self.load = [0] * len(capacities)
        self._spare = set(range(len(capacities)))  # who has a free slot: no scan of a pool for one
        self._by_release: list[tuple[float, int]] | None = None  # the spare, in order of release
        self.released_at = [float("-inf")] * len(capacities)
        self.working: list[dict[int, IncidentState]] = [{} for _ in capacities]
        self._queues: dict[frozenset[int], list[tuple[int, float, int, Ask]]] = {}
        self._waiting_in: list[set[frozenset[int]]] = [set() for _ in capacities]
        self._order = itertools.count()
        self._desks: dict[int, simpy.PriorityResource] = {}

    def free(self, r: int) -> bool:
        return self.load[r] < self.capacity[r]

    def take(self, r: int) -> None:
        self.load[r] += 1
        if self.load[r] == self.capacity[r]:
            self._not_spare(r)

    def vacate(self, r: int) -> None:
        """r has one more free slot, kept for whoever asks next (no waiting request takes it)."""
        self.load[r] -= 1
        if r not in self._spare:
            self._now_spare(r)

    def _now_spare(self, r: int) -> None:
        self._spare.add(r)
        if self._by_release is not None:
            bisect.insort(self._by_release, (self.released_at[r], r))

    def _not_spare(self, r: int) -> None:
        self._spare.discard(r)
        if self._by_release is not None:
            order = self._by_release
            del order[bisect.bisect_left(order, (self.released_at[r], r))]

    def ask(self, members: frozenset[int], rank: int,
            grant: Callable[[int], object]) -> Ask | None:
        """The first free member of `members` (the one free longest) is granted at once (and
        None returned: there is nothing to withdraw), or the request waits its turn among the
        requests for them."""
        r = -1
        if len(members) >= LARGE_POOL:  # its first member in order of release, if near the front
            if self._by_release is None:
                self._by_release = sorted((self.released_at[i], i) for i in self._spare)
            for _, i in itertools.islice(self._by_release, 2 * len(members)):
                if i in members:
                    r = i
                    break
        if r < 0:
            released, first = self.released_at, math.inf
            for i in members & self._spare:  # the smaller of the two is scanned
                at = released[i]
                if at < first or (at == first and i < r):  # free longest, then first listed
                    r, first = i, at
        if r >= 0:
            self.take(r)
            grant(r)
            return None
        ask = Ask(members, grant)
        queue = self._queues.get(members)
        if queue is None:
            queue = self._queues[members] = []
        if not queue:
            for r in members:
                self._waiting_in[r].add(members)
        heapq.heappush(queue, (rank, self.env.now, next(self._order), ask))
        return ask

    def give_back(self, r: int) -> None:
        """r has one more free slot: the most severe, longest-waiting request for r takes it."""
        was_spare = r in self._spare
        if was_spare:  # its place in the order of release moves
            self._not_spare(r)
        self.released_at[r] = self.env.now
        best: frozenset[int] | None = None
        head = None
        drained = []
        queues = self._queues
        for members in self._waiting_in[r]:
            queue = queues[members]
            while queue and queue[0][3].done:  # granted elsewhere or withdrawn
                heapq.heappop(queue)
            if not queue:
                drained.append(members)
            elif head is None or queue[0] < head:
                best, head = members, queue[0]
        for members in drained:
            self._drained(members)
        if best is not None:
            queue = queues[best]
            ask = heapq.heappop(queue)[3]
            if not queue:
                self._drained(best)
            ask.done = True  # the slot goes straight to the request: r is as busy as before
            if was_spare:
                self._now_spare(r)
            ask.grant(r)
            return
        self.load[r] -= 1
        self._now_spare(r)

    def _drained(self, members: frozenset[int]) -> None:
        """Nobody waits for this pool any more."""
        del self._queues[members]
        for r in members:
            self._waiting_in[r].discard(members)

    def least_severe(self, r: int, than: int) -> IncidentState | None:
        """The least severe incident r works that is less severe than rank `than`, if any."""
        lower = [inc for inc in self.working[r].values() if inc.rank > than]
        return max(lower, key=lambda inc: (inc.rank, inc.id), default=None)

    def preemptible(self, members: frozenset[int], rank: int) -> tuple[int, IncidentState] | None:
        """A member to pull off their least severe incident for one of rank `rank`."""
        best: tuple[int, IncidentState] | None = None
        for r in sorted(members):
            inc = self.least_severe(r, rank)
            if inc is not None and (best is None or inc.rank > best[1].rank):
                best = (r, inc)
        return best

    def desk(self, r: int) -> simpy.PriorityResource:
        """r's attention for tasks: one at a time, most severe incident first."""
        if r not in self._desks:
            self._desks[r] = simpy.PriorityResource(self.env, capacity=1)
        return self._desks[r]

    def desk_queue(self, r: int) -> int:
        desk = self._desks.get(r)
        return 0 if desk is None else desk.count + len(desk.queue)
