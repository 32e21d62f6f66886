"""Metrics over the records: each metric's spread and each target's or deadline's attainment,
with intervals over independent units (`intervals`). The definitions are the table in
`scenarios/measures.py`; incidents never reaching a metric's end milestone are counted apart,
not silently dropped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from drillsim.scenarios.measures import METRICS, Metric
from drillsim.sim import intervals
from drillsim.sim.intervals import Interval, replication_means
from drillsim.sim.records import LOAD_COLUMNS


def durations(incidents: pd.DataFrame) -> pd.DataFrame:
    """One column per metric (`time_to_detect`, ...) in minutes; NaN where it never happened."""
    out = incidents[["replication", "incident", "type", "severity"]].copy()
    for m in METRICS:
        out[m.name] = incidents[f"{m.end}_at"] - incidents[f"{m.start}_at"]
    return out


@dataclass(frozen=True)
class Spread:
    """One metric over a set of incidents (minutes): mean with its interval, and percentiles.
    `n` counts the incidents that reached the metric's end; all None when none did."""

    metric: Metric
    n: int
    mean: float | None
    ci: Interval | None
    p50: float | None
    p90: float | None
    p99: float | None


@dataclass(frozen=True)
class Share:
    """How many of n met a target or deadline, with the Wilson interval of the share and the
    effective n it rests on (n shrunk by how alike neighbouring incidents are)."""

    met: int
    n: int
    ci: Interval
    effective_n: float

    @property
    def value(self) -> float:
        return self.met / self.n


def spread(metric: Metric, values: np.ndarray, replication: np.ndarray,
           replications: int) -> Spread:
    """Spread of one metric; `values` (NaN where never reached) in order of start. A duration
    is never negative, and neither is the interval's lower end."""
    present = ~np.isnan(values)
    x = values[present]
    if len(x) == 0:
        return Spread(metric, 0, None, None, None, None, None)
    p50, p90, p99 = (float(v) for v in np.percentile(x, [50, 90, 99]))
    ci = intervals.mean_interval(x, intervals.units(replication[present], replications))
    if ci is not None and ci.low < 0:
        ci = replace(ci, low=0.0)
    return Spread(metric, len(x), float(x.mean()), ci, p50, p90, p99)


def share(met: np.ndarray, replication: np.ndarray, replications: int) -> Share:
    """Share of `met` (booleans, in order of start) and its interval."""
    ci, effective = intervals.share_interval(met, intervals.units(replication, replications))
    return Share(int(met.sum()), len(met), ci, effective)


def spreads(durations: np.ndarray, replication: np.ndarray,
            replications: int) -> tuple[Spread, ...]:
    """Every metric's spread; `durations` has one column per metric of `METRICS`, rows in order
    of replication, then start."""
    return tuple(spread(m, durations[:, j], replication, replications)
                 for j, m in enumerate(METRICS))


def counts(found: Mapping[str, int], order: Sequence[str] = ()) -> dict[str, int]:
    """How often each value occurs: every one in `order` first, in that order and 0 if absent,
    then any others, most frequent first (ties in order of first occurrence)."""
    out = {v: int(found.get(v, 0)) for v in order}
    out.update((v, int(n)) for v, n in sorted(found.items(), key=lambda item: -item[1])
               if v not in out)
    return out


def responder_load(responders: pd.DataFrame) -> pd.DataFrame:
    """Per responder, the mean per replication of pages, night pages and engaged minutes, each
    with its 95% t-interval over the replications (`pages_low`, `pages_high`, ...)."""
    n = int(responders["replication"].nunique())
    load = responders[list(LOAD_COLUMNS)]
    total = load.groupby(responders["responder"], sort=False).sum()
    squares = (load ** 2).groupby(responders["responder"], sort=False).sum()
    return load_frame(total.index, total.to_numpy(float), squares.to_numpy(float), n)


def load_frame(responders: Sequence[str] | pd.Index, total: np.ndarray, squares: np.ndarray,
               n: int) -> pd.DataFrame:
    """The on-call load table from per-responder sums over n replications (an interval's low
    end stops at zero: no load is negative)."""
    mean, low, high = replication_means(total, squares, n)
    low = np.maximum(low, 0.0)
    frame = pd.DataFrame(mean, index=pd.Index(responders, name="responder"), columns=list(LOAD_COLUMNS))
    for name, values in (("low", low), ("high", high)):
        frame[[f"{c}_{name}" for c in LOAD_COLUMNS]] = values
    return frame
