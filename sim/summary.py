"""The summary of a run, typed: what the terminal, reports and `--format json` show. Severities
follow the organisation's ladder, most severe first; metrics and targets follow the table in
`scenarios/measures.py`. `as_json` is the one place the JSON shape is written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from drillsim.scenarios.measures import TARGETS, TIME_TO_MOBILISE
from drillsim.sim import intervals, metrics
from drillsim.sim.metrics import Share, Spread
from drillsim.sim.records import LOAD_COLUMNS
from drillsim.sim.runner import Run
from drillsim.sim.tally import NEVER, OUTCOMES, STATUSES, Tally

NOT_MET = STATUSES[1:]  # late, missed, unstaffed


@dataclass(frozen=True)
class DeadlineSummary:
    """One deadline of one severity: the share of its occurrences met, and how many occurrences
    ended in each status (met, late, missed, unstaffed; those that occurred)."""

    met: Share
    statuses: Mapping[str, int]


@dataclass(frozen=True)
class SeveritySummary:
    """One severity: its metrics, the share meeting each target it sets (of its incidents) and
    each deadline (of the deadline's occurrences), under the plan's own names."""

    severity: str
    incidents: int
    metrics: tuple[Spread, ...]
    sla: Mapping[str, Share]
    deadlines: Mapping[str, DeadlineSummary]


@dataclass(frozen=True)
class RoleSummary:
    """One role the incidents mobilised: how many requests, the time to mobilise of those that
    someone joined, and how many requests ended each way (engaged, or why nobody came)."""

    role: str
    requests: int
    time_to_mobilise: Spread
    outcomes: Mapping[str, int]

    @property
    def never_mobilised(self) -> int:
        return self.requests - self.time_to_mobilise.n


@dataclass(frozen=True)
class OnCallLoad:
    """One responder's load per replication: for each of pages, night pages, off-hours pages,
    acknowledgements, minutes engaged and incidents worked, the mean over the replications and
    its 95% t-interval (None from a single replication)."""

    responder: str
    mean: Mapping[str, float]
    ci: Mapping[str, tuple[float, float] | None]


@dataclass(frozen=True)
class RunSummary:
    """A run: what ran, the metrics over all incidents and per severity. `never` counts the
    incidents that never reached each milestone a metric ends at, `unacknowledged` and
    `unresolved` why (reason: incidents); `ci_method` says what the intervals' independent
    units are (replication means, or batch means in one replication)."""

    scenario: str
    organisation: str
    currency: str
    replications: int
    seed: int
    incidents: int
    never: Mapping[str, int]
    unacknowledged: Mapping[str, int]
    unresolved: Mapping[str, int]
    ci_method: str
    metrics: tuple[Spread, ...]
    severities: tuple[SeveritySummary, ...]
    roles: tuple[RoleSummary, ...]
    load: tuple[OnCallLoad, ...]  # in the organisation's order


def run_summary(run: Run) -> RunSummary:
    """The summary of a finished run, from its compact per-replication results."""
    reps, tally, org = run.replications, run.tally, run.bundle.org
    replication = tally.replication.array()
    severity = tally.severity.array()
    durations = tally.durations.array()
    met = tally.met.array()
    d_rep, d_key = tally.deadline_replication.array(), tally.deadline.array()
    d_met, d_status = tally.deadline_met.array(), tally.deadline_status.array()
    d_keys = list(tally.deadline_keys)
    severities = []
    for code in np.unique(severity):  # the ladder's order: most severe first
        mask = severity == code
        rep = replication[mask]
        sla = {t.name: metrics.share(met[mask, j] == 1, rep, reps)
               for j, t in enumerate(TARGETS) if (met[mask, j] >= 0).any()}
        name = tally.ladder[code]
        owed = {}
        for deadline in sorted({n for s, n in d_keys if s == name}):
            rows = d_key == d_keys.index((name, deadline))
            owed[deadline] = DeadlineSummary(
                metrics.share(d_met[rows], d_rep[rows], reps),
                metrics.counts(_tallied(d_status[rows], STATUSES), STATUSES))
        severities.append(SeveritySummary(name, int(mask.sum()),
                                          metrics.spreads(durations[mask], rep, reps), sla, owed))
    return RunSummary(run.bundle.scenario.name, org.name, org.currency, reps, run.seed,
                      len(severity), dict(zip(NEVER, (int(n) for n in tally.never), strict=True)),
                      metrics.counts(tally.unacknowledged), metrics.counts(tally.unresolved),
                      intervals.method(reps), metrics.spreads(durations, replication, reps),
                      tuple(severities), _roles(tally, reps), _load(tally))


def _load(tally: Tally) -> tuple[OnCallLoad, ...]:
    frame = tally.responder_load()
    return tuple(OnCallLoad(str(rid), {c: float(row[c]) for c in LOAD_COLUMNS},
                               {c: None if np.isnan(row[f"{c}_low"]) else
                                (float(row[f"{c}_low"]), float(row[f"{c}_high"]))
                                for c in LOAD_COLUMNS})
                 for rid, row in frame.iterrows())


def _tallied(codes: np.ndarray, names: tuple[str, ...]) -> dict[str, int]:
    """How many of `codes` name each of `names`, in order of first occurrence."""
    found, first = np.unique(codes, return_index=True)
    counts = np.bincount(codes, minlength=len(names))
    return {names[c]: int(counts[c]) for c in found[np.argsort(first, kind="stable")]}


def _roles(tally: Tally, reps: int) -> tuple[RoleSummary, ...]:
    """Each mobilised role, in order of name."""
    rep, role = tally.role_replication.array(), tally.role.array()
    ttm, outcome = tally.time_to_mobilise.array(), tally.outcome.array()
    out = []
    for name, code in sorted(tally.roles.items()):
        rows = role == code
        out.append(RoleSummary(name, int(rows.sum()),
                               metrics.spread(TIME_TO_MOBILISE, ttm[rows], rep[rows], reps),
                               metrics.counts(_tallied(outcome[rows], OUTCOMES), OUTCOMES)))
    return tuple(out)


def shares_by_severity(summary: RunSummary) -> dict[str, dict[str, float]]:
    """Severity -> target -> share met, for charts."""
    return {s.severity: {t: x.value for t, x in s.sla.items()} for s in summary.severities}


def _minutes(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _spread(s: Spread) -> dict[str, Any]:
    return {"n": s.n, "mean": _minutes(s.mean),
            "ci95": None if s.ci is None else [_minutes(s.ci.low), _minutes(s.ci.high)],
            "ci_units": None if s.ci is None else s.ci.units,
            "p50": _minutes(s.p50), "p90": _minutes(s.p90), "p99": _minutes(s.p99)}


def _share(s: Share) -> dict[str, Any]:
    return {"met": s.met, "n": s.n, "share": round(s.value, 4),
            "ci95": [round(s.ci.low, 4), round(s.ci.high, 4)],
            "effective_n": round(s.effective_n, 1)}


def _deadline(d: DeadlineSummary) -> dict[str, Any]:
    return {**_share(d.met), "statuses": dict(d.statuses)}


def as_json(summary: RunSummary) -> dict[str, Any]:
    """The summary as JSON-ready data: minutes to 0.01, shares in 0..1 to 0.0001, on-call load
    per replication to 0.01."""
    return {
        "scenario": summary.scenario,
        "organisation": summary.organisation,
        "currency": summary.currency,  # of the incidents' `cost` column
        "replications": summary.replications,
        "seed": summary.seed,
        "incidents": summary.incidents,
        "never": dict(summary.never),
        "unacknowledged": dict(summary.unacknowledged),
        "unresolved": dict(summary.unresolved),
        "ci_level": intervals.LEVEL,
        "ci_method": summary.ci_method,
        "metrics": {s.metric.name: _spread(s) for s in summary.metrics},
        "severities": [{
            "severity": s.severity,
            "incidents": s.incidents,
            "metrics": {m.metric.name: _spread(m) for m in s.metrics},
            "sla": {name: _share(x) for name, x in s.sla.items()},
            "deadlines": {name: _deadline(x) for name, x in s.deadlines.items()},
        } for s in summary.severities],
        "roles": [{"role": r.role, "requests": r.requests,
                   "time_to_mobilise": _spread(r.time_to_mobilise), "outcomes": dict(r.outcomes)}
                  for r in summary.roles],
        "on_call_load": [{"responder": r.responder, **{
            c: {"mean": round(r.mean[c], 2),
                "ci95": None if (ci := r.ci[c]) is None else [round(ci[0], 2), round(ci[1], 2)]}
            for c in r.mean}} for r in summary.load],
    }
