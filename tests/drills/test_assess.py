"""`drillsim assess`: milestone times are the log's own, percentiles are what a direct
computation from the simulation's records gives, the checklist and rubric follow the plan, and
bad input is one clear message with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from drillsim.drills.assess import run_assessment
from drillsim.drills.cli import cli
from drillsim.scenarios.loader import load
from drillsim.sim.runner import replicate

START = {"kind": "start", "version": 1, "scenario": "gameday-database-recovery", "org": None,
         "seed": 5, "at": "p50", "speed": 1, "started": "2026-04-21T23:00:00+01:00",
         "title": "Q2 game day"}
ENTRIES = [
    ("milestone", {"id": "detected", "minutes": 22.25}),
    ("milestone", {"id": "acknowledged", "minutes": 41.0}),
    ("note", {"text": "DBA <script>alert(1)</script> paged twice", "minutes": 41.5}),
    ("milestone", {"id": "commander_assigned", "minutes": 50.0}),
    ("milestone", {"id": "status_page_posted", "minutes": 50.5}),
    ("milestone", {"id": "status_page_posted", "minutes": 80.0}),
    ("milestone", {"id": "customer update (DR)", "minutes": 60.0}),
    ("milestone", {"id": "mitigated", "minutes": 190.75}),
    ("milestone", {"id": "resolved", "minutes": 261.0}),
    ("action", {"text": "Test the restore monthly", "owner": "Oren Cohen", "due": "2026-05-31"}),
    ("end", {"minutes": 265.0}),
]
REPS = 60


def write_log(path: Path, start: dict = START, entries: list = ENTRIES, torn: str = "") -> Path:
    lines = [json.dumps(start)] + [json.dumps({"kind": kind, "seq": i + 1, **fields})
                                   for i, (kind, fields) in enumerate(entries)]
    path.write_text("\n".join(lines) + "\n" + torn, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def assessed(tmp_path_factory: pytest.TempPathFactory):
    log = write_log(tmp_path_factory.mktemp("drill") / "drill.jsonl")
    return run_assessment(str(log), None, None, REPS, None, 1, None)


@pytest.fixture(scope="module")
def records():
    """The simulation the assessment compares with, run again here."""
    return replicate(load("gameday-database-recovery"), REPS, START["seed"], workers=1).records


def test_milestone_times_are_the_logs(assessed) -> None:
    logged = {f["id"]: f["minutes"] for kind, f in ENTRIES if kind == "milestone"
              and f["id"] not in ("status_page_posted", "customer update (DR)")}
    at = {m.id: m.at for m in assessed.milestones if m.at is not None}
    assert at == {**logged, "status_page_posted": 50.5}
    took = {m.id: m.actual for m in assessed.milestones if m.actual is not None}
    assert took == {"detected": 22.25, "acknowledged": 41.0 - 22.25,
                    "commander_assigned": 50.0 - 22.25, "status_page_posted": 50.5 - 22.25,
                    "mitigated": 190.75, "resolved": 261.0}


def test_percentiles_match_a_direct_computation_from_the_records(assessed, records) -> None:
    inc = records.incidents.sort_values("replication")
    assert len(inc) == REPS  # one incident per run: its own row is the drill's
    mob = records.mobilisations
    commander = mob[mob["role"] == "incident-commander"].set_index("replication")["engaged_at"]
    updates = records.deadlines[records.deadlines["deadline"] == "status update"]
    first_update = updates.groupby("replication")["done_at"].min()
    direct = {
        "detected": inc["detected_at"] - inc["started_at"],
        "acknowledged": inc["acknowledged_at"] - inc["declared_at"],
        "commander_assigned": commander.sort_index().to_numpy() - inc["detected_at"].to_numpy(),
        "status_page_posted": first_update.sort_index().to_numpy() - inc["detected_at"].to_numpy(),
        "mitigated": inc["mitigated_at"] - inc["started_at"],
        "resolved": inc["resolved_at"] - inc["started_at"],
    }
    by_id = {m.id: m for m in assessed.milestones}
    for name, values in direct.items():
        x = np.asarray(values, dtype=float)
        x = np.where(np.isnan(x), np.inf, x)
        m = by_id[name]
        assert m.n == REPS
        assert m.p50.value == np.quantile(x, 0.5, method="inverted_cdf"), name
        assert m.p90.value == np.quantile(x, 0.9, method="inverted_cdf"), name
        assert m.slower.met == int((x < m.actual).sum()), name
        assert m.faster.met == int((x > m.actual).sum()), name
        assert m.p50.low <= m.p50.value <= m.p50.high


def test_checklist_and_rubric_follow_the_plan(assessed) -> None:
    status = {c.text: c.status for c in assessed.checklist}
    # P0 of sla-financial-escalation: acknowledge within 15m, mitigate 4h, resolve 24h
    assert status["Acknowledged within 15m of detection (P0 acknowledge target)"] == "fail"
    assert status["Mitigated within 4h of the start (P0 mitigate target)"] == "pass"
    assert not any("RTO" in text for text in status)  # the plan gives these systems no RTO
    # updates at 50.5 and 80 after detection at 22.25: the first came 28m 15s in, then a 3h gap
    assert status["'status update' every 30m until resolved"] == "fail"
    assert status["'post-mortem' within 3d of resolution"] == "after the drill"
    # one customer update, recorded under the deadline's own name, 37m 45s after detection
    cadence = next(c for c in assessed.checklist if c.text.startswith("'customer update (DR)'"))
    assert cadence.status == "fail" and cadence.actual == "longest gap 3h 21m"
    rubric = {name: kept for name, _, kept, _ in assessed.rubric}
    assert rubric["Cadence kept"] is False
    from drillsim.drills.exercise import build_exercise

    cast = build_exercise("gameday-database-recovery", None, START["seed"], "p50").cast
    assert assessed.participants == tuple(f"{c.name} ({c.role})" for c in cast)
    assert assessed.actions[0].owner == "Oren Cohen"


def test_report_in_markdown_and_html(tmp_path: Path) -> None:
    log = write_log(tmp_path / "drill.jsonl")
    runner = CliRunner()
    for name in ("review.md", "review.html"):
        result = runner.invoke(cli, ["assess", str(log), "--reps", "20", "--workers", "1",
                                     "--out", str(tmp_path / name), "--no-store"])
        assert result.exit_code == 0, result.output
    md = (tmp_path / "review.md").read_text(encoding="utf-8")
    html = (tmp_path / "review.html").read_text(encoding="utf-8")
    assert "| Acknowledged | T+41m | 18m 45s | 15m |" in md
    assert "| Mitigated | T+3h 10m 45s | 3h 10m 45s | 4h | met |" in md
    assert "2026-04-21 23:00 +01:00" in md and "2026-04-21 23:00 +01:00" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\\<script\\>" in md
    assert "- [ ] Test the restore monthly - Owner: Oren Cohen - Due: 2026-05-31" in md
    again = runner.invoke(cli, ["assess", str(log), "--reps", "20", "--workers", "1",
                                "--out", str(tmp_path / "review.md"), "--no-store"])
    assert again.exit_code == 0  # its own earlier report may be replaced


def test_scorecard_with_clock_times(tmp_path: Path) -> None:
    card = tmp_path / "scorecard.csv"
    card.write_text("milestone,label,target_minutes,actual_minutes,notes\n"
                    "detected,Detected,,00:20,\n"
                    "acknowledged,Acknowledged,15,00:31,\"paged twice, then answered\"\n"
                    "mitigated,Mitigated,240,3:05,\n", encoding="utf-8")
    a = run_assessment(str(card), "gameday-database-recovery", "phased-p0-p3", 20, 1, 1, None)
    took = {m.id: m.actual for m in a.milestones if m.actual is not None}
    assert took == {"detected": 20.0, "acknowledged": 11.0, "mitigated": 185.0}
    status = {c.text: c.status for c in a.checklist}
    # phased-p0-p3: database RTO 4h, customer records 24h; P0 detection deadline 5m
    assert status["Systems recovered within their RTO (4h)"] == "pass"
    assert status["Detected within 5m of the start (deadline 'incident detected')"] == "fail"
    assert a.notes == ((31.0, "note", "Acknowledged: paged twice, then answered"),)


def test_torn_last_line_is_left_out_with_a_warning(tmp_path: Path) -> None:
    log = write_log(tmp_path / "drill.jsonl", entries=ENTRIES[:2], torn='{"kind": "mile')
    result = CliRunner().invoke(cli, ["assess", str(log), "--reps", "10", "--workers", "1",
                                      "--out", str(tmp_path / "r.md"), "--no-store"])
    assert result.exit_code == 0, result.output
    assert "drill.jsonl:4: ignored a torn last line" in result.output
    assert "no end line" in result.output


@pytest.mark.parametrize(("entries", "message"), [
    ([("milestone", {"id": "detected", "minutes": "soon"})],
     "drill.jsonl:2: minutes: input should be a valid number"),
    ([("shout", {"minutes": 1})], "drill.jsonl:2: kind: unknown kind 'shout'"),
])
def test_bad_log_is_one_message_and_nothing_written(tmp_path: Path, entries, message) -> None:
    log = write_log(tmp_path / "drill.jsonl", entries=entries)
    out = tmp_path / "review.md"
    result = CliRunner().invoke(cli, ["assess", str(log), "--out", str(out), "--no-store"])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_out_of_order_seq_and_missing_scenario(tmp_path: Path) -> None:
    log = tmp_path / "drill.jsonl"
    log.write_text(json.dumps(START) + "\n" + json.dumps(
        {"kind": "note", "seq": 2, "text": "x", "minutes": 1}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["assess", str(log), "--out", str(tmp_path / "r.md")])
    assert result.exit_code == 2 and "drill.jsonl:2: seq: expected 1, found 2" in result.output
    card = tmp_path / "card.csv"
    card.write_text("milestone,label,target_minutes,actual_minutes,notes\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["assess", str(card), "--out", str(tmp_path / "r.md")])
    assert result.exit_code == 2 and "pass --scenario" in result.output


def test_never_overwrites_a_file_it_did_not_write(tmp_path: Path) -> None:
    log = write_log(tmp_path / "drill.jsonl")
    mine = tmp_path / "notes.md"
    mine.write_text("# my own notes\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["assess", str(log), "--out", str(mine), "--no-store"])
    assert result.exit_code == 2 and "was not written by drillsim assess" in result.output
    assert mine.read_text(encoding="utf-8") == "# my own notes\n"


@pytest.mark.parametrize("args", [["assess", "--help"], ["history", "--help"]])
def test_help_imports_no_heavy_library(args) -> None:
    import subprocess
    import sys

    heavy = ("pandas", "scipy", "matplotlib", "numpy", "sqlalchemy", "alembic")
    done = subprocess.run([sys.executable, "-c", (
        "import sys\nfrom drillsim.drills.cli import cli\ntry:\n"
        f"    cli({args!r})\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {heavy!r} if m in sys.modules], file=sys.stderr)")],
        capture_output=True, text=True, check=False)
    assert done.stderr.strip().splitlines()[-1] == "[]"
