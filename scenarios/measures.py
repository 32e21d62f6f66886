"""What drillsim measures, in one table: the milestones of an incident, the metrics between
them and the SLA targets on them. Records, obligations, summaries, the CLI, reports and the
README all read these; adding a metric is one row here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Milestone:
    """A moment in an incident's life; the records hold it as `{name}_at` (minutes since the
    scenario start, NaN if it never happened) and `{name}_time` (wall clock)."""

    name: str
    definition: str


@dataclass(frozen=True)
class Metric:
    """A duration between two milestones, in minutes. `key` is the short name (ttd), `name`
    the output name (time_to_detect), `label` what a table column shows (TTD)."""

    key: str
    name: str
    label: str
    title: str
    start: str
    end: str
    definition: str


@dataclass(frozen=True)
class Target:
    """An SLA target a severity policy may set (`targets: {name: limit}`): met when `end` comes
    within the limit of `start`; an incident that never reaches `end` misses it."""

    name: str
    start: str
    end: str
    definition: str


MILESTONE_TABLE = (
    Milestone("started", "impact starts"),
    Milestone("detected", "the first detection signal fires"),
    Milestone("declared", "the incident is declared, once someone has assessed the signal "
              "(signals that need no assessment are declared on detection)"),
    Milestone("paged", "the first page goes out, after any wait for business hours"),
    Milestone("acknowledged", "the first human acknowledgement of a page"),
    Milestone("first_response", "the first person starts working on it: the assessor, or the "
              "first to join"),
    Milestone("engaged", "everyone the incident requires has joined (roles mobilised)"),
    Milestone("mitigated", "impact ends"),
    Milestone("resolved", "the incident is resolved"),
)
MILESTONES = tuple(m.name for m in MILESTONE_TABLE)

METRICS = (
    Metric("ttd", "time_to_detect", "TTD", "Time to detect", "started", "detected",
           "impact start to the first detection signal"),
    Metric("tta", "time_to_acknowledge", "TTA", "Time to acknowledge", "declared", "acknowledged",
           "declaration to the first human acknowledgement, as PagerDuty counts it from the "
           "alert; includes any wait for business hours, not the assessment before it"),
    Metric("ttm", "time_to_mitigate", "TTM", "Time to mitigate", "started", "mitigated",
           "impact start to the end of impact"),
    Metric("ttr", "time_to_resolve", "TTR", "Time to resolve", "started", "resolved",
           "impact start to resolution"),
)

TARGETS = (
    Target("acknowledge", "declared", "acknowledged",
           "declaration to the first acknowledgement (TTA)"),
    Target("first_response", "detected", "first_response",
           "detection to the first person working on it"),
    Target("mitigate", "started", "mitigated", "impact start to the end of impact (TTM)"),
    Target("resolve", "started", "resolved", "impact start to resolution (TTR)"),
)


# A role's mobilisation, from the `mobilisations` records rather than an incident's milestones.
TIME_TO_MOBILISE = Metric("ttmob", "time_to_mobilise", "TTMob", "Time to mobilise", "requested",
                          "engaged", "a role's request to the first person in it joining")


@dataclass(frozen=True)
class Status:
    """What became of one occurrence of a deadline (the `status` column of the deadlines)."""

    name: str
    definition: str


DEADLINE_STATUSES = (
    Status("met", "done by its due time"),
    Status("late", "done, after its due time"),
    Status("missed", "never done by the end of the run"),
    Status("unstaffed", "nobody in the organisation can do it"),
)

MOBILISATION_OUTCOMES = (
    Status("engaged", "someone in the role joined"),
    Status("exhausted", "the role's escalation path ran out with nobody answering"),
    Status("unstaffed", "nobody in the organisation fills the role"),
    Status("waiting at end of run", "still being paged when the run ended"),
)


def metric(key: str) -> Metric:
    """The metric with this short name (ttd) or output name (time_to_detect)."""
    return next(m for m in METRICS if key in (m.key, m.name))


def outcome_milestones() -> tuple[str, ...]:
    """The milestones some metric ends at, in lifecycle order: incidents that never reach one
    are counted, not dropped."""
    ends = {m.end for m in METRICS}
    return tuple(name for name in MILESTONES if name in ends)
