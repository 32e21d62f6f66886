"""The exercise model: a scenario simulated against an organisation and turned into what a
facilitator runs — injects on an exercise clock, milestones with the plan's targets, the plan's
checklist and the cast on call that day. Tabletop documents, the drill console and the
assessment all read this one model (formats in the README's "Exercises" section)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from drillsim.scenarios.errors import InputError, Problem

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from drillsim.scenarios.org import Organisation, SeverityPolicy
    from drillsim.scenarios.policy import Deadline
    from drillsim.scenarios.scenario import Bundle
    from drillsim.sim.runner import Run

At = Literal["p50", "p90", "worst"]
AT: tuple[At, ...] = ("p50", "p90", "worst")
REPLICATIONS = 40  # enough for a stable p90 rank, small enough for a document in a second or two
MILESTONES = ("detected", "acknowledged", "commander_assigned", "status_page_posted",
              "escalated", "mitigated", "resolved")
LABELS = {"detected": "Detected", "acknowledged": "Acknowledged",
          "commander_assigned": "Incident commander assigned",
          "status_page_posted": "Status page posted", "escalated": "Escalated",
          "mitigated": "Mitigated", "resolved": "Resolved"}
NOTICES = ("initial", "update", "resolution", "customer", "regulator")
FACILITATOR = "Facilitator"


@dataclass(frozen=True)
class Artefact:
    """Something a player is handed with an inject: an alert, log lines, a ticket..."""

    kind: str
    title: str
    body: str


@dataclass(frozen=True)
class Inject:
    """One entry of the master scenario events list, at `minutes` on the exercise clock."""

    id: str
    minutes: float
    module: str
    title: str
    to: str
    expected_action: str
    target: str | None
    artefacts: list[Artefact] = field(default_factory=list)
    kind: str = ""  # the simulated event it stands for (detected, escalated, phase, ...)


@dataclass(frozen=True)
class MilestoneTarget:
    """A milestone (or a plan deadline) with the plan's target as an exercise minute, the chosen
    replication's minute, and the model's p50/p90 over `n` replications that reached it."""

    id: str
    label: str
    target_minutes: float | None
    simulated_minutes: float | None
    p50_minutes: float | None = None
    p90_minutes: float | None = None
    n: int = 0


@dataclass(frozen=True)
class CheckItem:
    """A line of the plan's validation checklist, scored against a milestone where one fits."""

    id: str
    text: str
    milestone: str | None
    within_minutes: float | None


@dataclass(frozen=True)
class CastMember:
    """A participant: a responder of the organisation, or a generated stand-in (`responder`
    None) where the organisation names only a team or role."""

    name: str
    role: str
    responder: str | None
    rotation: str | None


@dataclass(frozen=True)
class Module:
    """A stretch of the exercise, one per response phase, from `minutes` to the next module."""

    name: str
    minutes: float


@dataclass(frozen=True)
class Exercise:
    """Everything the documents, the drill console and the assessment share about one exercise."""

    scenario: str
    path: str
    title: str
    description: str
    organisation: str
    zone: str
    start: dt.datetime
    seed: int
    at: At
    injects: list[Inject]
    milestones: list[MilestoneTarget]
    checklist: list[CheckItem]
    cast: list[CastMember]
    notices: list[str]
    modules: list[Module] = field(default_factory=list)
    severity: str = ""
    replication: int = 0
    replications: int = 0
    end_minutes: float = 0.0
    bundle: Bundle | None = field(default=None, repr=False, compare=False)

    def wall(self, minutes: float) -> dt.datetime:
        """The local instant of an exercise minute."""
        return (self.start + dt.timedelta(minutes=minutes)).astimezone(self.start.tzinfo)


def _on_date(bundle: Bundle, date: dt.date | None, time: dt.time | None = None) -> Bundle:
    """The bundle with its scenario moved to `date` and `time` (local; each kept from the
    scenario's own start when not given)."""
    if date is None and time is None:
        return bundle
    scenario = bundle.scenario
    start = scenario.start_instant()
    tz = start.tzinfo
    local = start.replace(tzinfo=None)
    moved = dt.datetime.combine(date or local.date(), time or local.time())
    from drillsim.sim.clock import to_instant

    assert tz is not None
    return bundle.model_copy(update={"scenario": scenario.model_copy(
        update={"start": to_instant(moved, tz)})})


def simulate(scenario: str | Path, org: str | Path | None, seed: int,
             date: dt.date | None = None, replications: int = REPLICATIONS,
             time: dt.time | None = None) -> Run:
    """The scenario's replications against the organisation, serially (documents are small and
    the same seed must give the same documents on any machine)."""
    from drillsim.scenarios.loader import load, resolve
    from drillsim.sim.runner import replicate

    bundle = _on_date(load(resolve(scenario), resolve(org) if org else None), date, time)
    if bundle.scenario.workload is not None:
        raise InputError([Problem(str(scenario), None, "workload", (
            "is a workload; an exercise needs a drill scenario with explicit incidents, such as "
            "gameday-database-recovery"))])
    return replicate(bundle, replications, seed, workers=1)


def response_minutes(run: Run) -> pd.Series:
    """Per replication, when the last incident was resolved (infinite if one never was): the
    response `--at` ranks replications by."""
    frame = run.records.incidents
    resolved = frame["resolved_at"].fillna(math.inf)
    return resolved.groupby(frame["replication"]).max().reindex(range(run.replications),
                                                                fill_value=math.inf)


def pick(run: Run, at: At) -> int:
    """The replication at the percentile `at` of the response (ties by replication number);
    `worst` is the slowest."""
    ranked = sorted(response_minutes(run).items(), key=lambda kv: (kv[1], kv[0]))
    n = len(ranked)
    index = {"p50": math.ceil(0.5 * n) - 1, "p90": math.ceil(0.9 * n) - 1, "worst": n - 1}[at]
    return int(ranked[max(index, 0)][0])


def _commander_role(org: Organisation) -> str | None:
    for role in org.roles:
        words = f"{role.id} {role.name}".lower()
        if "command" in words or "lead" in words.split():
            return role.id
    return None


def _is_status(name: str) -> bool:
    return "status" in name.lower()


def _is_commander(name: str) -> bool:
    return "commander" in name.lower() or "lead assigned" in name.lower()


def _posts_status(deadlines: pd.Series) -> pd.Series:
    """Which deadlines post the status page: those naming it, else any status update."""
    named = deadlines.str.contains("status page", case=False)
    return named if named.any() else deadlines.map(_is_status)


def timeline(run: Run) -> dict[str, np.ndarray]:
    """Per replication, the minute each drill milestone was reached (NaN where it never was),
    the one definition the documents and the assessment share: detection and acknowledgement
    by the first incident, mitigation and resolution by the last (NaN if any incident never got
    there), the commander when the plan's commander role joined (else its commander deadline was
    done), the status page when its first status-page update was posted (else any status
    update), escalation at the first escalation to a next level or to management. Each plan
    deadline adds `deadline:NAME` (first done) and `deadline-from:NAME` (first due)."""
    import numpy as np

    rec, reps = run.records, run.replications
    inc, mob, dl, ev = rec.incidents, rec.mobilisations, rec.deadlines, rec.events

    def first(frame: pd.DataFrame, column: str) -> np.ndarray:
        out = np.full(reps, np.nan)
        if len(frame):
            earliest = frame.groupby("replication")[column].min()
            out[earliest.index.to_numpy(dtype=int)] = earliest.to_numpy(dtype=float)
        return out

    def last(frame: pd.DataFrame, column: str) -> np.ndarray:
        out = np.full(reps, np.nan)
        grouped = frame.groupby("replication")[column]
        latest = grouped.max().where(grouped.count() == grouped.size())
        out[latest.index.to_numpy(dtype=int)] = latest.to_numpy(dtype=float)
        return out

    role = _commander_role(run.bundle.org)
    commander = first(mob[mob["role"] == role], "engaged_at") if role else np.full(reps, np.nan)
    fallback = first(dl[dl["deadline"].map(_is_commander)], "done_at")
    commander = np.where(np.isnan(commander), fallback, commander)
    status = dl[_posts_status(dl["deadline"])]
    out = {name: first(inc, f"{name}_at") for name in ("started", "detected", "declared",
                                                         "acknowledged")}
    out["commander_assigned"] = commander
    out["status_page_posted"] = first(status, "done_at")
    out["escalated"] = first(ev[ev["kind"].isin(["escalated", "management_escalation"])], "at")
    out["mitigated"] = last(inc, "mitigated_at")
    out["resolved"] = last(inc, "resolved_at")
    for name, rows in dl.groupby("deadline", sort=True):
        out[f"deadline:{name}"] = first(rows, "done_at")
        out[f"deadline-from:{name}"] = first(rows, "due_at")
    return out


def milestone_minutes(t: dict[str, np.ndarray], run: Run,
                      replication: int) -> dict[str, float | None]:
    """The exercise minute of every milestone and plan deadline in one replication (None if it
    never happened), from the run's `timeline` `t`. Plan deadlines are done-times of their
    first occurrence."""
    names = [*MILESTONES, *_plan_deadlines(run)]
    keys = [n if n in MILESTONES else f"deadline:{n}" for n in names]
    out: dict[str, float | None] = {}
    for name, key in zip(names, keys, strict=True):
        value = float(t[key][replication]) if key in t else math.nan
        out[name] = None if math.isnan(value) else value
    return out


def _applies(deadline: Deadline, tags: set[str]) -> bool:
    return not deadline.tags or bool(set(deadline.tags) & tags)


def _tags(run: Run) -> set[str]:
    return {t for incident in run.bundle.scenario.incidents for t in incident.tags}


def _plan_deadlines(run: Run) -> list[str]:
    """The plan's own deadlines beyond the canonical milestones that apply to the scenario's
    incidents, in the order the plan lists them: those measuring a canonical milestone,
    recurring ones and status updates are left out."""
    named: list[str] = []
    for policy in run.bundle.org.severities.values():
        for d in policy.deadlines:
            if (d.to in MILESTONES or d.every is not None or _is_status(d.name)
                    or _is_commander(d.name) or not _applies(d, _tags(run))):
                continue
            if d.name not in named:
                named.append(d.name)
    return named


def _targets(run: Run, replication: int, policy: SeverityPolicy,
             primary: pd.Series) -> dict[str, float | None]:
    """Each milestone's target as an exercise minute: the plan's limit added to the minute its
    clock starts in this replication (acknowledgement counts from declaration)."""
    rec = run.records
    dl = rec.deadlines[rec.deadlines["replication"] == replication]
    t = policy.targets
    started = float(primary["started_at"])

    def plus(base: float, limit: float | None) -> float | None:
        return None if limit is None or base != base else base + limit

    def due(mask: pd.Series) -> float | None:
        values = dl.loc[mask, "due_at"].dropna()
        return None if values.empty else float(values.min())

    out: dict[str, float | None] = {
        "detected": next((started + d.within for d in policy.deadlines
                          if d.to == "detected" and d.within is not None), None),
        "acknowledged": plus(float(primary["declared_at"]), t.acknowledge),
        "commander_assigned": due(dl["deadline"].map(_is_commander)),
        "status_page_posted": due(_posts_status(dl["deadline"])),
        "escalated": None,
        "mitigated": plus(started, t.mitigate),
        "resolved": plus(started, t.resolve),
    }
    for name in _plan_deadlines(run):
        out[name] = due(dl["deadline"] == name)
    return out


def milestones(run: Run, replication: int) -> list[MilestoneTarget]:
    """Milestones of the chosen replication with their targets and the model's p50/p90."""
    import numpy as np

    t = timeline(run)
    chosen = milestone_minutes(t, run, replication)
    every = [milestone_minutes(t, run, r) for r in range(run.replications)]
    primary = primary_incident(run, replication)
    policy = run.bundle.org.severities[str(primary["severity"])]
    targets = _targets(run, replication, policy, primary)
    out = []
    for key, minute in chosen.items():
        values = np.array([m[key] for m in every if m.get(key) is not None], dtype=float)
        p50, p90 = (None, None) if values.size == 0 else (
            float(np.percentile(values, 50)), float(np.percentile(values, 90)))
        out.append(MilestoneTarget(key, LABELS.get(key, key[:1].upper() + key[1:]),
                                   targets.get(key), minute, p50, p90, int(values.size)))
    return out


def primary_incident(run: Run, replication: int) -> pd.Series:
    """The incident the exercise is graded on: the most severe (final severity), earliest first."""
    frame = run.records.incidents
    rows = frame[frame["replication"] == replication]
    ranks = rows["severity"].map(run.bundle.org.rank)
    return rows.loc[(ranks * 1e9 + rows["started_at"]).idxmin()]


def checklist(org: Organisation, severity: str, tags: set[str]) -> list[CheckItem]:
    """The plan's validation checklist for a severity: its targets, update cadence, phase
    targets and the deadlines that apply to incidents with these tags, each tied to the
    milestone it is scored on."""
    from drillsim.scenarios.durations import format_duration as fmt

    policy = org.severities[severity]
    t = policy.targets
    items: list[tuple[str, str | None, float | None]] = []
    if t.acknowledge is not None:
        items.append((f"A responder acknowledges the page within {fmt(t.acknowledge)} of the "
                      "incident being declared", "acknowledged", t.acknowledge))
    if t.first_response is not None:
        items.append((f"Someone is working on it within {fmt(t.first_response)} of detection",
                      None, t.first_response))
    for d in policy.deadlines:
        if not _applies(d, tags):
            continue
        if d.every is not None:
            items.append((f"{d.name[:1].upper()}{d.name[1:]} every {fmt(d.every)} until "
                          f"{d.until}", None, d.every))
            continue
        milestone = (d.to if d.to in MILESTONES else "commander_assigned" if _is_commander(d.name)
                     else "status_page_posted" if _is_status(d.name) else d.name)
        start = ("impact start" if d.from_ == "started" else
                 f"the estimated cost reaching {float(d.from_[5:]):,.0f} {org.currency}"
                 if d.from_.startswith("cost:") else f"the end of the {d.from_[6:]} phase"
                 if d.from_.startswith("phase:") else f"being {d.from_}")
        items.append((f"{d.name[:1].upper()}{d.name[1:]} within {fmt(d.within)} of {start}",
                      milestone, d.within))
    if policy.status_updates is not None:
        items.append((f"Stakeholders get a status update at least every "
                      f"{fmt(policy.status_updates.every)}", "status_page_posted",
                      policy.status_updates.every))
    for phase, limit in policy.phase_targets.items():
        items.append((f"The {phase} phase is over within {fmt(limit)}", None, limit))
    if t.mitigate is not None:
        items.append((f"Impact ends within {fmt(t.mitigate)} of its start", "mitigated",
                      t.mitigate))
    if t.resolve is not None:
        items.append((f"Resolved within {fmt(t.resolve)} of impact start", "resolved", t.resolve))
    return [CheckItem(f"C{i:02d}", text, milestone, within)
            for i, (text, milestone, within) in enumerate(items, start=1)]


def build_exercise(scenario: str | Path, org: str | Path | None = None, seed: int = 1,
                   at: At = "p50", date: dt.date | None = None,
                   replications: int = REPLICATIONS, time: dt.time | None = None) -> Exercise:
    """Simulate `scenario` against `org` (the scenario's own by default), on `date` at local
    `time` (each the scenario's own by default), and build the exercise from the replication
    at `at`."""
    from drillsim.drills.injects import cast_of, injects_of, modules_of, notices_of

    if at not in AT:
        raise InputError([Problem("--at", None, "", f"expected one of {', '.join(AT)}, found {at!r}")])
    run = simulate(scenario, org, seed, date, replications, time)
    replication = pick(run, at)
    bundle = run.bundle
    sc, organisation = bundle.scenario, bundle.org
    zone = sc.timezone or organisation.timezone
    from drillsim.sim.clock import zone as tzinfo

    start = sc.start_instant().astimezone(tzinfo(zone))
    primary = primary_incident(run, replication)
    severity = str(primary["severity"])
    events = run.records.events
    end = float(events.loc[events["replication"] == replication, "at"].max())
    modules = modules_of(run, replication)
    cast = cast_of(run, replication, start, seed)
    return Exercise(
        scenario=sc.name, path=str(scenario), title=sc.description or sc.name,
        description=sc.description, organisation=organisation.name, zone=zone, start=start,
        seed=seed, at=at, injects=injects_of(run, replication, modules, cast, start, seed, end),
        milestones=milestones(run, replication), checklist=checklist(organisation, severity, _tags(run)),
        cast=cast, notices=notices_of(organisation, sc), modules=modules, severity=severity,
        replication=replication, replications=run.replications, end_minutes=end, bundle=bundle)
