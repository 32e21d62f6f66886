"""The post-drill assessment: each milestone the drill recorded against the plan's target and
against the simulated distribution for this organisation, the plan's validation checklist scored
pass/fail, communication against a stated rubric, and prefilled sections the team edits.

A drill's milestone in a simulated run is read off the records: the first incident detected,
acknowledged, commanded, updated or escalated; all of them mitigated and resolved; a plan
deadline by its first occurrence. A run that never reached a milestone counts as slower than
any time the drill recorded."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from drillsim.drills.drill_record import Action, DrillRecord, slug
from drillsim.drills.exercise import LABELS, MILESTONES, timeline
from drillsim.scenarios.durations import SECOND, format_duration
from drillsim.sim.intervals import Interval, wilson
from drillsim.sim.metrics import Share

if TYPE_CHECKING:

    from drillsim.scenarios.policy import Deadline
    from drillsim.scenarios.scenario import Bundle
    from drillsim.sim.runner import Run

DUE_AFTER = dt.timedelta(days=30)  # prefilled action items fall due a month after the drill
RUBRIC = (("deadlines", "Deadlines met", "every notice the plan owes was sent by its due time"),
          ("cadence", "Cadence kept", "no gap between status updates longer than the plan's "
                                      "cadence, from detection to resolution"),
          ("notices", "Notices complete", "every notice the plan owes was sent at all"))
_SINCE = {"detected": "started", "acknowledged": "detected", "commander_assigned": "detected",
          "status_page_posted": "detected", "escalated": "detected", "mitigated": "started",
          "resolved": "started"}


@dataclass(frozen=True)
class Quantile:
    """A simulated percentile (minutes; inf where runs never got there) and its 95% interval."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class MilestoneResult:
    """One milestone: when the drill reached it, the duration the plan measures, its target,
    and where that duration falls among the simulated runs."""

    id: str
    label: str
    at: float | None  # exercise minute the drill first recorded it
    since: str  # the milestone the duration counts from (`started`: the exercise start)
    actual: float | None  # minutes since `since`
    target: float | None
    target_source: str
    n: int  # simulated runs
    reached: int  # runs that reached it
    p50: Quantile | None
    p90: Quantile | None
    slower: Share | None  # share of runs faster than the drill
    faster: Share | None  # share of runs slower than the drill

    @property
    def met(self) -> bool | None:
        if self.target is None or self.actual is None:
            return None
        return self.actual <= self.target

    @property
    def verdict(self) -> str:
        """A bad day or a bad process, in words."""
        if self.actual is None:
            return "not recorded"
        if self.met is None:
            return "no target"
        if self.met:
            return "met"
        if self.p50 is not None and self.target is not None and self.p50.value > self.target:
            return "missed; most simulated runs miss it too: the process needs changing"
        return "missed; most simulated runs meet it: look at what happened on the day"

    @property
    def placement(self) -> str:
        """`slower than 80% of simulated runs (n=200, 74–85%)`."""
        if self.actual is None or self.slower is None or self.faster is None:
            return "–"
        if self.slower.value >= self.faster.value:
            return f"slower than {_share(self.slower)} of simulated runs"
        return f"faster than {_share(self.faster)} of simulated runs"


@dataclass(frozen=True)
class CheckResult:
    """One item of the plan's validation checklist: pass, fail, not recorded, or after the drill
    (a post-incident deadline, open until done)."""

    text: str
    status: str
    actual: str
    kind: str  # target, deadline, notice, rto, cadence, after


@dataclass(frozen=True)
class Assessment:
    """Everything the report shows and the drill history stores."""

    identity: str  # the same drill assessed again replaces its stored row
    title: str
    scenario: str
    organisation: str
    drill_type: str
    severity: str
    zone: str
    started: dt.datetime
    duration: float | None
    finished: bool
    participants: tuple[str, ...]
    systems: tuple[str, ...]
    source: str
    replications: int
    seed: int
    milestones: tuple[MilestoneResult, ...]
    checklist: tuple[CheckResult, ...]
    rubric: tuple[tuple[str, str, bool, str], ...]  # (name, rule, passed, evidence)
    went_well: tuple[str, ...]
    to_improve: tuple[str, ...]
    notes: tuple[tuple[float | None, str, str], ...]  # (minutes, kind, text)
    actions: tuple[Action, ...]
    process_updates: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def passed(self) -> int:
        return sum(c.status == "pass" for c in self.checklist)

    @property
    def scored(self) -> int:
        return sum(c.status != "after the drill" for c in self.checklist)

    @property
    def communication(self) -> int:
        return sum(passed for _, _, passed, _ in self.rubric)


def exact(minutes: float | None) -> str:
    """A time the drill recorded, to the second (the log's own precision for people)."""
    return format_duration(minutes, SECOND)


def _share(s: Share) -> str:
    low, high = math.floor(round(100 * s.ci.low, 6)), math.ceil(round(100 * s.ci.high, 6))
    return f"{s.value:.0%} (n={s.n}, {low}–{high}%)"


def quantile(values: np.ndarray, q: float) -> Quantile | None:
    """The q-th quantile of simulated durations (an observed value: inf if it falls among the
    runs that never got there) with a distribution-free 95% interval from the order
    statistics (SciPy's quantile test)."""
    from scipy import stats

    if len(values) == 0:
        return None
    value = float(np.quantile(values, q, method="inverted_cdf"))
    ci = stats.quantile_test(values, q=value if math.isfinite(value) else 0.0, p=q) \
        .confidence_interval(0.95)
    return Quantile(value, float(ci.low), float(ci.high))


def _place(values: np.ndarray, actual: float | None) -> tuple[Share | None, Share | None]:
    """Shares of simulated runs faster and slower than the drill, each with a Wilson interval
    on n runs (independent replications)."""
    if actual is None or len(values) == 0:
        return None, None
    n = len(values)

    def share(k: int) -> Share:
        low, high = wilson(k / n, n)
        return Share(k, n, Interval(low, high, n), float(n))

    return share(int((values < actual).sum())), share(int((values > actual).sum()))


def durations(t: Mapping[str, np.ndarray], milestone: str,
              deadline: Deadline | None = None) -> np.ndarray | None:
    """Per replication, the simulated duration a drill milestone is measured by (inf where the
    run never got there); None where the model has nothing to compare with. The acknowledgement
    counts from declaration, as time_to_acknowledge does. `t` is the run's `timeline`."""
    if deadline is not None:
        if f"deadline:{deadline.name}" not in t or deadline.within is None:
            return None
        done, due = t[f"deadline:{deadline.name}"], t[f"deadline-from:{deadline.name}"]
        values = done - (due - deadline.within)
    elif milestone not in _SINCE:
        return None
    else:
        since = "declared" if milestone == "acknowledged" else _SINCE[milestone]
        if np.isnan(t[milestone]).all() and milestone == "commander_assigned":
            return None
        values = t[milestone] - t[since]
    return np.where(np.isnan(values), np.inf, values)


def drill_type(record: DrillRecord, scenario: str) -> str:
    """Tabletop, game day or chaos, as the reference plans name them."""
    if record.form == "journal":
        return "Chaos"
    return "Game day" if "gameday" in slug(scenario).replace("_", "") else "Tabletop"


def _deadlines(bundle: Bundle, severity: str) -> list[Deadline]:
    """The deadlines of the drill's severity that apply to its incidents (by tags)."""
    tags = {t for inc in bundle.scenario.incidents for t in inc.tags}
    return [d for d in bundle.org.severities[severity].all_deadlines()
            if not d.tags or tags & set(d.tags)]


def _recorded(deadline: Deadline) -> str:
    """The drill milestone a deadline is recorded as."""
    if deadline.to in ("detected", "acknowledged", "mitigated", "resolved"):
        return deadline.to
    task = deadline.task
    if task is not None and task.role and "commander" in task.role:
        return "commander_assigned"
    if "status page" in deadline.name.lower() or deadline.name == "status update":
        return "status_page_posted"
    return slug(deadline.name)


def _since(record: DrillRecord, name: str) -> float | None:
    """A drill milestone a duration counts from: the exercise start, or when it was recorded."""
    if name == "started":
        return 0.0
    return record.first("detected" if name == "declared" else name)


def _targets(bundle: Bundle, severity: str, deadlines: list[Deadline]) -> dict[str, tuple[float, str]]:
    policy = bundle.org.severities[severity]
    out: dict[str, tuple[float, str]] = {}
    for milestone, name in (("acknowledged", "acknowledge"), ("mitigated", "mitigate"),
                            ("resolved", "resolve")):
        if (limit := getattr(policy.targets, name)) is not None:
            out[milestone] = (limit, f"{severity} {name} target")
    for d in deadlines:
        key = _recorded(d)
        if d.within is not None and d.every is None and key in MILESTONES and key not in out \
                and d.from_ in ("started", "detected", "declared"):
            out[key] = (d.within, f"deadline '{d.name}'")
    if "status_page_posted" not in out and policy.status_updates is not None:
        out["status_page_posted"] = (policy.status_updates.every, f"{severity} status-update cadence")
    return out


def _milestone(record: DrillRecord, t: Mapping[str, np.ndarray], milestone: str, label: str, since: str,
               target: tuple[float, str] | None, deadline: Deadline | None = None) -> MilestoneResult:
    at = record.first(milestone)
    start = _since(record, since)
    actual = None if at is None or start is None else at - start
    values = durations(t, milestone, deadline)
    values = np.asarray([], dtype=float) if values is None else values
    slower, faster = _place(values, actual)
    return MilestoneResult(milestone, label, at, since, actual, None if target is None else target[0],
                           "" if target is None else target[1], len(values),
                           int(np.isfinite(values).sum()), quantile(values, 0.5),
                           quantile(values, 0.9), slower, faster)


def _gaps(times: list[float], start: float, stop: float) -> float:
    """The longest stretch without an update between start and stop."""
    marks = sorted([start, *[t for t in times if start <= t <= stop], stop])
    return max(b - a for a, b in itertools.pairwise(marks)) if len(marks) > 1 else 0.0


def assess(record: DrillRecord, bundle: Bundle, run: Run, participants: tuple[str, ...] = (),
           drill_kind: str | None = None) -> Assessment:
    """The assessment of one recorded drill against its scenario and a simulated run of it."""
    org, scenario = bundle.org, bundle.scenario
    severity = min((inc.severity for inc in scenario.incidents), key=org.rank)
    deadlines = _deadlines(bundle, severity)
    targets = _targets(bundle, severity, deadlines)
    t = timeline(run)
    results = [_milestone(record, t, m, LABELS[m], _SINCE[m], targets.get(m))
               for m in MILESTONES]
    by_slug = {slug(d.name): d for d in deadlines if d.every is None and d.within is not None}
    recurring = {slug(d.name) for d in deadlines if d.every is not None}
    for name in sorted(set(record.milestones) - set(MILESTONES) - recurring):
        d = by_slug.get(name)
        results.append(_milestone(record, t, name, d.name if d else name,
                                  d.from_ if d else "started",
                                  (d.within, f"deadline '{d.name}'") if d and d.within else None, d))
    checklist, rubric = _checklist(record, bundle, severity, deadlines, targets, results)
    zone = scenario.timezone or org.timezone
    started = record.started or scenario.start_instant()
    went_well, improve, updates, actions = _lessons(record, results, checklist, started, bundle,
                                                     severity)
    systems = tuple(dict.fromkeys(_service_name(bundle, s) for inc in scenario.incidents
                                  for s in inc.services))
    warnings = [*record.warnings]
    if not record.finished:
        warnings.append("the drill log has no end line: the drill was stopped or is still running")
    identity = f"{scenario.name}@{record.started.isoformat()}" if record.started \
        else f"sha256:{record.sha256}"
    return Assessment(
        identity, record.title or scenario.description or scenario.name, scenario.name, org.name,
        drill_kind or drill_type(record, scenario.name), severity, str(zone), started,
        record.duration, record.finished, participants, systems, str(record.source),
        run.replications, run.seed, tuple(results), tuple(checklist), tuple(rubric),
        tuple(went_well), tuple(improve),
        tuple((e.minutes, e.kind, e.text) for e in record.entries), tuple(actions),
        tuple(updates), tuple(warnings))


def _service_name(bundle: Bundle, sid: str) -> str:
    service = next((s for s in bundle.org.services if s.id == sid), None)
    return sid if service is None or not service.name else f"{service.name} ({sid})"


def _checklist(record: DrillRecord, bundle: Bundle, severity: str, deadlines: list[Deadline],
               targets: Mapping[str, tuple[float, str]], results: list[MilestoneResult]
               ) -> tuple[list[CheckResult], list[tuple[str, str, bool, str]]]:
    """The validation checklist: every target and deadline of the drill's severity, the RTO of
    the systems involved and the update cadence; and the communication rubric over it."""
    by_id = {r.id: r for r in results}
    items: list[CheckResult] = []

    def check(text: str, actual: float | None, limit: float, kind: str) -> CheckResult:
        status = "not recorded" if actual is None else ("pass" if actual <= limit else "fail")
        return CheckResult(text, status, "–" if actual is None else exact(actual), kind)

    for milestone, (limit, source) in targets.items():
        r = by_id[milestone]
        since = {"started": "the start", "detected": "detection"}.get(r.since, r.since)
        items.append(check(f"{r.label} within {format_duration(limit)} of {since} ({source})",
                           r.actual, limit, "target"))
    end = record.first("resolved") if record.first("resolved") is not None else record.duration
    detected = record.first("detected")
    comms: list[CheckResult] = []
    cadence: list[CheckResult] = []
    for d in deadlines:
        key = _recorded(d)
        if d.every is not None:
            times = [*record.milestones.get(key, ()), *record.milestones.get(slug(d.name), ())]
            if detected is None or end is None:
                item = CheckResult(f"'{d.name}' every {format_duration(d.every)} until resolved",
                                   "not recorded", "–", "cadence")
            else:
                gap = _gaps(times, detected, end)
                item = CheckResult(f"'{d.name}' every {format_duration(d.every)} until resolved",
                                   "pass" if gap <= d.every else "fail",
                                   f"longest gap {exact(gap)}", "cadence")
            cadence.append(item)
            items.append(item)
            continue
        if d.within is None or (key in targets and key in MILESTONES):
            continue  # already a target above
        if d.from_ == "resolved":
            items.append(CheckResult(f"'{d.name}' within {format_duration(d.within)} of "
                                     "resolution", "after the drill", "open", "after"))
            continue
        conditional = d.from_.startswith("cost:") or (d.to or "").startswith("phase:")
        if conditional and key not in record.milestones:
            continue  # it only applies when the drill's cost or phases get that far
        at, start = record.first(key), _since(record, d.from_)
        actual = None if at is None or start is None else at - start
        kind = "notice" if d.task is not None and d.to is None else "deadline"
        item = check(f"'{d.name}' within {format_duration(d.within)} of {d.from_}", actual,
                     d.within, kind)
        items.append(item)
        if kind == "notice":
            comms.append(item)
    rto = [s.rto for inc in bundle.scenario.incidents for s in bundle.org.services
           if s.id in inc.services and s.rto is not None]
    if rto:
        items.append(check(f"Systems recovered within their RTO ({format_duration(min(rto))})",
                           by_id["mitigated"].actual, min(rto), "rto"))
    sent = [c for c in comms if c.status != "not recorded"]
    rubric = [
        (RUBRIC[0][1], RUBRIC[0][2], all(c.status == "pass" for c in comms),
         f"{sum(c.status == 'pass' for c in comms)} of {len(comms)} on time" if comms
         else "the plan owes no notice in this drill"),
        (RUBRIC[1][1], RUBRIC[1][2], bool(cadence) and all(c.status == "pass" for c in cadence),
         "; ".join(f"{c.text}: {c.actual}" for c in cadence) or "the plan sets no cadence"),
        (RUBRIC[2][1], RUBRIC[2][2], len(sent) == len(comms),
         f"{len(sent)} of {len(comms)} sent" if comms else "the plan owes no notice in this drill"),
    ]
    return items, rubric


def _lessons(record: DrillRecord, results: list[MilestoneResult], checklist: list[CheckResult],
             started: dt.datetime, bundle: Bundle, severity: str
             ) -> tuple[list[str], list[str], list[str], list[Action]]:
    """What went well, what to improve, process updates and action items, prefilled from the
    misses, the simulated distribution and the drill's own action items."""
    well, improve, updates = [], [], []
    due = started.date() + DUE_AFTER
    actions = [Action(a.text, a.owner or "to assign", a.due) for a in record.actions]
    policy = bundle.org.severities[severity]
    for r in results:
        if r.actual is None:
            continue
        took = f"{r.label} after {exact(r.actual)}"
        if r.met:
            well.append(f"{took}, within the target of {format_duration(r.target)}")
        elif r.met is False:
            improve.append(f"{took}, past the target of {format_duration(r.target)}: {r.verdict}")
            if "process" in r.verdict:
                median = format_duration(r.p50.value if r.p50 else None)
                updates.append(f"{r.label}: the simulated median ({median}) "
                               f"misses the target of {format_duration(r.target)} too; revisit "
                               f"the target or escalation policy '{policy.escalation_policy}'")
            actions.append(Action(f"Find out why '{r.label}' took {exact(r.actual)} "
                                  f"(target {format_duration(r.target)})", "to assign", due))
        elif r.slower is not None and r.slower.value >= 0.9:
            improve.append(f"{took}: {r.placement}")
    for c in checklist:
        if c.status == "fail" and c.kind in ("notice", "cadence", "rto", "deadline"):
            improve.append(f"Checklist: {c.text} failed ({c.actual})")
            actions.append(Action(f"Fix: {c.text}", "to assign", due))
        elif c.status == "not recorded":
            improve.append(f"Checklist: {c.text} was not recorded")
            updates.append(f"Add '{c.text}' to the facilitator's script so it is recorded")
        elif c.status == "pass" and c.kind in ("notice", "cadence", "rto", "deadline"):
            well.append(f"Checklist: {c.text} ({c.actual})")
    return well, improve, updates, actions
