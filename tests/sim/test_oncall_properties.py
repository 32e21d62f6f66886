"""Property-based tests of on-call resolution: handoffs, half-open shifts, DST, change points."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.scenarios.org import Rotation
from drillsim.sim import oncall
from drillsim.sim.clock import zone

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]
UTC = dt.UTC
SECOND = dt.timedelta(seconds=1)


def rotation(tz: str, turn: str, members: int = 3, **layer: object) -> Rotation:
    return Rotation.model_validate({
        "id": "r", "timezone": tz,
        "layers": [{"members": [f"m{i}" for i in range(members)], "turn": turn,
                    "handoff": "2026-01-05T09:00", **layer}]})


@given(st.sampled_from(ZONES), st.sampled_from(["daily", "weekly", "14d"]), st.integers(0, 150),
       st.integers(1, 5))
def test_day_length_turns_hand_off_at_the_same_local_time(tz, turn, k, members):
    rot = rotation(tz, turn, members)
    layer = rot.layers[0]
    at = oncall.handoff(rot, layer, k)
    assert at.astimezone(zone(tz)).time() == dt.time(9, 0)
    # half-open shifts: the incoming member is on call at the handoff, the outgoing a second before
    assert oncall.on_call(rot, at) == (layer.members[k % members],)
    if k > 0:
        assert oncall.on_call(rot, at - SECOND) == (layer.members[(k - 1) % members],)


@given(st.sampled_from(ZONES), st.integers(1, 600), st.integers(0, 400))
def test_short_turns_count_elapsed_time(tz, turn_minutes, k):
    rot = rotation(tz, f"{turn_minutes}m")
    layer = rot.layers[0]
    first = oncall.handoff(rot, layer, 0)
    assert oncall.handoff(rot, layer, k) == first + dt.timedelta(minutes=k * turn_minutes)


instants = st.datetimes(min_value=dt.datetime(2026, 1, 6), max_value=dt.datetime(2027, 12, 31),
                        timezones=st.just(UTC))


@settings(max_examples=60)
@given(st.sampled_from(ZONES), instants)
def test_priority_reaches_one_person_and_union_everyone_on_call(tz, t):
    base = {"id": "r", "timezone": tz, "layers": [
        {"name": "day", "members": ["a", "b"], "turn": "weekly", "handoff": "2026-01-05T09:00"},
        {"name": "evening", "members": ["c", "d"], "turn": "daily", "handoff": "2026-01-05T09:00",
         "restrictions": [{"start": "17:00", "end": "23:00"}]}]}
    priority = oncall.on_call(Rotation.model_validate(base), t)
    union = oncall.on_call(Rotation.model_validate({**base, "combine": "union"}), t)
    evening = oncall.layer_on_call(Rotation.model_validate(base), Rotation.model_validate(
        base).layers[1], t)
    assert len(priority) == 1
    assert set(priority) <= set(union)
    assert len(union) == (2 if evening else 1)
    if evening:  # the higher layer wins while it has someone
        assert priority == (evening,)


@settings(max_examples=40)
@given(st.sampled_from(ZONES), instants, st.integers(1, 20 * 24 * 60))
def test_on_call_changes_only_at_change_points(tz, lo, span):
    rot = Rotation.model_validate({
        "id": "r", "timezone": tz,
        "layers": [{"members": ["a", "b", "c"], "turn": "daily", "handoff": "2026-01-05T09:00",
                    "restrictions": [{"days": ["mon", "tue", "wed", "thu", "fri"],
                                      "start": "08:00", "end": "18:00"}]}],
        "overrides": [{"responder": "z", "start": "2026-06-10T12:00", "end": "2026-06-11T12:00"}]})
    hi = lo + dt.timedelta(minutes=span)
    points = oncall.change_points(rot, lo, hi)
    # between consecutive candidate instants the answer is constant: sample each gap's middle
    edges = [lo, *points, hi]
    for a, b in itertools.pairwise(edges):
        if b - a > 2 * SECOND:
            assert oncall.on_call(rot, a + (b - a) / 2) == oncall.on_call(rot, max(a, lo))


def test_override_takes_the_shift_only_while_it_lasts():
    rot = Rotation.model_validate({
        "id": "r", "timezone": "Europe/London",
        "layers": [{"members": ["a", "b"], "turn": "weekly", "handoff": "2026-01-05T09:00"}],
        "overrides": [{"responder": "z", "start": "2026-01-06T12:00", "end": "2026-01-06T18:00"}]})
    at = dt.datetime(2026, 1, 6, 12, tzinfo=UTC)
    assert oncall.on_call(rot, at - SECOND) == ("a",)
    assert oncall.on_call(rot, at) == ("z",)
    assert oncall.on_call(rot, at + dt.timedelta(hours=6)) == ("a",)
