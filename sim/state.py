"""The running state of one incident and of each escalation track paging for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import simpy

from drillsim.scenarios.measures import MILESTONES
from drillsim.scenarios.scenario import IncidentTemplate, Phase
from drillsim.sim.compiled import Path

ATTRIBUTES = {name: f"{name}_at" for name in MILESTONES}
Plan = float | tuple[tuple[float, bool], ...]  # a phase's drawn duration, or its options' (duration, works)


@dataclass(slots=True, eq=False)
class Ask:
    """A request for the first free member of a pool; `done` once granted or withdrawn."""

    members: frozenset[int]
    grant: Any  # Callable[[int], None]
    done: bool = False


@dataclass(slots=True, eq=False)
class Track:
    """One escalation path running for an incident: a policy paging for acknowledgement, or a
    role being mobilised (`role` set). Parallel response teams each have their own."""

    path: Path
    ack: simpy.Event
    paged_at: float
    role: str | None = None
    acknowledged_at: float | None = None
    acknowledged_by: int | None = None
    # tuples, not lists: most tracks never have a request waiting or a level with a target,
    # and a replication keeps every track to the end
    asks: tuple[Ask, ...] = ()
    # levels with a response target of their own: path, level number, when first paged
    levels_paged: tuple[tuple[Path, int, float], ...] = ()
    pages: int = 0
    pending: int = 0  # pages delivered and not yet answered
    busy: int = 0
    missed: int = 0
    skipped: int = 0
    exhausted: bool = False


@dataclass(slots=True, eq=False)
class IncidentState:
    """One incident as the engine runs it; the `*_at` fields are minutes, None until they happen."""

    id: int
    template: IncidentTemplate
    severity: str
    rank: int
    started_at: float
    detect_delay: float
    detected_by: str
    assessment: float
    assessor: Any  # the signal's assessor Target, or None
    phases: list[tuple[Phase, Plan]]
    injected: Mapping[int, Plan]
    facts: frozenset[str]
    backup_age: float
    initial_severity: str = ""
    detected_at: float | None = None
    declared_at: float | None = None
    paged_at: float | None = None
    acknowledged_at: float | None = None
    acknowledged_by: int | None = None
    first_response_at: float | None = None
    engaged_at: float | None = None
    mitigated_at: float | None = None
    resolved_at: float | None = None
    restored: bool = False
    escalations: int = 0
    pages: int = 0
    phase_ends: dict[str, float] = field(default_factory=dict)
    # the rarely used are None until used: a replication keeps every incident to its end
    cost_reached: dict[str, float] | None = None  # `cost:AMOUNT` milestones
    # tuples rather than lists: a replication keeps every incident to the end, and each of
    # these grows by one or two
    tracks: tuple[Track, ...] = ()
    engaged: dict[int, float] = field(default_factory=dict)  # engaged now, since when
    involved: tuple[int, ...] = ()  # everyone who ever engaged, in order
    engagements: tuple[tuple[int, float, float], ...] = ()  # who, from, to
    mobilising: dict[str, simpy.Event] | None = None  # by role key
    # roles asked for and not yet filled; a shared empty set until one is, as most never are
    waiting_for: frozenset[str] = frozenset()
    milestones: dict[str, simpy.Event] | None = None  # waited-on milestones
    ack: simpy.Event | None = None
    severity_changed: simpy.Event | None = None
    staffed: simpy.Event | None = None  # fires when someone joins an incident nobody is working
    done: simpy.Event | None = None
    worker: simpy.Process | None = None
    spending: bool = False  # the worker is in the middle of a stretch of work
    owed: frozenset[str] = frozenset()  # deadline names whose work has started

    @property
    def phase_names(self) -> set[str]:
        """Every phase this incident has or may gain from an inject."""
        return {p.name for p, _ in self.phases} | {
            i.add_phase.name for i in self.template.injects if i.add_phase is not None}

    def reach(self, name: str, now: float) -> None:
        """The incident reaches a milestone now (a lifecycle milestone or `cost:AMOUNT`; a
        phase ends by `phase_ended`); wake whatever waits for it."""
        attribute = ATTRIBUTES.get(name)
        if attribute is not None:
            setattr(self, attribute, now)
        else:
            self.crossed(name, now)
        if self.milestones:
            self.wake(name)

    def crossed(self, name: str, at: float) -> None:
        """The estimated cost reached `name` (`cost:AMOUNT`) at minute `at`."""
        if self.cost_reached is None:
            self.cost_reached = {}
        self.cost_reached[name] = at

    def mobilising_roles(self) -> dict[str, simpy.Event]:
        """The roles being mobilised for the incident, by key: made when first asked for."""
        if self.mobilising is None:
            self.mobilising = {}
        return self.mobilising

    def phase_ended(self, name: str, now: float) -> None:
        """The milestone `phase:NAME`, its name built only when something waits for it."""
        self.phase_ends.setdefault(name, now)
        if self.milestones:
            self.wake(f"phase:{name}")

    def wake(self, milestone: str) -> None:
        """Wake whatever waits for a milestone just reached (the engine's hot steps set a
        milestone's attribute themselves and call this only when something waits)."""
        waiter = self.milestones.pop(milestone, None) if self.milestones else None
        if waiter is not None:
            waiter.succeed()

    def lead(self) -> int | None:
        """Who owns the incident: whoever acknowledged it while they are on it, else the
        earliest-engaged person still on it (after a handover), else, once it is over, whoever
        acknowledged it."""
        if self.acknowledged_by is not None and (self.acknowledged_by in self.engaged
                                                 or not self.engaged):
            return self.acknowledged_by
        return min(self.engaged, key=self.engaged.__getitem__, default=None)
