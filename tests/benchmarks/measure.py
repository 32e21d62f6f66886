"""One whole run (`replicate` and its summary) in a fresh process, as `drillsim run` does it:
wall-clock and CPU time (the process and its workers) and peak resident memory of the parent and
of the largest worker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

MIB = 2**20
SCRIPT = """
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
                  "parent": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
                  "incidents": summary.incidents, "summary": as_json(summary)}))
"""


def measure(scenario: str | Path, replications: int, workers: int,
            records: bool = False) -> dict[str, Any]:
    """Time (s) and peak memory (bytes) of one run; `records` keeps them, as `--out` does."""
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(scenario), str(replications),
                          str(workers), "1" if records else "0"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)
