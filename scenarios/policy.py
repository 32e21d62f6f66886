"""Policy nouns beyond paging: alert channels, threshold alerts, deadlines and obligations,
financial escalation, and the response options an incident's work can try."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator, model_validator

from drillsim.scenarios.base import Frozen
from drillsim.scenarios.distributions import Distribution, Fixed
from drillsim.scenarios.durations import Duration
from drillsim.scenarios.measures import MILESTONES

_MILESTONE = re.compile(rf"(?:{'|'.join(MILESTONES)}|phase:.+|cost:\d+(?:\.\d+)?)")


def check_milestone(value: str) -> str:
    """A milestone of an incident: one of MILESTONES, `phase:NAME` for the end of a phase, or
    `cost:AMOUNT` for the moment its estimated cost reaches AMOUNT (a financial threshold)."""
    if not _MILESTONE.fullmatch(value):
        raise ValueError(f"unknown milestone {value!r}; expected one of {', '.join(MILESTONES)}, "
                         "phase:NAME or cost:AMOUNT")
    return value


class Channel(Frozen):
    """How alerts reach people on one channel (page, chat, email, ticket): its delivery delay."""

    delay: Distribution = Fixed(value=0.0)


class Alert(Frozen):
    """A threshold alert rule, as Prometheus or Grafana evaluate one: fires once `metric` (its
    mean over `window`, if given) has been beyond the threshold for `for` minutes of evaluation
    ticks `evaluation_interval` apart, then takes `delay` to notify."""

    channel: str = ""
    metric: str
    above: float | None = None
    below: float | None = None
    window: Duration | None = Field(default=None, gt=0, description="averaged over this span")
    evaluation_interval: Duration = Field(default=1.0, gt=0)
    for_: Duration = Field(default=0.0, alias="for")
    delay: Distribution = Fixed(value=0.0)

    @model_validator(mode="after")
    def _one_side(self) -> Alert:
        if (self.above is None) == (self.below is None):
            raise ValueError("give exactly one of 'above' or 'below'")
        return self


class Task(Frozen):
    """Work an obligation needs: `effort` of someone in `role` (or with `skill`), mobilised if
    nobody on the incident is; without either, the incident's lead does it."""

    effort: Distribution = Fixed(value=5.0)
    role: str | None = None
    skill: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Task:
        if self.role and self.skill:
            raise ValueError("give a task a 'role' or a 'skill', not both")
        return self


class Deadline(Frozen):
    """An obligation measured from an incident milestone: met when `to` happens, or its task is
    done, within `within` of `from`; with `every`, recurring until `until`. `tags` limits it to
    incidents carrying one of them (e.g. personal-data). Without `to` it is work: a task (the
    default: five minutes of the incident lead's time)."""

    name: str
    from_: str = Field(default="detected", alias="from")
    within: Duration | None = None
    to: str | None = None
    task: Task | None = None
    every: Duration | None = Field(default=None, gt=0)
    until: str = "resolved"
    tags: tuple[str, ...] = ()

    _milestones = field_validator("from_", "until")(lambda cls, v: check_milestone(v))

    @field_validator("to")
    @classmethod
    def _to(cls, value: str | None) -> str | None:
        return None if value is None else check_milestone(value)

    @model_validator(mode="after")
    def _shape(self) -> Deadline:
        if self.every is None and self.within is None:
            raise ValueError("a deadline needs 'within' (or 'every' for a recurring one)")
        if self.to is not None and (self.task is not None or self.every is not None):
            raise ValueError("'to' measures a milestone; it cannot go with 'task' or 'every'")
        return self


class Route(Frozen):
    """Incidents carrying any of `tags` page these escalation policies in parallel (e.g. a
    security incident pages both the technical and the security response teams)."""

    tags: tuple[str, ...] = Field(min_length=1)
    escalation_policies: tuple[str, ...] = Field(min_length=1)


class FinancialEscalation(Frozen):
    """Notify someone once an incident's estimated cost reaches `threshold` (currency units)."""

    threshold: float = Field(gt=0)
    notify: str


class Option(Frozen):
    """One way to fix things, tried in order: takes `duration`, works with odds `success`, and
    is only tried `when` the incident or the organisation has that fact (e.g. deployment,
    secondary-region). `restores: true` restores from backup, losing data back to the last one."""

    name: str
    duration: Distribution
    success: float = Field(default=1.0, ge=0, le=1)
    when: str | None = None
    skill: str | None = None
    restores: bool = False


class Symptom(Frozen):
    """How a metric moves once impact starts: linearly from `baseline` to `value` over `ramp`."""

    value: float
    baseline: float = 0.0
    ramp: Duration = 0.0

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, value: Any) -> Any:
        return {"value": value} if isinstance(value, int | float) else value
