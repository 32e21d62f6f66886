"""The three bands of a responder's day, on their own clock: business hours 08:00-18:00, off
hours 18:00-22:00 and sleep hours 22:00-08:00, every day of the week. Load is counted by band
because a page at 03:00 costs a person more than one at 11:00."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from drillsim.sim.clock import to_instant


@dataclass(frozen=True)
class Band:
    """[start, end) in local hours; a band may run past midnight (end < start)."""

    name: str
    label: str
    short: str
    start: int
    end: int

    def holds(self, hour: int) -> bool:
        if self.start < self.end:
            return self.start <= hour < self.end
        return hour >= self.start or hour < self.end


BANDS = (Band("business", "business hours (08–18)", "business\n08–18", 8, 18),
         Band("off_hours", "off hours (18–22)", "off\n18–22", 18, 22),
         Band("sleep", "sleep hours (22–08)", "sleep\n22–08", 22, 8))
BAND_NAMES = tuple(b.name for b in BANDS)
OUT_OF_HOURS = ("off_hours", "sleep")  # the bands that interrupt a person's own time


def band_of(hour: int) -> str:
    """The band a local hour of day (0-23) falls in."""
    return next(b.name for b in BANDS if b.holds(hour))


def band_minutes(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> dict[str, float]:
    """How many minutes of [start, end) fall in each band on the clock of zone `tz`: the
    interval is cut at each local 08:00, 18:00 and 22:00 (real instants, so a day of 23 or 25
    hours across a DST change counts as it is lived)."""
    out = dict.fromkeys(BAND_NAMES, 0.0)
    if end <= start:
        return out
    cuts = {start, end}
    day = start.astimezone(tz).date() - dt.timedelta(days=1)
    last = end.astimezone(tz).date() + dt.timedelta(days=1)
    while day <= last:
        for band in BANDS:
            at = to_instant(dt.datetime.combine(day, dt.time(band.start)), tz)
            if start < at < end:
                cuts.add(at)
        day += dt.timedelta(days=1)
    edges = sorted(cuts)
    for a, b in itertools.pairwise(edges):
        out[band_of(a.astimezone(tz).hour)] += (b - a).total_seconds() / 60.0
    return out
