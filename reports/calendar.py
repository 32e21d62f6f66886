"""On-call shifts as an iCalendar (.ics) file: one event per stretch with the same people on call,
in the rotation's own time zone so calendar applications show local handoffs across DST."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

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


def on_call_calendar(organisation: str, rotations: Iterable[tuple[Rotation, Sequence[Shift]]],
                     names: dict[str, str], stamp: dt.datetime) -> bytes:
    """The .ics text for the final on-call of each rotation; `names` maps responder ids to
    display names."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{organisation}: on call")
    for rotation, shifts in rotations:
        tz = zone(rotation.timezone or "UTC")
        title = rotation.name or rotation.id
        for start, end, people in final_stretches(shifts):
            event = Event()
            who = ", ".join(names.get(p) or p for p in people)
            event.add("summary", f"{title}: {who}")
            event.add("dtstart", start.astimezone(tz))
            event.add("dtend", end.astimezone(tz))
            event.add("dtstamp", stamp)
            event.add("uid", f"{rotation.id}-{start:%Y%m%dT%H%M%SZ}@drillsim")
            event.add("categories", [rotation.id])
            event.add("description", f"On call for {title} ({rotation.id}): {', '.join(people)}")
            cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
