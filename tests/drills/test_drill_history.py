"""The drill history against SQLite and a real PostgreSQL server, with the same test code:
storing and reading back, the trend per quarter, open action items, an in-place upgrade from
the first schema revision with data in it, and several processes writing at once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import multiprocessing
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from drillsim.drills.assess import run_assessment
from drillsim.drills.assessment import Assessment
from drillsim.drills.cli import cli
from drillsim.drills.drill_history import open_history, read_history, store

LOG = [
    {"kind": "start", "version": 1, "scenario": "gameday-database-recovery", "org": None,
     "seed": 3, "at": "p50", "speed": 1, "started": "2026-04-21T23:00:00+01:00",
     "title": "Q2 game day"},
    {"kind": "milestone", "seq": 1, "id": "detected", "minutes": 22.5},
    {"kind": "milestone", "seq": 2, "id": "acknowledged", "minutes": 41.0},
    {"kind": "milestone", "seq": 3, "id": "mitigated", "minutes": 190.25},
    {"kind": "action", "seq": 4, "text": "Test the restore monthly", "owner": "Oren Cohen",
     "due": "2026-05-31"},
    {"kind": "end", "seq": 5, "minutes": 200.0},
]


@pytest.fixture(scope="module")
def assessment(tmp_path_factory: pytest.TempPathFactory) -> Assessment:
    log = tmp_path_factory.mktemp("log") / "drill.jsonl"
    log.write_text("".join(json.dumps(line) + "\n" for line in LOG), encoding="utf-8")
    return run_assessment(str(log), None, None, 20, None, 1, None)


def another(a: Assessment, started: str, acknowledged: float) -> Assessment:
    """The same drill held again at `started`, acknowledged after `acknowledged` minutes."""
    milestones = tuple(dataclasses.replace(m, actual=acknowledged) if m.id == "acknowledged"
                       else m for m in a.milestones)
    return dataclasses.replace(a, identity=f"{a.scenario}@{started}",
                               started=dt.datetime.fromisoformat(started), milestones=milestones)


def test_store_read_trend_and_close(assessment: Assessment, db_url: str) -> None:
    store(assessment, db_url)
    store(assessment, db_url)  # assessed again: replaces, does not duplicate
    store(another(assessment, "2026-05-02T10:00:00+01:00", 12.0), db_url)
    store(another(assessment, "2026-08-01T10:00:00+01:00", 30.0), db_url)
    drills, milestones, _ = read_history(db_url)
    assert [d["started_at"] for d in drills] == [
        dt.datetime(2026, 4, 21, 22, tzinfo=dt.UTC), dt.datetime(2026, 5, 2, 9, tzinfo=dt.UTC),
        dt.datetime(2026, 8, 1, 9, tzinfo=dt.UTC)]
    ack = [m for m in milestones if m["milestone"] == "acknowledged"]
    assert [m["actual_minutes"] for m in ack] == [18.5, 12.0, 30.0]  # 41 - 22.5: the log's figures

    runner = CliRunner()
    result = runner.invoke(cli, ["history", "--db", db_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    trend = {(r["quarter"], r["milestone"]): r for r in data["trend"]}
    q2 = trend[("2026-Q2", "acknowledged")]
    assert q2["drills"] == 2
    assert q2["median_minutes"] == np.quantile([18.5, 12.0], 0.5, method="inverted_cdf")
    assert q2["met"]["met"] == 1 and q2["met"]["n"] == 2  # target 15m: 12 met, 18.5 missed
    assert trend[("2026-Q3", "acknowledged")]["median_minutes"] == 30.0
    assert data["drills"][0]["started"] == "2026-04-21T23:00:00+01:00"
    first_open = len(data["open_actions"])
    assert first_open == 3 * len(assessment.actions)
    item = data["open_actions"][0]
    assert item["text"] == "Test the restore monthly" and item["owner"] == "Oren Cohen"

    closed = runner.invoke(cli, ["history", "--db", db_url, "--close", str(item["id"])])
    assert closed.exit_code == 0, closed.output
    after = json.loads(runner.invoke(cli, ["history", "--db", db_url, "--format", "json"]).output)
    assert len(after["open_actions"]) == first_open - 1
    assert item["id"] not in [a["id"] for a in after["open_actions"]]
    missing = runner.invoke(cli, ["history", "--db", db_url, "--close", "9999"])
    assert missing.exit_code == 2 and "no action item 9999" in missing.output


def test_upgrade_in_place_from_the_first_revision(assessment: Assessment, db_url: str) -> None:
    engine, _ = open_history(db_url, revision="0001")
    with engine.begin() as connection:
        assert "action_items" not in sa.inspect(connection).get_table_names()
        connection.execute(sa.text(
            "INSERT INTO drills (identity, title, scenario, organisation, drill_type, severity, "
            "started_at, zone, duration_minutes, replications, seed, checklist_passed, "
            "checklist_scored, stored_at) VALUES ('old@1', 'Last year''s drill', 'demo', 'Demo', "
            "'Tabletop', 'P1', :t, 'Europe/London', 90, 100, 1, 3, 5, :t)"),
            {"t": dt.datetime(2025, 11, 3, 10, tzinfo=dt.UTC)})
        drill_id = connection.execute(sa.text("SELECT id FROM drills")).scalar_one()
        connection.execute(sa.text(
            "INSERT INTO drill_milestones (drill_id, milestone, label, actual_minutes, "
            "target_minutes, simulated_runs) VALUES (:d, 'acknowledged', 'Acknowledged', 7.5, "
            "15, 100)"), {"d": drill_id})
    engine.dispose()

    store(assessment, db_url)  # opens the history at head: upgrades in place
    drills, milestones, actions = read_history(db_url)
    old = drills[0]
    assert (old["title"], old["checklist_passed"], old["communication"]) == \
        ("Last year's drill", 3, None)
    assert [m["actual_minutes"] for m in milestones if m["drill_id"] == old["id"]] == [7.5]
    assert len(drills) == 2 and len(actions) == len(assessment.actions)
    data = json.loads(CliRunner().invoke(cli, ["history", "--db", db_url, "--format",
                                               "json"]).output)
    assert {r["quarter"] for r in data["trend"]} == {"2025-Q4", "2026-Q2"}


def _write_drills(url: str, a: Assessment, worker: int, count: int) -> None:
    for k in range(count):
        store(another(a, f"2026-0{1 + k % 9}-1{worker}T10:00:00+00:00", 10.0 + worker), url)


def test_concurrent_writers_do_not_corrupt(assessment: Assessment, db_url: str) -> None:
    workers, each = 5, 4
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_write_drills, args=(db_url, assessment, w, each))
                 for w in range(workers)]
    for p in processes:  # all start on an empty database: the migration races too
        p.start()
    for p in processes:
        p.join(timeout=300)
    assert [p.exitcode for p in processes] == [0] * workers
    drills, milestones, actions = read_history(db_url)
    assert len(drills) == workers * each
    assert len({d["identity"] for d in drills}) == workers * each
    per_drill = len([m for m in assessment.milestones if m.actual is not None])
    assert len(milestones) == workers * each * per_drill
    assert len(actions) == workers * each * len(assessment.actions)
    if db_url.startswith("sqlite"):
        engine = sa.create_engine(db_url)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        engine.dispose()


def test_head_is_the_last_migration() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    import drillsim.drills.drill_history as history

    config = Config()
    config.set_main_option("script_location", str(Path(history.__file__).parent / "migrations"))
    assert ScriptDirectory.from_config(config).get_current_head() == history.HEAD


def test_refuses_a_file_that_is_not_a_history(tmp_path: Path) -> None:
    other = tmp_path / "notes.sqlite"
    other.write_text("my notes, not a database\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["history", "--db", str(other)])
    assert result.exit_code == 2
    assert "is not a database drillsim can open" in result.output
    assert other.read_text(encoding="utf-8") == "my notes, not a database\n"
    foreign = tmp_path / "app.sqlite"
    engine = sa.create_engine(f"sqlite:///{foreign}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE users (id INTEGER)")
    engine.dispose()
    result = CliRunner().invoke(cli, ["history", "--db", str(foreign)])
    assert result.exit_code == 2 and "not a drill history" in result.output
