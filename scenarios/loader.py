"""Loading YAML into validated models, with every problem reported as file:line: field: message."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from drillsim.scenarios import org as org_models
from drillsim.scenarios import scenario as scenario_models
from drillsim.scenarios.errors import InputError, Problem, nearest
from drillsim.scenarios.names import Mapping, apply_map, missing
from drillsim.scenarios.org import Organisation
from drillsim.scenarios.scenario import Bundle, Scenario

Path_ = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)
LIBRARY = "drillsim.scenarios.library"
BUNDLED = "bundled:"  # prefix naming a bundled file, never a path


class Document:
    """A parsed YAML file: its data, and the line on which each field path starts."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.lines: dict[Path_, int] = {}
        self.data: Any = None
        self.problems: list[Problem] = []
        try:
            loader = yaml.SafeLoader(text)
            try:
                node = loader.get_single_node()
                self.data = loader.construct_document(node) if node is not None else None
            finally:
                loader.dispose()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            raise InputError([Problem(name, line, "", f"YAML syntax: {exc.problem}")]) from exc
        if node is not None:
            self._index(node, ())
        if not isinstance(self.data, dict):
            raise InputError([Problem(name, 1, "", "expected a mapping of fields at the top level")])

    def _index(self, node: yaml.Node, path: Path_) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key, value in node.value:
                if key.value in seen:
                    self.problems.append(Problem(self.name, key.start_mark.line + 1,
                                                 _dotted((*path, key.value)), "duplicate key"))
                seen.add(key.value)
                self._index(value, (*path, key.value))
                self.lines[(*path, key.value)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, value in enumerate(node.value):
                self._index(value, (*path, index))

    def line(self, path: Path_) -> int | None:
        """The line of the longest prefix of `path` that exists in the file."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def problem(self, path: Path_, message: str) -> Problem:
        return Problem(self.name, self.line(path), _dotted(path), message)


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@functools.cache
def _field_names() -> tuple[str, ...]:
    names: set[str] = set()
    for module in (org_models, scenario_models):
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, BaseModel):
                for fname, field in obj.model_fields.items():
                    names.add(field.alias or fname)
    return tuple(sorted(names))


_SCALAR_TAGS = frozenset({"str", "int", "float", "bool", "none"})


def _data_path(data: Any, loc: tuple[Any, ...]) -> Path_ | None:
    """The path in the file of a pydantic error location, without union tags; None when the
    error belongs to a union branch the value plainly is not (a mapping is no `str`)."""
    path: list[str | int] = []
    for index, part in enumerate(loc):
        in_map = isinstance(data, dict) and part in data
        in_list = isinstance(data, list | tuple) and isinstance(part, int) and part < len(data)
        if in_map or in_list:
            data = data[part]
            path.append(part)
        elif isinstance(data, dict) and part == data.get("dist"):
            continue  # the tag of a distribution's union
        elif part in _SCALAR_TAGS and isinstance(data, dict | list):
            return None
        elif isinstance(part, str) and part[:1].isupper() and not isinstance(data, dict):
            return None  # a model branch, but the value is a scalar
        elif index == len(loc) - 1 and isinstance(part, str) and isinstance(data, dict):
            path.append(part)
    return tuple(path)


def _value(data: Any, path: Path_) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _message(error: Any, path: Path_) -> str:
    kind, msg = error["type"], error["msg"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        name = str(path[-1]) if path else ""
        return f"unknown field{nearest(name, _field_names())}"
    if kind == "too_short":
        return "must not be empty"
    if kind == "union_tag_invalid":
        return msg
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix):]
    found = error.get("input")
    return f"{msg[0].lower()}{msg[1:]}" + (f", found {found!r}" if _short(found) else "")


def _short(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and len(repr(value)) < 60


def _without_extensions(data: Any) -> Any:
    """Top-level `x-` keys only hold YAML anchors for the rest of the file, as in compose files."""
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("x-"))}
    return data


def validate_model(doc: Document, model: type[M], data: Any, base: Path_ = ()) -> M:
    """`model` built from `data`, or an InputError listing every problem with its line."""
    try:
        result = model.model_validate(_without_extensions(data))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = _data_path(data, tuple(error["loc"]))
            if where is None:
                continue
            if error["type"] == "too_short" and where and _value(data, where):
                continue  # a list whose items failed, reported item by item
            path = (*base, *where)
            problems.append(doc.problem(path, _message(error, path)))
        raise InputError(doc.problems + _unique(problems)) from exc
    if doc.problems:
        raise InputError(doc.problems)
    return result


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def read_document(path: str | Path) -> Document:
    """Parse one YAML file (a path, or the name of a bundled file) keeping line numbers."""
    file = resolve(path)
    if str(path).startswith(BUNDLED) and not file.exists():
        name = str(path).removeprefix(BUNDLED)
        raise InputError([Problem(str(path), None, "", f"no bundled file {name!r}"
                                  f"{nearest(name, [n for n, _, _ in bundled()])}; "
                                  "`drillsim scenarios list` names them")])
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([Problem(str(path), None, "", f"cannot read file: {exc.strerror}")]) from exc
    return Document(str(path), text)


def resolve(path: str | Path) -> Path:
    """A path on disk, or else a bundled library file named without its `.yaml`; `bundled:NAME`
    is always the bundled file."""
    text = str(path)
    file = Path(path)
    if file.exists() and not text.startswith(BUNDLED):
        return file
    name = Path(text.removeprefix(BUNDLED)).name.removesuffix(".yaml")
    bundled = resources.files(LIBRARY) / f"{name}.yaml"
    if bundled.is_file():
        return Path(str(bundled))
    return file


def load_organisation(path: str | Path) -> Organisation:
    """An organisation file, validated including every cross-reference."""
    doc = read_document(path)
    data: Any = doc.data
    if "responders" not in data and isinstance(data.get("org"), dict):
        data = data["org"]
    base: Path_ = ("org",) if data is not doc.data else ()
    org = validate_model(doc, Organisation, data, base)
    _raise(list(check_organisation(org, lambda p, m: doc.problem((*base, *p), m))))
    return org


def load(scenario_path: str | Path, org_path: str | Path | None = None,
         mapping: Mapping | None = None) -> Bundle:
    """A scenario and its organisation (given, inline, or referenced by the scenario), with the
    scenario's names mapped onto the organisation's by `mapping` ({(kind, old): new})."""
    doc = read_document(scenario_path)
    scenario = validate_model(doc, Scenario, doc.data)
    if mapping:
        scenario = apply_map(scenario, mapping)
    sources = [str(resolve(scenario_path))]
    if org_path is not None:
        org = load_organisation(org_path)
        sources.append(str(resolve(org_path)))
    elif isinstance(scenario.org, Organisation):
        org = scenario.org
        _raise(list(check_organisation(org, lambda p, m: doc.problem(("org", *p), m))))
    elif isinstance(scenario.org, str):
        ref = Path(scenario.org)
        candidate = ref if ref.is_absolute() or scenario.org.startswith(BUNDLED) \
            else resolve(scenario_path).parent / ref
        org = load_organisation(candidate if candidate.exists() else scenario.org)
        sources.append(str(resolve(candidate if candidate.exists() else scenario.org)))
    else:
        raise InputError([doc.problem(("org",), "no organisation: add 'org' or pass --org FILE")])
    problems = list(check_scenario(scenario, org, doc.problem, mappable=org_path is not None))
    if problems and org_path is not None and any(p.message.startswith("unknown") for p in problems):
        problems.append(Problem(str(scenario_path), None, "", f"{org_path} lacks names this "
                                "scenario uses: add them to it, or map each onto one of its own "
                                "with the --map options above"))
    _raise(problems)
    return Bundle(scenario=scenario.model_copy(update={"org": None,
                                                       "timezone": scenario.timezone or org.timezone}),
                  org=org, sources=tuple(sources))


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
        role = sev.status_updates.role if sev.status_updates else None
        if role is not None and role not in names["role"]:
            yield at(("severities", key, "status_updates", "role"),
                     f"unknown role {role!r}{nearest(role, names['role'])}")
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
    """References from a scenario into its organisation, and probabilities of facts."""
    yield from missing(scenario, org, at, mappable)
    templates: list[tuple[Path_, Any]] = [(("incidents", i), inc)
                                          for i, inc in enumerate(scenario.incidents)]
    if scenario.workload is not None:
        templates += [(("workload", "types", i), t) for i, t in enumerate(scenario.workload.types)]
    for path, template in templates:
        for fact, odds in template.facts.items():
            if not 0 <= odds <= 1:
                yield at((*path, "facts", fact), f"expected a probability in 0..1, found {odds}")


def bundled() -> list[tuple[str, str, str]]:
    """(name, kind, description) of every bundled file; kind is `scenario` or `organisation`."""
    out = []
    for entry in sorted(resources.files(LIBRARY).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
        kind = "scenario" if "incidents" in data or "workload" in data else "organisation"
        description = data.get("description") or data.get("name", "")
        out.append((entry.name.removesuffix(".yaml"), kind, " ".join(str(description).split())))
    return out


def starter_files() -> dict[str, str]:
    """The commented starter organisation and scenario that `drillsim init` writes."""
    folder = resources.files("drillsim.scenarios.starter")
    return {name: (folder / name).read_text(encoding="utf-8")
            for name in ("organisation.yaml", "scenario.yaml")}
