"""The summary against the simulation it summarises, in CPU time: one long replication of a busy
queue (intervals by batch means over every incident) and many replications of the demo (exact
percentiles over every incident, intervals over replication means). Neither may cost more than
the simulation. SciPy's Student t is imported before timing: a process pays that once (about a
quarter of a second), whatever it summarises."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import yaml

from drillsim.scenarios.loader import load
from drillsim.sim.intervals import mean_interval
from drillsim.sim.runner import replicate
from drillsim.sim.summary import as_json, run_summary

from .test_queue_speed import scenario as queue


def timed_run(path: str | Path, replications: int) -> tuple[float, float, int]:
    """CPU seconds to simulate (summary only, one worker) and to summarise, and the incidents."""
    bundle = load(path)
    start = time.process_time()
    run = replicate(bundle, replications, seed=3, workers=1, records=False)
    simulated = time.process_time()
    summary = run_summary(run)
    json.dumps(as_json(summary))
    return simulated - start, time.process_time() - simulated, summary.incidents


def test_the_summary_costs_less_than_the_simulation(tmp_path: Path) -> None:
    mean_interval(np.arange(4.0), np.arange(4))  # imports what the intervals need
    (tmp_path / "queue.yaml").write_text(yaml.safe_dump(queue(9.0, 120)), encoding="utf-8")
    shapes = {"M/M/6, one replication of 120 days": (tmp_path / "queue.yaml", 1),
              "demo, 1,000 replications": ("demo", 1000)}
    print("\nCPU seconds: simulation (one worker, summary only) against its summary")
    print(f"{'':36}  {'incidents':>9}  {'simulate':>8}  {'summarise':>9}  {'share':>5}")
    for label, (path, replications) in shapes.items():
        simulated, summarised, incidents = timed_run(path, replications)
        print(f"{label:36}  {incidents:9,d}  {simulated:8.2f}  {summarised:9.3f}  "
              f"{summarised / simulated:5.1%}")
        assert summarised < simulated
