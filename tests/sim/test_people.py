"""Responders' capacity: waiting requests are kept in one heap per pool, and a release serves
the most severe, longest-waiting request among the pools the responder is in; a request takes
the member free longest, found by a scan of a small pool's free members or, for a large pool,
in the order of release. Against a reference that keeps every request in one list and scans it,
any sequence of requests, withdrawals, releases and slots taken or freed directly must grant
the same requests to the same people in the same order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest.mock import patch

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.sim import people as people_module
from drillsim.sim.people import People
from drillsim.sim.state import Ask

PEOPLE = 5


class Reference:
    """The same rules, kept the obvious way: a list of everything waiting, scanned."""

    def __init__(self, capacities: list[int]) -> None:
        self.capacity = capacities
        self.load = [0] * len(capacities)
        self.released_at = [float("-inf")] * len(capacities)
        self.waiting: list[tuple[int, float, int, Ask]] = []
        self.order = 0

    def ask(self, members: frozenset[int], rank: int, now: float,
            grant: Callable[[int], None]) -> Ask:
        ask = Ask(members, grant)
        free = [r for r in members if self.load[r] < self.capacity[r]]
        if free:
            r = min(free, key=lambda i: (self.released_at[i], i))
            ask.done = True
            self.load[r] += 1
            grant(r)
        else:
            self.waiting.append((rank, now, self.order, ask))
        self.order += 1
        return ask

    def take(self, r: int) -> None:
        self.load[r] += 1

    def vacate(self, r: int) -> None:
        self.load[r] -= 1

    def give_back(self, r: int, now: float) -> None:
        self.load[r] -= 1
        self.released_at[r] = now
        mine = [e for e in self.waiting if r in e[3].members and not e[3].done]
        if mine:
            entry = min(mine, key=lambda e: e[:3])
            self.waiting.remove(entry)
            entry[3].done = True
            self.load[r] += 1
            entry[3].grant(r)


pools = st.frozensets(st.integers(0, PEOPLE - 1), min_size=1)
ask = st.tuples(st.just("ask"), pools, st.integers(0, 3))
release = st.tuples(st.just("release"), st.integers(0, 50))
steps = st.lists(st.one_of(  # mostly requests and releases, so that queues form and drain
    ask, ask, release, release,
    st.tuples(st.just("withdraw"), st.integers(0, 50)),
    st.tuples(st.just("wait"), st.floats(0.5, 30.0)),
    st.tuples(st.just("take"), st.integers(0, PEOPLE - 1)),  # a page answered, not a pool's
    st.tuples(st.just("vacate"), st.integers(0, 50)),  # a slot freed for the next request
), min_size=20, max_size=120)


@pytest.mark.parametrize("large", [False, True])  # a large pool walks the order of release
@settings(max_examples=300, deadline=None)
@given(steps=steps, capacities=st.lists(st.integers(1, 2), min_size=PEOPLE, max_size=PEOPLE))
def test_pool_heaps_grant_as_one_scanned_list_would(large: bool, steps: list[tuple[Any, ...]],
                                                    capacities: list[int]) -> None:
    with patch.object(people_module, "LARGE_POOL", 1 if large else people_module.LARGE_POOL):
        check(steps, capacities)


def check(steps: list[tuple[Any, ...]], capacities: list[int]) -> None:
    env = simpy.Environment()
    people, reference = People(env, capacities), Reference(capacities)
    granted: list[tuple[int, int]] = []  # (request number, responder), from People
    expected: list[tuple[int, int]] = []
    asks: list[tuple[Ask | None, Ask]] = []
    held: list[int] = []  # responders holding a slot People granted, in order of grant
    for step in steps:
        if step[0] == "ask":
            number = len(asks)

            def got(r: int, number: int = number) -> None:
                granted.append((number, r))
                held.append(r)

            ours = people.ask(step[1], step[2], got)
            theirs = reference.ask(step[1], step[2], env.now,
                                   lambda r, number=number: expected.append((number, r)))
            asks.append((ours, theirs))
        elif step[0] == "withdraw" and asks:
            ours, theirs = asks[step[1] % len(asks)]
            if ours is None:  # granted at once: nothing left to withdraw
                assert theirs.done
            else:
                ours.done = True
            theirs.done = True
        elif step[0] == "release" and held:
            r = held.pop(step[1] % len(held))
            people.give_back(r)
            reference.give_back(r, env.now)
        elif step[0] == "wait":
            env.run(until=env.now + step[1])
        elif step[0] == "take" and people.free(step[1]):
            people.take(step[1])
            reference.take(step[1])
            held.append(step[1])
        elif step[0] == "vacate" and held:
            r = held.pop(step[1] % len(held))
            people.vacate(r)
            reference.vacate(r)
        assert granted == expected
        assert people.load == reference.load
