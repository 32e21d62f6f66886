"""Peak memory as replications grow: `drillsim run demo` (a quarter, about 70 incidents a
replication) at 10, 100, 1,000 and 10,000 replications on two workers, each in a fresh process.
Without records (a summary only) the parent keeps a few bytes per incident and the workers
nothing between batches, so memory is flat. Keeping every record is shown alongside for 10 to
1,000 replications, and `--out` with `--report` (Markdown), which hand the records to the
folder and to the report fifty replications at a time and keep none. `drillsim load` builds
records (its bands need the pages' times) and hands them on fifty at a time too."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from .measure import MIB, OWN_PEAK, measure

OUT = OWN_PEAK + """
import json, sys, tempfile
from drillsim.drills.cli import cli
with tempfile.TemporaryDirectory() as folder:
    cli.main(["run", "demo", "--reps", sys.argv[1], "--seed", "7", "--workers", "2",
              "--format", "json", "--out", folder + "/results", "--report",
              folder + "/report.md"], standalone_mode=False)
print(json.dumps({"parent": own_peak()}), file=sys.stderr)
"""
LOAD = OWN_PEAK + """
import json, sys
from drillsim.scenarios.loader import load
from drillsim.sim.load import LoadTally
from drillsim.sim.runner import replicate
bundle, reps = load("demo"), int(sys.argv[1])
tally = LoadTally(bundle, reps, 7)
replicate(bundle, reps, 7, workers=2, chunks=tally.add)
print(json.dumps({"parent": own_peak(), "responders": len(tally.report().responders)}))
"""


def test_peak_memory_is_flat_in_replications() -> None:
    print("\ndemo on 2 workers: peak resident memory (MiB) of the parent and of a worker")
    print(f"{'replications':>12}  {'incidents':>9}  {'summary only':>12}  {'worker':>6}  "
          f"{'all records':>12}  {'--out --report':>14}")
    lean: dict[int, dict[str, Any]] = {}
    for reps in (10, 100, 1000, 10000):
        lean[reps] = measure("demo", reps, workers=2)
        kept = f"{measure('demo', reps, 2, records=True)['parent'] / MIB:12.0f}" \
            if reps <= 1000 else f"{'-':>12}"
        out = f"{streamed(reps) / MIB:14.0f}" if reps <= 1000 else f"{'-':>14}"
        print(f"{reps:12,d}  {lean[reps]['incidents']:9,d}  {lean[reps]['parent'] / MIB:12.0f}  "
              f"{lean[reps]['worker'] / MIB:6.0f}  {kept}  {out}")
    grown = lean[10000]["parent"] - lean[10]["parent"]
    per_incident = grown / (lean[10000]["incidents"] - lean[10]["incidents"])
    print(f"10 to 10,000 replications: the parent grows {grown / MIB:.0f} MiB, "
          f"{per_incident:.0f} bytes per incident (durations, targets, severity and replication, "
          "kept for exact percentiles); a worker "
          f"{(lean[10000]['worker'] - lean[10]['worker']) / MIB:+.0f} MiB")
    assert per_incident < 200  # compact arrays only: records take kilobytes per incident
    assert lean[10000]["worker"] < 1.2 * lean[10]["worker"]


def streamed(replications: int) -> int:
    """Peak memory of `drillsim run demo --out --report` (records handed on as they come)."""
    done = subprocess.run([sys.executable, "-c", OUT, str(replications)], capture_output=True,
                          text=True, check=True)
    return int(json.loads(done.stderr.strip().splitlines()[-1])["parent"])


def test_the_load_report_keeps_no_records_between_chunks() -> None:
    print("\ndrillsim load demo on 2 workers: peak resident memory (MiB) of the parent")
    peak = {}
    for reps in (100, 1000):
        out = subprocess.run([sys.executable, "-c", LOAD, str(reps)], capture_output=True,
                             text=True, check=True)
        peak[reps] = json.loads(out.stdout)["parent"]
        print(f"{reps:12,d} replications  {peak[reps] / MIB:6.0f}")
    assert peak[1000] < 1.15 * peak[100]  # ten times the replications
