"""What happened in a drill, read from any of its three records: the console's JSON Lines drill
log, a scorecard CSV filled in by hand, or a Chaos Toolkit journal of a live game day (formats
in the exercise interface). Times are exercise minutes since the exercise start.

Bad input is an InputError naming file, line and field; a drill log's torn last line (the
console killed mid-write) is dropped with a warning, as the format allows."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from drillsim.scenarios.errors import InputError, Problem

KINDS = ("start", "milestone", "decision", "note", "inject", "pause", "resume", "action", "end")
_CLOCK = re.compile(r"^(\d+):([0-5]\d)$")


def slug(name: str) -> str:
    """A deadline's name as a milestone id: `Customer update (DR)` -> `customer_update_dr`."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


@dataclass(frozen=True)
class Entry:
    """A note or decision taken during the drill, at an exercise minute (None if untimed)."""

    kind: str
    text: str
    minutes: float | None


@dataclass(frozen=True)
class Action:
    """An action item agreed during the drill."""

    text: str
    owner: str
    due: dt.date | None


@dataclass(frozen=True)
class DrillRecord:
    """One drill as recorded. `milestones` holds every time each milestone was recorded, in
    order (a status page posted three times has three); `targets` the targets a scorecard
    gives; `duration` the exercise minutes from start to end (or to the last entry)."""

    source: Path
    form: str  # log, scorecard or journal
    scenario: str | None = None
    org: str | None = None
    seed: int | None = None
    title: str | None = None
    at: str | None = None
    started: dt.datetime | None = None
    participants: tuple[str, ...] = ()
    milestones: dict[str, tuple[float, ...]] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)
    entries: tuple[Entry, ...] = ()
    actions: tuple[Action, ...] = ()
    duration: float | None = None
    finished: bool = True
    warnings: tuple[str, ...] = ()
    sha256: str = ""  # of the file as read

    def first(self, milestone: str) -> float | None:
        """When a milestone was first recorded, in exercise minutes."""
        times = self.milestones.get(milestone)
        return times[0] if times else None


def read(path: str | Path) -> DrillRecord:
    """The drill in `path`: `.csv` a scorecard, a JSON document a journal, else a drill log."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(file), None, "", f"cannot be read: {exc}")]) from None
    record = _parse(file, text)
    return replace(record, sha256=hashlib.sha256(text.encode()).hexdigest())


def _parse(file: Path, text: str) -> DrillRecord:
    if file.suffix.lower() == ".csv":
        return _scorecard(file, text)
    if text.lstrip().startswith("{") and "\n{" not in text.strip():
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if isinstance(document, dict) and document.get("kind") != "start":
            return _journal(file, document)
    return _log(file, text)


def _minutes(value: Any, file: Path, line: int, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or value < 0:
        raise InputError([Problem(str(file), line, name,
                                  f"expected exercise minutes (a number ≥ 0), found {value!r}")])
    return float(value)


def _text(value: Any, file: Path, line: int, name: str) -> str:
    if not isinstance(value, str):
        raise InputError([Problem(str(file), line, name, f"expected text, found {value!r}")])
    return value


def _date(value: Any, file: Path, line: int, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError([Problem(str(file), line, name,
                                  f"expected a date YYYY-MM-DD, found {value!r}")]) from None


def _lines(file: Path, text: str) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(line number, object) per line; None for a torn last line."""
    rows = text.split("\n")
    last = max((i for i, row in enumerate(rows) if row.strip()), default=-1)
    for index, row in enumerate(rows):
        if not row.strip():
            continue
        try:
            value = json.loads(row)
        except ValueError:
            if index == last and not text.endswith("\n"):
                yield index + 1, None
                continue
            raise InputError([Problem(str(file), index + 1, "",
                                      "not a JSON object (each line of a drill log is one)")]) \
                from None
        if not isinstance(value, dict):
            raise InputError([Problem(str(file), index + 1, "", "expected a JSON object")])
        yield index + 1, value


def _log(file: Path, text: str) -> DrillRecord:
    milestones: dict[str, list[float]] = {}
    entries: list[Entry] = []
    actions: list[Action] = []
    warnings: list[str] = []
    head: dict[str, Any] | None = None
    seq, last, finished = 0, 0.0, False
    for line, obj in _lines(file, text):
        if obj is None:
            warnings.append(f"{file}:{line}: the last line was cut short (the console stopped "
                            "mid-write); it is left out")
            continue
        kind = obj.get("kind")
        if head is None:
            if kind != "start":
                raise InputError([Problem(str(file), line, "kind",
                                          f"a drill log starts with a 'start' line, found {kind!r}")])
            head = obj
            continue
        if kind not in KINDS or kind == "start":
            raise InputError([Problem(str(file), line, "kind", f"expected one of "
                                      f"{', '.join(KINDS[1:])}, found {kind!r}")])
        if obj.get("seq") != seq + 1:
            raise InputError([Problem(str(file), line, "seq",
                                      f"expected {seq + 1}, found {obj.get('seq')!r}")])
        seq += 1
        if kind == "action":
            actions.append(Action(_text(obj.get("text"), file, line, "text"),
                                  _text(obj.get("owner", ""), file, line, "owner"),
                                  _date(obj.get("due"), file, line, "due")))
            continue
        minutes = _minutes(obj.get("minutes"), file, line, "minutes")
        last = max(last, minutes)
        if kind == "milestone":
            milestones.setdefault(_text(obj.get("id"), file, line, "id"), []).append(minutes)
        elif kind in ("note", "decision"):
            entries.append(Entry(kind, _text(obj.get("text"), file, line, "text"), minutes))
        elif kind == "end":
            finished = True
    if head is None:
        raise InputError([Problem(str(file), None, "", "is empty: a drill log starts with a "
                                  "'start' line")])
    started = None
    if head.get("started") is not None:
        try:
            started = dt.datetime.fromisoformat(_text(head["started"], file, 1, "started"))
        except ValueError:
            started = None
        if started is None or started.tzinfo is None:
            raise InputError([Problem(str(file), 1, "started", "expected an ISO date-time with "
                                      f"its UTC offset, found {head['started']!r}")])
    seed = head.get("seed")
    people = head.get("participants", [])
    if not isinstance(people, list):
        raise InputError([Problem(str(file), 1, "participants", "expected a list of names")])
    return DrillRecord(
        file, "log", _text(head.get("scenario"), file, 1, "scenario"),
        None if head.get("org") is None else _text(head["org"], file, 1, "org"),
        seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
        None if head.get("title") is None else _text(head["title"], file, 1, "title"),
        head.get("at"), started, tuple(_text(p, file, 1, "participants") for p in people),
        {k: tuple(sorted(v)) for k, v in milestones.items()}, {}, tuple(entries), tuple(actions),
        last, finished, tuple(warnings))


def _clock(value: str, file: Path, line: int, name: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    if (match := _CLOCK.match(value)) is not None:
        return int(match[1]) * 60 + int(match[2])
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise InputError([Problem(str(file), line, name, "expected exercise minutes or the "
                                  f"exercise clock HH:MM, found {value!r}")])
    return number


def _scorecard(file: Path, text: str) -> DrillRecord:
    reader = csv.DictReader(text.splitlines())
    needed = ("milestone", "target_minutes", "actual_minutes")
    missing = [c for c in needed if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError([Problem(str(file), 1, "", "missing column(s) " + ", ".join(missing) +
                                  " (a scorecard has milestone,label,target_minutes,"
                                  "actual_minutes,notes)")])
    milestones: dict[str, tuple[float, ...]] = {}
    targets: dict[str, float] = {}
    entries: list[Entry] = []
    for row in reader:
        line = reader.line_num
        name = (row.get("milestone") or "").strip()
        if not name:
            raise InputError([Problem(str(file), line, "milestone", "is empty")])
        actual = _clock(row.get("actual_minutes") or "", file, line, "actual_minutes")
        target = _clock(row.get("target_minutes") or "", file, line, "target_minutes")
        if actual is not None:
            milestones[name] = (actual,)
        if target is not None:
            targets[name] = target
        if (note := (row.get("notes") or "").strip()):
            entries.append(Entry("note", f"{row.get('label') or name}: {note}", actual))
    times = [t for ts in milestones.values() for t in ts]
    return DrillRecord(file, "scorecard", milestones=milestones, targets=targets,
                       entries=tuple(entries), duration=max(times, default=None))


def _instant(value: Any, file: Path, name: str) -> dt.datetime:
    try:
        instant = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise InputError([Problem(str(file), None, name,
                                  f"expected an ISO date-time, found {value!r}")]) from None
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)


def _journal(file: Path, journal: dict[str, Any]) -> DrillRecord:
    """A Chaos Toolkit journal: the fault starts with the first method activity (exercise
    minute 0, as a simulated incident's impact starts at its scenario's start) and is taken away
    at the end of the last; that end is when the drill mitigated it."""
    runs = [r for r in journal.get("run", []) if isinstance(r, dict)]
    method = [r for r in runs if (r.get("activity") or {}).get("type") == "action"] or runs
    if not method or "start" not in method[0] or "end" not in method[-1]:
        raise InputError([Problem(str(file), None, "run", "a Chaos Toolkit journal needs the "
                                  "method's activities with their start and end")])
    start = _instant(method[0]["start"], file, "run[0].start")
    end = _instant(method[-1]["end"], file, f"run[{len(method) - 1}].end")
    experiment = journal.get("experiment") or {}
    extension = next((e for e in experiment.get("extensions", [])
                      if isinstance(e, dict) and e.get("name") == "drillsim"), {})
    entries = [Entry("note", f"experiment {journal.get('status', 'unknown')}"
                     + ("; steady state deviated" if journal.get("deviated") else ""), None)]
    mitigated = (end - start).total_seconds() / 60
    return DrillRecord(file, "journal", extension.get("scenario"), extension.get("org"),
                       extension.get("seed"), experiment.get("title"), None, start, (),
                       {"mitigated": (mitigated,)}, entries=tuple(entries), duration=mitigated)
