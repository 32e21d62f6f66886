"""An organisation compiled for the engine: indices instead of names, escalation policies and
roles as paths of levels, and every wall-clock fact (on-call, working hours, nights, business
hours) as a schedule in simulation minutes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from drillsim.scenarios.distributions import Distribution, Fixed
from drillsim.scenarios.org import (
    EscalationPolicy,
    Hours,
    Organisation,
    PagingMode,
    Responder,
    Rotation,
    Target,
    Window,
)
from drillsim.scenarios.policy import Deadline as DeadlineRule
from drillsim.scenarios.policy import Task
from drillsim.scenarios.scenario import IncidentTemplate
from drillsim.sim import oncall
from drillsim.sim.clock import Schedule, WallClock, hours_schedule

CHANNELS = ("page", "chat", "email", "ticket")  # known without being configured: no delay
NIGHT = (Window(start=dt.time(22), end=dt.time(7)),)  # local 22:00-07:00 counts as night
MOBILISE_DELAY = 15.0  # minutes before a bare requirement widens from its target to everyone qualified


@dataclass(frozen=True, slots=True)
class Reach:
    """One target of a level: a rotation's on-call, one responder, or a pool whose first free
    member takes the page."""

    label: str
    rotation: str | None = None
    responder: int | None = None
    pool: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class Level:
    delay: float
    reaches: tuple[Reach, ...]
    respond_within: float | None = None


@dataclass(frozen=True, slots=True)
class Path:
    """An escalation policy, or a role's way of being mobilised, ready to run."""

    id: str
    name: str
    levels: tuple[Level, ...]
    repeat: int = 0
    then: str | None = None
    respond_within: float | None = None


@dataclass(frozen=True, slots=True)
class RoleNeed:
    """Something an incident or a task needs a person for: who qualifies, how to mobilise them."""

    key: str
    qualified: frozenset[int]
    path: Path


@dataclass
class CompiledOrg:
    """What the engine needs to know about an organisation, ready for fast lookups."""

    org: Organisation
    clock: WallClock
    responders: tuple[Responder, ...] = ()
    index: dict[str, int] = field(default_factory=dict)
    working: list[Schedule[bool]] = field(default_factory=list)
    night: list[Schedule[bool]] = field(default_factory=list)
    on_call: dict[str, Schedule[tuple[int, ...]]] = field(default_factory=dict)
    handover: dict[str, bool] = field(default_factory=dict)
    business: Schedule[bool] | None = None
    teams: dict[str, frozenset[int]] = field(default_factory=dict)
    skills: dict[str, frozenset[int]] = field(default_factory=dict)
    ack_working: list[Distribution] = field(default_factory=list)
    ack_evening: list[Distribution] = field(default_factory=list)
    ack_sleep: list[Distribution] = field(default_factory=list)
    speeds: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)  # cost of each responder per minute
    delivery: dict[str, Distribution | None] = field(default_factory=dict)  # by severity
    miss: list[float] = field(default_factory=list)
    sleep_miss: list[float] = field(default_factory=list)
    service_costs: dict[str, float] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)
    ranks: dict[str, int] = field(default_factory=dict)
    deadlines: dict[str, tuple[DeadlineRule, ...]] = field(default_factory=dict)  # by severity
    _needs: dict[str, RoleNeed] = field(default_factory=dict)
    modes: dict[str, PagingMode] = field(default_factory=dict)  # paging mode by severity

    @classmethod
    def build(cls, org: Organisation, start: dt.datetime) -> CompiledOrg:
        clock = WallClock(start)
        self = cls(org=org, clock=clock, responders=org.responders)
        self.index = {r.id: i for i, r in enumerate(org.responders)}
        self.ranks = {name: org.rank(name) for name in org.severities}
        self.modes = {name: sev.paging for name, sev in org.severities.items()}
        self.deadlines = {name: sev.all_deadlines() for name, sev in org.severities.items()}
        schedules: dict[Hours, Schedule[bool]] = {}  # people with the same hours share one

        def shared(hours: Hours) -> Schedule[bool]:
            if hours not in schedules:
                schedules[hours] = hours_schedule(clock, hours)
            return schedules[hours]

        for r in org.responders:
            tz = r.timezone or org.timezone
            self.working.append(shared(r.working_hours or Hours(
                timezone=tz, windows=org.business_hours.windows,
                holidays=org.business_hours.holidays)))
            self.night.append(shared(Hours(timezone=tz, windows=NIGHT)))
            self.ack_working.append(r.ack_delay.working)
            self.ack_evening.append(r.ack_delay.evening or r.ack_delay.off_hours)
            self.ack_sleep.append(r.ack_delay.sleep or r.ack_delay.off_hours)
            self.speeds.append(r.speed)
            self.miss.append(r.miss_probability)
            self.sleep_miss.append(r.miss_probability if r.sleep_miss_probability is None
                                   else r.sleep_miss_probability)
            rate = org.hourly_rate if r.hourly_rate is None else r.hourly_rate
            self.rates.append(rate / 60.0)
        self.service_costs = {s.id: s.impact_per_minute for s in org.services}
        channels: dict[str, Distribution | None] = {name: None for name in CHANNELS}
        for name, channel in org.channels.items():
            fixed_zero = isinstance(channel.delay, Fixed) and channel.delay.value == 0
            channels[name] = None if fixed_zero else channel.delay
        self.delivery = {sev: channels[p.channel] for sev, p in org.severities.items()}
        for rot in org.rotations:
            self.handover[rot.id] = rot.handover
            self.on_call[rot.id] = self._rotation(clock, rot)
        self.business = shared(org.business_hours)
        for i, r in enumerate(org.responders):
            for team in r.teams:
                self.teams[team] = self.teams.get(team, frozenset()) | {i}
            for skill in r.skills:
                self.skills[skill] = self.skills.get(skill, frozenset()) | {i}
        self.paths = {p.id: self._path(p) for p in org.escalation_policies}
        return self

    def _reach(self, target: Target) -> Reach:
        label = f"{target.kind} {target.ref}"
        if target.rotation is not None:
            return Reach(label, rotation=target.rotation)
        if target.responder is not None:
            return Reach(label, responder=self.index[target.responder])
        if target.role is not None:
            return Reach(label, pool=self.need(target).qualified)
        return Reach(label, pool=self.members(target))

    def _path(self, policy: EscalationPolicy) -> Path:
        levels = tuple(Level(level.delay, tuple(self._reach(t) for t in level.targets),
                             level.respond_within) for level in policy.levels)
        return Path(policy.id, policy.name or policy.id, levels, policy.repeat, policy.then,
                    policy.respond_within)

    def prepare(self, until: float) -> None:
        """Build every schedule up to `until` once, so that replications share it instead of
        each extending it where its own pages happen to fall."""
        schedules = {id(s): s for s in (*self.working, *self.night, *self.on_call.values(),
                                        self.business) if s is not None}
        for schedule in schedules.values():
            schedule.at(until)

    def members(self, target: Target) -> frozenset[int]:
        """Everyone who can fill a target: a team's or skill's members, a rotation's people."""
        if target.team is not None:
            return self.teams.get(target.team, frozenset())
        if target.skill is not None:
            return self.skills.get(target.skill, frozenset())
        if target.responder is not None:
            return frozenset((self.index[target.responder],))
        if target.rotation is not None:
            rot = self.org.rotation(target.rotation)
            return frozenset(self.index[m] for layer in rot.layers for m in layer.members)
        return self.need(target).qualified

    def need(self, target: Target) -> RoleNeed:
        """What it takes to fill a requirement: a named role, or a bare target mobilised as
        itself first and then, MOBILISE_DELAY later, as a pool of everyone qualified."""
        key = target.role if target.role is not None else f"{target.kind}:{target.ref}"
        if key in self._needs:
            return self._needs[key]
        if target.role is not None:
            role = next(r for r in self.org.roles if r.id == target.role)
            qualified: frozenset[int] = frozenset()
            for t in (Target(skill=role.skill) if role.skill else None,
                      Target(team=role.team) if role.team else None):
                if t is not None:
                    qualified |= self.members(t)
            if not qualified and role.rotation:
                qualified = self.members(Target(rotation=role.rotation))
            if role.escalation_policy:
                path = self.paths[role.escalation_policy]
                if not qualified:
                    qualified = frozenset(r for level in path.levels for reach in level.reaches
                                          for r in self._people(reach))
            else:
                ladder = [Level(role.delay, (Reach(f"rotation {role.rotation}",
                                                   rotation=role.rotation),))] \
                    if role.rotation else []
                ladder.append(Level(role.delay, (Reach(f"anyone in role {role.id}",
                                                       pool=qualified),)))
                path = Path(f"role:{role.id}", role.name or role.id, tuple(ladder))
        else:
            qualified = self.members(target)
            first = Level(MOBILISE_DELAY, (self._reach(target),))
            widen = Level(MOBILISE_DELAY, (Reach(f"anyone with {key}", pool=qualified),))
            path = Path(key, key, (first,) if first.reaches[0].pool is not None else (first, widen))
        need = RoleNeed(key, qualified, path)
        self._needs[key] = need
        return need

    def _people(self, reach: Reach) -> frozenset[int]:
        if reach.pool is not None:
            return reach.pool
        if reach.responder is not None:
            return frozenset((reach.responder,))
        assert reach.rotation is not None
        return self.members(Target(rotation=reach.rotation))

    def task_need(self, task: Task) -> RoleNeed | None:
        """Who a task needs; None when the incident's lead does it."""
        if task.role is not None:
            return self.need(Target(role=task.role))
        if task.skill is not None:
            return self.need(Target(skill=task.skill))
        return None

    def policies_for(self, template: IncidentTemplate, severity: str) -> tuple[str, ...]:
        """The escalation policies that page an incident of this severity, the one rule used for
        the first page and after a severity change: the incident type's own, else the first
        route matching one of its tags, else the severity's policy."""
        if template.escalation_policies:
            return template.escalation_policies
        return self.org.policies_for(template.tags, severity)

    def _rotation(self, clock: WallClock, rot: Rotation) -> Schedule[tuple[int, ...]]:
        """Who is on call for a rotation (as indices), built lazily along the run."""
        return Schedule(clock, lambda t: tuple(self.index[m] for m in oncall.on_call(rot, t)),
                        lambda lo, hi: oncall.change_points(rot, lo, hi))

    def routing_wait(self, severity: str, now: float) -> float:
        """Minutes from declaration until the first page, by the severity's paging mode."""
        mode = self.modes[severity]
        if mode is PagingMode.ALWAYS:
            return 0.0
        assert self.business is not None
        if mode is PagingMode.BUSINESS_HOURS and self.business.at(now):
            return 0.0
        # next business-hours start (for a ticket: the next one at or after now, never the
        # window already running)
        later = now if mode is PagingMode.BUSINESS_HOURS else self._next_start(now)
        opens = self.business.next_time(later, bool)
        return 0.0 if opens is None else opens - now

    def _next_start(self, now: float) -> float:
        assert self.business is not None
        if not self.business.at(now):
            return now
        closes = self.business.next_time(now, lambda v: not v)
        return now if closes is None else closes
