"""Schedules built lazily chunk by chunk must equal the same schedule built in one pass."""

from __future__ import annotations

import bisect
import datetime as dt
import math
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.scenarios.org import Hours, Rotation
from drillsim.sim import oncall
from drillsim.sim.clock import Schedule, WallClock, hours_schedule

START = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
HORIZON = 120 * 1440.0
V = TypeVar("V")


def _rotation(tz: str, turn: str) -> Rotation:
    return Rotation.model_validate({"id": "r", "timezone": tz, "layers": [
        {"members": ["a", "b", "c"], "turn": turn, "handoff": "2026-01-05T09:00"},
        {"members": ["d", "e"], "turn": "daily", "handoff": "2026-01-05T09:00",
         "restrictions": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "18:00",
                           "end": "23:00"}]}]})


def _looked_up(schedule: Schedule[V], t: float) -> V:
    """The value at t found afresh, without the piece `at` remembers from its last call."""
    return schedule.values[bisect.bisect_right(schedule.times, t) - 1]


def _on_call(rot: Rotation, chunk: float) -> Schedule[tuple[str, ...]]:
    clock = WallClock(START)
    return Schedule(clock, lambda t: oncall.on_call(rot, t),
                    lambda lo, hi: oncall.change_points(rot, lo, hi), chunk_minutes=chunk)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["Europe/London", "America/New_York", "UTC", "Australia/Sydney"]),
       st.sampled_from(["weekly", "daily", "12h", "3d"]),
       st.sampled_from([1440.0, 7 * 1440.0, 14 * 1440.0, 10000.0, 20160.0, 333.0]),
       st.lists(st.floats(0, HORIZON, allow_nan=False), min_size=1, max_size=30))
def test_chunked_on_call_equals_one_pass(tz, turn, chunk, queries):
    rot = _rotation(tz, turn)
    whole = _on_call(rot, HORIZON + 1)
    lazy = _on_call(rot, chunk)
    for t in queries:  # any order of queries, each extending the lazy schedule as needed
        assert lazy.at(t) == whole.at(t) == _looked_up(whole, t)
    lazy.at(HORIZON)
    whole.at(HORIZON)
    n = len(whole.times)
    assert lazy.times[:n] == whole.times[:n]
    assert lazy.values[:n] == whole.values[:n]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["Europe/Berlin", "America/New_York", "UTC"]),
       st.sampled_from([1440.0, 7 * 1440.0, 14 * 1440.0, 500.0]),
       st.lists(st.floats(0, HORIZON, allow_nan=False), min_size=1, max_size=30))
def test_chunked_business_hours_equal_one_pass(tz, chunk, queries):
    hours = Hours(timezone=tz)
    clock = WallClock(START)
    whole = Schedule(clock, hours_schedule(clock, hours)._value_at,
                     hours_schedule(clock, hours)._candidates, chunk_minutes=HORIZON + 1)
    lazy = Schedule(clock, whole._value_at, whole._candidates, chunk_minutes=chunk)
    for t in sorted(queries, reverse=True):
        assert lazy.at(t) == whole.at(t) == _looked_up(whole, t)
        assert lazy.next_time(t, bool) == whole.next_time(t, bool)
    whole.at(HORIZON)
    for change in whole.times[1:]:  # either side of each change, forwards as a run asks
        for t in (math.nextafter(change, -math.inf), change):
            assert lazy.at(t) == _looked_up(whole, t)


def test_weekly_rotation_of_three_serves_every_member_in_turn():
    rot = _rotation("UTC", "weekly")
    schedule = _on_call(rot, 14 * 1440.0)  # handoffs at weeks 2 and 4 fall on chunk boundaries
    weeks = [schedule.at(9 * 60 + w * 7 * 1440.0 + 60)[0] for w in range(1, 5)]
    assert weeks == ["b", "c", "a", "b"]
