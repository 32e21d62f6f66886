"""The engine does only the work a scenario configures. On a team pool with no detection delay,
instant answers and one escalation level that cannot fire before the run ends, an incident
costs exactly two SimPy events (its arrival and its one phase of work: it starts, is paged,
answered and set to work in the step that brings it in) and no process at all. One that waits
for somebody to come free costs one more (the answer, a step after they do); a detection delay
adds one event, and nothing else changes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import simpy

from drillsim.scenarios.loader import load
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.engine import Simulation
from drillsim.sim.state import IncidentState
from drillsim.sim.streams import Streams
from tests.sim.test_erlang_c import queue_scenario


def counting(env: simpy.Environment) -> Counter[str]:
    """The kinds of event `env` schedules from now on, counted as they are."""
    kinds: Counter[str] = Counter()
    schedule = env.schedule

    def counted(event: Any, *args: Any) -> None:
        kinds[type(event).__name__] += 1
        schedule(event, *args)

    env.schedule = counted  # type: ignore[method-assign]
    return kinds


def scheduled(path: Path) -> tuple[Counter[str], list[IncidentState]]:
    """The kinds of SimPy event one replication schedules, and its incidents."""
    bundle = load(path)
    compiled = CompiledOrg.build(bundle.org, bundle.scenario.start_instant())
    sim = Simulation(compiled, bundle.scenario, Streams.for_replication(1, 0))
    kinds = counting(sim.env)
    return kinds, sim.play()


def to_stop() -> int:
    """What SimPy itself schedules to stop a run at a given time."""
    env = simpy.Environment()
    kinds = counting(env)
    env.run(until=1.0)
    return sum(kinds.values())


@pytest.mark.parametrize(("delay", "per_incident"), [("0m", 2), ("1m", 3)])
def test_a_pool_incident_schedules_only_what_it_configures(
        tmp_path: Path, delay: str, per_incident: int) -> None:
    path = tmp_path / "queue.yaml"
    path.write_text(queue_scenario(6.0, 30.0, 6, 10).replace("delay: 0m", f"delay: {delay}"),
                    encoding="utf-8")
    kinds, incidents = scheduled(path)
    waited = sum(inc.acknowledged_at != inc.paged_at for inc in incidents)
    assert len(incidents) > 1000 and 0 < waited < len(incidents)
    assert kinds["Initialize"] == 0  # no process: not for the arrivals, an incident or a page
    # + the arrivals' start and SimPy's own events to stop the run at its end
    assert sum(kinds.values()) == per_incident * len(incidents) + waited + 1 + to_stop()
