"""On-call load over simulated replications, per responder and per rotation: pages per month in
each band of the responder's own day, incidents per 12 hours on call, share of time on call,
person-hours on incidents, and flags for the well-known limits.

Figures that vary between replications are means over them, each with its n (replications) and
a 95% t-interval; figures of the schedule alone (time on call, gaps, the score) are exact.

Limits flagged (each a widely quoted rule of thumb, not a law):
- more than 2 incidents per 12-hour shift, and more than 25% of a person's time on call (Google
  SRE book, "Being On-Call");
- a 24/7 rotation on one site with fewer than 8 people (the same chapter);
- out-of-hours interruptions per person per month: up to 2 is good, from 7 bad, from 19
  burnout (bands in common use among on-call practitioners; we found no primary study to cite
  for them); between 2 and 7 is shown as "watch"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from drillsim.scenarios.errors import InputError, Problem
from drillsim.sim import intervals
from drillsim.sim.bands import BAND_NAMES, OUT_OF_HOURS, band_of
from drillsim.sim.clock import zone
from drillsim.sim.rotation_quality import (
    RotationSchedule,
    Span,
    person_on_call,
    rotation_schedule,
)

if TYPE_CHECKING:
    import pandas as pd

    from drillsim.scenarios.scenario import Bundle
    from drillsim.sim.records import Records

MONTH_MINUTES = 365.25 / 12 * 1440.0
SHIFT_MINUTES = 12 * 60.0
MAX_INCIDENTS_PER_SHIFT = 2.0
MAX_ON_CALL_SHARE = 0.25
INTERRUPTION_BANDS = ((2.0, "good"), (7.0, "watch"), (19.0, "bad"), (float("inf"), "burnout"))


@dataclass(frozen=True)
class Estimate:
    """A mean over replications with its 95% interval (None with one replication)."""

    mean: float
    low: float | None
    high: float | None
    n: int


def estimate(per_replication: np.ndarray) -> Estimate:
    """The mean of one value per replication and its t-interval (never below zero)."""
    values = np.asarray(per_replication, dtype=float)
    ci = intervals.mean_interval(values, np.arange(len(values)))
    if ci is None:
        return Estimate(float(values.mean()), None, None, len(values))
    return Estimate(float(values.mean()), max(ci.low, 0.0), ci.high, len(values))


def interruption_band(per_month: float) -> str:
    """good / watch / bad / burnout for out-of-hours interruptions per person per month."""
    return next(name for top, name in INTERRUPTION_BANDS
                if per_month < top or (name == "good" and per_month <= top))


@dataclass(frozen=True)
class ResponderLoad:
    """One responder: pages per month by band, out-of-hours interruptions per month,
    incidents per 12 hours on call, person-hours on incidents per month (estimates), and their
    share of time on call (from the schedule)."""

    responder: str
    name: str
    timezone: str
    pages: dict[str, Estimate]
    all_pages: Estimate
    interruptions: Estimate
    incidents_per_shift: Estimate | None  # None when never on call
    person_hours: Estimate
    on_call_share: float
    flags: tuple[str, ...]

    @property
    def band(self) -> str:
        return interruption_band(self.interruptions.mean)


@dataclass(frozen=True)
class RotationLoad:
    """One rotation: its schedule facts and the pages that reached whoever was on call in it."""

    schedule: RotationSchedule
    pages: dict[str, Estimate]  # per month, by band of the paged person's day
    incidents_per_shift: Estimate | None
    flags: tuple[str, ...]


@dataclass(frozen=True)
class LoadReport:
    scenario: str
    organisation: str
    replications: int
    seed: int
    start: dt.datetime
    end: dt.datetime
    responders: tuple[ResponderLoad, ...]
    rotations: tuple[RotationLoad, ...]

    @property
    def months(self) -> float:
        return (self.end - self.start).total_seconds() / 60.0 / MONTH_MINUTES


def horizon(bundle: Bundle) -> tuple[dt.datetime, dt.datetime]:
    """The span the load is measured over: the workload's horizon from the scenario start."""
    workload = bundle.scenario.workload
    if workload is None:
        raise InputError([Problem(bundle.sources[0], None, "workload", (
            "on-call load needs a workload scenario (incidents over a horizon, e.g. a "
            "quarter); this one is a drill with fixed incidents"))])
    start = bundle.scenario.start_instant().astimezone(dt.UTC)
    return start, start + dt.timedelta(minutes=workload.horizon)


def _pages(records: Records, bundle: Bundle) -> pd.DataFrame:
    """Every page: replication, incident, responder, minute and band on the responder's clock."""
    import pandas as pd

    ev = records.events
    pages = ev.loc[ev["kind"] == "paged", ["replication", "incident", "actor", "at", "time"]]
    pages = pages.rename(columns={"actor": "responder"}).reset_index(drop=True)
    zones = {r.id: r.timezone or bundle.org.timezone for r in bundle.org.responders}
    band = pd.Series("", index=pages.index, dtype=object)
    for tz, group in pages.groupby(pages["responder"].map(zones), sort=False):
        hours = pd.DatetimeIndex(group["time"]).tz_convert(zone(str(tz))).hour
        band[group.index] = [band_of(int(h)) for h in hours]
    pages["band"] = band
    return pages


def _covered(at: np.ndarray, spans: list[Span], start: dt.datetime) -> np.ndarray:
    """Which minutes (since `start`) fall inside one of the sorted, disjoint spans."""
    if not spans or len(at) == 0:
        return np.zeros(len(at), dtype=bool)
    lo = np.array([(a - start).total_seconds() / 60.0 for a, _ in spans])
    hi = np.array([(b - start).total_seconds() / 60.0 for _, b in spans])
    k = np.searchsorted(lo, at, side="right") - 1
    return (k >= 0) & (at < hi[np.clip(k, 0, None)])


class LoadTally:
    """The counts behind the load report, per replication, folded in from records as they come:
    all at once, or a chunk of whole replications at a time so that memory stays flat however
    many replications run. Each count is kept per replication for the intervals."""

    def __init__(self, bundle: Bundle, replications: int, seed: int) -> None:
        self.bundle, self.replications, self.seed = bundle, replications, seed
        self.lo, self.hi = horizon(bundle)
        self.schedules = [rotation_schedule(bundle.org, rot, self.lo, self.hi)
                          for rot in bundle.org.rotations]
        self.on_call = person_on_call(bundle.org, self.schedules)
        self.counts: dict[tuple[str, str], np.ndarray] = {}  # (who, what): per replication

    def _add(self, key: tuple[str, str], frame: pd.DataFrame) -> None:
        """Add each replication's number of rows of `frame`."""
        counts = frame.groupby("replication").size()
        self._fold(key, counts.index, counts)

    def _fold(self, key: tuple[str, str], replications: Any, values: Any) -> None:
        """Add `values` to the count `key` of `replications` (each at most once)."""
        into = self.counts.setdefault(key, np.zeros(self.replications))
        into[np.asarray(replications, dtype=int)] += np.asarray(values, dtype=float)

    def add(self, records: Records) -> None:
        """Fold in whole replications' records (with their event log)."""
        pages = _pages(records, self.bundle)
        at = pages["at"].to_numpy(dtype=float)
        for rot in self.schedules:
            reached = np.zeros(len(pages), dtype=bool)
            for m in rot.members:
                reached |= ((pages["responder"].to_numpy() == m.responder)
                            & _covered(at, list(m.spans), self.lo))
            self._count(f"rotation:{rot.rotation}", pages[reached], pages[reached])
        for responder, theirs in pages.groupby("responder", sort=False):
            spans = self.on_call.get(str(responder), [])
            while_on_call = theirs[_covered(theirs["at"].to_numpy(dtype=float), spans, self.lo)]
            self._count(f"responder:{responder}", theirs, while_on_call)
        engaged = records.responders
        for responder, rows in engaged.groupby("responder", sort=False):
            self._fold((f"responder:{responder}", "minutes_engaged"), rows["replication"],
                       rows["minutes_engaged"])

    def _count(self, who: str, pages: pd.DataFrame, on_call: pd.DataFrame) -> None:
        """Pages by band, and distinct incidents among the pages sent while on call."""
        for band in BAND_NAMES:
            self._add((who, band), pages[pages["band"] == band])
        self._add((who, "shift incidents"),
                  on_call.drop_duplicates(["replication", "incident", "responder"]))

    def per_replication(self, who: str, what: str) -> np.ndarray:
        """A count for each replication (zeros where nothing was counted)."""
        return self.counts.get((who, what), np.zeros(self.replications))

    def report(self) -> LoadReport:
        org, reps = self.bundle.org, self.replications
        span_minutes = (self.hi - self.lo).total_seconds() / 60.0
        months = span_minutes / MONTH_MINUTES

        def bands(who: str) -> dict[str, Estimate]:
            return {b: estimate(self.per_replication(who, b) / months) for b in BAND_NAMES}

        def per_shift(who: str, minutes_on_call: float) -> Estimate | None:
            """Distinct incidents reaching someone while on call, per 12 hours on call."""
            if minutes_on_call <= 0:
                return None
            return estimate(self.per_replication(who, "shift incidents") * SHIFT_MINUTES
                            / minutes_on_call)

        rotations = []
        for rot in self.schedules:
            who = f"rotation:{rot.rotation}"
            shift = per_shift(who, sum(m.on_call_minutes for m in rot.members))
            flags = []
            if shift is not None and shift.mean > MAX_INCIDENTS_PER_SHIFT:
                flags.append(f"{shift.mean:.1f} incidents per 12-hour shift (limit 2)")
            if rot.understaffed:
                flags.append(f"24/7 on one site with {len(rot.members)} people (fewer than 8)")
            if rot.gaps:
                flags.append(f"{len(rot.gaps)} coverage gap(s), {rot.gap_minutes / 60:.1f} h")
            rotations.append(RotationLoad(rot, bands(who), shift, tuple(flags)))

        people = []
        for r in org.responders:
            who = f"responder:{r.id}"
            counts = {b: self.per_replication(who, b) for b in BAND_NAMES}
            if r.id not in self.on_call and not any(c.any() for c in counts.values()):
                continue  # never on call and never paged
            spans = self.on_call.get(r.id, [])
            minutes = sum((b - a).total_seconds() / 60.0 for a, b in spans)
            out_of_hours = estimate(np.sum([counts[b] for b in OUT_OF_HOURS], axis=0) / months)
            shift = per_shift(who, minutes)
            share = minutes / span_minutes
            flags = []
            if share > MAX_ON_CALL_SHARE:
                flags.append(f"on call {share:.0%} of the time (limit 25%)")
            if shift is not None and shift.mean > MAX_INCIDENTS_PER_SHIFT:
                flags.append(f"{shift.mean:.1f} incidents per 12-hour shift (limit 2)")
            band = interruption_band(out_of_hours.mean)
            if band in ("bad", "burnout"):
                flags.append(f"{out_of_hours.mean:.1f} out-of-hours interruptions a month ({band})")
            people.append(ResponderLoad(
                r.id, r.name or r.id, r.timezone or org.timezone, bands(who),
                estimate(np.sum(list(counts.values()), axis=0) / months), out_of_hours, shift,
                estimate(self.per_replication(who, "minutes_engaged") / 60.0 / months), share,
                tuple(flags)))
        return LoadReport(self.bundle.scenario.name, org.name, reps, self.seed, self.lo,
                          self.hi, tuple(people), tuple(rotations))


def on_call_load(bundle: Bundle, records: Records, replications: int, seed: int) -> LoadReport:
    """The load report of a finished run (its records must include the event log)."""
    tally = LoadTally(bundle, replications, seed)
    tally.add(records)
    return tally.report()
