"""The deterministic timeline of one page, as the real engine runs it: every acknowledgement and
channel delay at its median, and every page answered (or, for the worst case, every page missed).
Built only from the public pieces (models, `replicate`, the events frame), so it follows the
engine wherever the engine goes."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from drillsim.scenarios.distributions import Fixed
from drillsim.scenarios.org import AckDelay, Organisation, Target
from drillsim.scenarios.policy import Channel
from drillsim.scenarios.scenario import Bundle, Scenario
from drillsim.sim.runner import replicate

PLACEHOLDER = ("started", "phase", "mitigated", "resolved")  # the trace's stand-in incident


def typical(org: Organisation, miss: float) -> Organisation:
    """A copy of `org` in which every acknowledgement and channel delay is its median and each
    page is missed with probability `miss` (0: always answered, 1: never)."""
    responders = tuple(r.model_copy(update={
        "ack_delay": AckDelay(working=Fixed(value=r.ack_delay.working.p50()),
                              off_hours=Fixed(value=r.ack_delay.off_hours.p50())),
        "miss_probability": miss}) for r in org.responders)
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


def trace(org: Organisation, scenario: Scenario, worst: bool = False) -> pd.DataFrame:
    """The events of the scenario's first incident (columns at: minutes from its start, time:
    the instant, kind, actor, detail), in order, against the typical organisation; with
    `worst`, against one where everyone misses every page."""
    bundle = Bundle(scenario=scenario, org=typical(org, 1.0 if worst else 0.0), sources=())
    events = replicate(bundle, 1, seed=0, workers=1).records.events
    mine = events[(events["replication"] == 0) & (events["incident"] == 0)
                  & ~events["kind"].isin(PLACEHOLDER)]
    out = mine[["at", "kind", "actor", "detail"]].reset_index(drop=True)
    start = scenario.start_instant()
    out.insert(1, "time", [start + dt.timedelta(minutes=float(m)) for m in out["at"]])
    return out
