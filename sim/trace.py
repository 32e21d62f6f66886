"""The deterministic timeline of one page, as the engine runs it: every acknowledgement and
channel delay at its median, and every page answered (or, for the worst case, every page missed).
It runs the engine itself (paging, escalation, mobilising roles along their own paths), so it
follows the engine wherever the engine goes."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from drillsim.scenarios.distributions import Distribution, Fixed
from drillsim.scenarios.org import AckDelay, Organisation, Target
from drillsim.scenarios.policy import Channel
from drillsim.scenarios.scenario import Scenario
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.engine import simulate
from drillsim.sim.paging import event_rows
from drillsim.sim.records import INCIDENT_COLUMNS

PLACEHOLDER = ("started", "phase", "mitigated", "resolved")  # the trace's stand-in incident


@dataclass(frozen=True)
class Step:
    """One event of the page: minutes after detection, its instant, what happened and to whom."""

    at: float
    time: dt.datetime
    kind: str
    actor: str
    detail: str


@dataclass(frozen=True)
class Mobilised:
    """A role (or a bare requirement) the incident or one of its tasks needed, and who came."""

    role: str
    requested: dt.datetime
    engaged: dt.datetime | None
    responder: str | None
    pages: int
    outcome: str


@dataclass(frozen=True)
class Trace:
    """The page's steps, the roles mobilised, and who acknowledged it (else the engine's reason
    why nobody did)."""

    steps: list[Step]
    mobilised: list[Mobilised]
    acknowledged_by: str | None
    unacknowledged: str | None


def _median(dist: Distribution | None) -> Distribution | None:
    return None if dist is None else Fixed(value=dist.p50())


def typical(org: Organisation, miss: float) -> Organisation:
    """A copy of `org` in which every acknowledgement and channel delay is its median and each
    page is missed with probability `miss` (0: always answered, 1: never), awake or asleep."""
    responders = tuple(r.model_copy(update={
        "ack_delay": AckDelay(working=Fixed(value=r.ack_delay.working.p50()),
                              off_hours=Fixed(value=r.ack_delay.off_hours.p50()),
                              evening=_median(r.ack_delay.evening),
                              sleep=_median(r.ack_delay.sleep)),
        "miss_probability": miss, "sleep_miss_probability": miss}) for r in org.responders)
    channels = {name: Channel(delay=Fixed(value=c.delay.p50())) for name, c in org.channels.items()}
    return org.model_copy(update={"responders": responders, "channels": channels})


def page_scenario(org: Organisation, severity: str, at: dt.datetime, tags: tuple[str, ...] = (),
                  requires: tuple[Target, ...] = ()) -> Scenario:
    """A drill of one incident detected at instant `at`, whose work takes no time."""
    return Scenario.model_validate({
        "name": "trace", "start": at, "timezone": org.timezone,
        "incidents": [{"type": "trace", "severity": severity, "tags": list(tags),
                       "requires": list(requires), "signals": [{"channel": "alert", "delay": 0}],
                       "phases": [{"name": "work", "duration": 0}]}]})


def trace(org: Organisation, scenario: Scenario, worst: bool = False) -> Trace:
    """The events of the scenario's first incident in order and the roles mobilised for it,
    against the typical organisation; with `worst`, against one where everyone misses every
    page."""
    start = scenario.start_instant()
    compiled = CompiledOrg.build(typical(org, 1.0 if worst else 0.0), start)
    run = simulate(compiled, scenario, seed=0, replication=0)

    def time(minute: float) -> dt.datetime:
        return start + dt.timedelta(minutes=minute)

    mine = sorted((e for e in event_rows(run.events) if e[0] == 0 and e[2] not in PLACEHOLDER),
                  key=lambda e: e[1])  # stable: the engine's order among simultaneous events
    steps = [Step(at, time(at), kind, actor, detail) for _, at, kind, actor, detail in mine]
    mobilised = [Mobilised(role, time(requested), None if math.isnan(engaged) else time(engaged),
                           by, pages, outcome)
                 for incident, _, role, requested, engaged, by, pages, outcome in run.mobilisations
                 if incident == 0]
    row = dict(zip(INCIDENT_COLUMNS, run.incidents[0], strict=True))
    return Trace(steps, mobilised, row["acknowledged_by"], row["unacknowledged_reason"])
