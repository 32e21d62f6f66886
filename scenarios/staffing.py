"""Staffing shortcuts: the changes a user asks for without editing YAML, each a name usable
wherever an override path is (`--vary rotation_size=4,6,8`, an experiment's `set:`).

They work on the organisation document. "The primary" is the rotation the most severe
severity's escalation policy pages first; "the secondary" the rotation its second level pages.

- `rotation_size=N` (`rotations.ID.size=N`): the primary's first layer has N members: people
  are left off the end, or generated with realistic names (Faker, the same for the same seed)
  and the profile of the layer's last member.
- `turn=DURATION` (`rotations.ID.turn=DURATION`): every layer of every rotation (of that one)
  hands over at this interval.
- `secondary=on|off`: off drops the escalation levels that page the secondary; on adds a
  secondary (the primary's first layer one turn ahead) paged after the primary, if there is none.
- `follow_the_sun=on|off`: off keeps only the primary's layers without time-of-day restrictions
  (one region covers all hours); on adds a layer per time zone of the primary's members, each
  on call 08:00-20:00 in its own zone, above the layer that covers the rest.
- `escalation_delay=DURATION`: how long every escalation policy's first level waits for an
  acknowledgement before escalating.
- `ack_delay=DISTRIBUTION`, `miss_probability=P`: everyone's time to acknowledge (working and
  off hours alike) and odds of missing a page."""

from __future__ import annotations

import copy
import re
import zlib
from collections.abc import Callable
from typing import Any

from drillsim.scenarios.document import Path_
from drillsim.scenarios.errors import InputError, nearest
from drillsim.scenarios.overrides import Override, set_path

Data = dict[str, Any]
DAY_START, DAY_END = "08:00", "20:00"
_LOCALES = {"Europe/London": "en_GB", "Europe/Dublin": "en_IE", "Europe/Berlin": "de_DE",
            "Europe/Paris": "fr_FR", "Europe/Madrid": "es_ES", "Europe/Amsterdam": "nl_NL",
            "Asia/Tokyo": "ja_JP", "Asia/Kolkata": "en_IN", "Australia/Sydney": "en_AU",
            "America/Sao_Paulo": "pt_BR"}


def _rotation_ref(target: Any) -> str | None:
    """The rotation a raw escalation target pages, if it pages one."""
    if isinstance(target, str) and target.partition(":")[0].strip() == "rotation":
        return target.partition(":")[2].strip()
    if isinstance(target, dict) and isinstance(target.get("rotation"), str):
        return str(target["rotation"])
    return None


def _paging_policy(org: Data, override: Override) -> tuple[int, Data]:
    severities = org.get("severities") or {}
    name = next((s.get("escalation_policy") for s in severities.values() if isinstance(s, dict)),
                None)
    for i, policy in enumerate(org.get("escalation_policies") or []):
        if isinstance(policy, dict) and policy.get("id") == name:
            return i, policy
    raise InputError([override.problem("the organisation's most severe severity names no "
                                       "escalation policy it has")])


def _level_rotation(org: Data, level: int, override: Override) -> str | None:
    _, policy = _paging_policy(org, override)
    levels = policy.get("levels") or []
    if level >= len(levels):
        return None
    return next((r for t in levels[level].get("targets") or [] if (r := _rotation_ref(t))), None)


def _primary(org: Data, override: Override) -> str:
    found = _level_rotation(org, 0, override)
    if found is None:
        raise InputError([override.problem("the first escalation level of the most severe "
                                           "severity pages no rotation; name one with "
                                           "rotations.ID.… instead")])
    return found


def _rotation(org: Data, ident: str, override: Override) -> tuple[int, Data]:
    rotations = org.get("rotations") or []
    for i, rot in enumerate(rotations):
        if isinstance(rot, dict) and rot.get("id") == ident:
            return i, rot
    names = [str(r.get("id")) for r in rotations if isinstance(r, dict)]
    raise InputError([override.problem(f"no rotation {ident!r}{nearest(ident, names)}")])


def _on(override: Override) -> bool:
    if override.value in (True, False):
        return bool(override.value)
    raise InputError([override.problem(f"expected on or off, found {override.text!r}")])


def _faker(seed: int, zone: str | None) -> Any:
    from faker import Faker

    fake = Faker(_LOCALES.get(zone or "", "en_US"))
    fake.seed_instance(seed)
    return fake


def rotation_size(org: Data, ident: str, override: Override, seed: int) -> list[Path_]:
    """The rotation's first layer with members added or left off to reach the given size."""
    size = override.value
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise InputError([override.problem(f"expected a number of people (1 or more), found "
                                           f"{override.text!r}")])
    i, rot = _rotation(org, ident, override)
    layers = rot.get("layers") or []
    j = next((j for j, layer in enumerate(layers) if isinstance(layer, dict)
              and layer.get("members")), None)
    if j is None:
        raise InputError([override.problem(f"rotation {ident!r} has no layer with members")])
    members = list(layers[j]["members"])
    people = org.setdefault("responders", [])
    if size <= len(members):
        layers[j]["members"] = members[:size]
        return [("rotations", i, "layers", j, "members")]
    profile = next((r for r in people if isinstance(r, dict) and r.get("id") == members[-1]), {})
    fake = _faker(seed + zlib.crc32(ident.encode()), profile.get("timezone") or org.get("timezone"))
    taken = {str(r.get("id")) for r in people if isinstance(r, dict)}
    added: list[str] = []
    while len(members) + len(added) < size:
        name = f"{fake.first_name()} {fake.last_name()}"
        rid = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        if rid in taken:
            continue
        taken.add(rid)
        person = {**copy.deepcopy(profile), "id": rid, "name": name}
        people.append(person)
        added.append(rid)
    layers[j]["members"] = members + added
    return [("rotations", i, "layers", j, "members"),
            *(("responders", k) for k in range(len(people) - len(added), len(people)))]


def turn(org: Data, ident: str | None, override: Override) -> list[Path_]:
    """Every layer of rotation `ident` (of every rotation, for None) takes turns this long."""
    rotations = [_rotation(org, ident, override)] if ident is not None else [
        (i, r) for i, r in enumerate(org.get("rotations") or []) if isinstance(r, dict)]
    if not rotations:
        raise InputError([override.problem("the organisation has no rotations")])
    return [p for i, r in rotations for p in set_path(r, ["layers", "*", "turn"], override.value,
                                                       override, ("rotations", i))]


def secondary(org: Data, override: Override, seed: int) -> list[Path_]:
    """Page the secondary rotation, or stop paging it."""
    p, policy = _paging_policy(org, override)
    second = _level_rotation(org, 1, override)
    primary = _primary(org, override)
    if not _on(override):
        if second is None:
            return []
        touched: list[Path_] = []
        for k, pol in enumerate(org.get("escalation_policies") or []):
            levels = pol.get("levels") or []
            kept = [lv for lv in levels if not any(_rotation_ref(t) == second
                                                   for t in lv.get("targets") or [])]
            if len(kept) < len(levels):
                if not kept:
                    raise InputError([override.problem(
                        f"escalation policy {pol.get('id')!r} pages only the secondary "
                        f"{second!r}; it would have no level left")])
                pol["levels"] = kept
                touched.append(("escalation_policies", k, "levels"))
        return touched
    if second is not None:
        return []
    _, rot = _rotation(org, primary, override)
    layer = (rot.get("layers") or [{}])[0]
    source = primary if len(rot.get("layers") or []) == 1 else f"{primary}/{layer.get('name', '')}"
    ident = "secondary"
    while any(isinstance(r, dict) and r.get("id") == ident for r in org.get("rotations") or []):
        ident += "-2"
    new = {"id": ident, "name": f"{rot.get('name') or primary} secondary",
           "layers": [{"name": "secondary", "members_from": source, "offset": 1,
                       **{k: layer[k] for k in ("turn", "handoff", "timezone") if k in layer}}]}
    if rot.get("timezone"):
        new["timezone"] = rot["timezone"]
    org["rotations"].append(new)
    levels = policy["levels"]
    levels.insert(1, {"targets": [{"rotation": ident}],
                      **({"delay": levels[0]["delay"]} if "delay" in levels[0] else {})})
    return [("rotations", len(org["rotations"]) - 1), ("escalation_policies", p, "levels")]


def follow_the_sun(org: Data, override: Override, seed: int) -> list[Path_]:
    """The primary covered by one region around the clock, or by each region in its day."""
    primary = _primary(org, override)
    i, rot = _rotation(org, primary, override)
    layers = rot.get("layers") or []
    restricted = [j for j, layer in enumerate(layers) if layer.get("restrictions")]
    if not _on(override):
        if len(restricted) == len(layers):
            raise InputError([override.problem(f"every layer of {primary!r} has restrictions: no "
                                               "layer covers all hours on its own")])
        rot["layers"] = [layer for j, layer in enumerate(layers) if j not in restricted]
        return [("rotations", i, "layers")] if restricted else []
    if restricted:
        return []
    people = {r.get("id"): r for r in org.get("responders") or [] if isinstance(r, dict)}
    base = layers[0] if layers else {}
    zones: dict[str, list[str]] = {}
    for member in base.get("members") or []:
        person = people.get(member, {})
        zones.setdefault(person.get("timezone") or org.get("timezone") or "UTC", []).append(member)
    if len(zones) < 2:
        raise InputError([override.problem(
            f"the members of {primary!r} all work in one time zone; follow-the-sun needs people "
            "in two or more")])
    for zone, members in zones.items():
        layers.append({"name": f"day in {zone}", "members": members, "timezone": zone,
                       **{k: base[k] for k in ("turn", "handoff") if k in base},
                       "restrictions": [{"start": DAY_START, "end": DAY_END}]})
    return [("rotations", i, "layers")]


def _everyone(path: list[str | int]) -> Callable[[Data, Override, int], list[Path_]]:
    def apply(org: Data, override: Override, seed: int) -> list[Path_]:
        return set_path(org, ["responders", "*", *path], override.value, override)
    return apply


def _escalation_delay(org: Data, override: Override, seed: int) -> list[Path_]:
    return set_path(org, ["escalation_policies", "*", "levels", 0, "delay"], override.value,
                    override)


def _ack_delay(org: Data, override: Override, seed: int) -> list[Path_]:
    value = {"working": override.value, "off_hours": override.value}
    return set_path(org, ["responders", "*", "ack_delay"], value, override)


SHORTCUTS: dict[str, Callable[[Data, Override, int], list[Path_]]] = {
    "rotation_size": lambda org, o, seed: rotation_size(org, _primary(org, o), o, seed),
    "turn": lambda org, o, seed: turn(org, None, o),
    "secondary": secondary,
    "follow_the_sun": follow_the_sun,
    "escalation_delay": _escalation_delay,
    "ack_delay": _ack_delay,
    "miss_probability": _everyone(["miss_probability"]),
}
# `rotations.ID.NAME`: fields a rotation does not have, which set something of its layers
ROTATION: dict[str, Callable[[Data, str, Override, int], list[Path_]]] = {
    "size": rotation_size,
    "turn": lambda org, ident, o, seed: turn(org, ident, o),
}
