"""Loading YAML into validated models, with every problem reported as file:line: field: message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from drillsim.scenarios import org as org_models
from drillsim.scenarios.document import (
    Document,
    Path_,
    bundled,
    parse_file,
    read_document,
    resolve,
)
from drillsim.scenarios.errors import InputError, Problem, nearest
from drillsim.scenarios.names import Mapping, apply_map, missing
from drillsim.scenarios.org import Organisation
from drillsim.scenarios.scenario import Bundle, Scenario
from drillsim.scenarios.schema import Checked, References, check_model, unique

__all__ = ["Document", "bundled", "load", "load_documents", "load_organisation", "read_document",
           "resolve", "validate_file"]
SCENARIO_FIELDS = frozenset({"incidents", "workload", "start", "org"})  # an organisation has none


def _organisation(doc: Document) -> tuple[Checked[Organisation], list[Problem]]:
    """An organisation file (or a scenario holding one under `org`) and all its problems."""
    data: Any = doc.data
    if "responders" not in data and isinstance(data.get("org"), dict):
        data = data["org"]
    base: Path_ = ("org",) if data is not doc.data else ()
    checked = check_model(doc, Organisation, data, base)
    problems = list(checked.problems)
    if checked.model is not None:
        refs = References(doc, checked, data, base)
        problems += refs.keep(check_organisation(checked.model, refs.at()))
    return checked, _ordered(problems)


def load_organisation(path: str | Path) -> Organisation:
    """An organisation file, validated including every cross-reference."""
    checked, problems = _organisation(read_document(path))
    _raise(problems)
    assert checked.model is not None
    return checked.model


def load(scenario_path: str | Path, org_path: str | Path | None = None,
         mapping: Mapping | None = None) -> Bundle:
    """A scenario and its organisation (given, inline, or referenced by the scenario), with the
    scenario's names mapped onto the organisation's by `mapping` ({(kind, old): new}): every
    problem of both at once, schema and cross-references alike."""
    return _load(resolve(scenario_path), read_document(scenario_path), org_path, mapping)


def load_documents(file: Path, doc: Document, org_path: str | Path | None = None,
                   org_doc: Document | None = None, mapping: Mapping | None = None) -> Bundle:
    """`load` from documents already read (and perhaps edited): the scenario's, and the
    organisation's when it is a file of its own."""
    return _load(file, doc, org_path, mapping, org_doc)


def _load(file: Path, doc: Document, org_path: str | Path | None = None,
          mapping: Mapping | None = None, org_doc: Document | None = None) -> Bundle:
    checked = check_model(doc, Scenario, doc.data)
    if mapping and checked.model is not None:
        checked = replace(checked, model=apply_map(checked.model, mapping))
    problems = list(checked.problems)
    sources = [file]
    org: Organisation | None = None
    note: list[Problem] = []  # said last, after the problems it sums up
    dropped: frozenset[str] = frozenset()
    named = org_path if org_path is not None else doc.data.get("org")
    if org_path is not None or isinstance(named, str):
        try:
            org_file = resolve(named, None if org_path is not None else file.parent)
        except InputError as exc:
            if org_path is not None:
                raise
            problems += [doc.problem(("org",), f"{p.file}: {p.message}") for p in exc.problems]
        else:
            sources.append(org_file)
            try:
                if org_doc is None:
                    org_doc = parse_file(org_file, str(named) if org_path is not None else None)
            except InputError as exc:
                problems += exc.problems
            else:
                org_checked, org_problems = _organisation(org_doc)
                problems += org_problems
                org, dropped = org_checked.model, org_checked.dropped
    elif named is None:
        problems.append(doc.problem(("org",), "no organisation: add 'org' or pass --org FILE"))
    elif isinstance(named, dict):  # checked on its own: its references even if the rest fails
        org_checked, org_problems = _organisation(doc)
        problems += org_problems
        org, dropped = org_checked.model, org_checked.dropped
    if checked.model is not None and org is not None:
        refs = References(doc, checked, doc.data, dropped=dropped)
        found = refs.keep(check_scenario(checked.model, org, refs.at(),
                                         mappable=org_path is not None))
        problems += found
        if org_path is not None and any(p.message.startswith("unknown") for p in found):
            note = [Problem(doc.name, None, "", f"{org_path} lacks names this scenario uses: add "
                            "them to it, or map each onto one of its own with the --map options "
                            "above")]
    _raise(_ordered(problems) + note)
    assert checked.model is not None and org is not None
    scenario = checked.model
    return Bundle(scenario=scenario.model_copy(update={"org": None,
                                                       "timezone": scenario.timezone or org.timezone}),
                  org=org, sources=tuple(str(s) for s in sources))


def validate_file(name: str | Path) -> list[Problem]:
    """Every problem of one scenario or organisation file (with the organisation a scenario
    names); an empty list when it is fine."""
    try:
        doc = read_document(name)
        if SCENARIO_FIELDS & doc.data.keys():
            _load(resolve(name), doc)
        else:
            _raise(_organisation(doc)[1])
    except InputError as exc:
        return exc.problems
    return []


def _ordered(problems: list[Problem]) -> list[Problem]:
    """Problems file by file (in the order met), each file's by line."""
    files = list(dict.fromkeys(p.file for p in problems))
    return sorted(unique(problems), key=lambda p: (files.index(p.file), p.line or 0))


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise InputError(problems)


def check_organisation(org: Organisation, at: Any) -> Iterator[Problem]:
    """Cross-references a schema cannot see: unknown names, duplicates, cyclic policies."""
    responders = [r.id for r in org.responders]
    yield from _duplicates("responders", responders, at)
    yield from _duplicates("rotations", [r.id for r in org.rotations], at)
    yield from _duplicates("escalation_policies", [p.id for p in org.escalation_policies], at)
    teams = {t.id for t in org.teams} | {team for r in org.responders for team in r.teams}
    declared = {t.id for t in org.teams}
    if declared:
        for i, r in enumerate(org.responders):
            for j, team in enumerate(r.teams):
                if team not in declared:
                    yield at(("responders", i, "teams", j),
                             f"unknown team {team!r}{nearest(team, declared)}")
    skills = {s for r in org.responders for s in r.skills}
    rotations = {r.id for r in org.rotations}
    names = {"rotation": rotations, "responder": set(responders), "team": teams, "skill": skills,
             "role": {r.id for r in org.roles}}
    yield from _duplicates("roles", [r.id for r in org.roles], at)
    policy_ids = {p.id for p in org.escalation_policies}
    for i, role in enumerate(org.roles):
        for kind in ("skill", "team", "rotation"):
            ref = getattr(role, kind)
            if ref is not None and ref not in names[kind]:
                yield at(("roles", i, kind), f"unknown {kind} {ref!r}{nearest(ref, names[kind])}")
        if role.escalation_policy is not None and role.escalation_policy not in policy_ids:
            yield at(("roles", i, "escalation_policy"),
                     f"unknown escalation policy {role.escalation_policy!r}"
                     f"{nearest(role.escalation_policy, policy_ids)}")
    for i, rot in enumerate(org.rotations):
        layer_names = {layer.name for layer in rot.layers}
        for j, layer in enumerate(rot.layers):
            if layer.members_from is not None:  # left unresolved by the model: say why
                source, why = org_models.source_layer(org.rotations, rot, layer.members_from)
                if source is not None:
                    why = (f"{layer.members_from!r} has no members of its own: its "
                           f"members_from {source.members_from!r} is unresolved or cyclic")
                yield at(("rotations", i, "layers", j, "members_from"), why)
            for k, member in enumerate(layer.members):
                if member not in names["responder"]:
                    yield at(("rotations", i, "layers", j, "members", k),
                             f"unknown responder {member!r}{nearest(member, responders)}")
        for j, ov in enumerate(rot.overrides):
            if ov.responder not in names["responder"]:
                yield at(("rotations", i, "overrides", j, "responder"),
                         f"unknown responder {ov.responder!r}{nearest(ov.responder, responders)}")
            if ov.layer is not None and ov.layer not in layer_names:
                yield at(("rotations", i, "overrides", j, "layer"), f"unknown layer {ov.layer!r}")
    policies = {p.id: p for p in org.escalation_policies}
    for i, policy in enumerate(org.escalation_policies):
        for j, level in enumerate(policy.levels):
            for k, target in enumerate(level.targets):
                yield from _target(target, names, at, ("escalation_policies", i, "levels", j,
                                                       "targets", k))
        if policy.then is not None and policy.then not in policies:
            yield at(("escalation_policies", i, "then"),
                     f"unknown escalation policy {policy.then!r}{nearest(policy.then, policies)}")
        chain, current = [policy.id], policy.then
        while current in policies and current not in chain:
            chain.append(current)
            current = policies[current].then
        if current == policy.id:
            yield at(("escalation_policies", i, "then"),
                     f"cyclic escalation policy: {' -> '.join([*chain, current])}")
    for i, route in enumerate(org.routes):
        for j, name in enumerate(route.escalation_policies):
            if name not in policies:
                yield at(("routes", i, "escalation_policies", j),
                         f"unknown escalation policy {name!r}{nearest(name, policies)}")
    channels = {"page", "chat", "email", "ticket", *org.channels}
    for key, sev in org.severities.items():
        for j, rule in enumerate(sev.deadlines):
            if rule.task is not None:
                for kind in ("role", "skill"):
                    ref = getattr(rule.task, kind)
                    if ref is not None and ref not in names[kind]:
                        yield at(("severities", key, "deadlines", j, "task", kind),
                                 f"unknown {kind} {ref!r}{nearest(ref, names[kind])}")
        updater = sev.status_updates.role if sev.status_updates else None
        if updater is not None and updater not in names["role"]:
            yield at(("severities", key, "status_updates", "role"),
                     f"unknown role {updater!r}{nearest(updater, names['role'])}")
        if sev.channel not in channels:
            yield at(("severities", key, "channel"),
                     f"unknown channel {sev.channel!r}{nearest(sev.channel, channels)}; define it "
                     "under 'channels' or use page, chat, email or ticket")
        if sev.escalation_policy not in policies:
            yield at(("severities", key, "escalation_policy"),
                     f"unknown escalation policy {sev.escalation_policy!r}"
                     f"{nearest(sev.escalation_policy, policies)}")


def _duplicates(field: str, ids: list[str], at: Any) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            yield at((field, i, "id"), f"duplicate id {ident!r}")
        seen.add(ident)


def _target(target: Any, names: dict[str, set[str]], at: Any, path: Path_) -> Iterator[Problem]:
    known = names[target.kind]
    if target.ref not in known:
        yield at((*path, target.kind),
                 f"unknown {target.kind} {target.ref!r}{nearest(target.ref, known)}")


def check_scenario(scenario: Scenario, org: Organisation, at: Any,
                   mappable: bool = False) -> Iterator[Problem]:
    """References from a scenario into its organisation (with `mappable`, each unknown name
    says which --map option would map it), probabilities of facts, incidents before the start."""
    yield from missing(scenario, org, at, mappable)
    templates: list[tuple[Path_, Any]] = [(("incidents", i), inc)
                                          for i, inc in enumerate(scenario.incidents)]
    if scenario.workload is not None:
        templates += [(("workload", "types", i), t) for i, t in enumerate(scenario.workload.types)]
    for path, template in templates:
        for fact, odds in template.facts.items():
            if not 0 <= odds <= 1:
                yield at((*path, "facts", fact), f"expected a probability in 0..1, found {odds}")
    zone = ZoneInfo(scenario.timezone or org.timezone)
    start = _aware(scenario.start, zone)
    for i, inc in enumerate(scenario.incidents):
        if isinstance(inc.at, dt.datetime) and _aware(inc.at, zone) < start:
            yield at(("incidents", i, "at"), f"{inc.at.isoformat()} is before the scenario's start "
                                             f"({scenario.start.isoformat()}); give a later "
                                             "instant, or a duration after the start")


def _aware(instant: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=zone)


def starter_files() -> dict[str, str]:
    """The commented starter organisation and scenario that `drillsim init` writes."""
    folder = resources.files("drillsim.scenarios.starter")
    return {name: (folder / name).read_text(encoding="utf-8")
            for name in ("organisation.yaml", "scenario.yaml")}
