"""Two workers against one: the demo at 100 and 300 replications (a summary only, as `drillsim
run` without `--out`), each run in a fresh process, interleaved. Efficiency is the speed-up
over the number of workers, from wall-clock time. Two cores of a shared virtual machine do not
give two processes twice the work of one even when the processes never talk to each other, so
the machine's own ceiling is measured alongside: two independent one-worker runs of half the
replications each, started together. The share of that ceiling drillsim reaches is what the
pool, shipping results and the tally cost; CPU time against the ceiling's says the same."""

from __future__ import annotations

import os
import statistics
from typing import Any

from .measure import measure, side_by_side

REPEATS = 5


def test_two_workers_against_one() -> None:
    print(f"\ndemo, summary only: 2 workers against 1, median of {REPEATS} interleaved runs "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start)")
    print(f"{'replications':>12}  {'1 worker s':>10}  {'2 workers s':>11}  {'speed-up':>8}  "
          f"{'efficiency':>10}  {'machine ceiling':>15}  {'of ceiling':>10}  "
          f"{'CPU vs ceiling':>14}")
    for reps in (100, 300):
        one: list[dict[str, Any]] = []
        two: list[dict[str, Any]] = []
        apart: list[dict[str, Any]] = []
        for _ in range(REPEATS):
            one.append(measure("demo", reps, 1))
            two.append(measure("demo", reps, 2))
            apart.append(side_by_side("demo", reps // 2))
        assert all(r["summary"] == one[0]["summary"] for r in one + two)  # same figures
        speedup = statistics.median(a["wall"] / b["wall"] for a, b in zip(one, two, strict=True))
        ceiling = statistics.median(a["wall"] / c["wall"] for a, c in zip(one, apart, strict=True))
        of_ceiling = statistics.median(c["wall"] / b["wall"] for b, c in zip(two, apart,
                                                                             strict=True))
        cpu = statistics.median(b["cpu"] / c["cpu"] for b, c in zip(two, apart, strict=True))
        print(f"{reps:12d}  {statistics.median(r['wall'] for r in one):10.2f}  "
              f"{statistics.median(r['wall'] for r in two):11.2f}  {speedup:7.2f}x  "
              f"{speedup / 2:10.0%}  {ceiling / 2:15.0%}  {of_ceiling:10.0%}  {cpu:13.2f}x")
        assert cpu < 1.2  # the pool adds little work to what two separate runs do
    print(f"(load average {os.getloadavg()[0]:.1f} at the end)")
