"""Schema problems: pydantic's errors as `file:line: field: message`, every one of a file at once,
and the model built from what remains once the invalid parts are left out, so that the
cross-reference checks can still run on the rest of the file."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from drillsim.scenarios import org as org_models
from drillsim.scenarios import scenario as scenario_models
from drillsim.scenarios.document import Document, Path_
from drillsim.scenarios.errors import Problem, nearest

M = TypeVar("M", bound=BaseModel)


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
    if kind in _EXPECTED:
        found = error.get("input")
        return _EXPECTED[kind] + (f", found {found!r}" if _short(found) else "")
    if kind == "union_tag_invalid":
        return msg
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix):]
    found = error.get("input")
    return f"{msg[0].lower()}{msg[1:]}" + (f", found {found!r}" if _short(found) else "")


_EXPECTED = {"tuple_type": "expected a list", "list_type": "expected a list",
             "dict_type": "expected a mapping", "model_type": "expected a mapping of fields",
             "string_type": "expected text"}


def _short(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and len(repr(value)) < 60


@dataclass(frozen=True)
class Checked(Generic[M]):
    """A model built from a file's data, with every schema problem found in it. When there are
    problems, `model` is built from what remains once the invalid parts are left out (None if too
    little remains), so cross-references can still be checked; `dropped` holds the names of what
    was left out, and `origin` maps a path in what remains back to the file."""

    model: M | None
    problems: list[Problem]
    dropped: frozenset[str]
    rounds: tuple[dict[Path_, list[int]], ...]

    def origin(self, path: Path_) -> Path_:
        for kept in reversed(self.rounds):  # each round's list indices, back to the one before
            out: list[str | int] = []
            for part in path:
                if isinstance(part, int) and tuple(out) in kept:
                    part = kept[tuple(out)][part]
                out.append(part)
            path = tuple(out)
        return path


def check_model(doc: Document, model: type[M], data: Any, base: Path_ = ()) -> Checked[M]:
    """`model` from `data` (found at `base` in `doc`) and every problem the schema finds."""
    problems: list[Problem] = []
    rounds: list[dict[Path_, list[int]]] = []
    dropped: set[str] = set()
    current = data
    for attempt in range(MAX_ROUNDS):
        try:
            built = model.model_validate(current)
        except ValidationError as exc:
            errors = exc.errors()
        else:
            return Checked(built, doc.problems + unique(problems), frozenset(dropped),
                           tuple(rounds))
        cuts: set[Path_] = set()
        for error in errors:
            where = _data_path(current, tuple(error["loc"]))
            if where is None:
                continue
            if error["type"] == "too_short" and where and _value(current, where):
                continue  # a list whose items failed, reported (and left out) item by item
            if attempt == 0:
                path = (*base, *where)
                problems.append(doc.problem(path, _message(error, path)))
            cuts.add(where[:-1] if error["type"] == "missing" else where)
        if not cuts or () in cuts:
            break
        for cut in cuts:
            dropped |= _names(cut[-1], _value(current, cut))
        kept: dict[Path_, list[int]] = {}
        current = _without(current, cuts, (), kept)
        rounds.append(kept)
    return Checked(None, doc.problems + unique(problems), frozenset(dropped), tuple(rounds))


MAX_ROUNDS = 8


def _names(key: Any, value: Any) -> set[str]:
    """Names a reference could use for something left out: its key, its id, or itself."""
    names = {key} if isinstance(key, str) else set()
    if isinstance(value, str):
        names.add(value)
    elif isinstance(value, dict) and isinstance(value.get("id"), str):
        names.add(value["id"])
    return names


def _without(data: Any, cuts: set[Path_], path: Path_, kept: dict[Path_, list[int]]) -> Any:
    """`data` less the values at `cuts`; `kept[list path]` records the indices a list keeps."""
    if isinstance(data, dict):
        return {key: _without(value, cuts, (*path, key), kept) for key, value in data.items()
                if (*path, key) not in cuts}
    if isinstance(data, list):
        indices = [i for i in range(len(data)) if (*path, i) not in cuts]
        if len(indices) < len(data):
            kept[path] = indices
        return [_without(data[i], cuts, (*path, i), kept) for i in indices]
    return data


def unique(problems: list[Problem]) -> list[Problem]:
    """`problems` without repeats, in the order met."""
    return list(dict.fromkeys(problems))


class References:
    """Turns the paths a cross-reference check reports, in what remained of a file's data, into
    problems at the file's lines; leaves out those naming something a schema problem removed."""

    def __init__(self, doc: Document, checked: Checked[Any], data: Any, base: Path_ = (),
                 dropped: frozenset[str] = frozenset()) -> None:
        self.doc, self.checked, self.data, self.base = doc, checked, data, base
        self.dropped = checked.dropped | dropped
        self.hidden: set[Problem] = set()

    def at(self, prefix: Path_ = ()) -> Callable[[Path_, str], Problem]:
        def problem(path: Path_, message: str) -> Problem:
            where = self.checked.origin((*prefix, *path))
            found = self.doc.problem((*self.base, *where), message)
            if _value(self.data, where) in self.dropped:
                self.hidden.add(found)
            return found
        return problem

    def keep(self, problems: Iterable[Problem]) -> list[Problem]:
        return [p for p in problems if p not in self.hidden]
