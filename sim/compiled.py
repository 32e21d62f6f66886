"""An organisation compiled for the engine: indices instead of names, and every wall-clock fact
(on-call, working hours, nights, business hours) as a schedule in simulation minutes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from drillsim.scenarios.distributions import Distribution, Fixed
from drillsim.scenarios.org import EscalationPolicy, Hours, Organisation, PagingMode, Responder, Window
from drillsim.sim import oncall
from drillsim.sim.clock import Schedule, WallClock, hours_schedule

CHANNELS = ("page", "chat", "email", "ticket")  # known without being configured: no delay
NIGHT = (Window(start=dt.time(22), end=dt.time(7)),)  # local 22:00-07:00 counts as night


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
    ack_off_hours: list[Distribution] = field(default_factory=list)
    speeds: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)  # cost of each responder per minute
    delivery: dict[str, Distribution | None] = field(default_factory=dict)  # by severity
    miss: list[float] = field(default_factory=list)
    service_costs: dict[str, float] = field(default_factory=dict)
    policies: dict[str, EscalationPolicy] = field(default_factory=dict)

    @classmethod
    def build(cls, org: Organisation, start: dt.datetime) -> CompiledOrg:
        clock = WallClock(start)
        self = cls(org=org, clock=clock, responders=org.responders)
        self.index = {r.id: i for i, r in enumerate(org.responders)}
        for r in org.responders:
            tz = r.timezone or org.timezone
            hours = r.working_hours or Hours(timezone=tz, windows=org.business_hours.windows,
                                             holidays=org.business_hours.holidays)
            self.working.append(hours_schedule(clock, hours))
            self.night.append(hours_schedule(clock, Hours(timezone=tz, windows=NIGHT)))
            self.ack_working.append(r.ack_delay.working)
            self.ack_off_hours.append(r.ack_delay.off_hours)
            self.speeds.append(r.speed)
            self.miss.append(r.miss_probability)
            rate = org.hourly_rate if r.hourly_rate is None else r.hourly_rate
            self.rates.append(rate / 60.0)
        self.service_costs = {s.id: s.impact_per_minute for s in org.services}
        self.policies = {p.id: p for p in org.escalation_policies}
        channels: dict[str, Distribution | None] = {name: None for name in CHANNELS}
        for name, channel in org.channels.items():
            fixed_zero = isinstance(channel.delay, Fixed) and channel.delay.value == 0
            channels[name] = None if fixed_zero else channel.delay
        self.delivery = {sev: channels[p.channel] for sev, p in org.severities.items()}
        for rot in org.rotations:
            self.handover[rot.id] = rot.handover
            self.on_call[rot.id] = Schedule(
                clock,
                lambda t, rot=rot: tuple(self.index[m] for m in oncall.on_call(rot, t)),
                lambda lo, hi, rot=rot: oncall.change_points(rot, lo, hi),
            )
        self.business = hours_schedule(clock, org.business_hours)
        for i, r in enumerate(org.responders):
            for team in r.teams:
                self.teams[team] = self.teams.get(team, frozenset()) | {i}
            for skill in r.skills:
                self.skills[skill] = self.skills.get(skill, frozenset()) | {i}
        return self

    def routing_wait(self, severity: str, now: float) -> float:
        """Minutes from detection until the first page, by the severity's paging mode."""
        mode = self.org.severities[severity].paging
        assert self.business is not None
        if mode is PagingMode.ALWAYS:
            return 0.0
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
