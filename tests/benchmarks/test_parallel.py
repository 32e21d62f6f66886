"""Two workers against one: the demo at 100 and 300 replications (a summary only, as `drillsim
run` without `--out`), each run in a fresh process and the two interleaved. Efficiency is the
speed-up over the number of workers, from wall-clock time; the CPU time of all processes shows
the overhead that parallel running adds (set-up, shipping results), which the machine's other
load can neither hide nor inflate."""

from __future__ import annotations

import os
import statistics
from typing import Any

from .measure import measure

REPEATS = 3


def test_two_workers_against_one() -> None:
    print(f"\ndemo, summary only: 2 workers against 1, median of {REPEATS} interleaved runs "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start)")
    print(f"{'replications':>12}  {'1 worker s':>10}  {'2 workers s':>11}  {'speed-up':>8}  "
          f"{'efficiency':>10}  {'CPU 2 / CPU 1':>13}")
    for reps in (100, 300):
        one: list[dict[str, Any]] = []
        two: list[dict[str, Any]] = []
        for _ in range(REPEATS):
            one.append(measure("demo", reps, 1))
            two.append(measure("demo", reps, 2))
        assert all(r["summary"] == one[0]["summary"] for r in one + two)  # same figures
        speedup = statistics.median(a["wall"] / b["wall"] for a, b in zip(one, two, strict=True))
        overhead = statistics.median(b["cpu"] / a["cpu"] for a, b in zip(one, two, strict=True))
        print(f"{reps:12d}  {statistics.median(r['wall'] for r in one):10.2f}  "
              f"{statistics.median(r['wall'] for r in two):11.2f}  {speedup:7.2f}x  "
              f"{speedup / 2:10.0%}  {overhead:12.2f}x")
        assert overhead < 1.25  # two workers do not do much more work than one
    print(f"(load average {os.getloadavg()[0]:.1f} at the end)")
