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

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from drillsim.scenarios.measures import METRICS, TARGETS

if TYPE_CHECKING:
    import pandas as pd

    from drillsim.sim.records import Records

STATS = ("mean", "p50", "p90", "p99")
LOAD = ("pages_per_responder", "night_pages_per_responder", "off_hours_pages_per_responder",
        "most_night_pages")
HIGHER_IS_BETTER = ("sla", "deadlines")  # column families where a larger value is better


def _stats(values: np.ndarray) -> list[float]:
    x = values[~np.isnan(values)]
    if len(x) == 0:
        return [np.nan] * len(STATS)
    return [float(x.mean()), *(float(v) for v in np.percentile(x, [50, 90, 99]))]


def _share(met: pd.Series) -> float:
    known = met.dropna()
    return float(known.astype(bool).mean()) if len(known) else np.nan


def _incident_columns(incidents: pd.DataFrame, suffix: str) -> dict[str, float]:
    row: dict[str, float] = {f"incidents{suffix}": float(len(incidents))}
    for m in METRICS:
        values = (incidents[f"{m.end}_at"] - incidents[f"{m.start}_at"]).to_numpy(dtype=float)
        row.update(zip((f"{m.name}.{s}{suffix}" for s in STATS), _stats(values), strict=True))
    row[f"unacknowledged{suffix}"] = float(incidents["acknowledged_at"].isna().sum())
    row[f"unresolved{suffix}"] = float(incidents["resolved_at"].isna().sum())
    for t in TARGETS:
        row[f"sla.{t.name}{suffix}"] = _share(incidents[f"{t.name}_met"])
    return row


def scorecard(records: Records, ladder: Sequence[str], responders: int) -> dict[str, float]:
    """The scorecard of the one replication `records` hold; `ladder` is the organisation's
    severities, `responders` how many people it has (pages are spread over all of them)."""
    inc, owed, people = records.incidents, records.deadlines, records.responders
    row = _incident_columns(inc, "")
    for severity in ladder:
        row.update(_incident_columns(inc[inc["severity"] == severity], f".{severity}"))
    row["deadlines"] = _share(owed["met"])
    for severity in ladder:
        row[f"deadlines.{severity}"] = _share(owed.loc[owed["severity"] == severity, "met"])
    row["pages_per_responder"] = float(people["pages"].sum()) / responders
    row["night_pages_per_responder"] = float(people["night_pages"].sum()) / responders
    row["off_hours_pages_per_responder"] = float(people["off_hours_pages"].sum()) / responders
    row["most_night_pages"] = float(people["night_pages"].max()) if len(people) else 0.0
    row["cost"] = float(inc["cost"].sum())
    return row


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
