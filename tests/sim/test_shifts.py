"""On-call shifts over a span: consistent with `on_call`, and the same built in pieces or whole."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.scenarios.org import Rotation
from drillsim.sim import oncall

UTC = dt.UTC
FOLLOW_THE_SUN = {
    "id": "primary", "timezone": "Europe/London",
    "layers": [
        {"name": "weekly", "members": ["alice", "bilal", "chen"], "turn": "weekly",
         "handoff": "2026-01-05T09:00"},
        {"name": "americas", "timezone": "America/New_York", "members": ["dana", "emil"],
         "turn": "weekly", "handoff": "2026-01-05T09:00",
         "restrictions": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "12:00",
                           "end": "17:00"}]}],
    "overrides": [{"responder": "zoe", "start": "2026-03-25T10:00", "end": "2026-03-25T14:00",
                   "layer": "weekly"}],
}
instants = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 6, 1),
                        timezones=st.just(UTC))


@settings(max_examples=40, deadline=None)
@given(instants, st.integers(60, 30 * 1440), st.floats(0.05, 0.95),
       st.sampled_from(["priority", "union"]))
def test_shifts_built_in_two_pieces_equal_one_pass(lo, span, cut, combine):
    rot = Rotation.model_validate({**FOLLOW_THE_SUN, "combine": combine})
    hi = lo + dt.timedelta(minutes=span)
    mid = lo + (hi - lo) * cut
    whole = oncall.shifts(rot, lo, hi)
    pieces = oncall.shifts(rot, lo, mid) + oncall.shifts(rot, mid, hi)
    merged: list[oncall.Shift] = []
    for s in pieces:  # the seam at `mid` is not a change: join across it
        last = merged[-1] if merged else None
        if last and (last.layers, last.overrides, last.on_call) == (s.layers, s.overrides,
                                                                    s.on_call):
            merged[-1] = oncall.Shift(last.start, s.end, s.layers, s.overrides, s.on_call)
        else:
            merged.append(s)
    assert merged == whole
    assert whole[0].start == lo and whole[-1].end == hi
    for a, b in itertools.pairwise(whole):
        assert a.end == b.start
        assert (a.layers, a.on_call) != (b.layers, b.on_call) or a.overrides != b.overrides
    for s in whole:  # every instant of a shift resolves to its people
        for t in (s.start, s.start + (s.end - s.start) / 2, s.end - dt.timedelta(seconds=1)):
            assert oncall.on_call(rot, t) == s.on_call


def test_follow_the_sun_handoff_moves_with_each_regions_clock():
    """New York moves its clocks on 8 March, London on 29 March: in between, the Americas
    evening layer starts at 16:00 London time, otherwise at 17:00."""
    rot = Rotation.model_validate(FOLLOW_THE_SUN)
    day = oncall.shifts(rot, dt.datetime(2026, 3, 25, 0, tzinfo=UTC),
                        dt.datetime(2026, 3, 26, 0, tzinfo=UTC))
    assert [(s.start.strftime("%H:%M"), s.layers, s.on_call) for s in day] == [
        ("00:00", ("chen", None), ("chen",)),
        ("10:00", ("zoe", None), ("zoe",)),       # an override of the weekly layer
        ("14:00", ("chen", None), ("chen",)),
        ("16:00", ("chen", "emil"), ("emil",)),   # 12:00 New York (EDT) = 16:00 UTC/GMT
        ("21:00", ("chen", None), ("chen",))]
    after = oncall.shifts(rot, dt.datetime(2026, 3, 30, 0, tzinfo=UTC),
                          dt.datetime(2026, 3, 31, 0, tzinfo=UTC))
    assert [(s.start.strftime("%H:%M"), s.on_call) for s in after] == [
        ("00:00", ("chen",)), ("08:00", ("alice",)), ("16:00", ("dana",)), ("21:00", ("alice",))]
