"""Scenarios: explicit incidents on a timeline, or a workload of incidents arriving at random."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from drillsim.scenarios.distributions import Distribution, Fixed, OptionalDistribution
from drillsim.scenarios.durations import Duration, Rate
from drillsim.scenarios.org import Frozen, Impact, Instant, Organisation, Target, TimeZone
from drillsim.scenarios.policy import Option, Symptom

MAX_INCIDENTS = 200_000  # per replication: a hundred times a busy year for fifty people


def _severity(value: Any) -> Any:
    """A severity's name; whether the organisation's ladder has it is checked once both load."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a severity name such as 'P1' or 'SEV2', found {value!r}")
    return value


def _when(value: Any) -> str:
    """`instant` for a date or an ISO date-time, else `offset` (a duration after the start), so
    a mistake in either gets that form's message alone."""
    if isinstance(value, dt.date) or (isinstance(value, str) and re.match(r"\s*\d{4}-\d", value)):
        return "instant"
    return "offset"


When = Annotated[Annotated[Duration, Tag("offset")] | Annotated[Instant, Tag("instant")],
                 Discriminator(_when)]


class Signal(Frozen):
    """A way the incident can be noticed; the first to fire detects it. Either a `delay`, or an
    `alert` of the organisation's that fires when the incident's symptoms cross its threshold.
    With `assessment`, someone must assess a report before the incident is declared and paged."""

    channel: str = "monitoring"
    delay: Distribution = Fixed(value=0.0)
    alert: str | None = None
    assessment: OptionalDistribution = None
    assessor: Target | None = Field(default=None, description="who assesses; by default whoever "
                                    "the incident's escalation policy reaches first")


class Phase(Frozen):
    """A stretch of work; its duration is divided by the engaged responders' best pace and
    multiplied by `unskilled_factor` when nobody engaged has the `skill` it needs."""

    name: str
    duration: OptionalDistribution = None
    options: tuple[Option, ...] = ()
    skill: str | None = None
    unskilled_factor: float = Field(default=2.0, ge=1)
    mitigates: bool = Field(default=False, description="impact ends when this phase completes")

    @model_validator(mode="after")
    def _work(self) -> Phase:
        if (self.duration is None) == (not self.options):
            raise ValueError("give a phase either a 'duration' or response 'options'")
        return self


class Inject(Frozen):
    """Something that happens to a running incident at `at` after it starts."""

    at: Duration
    note: str = ""
    severity: str | None = None
    add_phase: Phase | None = None

    _check_severity = field_validator("severity")(lambda cls, v: v if v is None else _severity(v))


class IncidentTemplate(Frozen):
    """What an incident of some type looks like, apart from when it happens and its severity."""

    type: str
    title: str = ""
    services: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    facts: dict[str, float] = Field(default={}, description="probability each fact holds")
    symptoms: dict[str, Symptom] = {}
    signals: tuple[Signal, ...] = (Signal(),)
    escalation_policies: tuple[str, ...] = Field(
        default=(), description="paged in parallel instead of the severity's own policy")
    requires: tuple[Target, ...] = ()
    phases: tuple[Phase, ...] = Field(min_length=1)
    injects: tuple[Inject, ...] = ()
    impact: Impact | None = Field(
        default=None, description="the fields given replace the severity's impact, e.g. "
        "{mode: degraded} for slowness at any severity")


class Incident(IncidentTemplate):
    """One incident of a drill, starting `at` after the scenario start, or at an instant."""

    severity: str
    at: When = 0.0

    _check_severity = field_validator("severity")(lambda cls, v: _severity(v))


class WorkloadType(IncidentTemplate):
    """An incident type arriving as a Poisson process at `rate`, with its own severity mix."""

    rate: Rate
    severity_mix: dict[str, float] = Field(min_length=1)

    @field_validator("severity_mix")
    @classmethod
    def _mix(cls, value: dict[str, float]) -> dict[str, float]:
        for key, weight in value.items():
            _severity(key)
            if weight < 0:
                raise ValueError(f"severity weight for {key} cannot be negative")
        if sum(value.values()) <= 0:
            raise ValueError("severity weights must not all be zero")
        return value


class Workload(Frozen):
    """Random incidents over a horizon; `hourly_profile` (24 weights) shapes arrivals by local
    hour of day, `weekday_profile` (7 weights, Monday first) by day of week."""

    horizon: Duration = Field(gt=0)
    types: tuple[WorkloadType, ...] = Field(min_length=1)
    hourly_profile: tuple[float, ...] | None = None
    weekday_profile: tuple[float, ...] | None = None

    @field_validator("hourly_profile", "weekday_profile")
    @classmethod
    def _profile(cls, value: tuple[float, ...] | None, info: Any) -> tuple[float, ...] | None:
        if value is None:
            return value
        size = 24 if info.field_name == "hourly_profile" else 7
        if len(value) != size or min(value) < 0 or max(value) <= 0:
            raise ValueError(f"expected {size} non-negative weights, not all zero")
        return value

    @property
    def expected(self) -> float:
        """How many incidents a replication has on average."""
        return sum(kind.rate for kind in self.types) * self.horizon

    @model_validator(mode="after")
    def _bounded(self) -> Workload:
        expected = self.expected
        if expected > MAX_INCIDENTS:
            raise ValueError(f"these rates give about {expected:,.0f} incidents per replication; "
                             f"a workload may have at most {MAX_INCIDENTS:,}")
        return self


class Scenario(Frozen):
    """A drill or a workload, run against an organisation (inline, or a file named by `org`)."""

    name: str
    description: str = ""
    start: Instant
    timezone: TimeZone | None = Field(default=None, description="the organisation's by default")
    org: Organisation | str | None = None
    incidents: tuple[Incident, ...] = ()
    workload: Workload | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Scenario:
        if bool(self.incidents) == (self.workload is not None):
            raise ValueError("give either 'incidents' or a 'workload', not both and not neither")
        return self

    def start_instant(self) -> dt.datetime:
        """The start as an aware datetime (a naive start is read in the scenario's time zone)."""
        from zoneinfo import ZoneInfo

        if self.start.tzinfo is None:
            return self.start.replace(tzinfo=ZoneInfo(self.timezone or "UTC"))
        return self.start


class Bundle(Frozen):
    """A loaded scenario with the organisation it runs against and where they came from."""

    scenario: Scenario
    org: Organisation
    sources: tuple[str, ...]
