"""What a rotation's schedule asks of its people, before any incident: hours on call per
person (and how many fall out of their own hours), coverage gaps, and a quality score.

A coverage gap is time when a layer has nobody although its restrictions say it is covering
(before a layer's start, after its end, a layer without members); time outside a layer's
restriction windows is by design and not a gap. `uncovered_minutes` is all time the rotation
reaches nobody at all, by design or not: a rotation with none is 24/7.

The score (0-100) multiplies three shares in 0..1, each 1 when perfect: coverage (1 minus the
share of layer time in gaps), the balance of on-call hours between members and the balance of
their out-of-hours on-call hours, a balance being the members' mean over their maximum (0.5
when one person carries twice the average)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from drillsim.scenarios.org import Organisation, Rotation
from drillsim.sim.bands import OUT_OF_HOURS, band_minutes
from drillsim.sim.clock import zone
from drillsim.sim.oncall import _restricted_out, shifts

Span = tuple[dt.datetime, dt.datetime]
FULL_SITE_MINIMUM = 8  # people a 24/7 single-site rotation needs (Google SRE book, ch. 11)


@dataclass(frozen=True)
class MemberSchedule:
    """One member of a rotation: the spans they are paged for, hours on call and how many of
    those fall in each band of their own day."""

    responder: str
    timezone: str
    spans: tuple[Span, ...]
    on_call_minutes: float
    band_minutes: dict[str, float]

    @property
    def out_of_hours_minutes(self) -> float:
        return sum(self.band_minutes[b] for b in OUT_OF_HOURS)


@dataclass(frozen=True)
class RotationSchedule:
    """A rotation over [start, end): its members' schedules, gaps per layer, the time nobody
    is reached, and the score's parts."""

    rotation: str
    name: str
    start: dt.datetime
    end: dt.datetime
    members: tuple[MemberSchedule, ...]
    gaps: tuple[tuple[str, Span], ...]  # (layer name, span)
    layer_minutes: float  # the layers' covering time, gaps included
    uncovered_minutes: float
    single_site: bool

    @property
    def gap_minutes(self) -> float:
        return sum((b - a).total_seconds() / 60.0 for _, (a, b) in self.gaps)

    @property
    def coverage(self) -> float:
        return 1.0 - self.gap_minutes / self.layer_minutes if self.layer_minutes else 0.0

    @property
    def always_on(self) -> bool:
        return self.uncovered_minutes == 0

    @property
    def hours_balance(self) -> float:
        return balance([m.on_call_minutes for m in self.members])

    @property
    def out_of_hours_balance(self) -> float:
        return balance([m.out_of_hours_minutes for m in self.members])

    @property
    def score(self) -> float:
        return 100.0 * self.coverage * self.hours_balance * self.out_of_hours_balance

    @property
    def understaffed(self) -> bool:
        """A 24/7 rotation on one site with fewer people than a sustainable one needs."""
        return self.always_on and self.single_site and len(self.members) < FULL_SITE_MINIMUM


def balance(values: list[float]) -> float:
    """Mean over maximum: 1 when everyone carries the same, 1/n when one person carries all."""
    top = max(values, default=0.0)
    return 1.0 if top <= 0 else sum(values) / len(values) / top


def _minutes(span: Span) -> float:
    return (span[1] - span[0]).total_seconds() / 60.0


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def members_of(rotation: Rotation) -> list[str]:
    """Everyone in any layer of the rotation, in order of first appearance."""
    return list(dict.fromkeys(m for layer in rotation.layers for m in layer.members))


def rotation_schedule(org: Organisation, rotation: Rotation, lo: dt.datetime,
                      hi: dt.datetime) -> RotationSchedule:
    """The schedule facts of one rotation over [lo, hi)."""
    zones = {r.id: r.timezone or org.timezone for r in org.responders}
    names = members_of(rotation)
    spans: dict[str, list[Span]] = {m: [] for m in names}
    gaps: list[tuple[str, Span]] = []
    layer_minutes = uncovered = 0.0
    for s in shifts(rotation, lo, hi):
        for person in s.on_call:
            spans.setdefault(person, []).append((s.start, s.end))
        if not s.on_call:
            uncovered += _minutes((s.start, s.end))
        for j, (layer, member) in enumerate(zip(rotation.layers, s.layers, strict=True)):
            if _restricted_out(rotation, layer, s.start):
                continue
            layer_minutes += _minutes((s.start, s.end))
            if member is None:
                name = layer.name or f"layer {j + 1}"
                if gaps and gaps[-1][0] == name and gaps[-1][1][1] == s.start:
                    gaps[-1] = (name, (gaps[-1][1][0], s.end))
                else:
                    gaps.append((name, (s.start, s.end)))
    members = []
    for person, own in spans.items():
        merged = _merge(own)
        tz = zones.get(person, org.timezone)
        by_band = dict.fromkeys(band_minutes(lo, lo, zone(tz)), 0.0)
        for span in merged:
            for band, minutes in band_minutes(*span, zone(tz)).items():
                by_band[band] += minutes
        members.append(MemberSchedule(person, tz, tuple(merged), sum(map(_minutes, merged)),
                                      by_band))
    return RotationSchedule(rotation.id, rotation.name or rotation.id, lo, hi, tuple(members),
                            tuple(gaps), layer_minutes, uncovered,
                            len({m.timezone for m in members}) <= 1)


def person_on_call(org: Organisation, schedules: list[RotationSchedule]) -> dict[str, list[Span]]:
    """Each person's time on call in any rotation, merged."""
    out: dict[str, list[Span]] = {}
    for rot in schedules:
        for m in rot.members:
            out.setdefault(m.responder, []).extend(m.spans)
    return {person: _merge(spans) for person, spans in out.items()}
