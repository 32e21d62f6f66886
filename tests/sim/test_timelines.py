"""Hand-computed timelines: escalation, repeats, skipped levels, paging modes, DST handoffs."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import timeline

PAGING = ("paged", "missed", "escalated", "skipped", "acknowledged", "deferred")


def org(levels: str, responders: str, extra: str = "", repeat: int = 0, p2: str = "always") -> str:
    return f"""
      name: hand-computed
      timezone: Europe/London
      business_hours:
        timezone: Europe/London
        windows: [{{days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:30"}}]
      responders:
{responders}
{extra}
      escalation_policies:
        - id: main
          repeat: {repeat}
          levels:
{levels}
      severities:
        P1: {{escalation_policy: main}}
        P2: {{escalation_policy: main, paging: {p2}}}
        P3: {{escalation_policy: main, paging: next_business_day}}
    """


def incident(severity: str = "P1", at: str = "5m", detect: str = "2m") -> str:
    return f"""
      - type: outage
        severity: {severity}
        at: {at}
        signals: [{{channel: alert, delay: {detect}}}]
        phases: [{{name: fix, duration: 30m, mitigates: true}}]"""


def scenario(start: str, incidents: str, tz: str = "Europe/London") -> str:
    return f"""
      name: hand
      start: "{start}"
      timezone: {tz}
      org: org.yaml
      incidents:{incidents}
    """


NEVER = "        - {id: pri, miss_probability: 1}"
TWO = NEVER + "\n        - {id: sec, ack_delay: {working: 1m, off_hours: 1m}}"
LEVELS = """            - {targets: [{responder: pri}], delay: 10m}
            - {targets: [{responder: sec}], delay: 10m}"""


def test_unanswered_primary_escalates_at_exactly_the_delay(simulate):
    run = simulate(scenario("2026-06-01T12:00", incident()), org(LEVELS, TWO))
    assert timeline(run, kinds=PAGING) == [
        (7.0, "paged", "pri"), (7.0, "missed", "pri"),
        (17.0, "escalated", ""), (17.0, "paged", "sec"), (18.0, "acknowledged", "sec")]
    row = run.records.incidents.iloc[0]
    assert (row.detected_at, row.acknowledged_at, row.resolved_at) == (7.0, 18.0, 48.0)
    assert (row.escalations, row.pages, row.acknowledged_by) == (1, 2, "sec")


def test_a_page_already_sent_can_still_be_acknowledged_after_escalation(simulate):
    slow = """        - {id: pri, ack_delay: {working: 12m, off_hours: 12m}}
        - {id: sec, ack_delay: {working: 5m, off_hours: 5m}}"""
    run = simulate(scenario("2026-06-01T12:00", incident()), org(LEVELS, slow))
    assert timeline(run, kinds=PAGING) == [
        (7.0, "paged", "pri"), (17.0, "escalated", ""), (17.0, "paged", "sec"),
        (19.0, "acknowledged", "pri")]
    assert run.records.incidents.iloc[0].acknowledged_at - 7.0 == 12.0


def test_repeat_count_is_honoured_then_the_incident_stays_unacknowledged(simulate):
    both_miss = NEVER + "\n        - {id: sec, miss_probability: 1}"
    levels = """            - {targets: [{responder: pri}], delay: 10m}
            - {targets: [{responder: sec}], delay: 5m}"""
    run = simulate(scenario("2026-06-01T12:00", incident()), org(levels, both_miss, repeat=2))
    pages = timeline(run, kinds=("paged",))
    # three passes over the chain, each level's delay counted from its own page
    assert pages == [(7.0, "paged", "pri"), (17.0, "paged", "sec"), (22.0, "paged", "pri"),
                     (32.0, "paged", "sec"), (37.0, "paged", "pri"), (47.0, "paged", "sec")]
    row = run.records.incidents.iloc[0]
    assert row.escalations == 5
    assert pd.isna(row.acknowledged_at) and pd.isna(row.resolved_at)


def test_level_with_nobody_on_call_is_skipped_without_waiting(simulate):
    rotation = """
      rotations:
        - id: weekdays
          timezone: Europe/London
          layers:
            - {members: [pri], turn: weekly, handoff: "2026-01-05T09:00",
               restrictions: [{days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00"}]}"""
    levels = """            - {targets: [{rotation: weekdays}], delay: 10m}
            - {targets: [{responder: sec}], delay: 10m}"""
    # Saturday 2026-06-06: the weekday rotation is empty, so level 2 is paged at detection
    run = simulate(scenario("2026-06-06T12:00", incident()), org(levels, TWO, extra=rotation))
    assert timeline(run, kinds=PAGING) == [
        (7.0, "skipped", ""), (7.0, "paged", "sec"), (8.0, "acknowledged", "sec")]
    assert run.records.incidents.iloc[0].escalations == 0  # the first page is not an escalation


def test_business_hours_p2_on_a_saturday_pages_at_monday_opening(simulate):
    answer = "        - {id: pri, ack_delay: {working: 1m, off_hours: 1m}}"
    levels = "            - {targets: [{responder: pri}], delay: 10m}"
    run = simulate(scenario("2026-06-06T10:00", incident("P2", at="0m", detect="0m")
                            + incident("P2", at="2d1h", detect="0m")),
                   org(levels, answer, p2="business_hours"))
    rows = run.records.incidents
    # Saturday 10:00 BST -> Monday 09:00 BST is 47 hours; Monday 11:00 is inside business hours
    assert rows.paged_at.tolist() == [47 * 60.0, 49 * 60.0]
    assert rows.paged_time.iloc[0] == pd.Timestamp("2026-06-08T08:00", tz="UTC")


def test_business_hours_wait_spans_the_spring_forward_change(simulate):
    answer = "        - {id: pri, ack_delay: {working: 1m, off_hours: 1m}}"
    levels = "            - {targets: [{responder: pri}], delay: 10m}"
    # Saturday 28 March 2026 10:00 GMT; clocks go forward on Sunday, so Monday 09:00 BST is
    # 08:00 UTC: 46 hours later, not 47.
    run = simulate(scenario("2026-03-28T10:00", incident("P2", at="0m", detect="0m")),
                   org(levels, answer, p2="business_hours"))
    assert run.records.incidents.paged_at.iloc[0] == 46 * 60.0


def test_next_business_day_ticket_waits_for_the_next_opening_not_the_current_one(simulate):
    answer = "        - {id: pri, ack_delay: {working: 1m, off_hours: 1m}}"
    levels = "            - {targets: [{responder: pri}], delay: 10m}"
    # Tuesday 14:00 inside business hours -> Wednesday 09:00 (19 hours)
    run = simulate(scenario("2026-06-02T14:00", incident("P3", at="0m", detect="0m")),
                   org(levels, answer))
    assert run.records.incidents.paged_at.iloc[0] == 19 * 60.0


@pytest.mark.parametrize(("tz", "anchor", "start", "before", "after"), [
    # London springs forward on 29 March 2026: turn 12 after a January (GMT) anchor starts
    # Monday 09:00 BST = 08:00 UTC, an hour before 12 weeks of elapsed time would put it
    ("Europe/London", "2026-01-05T09:00", "2026-03-30T08:00", "b", "a"),
    # New York falls back on 1 November 2026: turn 22 after a June (EDT) anchor starts
    # Monday 09:00 EST = 14:00 UTC, an hour after elapsed time would put it
    ("America/New_York", "2026-06-01T09:00", "2026-11-02T08:00", "b", "a"),
])
def test_weekly_handoff_happens_at_local_time_across_dst(simulate, tz, anchor, start, before,
                                                         after):
    rotation = f"""
      rotations:
        - id: weekly
          timezone: {tz}
          layers:
            - {{members: [a, b], turn: weekly, handoff: "{anchor}"}}"""
    people = """        - {id: a, ack_delay: {working: 1m, off_hours: 1m}}
        - {id: b, ack_delay: {working: 1m, off_hours: 1m}}"""
    levels = "            - {targets: [{rotation: weekly}], delay: 10m}"
    # one incident a second before the 09:00 handoff, one exactly at it (shifts are [start, end))
    run = simulate(scenario(start, incident(at="59m", detect="59s") + incident(at="1h", detect="0m"),
                            tz=tz), org(levels, people, extra=rotation))
    first = timeline(run, incident=0, kinds=("paged",))
    second = timeline(run, incident=1, kinds=("paged",))
    assert first == [(round(59 + 59 / 60, 6), "paged", before)]
    assert second == [(60.0, "paged", after)]
