"""Targets on the business clock, holiday calendars, and business minutes between two instants
checked against a minute-by-minute count."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.scenarios.org import Holidays, Hours
from drillsim.sim.clock import HolidayDates, Schedule, WallClock, hours_schedule, hours_within

ORG = """
name: support desk
timezone: Europe/London
business_hours:
  windows: [{{days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:30"}}]
  holidays: {holidays}
responders:
  - {{id: agent, capacity: 5, ack_delay: {{working: 1h, off_hours: 1h}}}}
escalation_policies:
  - {{id: desk, levels: [{{targets: [{{responder: agent}}], delay: 1d}}]}}
severities:
  P1: {{escalation_policy: desk, paging: next_business_day,
        targets: {{acknowledge: 1h, clock: business}}}}
  P2: {{escalation_policy: desk, paging: next_business_day,
        targets: {{acknowledge: 4h, resolve: 8h, clock: business}}}}
  P3: {{escalation_policy: desk, paging: next_business_day, targets: {{acknowledge: 4h}}}}
"""
ENGLAND = "{country: GB, subdivision: ENG}"


def drill(start: str, severities: tuple[str, ...] = ("P1", "P2", "P3")) -> str:
    incidents = "".join(f"""
  - {{type: request, severity: {s}, signals: [{{delay: 0m}}],
     phases: [{{name: answer, duration: 30m, mitigates: true}}]}}""" for s in severities)
    return f"""
name: desk
start: "{start}"
timezone: Europe/London
org: org.yaml
incidents:{incidents}
"""


def test_a_p2_raised_friday_1700_meets_4_business_hours_when_answered_monday_1000(simulate):
    # Raised Friday 6 March 2026 17:00 GMT, inside business hours, so the ticket waits for the
    # next opening: Monday 09:00, 64 hours later (3,840 min); answered an hour after, at 3,900.
    # Business minutes: Friday 17:00-17:30 (30) + Monday 09:00-10:00 (60) = 90.
    run = simulate(drill("2026-03-06T17:00"), ORG.format(holidays=ENGLAND))
    inc = run.records.incidents.set_index("severity")
    assert inc.acknowledged_at.tolist() == [3900.0, 3900.0, 3900.0]
    assert inc.loc["P2", "acknowledge_business_minutes"] == 90.0
    assert bool(inc.loc["P2", "acknowledge_met"])  # 90 <= 4 business hours
    assert not bool(inc.loc["P1", "acknowledge_met"])  # 90 > 1 business hour
    # P3 is on the wall clock: 3,900 minutes against 4 hours, and no business column
    assert not bool(inc.loc["P3", "acknowledge_met"])
    assert pd_isna(inc.loc["P3", "acknowledge_business_minutes"])
    # resolve counts from impact start: 30 on Friday, then Monday 09:00-10:30 = 120
    assert inc.loc["P2", "resolve_business_minutes"] == 120.0
    assert bool(inc.loc["P2", "resolve_met"])
    assert pd_isna(inc.loc["P1", "resolve_business_minutes"])  # P1 sets no resolve target


@pytest.mark.parametrize("calendar", [ENGLAND, '["2026-04-03", "2026-04-06"]'])
def test_easter_bank_holidays_are_not_business_time(simulate, calendar):
    # Thursday 2 April 2026 17:00 BST; Good Friday (3 April) and Easter Monday (6 April) are
    # English bank holidays, from the holidays package or listed by hand. The ticket opens
    # Tuesday 09:00, 4 days 16 hours later (6,720 min), and is answered at 10:00 (6,780).
    # Business minutes: Thursday 17:00-17:30 (30) + Tuesday 09:00-10:00 (60) = 90.
    run = simulate(drill("2026-04-02T17:00", ("P2",)), ORG.format(holidays=calendar))
    inc = run.records.incidents.iloc[0]
    assert (inc.paged_at, inc.acknowledged_at) == (6720.0, 6780.0)
    assert inc.acknowledge_business_minutes == 90.0
    assert bool(inc.acknowledge_met)


def test_business_minutes_across_the_spring_forward_change(simulate):
    # Friday 27 March 2026 17:00 GMT; London springs forward on Sunday 29 March. Monday 09:00
    # BST is 08:00 UTC: 63 elapsed hours (3,780 min), answered at 3,840. Counted in local
    # business hours it is still 30 + 60 = 90 minutes (in UTC hours it would be 30 + 0).
    run = simulate(drill("2026-03-27T17:00", ("P2",)), ORG.format(holidays=ENGLAND))
    inc = run.records.incidents.iloc[0]
    assert (inc.paged_at, inc.acknowledged_at) == (3780.0, 3840.0)
    assert inc.acknowledge_business_minutes == 90.0


def test_a_countrys_calendar_and_own_dates_combine():
    spec = Holidays.model_validate({"country": "GB", "subdivision": "ENG", "dates": ["2026-12-24"]})
    days = HolidayDates(spec)
    assert dt.date(2026, 12, 24) in days  # our own
    assert dt.date(2026, 12, 28) in days  # Boxing Day observed, from the calendar
    assert dt.date(2026, 12, 29) not in days


def pd_isna(value: object) -> bool:
    return value != value  # NaN is the only value unequal to itself


START = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
WINDOWS = {
    "office": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:30"}],
    "split": [{"days": ["mon", "wed"], "start": "08:00", "end": "12:00"},
              {"days": ["mon", "tue", "fri"], "start": "13:15", "end": "18:45"}],
    "nights": [{"days": ["fri", "sat"], "start": "22:00", "end": "06:00"}],
}
CALENDARS = [{}, {"country": "GB", "subdivision": "ENG"}, {"country": "US"},
             {"dates": ["2026-01-06", "2026-03-30"]}]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]),
       st.sampled_from(sorted(WINDOWS)), st.sampled_from(CALENDARS),
       st.sampled_from([500.0, 1440.0, 14 * 1440.0]),
       st.lists(st.tuples(st.integers(0, 120 * 1440), st.integers(0, 2 * 1440)), min_size=1,
                max_size=4))
def test_business_minutes_equal_a_minute_by_minute_count(tz, windows, calendar, chunk, spans):
    # every boundary falls on a whole minute (Lord Howe moves its clocks by 30 minutes), so
    # counting the minutes that start inside business hours is the exact measure
    hours = Hours.model_validate({"timezone": tz, "windows": WINDOWS[windows], "holidays": calendar})
    clock = WallClock(START)
    lazy = hours_schedule(clock, hours)
    lazy = Schedule(clock, lazy._value_at, lazy._candidates, chunk_minutes=chunk)
    for a, length in spans:  # in any order: each extends the lazy schedule and its totals
        count = sum(hours_within(hours, clock.instant(m)) for m in range(a, a + length))
        assert lazy.minutes_in(float(a), float(a + length)) == count


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([("GB", "ENG"), ("GB", "SCT"), ("US", None), ("US", "CA"), ("DE", "BY")]),
       st.lists(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)), min_size=1, max_size=40))
def test_holidays_by_year_equal_the_whole_span_at_once(region, days):
    country, subdivision = region
    lazy = HolidayDates(Holidays(country=country, subdivision=subdivision))
    whole = holidays.country_holidays(country, subdiv=subdivision, years=range(2020, 2036))
    for day in days:
        assert (day in lazy) == (day in whole)
