"""The event log is kept flat during a run (five fields a row, one after another): the rows read
back from it, and the records' event frame built from it, are the rows as they were logged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from drillsim.sim.clock import WallClock
from drillsim.sim.engine import RunRecords
from drillsim.sim.paging import Event, event_rows
from drillsim.sim.records import build
from tests.sim.test_schedule import START

rows = st.lists(st.tuples(st.integers(0, 50), st.floats(0, 1e5, allow_nan=False),
                          st.sampled_from(["started", "paged", "engaged"]),
                          st.sampled_from(["", "ana", "bo"]), st.text(max_size=8)),
                max_size=30)


def logged(events: list[Event]) -> list[object]:
    log: list[object] = []
    for event in events:
        log.extend(event)  # as the engine logs a row
    return log


@given(rows)
def test_rows_read_back_from_a_flat_log_are_the_rows_logged(events: list[Event]) -> None:
    assert list(event_rows(logged(events))) == events


@given(st.lists(rows, min_size=1, max_size=3))
def test_the_event_frame_holds_every_replications_rows_in_order_of_time(
        runs: list[list[Event]]) -> None:
    records = build([RunRecords(r, [], logged(events), [], [], [], 0.0)
                     for r, events in enumerate(runs)], WallClock(START))
    expected = sorted(((r, *e) for r, events in enumerate(runs) for e in events),
                      key=lambda row: (row[0], row[2], row[1]))  # stable, as the frame sorts
    frame = records.events
    assert list(frame[["replication", "incident", "at", "kind", "actor", "detail"]]
                .itertuples(index=False, name=None)) == expected
