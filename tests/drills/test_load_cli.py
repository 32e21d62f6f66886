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


def test_report_in_markdown_and_html_escapes_names_and_never_clobbers(tmp_path):
    from tests.sim.test_load import ORG, SCENARIO

    (tmp_path / "org.yaml").write_text(ORG.replace("- {id: a}", '- {id: a, name: "<b>|*x*"}'),
                                       encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    run = ["load", str(tmp_path / "s.yaml"), "--reps", "2", "--workers", "1", "--format", "json"]
    for name in ("r.md", "r.html"):
        result = CliRunner().invoke(cli, [*run, "--report", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;|*x*" in html and "<b>|" not in html
    assert "daily: 2026-03-28 09:00 +00:00 to 2026-03-29 09:00 +01:00" in html  # the gap, local
    markdown = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert r"\<b\>\|\*x\*" in markdown
    assert "1 coverage gap(s), 23.0 h" in markdown
    mine = tmp_path / "mine.md"
    mine.write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(cli, [*run, "--report", str(mine)])
    assert result.exit_code == 2 and mine.read_text(encoding="utf-8") == "mine"
