"""An M/M/c queue (one team pool of six, Poisson arrivals, exponential work, no detection delay,
instant acknowledgement) run by drillsim and by a bare SimPy M/M/c of the same customers; the
same pool overloaded with the horizon doubled twice, and pools of 6, 60 and 600 at half load and
overloaded: the time per incident must grow with neither the length of the queue nor the size
of the pool.

Figures are ratios against the bare model measured alongside, since the machine is shared."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import numpy as np
import simpy
import yaml

from drillsim.scenarios.loader import load
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.engine import Simulation
from drillsim.sim.stack import on_fresh_stack
from drillsim.sim.streams import Streams

from .measure import timed

C, MEAN = 6, 30.0  # responders, mean minutes of work
REPEATS = 7


def scenario(per_hour: float, days: float, c: int = C) -> dict[str, Any]:
    people = [{"id": f"desk{i}", "teams": ["desk"],
               "ack_delay": {"working": "0m", "off_hours": "0m"}} for i in range(c)]
    return {
        "name": "mmc", "start": "2026-01-05T00:00", "timezone": "UTC",
        "org": {"name": "service desk", "responders": people, "teams": [{"id": "desk"}],
                "escalation_policies": [{"id": "desk", "levels": [
                    {"targets": [{"team": "desk"}], "delay": "365d"}]}],
                "severities": {"P2": {"escalation_policy": "desk"}}},
        "workload": {"horizon": f"{days}d", "types": [{
            "type": "ticket", "rate": f"{per_hour}/h", "severity_mix": {"P2": 1},
            "signals": [{"channel": "desk", "delay": "0m"}],
            "phases": [{"name": "work", "duration": {"dist": "exponential", "mean": f"{MEAN}m"},
                        "mitigates": True}]}]}}


def bare_mmc(per_minute: float, minutes: float, seed: int, c: int = C) -> int:
    """A bare SimPy M/M/c: each customer waits for one of c servers, is served, leaves; its
    arrival, start and end are kept. Returns the number of customers."""
    env = simpy.Environment()
    rng = np.random.default_rng(seed)
    desk = simpy.Resource(env, capacity=c)
    rows: list[tuple[float, float, float]] = []

    def customer(arrived: float) -> Generator[simpy.Event, Any, None]:
        with desk.request() as turn:
            yield turn
            start = env.now
            yield env.timeout(rng.exponential(MEAN))
        rows.append((arrived, start, env.now))

    def arrivals() -> Generator[simpy.Event, Any, None]:
        while True:
            yield env.timeout(rng.exponential(1 / per_minute))
            if env.now > minutes:
                return
            env.process(customer(env.now))

    env.process(arrivals())
    env.run()
    return len(rows)


def per_incident(tmp_path: Path, per_hour: float, days: float, events: bool = True,
                 c: int = C) -> tuple[float, float, int]:
    """CPU seconds per incident for drillsim's simulation and for the bare model (medians of
    interleaved repeats), and drillsim's incident count."""
    path = tmp_path / f"mmc-{per_hour}-{days}-{c}.yaml"
    path.write_text(yaml.safe_dump(scenario(per_hour, days, c)), encoding="utf-8")
    bundle = load(path)
    compiled = CompiledOrg.build(bundle.org, bundle.scenario.start_instant())
    ours, bare, count = [], [], 0
    for rep in range(REPEATS):  # interleaved, so load on the machine hits both alike
        seconds, count = timed(lambda rep=rep: len(Simulation(
            compiled, bundle.scenario, Streams.for_replication(1, rep), events).play()))
        ours.append(seconds / count)
        seconds, served = timed(lambda rep=rep: on_fresh_stack(  # as drillsim runs
            lambda: bare_mmc(per_hour / 60, days * 1440.0, rep, c)))
        bare.append(seconds / served)
    return statistics.median(ours), statistics.median(bare), count


def test_mmc_against_a_bare_simpy_mmc(tmp_path: Path) -> None:
    print(f"\nM/M/6 at 75% load, median of {REPEATS} (CPU time)")
    for events in (True, False):
        ours, bare, count = per_incident(tmp_path, 9.0, 60, events)  # a = 4.5 over six
        print(f"  drillsim {ours * 1e6:6.1f} µs/incident (event log {'on' if events else 'off'})"
              f"   bare SimPy M/M/c {bare * 1e6:5.1f} µs   ratio {ours / bare:.2f}x")
    assert count > 10_000


def test_time_per_incident_is_flat_in_the_queue_length(tmp_path: Path) -> None:
    rate = 1.2 * C * 60 / MEAN  # arrivals 1.2x what the pool can serve: the queue only grows
    print("\nM/M/6 overloaded (1.2x), horizon doubled twice (CPU time, µs per incident)")
    first = None
    for days in (10, 20, 40):
        ours, bare, count = per_incident(tmp_path, rate, days)
        first = first or ours
        print(f"  {days:3d} days  {count:6d} incidents  drillsim {ours * 1e6:7.1f}  "
              f"bare {bare * 1e6:5.1f}  ({ours / first:.2f}x the shortest)")
    assert ours / first < 2  # quadratic work would make it 4x


def test_time_per_incident_is_flat_in_the_size_of_the_pool(tmp_path: Path) -> None:
    for utilisation, label in ((0.5, "at half load"), (1.2, "overloaded (1.2x)")):
        print(f"\nM/M/c {label}, the pool 10x larger twice, about 7,000 incidents each "
              "(CPU time, µs per incident)")
        first = None
        for c, days in ((6, 20.0), (60, 2.0), (600, 0.2)):
            ours, bare, count = per_incident(tmp_path, utilisation * c * 60 / MEAN,
                                             days * 1.2 / utilisation, c=c)
            first = first or ours
            print(f"  c = {c:3d}  {count:6d} incidents  drillsim {ours * 1e6:7.1f}  "
                  f"bare {bare * 1e6:5.1f}  ratio {ours / bare:.2f}x  ({ours / first:.2f}x the "
                  "smallest pool)")
        assert ours / first < 2  # a scan of the pool per page would make it many times


def _deeper(depth: int, work: Callable[[], Any]) -> Any:
    """`work()` called `depth` frames deeper than here."""
    return work() if depth == 0 else _deeper(depth - 1, work)


def test_time_per_incident_is_flat_in_the_callers_stack_depth(tmp_path: Path) -> None:
    """How deep the caller is decides where CPython's frame stack crosses from one chunk to the
    next; a hot chain straddling that edge maps and unmaps memory at every step. drillsim runs
    a long replication on a stack of its own; the bare model, called in place, shows the cliff."""
    path = tmp_path / "mmc-depth.yaml"
    path.write_text(yaml.safe_dump(scenario(9.0, 20)), encoding="utf-8")
    bundle = load(path)
    compiled = CompiledOrg.build(bundle.org, bundle.scenario.start_instant())
    ours: dict[int, list[float]] = {}
    bare: dict[int, list[float]] = {}
    for _ in range(2):
        for depth in range(0, 100, 4):
            seconds, count = timed(lambda depth=depth: _deeper(depth, lambda: len(Simulation(
                compiled, bundle.scenario, Streams.for_replication(1, 0)).play())))
            ours.setdefault(depth, []).append(seconds / count)
            seconds, served = timed(lambda depth=depth: _deeper(
                depth, lambda: bare_mmc(9.0 / 60, 20 * 1440.0, 0)))
            bare.setdefault(depth, []).append(seconds / served)
    low, high = (f(min(v) for v in ours.values()) for f in (min, max))
    bare_low, bare_high = (f(min(v) for v in bare.values()) for f in (min, max))
    print(f"\nM/M/6 called from 0 to 96 frames deeper (CPU time, µs per incident, best of 2)\n"
          f"  drillsim {low * 1e6:5.1f} to {high * 1e6:5.1f} ({high / low:.2f}x)   "
          f"bare SimPy M/M/c in place {bare_low * 1e6:5.1f} to {bare_high * 1e6:5.1f} "
          f"({bare_high / bare_low:.2f}x)")
    assert high / low < 1.5  # a replication straddling a chunk's edge runs 2-3 times slower
