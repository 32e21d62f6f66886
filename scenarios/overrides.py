"""Overrides: readable paths into the organisation and scenario documents, set to new values
before the loader validates them, as a what-if sweep varies them.

A path names fields by key and list items by position or by their `id` (layers, phases and
workload types also by `name`/`type`): `escalation_policies.platform.levels[0].delay`,
`rotations.primary.layers.weekly.turn`, `responders.*.miss_probability` (`*` is every item).
A path starts in the organisation or the scenario, whichever has its first field (`org.` or
`scenario.` says which where both have it). A bare name is a staffing shortcut
(`scenarios.staffing`). Values are YAML: `5m`, `0.1`, `true`, `[a, b]`.

An unknown path fails before anything runs; so does a value the models reject, named by the
option or experiment-file line that set it rather than the file it ended up in."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from drillsim.scenarios.document import Document, Path_, dotted, read_document, resolve
from drillsim.scenarios.errors import InputError, Problem, nearest
from drillsim.scenarios.names import Mapping
from drillsim.scenarios.org import Organisation
from drillsim.scenarios.scenario import Bundle, Scenario

_TOKEN = re.compile(r"\[(\d+|\*)\]|([^.\[\]]+)")
_KEYS = ("id", "name", "type")  # what names a list item, in order of preference
ORG, SCENARIO = "org", "scenario"


@dataclass(frozen=True)
class Override:
    """One path set to one value, and where the user said so (an option, or a file's line)."""

    path: str
    value: Any
    origin: str = "--vary"
    line: int | None = None

    def problem(self, message: str) -> Problem:
        return Problem(self.origin, self.line, self.path, message)

    @property
    def text(self) -> str:
        """The value as the user would write it."""
        if isinstance(self.value, str):
            return self.value
        return yaml.safe_dump(self.value, default_flow_style=True).strip().removesuffix("...").strip()


def parse_value(text: str) -> Any:
    """A value as YAML reads it (`5m` stays text, `0.1` is a number); unreadable YAML is text."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def split_values(text: str) -> list[str]:
    """`V1,V2,...` split at the commas outside brackets and braces."""
    out, depth, current = [], 0, ""
    for char in text:
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        if char == "," and depth == 0:
            out.append(current.strip())
            current = ""
        else:
            current += char
    out.append(current.strip())
    return out


def parse_vary(option: str) -> tuple[str, list[Override]]:
    """`--vary PATH=V1,V2` as its path and one override per value."""
    path, equals, values = option.partition("=")
    path = path.strip()
    texts = split_values(values)
    if not equals or not path or not all(texts):
        raise InputError([Problem("--vary", None, option, "expected PATH=VALUE1,VALUE2,..., e.g. "
                                  "escalation_policies.platform.levels[0].delay=5m,15m")])
    return path, [Override(path, parse_value(t), "--vary") for t in texts]


def tokens(path: str) -> list[str | int]:
    """`a.b[0].c` as ['a', 'b', 0, 'c']; `*` stays text."""
    out: list[str | int] = []
    for index, key in _TOKEN.findall(path):
        out.append(int(index) if index.isdigit() else (index or key))
    return out


@dataclass
class Documents:
    """The parsed organisation and scenario documents a sweep edits, and which data paths each
    override touched (to name the override in the loader's problems)."""

    scenario_file: Path
    scenario: Document
    org_file: Path
    org: Document
    org_arg: str | Path | None
    base: Path_  # where the organisation sits in its document: () or ('org',) when inline
    seed: int = 0  # of the names of generated responders
    touched: list[tuple[str, Path_, Override]] = field(default_factory=list)

    @classmethod
    def read(cls, scenario: str | Path, org: str | Path | None = None, seed: int = 0) -> Documents:
        sc_file = resolve(scenario)
        sc_doc = read_document(scenario)
        named = org if org is not None else sc_doc.data.get("org")
        if isinstance(named, dict) or named is None:
            return cls(sc_file, sc_doc, sc_file, sc_doc, None, (ORG,) if named else (), seed)
        org_file = resolve(named, None if org is not None else sc_file.parent)
        org_doc = read_document(named, None if org is not None else sc_file.parent)
        return cls(sc_file, sc_doc, org_file, org_doc, org, (), seed)

    def copy(self) -> Documents:
        def clone(doc: Document) -> Document:
            new = copy.copy(doc)
            new.data = copy.deepcopy(doc.data)
            return new
        sc = clone(self.scenario)
        org = sc if self.org is self.scenario else clone(self.org)
        return Documents(self.scenario_file, sc, self.org_file, org, self.org_arg, self.base,
                         self.seed)

    def org_data(self) -> dict[str, Any]:
        data: Any = self.org.data
        for key in self.base:
            data = data[key]
        return data

    def apply(self, override: Override) -> None:
        """Set one override's path; an unknown path is an error naming the override."""
        path = tokens(override.path)
        if not path or not isinstance(path[0], str):
            raise InputError([override.problem("expected a field name first")])
        from drillsim.scenarios import staffing

        if len(path) == 1 and path[0] in staffing.SHORTCUTS:
            touched = staffing.SHORTCUTS[path[0]](self.org_data(), override, self.seed)
            self.touched += [(ORG, (*self.base, *p), override) for p in touched]
            return
        where, rest = self._which(path, override)
        start: Path_ = self.base if where == ORG else ()
        data = self.org_data() if where == ORG else self.scenario.data
        if where == ORG and len(rest) == 3 and rest[0] == "rotations" and rest[2] in staffing.ROTATION:
            touched = staffing.ROTATION[str(rest[2])](data, str(rest[1]), override, self.seed)
        else:
            touched = set_path(data, rest, override.value, override)
        self.touched += [(where, (*start, *p), override) for p in touched]

    def _which(self, path: list[str | int], override: Override) -> tuple[str, list[str | int]]:
        head = path[0]
        if head in (ORG, SCENARIO) and len(path) > 1:
            return str(head), path[1:]
        in_org = head in Organisation.model_fields
        in_scenario = head in Scenario.model_fields and head != ORG
        if in_org and in_scenario:
            raise InputError([override.problem(
                f"both the organisation and the scenario have {head!r}: write "
                f"org.{override.path} or scenario.{override.path}")])
        if in_org:
            return ORG, path
        if in_scenario:
            return SCENARIO, path
        from drillsim.scenarios import staffing

        known = [*Organisation.model_fields, *Scenario.model_fields, *staffing.SHORTCUTS]
        raise InputError([override.problem(
            f"unknown field or shortcut {head!r}{nearest(str(head), known)}; a path starts with "
            "a field of the organisation or the scenario, or is a shortcut: "
            + ", ".join(staffing.SHORTCUTS))])

    def bundle(self, mapping: Mapping | None = None) -> Bundle:
        """The edited documents, validated as the loader validates files; a problem inside what
        an override set is reported as that override's."""
        from drillsim.scenarios.loader import load_documents

        try:
            return load_documents(self.scenario_file, self.scenario, self.org_arg,
                                  None if self.org is self.scenario else self.org, mapping)
        except InputError as exc:
            raise InputError(self._blame(exc.problems)) from None

    def _blame(self, problems: Iterable[Problem]) -> list[Problem]:
        out = []
        for p in problems:
            culprit = next((o for _, at, o in reversed(self.touched)
                            if p.field == dotted(at) or p.field.startswith(dotted(at) + ".")
                            or p.field.startswith(dotted(at) + "[")), None)
            if culprit is None:
                out.append(p)
            else:
                out.append(culprit.problem(f"{culprit.text}: {p.message}"))
        return list(dict.fromkeys(out))


def set_path(data: Any, path: Sequence[str | int], value: Any, override: Override,
             at: Path_ = ()) -> list[Path_]:
    """Set `path` in `data` to a copy of `value`; the data paths set. Mappings may gain a missing
    last key (the schema judges its name); everything before it must exist."""
    key, rest = path[0], path[1:]
    if isinstance(data, list):
        if key == "*":
            indices = list(range(len(data)))
        elif isinstance(key, int):
            if not 0 <= key < len(data):
                raise InputError([override.problem(
                    f"{dotted(at) or 'the list'} has {len(data)} items; [{key}] is not one of them")])
            indices = [key]
        else:
            indices = [i for i, item in enumerate(data) if isinstance(item, dict)
                       and any(item.get(k) == key for k in _KEYS)]
            if not indices:
                names = [str(item.get(k)) for item in data if isinstance(item, dict)
                         for k in _KEYS if item.get(k) is not None]
                raise InputError([override.problem(
                    f"{dotted(at)} has no item {key!r}{nearest(str(key), names)}")])
            indices = indices[:1]
        if not rest:
            for i in indices:
                data[i] = copy.deepcopy(value)
            return [(*at, i) for i in indices]
        return [p for i in indices for p in set_path(data[i], rest, value, override, (*at, i))]
    if not isinstance(data, dict) or key == "*" or isinstance(key, int):
        raise InputError([override.problem(
            f"{dotted(at) or 'the document'} is {_kind(data)}; {_part(key)} cannot select in it")])
    if not rest:
        data[key] = copy.deepcopy(value)
        return [(*at, key)]
    if key not in data:
        if isinstance(rest[0], str) and rest[0] != "*":
            data[key] = {}  # a mapping left to its defaults, given one field
        else:
            raise InputError([override.problem(f"{dotted((*at, key))} is not in the file")])
    return set_path(data[key], rest, value, override, (*at, key))


def _kind(data: Any) -> str:
    return "a list" if isinstance(data, list) else ("a mapping" if isinstance(data, dict)
                                                    else f"the value {data!r}")


def _part(key: str | int) -> str:
    return f"[{key}]" if isinstance(key, int) or key == "*" else repr(key)

