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
    """Shapes the bundled scenarios lack: a busy team pool; five teams with rotations,
    escalation levels, deferred paging and a skill mobilised for every incident; routed pages;
    team pools with every option a pool page has; incidents starting together."""
    folder = tmp_path_factory.mktemp("shapes")
    (folder / "queue.yaml").write_text(queue_scenario(14.0, 30.0, 6, 20), encoding="utf-8")
    fifty = year()
    fifty["workload"]["horizon"] = "45d"
    (folder / "org.yaml").write_text(yaml.safe_dump(organisation()), encoding="utf-8")
    (folder / "fifty.yaml").write_text(yaml.safe_dump(fifty), encoding="utf-8")
    # a route pages two policies at once; a quiet symptom never trips its alert
    (folder / "routed.yaml").write_text(yaml.safe_dump({
        "name": "routed", "start": "2026-01-05T00:00", "timezone": "Europe/London",
        "org": "rapid-rollback", "workload": {"horizon": "60d", "types": [
            {"type": "breach", "rate": "1/d", "tags": ["security"],
             "severity_mix": {"P1": 0.5, "P2": 0.5},
             "signals": [{"channel": "user report",
                          "delay": {"dist": "lognormal", "median": "20m", "p90": "1h"}}],
             "phases": [{"name": "contain", "mitigates": True,
                         "duration": {"dist": "lognormal", "median": "1h", "p90": "3h"}}]},
            {"type": "quiet", "rate": "1/2d", "severity_mix": {"P2": 1},
             "symptoms": {"error_rate": 1}, "signals": [{"alert": "error-rate"}],
             "phases": [{"name": "fix", "duration": "30m", "mitigates": True}]}]}}),
        encoding="utf-8")
    # team pools, each a policy of one level: pages missed (more at night) until a pool runs
    # out, delivered and answered after a delay, people working two incidents at once, a level's
    # timer running while a page waits, skill-paced work, a level with a response target of its
    # own, and deadlines whose work takes the lead's time; alarms detected and paged at once
    desk = [{"id": f"desk{i}", "teams": ["desk", "lead"] if i in (0, 3) else ["desk"],
             "skills": ["db"] if i % 2 else [], "capacity": 1 + i % 2, "speed": 1.0 + i / 10,
             "miss_probability": 0.1,
             "sleep_miss_probability": 0.3, "timezone": "America/New_York" if i > 2 else "UTC",
             "ack_delay": {"working": {"dist": "exponential", "mean": "2m"},
                           "off_hours": {"dist": "exponential", "mean": "9m"}}}
            for i in range(5)]
    (folder / "pools.yaml").write_text(yaml.safe_dump({
        "name": "pools", "start": "2026-03-02T00:00", "timezone": "UTC",
        "org": {"name": "desks", "responders": desk, "teams": [{"id": "desk"}, {"id": "lead"}],
                "escalation_policies": [
                    {"id": "urgent", "levels": [{"targets": [{"team": "lead"}], "delay": "20m",
                                                 "respond_within": "5m"}]},
                    {"id": "queue", "levels": [{"targets": [{"team": "desk"}],
                                                "delay": "365d"}]}],
                "channels": {"page": {"delay": {"dist": "uniform", "low": "0s", "high": "30s"}}},
                "severities": {"P1": {"escalation_policy": "urgent", "status_updates": "30m",
                                      "deadlines": [
                                          {"name": "answered", "to": "acknowledged",
                                           "within": "10m"},
                                          {"name": "notice", "within": "20m",
                                           "task": {"effort": "5m"}}]},
                               "P3": {"escalation_policy": "queue"}}},
        "workload": {"horizon": "20d", "types": [{
            "type": "ticket", "rate": "6/h", "severity_mix": {"P1": 0.3, "P3": 0.7},
            "signals": [{"channel": "desk", "delay": {"dist": "exponential", "mean": "3m"}}],
            "phases": [{"name": "look", "duration": {"dist": "exponential", "mean": "10m"}},
                       {"name": "fix", "skill": "db", "mitigates": True,
                        "duration": {"dist": "exponential", "mean": "40m"}}]},
            {"type": "alarm", "rate": "2/h", "severity_mix": {"P1": 0.5, "P3": 0.5},
             "signals": [{"channel": "monitor", "delay": "0m"}],
             "phases": [{"name": "fix", "mitigates": True,
                         "duration": {"dist": "exponential", "mean": "20m"}}]}]}}),
        encoding="utf-8")
    # incidents starting together, with nothing to wait for: simple ones beside one that is a
    # process (an inject), on a pool too small for them all, the severe ones owing deadlines
    together = [{"type": f"t{k}", "severity": "P1" if k % 2 else "P3", "at": at,
                 "signals": [{"delay": "0m"}], "phases": [{"name": "fix", "duration": "15m"}]}
                for k, at in enumerate(["0m", "0m", "0m", "15m", "15m", "30m"])]
    together[1]["injects"] = [{"at": "5m", "note": "spreading"}]
    (folder / "together.yaml").write_text(yaml.safe_dump({
        "name": "together", "start": "2026-03-02T09:00", "timezone": "UTC",
        "org": {"name": "pair", "responders": [
                    {"id": f"p{i}", "teams": ["pair"],
                     "ack_delay": {"working": "0m", "off_hours": "0m"}} for i in range(2)],
                "teams": [{"id": "pair"}],
                "escalation_policies": [{"id": "pair", "levels": [
                    {"targets": [{"team": "pair"}], "delay": "1h"}]}],
                "severities": {"P1": {"escalation_policy": "pair", "deadlines": [
                                   {"name": "answered", "to": "acknowledged", "within": "5m"},
                                   {"name": "notice", "within": "10m",
                                    "task": {"effort": "5m"}}]},
                               "P3": {"escalation_policy": "pair"}}},
        "incidents": together}), encoding="utf-8")
    return {"queue": folder / "queue.yaml", "fifty": folder / "fifty.yaml",
            "routed": folder / "routed.yaml", "pools": folder / "pools.yaml",
            "together": folder / "together.yaml"}


@pytest.mark.parametrize("name", SCENARIOS)
def test_bundled_scenarios_give_the_same_records_either_way(name: str) -> None:
    for replication in range(2):
        assert records(name, True, replication) == records(name, False, replication)


@pytest.mark.parametrize("shape", ["queue", "fifty", "routed", "pools", "together"])
def test_shapes_the_library_lacks_give_the_same_records_either_way(
        shapes: dict[str, Path], shape: str) -> None:
    quick = records(shapes[shape], True, 0)
    assert "'acknowledged'" in quick and "'resolved'" in quick  # the run did the work
    if shape == "pools":  # pages were missed, and some incident waited on a level's target
        assert "'missed'" in quick and "'exhausted'" in quick
    if shape == "routed":
        assert "'undetected'" in quick and "'security'" in quick  # both policies paged
    assert quick == records(shapes[shape], False, 0)
