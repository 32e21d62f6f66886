"""What a large company would run: 1,000 responders (50 teams of 20), 100 rotations (each
team's primary and secondary; leads are paged directly), a year of incidents, 100 replications
of a summary, on one worker and on two, each in a fresh process: time and peak memory."""

from __future__ import annotations

from pathlib import Path

import yaml

from .measure import MIB, measure
from .test_org_scale import organisation, scenario

TEAMS = 50
REPLICATIONS = 100


def test_a_thousand_responders_a_hundred_rotations_a_year_a_hundred_replications(
        tmp_path: Path) -> None:
    org = organisation(TEAMS, size=20, rotations=2)
    assert (len(org["responders"]), len(org["rotations"])) == (1000, 100)
    (tmp_path / "org.yaml").write_text(yaml.safe_dump(org), encoding="utf-8")
    (tmp_path / "year.yaml").write_text(yaml.safe_dump(scenario(TEAMS)), encoding="utf-8")
    runs = {workers: measure(tmp_path / "year.yaml", REPLICATIONS, workers) for workers in (1, 2)}
    assert runs[1]["summary"] == runs[2]["summary"]
    incidents = runs[1]["incidents"]
    print(f"\n1,000 responders, 100 rotations, a year ({incidents / REPLICATIONS:,.0f} incidents "
          f"a replication), {REPLICATIONS} replications, summary only")
    print("workers   wall s   CPU s   µs/incident (CPU)   peak MiB: parent  worker")
    for workers, run in runs.items():
        worker = f"{run['worker'] / MIB:6.0f}" if workers > 1 else f"{'-':>6}"  # one: no pool
        print(f"{workers:7d}  {run['wall']:7.1f}  {run['cpu']:6.1f}  "
              f"{run['cpu'] / incidents * 1e6:18.0f}  {run['parent'] / MIB:16.0f}  {worker}")
    print(f"2 workers: {runs[1]['wall'] / runs[2]['wall']:.2f}x the speed of one (wall clock), "
          f"{runs[2]['cpu'] / runs[1]['cpu']:.2f}x its CPU time")
    assert 1700 * REPLICATIONS <= incidents <= 2300 * REPLICATIONS
