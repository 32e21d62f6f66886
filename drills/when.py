"""Instants as people type and read them: local to a time zone, shown with their UTC offset."""

from __future__ import annotations

import datetime as dt

from drillsim.scenarios.errors import InputError, Problem
from drillsim.sim.clock import to_instant, zone


def parse_local(text: str, tz: str, option: str, end_of_day: bool = False) -> dt.datetime:
    """`2027-01-09`, `2027-01-09 03:10` or `2027-01-09T03:10+01:00` as an aware UTC instant; a
    time without an offset is local to `tz`. A bare date is its midnight, or with `end_of_day`
    the next midnight, so `--to 2027-01-31` includes the 31st."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            local = dt.datetime.combine(day + dt.timedelta(days=1 if end_of_day else 0), dt.time())
        else:
            local = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InputError([Problem(option, None, "", f"expected a date or a date and time such as "
                                  f"'2027-01-09' or '2027-01-09 03:10', found {text!r}")]) from None
    return to_instant(local, zone(tz))


def show(t: dt.datetime, tz: str) -> str:
    """`2027-01-09 09:00 +01:00`: local wall-clock time with its offset (seconds only if any)."""
    local = t.astimezone(zone(tz))
    offset = local.strftime("%z")
    clock = "%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M"
    return f"{local.strftime(clock)} {offset[:3]}:{offset[3:]}"


def iso(t: dt.datetime, tz: str) -> str:
    """ISO 8601 in local time with its offset, for JSON."""
    return t.astimezone(zone(tz)).isoformat()
