"""A what-if sweep at the size users run: 4 variants x 200 replications of the demo quarter, on
1 and 2 worker processes: replications per second, parallel efficiency, and peak memory of the
parent and of the largest worker, with 50 replications beside it to show memory does not grow
with the replications. Each configuration runs in a fresh interpreter, so peaks are its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from .measure import OWN_PEAK

VARY = ["escalation_delay=5m,20m", "secondary=off"]  # with the baseline: 4 variants (zip below)
SCRIPT = OWN_PEAK + textwrap.dedent("""
    import json, resource, sys, time
    from drillsim.scenarios.experiment import Variant, bundles
    from drillsim.scenarios.overrides import Documents, Override
    from drillsim.sim.executors import executor
    from drillsim.sim.sweep import Sweep, run_sweep

    reps, workers = int(sys.argv[1]), int(sys.argv[2])
    variants = [Variant("baseline"), Variant("5m", (Override("escalation_delay", "5m"),)),
                Variant("20m", (Override("escalation_delay", "20m"),)),
                Variant("no secondary", (Override("secondary", False),))]
    sweep = Sweep.of(bundles(Documents.read("demo", seed=7), variants), 7)
    start = time.perf_counter()
    with executor(workers) as pool:
        points = sum(1 for _ in run_sweep(sweep, reps, pool))
    wall = time.perf_counter() - start
    own, kids = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    cpu = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    print(json.dumps({"points": points, "wall": wall, "cpu": cpu, "parent_kib": own_peak() // 1024,
                      "worker_kib": kids.ru_maxrss}))
""")


def sweep(reps: int, workers: int) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(reps), str(workers)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_whatif_sweep_speed_and_memory():
    load = os.getloadavg()[0]  # other people's work on the machine skews wall-clock figures
    one, two, short = sweep(200, 1), sweep(200, 2), sweep(50, 1)
    assert one["points"] == two["points"] == 800 and short["points"] == 200
    speedup = one["wall"] / two["wall"]
    print(f"\n4 variants x 200 replications of the demo quarter (load average before: "
          f"{load:.1f} on {os.cpu_count()} cores)")
    for name, r in (("1 worker ", one), ("2 workers", two)):
        worker = "in the parent" if r["worker_kib"] == 0 else f"worker {r['worker_kib'] / 1024:.0f} MiB"
        print(f"  {name}  {r['wall']:6.1f} s  {r['points'] / r['wall']:5.2f} replications/s  "
              f"({1000 * r['cpu'] / r['points']:.0f} ms CPU each)  "
              f"peak memory: parent {r['parent_kib'] / 1024:.0f} MiB, {worker}")
    print(f"  speed-up 2 vs 1 worker {speedup:.2f}x, parallel efficiency {speedup / 2:.0%}")
    print(f"  peak memory with 50 replications per variant: {short['parent_kib'] / 1024:.0f} MiB"
          f" (200: {one['parent_kib'] / 1024:.0f} MiB)")
    assert one["parent_kib"] < 1.25 * short["parent_kib"]  # flat in the replications
