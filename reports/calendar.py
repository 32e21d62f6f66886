"""iCalendar (.ics) files: on-call shifts (one event per stretch with the same people on call) and
drill calendars, in local time zones so calendar applications show local times across DST."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from drillsim.scenarios.org import Rotation
from drillsim.sim.clock import zone
from drillsim.sim.oncall import Shift

PRODID = "-//drillsim//on-call//EN"


def final_stretches(shifts: Sequence[Shift]) -> list[tuple[dt.datetime, dt.datetime, tuple[str, ...]]]:
    """(start, end, people) where the final answer stays the same, gaps with nobody left out."""
    out: list[tuple[dt.datetime, dt.datetime, tuple[str, ...]]] = []
    for s in shifts:
        if out and out[-1][2] == s.on_call and out[-1][1] == s.start:
            out[-1] = (out[-1][0], s.end, s.on_call)
        elif s.on_call:
            out.append((s.start, s.end, s.on_call))
    return out


def _calendar(name: str) -> Any:
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    return cal


def _event(summary: str, start: dt.datetime, end: dt.datetime, stamp: dt.datetime, uid: str,
           category: str, description: str) -> Any:
    """A VEVENT; aware local `start` and `end` keep their zone, so DST is the calendar's job."""
    from icalendar import Event

    event = Event()
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("dtstamp", stamp)
    event.add("uid", uid)
    event.add("categories", [category])
    event.add("description", description)
    return event


def on_call_calendar(organisation: str, rotations: Iterable[tuple[Rotation, Sequence[Shift]]],
                     names: dict[str, str], stamp: dt.datetime) -> bytes:
    """The .ics text for the final on-call of each rotation; `names` maps responder ids to
    display names."""
    cal = _calendar(f"{organisation}: on call")
    for rotation, shifts in rotations:
        tz = zone(rotation.timezone or "UTC")
        title = rotation.name or rotation.id
        for start, end, people in final_stretches(shifts):
            who = ", ".join(names.get(p) or p for p in people)
            cal.add_component(_event(
                f"{title}: {who}", start.astimezone(tz), end.astimezone(tz), stamp,
                f"{rotation.id}-{start:%Y%m%dT%H%M%SZ}@drillsim", rotation.id,
                f"On call for {title} ({rotation.id}): {', '.join(people)}"))
    cal.add_missing_timezones()
    return cal.to_ical()


def drill_calendar(name: str, events: Iterable[tuple[str, dt.datetime, dt.datetime, str, str,
                                                     str]], stamp: dt.datetime) -> bytes:
    """The .ics text of a drill calendar: (summary, start, end, uid, category, description)
    per event, each in its own local zone."""
    cal = _calendar(name)
    for summary, start, end, uid, category, description in events:
        cal.add_component(_event(summary, start, end, stamp, uid, category, description))
    cal.add_missing_timezones()
    return cal.to_ical()
