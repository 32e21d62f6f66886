"""Each quarterly game day drilled end to end: recorded through the drill log writer the console
uses, killed mid-write once and resumed, assessed, and stored in SQLite and PostgreSQL. The
report's milestone times are the log's, and its percentiles those of a direct computation from
the simulation's records."""

from __future__ import annotations

import os

import numpy as np
import pytest

from drillsim.drills.assess import run_assessment
from drillsim.drills.drill_history import read_history, store
from drillsim.drills.drill_log import DrillLog, Start
from drillsim.scenarios.loader import load
from drillsim.sim.runner import replicate
from tests.drills.conftest import new_database

GAME_DAYS = ("gameday-notification-failure", "gameday-database-recovery",
             "gameday-security-breach", "gameday-multi-vendor-outage")
BEFORE_KILL = [("detected", 12.5), ("acknowledged", 20.25)]
AFTER_RESUME = [("commander_assigned", 27.0), ("status_page_posted", 31.75),
                ("mitigated", 95.5), ("resolved", 140.125)]
REPS = 40


@pytest.mark.parametrize("scenario", GAME_DAYS)
def test_game_day_recorded_killed_resumed_assessed_stored(scenario, tmp_path, postgres_server):
    path = tmp_path / "drill.jsonl"
    log = DrillLog.create(path, Start(kind="start", version=1, scenario=scenario, seed=9,
                                      started="2026-03-10T10:00:00+00:00", title=scenario))
    for name, minutes in BEFORE_KILL:
        log.append("milestone", minutes, id=name)
    os.write(log._fd, b'{"kind": "milestone", "seq": 3, "id": "comm')  # killed mid-line
    log.close()
    log, record = DrillLog.resume(path)
    assert record.warnings  # the torn line was noticed and cut
    for name, minutes in AFTER_RESUME:
        log.append("milestone", minutes, id=name)
    log.append("end", 150.0)
    log.close()

    a = run_assessment(str(path), None, None, REPS, None, 1, None)
    logged = dict(BEFORE_KILL + AFTER_RESUME)
    assert {m.id: m.at for m in a.milestones if m.at is not None} == logged

    records = replicate(load(scenario), REPS, 9, workers=1).records
    inc = records.incidents
    by_run = inc.groupby("replication")
    direct = {"detected": by_run["detected_at"].min() - by_run["started_at"].min(),
              "mitigated": by_run["mitigated_at"].max() - by_run["started_at"].min(),
              "resolved": by_run["resolved_at"].max() - by_run["started_at"].min()}
    milestones = {m.id: m for m in a.milestones}
    for name, values in direct.items():
        x = np.asarray(values.sort_index(), dtype=float)
        assert milestones[name].p50.value == np.quantile(x, 0.5, method="inverted_cdf"), name
        assert milestones[name].p90.value == np.quantile(x, 0.9, method="inverted_cdf"), name

    for url in (f"sqlite:///{tmp_path / 'history.sqlite'}", new_database(postgres_server,
                                                                         f"{scenario}_{tmp_path.name}")):
        store(a, url)
        drills, stored, _ = read_history(url)
        assert [d["scenario"] for d in drills] == [scenario]
        actual = {m["milestone"]: m["actual_minutes"] for m in stored}
        assert actual == {"detected": 12.5, "acknowledged": 20.25 - 12.5,
                          "commander_assigned": 27.0 - 12.5, "status_page_posted": 31.75 - 12.5,
                          "mitigated": 95.5, "resolved": 140.125}
