"""What a summary needs of each replication, as compact NumPy arrays: workers send one
`Replication` back per replication (a few dozen bytes per incident instead of Python rows), and
the caller folds them into a `Tally` as they arrive, so memory stays small however many
replications run. Full records are built only when someone asks for them (`--out`, `--report`).

Arrays keep the order the summary's statistics rely on: incidents by start, deadline occurrences
by due time, role requests by request time, each within its replication."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from drillsim.scenarios.measures import (
    DEADLINE_STATUSES,
    METRICS,
    MOBILISATION_OUTCOMES,
    TARGETS,
    outcome_milestones,
)
from drillsim.sim.records import (
    DEADLINE_COLUMNS,
    INCIDENT_COLUMNS,
    LOAD_COLUMNS,
    MOBILISATION_COLUMNS,
)

if TYPE_CHECKING:
    import pandas as pd

    from drillsim.sim.engine import RunRecords

STATUSES = tuple(s.name for s in DEADLINE_STATUSES)
OUTCOMES = tuple(o.name for o in MOBILISATION_OUTCOMES)
NEVER = outcome_milestones()
_INCIDENT = {name: i for i, name in enumerate(INCIDENT_COLUMNS)}
_DEADLINE = {name: i for i, name in enumerate(DEADLINE_COLUMNS[1:])}  # rows leave out replication
_MOBILISATION = {name: i for i, name in enumerate(MOBILISATION_COLUMNS[1:])}


@dataclass(frozen=True)
class Replication:
    """One replication's results, compact. Per incident, in order of start: `severity` (int8,
    index into the organisation's ladder), `durations` (float64, one column per metric of
    `METRICS`, minutes, NaN when never reached) and `met` (int8, one column per target of
    `TARGETS`: 1 met, 0 missed, -1 no such target for the severity). `never` counts the incidents
    that never reached each milestone of `outcome_milestones()`; `unacknowledged`/`unresolved`
    count the reasons. Deadline occurrences by due time: `deadline` (index into `deadline_keys`,
    each a (severity, deadline name)), `deadline_met` (bool), `deadline_status` (int8 index into
    STATUSES). Role requests by request time: `role` (index into `roles`), `time_to_mobilise`
    (float64, NaN when nobody joined), `outcome` (int8 index into OUTCOMES). `load` is float64
    (responders, LOAD_COLUMNS) in the organisation's order. `rows` holds the full records when
    the run keeps them, else None."""

    replication: int
    severity: np.ndarray
    durations: np.ndarray
    met: np.ndarray
    never: np.ndarray
    unacknowledged: Mapping[str, int]
    unresolved: Mapping[str, int]
    deadline_keys: tuple[tuple[str, str], ...]
    deadline: np.ndarray
    deadline_met: np.ndarray
    deadline_status: np.ndarray
    roles: tuple[str, ...]
    role: np.ndarray
    time_to_mobilise: np.ndarray
    outcome: np.ndarray
    responders: tuple[str, ...]
    load: np.ndarray
    rows: RunRecords | None = None

    @property
    def incidents(self) -> int:
        return len(self.severity)

    @property
    def means(self) -> np.ndarray:
        """Each metric's mean over this replication's incidents that reached its end (NaN if
        none did), in `METRICS` order: the per-replication figure paired comparisons use."""
        present = ~np.isnan(self.durations)
        counts = present.sum(axis=0)
        sums = np.where(present, self.durations, 0.0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)

    @staticmethod
    def of(run: RunRecords, ladder: Mapping[str, int], keep: bool) -> Replication:
        """The compact form of one replication's rows; `keep` keeps the rows too."""
        rows = run.incidents
        col = _INCIDENT

        def floats(name: str) -> np.ndarray:
            return np.array([row[col[name]] for row in rows], dtype=float)

        started = floats("started_at")
        order = np.argsort(started, kind="stable")
        at = {name: floats(f"{name}_at")[order] for name in
              {m.start for m in METRICS} | {m.end for m in METRICS}}
        durations = np.empty((len(rows), len(METRICS)))
        for j, m in enumerate(METRICS):
            durations[:, j] = at[m.end] - at[m.start]
        met = np.array([[-1 if row[col[f"{t.name}_met"]] is None else int(row[col[f"{t.name}_met"]])
                         for t in TARGETS] for row in rows], dtype=np.int8).reshape(-1, len(TARGETS))
        ordered = [rows[i] for i in order]
        d_rows = sorted(run.deadlines, key=lambda d: d[_DEADLINE["due_at"]])
        d_keys = _codes(d_rows, lambda d: (d[_DEADLINE["severity"]], d[_DEADLINE["deadline"]]))
        m_rows = sorted(run.mobilisations, key=lambda m: m[_MOBILISATION["requested_at"]])
        roles = _codes(m_rows, lambda m: m[_MOBILISATION["role"]])
        return Replication(
            replication=run.replication,
            severity=np.array([ladder[row[col["severity"]]] for row in ordered], dtype=np.int8),
            durations=durations,
            met=met[order],
            never=np.array([int(np.isnan(floats(f"{name}_at")).sum()) for name in NEVER]),
            unacknowledged=_count(row[col["unacknowledged_reason"]] for row in ordered),
            unresolved=_count(row[col["unresolved_reason"]] for row in ordered),
            deadline_keys=tuple(d_keys),
            deadline=np.array([d_keys[(d[_DEADLINE["severity"]], d[_DEADLINE["deadline"]])]
                               for d in d_rows], dtype=np.int16),
            deadline_met=np.array([d[_DEADLINE["met"]] for d in d_rows], dtype=bool),
            deadline_status=np.array([STATUSES.index(d[_DEADLINE["status"]]) for d in d_rows],
                                     dtype=np.int8),
            roles=tuple(roles),
            role=np.array([roles[m[_MOBILISATION["role"]]] for m in m_rows], dtype=np.int16),
            time_to_mobilise=np.array([m[_MOBILISATION["engaged_at"]] for m in m_rows], dtype=float)
            - np.array([m[_MOBILISATION["requested_at"]] for m in m_rows], dtype=float),
            outcome=np.array([OUTCOMES.index(m[_MOBILISATION["outcome"]]) for m in m_rows],
                             dtype=np.int8),
            responders=tuple(r[0] for r in run.responders),
            load=np.array([r[1:] for r in run.responders], dtype=float).reshape(-1,
                                                                                 len(LOAD_COLUMNS)),
            rows=run if keep else None)


def _codes(rows: Iterable[Any], key: Any) -> dict[Any, int]:
    """Each distinct key, numbered in order of first occurrence."""
    codes: dict[Any, int] = {}
    for row in rows:
        codes.setdefault(key(row), len(codes))
    return codes


def _count(values: Iterable[str | None]) -> dict[str, int]:
    return dict(Counter(v for v in values if v is not None))


class Column:
    """An array grown by appending pieces, joined a few at a time so that many small pieces
    (one per replication) cost no more than one array of the same length."""

    JOIN = 64

    def __init__(self, dtype: Any, width: int | None = None) -> None:
        self._empty = np.empty((0,) if width is None else (0, width), dtype=dtype)
        self._pieces: list[np.ndarray] = []

    def append(self, piece: np.ndarray) -> None:
        self._pieces.append(piece)
        if len(self._pieces) >= self.JOIN:
            self._pieces = [np.concatenate(self._pieces)]

    def array(self) -> np.ndarray:
        if not self._pieces:
            return self._empty
        if len(self._pieces) > 1:
            self._pieces = [np.concatenate(self._pieces)]
        return self._pieces[0]


@dataclass
class Tally:
    """Every replication's compact results, folded in as they arrive (in replication order).
    Per incident, per deadline occurrence and per role request it keeps a few bytes (the
    percentiles a summary shows need every value); everything else is per replication or a
    running total. `ladder` is the organisation's severities, most severe first."""

    ladder: tuple[str, ...]
    replications: int = 0
    per_replication: list[tuple[int, int]] = field(default_factory=list)  # (replication, incidents)
    replication: Column = field(default_factory=lambda: Column(np.int32))
    severity: Column = field(default_factory=lambda: Column(np.int8))
    durations: Column = field(default_factory=lambda: Column(float, len(METRICS)))
    met: Column = field(default_factory=lambda: Column(np.int8, len(TARGETS)))
    means: Column = field(default_factory=lambda: Column(float, len(METRICS)))
    never: np.ndarray = field(default_factory=lambda: np.zeros(len(NEVER), dtype=np.int64))
    unacknowledged: Counter[str] = field(default_factory=Counter)
    unresolved: Counter[str] = field(default_factory=Counter)
    deadline_keys: dict[tuple[str, str], int] = field(default_factory=dict)
    deadline_replication: Column = field(default_factory=lambda: Column(np.int32))
    deadline: Column = field(default_factory=lambda: Column(np.int16))
    deadline_met: Column = field(default_factory=lambda: Column(bool))
    deadline_status: Column = field(default_factory=lambda: Column(np.int8))
    roles: dict[str, int] = field(default_factory=dict)
    role_replication: Column = field(default_factory=lambda: Column(np.int32))
    role: Column = field(default_factory=lambda: Column(np.int16))
    time_to_mobilise: Column = field(default_factory=lambda: Column(float))
    outcome: Column = field(default_factory=lambda: Column(np.int8))
    responders: tuple[str, ...] = ()
    load: np.ndarray | None = None  # per responder, sums over replications
    load_squares: np.ndarray | None = None  # and sums of squares, for the intervals

    def add(self, rep: Replication) -> None:
        """Fold in the next replication's results."""
        self.replications += 1
        self.per_replication.append((rep.replication, rep.incidents))
        self.replication.append(np.full(rep.incidents, rep.replication, dtype=np.int32))
        self.severity.append(rep.severity)
        self.durations.append(rep.durations)
        self.met.append(rep.met)
        self.means.append(rep.means[np.newaxis, :])
        self.never += rep.never
        self.unacknowledged.update(rep.unacknowledged)
        self.unresolved.update(rep.unresolved)
        self.deadline_replication.append(np.full(len(rep.deadline), rep.replication, np.int32))
        self.deadline.append(_recode(rep.deadline, rep.deadline_keys, self.deadline_keys))
        self.deadline_met.append(rep.deadline_met)
        self.deadline_status.append(rep.deadline_status)
        self.role_replication.append(np.full(len(rep.role), rep.replication, np.int32))
        self.role.append(_recode(rep.role, rep.roles, self.roles))
        self.time_to_mobilise.append(rep.time_to_mobilise)
        self.outcome.append(rep.outcome)
        if self.load is None or self.load_squares is None:
            self.responders, self.load = rep.responders, rep.load.copy()
            self.load_squares = rep.load**2
        else:
            self.load += rep.load
            self.load_squares += rep.load**2

    def metric_means(self) -> pd.DataFrame:
        """Each replication's mean of each metric (rows: replications in order; columns: the
        metrics' names; NaN where no incident of the replication reached the metric's end)."""
        import pandas as pd

        index = pd.Index([r for r, _ in self.per_replication], name="replication")
        return pd.DataFrame(self.means.array(), index=index, columns=[m.name for m in METRICS])

    def responder_load(self) -> pd.DataFrame:
        """Per responder, the mean per replication of pages, night pages and engaged minutes,
        with 95% intervals (`metrics.responder_load` of the full records, from the sums)."""
        from drillsim.sim.metrics import load_frame

        empty = np.zeros((0, len(LOAD_COLUMNS)))
        return load_frame(self.responders, empty if self.load is None else self.load,
                          empty if self.load_squares is None else self.load_squares,
                          self.replications)


def _recode(codes: np.ndarray, keys: Sequence[Any], into: dict[Any, int]) -> np.ndarray:
    """Per-replication codes of `keys` as codes of the run-wide table `into` (extended)."""
    table = np.array([into.setdefault(k, len(into)) for k in keys], dtype=np.int16)
    return table[codes] if len(codes) else codes
