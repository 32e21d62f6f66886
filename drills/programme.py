"""The drill programme and its calendar: quarterly game days, monthly tabletops and monthly chaos
tests, each placed on a working day that is neither a public holiday nor inside one of the
organisation's change freezes nor taken by another drill, at a local time that stays put across
DST changes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from drillsim.scenarios.base import Frozen
from drillsim.scenarios.durations import Duration
from drillsim.scenarios.errors import InputError, Problem
from drillsim.scenarios.org import WEEKDAYS, ClockTime, Holidays, Organisation

Kind = Literal["game day", "tabletop", "chaos test"]


def _weekday(value: object) -> object:
    if isinstance(value, str) and value.lower()[:3] not in WEEKDAYS:
        raise ValueError(f"expected a weekday such as 'tue', found {value!r}")
    return value.lower()[:3] if isinstance(value, str) else value


Weekday = Annotated[str, BeforeValidator(_weekday)]


class GameDay(Frozen):
    """The scenario a quarter's game day plays."""

    quarter: int = Field(ge=1, le=4)
    scenario: str
    title: str = ""


class Slot(Frozen):
    """When a kind of drill happens: from `start` (local) for `length`, on one of `weekdays`, on
    or after day `from_day` of its month."""

    start: ClockTime = dt.time(10)
    length: Duration = Field(default=240.0, gt=0)
    weekdays: tuple[Weekday, ...] = ("tue", "wed", "thu")
    from_day: int = Field(default=8, ge=1, le=28)


class Programme(Frozen):
    """A year of drills. The default is the reference plans' schedule: game days on notification
    failure (Q1), database corruption (Q2), a security breach (Q3) and a multi-vendor outage
    (Q4); a tabletop every month and a chaos test every month in staging."""

    game_days: tuple[GameDay, ...] = (
        GameDay(quarter=1, scenario="gameday-notification-failure",
                title="Notification system failure"),
        GameDay(quarter=2, scenario="gameday-database-recovery",
                title="Database corruption and recovery"),
        GameDay(quarter=3, scenario="gameday-security-breach", title="Security breach response"),
        GameDay(quarter=4, scenario="gameday-multi-vendor-outage",
                title="Multi-vendor outage coordination"),
    )
    game_day: Slot = Slot(start=dt.time(10), length=240.0, from_day=15)
    tabletops: tuple[str, ...] = ("complete-outage", "database-corruption", "data-breach",
                                  "payment-failure", "third-party-integration-failure",
                                  "performance-degradation")
    tabletop: Slot = Slot(start=dt.time(14), length=90.0, from_day=8)
    chaos_tests: tuple[str, ...] = ("gameday-notification-failure", "gameday-database-recovery",
                                    "gameday-security-breach", "gameday-multi-vendor-outage")
    chaos_test: Slot = Slot(start=dt.time(11), length=120.0, from_day=22)


def load_programme(path: str | Path | None) -> Programme:
    """The programme in a YAML file (every problem named by file, line and field), or the
    default."""
    if path is None:
        return Programme()
    from drillsim.scenarios.document import read_document
    from drillsim.scenarios.schema import check_model

    doc = read_document(path)
    checked = check_model(doc, Programme, doc.data if doc.data is not None else {})
    if checked.problems or checked.model is None:
        raise InputError(list(checked.problems))
    return checked.model


def parse_quarter(text: str) -> tuple[int, int]:
    """`2027Q1` as (2027, 1)."""
    match = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", text)
    if match is None:
        raise InputError([Problem("--quarter", None, "", f"expected a quarter such as 2027Q1, "
                                  f"found {text!r}")])
    return int(match[1]), int(match[2])


@cache
def _country_of_zone() -> dict[str, str]:
    """IANA zone -> ISO country code, from the tz database's own zone.tab."""
    from importlib import resources

    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {row[2]: row[0] for row in rows if len(row) >= 3}


def days_off(org: Organisation) -> Holidays:
    """The organisation's holidays, or its time zone's country's public holidays when it names
    none."""
    own = org.business_hours.holidays
    if own.country is not None or own.dates:
        return own
    import holidays

    country = _country_of_zone().get(org.timezone)
    return Holidays(country=country) if country in holidays.list_supported_countries() \
        else own


@dataclass(frozen=True)
class Event:
    """One drill on the calendar, local start and end."""

    kind: Kind
    title: str
    scenario: str
    start: dt.datetime
    end: dt.datetime
    quarter: int

    @property
    def uid(self) -> str:
        return f"{self.kind.replace(' ', '-')}-{self.start:%Y%m%d}-{self.scenario}@drillsim"


class Calendar:
    """Places drills for one organisation, one a day: a quarter's game day first, then each
    month's tabletop, then its chaos test, so where each lands does not depend on which the
    caller asks for first."""

    def __init__(self, org: Organisation, programme: Programme) -> None:
        from drillsim.sim.clock import holiday_dates, zone

        self.org, self.programme = org, programme
        self.tz = zone(org.timezone)
        self.off = holiday_dates(days_off(org))
        self.working = {d for w in org.business_hours.windows for d in w.days}
        self.taken: dict[dt.date, tuple[Kind, int, int]] = {}  # by the drill: kind, year, month

    def blocked(self, day: dt.date) -> str | None:
        """Why a day cannot hold a drill, or None."""
        if WEEKDAYS[day.weekday()] not in self.working:
            return "not a working day"
        if day in self.off:
            return "a public holiday"
        for freeze in self.org.change_freezes:
            if freeze.start <= day <= freeze.end:
                return f"a change freeze{': ' + freeze.reason if freeze.reason else ''}"
        return None

    def day_in(self, kind: Kind, year: int, month: int, slot: Slot,
               last_month: int | None = None) -> dt.date:
        """The first allowed day on one of the slot's weekdays on or after its `from_day`,
        looking on to the end of `last_month` (default: the same month), then back from it; a
        day another drill has taken is not allowed. The day is then this drill's."""
        drill = (kind, year, month)
        from calendar import monthrange

        first = dt.date(year, month, slot.from_day)
        last_month = last_month or month
        end = dt.date(year, last_month, monthrange(year, last_month)[1])
        start_of_month = dt.date(year, month, 1)
        ahead = [first + dt.timedelta(days=k) for k in range((end - first).days + 1)]
        back = [first - dt.timedelta(days=k) for k in range(1, (first - start_of_month).days + 1)]
        for candidates, weekdays in ((ahead, slot.weekdays), (back, slot.weekdays),
                                     (ahead, WEEKDAYS), (back, WEEKDAYS)):
            for day in candidates:
                if (WEEKDAYS[day.weekday()] in weekdays and self.blocked(day) is None
                        and self.taken.get(day, drill) == drill):
                    self.taken[day] = drill
                    return day
        raise InputError([Problem("programme", None, "", (
            f"no working day free of holidays, change freezes and other drills from "
            f"{start_of_month} to {end} for the {kind}; shorten a change freeze or move the "
            "drill"))])

    def event(self, kind: Kind, title: str, scenario: str, day: dt.date, slot: Slot) -> Event:
        from drillsim.sim.clock import to_instant

        assert slot.start is not None
        start = to_instant(dt.datetime.combine(day, slot.start), self.tz).astimezone(self.tz)
        end = (start + dt.timedelta(minutes=slot.length)).astimezone(self.tz)
        return Event(kind, title, scenario, start, end, (day.month - 1) // 3 + 1)

    def game_day(self, year: int, quarter: int) -> Event:
        found = [g for g in self.programme.game_days if g.quarter == quarter]
        if not found:
            raise InputError([Problem("programme", None, "game_days", (
                f"names no game day for Q{quarter}"))])
        middle = 3 * quarter - 1  # the quarter's middle month, else its last
        day = self.day_in("game day", year, middle, self.programme.game_day,
                          last_month=3 * quarter)
        return self.event("game day", found[0].title or found[0].scenario, found[0].scenario,
                          day, self.programme.game_day)

    def monthly(self, year: int, month: int) -> list[Event]:
        """The month's tabletop and chaos test, each scenario list taken in rotation."""
        p = self.programme
        quarter = (month - 1) // 3 + 1
        if any(g.quarter == quarter for g in p.game_days):
            self.game_day(year, quarter)  # the quarter's game day has first pick of its days
        out = []
        if p.tabletops:
            scenario = p.tabletops[(month - 1) % len(p.tabletops)]
            out.append(self.event("tabletop", f"Tabletop: {scenario}", scenario,
                                  self.day_in("tabletop", year, month, p.tabletop), p.tabletop))
        if p.chaos_tests:
            scenario = p.chaos_tests[(month - 1) % len(p.chaos_tests)]
            out.append(self.event("chaos test", f"Chaos test (staging): {scenario}", scenario,
                                  self.day_in("chaos test", year, month, p.chaos_test),
                                  p.chaos_test))
        return out

    def quarter(self, year: int, quarter: int) -> list[Event]:
        events = [self.game_day(year, quarter)]
        for month in range(3 * quarter - 2, 3 * quarter + 1):
            events += self.monthly(year, month)
        return sorted(events, key=lambda e: e.start)

    def year(self, year: int) -> list[Event]:
        return sorted((e for q in range(1, 5) for e in self.quarter(year, q)),
                      key=lambda e: e.start)
