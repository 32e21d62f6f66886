"""One whole run (`replicate` and its summary) in a fresh process, as `drillsim run` does it:
wall-clock and CPU time (the process and its workers) and peak resident memory of the parent and
of the largest worker."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from drillsim.sim.engine import collector_paused

MIB = 2**20
OWN_PEAK = """
def own_peak():
    # VmHWM starts afresh at exec; getrusage's maximum keeps the forking process's (the test
    # runner's), which would hide this process's own peak
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status
                        if line.startswith("VmHWM:")) * 1024
    except OSError:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
"""
SCRIPT = OWN_PEAK + """
import json, os, resource, sys, time
from drillsim.scenarios.loader import load
from drillsim.sim.runner import replicate
from drillsim.sim.summary import as_json, run_summary
scenario, reps, workers, records = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
bundle = load(scenario)
before, start = os.times(), time.perf_counter()
summary = run_summary(replicate(bundle, reps, 7, workers=workers, records=records == "1"))
wall, after = time.perf_counter() - start, os.times()
print(json.dumps({"wall": wall, "cpu": sum(after[:4]) - sum(before[:4]),
                  "parent": own_peak(),
                  "worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
                  "incidents": summary.incidents, "summary": as_json(summary)}))
"""


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    """CPU seconds (steadier than wall time on a shared machine) of `func()` run as a worker
    runs a replication, and what it returned. That is with the cyclic collector paused, and
    the young-generation collection that follows once it resumes counted: all that the paused
    run made is young, so that one pass over it is what the pause costs later."""
    gc.collect()  # nobody pays for collecting the garbage the other left behind
    start = time.process_time()
    with collector_paused():
        result = func()
    gc.collect(0)
    return time.process_time() - start, result


def measure(scenario: str | Path, replications: int, workers: int,
            records: bool = False) -> dict[str, Any]:
    """Time (s) and peak memory (bytes) of one run; `records` keeps them, as `--out` does."""
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(scenario), str(replications),
                          str(workers), "1" if records else "0"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def side_by_side(scenario: str | Path, replications: int) -> dict[str, Any]:
    """Two independent one-worker runs of `replications` each, started together: what the
    machine itself gives two processes at once, with no pool, no shipping and no tally. Wall is
    the later to finish, CPU the two together."""
    runs = [subprocess.Popen([sys.executable, "-c", SCRIPT, str(scenario), str(replications),
                              "1", "0"], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    results = [json.loads(run.communicate()[0]) for run in runs]
    assert all(run.returncode == 0 for run in runs)
    return {"wall": max(r["wall"] for r in results), "cpu": sum(r["cpu"] for r in results)}
