"""Who is on call: a pure function of a rotation and an instant, plus the instants it can change.

Turns whose length is a whole number of days hand off at the same local time every time, across
DST changes; shorter or odd turns count elapsed time. Shifts are half-open [start, end): at a
handoff exactly one member of a layer is on call. Restrictions blank a layer outside their
windows without shifting its turns."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass, replace

from drillsim.scenarios.org import Layer, Override, Rotation
from drillsim.sim.clock import TICK, occurrences, span_points, to_instant, zone

DAY = 1440.0


def _layer_zone(rotation: Rotation, layer: Layer) -> dt.tzinfo:
    return zone(layer.timezone or rotation.timezone or "UTC")


def _wall_turns(layer: Layer) -> bool:
    return layer.turn % DAY == 0


def _anchor(rotation: Rotation, layer: Layer) -> tuple[dt.datetime, dt.datetime]:
    """The anchoring handoff (turn 0) as local wall time (naive) and as a UTC instant."""
    tz = _layer_zone(rotation, layer)
    instant = to_instant(layer.handoff, tz)
    return instant.astimezone(tz).replace(tzinfo=None), instant


def handoff(rotation: Rotation, layer: Layer, k: int) -> dt.datetime:
    """The instant turn k of a layer begins (turn 0 at the layer's handoff; k may be negative:
    turns extend backwards from the handoff)."""
    local, instant = _anchor(rotation, layer)
    if _wall_turns(layer):
        return to_instant(local + dt.timedelta(minutes=k * layer.turn), _layer_zone(rotation, layer))
    return instant + dt.timedelta(minutes=k * layer.turn)


def turn_index(rotation: Rotation, layer: Layer, t: dt.datetime) -> int:
    """The turn in force at instant t, counted from the anchoring handoff (negative before it)."""
    local, instant = _anchor(rotation, layer)
    if _wall_turns(layer):
        elapsed = t.astimezone(_layer_zone(rotation, layer)).replace(tzinfo=None) - local
    else:
        elapsed = t - instant
    k = math.floor(elapsed.total_seconds() / 60.0 / layer.turn)
    while handoff(rotation, layer, k + 1) <= t:
        k += 1
    while handoff(rotation, layer, k) > t:
        k -= 1
    return k


def _restricted_out(rotation: Rotation, layer: Layer, t: dt.datetime) -> bool:
    if not layer.restrictions:
        return False
    spans = occurrences(layer.restrictions, _layer_zone(rotation, layer), t,
                        t + dt.timedelta(seconds=1))
    return not any(s <= t < e for s, e in spans)


def layer_on_call(rotation: Rotation, layer: Layer, t: dt.datetime) -> str | None:
    """The member of one layer on call at instant t, ignoring overrides."""
    if layer.start is not None and t < to_instant(layer.start, _layer_zone(rotation, layer)):
        return None
    if layer.end is not None and t >= to_instant(layer.end, _layer_zone(rotation, layer)):
        return None
    if _restricted_out(rotation, layer, t):
        return None
    return layer.members[turn_index(rotation, layer, t) % len(layer.members)]


def _active(rotation: Rotation, override: Override, t: dt.datetime) -> bool:
    tz = zone(rotation.timezone or "UTC")
    return to_instant(override.start, tz) <= t < to_instant(override.end, tz)


def layers_at(rotation: Rotation, t: dt.datetime) -> tuple[tuple[str, ...],
                                                           tuple[str | None, ...]]:
    """(whoever covers the whole rotation by override at t, each layer's member at t with
    that layer's overrides applied): the pieces `on_call` combines."""
    active = [o for o in rotation.overrides if _active(rotation, o, t)]
    whole = tuple(o.responder for o in active if o.layer is None)
    by_layer = []
    for layer in rotation.layers:
        covering = [o.responder for o in active if o.layer == layer.name]
        by_layer.append(covering[-1] if covering else layer_on_call(rotation, layer, t))
    return whole, tuple(by_layer)


def on_call(rotation: Rotation, t: dt.datetime) -> tuple[str, ...]:
    """Everyone a page to this rotation reaches at instant t (one person under `priority`)."""
    whole, by_layer = layers_at(rotation, t)
    if whole:
        return (whole[-1],) if rotation.combine == "priority" else tuple(dict.fromkeys(whole))
    if rotation.combine == "priority":
        return next(((r,) for r in reversed(by_layer) if r is not None), ())
    return tuple(dict.fromkeys(r for r in by_layer if r is not None))


def change_points(rotation: Rotation, lo: dt.datetime, hi: dt.datetime) -> list[dt.datetime]:
    """Every instant in [lo, hi) at which `on_call` may change (a superset of the real changes)."""
    points: set[dt.datetime] = set()
    rot_tz = zone(rotation.timezone or "UTC")
    for o in rotation.overrides:
        points.update((to_instant(o.start, rot_tz), to_instant(o.end, rot_tz)))
    for layer in rotation.layers:
        tz = _layer_zone(rotation, layer)
        if layer.start is not None:
            points.add(to_instant(layer.start, tz))
        if layer.end is not None:
            points.add(to_instant(layer.end, tz))
        k = turn_index(rotation, layer, lo)
        while (at := handoff(rotation, layer, k)) < hi:
            points.add(at)
            k += 1
        points.update(span_points(occurrences(layer.restrictions, tz, lo - TICK, hi), lo, hi))
    return sorted(p for p in points if lo <= p < hi)


@dataclass(frozen=True)
class Shift:
    """[start, end): who is on call throughout, per layer (overrides of a layer applied), by a
    whole-rotation override, and in the end (what a page reaches)."""

    start: dt.datetime
    end: dt.datetime
    layers: tuple[str | None, ...]
    overrides: tuple[str, ...]
    on_call: tuple[str, ...]


def shifts(rotation: Rotation, lo: dt.datetime, hi: dt.datetime) -> list[Shift]:
    """The shifts covering [lo, hi), clipped to it; neighbours with the same people are merged."""
    out: list[Shift] = []
    edges = sorted({lo, hi, *change_points(rotation, lo, hi)})
    for start, end in itertools.pairwise(edges):
        whole, layers = layers_at(rotation, start)
        final = on_call(rotation, start)
        last = out[-1] if out else None
        if last is not None and (last.layers, last.overrides, last.on_call) == (layers, whole, final):
            out[-1] = replace(last, end=end)
        else:
            out.append(Shift(start, end, layers, whole, final))
    return out
