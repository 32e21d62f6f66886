"""The drill log: an append-only JSON Lines record of one exercise, written by `drill serve` and
read by `assess`. Every line is flushed and fsynced before the console answers, so a killed
server loses nothing it showed. A filled scorecard CSV or a Chaos Toolkit journal reads into
the same `DrillRecord`.

Format (one JSON object per line; see the README and notes on the exercise interface):
the `start` line, then entries whose `seq` counts 1, 2, 3, ... Only a torn last line (no newline,
not JSON: the writer was killed mid-line) is forgiven, with a warning."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from drillsim.drills.exercise import LABELS
from drillsim.scenarios.errors import InputError, Problem, nearest

MILESTONES = LABELS  # the canonical milestone ids, in order, with their labels


class _Line(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Start(_Line):
    """The first line: what is being exercised, and when the drill began."""

    kind: Literal["start"]
    version: Literal[1]
    scenario: str
    org: str | None = None
    seed: int = 1
    at: str = "p50"
    speed: int = Field(1, ge=1)
    started: AwareDatetime | None = None
    title: str = ""


class _Stamped(_Line):
    seq: int = Field(ge=1)
    minutes: float = Field(ge=0, allow_inf_nan=False)
    wall: AwareDatetime | None = None


class Milestone(_Stamped):
    kind: Literal["milestone"]
    id: str = Field(min_length=1)


class Text(_Stamped):
    """A decision or a free-text note."""

    kind: Literal["decision", "note"]
    text: str


class InjectShown(_Stamped):
    kind: Literal["inject"]
    id: str = Field(min_length=1)


class Clock(_Stamped):
    """The exercise clock paused, resumed (or started), or the drill ended."""

    kind: Literal["pause", "resume", "end"]


class Action(_Line):
    kind: Literal["action"]
    seq: int = Field(ge=1)
    text: str
    owner: str = ""
    due: dt.date | None = None
    minutes: float | None = Field(None, ge=0, allow_inf_nan=False)
    wall: AwareDatetime | None = None


Entry = Milestone | Text | InjectShown | Clock | Action
KINDS = ("milestone", "decision", "note", "inject", "pause", "resume", "end", "action")
_ENTRY: TypeAdapter[Entry] = TypeAdapter(Annotated[Entry, Field(discriminator="kind")])


@dataclass
class DrillState:
    """Where a drill stands after some entries: the console's live state and what `--resume`
    rebuilds from the log are the same fold over the entries."""

    minutes: float = 0.0
    running: bool = False
    ended: bool = False
    revealed: list[str] = field(default_factory=list)
    milestones: dict[str, float] = field(default_factory=dict)
    last_seq: int = 0

    def apply(self, entry: Entry) -> None:
        self.last_seq = entry.seq
        if entry.minutes is not None:
            self.minutes = entry.minutes
        if isinstance(entry, Clock):
            self.running = entry.kind == "resume"
            self.ended = entry.kind == "end"
        elif isinstance(entry, InjectShown) and entry.id not in self.revealed:
            self.revealed.append(entry.id)
        elif isinstance(entry, Milestone):
            self.milestones.setdefault(entry.id, entry.minutes)  # the first recording counts


@dataclass(frozen=True)
class DrillRecord:
    """One drill as read from a log, a scorecard or a journal. `fault` is the injected fault's
    (start, end) in exercise minutes when a Chaos Toolkit journal says so."""

    source: str
    start: Start
    entries: tuple[Entry, ...]
    warnings: tuple[str, ...] = ()
    fault: tuple[float, float] | None = None

    def state(self) -> DrillState:
        state = DrillState()
        for entry in self.entries:
            state.apply(entry)
        return state

    @property
    def milestones(self) -> dict[str, float]:
        """Exercise minutes of each milestone recorded (the first time it was recorded)."""
        return self.state().milestones

    def texts(self, kind: Literal["note", "decision"]) -> list[Text]:
        return [e for e in self.entries if isinstance(e, Text) and e.kind == kind]

    @property
    def actions(self) -> list[Action]:
        return [e for e in self.entries if isinstance(e, Action)]


def _problem(file: str, line: int, error: ValidationError, kind: Any = None) -> list[Problem]:
    problems = []
    for err in error.errors(include_url=False):
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            found = "missing" if kind is None else f"unknown kind {kind!r}{nearest(str(kind), KINDS)}"
            problems.append(Problem(file, line, "kind", f"{found}; expected one of {', '.join(KINDS)}"))
            continue
        loc = err["loc"][1:] if err["loc"][:1] == (kind,) else err["loc"]  # the union's tag
        problems.append(Problem(file, line, ".".join(map(str, loc)) or "line", err["msg"].lower()))
    return problems


def read_log(path: str | Path) -> DrillRecord:
    """Read and check a drill log; every bad line is named at once (InputError)."""
    file = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError([Problem(file, None, "", f"cannot read: {exc.strerror}")]) from None
    lines = data.split(b"\n")
    torn = lines.pop()  # b"" when the file ends with a newline
    problems: list[Problem] = []
    warnings: list[str] = []
    parsed: list[tuple[int, Any]] = []
    for number, raw in enumerate(lines, 1):
        try:
            parsed.append((number, json.loads(raw)))
        except (json.JSONDecodeError, UnicodeDecodeError):
            problems.append(Problem(file, number, "line", "not a JSON object"))
            parsed.append((number, None))
    if torn.strip():
        try:
            parsed.append((len(lines) + 1, json.loads(torn)))
        except (json.JSONDecodeError, UnicodeDecodeError):
            warnings.append(f"{file}:{len(lines) + 1}: ignored a torn last line "
                            f"({len(torn)} bytes, the writer stopped mid-line)")
    if not parsed or not isinstance(parsed[0][1], dict) or parsed[0][1].get("kind") != "start":
        raise InputError([Problem(file, 1, "kind",
                                  "not a drill log: the first line must be the 'start' line")])
    start: Start | None = None
    try:
        start = Start.model_validate(parsed[0][1])
    except ValidationError as exc:
        problems += _problem(file, 1, exc)
    entries: list[Entry] = []
    last = 0
    for number, obj in parsed[1:]:
        seq = obj.get("seq") if isinstance(obj, dict) else None
        if isinstance(seq, int) and seq != last + 1:
            problems.append(Problem(file, number, "seq", f"expected {last + 1}, found {seq}"
                                    " (a line is missing or repeated)"))
        last = seq if isinstance(seq, int) else last + 1
        if obj is None:
            continue
        try:
            entries.append(_ENTRY.validate_python(obj))
        except ValidationError as exc:
            problems += _problem(file, number, exc, obj.get("kind") if isinstance(obj, dict) else None)
    if problems or start is None:
        raise InputError(problems)
    return DrillRecord(file, start, tuple(entries), tuple(warnings))


def is_drill_log(path: Path) -> bool:
    """Whether `path` starts like a log drillsim wrote (so it is ours to carry on)."""
    try:
        with path.open("rb") as handle:
            first = json.loads(handle.readline())
    except (OSError, ValueError):
        return False
    return isinstance(first, dict) and first.get("kind") == "start" and "version" in first


def refuse_existing(path: Path) -> None:
    """A new log never replaces a file, ours or anyone's: say which it is."""
    if path.exists():
        why = ("is a drill log already; carry it on with --resume" if is_drill_log(path)
               else "exists and is not a drill log drillsim wrote; refusing to overwrite it")
        raise InputError([Problem(str(path), None, "--log", why)])


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class DrillLog:
    """Appends entries to a drill log, each flushed and fsynced before `append` returns.
    `lock` serialises appends; hold it to keep a clock change and its entry together."""

    def __init__(self, path: Path, fd: int, start: Start, entries: Iterable[Entry] = ()) -> None:
        self.path, self._fd, self.start = path, fd, start
        self.entries = list(entries)
        self.state = DrillState()
        for entry in self.entries:
            self.state.apply(entry)
        self.lock = threading.RLock()

    @classmethod
    def create(cls, path: str | Path, start: Start) -> DrillLog:
        """A new log; never replaces a file (ours or anyone's)."""
        target = Path(path)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            refuse_existing(target)
            raise
        except OSError as exc:
            raise InputError([Problem(str(target), None, "--log", exc.strerror or str(exc))]) from None
        log = cls(target, fd, start)
        log._write(start.model_dump(mode="json"))
        _fsync_dir(target.parent)
        return log

    @classmethod
    def resume(cls, path: str | Path) -> tuple[DrillLog, DrillRecord]:
        """Carry on a log: check it, cut a torn last line, and open it for appending."""
        record = read_log(path)
        if record.state().ended:
            raise InputError([Problem(str(path), None, "--resume",
                                      f"this drill ended at minute {record.state().minutes:g}")])
        target = Path(path)
        data = target.read_bytes()
        fd = os.open(target, os.O_WRONLY | os.O_APPEND)
        if record.warnings:  # drop the torn fragment so the next line starts on its own
            os.ftruncate(fd, data.rfind(b"\n") + 1)
        elif not data.endswith(b"\n"):  # a whole last line whose newline was lost
            os.write(fd, b"\n")
        return cls(target, fd, record.start, record.entries), record

    def _write(self, obj: dict[str, Any]) -> None:
        line = json.dumps({"kind": obj.pop("kind"), **obj}, ensure_ascii=False) + "\n"
        data = memoryview(line.encode())
        while data:
            data = data[os.write(self._fd, data):]
        os.fsync(self._fd)

    def append(self, kind: str, minutes: float, **fields: Any) -> Entry:
        """Stamp, write and apply one entry; it is on disk when this returns."""
        with self.lock:
            if self.state.ended:
                raise ValueError("the drill has ended")
            entry = _ENTRY.validate_python({"kind": kind, "seq": self.state.last_seq + 1,
                                            "minutes": round(minutes, 4), "wall": _now(),
                                            **fields})
            self._write(entry.model_dump(mode="json", exclude_none=True))
            self.state.apply(entry)
            self.entries.append(entry)
            return entry

    def close(self) -> None:
        os.close(self._fd)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _minutes(text: str) -> float:
    """Exercise minutes from `12.5` or the exercise clock `HH:MM`."""
    if ":" in text:
        hours, _, mins = text.partition(":")
        if not (hours.strip().isdigit() and mins.strip().isdigit() and int(mins) < 60):
            raise ValueError
        return int(hours) * 60 + int(mins)
    value = float(text)
    if not 0 <= value < float("inf"):
        raise ValueError
    return value


def read_scorecard(path: str | Path, scenario: str | None = None) -> DrillRecord:
    """A scorecard filled by hand (`milestone,label,target_minutes,actual_minutes,notes`) as a
    drill record: one milestone per filled `actual_minutes`, its notes as a note beside it."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(file, None, "", f"cannot read: {exc}")]) from None
    reader = csv.DictReader(text.splitlines())
    missing = {"milestone", "actual_minutes"} - set(reader.fieldnames or ())
    if missing:
        raise InputError([Problem(file, 1, ", ".join(sorted(missing)), "missing column")])
    rows: list[tuple[float, str, str]] = []
    problems: list[Problem] = []
    for number, row in enumerate(reader, 2):
        actual, name = (row.get("actual_minutes") or "").strip(), (row.get("milestone") or "").strip()
        if not name:
            problems.append(Problem(file, number, "milestone", "empty"))
        elif actual:
            try:
                rows.append((_minutes(actual), name, (row.get("notes") or "").strip()))
            except ValueError:
                problems.append(Problem(file, number, "actual_minutes", f"expected minutes or HH:MM, "
                                        f"found {actual!r}"))
    if problems:
        raise InputError(problems)
    fields: list[dict[str, Any]] = []
    for minutes, name, notes in sorted(rows):
        fields.append({"kind": "milestone", "id": name, "minutes": minutes})
        if notes:
            fields.append({"kind": "note", "text": f"{MILESTONES.get(name, name)}: {notes}",
                           "minutes": minutes})
    start = Start(kind="start", version=1, scenario=scenario or Path(path).stem)
    return DrillRecord(file, start, _numbered(fields))


def _numbered(fields: Iterable[dict[str, Any]]) -> tuple[Entry, ...]:
    return tuple(_ENTRY.validate_python({**f, "seq": seq}) for seq, f in enumerate(fields, 1))


def _instant(value: Any) -> dt.datetime:
    """A journal time: ISO text, naive meaning UTC (as Chaos Toolkit writes it)."""
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def read_journal(path: str | Path, scenario: str | None = None) -> DrillRecord:
    """A Chaos Toolkit journal as a drill record: exercise minute 0 is when the method's first
    action started (the fault went in); `fault` runs to when its last action ended."""
    file = str(path)
    try:
        journal = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError([Problem(file, None, "", f"not a Chaos Toolkit journal: {exc}")]) from None
    runs = journal.get("run") if isinstance(journal, dict) else None
    if not isinstance(runs, list) or not runs:
        raise InputError([Problem(file, None, "run", "no method activities in this journal")])
    actions = [r for r in runs if isinstance(r, dict)
               and (r.get("activity") or {}).get("type") == "action"] or runs
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    for index, run in enumerate(actions):
        try:
            spans.append((_instant(run["start"]), _instant(run["end"])))
        except (KeyError, TypeError, ValueError):
            raise InputError([Problem(file, None, f"run[{index}]",
                                      "expected ISO 'start' and 'end' times")]) from None
    began, ended = min(s for s, _ in spans), max(e for _, e in spans)
    title = str((journal.get("experiment") or {}).get("title") or "")
    start = Start(kind="start", version=1, scenario=scenario or title or Path(path).stem,
                  started=began, title=title)
    return DrillRecord(file, start, (), fault=(0.0, (ended - began).total_seconds() / 60))


READERS: dict[str, Callable[..., DrillRecord]] = {".jsonl": read_log, ".csv": read_scorecard,
                                                  ".json": read_journal}


def load_drill(path: str | Path, scenario: str | None = None) -> DrillRecord:
    """Any recorded drill by its suffix: a drill log (.jsonl), a scorecard (.csv) or a Chaos
    Toolkit journal (.json)."""
    suffix = Path(path).suffix.lower()
    if suffix not in READERS:
        raise InputError([Problem(str(path), None, "", "expected a drill log (.jsonl), a filled "
                                  "scorecard (.csv) or a Chaos Toolkit journal (.json)")])
    if suffix == ".jsonl":
        return read_log(path)
    return READERS[suffix](path, scenario)
