"""Simple incidents run as a chain of callbacks, the others as a process each. Run every incident
as a process instead and each replication's records must be the same, row for row and in the
same order: the quick lifecycle is an optimisation, never a different model."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from drillsim.scenarios.document import bundled
from drillsim.scenarios.loader import load
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.engine import Simulation
from drillsim.sim.streams import Streams
from tests.benchmarks.test_engine_speed import organisation
from tests.benchmarks.test_engine_speed import scenario as year
from tests.sim.test_erlang_c import queue_scenario

SCENARIOS = [name for name, kind, _ in bundled() if kind == "scenario"]


def records(path: str | Path, quick: bool, replication: int) -> str:
    bundle = load(path)
    compiled = CompiledOrg.build(bundle.org, bundle.scenario.start_instant())
    sim = Simulation(compiled, bundle.scenario, Streams.for_replication(3, replication),
                     quick=quick)
    run = sim.run(replication)
    # repr: exact floats, and NaN compares equal to itself
    return repr((run.incidents, run.events, run.deadlines, run.mobilisations, run.responders,
                 run.end_at))


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two shapes the bundled scenarios lack: a busy team pool with night misses, and five teams
    with rotations, escalation levels, deferred paging and a skill mobilised for every incident."""
    folder = tmp_path_factory.mktemp("shapes")
    (folder / "queue.yaml").write_text(queue_scenario(14.0, 30.0, 6, 20), encoding="utf-8")
    fifty = year()
    fifty["workload"]["horizon"] = "45d"
    (folder / "org.yaml").write_text(yaml.safe_dump(organisation()), encoding="utf-8")
    (folder / "fifty.yaml").write_text(yaml.safe_dump(fifty), encoding="utf-8")
    return {"queue": folder / "queue.yaml", "fifty": folder / "fifty.yaml"}


@pytest.mark.parametrize("name", SCENARIOS)
def test_bundled_scenarios_give_the_same_records_either_way(name: str) -> None:
    for replication in range(2):
        assert records(name, True, replication) == records(name, False, replication)


@pytest.mark.parametrize("shape", ["queue", "fifty"])
def test_a_queue_and_a_company_give_the_same_records_either_way(
        shapes: dict[str, Path], shape: str) -> None:
    quick = records(shapes[shape], True, 0)
    assert "'acknowledged'" in quick and "'resolved'" in quick  # the run did the work
    assert quick == records(shapes[shape], False, 0)
