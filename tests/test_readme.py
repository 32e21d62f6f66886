"""The README's terminal and report excerpts are what the current code prints."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from drillsim.drills.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def block_after(command: str) -> list[str]:
    """The lines of the README's text block that follow `$ command`, up to the next `$` or fence."""
    start = README.index(f"$ {command}\n") + len(command) + 3
    body = README[start:README.index("```", start)]
    return re.split(r"^\$ ", body, flags=re.M)[0].rstrip("\n").split("\n")


def test_the_quick_tour_is_real_output(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    shown = block_after("drillsim run demo --reps 20 --seed 7")
    assert shown[-1] == "…"
    result = CliRunner().invoke(cli, ["run", "demo", "--reps", "20", "--seed", "7"])
    assert result.exit_code == 0, result.output
    printed = [line.rstrip() for line in result.stdout.splitlines()]
    assert shown[:-1] == printed[:len(shown) - 1]


def test_the_monthly_report_excerpt_is_real_output(tmp_path):
    shown = block_after("sed -n '/^## Trend/,/^A partial/p' monthly.md")
    runner = CliRunner()
    # the report reads the first replication, which is the same however many run
    assert runner.invoke(cli, ["run", "demo", "--reps", "1", "--seed", "7", "--out",
                               str(tmp_path / "demo-results"), "--format", "json"]).exit_code == 0
    out = tmp_path / "monthly.md"
    assert runner.invoke(cli, ["report", "monthly", str(tmp_path / "demo-results"), "--out",
                               str(out)]).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    first = lines.index("## Trend")
    last = next(i for i, line in enumerate(lines) if line.startswith("A partial"))
    assert shown == lines[first:last + 1]


def test_the_incident_history_example_reads(tmp_path):
    from drillsim.reports.history import load_history

    start = README.index("type,severity,started,detected,mitigated,resolved\n")
    csv = tmp_path / "history.csv"
    csv.write_text(README[start:README.index("```", start)], encoding="utf-8")
    history = load_history(csv)
    assert history.ladder == ("SEV1", "SEV4") and len(history.incidents) == 2
    assert str(history.incidents.started[1]) == "2026-01-25 08:00:00+00:00"


def test_the_share_example_is_in_the_golden_run_report():
    golden = Path(__file__).parent / "reports" / "golden" / "run-database-failover-drill.md"
    example = re.search(r"`(\d+% \(n=\d+, \d+–\d+%\))`", README)
    assert example and example[1] in golden.read_text(encoding="utf-8")
