"""The names a scenario borrows from its organisation (services, skills, alerts, roles, rotations,
teams, responders, escalation policies, severities), listed or renamed in one walk, so a bundled
scenario can be mapped onto a user's own organisation with `--map KIND:OLD=NEW`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drillsim.scenarios.errors import InputError, Problem, nearest
from drillsim.scenarios.org import Organisation, Target
from drillsim.scenarios.scenario import (
    Incident,
    IncidentTemplate,
    Inject,
    Phase,
    Scenario,
    Signal,
    WorkloadType,
)

KINDS = ("service", "skill", "alert", "role", "rotation", "team", "responder",
         "escalation_policy", "severity")
Path_ = tuple[str | int, ...]
Rename = Callable[[str, str, Path_], str]  # (kind, name, where in the file) -> new name
Mapping = dict[tuple[str, str], str]


def _phase(phase: Phase, path: Path_, fn: Rename) -> Phase:
    options = tuple(o if o.skill is None else o.model_copy(
        update={"skill": fn("skill", o.skill, (*path, "options", j, "skill"))})
        for j, o in enumerate(phase.options))
    skill = None if phase.skill is None else fn("skill", phase.skill, (*path, "skill"))
    return phase.model_copy(update={"skill": skill, "options": options})


def _target(target: Target, path: Path_, fn: Rename) -> Target:
    return target.model_copy(update={target.kind: fn(target.kind, target.ref, (*path, target.kind))})


def _signal(signal: Signal, path: Path_, fn: Rename) -> Signal:
    update: dict[str, Any] = {}
    if signal.alert is not None:
        update["alert"] = fn("alert", signal.alert, (*path, "alert"))
    if signal.assessor is not None:
        update["assessor"] = _target(signal.assessor, (*path, "assessor"), fn)
    return signal.model_copy(update=update)


def _inject(inject: Inject, path: Path_, fn: Rename) -> Inject:
    update: dict[str, Any] = {}
    if inject.severity is not None:
        update["severity"] = fn("severity", inject.severity, (*path, "severity"))
    if inject.add_phase is not None:
        update["add_phase"] = _phase(inject.add_phase, (*path, "add_phase"), fn)
    return inject.model_copy(update=update)


def _template(t: IncidentTemplate, path: Path_, fn: Rename) -> IncidentTemplate:
    update: dict[str, Any] = {
        # two names mapped onto one are one service, one requirement
        "services": tuple(dict.fromkeys(fn("service", s, (*path, "services", j))
                                        for j, s in enumerate(t.services))),
        "escalation_policies": tuple(fn("escalation_policy", p, (*path, "escalation_policies", j))
                                     for j, p in enumerate(t.escalation_policies)),
        "requires": tuple(dict.fromkeys(_target(r, (*path, "requires", j), fn)
                                        for j, r in enumerate(t.requires))),
        "signals": tuple(_signal(s, (*path, "signals", j), fn) for j, s in enumerate(t.signals)),
        "phases": tuple(_phase(p, (*path, "phases", j), fn) for j, p in enumerate(t.phases)),
        "injects": tuple(_inject(i, (*path, "injects", j), fn) for j, i in enumerate(t.injects)),
    }
    if isinstance(t, Incident):
        update["severity"] = fn("severity", t.severity, (*path, "severity"))
    elif isinstance(t, WorkloadType):
        mix: dict[str, float] = {}
        for key, weight in t.severity_mix.items():
            new = fn("severity", key, (*path, "severity_mix", key))
            mix[new] = mix.get(new, 0.0) + weight
        update["severity_mix"] = mix
    return t.model_copy(update=update)


def rename(scenario: Scenario, fn: Rename) -> Scenario:
    """The scenario with every borrowed name replaced by `fn(kind, name, path)`."""
    update: dict[str, Any] = {"incidents": tuple(
        _template(inc, ("incidents", i), fn) for i, inc in enumerate(scenario.incidents))}
    if scenario.workload is not None:
        update["workload"] = scenario.workload.model_copy(update={"types": tuple(
            _template(t, ("workload", "types", i), fn)
            for i, t in enumerate(scenario.workload.types))})
    return scenario.model_copy(update=update)


def references(scenario: Scenario) -> list[tuple[str, str, Path_]]:
    """Every (kind, name, path) the scenario borrows, in file order."""
    found: list[tuple[str, str, Path_]] = []

    def record(kind: str, name: str, path: Path_) -> str:
        found.append((kind, name, path))
        return name

    rename(scenario, record)
    return found


def known(org: Organisation) -> dict[str, set[str]]:
    """The names of each kind the organisation defines."""
    return {
        "service": {s.id for s in org.services},
        "skill": {s for r in org.responders for s in r.skills},
        "alert": set(org.alerts),
        "role": {r.id for r in org.roles},
        "rotation": {r.id for r in org.rotations},
        "team": {t.id for t in org.teams} | {t for r in org.responders for t in r.teams},
        "responder": {r.id for r in org.responders},
        "escalation_policy": {p.id for p in org.escalation_policies},
        "severity": set(org.severities),
    }


def parse_map(options: tuple[str, ...]) -> Mapping:
    """`--map KIND:OLD=NEW` options as {(kind, old): new}."""
    out: Mapping = {}
    problems = []
    for text in options:
        kind, colon, rest = text.partition(":")
        old, equals, new = rest.partition("=")
        kind = kind.strip().replace("-", "_").replace(" ", "_")
        if not (colon and equals and old.strip() and new.strip()) or kind not in KINDS:
            problems.append(Problem("--map", None, "", f"expected KIND:OLD=NEW with KIND one of "
                                    f"{', '.join(KINDS)}, found {text!r}"))
            continue
        out[(kind, old.strip())] = new.strip()
    if problems:
        raise InputError(problems)
    return out


def apply_map(scenario: Scenario, mapping: Mapping) -> Scenario:
    """The scenario with mapped names replaced; a mapping of a name it never uses is an error,
    since it is probably a typo."""
    used = {(kind, name) for kind, name, _ in references(scenario)}
    unused = [Problem("--map", None, "", f"the scenario uses no {kind.replace('_', ' ')} {old!r}"
                      f"{nearest(old, [n for k, n in used if k == kind])}")
              for kind, old in mapping if (kind, old) not in used]
    if unused:
        raise InputError(unused)
    return rename(scenario, lambda kind, name, _: mapping.get((kind, name), name))


def missing(scenario: Scenario, org: Organisation, at: Callable[[Path_, str], Problem],
            mappable: bool = False) -> list[Problem]:
    """One problem per name the scenario uses and the organisation lacks, at its first use,
    with the nearest name the organisation has; with `mappable`, also the `--map` option that
    would map it."""
    names = known(org)
    uses: dict[tuple[str, str], list[Path_]] = {}
    for kind, name, path in references(scenario):
        if name not in names[kind]:
            uses.setdefault((kind, name), []).append(path)
    problems = []
    for (kind, name), paths in uses.items():
        hint = nearest(name, names[kind])
        message = f"unknown {kind.replace('_', ' ')} {name!r}{hint}"
        if kind == "severity":
            message += f"; the organisation's ladder is {', '.join(org.severities)}"
        if len(paths) > 1:
            lines = sorted({p.line for p in (at(path, "") for path in paths[1:]) if p.line})
            message += f"; also used on line{'s' if len(lines) > 1 else ''} " \
                       f"{', '.join(map(str, lines))}" if lines else ""
        if mappable:
            choice = hint.split("'")[1] if hint else "NAME"
            message += f"; add it, or map it with --map {kind}:{name}={choice}"
            if not hint and kind != "severity" and 0 < len(names[kind]) <= 8:
                message += f" (the organisation's: {', '.join(sorted(names[kind]))})"
        problems.append(at(paths[0], message))
    return sorted(problems, key=lambda p: p.line or 0)
