"""Finding and reading one YAML file: bundled names or paths, bounded size, nesting and alias
expansion, and the line on which every field starts."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from drillsim.scenarios.errors import InputError, Problem, nearest

Path_ = tuple[str | int, ...]
LIBRARY = "drillsim.scenarios.library"
BUNDLED = "bundled:"
MAX_BYTES = 2 * 2**20  # scenario and organisation files are written by hand
MAX_DEPTH = 64
MAX_VALUES = 100_000  # after expanding aliases; the largest bundled file has about 1,500
SUFFIXES = (".yaml", ".yml")


def is_bundled_name(name: str | Path) -> bool:
    """A bare name (no folder, no .yaml/.yml suffix) or `bundled:NAME` names a bundled file;
    anything else is a path."""
    text = str(name)
    return text.startswith(BUNDLED) or not (
        "/" in text or os.sep in text or text.lower().endswith(SUFFIXES))


def bundled_names() -> list[str]:
    """The names of the bundled files, sorted."""
    return sorted(entry.name.removesuffix(".yaml") for entry in resources.files(LIBRARY).iterdir()
                  if entry.name.endswith(".yaml"))


def bundled() -> list[tuple[str, str, str]]:
    """(name, kind, description) of every bundled file; kind is `scenario` or `organisation`."""
    out = []
    for name in bundled_names():
        entry = resources.files(LIBRARY) / f"{name}.yaml"
        data = yaml.load(entry.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
        kind = "scenario" if "incidents" in data or "workload" in data else "organisation"
        description = data.get("description") or data.get("name", "")
        out.append((name, kind, " ".join(str(description).split())))
    return out


def resolve(name: str | Path, folder: Path | None = None) -> Path:
    """The file `name` stands for: a bundled library file for a bundled name, else the path
    (relative to `folder` when given). A file that is not there is an error naming it."""
    text = str(name)
    if is_bundled_name(text):
        bare = text.removeprefix(BUNDLED).removesuffix(".yaml")
        entry = resources.files(LIBRARY) / f"{bare}.yaml"
        if not entry.is_file() or "/" in bare or os.sep in bare:
            raise InputError([Problem(text, None, "", (
                f"no bundled file named {bare!r}{nearest(bare, bundled_names())}; "
                f"`drillsim scenarios list` shows them, and a file of your own needs its folder "
                f"or suffix, e.g. ./{bare}.yaml"))])
        return Path(str(entry))
    path = Path(text)
    if folder is not None and not path.is_absolute():
        path = folder / path
    if not path.exists():
        raise InputError([Problem(str(path), None, "", "no such file")])
    if path.is_dir():
        raise InputError([Problem(str(path), None, "", "is a folder, not a YAML file")])
    return path


def source_name(path: Path) -> str:
    """How a resolved input is named in a manifest: `bundled:NAME`, or its path relative to the
    current folder."""
    library = Path(str(resources.files(LIBRARY)))
    if path.parent.resolve() == library.resolve():
        return f"{BUNDLED}{path.stem}"
    return os.path.relpath(path)


class _Loader(Composer, CParser, SafeConstructor, Resolver):
    """PyYAML's safe loader, reading through libyaml (several times faster than PyYAML's own
    reader) but composing in Python, so that nesting is bounded before it can exhaust the C
    stack; every bad scalar is reported at its line."""

    depth = 0

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                event: Any = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.MarkedYAMLError:
            raise
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            kind = node.tag.rsplit(":", 1)[-1]
            what = "a date or time" if kind == "timestamp" else f"a YAML {kind}"
            reason = f" ({exc})" if isinstance(exc, ValueError | OverflowError) else ""
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not {what}{reason}", node.start_mark) from exc


class Document:
    """A parsed YAML file: its data, and the line on which each field path starts. Top-level
    keys starting with `x-` hold anchors for reuse, as in compose files, and are left out."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.lines: dict[Path_, int] = {}
        self.data: Any = None
        self.problems: list[Problem] = []
        self._budget = MAX_VALUES
        self._marks: dict[tuple[int, int], Path_] = {}  # where each value starts -> its path
        try:
            loader = _Loader(text)
            try:
                node = loader.get_single_node()
                if node is not None:
                    self._index(node, ())
                    self.data = loader.construct_document(node)
            finally:
                loader.dispose()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            message = str(exc.problem)
            if message.startswith("but ") and exc.context:
                message = f"{exc.context}, {message}"
            if message.startswith("exceeded maximum nesting depth"):  # newer libyaml's own bound
                message = f"nested more than {MAX_DEPTH} levels deep"
            elif isinstance(exc, yaml.scanner.ScannerError | yaml.parser.ParserError):
                message = f"YAML syntax: {message}"
            field = self._marks.get((mark.line, mark.column), ()) if mark else ()
            raise InputError([Problem(name, line, dotted(field), message)]) from exc
        except yaml.reader.ReaderError as exc:
            line = text.encode("utf-8")[:exc.position].count(b"\n") + 1  # a byte offset
            raise InputError([Problem(name, line, "", (
                f"YAML cannot hold the character #x{exc.character:04x}"
                if isinstance(exc.character, int) else f"YAML cannot hold {exc.character!r}"))]) from exc
        if not isinstance(self.data, dict):
            raise InputError([Problem(name, 1, "", "expected a mapping of fields at the top level")])
        self.data = {key: value for key, value in self.data.items()
                     if not (isinstance(key, str) and key.startswith("x-"))}

    def _index(self, node: yaml.Node, path: Path_) -> None:
        """Record lines, walking aliases as the data will hold them, within the budget."""
        self._budget -= 1
        if self._budget < 0 or len(path) > MAX_DEPTH:
            what = (f"more than {MAX_VALUES:,} values" if self._budget < 0
                    else f"nesting more than {MAX_DEPTH} levels deep")
            raise InputError([Problem(self.name, node.start_mark.line + 1, "",
                                      f"aliases expand to {what}")])
        self.lines[path] = node.start_mark.line + 1
        self._marks.setdefault((node.start_mark.line, node.start_mark.column), path)
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else None
                if name is not None and name in seen and name != "<<":
                    self.problems.append(Problem(self.name, key.start_mark.line + 1,
                                                 dotted((*path, name)), "duplicate key"))
                seen.add(name)
                field = (*path, name) if name is not None else path
                self._index(value, field)
                self.lines[field] = key.start_mark.line + 1
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
        return Problem(self.name, self.line(path), dotted(path), message)


def dotted(path: Path_) -> str:
    """A field path as written in messages: `incidents[0].signals[1].delay`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_document(name: str | Path, folder: Path | None = None) -> Document:
    """Parse one YAML file (a path, or the name of a bundled file) keeping line numbers."""
    return parse_file(resolve(name, folder), str(name) if folder is None else None)


def parse_file(file: Path, shown: str | None = None) -> Document:
    """Parse a file found by `resolve`; messages name it as `shown` (by default, its path)."""
    name = str(file) if shown is None else shown
    try:
        with open(file, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError([Problem(name, None, "", f"cannot read file: {exc.strerror}")]) from exc
    if len(raw) > MAX_BYTES:
        raise InputError([Problem(name, raw[:MAX_BYTES].count(b"\n") + 1, "", (
            f"the file is larger than {MAX_BYTES // 2**20} MB, the most a scenario or organisation "
            "file may hold; this line is past the limit"))])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, raw[:exc.start].count(b"\n") + 1, "", (
            f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot start or continue a character; "
            "save the file as UTF-8"))]) from None
    return Document(name, text)
