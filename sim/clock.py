"""Wall-clock facts (windows, business hours, DST) and their precomputed form in sim minutes.

Local wall-clock times are turned into instants with `fold=0`: an ambiguous time is its first
occurrence, and a time inside a spring-forward gap keeps the offset from before the gap."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Container, Hashable, Iterable
from functools import lru_cache
from typing import Generic, TypeVar

from drillsim.scenarios.org import WEEKDAYS, Holidays, Hours, Window

UTC = dt.UTC
TICK = dt.timedelta(microseconds=1)
V = TypeVar("V", bound=Hashable)


@lru_cache(maxsize=64)
def zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def to_instant(local: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """A local wall-clock time (naive) or an aware datetime, as an aware UTC instant."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=tz, fold=0)
    return local.astimezone(UTC)


class WallClock:
    """Converts between simulation minutes and aware instants for one scenario start."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the scenario start must be an aware datetime")
        self.start = start.astimezone(UTC)

    def instant(self, minutes: float) -> dt.datetime:
        return self.start + dt.timedelta(minutes=minutes)

    def minutes(self, instant: dt.datetime) -> float:
        return (instant - self.start).total_seconds() / 60.0


class HolidayDates(Container[dt.date]):
    """The days off of a `Holidays` spec: its own dates and its region's public holidays, the
    latter computed a year at a time, when a date of that year is first asked about."""

    def __init__(self, spec: Holidays) -> None:
        self.spec = spec
        self.dates = frozenset(spec.dates)
        self._years: dict[int, frozenset[dt.date]] = {}

    def __contains__(self, day: object) -> bool:
        if day in self.dates:
            return True
        if self.spec.country is None or not isinstance(day, dt.date):
            return False
        year = self._years.get(day.year)
        if year is None:
            import holidays

            year = self._years[day.year] = frozenset(holidays.country_holidays(
                self.spec.country, subdiv=self.spec.subdivision, years=day.year))
        return day in year


@lru_cache(maxsize=64)
def holiday_dates(spec: Holidays) -> HolidayDates:
    """One shared, growing set of days off per spec, so each year is looked up once."""
    return HolidayDates(spec)


def occurrences(windows: Iterable[Window], tz: dt.tzinfo, lo: dt.datetime, hi: dt.datetime,
                holidays: Container[dt.date] = frozenset()) -> list[tuple[dt.datetime, dt.datetime]]:
    """Every occurrence (start, end) of the windows overlapping [lo, hi), as UTC instants;
    windows do not open on `holidays`."""
    windows = tuple(windows)
    first = lo.astimezone(tz).date() - dt.timedelta(days=2)
    last = hi.astimezone(tz).date() + dt.timedelta(days=1)
    out = []
    day = first
    while day <= last:
        if day not in holidays:
            name = WEEKDAYS[day.weekday()]
            for w in windows:
                if name not in w.days:
                    continue
                opens = w.start or dt.time()
                start = to_instant(dt.datetime.combine(day, opens), tz)
                end_day = day + dt.timedelta(days=1) if w.end is None or w.end <= opens else day
                end = to_instant(dt.datetime.combine(end_day, w.end or dt.time()), tz)
                if start < hi and end > lo:
                    out.append((start, end))
        day += dt.timedelta(days=1)
    out.sort()
    return out


def within(windows: Iterable[Window], tz: dt.tzinfo, t: dt.datetime,
           holidays: Container[dt.date] = frozenset()) -> bool:
    """Whether instant t falls inside an occurrence: starts included, ends excluded."""
    return any(s <= t < e for s, e in occurrences(windows, tz, t, t + dt.timedelta(seconds=1),
                                                   holidays))


def hours_within(hours: Hours, t: dt.datetime) -> bool:
    return within(hours.windows, zone(hours.timezone or "UTC"), t, holiday_dates(hours.holidays))


def hours_change_points(hours: Hours, lo: dt.datetime, hi: dt.datetime) -> list[dt.datetime]:
    return span_points(occurrences(hours.windows, zone(hours.timezone or "UTC"), lo - TICK, hi,
                                   holiday_dates(hours.holidays)), lo, hi)


def span_points(spans: Iterable[tuple[dt.datetime, dt.datetime]], lo: dt.datetime,
                hi: dt.datetime) -> list[dt.datetime]:
    """The starts and ends of spans that fall in [lo, hi). Callers fetch spans from just
    before lo: a span ending exactly at lo does not overlap [lo, hi) but its end is a change."""
    return sorted({p for span in spans for p in span if lo <= p < hi})


class Schedule(Generic[V]):
    """A piecewise-constant function of simulation minutes, built lazily a chunk at a time
    from a pure function of instants and the candidate instants at which it may change."""

    def __init__(self, clock: WallClock, value_at: Callable[[dt.datetime], V],
                 candidates: Callable[[dt.datetime, dt.datetime], Iterable[dt.datetime]],
                 chunk_minutes: float = 14 * 1440.0) -> None:
        self._clock = clock
        self._value_at = value_at
        self._candidates = candidates
        self._chunk = chunk_minutes
        self.times: list[float] = [float("-inf")]
        self.values: list[V] = [value_at(clock.start)]
        self._until = 0.0
        self._truthy: list[float] = [0.0]  # minutes truthy from minute 0 to each change
        # the piece last looked up, [from, to) and its value: a run asks about it again and
        # again, as its clock moves on a little at a time (one tuple, so threads read it whole)
        self._last: tuple[float, float, V] = (0.0, 0.0, self.values[0])

    def _extend(self, minutes: float) -> None:
        while self._until <= minutes:
            lo, hi = self._until, self._until + self._chunk
            # chunks are half-open [lo, hi) in instants, so a change exactly on a boundary
            # belongs to the chunk it opens and is never dropped
            first, last = self._clock.instant(lo), self._clock.instant(hi)
            for point in sorted(set(self._candidates(first, last))):
                if not first <= point < last:
                    continue
                value = self._value_at(point)
                if value != self.values[-1]:
                    self.times.append(self._clock.minutes(point))
                    self.values.append(value)
            self._until = hi

    def at(self, minutes: float) -> V:
        """The value in force at `minutes` (a change at exactly that minute already applies)."""
        lo, hi, value = self._last
        if lo <= minutes < hi:
            return value
        if minutes >= self._until:
            self._extend(minutes)
        times = self.times
        i = bisect.bisect_right(times, minutes)
        value = self.values[i - 1]
        # the piece ends at the next change, or where what is built so far ends
        self._last = (times[i - 1], times[i] if i < len(times) else self._until, value)
        return value

    def minutes_in(self, a: float, b: float) -> float:
        """How many minutes of [a, b) the value is truthy: for business hours, the business
        minutes between two instants. A running total at each change, then a bisection."""
        return self._truthy_until(b) - self._truthy_until(a)

    def _truthy_until(self, minutes: float) -> float:
        self.at(minutes)
        times, values, totals = self.times, self.values, self._truthy
        while len(totals) < len(times):  # the schedule grew: carry the running total along
            i = len(totals)
            totals.append(totals[-1] + (times[i] - max(times[i - 1], 0.0)) * bool(values[i - 1]))
        i = bisect.bisect_right(times, minutes) - 1
        return totals[i] + (minutes - max(times[i], 0.0)) * bool(values[i])

    def next_time(self, minutes: float, accept: Callable[[V], bool],
                  limit: float = 800 * 1440.0) -> float | None:
        """The earliest time >= `minutes` at which the value is accepted, or None within `limit`."""
        if accept(self.at(minutes)):
            return minutes
        index = bisect.bisect_right(self.times, minutes)
        while True:
            while index >= len(self.times):
                if self._until > minutes + limit:
                    return None
                self._extend(self._until)
            if accept(self.values[index]):
                return self.times[index]
            index += 1


def hours_schedule(clock: WallClock, hours: Hours) -> Schedule[bool]:
    """Whether `hours` are in force, as a function of simulation minutes."""
    return Schedule(clock, lambda t: hours_within(hours, t),
                    lambda lo, hi: hours_change_points(hours, lo, hi))
