"""The organisation: responders, teams, rotations, escalation and severity policies, services."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from drillsim.scenarios.base import Frozen
from drillsim.scenarios.distributions import Distribution, Fixed, OptionalDistribution
from drillsim.scenarios.durations import Duration
from drillsim.scenarios.errors import nearest
from drillsim.scenarios.policy import Alert, Channel, Deadline, FinancialEscalation, Route, Task

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_REPEAT = 9  # PagerDuty's ceiling on how often an escalation chain loops


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}; expected an IANA name such as "
                         "'Europe/London' or 'America/New_York'") from None
    return name


TimeZone = Annotated[str, AfterValidator(_check_zone)]


def _clock_time(value: Any) -> dt.time | None:
    """`HH:MM` as a time of day; `24:00` becomes None, meaning the end of the day."""
    if value is None or isinstance(value, dt.time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):  # YAML 1.1 reads 09:00 as 540
        value = f"{value // 60:02d}:{value % 60:02d}"
    if not isinstance(value, str):
        raise ValueError(f"expected a time of day such as '09:00', found {value!r}")
    if value.strip() == "24:00":
        return None
    try:
        return dt.time.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"expected a time of day such as '09:00', found {value!r}") from None


ClockTime = Annotated[dt.time | None, BeforeValidator(_clock_time)]


class Window(Frozen):
    """A recurring local-time window, e.g. weekdays 09:00-17:00; an end at or before the start
    runs past midnight into the next day. `days` lists the days the window starts on."""

    days: tuple[str, ...] = WEEKDAYS
    start: ClockTime = dt.time(0, 0)
    end: ClockTime = None

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        out = []
        for day in value:
            key = str(day).strip().lower()[:3]
            if key not in WEEKDAYS:
                raise ValueError(f"unknown day {day!r}{nearest(str(day).lower(), WEEKDAYS)}; "
                                 f"expected one of {', '.join(WEEKDAYS)}")
            out.append(key)
        return tuple(out)

    @field_validator("start", mode="after")
    @classmethod
    def _start(cls, value: dt.time | None) -> dt.time:
        if value is None:
            raise ValueError("a window cannot start at 24:00")
        return value

    def span_minutes(self) -> float:
        """Length of one occurrence in local wall-clock minutes."""
        start = self.start.hour * 60 + self.start.minute + self.start.second / 60  # type: ignore[union-attr]
        end = 1440.0 if self.end is None else self.end.hour * 60 + self.end.minute + self.end.second / 60
        return end - start if end > start else end + 1440 - start


class Holidays(Frozen):
    """Days off (whole local dates): a region's public holidays from the `holidays` package's
    maintained calendars (`country`, optionally `subdivision`), plus any `dates` of your own.
    A plain list of dates is read as `dates`."""

    country: str | None = Field(default=None, description="ISO 3166 code, e.g. GB, US, DE")
    subdivision: str | None = Field(default=None, description="e.g. ENG for England, CA for California")
    dates: tuple[dt.date, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, value: Any) -> Any:
        return {"dates": value} if isinstance(value, list | tuple) else value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is None:
            return value
        import holidays

        known = holidays.list_supported_countries()
        if value not in known:
            raise ValueError(f"unknown country {value!r}{nearest(value, known)}; expected an ISO "
                             "3166 code the holidays package knows, such as 'GB', 'US' or 'DE'")
        return value

    @field_validator("subdivision")
    @classmethod
    def _subdivision(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        if "country" not in info.data:
            return value  # the country is wrong, and says so
        country = info.data["country"]
        if country is None:
            raise ValueError("a subdivision needs its 'country'")
        import holidays

        known = holidays.list_supported_countries()[country]
        if value not in known:
            listed = ", ".join(known) if known else "none"
            raise ValueError(f"unknown subdivision {value!r} of {country}{nearest(value, known)}; "
                             f"expected one of: {listed}")
        return value


class ChangeFreeze(Frozen):
    """Days (local dates, both ends included) on which nothing may change in production: no
    game day is planned in one."""

    start: dt.date
    end: dt.date
    reason: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> ChangeFreeze:
        if self.end < self.start:
            raise ValueError(f"a change freeze ends ({self.end}) before it starts ({self.start})")
        return self


class Hours(Frozen):
    """Working or business hours: windows in one time zone, minus holidays (whole local dates).
    Without a time zone of its own it takes its owner's (the responder's, else the organisation's)."""

    timezone: TimeZone | None = None
    windows: tuple[Window, ...] = (Window(days=WEEKDAYS[:5], start=dt.time(9), end=dt.time(17)),)
    holidays: Holidays = Holidays()


def _instant(value: Any) -> Any:
    """ISO instants; a naive one is read in the surrounding object's time zone later."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    return value


def _plausible(value: dt.datetime) -> dt.datetime:
    """Instants the calendar arithmetic can reach a century past (a scenario's longest span)."""
    if not 1900 <= value.year <= 2200:
        raise ValueError(f"expected an instant between the years 1900 and 2200, found "
                         f"{value.isoformat()}")
    return value


Instant = Annotated[dt.datetime, BeforeValidator(_instant), AfterValidator(_plausible)]


class AckDelay(Frozen):
    """How long a responder takes to acknowledge a page, by the hour in their own zone: in their
    working hours, in the evening (off hours outside 22:00-07:00) and asleep (22:00-07:00).
    `off_hours` sets evening and sleep together; `evening` and `sleep` refine it."""

    working: Distribution = Fixed(value=2.0)
    off_hours: Distribution = Fixed(value=5.0)
    evening: OptionalDistribution = None
    sleep: OptionalDistribution = None


class Responder(Frozen):
    """A person who can be paged."""

    id: str
    name: str = ""
    teams: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    level: int = Field(default=1, ge=1)
    timezone: TimeZone | None = None
    working_hours: Hours | None = None
    ack_delay: AckDelay = AckDelay()
    miss_probability: float = Field(default=0.0, ge=0, le=1)
    sleep_miss_probability: float | None = Field(
        default=None, ge=0, le=1, description="odds of sleeping through a page; miss_probability if unset")
    capacity: int = Field(default=1, ge=1)
    hourly_rate: float | None = Field(default=None, ge=0, description="overrides the org's rate")
    speed: float = Field(default=1.0, gt=0, description="work pace; 2.0 finishes in half the time")


class Team(Frozen):
    """A named group; paged as a pool, the first free member takes the page and the rest queue."""

    id: str
    name: str = ""
    description: str = ""


class Override(Frozen):
    """Someone covering a rotation (or one layer of it) for a stretch of time."""

    responder: str
    start: Instant
    end: Instant
    layer: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Override:
        if self.end <= self.start:
            raise ValueError("an override must end after it starts")
        return self


class Layer(Frozen):
    """One layer of a rotation: members take turns of `turn` length from the `handoff` instant.
    `members_from` reuses another layer's members (`NAME` in this rotation, or `ROTATION/LAYER`)
    `offset` turns ahead: a secondary is usually the primary shifted by one turn."""

    name: str = ""
    members: tuple[str, ...] = ()
    members_from: str | None = None
    offset: int = 0
    turn: Duration = Field(default=10080.0, gt=0)
    handoff: Instant = Field(description="an instant at which a turn begins; turns repeat both "
                             "ways from it, as PagerDuty's virtual start does")
    start: Instant | None = Field(default=None, description="nobody is on call before this")
    end: Instant | None = None
    timezone: TimeZone | None = None
    restrictions: tuple[Window, ...] = ()

    @field_validator("turn", mode="before")
    @classmethod
    def _named_turns(cls, value: Any) -> Any:
        return {"daily": "1d", "weekly": "7d"}.get(value, value)

    @model_validator(mode="after")
    def _who(self) -> Layer:
        if self.members_from is None:
            if not self.members:
                raise ValueError("give 'members' (who takes turns) or 'members_from' (another "
                                 "layer's members)")
            if self.offset:
                raise ValueError("'offset' shifts the members of 'members_from'; give both")
        elif self.members:
            raise ValueError("give either 'members' or 'members_from', not both")
        return self


def source_layer(rotations: tuple[Rotation, ...], rotation: Rotation,
                 ref: str) -> tuple[Layer | None, str]:
    """The layer a `members_from` names: a layer of `rotation`, `ROTATION/LAYER`, or a rotation
    with a single layer. Returns (layer, "") or (None, why not)."""
    rot_id, slash, layer_name = ref.rpartition("/")
    if not slash:
        own = [layer for layer in rotation.layers if layer.name == ref]
        if own:
            return own[0], ""
        other = next((r for r in rotations if r.id == ref), None)
        if other is not None and len(other.layers) == 1:
            return other.layers[0], ""
        if other is not None:
            choices = ", ".join(f"{ref}/{layer.name}" for layer in other.layers)
            return None, f"rotation {ref!r} has {len(other.layers)} layers; name one: {choices}"
        names = [layer.name for layer in rotation.layers] + [r.id for r in rotations]
        return None, f"no layer or rotation {ref!r}{nearest(ref, names)}"
    owner = next((r for r in rotations if r.id == rot_id), None)
    if owner is None:
        return None, f"unknown rotation {rot_id!r}{nearest(rot_id, [r.id for r in rotations])}"
    found = [layer for layer in owner.layers if layer.name == layer_name]
    if not found:
        names = [layer.name for layer in owner.layers]
        return None, f"rotation {rot_id!r} has no layer {layer_name!r}{nearest(layer_name, names)}"
    return found[0], ""


def _resolve_members(rotations: tuple[Rotation, ...]) -> tuple[Rotation, ...]:
    """Rotations with every resolvable `members_from` written out as plain members, shifted by
    `offset`; a reference that cannot be resolved is left for the loader to report."""
    while True:
        progress = False
        out = []
        for rot in rotations:
            layers = []
            for layer in rot.layers:
                source, _ = (None, "") if layer.members_from is None else source_layer(
                    rotations, rot, layer.members_from)
                if source is not None and source.members_from is None:
                    k = layer.offset % len(source.members)
                    layer = layer.model_copy(update={
                        "members": source.members[k:] + source.members[:k],
                        "members_from": None, "offset": 0})
                    progress = True
                layers.append(layer)
            out.append(rot.model_copy(update={"layers": tuple(layers)}))
        rotations = tuple(out)
        if not progress:
            return rotations


class Rotation(Frozen):
    """An on-call schedule; layers combine by `priority` (one person) or as a `union`. Without a
    time zone of its own it takes the organisation's."""

    id: str
    name: str = ""
    timezone: TimeZone | None = None
    combine: Literal["priority", "union"] = "priority"
    handover: bool = Field(default=False, description="open incidents pass to the next on-call")
    layers: tuple[Layer, ...] = Field(min_length=1)
    overrides: tuple[Override, ...] = ()


TARGET_KINDS = ("role", "rotation", "responder", "team", "skill")


class Target(Frozen):
    """Who a page or a mobilisation goes to: exactly one of a role, a rotation, a responder, a
    team or a skill (the last two as a pool: the first free member takes it)."""

    role: str | None = None
    rotation: str | None = None
    responder: str | None = None
    team: str | None = None
    skill: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str) and ":" in value:  # "rotation:primary"
            kind, _, name = value.partition(":")
            return {kind.strip(): name.strip()}
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> Target:
        given = [k for k in TARGET_KINDS if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of role, rotation, responder, team or skill")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in TARGET_KINDS if getattr(self, k))

    @property
    def ref(self) -> str:
        return str(getattr(self, self.kind))


class EscalationLevel(Frozen):
    """Pages its targets; if nobody acknowledges within `delay` of this page, escalates.
    `respond_within` is the level's own response target, counted from when it is paged."""

    targets: tuple[Target, ...] = Field(min_length=1)
    delay: Duration = Field(default=30.0, gt=0)
    respond_within: Duration | None = Field(
        default=None, gt=0, description="target from this level's page to the acknowledgement")


class EscalationPolicy(Frozen):
    """Ordered levels; the whole chain runs once more for each `repeat` (at most 9)."""

    id: str
    name: str = ""
    levels: tuple[EscalationLevel, ...] = Field(min_length=1)
    repeat: int = Field(default=0, ge=0, le=MAX_REPEAT)
    then: str | None = Field(default=None, description="policy to continue with when exhausted")
    respond_within: Duration | None = Field(
        default=None, description="target from this policy's first page to its acknowledgement")


class Role(Frozen):
    """A part someone plays in an incident (incident commander, communications lead, DBA,
    legal): who can fill it, and how they are mobilised when an incident or a task needs it.
    Without an `escalation_policy` the path is: whoever is on call for `rotation` (if given),
    then, `delay` later, the first free qualified person."""

    id: str
    name: str = ""
    skill: str | None = None
    team: str | None = None
    rotation: str | None = None
    escalation_policy: str | None = None
    delay: Duration = Field(default=15.0, gt=0)

    @model_validator(mode="after")
    def _someone(self) -> Role:
        if not (self.skill or self.team or self.rotation or self.escalation_policy):
            raise ValueError("say who fills the role: a skill, a team, a rotation or an "
                             "escalation_policy")
        return self


class StatusUpdates(Frozen):
    """Status updates owed while an incident is open: one every `every`, each taking `effort`
    of someone in `role` (the incident's lead, without one)."""

    every: Duration = Field(gt=0)
    role: str | None = None
    effort: Distribution = Fixed(value=5.0)

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, value: Any) -> Any:
        return value if isinstance(value, dict) else {"every": value}


class PagingMode(StrEnum):
    ALWAYS = "always"
    BUSINESS_HOURS = "business_hours"
    NEXT_BUSINESS_DAY = "next_business_day"


class Targets(Frozen):
    """SLA targets, each measured as its metric is: acknowledge from declaration (the page or
    ticket), first response (the first person working on it) from detection, mitigate and
    resolve from impact start. On the `business` clock only minutes inside the organisation's
    business hours count ("respond within 4 business hours"); on the `wall` clock every minute
    does."""

    acknowledge: Duration | None = None
    first_response: Duration | None = None
    mitigate: Duration | None = None
    resolve: Duration | None = None
    clock: Literal["wall", "business"] = "wall"


class Impact(Frozen):
    """What an incident does to its services while unmitigated: the `affected` share of users
    or requests, either `down` or `degraded`. A minute costs each service's full-outage rate
    (`impact_per_minute`) x `affected` x (1 when down, `degraded_factor` when degraded)."""

    affected: float = Field(default=1.0, ge=0, le=1, description="share of users or requests")
    mode: Literal["down", "degraded"] = "down"
    degraded_factor: float = Field(default=0.5, gt=0, lt=1,
                                   description="a degraded minute's cost relative to an outage's")

    def factor(self) -> float:
        """The share of the services' full-outage rate this impact costs per minute."""
        return self.affected * (1.0 if self.mode == "down" else self.degraded_factor)

    def under(self, override: Impact | None) -> Impact:
        """This impact with the fields `override` was given (not its defaults) replacing its own."""
        if override is None:
            return self
        return self.model_copy(update={k: getattr(override, k) for k in override.model_fields_set})

    @staticmethod
    def default(rank: int) -> Impact:
        """A severity's impact unless it names one: the most severe is a full outage and each
        step down the ladder affects a tenth as many (P0 1, P1 0.1, P2 0.01, P3 0.001)."""
        return Impact(affected=1.0 / 10**rank)


class ManagementEscalation(Frozen):
    """Notify someone (a role or responder) when an incident is still unresolved `after` detection."""

    after: Duration
    notify: str


class SeverityPolicy(Frozen):
    """What a severity means for routing, targets and communication."""

    escalation_policy: str
    paging: PagingMode = PagingMode.ALWAYS
    channel: str = "page"
    targets: Targets = Targets()
    status_updates: StatusUpdates | None = None
    phase_targets: dict[str, Duration] = {}
    deadlines: tuple[Deadline, ...] = ()
    management: tuple[ManagementEscalation, ...] = ()
    impact: Impact | None = Field(default=None, description="fields not given come from the "
                                  "default for the severity's rank on the ladder")
    description: str = ""

    def all_deadlines(self) -> tuple[Deadline, ...]:
        """Every deadline, with `status_updates` and `phase_targets` written out as deadlines:
        an update due every cadence from detection, and each phase ended within its target."""
        updates = self.status_updates
        extra = [Deadline(name="status update", every=updates.every,
                          task=Task(effort=updates.effort, role=updates.role))] if updates else []
        extra += [Deadline(name=f"{phase} phase", to=f"phase:{phase}", within=limit)
                  for phase, limit in self.phase_targets.items()]
        return (*self.deadlines, *extra)


class Service(Frozen):
    """Something that can be impaired; cost of impact accrues per minute until mitigation."""

    id: str
    name: str = ""
    rto: Duration | None = None
    rpo: Duration | None = None
    impact_per_minute: float = Field(default=0.0, ge=0)
    backup_interval: Duration | None = Field(default=None, gt=0)
    depends_on: tuple[str, ...] = ()


def _currency(value: str) -> str:
    if not (len(value) == 3 and value.isalpha() and value.isupper()):
        raise ValueError(f"expected an ISO 4217 currency code such as 'USD', 'EUR' or 'GBP', "
                         f"found {value!r}")
    return value


class Organisation(Frozen):
    """Everything about who responds and how: the input the engine simulates against.
    `severities` is the organisation's own ladder (P0-P3, SEV1-SEV4, ...), most severe first.
    Rotations, business and working hours without a time zone take the organisation's."""

    name: str = "organisation"
    description: str = ""
    timezone: TimeZone = "UTC"
    currency: Annotated[str, AfterValidator(_currency)] = "USD"
    business_hours: Hours = Hours()
    responders: tuple[Responder, ...] = Field(min_length=1)
    teams: tuple[Team, ...] = ()
    rotations: tuple[Rotation, ...] = ()
    escalation_policies: tuple[EscalationPolicy, ...] = Field(min_length=1)
    severities: dict[str, SeverityPolicy]
    services: tuple[Service, ...] = ()
    routes: tuple[Route, ...] = ()
    channels: dict[str, Channel] = {}
    alerts: dict[str, Alert] = {}
    hourly_rate: float = Field(default=0.0, ge=0, description="cost of an engaged responder")
    financial_escalations: tuple[FinancialEscalation, ...] = ()
    capabilities: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    change_freezes: tuple[ChangeFreeze, ...] = ()
    preempt: bool = Field(default=False, description="a busy responder drops their least severe "
                          "incident to answer a more severe one")

    @field_validator("severities")
    @classmethod
    def _ladder(cls, value: dict[str, SeverityPolicy]) -> dict[str, SeverityPolicy]:
        if not value:
            raise ValueError("name at least one severity, most severe first")
        for key in value:
            if not str(key).strip():
                raise ValueError("a severity needs a name such as 'P1' or 'SEV2'")
        return value

    @model_validator(mode="after")
    def _inherit_zones(self) -> Organisation:
        """Fill in the organisation's zone wherever a rotation or hours name none of their own,
        and write out layers that reuse another's members."""
        tz = self.timezone
        rotations = tuple(r if r.timezone else r.model_copy(update={"timezone": tz})
                          for r in _resolve_members(self.rotations))
        business = self.business_hours
        if business.timezone is None:
            business = business.model_copy(update={"timezone": tz})
        responders = tuple(
            r.model_copy(update={"working_hours": r.working_hours.model_copy(
                update={"timezone": r.timezone or tz})})
            if r.working_hours is not None and r.working_hours.timezone is None else r
            for r in self.responders)
        object.__setattr__(self, "rotations", rotations)  # frozen: set once, while validating
        object.__setattr__(self, "business_hours", business)
        object.__setattr__(self, "responders", responders)
        return self

    @model_validator(mode="after")
    def _default_impacts(self) -> Organisation:
        """Each severity's impact: the default for its rank on the ladder, with the fields the
        severity gives replacing the default's."""
        severities = {name: p.model_copy(update={"impact": Impact.default(rank).under(p.impact)})
                      for rank, (name, p) in enumerate(self.severities.items())}
        object.__setattr__(self, "severities", severities)  # frozen: set once, while validating
        return self

    def rank(self, severity: str) -> int:
        """Position on the ladder: 0 for the most severe."""
        return list(self.severities).index(severity)

    def responder(self, rid: str) -> Responder:
        return next(r for r in self.responders if r.id == rid)

    def rotation(self, rid: str) -> Rotation:
        return next(r for r in self.rotations if r.id == rid)

    def policy(self, pid: str) -> EscalationPolicy:
        return next(p for p in self.escalation_policies if p.id == pid)

    def policies_for(self, tags: tuple[str, ...], severity: str) -> tuple[str, ...]:
        """The escalation policies an incident pages: the first route matching one of its tags,
        else its severity's policy."""
        for route in self.routes:
            if set(route.tags) & set(tags):
                return route.escalation_policies
        return (self.severities[severity].escalation_policy,)

    def team_members(self, team: str) -> tuple[str, ...]:
        return tuple(r.id for r in self.responders if team in r.teams)
