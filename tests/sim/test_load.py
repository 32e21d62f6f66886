"""On-call load and schedule quality against figures worked out by hand: bands on each
responder's own clock across the spring DST changes of London and New York, shares of time on
call, coverage gaps, balance, the score and every flag."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.scenarios.loader import load
from drillsim.sim import runner
from drillsim.sim.bands import band_minutes, band_of
from drillsim.sim.load import MONTH_MINUTES, LoadTally, interruption_band, on_call_load
from drillsim.sim.records import Records
from drillsim.sim.rotation_quality import balance, rotation_schedule
from drillsim.sim.runner import replicate

LONDON, NEW_YORK, UTC = ZoneInfo("Europe/London"), ZoneInfo("America/New_York"), dt.UTC
H = 60.0

ORG = """
name: bands
timezone: Europe/London
responders:
  - {id: a}
  - {id: b}
  - {id: c, timezone: America/New_York}
rotations:
  - id: day
    layers: [{name: daily, members: [a, b], turn: 1d, handoff: "2026-03-28T09:00",
              start: "2026-03-29T09:00"}]
  - id: nights
    layers: [{name: nights, members: [c], turn: 7d, handoff: "2026-03-28T09:00",
              restrictions: [{start: "22:00", end: "08:00"}]}]
escalation_policies: [{id: p, levels: [{targets: [rotation:day]}]}]
severities: {P1: {escalation_policy: p}}
"""
SCENARIO = """
name: four days
start: "2026-03-28T09:00"
org: org.yaml
workload:
  horizon: 95h
  types: [{type: t, rate: 1/7d, severity_mix: {P1: 1}, phases: [{name: fix, duration: 1h}]}]
"""


def at(text: str, tz: ZoneInfo = LONDON) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=tz).astimezone(UTC)


def test_bands_cut_a_day_shortened_by_dst_where_it_is_lived():
    # London springs forward on 29 March 2026: that day's sleep hours before 08:00 are 7, not 8
    got = band_minutes(at("2026-03-28T00:00"), at("2026-03-30T00:00"), LONDON)
    assert got == {"business": 20 * H, "off_hours": 8 * H, "sleep": (10 + 9) * H}
    # New York springs forward on 8 March: 12:00Z is 07:00 EST on the 7th, 08:00 EDT on the 9th
    got = band_minutes(dt.datetime(2026, 3, 7, 12, tzinfo=UTC), dt.datetime(2026, 3, 9, 12, tzinfo=UTC),
                       NEW_YORK)
    assert got == {"business": 20 * H, "off_hours": 8 * H, "sleep": (1 + 9 + 10) * H}


def test_band_edges_are_half_open():
    assert [band_of(h) for h in (7, 8, 17, 18, 21, 22, 23, 0)] == [
        "sleep", "business", "business", "off_hours", "off_hours", "sleep", "sleep", "sleep"]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 96 * 60), st.integers(0, 96 * 60), st.integers(0, 96 * 60))
def test_bands_of_pieces_add_up_to_bands_of_the_whole(a: int, b: int, c: int):
    lo = at("2026-03-27T00:00")
    t0, t1, t2 = sorted(lo + dt.timedelta(minutes=x) for x in (a, b, c))
    whole = band_minutes(t0, t2, LONDON)
    first, second = band_minutes(t0, t1, LONDON), band_minutes(t1, t2, LONDON)
    assert all(math.isclose(whole[k], first[k] + second[k], abs_tol=1e-9) for k in whole)


@pytest.fixture
def bundle(tmp_path):
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    return load(tmp_path / "s.yaml")


def test_schedule_hours_gaps_balance_and_score(bundle):
    org = bundle.org
    lo, hi = at("2026-03-28T09:00"), at("2026-04-01T09:00")  # 95 hours: one is lost to DST
    day = rotation_schedule(org, org.rotation("day"), lo, hi)
    hours = {m.responder: m.on_call_minutes / H for m in day.members}
    assert hours == {"a": 24, "b": 48}  # b on the 29th and 31st, a on the 30th
    # before the layer starts nobody covers it: 09:00 GMT on the 28th to 09:00 BST on the 29th
    assert [(layer, a, b) for layer, (a, b) in day.gaps] == [
        ("daily", at("2026-03-28T09:00"), at("2026-03-29T09:00"))]
    assert day.gap_minutes == 23 * H and day.uncovered_minutes == 23 * H and not day.always_on
    ooh = {m.responder: m.out_of_hours_minutes / H for m in day.members}
    assert ooh == {"a": 14, "b": 28}  # a day from 09:00 to 09:00 has 4 off and 10 sleep hours
    assert day.hours_balance == day.out_of_hours_balance == 0.75
    assert day.score == pytest.approx(100 * 72 / 95 * 0.75 * 0.75)
    assert day.single_site and not day.understaffed

    nights = rotation_schedule(org, org.rotation("nights"), lo, hi)
    (c,) = nights.members
    # four nights of 22:00-08:00 London (9 hours the first, across the change) on a New York
    # clock: 18:00-03:00 EDT the first night, 17:00-03:00 the others
    assert c.on_call_minutes == 39 * H
    assert c.band_minutes == {"business": 3 * H, "off_hours": 16 * H, "sleep": 20 * H}
    assert nights.gaps == () and nights.coverage == 1.0  # outside its window by design
    assert nights.uncovered_minutes == 56 * H and not nights.always_on
    assert nights.score == 100.0


def test_a_24_7_rotation_on_one_site_needs_eight_people(bundle):
    org = bundle.org.model_copy(update={"rotations": (
        bundle.org.rotation("day").model_copy(update={"layers": (
            bundle.org.rotation("day").layers[0].model_copy(update={"start": None}),)}),)})
    rot = rotation_schedule(org, org.rotations[0], at("2026-03-28T09:00"), at("2026-04-01T09:00"))
    assert rot.always_on and rot.single_site and rot.understaffed and rot.gaps == ()


def records(pages: list[tuple[int, int, str, dt.datetime]], engaged: dict[tuple[int, str], float],
            start: dt.datetime) -> Records:
    """Records holding only pages (replication, incident, responder, instant) and engaged time."""
    events = pd.DataFrame([(rep, inc, (t - start).total_seconds() / 60, "paged", who, "")
                           for rep, inc, who, t in pages],
                          columns=["replication", "incident", "at", "kind", "actor", "detail"])
    events["time"] = pd.to_datetime([t for *_, t in pages], utc=True)
    responders = pd.DataFrame([(rep, who, minutes) for (rep, who), minutes in engaged.items()],
                              columns=["replication", "responder", "minutes_engaged"])
    empty = pd.DataFrame()
    return Records(events=events, incidents=empty, deadlines=empty, responders=responders,
                   mobilisations=empty)


def test_load_per_responder_and_rotation_with_flags(bundle):
    start = at("2026-03-28T09:00")
    months = 95 * H / MONTH_MINUTES
    a_pages = ["2026-03-30T12:00", "2026-03-30T13:00", "2026-03-30T20:00", "2026-03-31T03:00",
               "2026-03-31T04:00"]  # during a's day on call: 2 business, 1 off, 2 sleep
    pages = [(rep, i, "a", at(t)) for rep in (0, 1) for i, t in enumerate(a_pages)]
    # c in New York, 23:30 London on the 29th is 18:30 there: off hours; and a page to b
    # while off call, at 10:00 on the 30th
    pages += [(0, 9, "c", at("2026-03-29T23:30")), (1, 8, "b", at("2026-03-30T10:00"))]
    report = on_call_load(bundle, records(pages, {(0, "a"): 120.0, (1, "a"): 60.0}, start), 2, 1)
    assert report.months == pytest.approx(months)
    people = {r.responder: r for r in report.responders}
    a, b, c = people["a"], people["b"], people["c"]
    assert {k: e.mean * months for k, e in a.pages.items()} == pytest.approx(
        {"business": 2, "off_hours": 1, "sleep": 2})
    assert a.pages["business"].n == 2 and a.pages["business"].low == a.pages["business"].high
    assert a.interruptions.mean == pytest.approx(3 / months) and a.band == "burnout"
    assert a.incidents_per_shift is not None and a.incidents_per_shift.mean == 2.5  # 5 in 24 h
    assert a.person_hours.mean == pytest.approx(1.5 / months)
    assert a.on_call_share == pytest.approx(24 / 95)
    assert a.flags == ("on call 25% of the time (limit 25%)",
                       "2.5 incidents per 12-hour shift (limit 2)",
                       f"{3 / months:.1f} out-of-hours interruptions a month (burnout)")
    assert c.pages["off_hours"].mean == pytest.approx(0.5 / months)  # one page in two reps
    assert c.pages["sleep"].mean == 0 and c.on_call_share == pytest.approx(39 / 95)
    assert c.incidents_per_shift is not None
    assert c.incidents_per_shift.mean == pytest.approx(0.5 * 12 / 39)
    # b's page came while b was not on call: counted as a page, not as an incident on shift
    assert b.pages["business"].mean == pytest.approx(0.5 / months)
    assert b.incidents_per_shift is not None and b.incidents_per_shift.mean == 0
    day, nights = report.rotations
    assert day.pages["sleep"].mean == pytest.approx(2 / months)
    assert day.pages["business"].mean == pytest.approx(2 / months)  # b's page was off call
    assert day.incidents_per_shift is not None
    assert day.incidents_per_shift.mean == pytest.approx(5 * 12 / 72)
    assert day.flags == ("1 coverage gap(s), 23.0 h",)
    assert nights.pages["off_hours"].mean == pytest.approx(0.5 / months) and nights.flags == ()


def test_interruption_bands_and_balance():
    assert [interruption_band(x) for x in (0, 2, 2.1, 6.9, 7, 18.9, 19, 40)] == [
        "good", "good", "watch", "watch", "bad", "bad", "burnout", "burnout"]
    assert balance([10, 10]) == 1 and balance([30, 0, 0]) == pytest.approx(1 / 3)
    assert balance([]) == 1


@settings(max_examples=6, deadline=None)
@given(st.lists(st.integers(1, 8), min_size=1, max_size=9))
def test_the_load_report_from_chunks_of_replications_is_the_one_from_all_at_once(sizes):
    bundle = load("demo")
    reps = 9
    run = replicate(bundle, reps, 5, workers=1)
    whole = on_call_load(bundle, run.records, reps, 5)
    tally, first = LoadTally(bundle, reps, 5), 0
    for size in [*sizes, reps]:  # the last takes whatever is left
        chunk = list(range(first, min(first + size, reps)))
        if chunk:
            tally.add(Records(**{name: _rows_of(getattr(run.records, name), chunk)
                                 for name in Records.__dataclass_fields__}))
        first += size
    assert repr(tally.report()) == repr(whole)


def _rows_of(frame, replications):
    """A records frame cut to some replications (what is not a frame passes unchanged)."""
    if isinstance(frame, pd.DataFrame) and "replication" in frame:
        return frame[frame["replication"].isin(replications)]
    return frame


def test_a_run_hands_its_records_on_in_chunks_and_keeps_none(monkeypatch):
    monkeypatch.setattr(runner, "CHUNK", 4)
    bundle = load("demo")
    tally, seen = LoadTally(bundle, 10, 5), []

    def chunk(records: Records) -> None:
        seen.append(sorted(set(records.incidents["replication"])))
        tally.add(records)

    run = replicate(bundle, 10, 5, workers=2, chunks=chunk)
    assert run.kept is None
    assert seen == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    whole = replicate(bundle, 10, 5, workers=1)
    assert repr(tally.report()) == repr(on_call_load(bundle, whole.records, 10, 5))
