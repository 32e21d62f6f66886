"""A recorded drill as the assessment reads it: the drill log reader's record (`drill_log`:
a console log, a filled scorecard or a Chaos Toolkit journal) with every recording of each
milestone kept (a status page posted three times has three: the update cadence needs them)
under its id as a slug (a plan deadline may be recorded by its name, `customer update (DR)`),
the notes, decisions and action items, and how long the drill ran. Exercise minutes
throughout."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from drillsim.drills import drill_log
from drillsim.scenarios.errors import InputError, Problem


def slug(name: str) -> str:
    """A deadline's name as a milestone id: `Customer update (DR)` -> `customer_update_dr`."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


@dataclass(frozen=True)
class Entry:
    """A note or decision taken during the drill, at an exercise minute."""

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
    """One drill as recorded; `form` is log, scorecard or journal, `duration` the exercise
    minutes from start to end (or to the last entry)."""

    source: Path
    form: str
    scenario: str
    org: str | None
    seed: int
    at: str
    title: str
    started: dt.datetime | None
    milestones: dict[str, tuple[float, ...]]
    entries: tuple[Entry, ...]
    actions: tuple[Action, ...]
    duration: float | None
    finished: bool
    warnings: tuple[str, ...]
    sha256: str

    def first(self, milestone: str) -> float | None:
        """When a milestone was first recorded, in exercise minutes."""
        times = self.milestones.get(milestone)
        return times[0] if times else None


FORMS = {".jsonl": "log", ".csv": "scorecard", ".json": "journal"}


def read(path: str | Path, scenario: str | None = None) -> DrillRecord:
    """The drill in `path`; a scorecard names no scenario, so it needs `scenario`."""
    file = Path(path)
    form = FORMS.get(file.suffix.lower())
    if form == "scorecard" and scenario is None:
        raise InputError([Problem(str(file), None, "", "a scorecard does not name its scenario; "
                                  "pass --scenario (a file or a bundled name)")])
    record = drill_log.load_drill(file, scenario)
    milestones: dict[str, list[float]] = {}
    for e in record.entries:
        if isinstance(e, drill_log.Milestone):
            milestones.setdefault(slug(e.id), []).append(e.minutes)
    times = [e.minutes for e in record.entries if e.minutes is not None]
    if record.fault is not None:  # the fault was taken away: impact ended
        milestones.setdefault("mitigated", []).append(record.fault[1])
        times.append(record.fault[1])
    start = record.start
    return DrillRecord(
        file, form or "log", scenario or start.scenario, start.org, start.seed, start.at,
        start.title, start.started, {k: tuple(sorted(v)) for k, v in milestones.items()},
        tuple(Entry(e.kind, e.text, e.minutes) for e in record.entries
              if isinstance(e, drill_log.Text)),
        tuple(Action(a.text, a.owner, a.due) for a in record.actions),
        max(times, default=None),
        form != "log" or any(getattr(e, "kind", "") == "end" for e in record.entries),
        record.warnings, hashlib.sha256(file.read_bytes()).hexdigest())
