"""One replication's scorecard: the row of metrics a what-if sweep, a hypothesis check or an
on-call load report compares across replications and variants.

Every column is a number (NaN where nothing was measured, e.g. no P0 in that replication):

- `incidents`, `incidents.SEV`: how many incidents started.
- `METRIC.STAT`, `METRIC.STAT.SEV`: each metric of `scenarios/measures.py` (`time_to_resolve`,
  ...) over the incidents that reached its end, in minutes; STAT is `mean`, `p50`, `p90`, `p99`.
- `unacknowledged`, `unresolved` (and `.SEV`): incidents never acknowledged or resolved.
- `sla.TARGET`, `sla.TARGET.SEV`: the share of incidents meeting a target, of those whose
  severity sets it; `deadlines`, `deadlines.SEV`: the share of deadline occurrences met.
- `pages_per_responder`, `night_pages_per_responder`, `off_hours_pages_per_responder`: pages
  over everyone in the organisation; `most_night_pages`: the most any one person had.
- `cost`: the incidents' cost, in the organisation's currency.

Severity columns appear for every severity of the ladder, so rows of one organisation line up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from drillsim.scenarios.measures import METRICS, TARGETS

if TYPE_CHECKING:
    import pandas as pd

    from drillsim.sim.engine import RunRecords
    from drillsim.sim.records import Records

STATS = ("mean", "p50", "p90", "p99")
LOAD = ("pages_per_responder", "night_pages_per_responder", "off_hours_pages_per_responder",
        "most_night_pages")
HIGHER_IS_BETTER = ("sla", "deadlines")  # column families where a larger value is better


Columns = Mapping[str, np.ndarray]  # a table as one array per column


def _stats(values: np.ndarray) -> list[float]:
    x = values[~np.isnan(values)]
    if len(x) == 0:
        return [np.nan] * len(STATS)
    return [float(x.mean()), *(float(v) for v in np.percentile(x, [50, 90, 99]))]


def _share(met: np.ndarray) -> float:
    """The share of True among the known values (None/NaN: not applicable)."""
    known = np.array([m for m in met if m is not None and m == m], dtype=bool)
    return float(known.mean()) if len(known) else np.nan


def _incident_columns(inc: Columns, rows: np.ndarray, suffix: str) -> dict[str, float]:
    row: dict[str, float] = {f"incidents{suffix}": float(rows.sum())}
    for m in METRICS:
        values = (inc[f"{m.end}_at"][rows] - inc[f"{m.start}_at"][rows]).astype(float)
        row.update(zip((f"{m.name}.{s}{suffix}" for s in STATS), _stats(values), strict=True))
    row[f"unacknowledged{suffix}"] = float(np.isnan(inc["acknowledged_at"][rows]).sum())
    row[f"unresolved{suffix}"] = float(np.isnan(inc["resolved_at"][rows]).sum())
    for t in TARGETS:
        row[f"sla.{t.name}{suffix}"] = _share(inc[f"{t.name}_met"][rows])
    return row


def card(incidents: Columns, deadlines: Columns, responders: Columns, ladder: Sequence[str],
         people: int) -> dict[str, float]:
    """The scorecard from one replication's tables as columns (see `records`): incidents'
    milestones, targets met, severity and cost; deadlines' severity and met; responders' pages."""
    severity = np.asarray(incidents["severity"], dtype=object)
    row = _incident_columns(incidents, np.ones(len(severity), dtype=bool), "")
    for name in ladder:
        row.update(_incident_columns(incidents, severity == name, f".{name}"))
    owed, met = np.asarray(deadlines["severity"], dtype=object), deadlines["met"]
    row["deadlines"] = _share(met)
    for name in ladder:
        row[f"deadlines.{name}"] = _share(met[owed == name])
    row["pages_per_responder"] = float(np.sum(responders["pages"])) / people
    row["night_pages_per_responder"] = float(np.sum(responders["night_pages"])) / people
    row["off_hours_pages_per_responder"] = float(np.sum(responders["off_hours_pages"])) / people
    row["most_night_pages"] = float(np.max(responders["night_pages"], initial=0))
    row["cost"] = float(np.sum(incidents["cost"]))
    return row


def _frame_columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Columns as arrays; a nullable boolean (met or not; <NA> where no target) as True, False
    or None, as the flat rows hold it."""
    return {c: frame[c].to_numpy(dtype=object, na_value=None) if frame[c].dtype == "boolean"
            else frame[c].to_numpy() for c in frame.columns}


def _row_columns(rows: Sequence[tuple[Any, ...]], names: Sequence[str]) -> dict[str, np.ndarray]:
    if not rows:
        return {n: np.array([], dtype=float) for n in names}
    return {n: np.array(values, dtype=object if isinstance(values[0], str | bool) or any(
        v is None for v in values) else None) for n, values in zip(names, zip(*rows, strict=True),
                                                                  strict=True)}


def scorecard(records: Records, ladder: Sequence[str], responders: int) -> dict[str, float]:
    """The scorecard of the one replication `records` hold; `ladder` is the organisation's
    severities, `responders` how many people it has (pages are spread over all of them)."""
    return card(_frame_columns(records.incidents), _frame_columns(records.deadlines),
                _frame_columns(records.responders), ladder, responders)


def scorecard_of(run: RunRecords, ladder: Sequence[str], responders: int) -> dict[str, float]:
    """The same scorecard straight from a replication's flat rows, without building frames."""
    from drillsim.sim.records import DEADLINE_COLUMNS, INCIDENT_COLUMNS, RESPONDER_COLUMNS

    return card(_row_columns(run.incidents, INCIDENT_COLUMNS),
                _row_columns(run.deadlines, DEADLINE_COLUMNS[1:]),
                _row_columns(run.responders, RESPONDER_COLUMNS[1:]), ladder, responders)


def scorecards(records: Records, ladder: Sequence[str], responders: int) -> pd.DataFrame:
    """One scorecard per replication of `records`, indexed by replication."""
    import pandas as pd

    from drillsim.sim.records import Records

    rows = {}
    for rep in sorted(set(records.incidents["replication"]) | set(records.responders["replication"])):
        one = Records(*(frame[frame["replication"] == rep] for frame in (
            records.events, records.incidents, records.deadlines, records.responders,
            records.mobilisations)))
        rows[int(rep)] = scorecard(one, ladder, responders)
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("replication")


def lower_is_better(column: str) -> bool | None:
    """Which way a column improves; None for counts of what happened (incidents), which a
    policy does not choose."""
    family = column.split(".", 1)[0]
    if family == "incidents":
        return None
    return family not in HIGHER_IS_BETTER
