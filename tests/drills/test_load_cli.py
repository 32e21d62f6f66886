"""`drillsim load`: JSON with n and intervals for every estimate, and a drill refused before
anything runs."""

from __future__ import annotations

import json

from click.testing import CliRunner

from drillsim.drills.cli import cli


def test_json_gives_every_estimate_with_n_and_interval():
    result = CliRunner().invoke(cli, ["load", "demo", "--reps", "3", "--seed", "2", "--workers", "1",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["replications"] == 3 and data["from"] == "2026-01-05T00:00:00+00:00"
    assert set(data["bands"]) == {"business", "off_hours", "sleep"}
    alice = next(r for r in data["responders"] if r["responder"] == "alice")
    for estimate in (*alice["pages_per_month"].values(), alice["interruptions_per_month"],
                     alice["person_hours_per_month"], alice["incidents_per_12h_on_call"]):
        assert estimate["n"] == 3
        low, high = estimate["ci95"]
        assert low <= estimate["mean"] <= high
    primary = next(r for r in data["rotations"] if r["rotation"] == "primary")
    assert 0 < primary["score"] <= 100 and primary["always_on"]


def test_a_drill_has_no_month_to_count_pages_in():
    result = CliRunner().invoke(cli, ["load", "database-failover-drill"])
    assert result.exit_code == 2
    assert "workload: on-call load needs a workload scenario" in result.output
    assert "Traceback" not in result.output
