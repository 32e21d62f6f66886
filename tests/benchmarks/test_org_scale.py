"""Time per incident as the organisation grows: the same 2,000 incidents a year spread over 1,
5, 20 and 100 teams of ten (10 to 1,000 responders, 3 to 300 rotations), and the time to set
up its schedules. A page must not cost more because more people exist."""

from __future__ import annotations

import gc
import statistics
import time
from pathlib import Path
from typing import Any

import yaml

from drillsim.scenarios.loader import load
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.engine import TAIL, Simulation
from drillsim.sim.streams import Streams

from .measure import timed
from .test_engine_speed import ZONES, ack

INCIDENTS_A_YEAR = 2000
REPEATS = 3


LEVELS = (("primary", "10m"), ("secondary", "15m"), ("lead", "20m"))


def organisation(teams: int, size: int = 10, rotations: int = 3) -> dict[str, Any]:
    """Teams of `size`, each with a weekly primary, secondary and lead rotation (the first
    `rotations` of those; the lead is paged directly without one) and its policy."""
    responders, schedules, policies = [], [], []
    for t in range(teams):
        team, zone = f"team{t}", ZONES[t % len(ZONES)]
        people = [f"{team}-{i}" for i in range(size)]
        responders += [{"id": rid, "teams": [team], "skills": [team], "timezone": zone,
                        "level": 2 if i == 0 else 1, "miss_probability": 0.05, "capacity": 2,
                        "ack_delay": {"working": ack("2m", "8m"), "off_hours": ack("7m", "25m")}}
                       for i, rid in enumerate(people)]
        half = size // 2
        members = {"primary": people[1:], "secondary": people[half:] + people[1:half],
                   "lead": people[:1]}
        for name, _ in LEVELS[:rotations]:
            schedules.append({"id": f"{team}-{name}", "timezone": zone, "layers": [
                {"members": members[name], "turn": "weekly", "handoff": "2026-01-05T09:00"}]})
        policies.append({"id": team, "repeat": 2, "levels": [
            {"targets": [{"rotation": f"{team}-{name}"} if i < rotations
                         else {"responder": people[0]}], "delay": delay}
            for i, (name, delay) in enumerate(LEVELS)]})
    return {"name": f"{teams} teams", "timezone": "Europe/London", "responders": responders,
            "rotations": schedules, "escalation_policies": policies,
            "severities": {"P1": {"escalation_policy": "team0",
                                  "targets": {"acknowledge": "15m", "resolve": "8h"}}}}


def scenario(teams: int) -> dict[str, Any]:
    types = [{"type": f"team{t}-failure", "rate": f"{INCIDENTS_A_YEAR / teams:g}/365d",
              "severity_mix": {"P1": 1}, "escalation_policies": [f"team{t}"],
              "signals": [{"channel": "alert", "delay": ack("3m", "12m")}],
              "requires": [{"skill": f"team{t}"}],
              "phases": [{"name": "triage", "duration": ack("10m", "30m")},
                         {"name": "repair", "duration": ack("1h", "6h"), "skill": f"team{t}",
                          "mitigates": True}]} for t in range(teams)]
    return {"name": "year", "start": "2026-01-05T00:00", "org": "org.yaml",
            "workload": {"horizon": "365d", "types": types}}


def test_time_per_incident_is_flat_in_the_size_of_the_organisation(tmp_path: Path) -> None:
    print("\nteams  responders  rotations  incidents  set-up s  µs/incident (CPU, median of "
          f"{REPEATS})")
    per_incident = {}
    for teams in (1, 5, 20, 100):
        folder = tmp_path / str(teams)
        folder.mkdir()
        (folder / "org.yaml").write_text(yaml.safe_dump(organisation(teams)), encoding="utf-8")
        (folder / "year.yaml").write_text(yaml.safe_dump(scenario(teams)), encoding="utf-8")
        gc.collect()
        start = time.process_time()
        bundle = load(folder / "year.yaml")
        compiled = CompiledOrg.build(bundle.org, bundle.scenario.start_instant())
        compiled.prepare(365 * 1440.0 + TAIL)  # as each worker does before its replications
        setup = time.process_time() - start
        times = []
        for rep in range(REPEATS):
            seconds, count = timed(lambda rep=rep, c=compiled, sc=bundle.scenario: len(
                Simulation(c, sc, Streams.for_replication(1, rep)).play()))
            times.append(seconds / count)
        per_incident[teams] = statistics.median(times)
        print(f"{teams:5d}  {teams * 10:10d}  {teams * 3:9d}  {count:9d}  {setup:8.2f}  "
              f"{per_incident[teams] * 1e6:8.0f}")
    assert per_incident[100] / per_incident[1] < 2
