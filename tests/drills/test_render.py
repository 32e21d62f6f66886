"""What people read: every share in the terminal and the run report shows its n and interval,
severities follow the organisation's ladder, and the interval method is named."""

from __future__ import annotations

import re

from click.testing import CliRunner

from drillsim.drills.cli import cli
from tests.sim.test_mobilisation import TASK_ORG
from tests.sim.test_mobilisation import scenario as drill
from tests.sim.test_summary import ORG, scenario

SHARE = re.compile(r"(\d+)% \(n=(\d+), (\d+)–(\d+)%\)")


def run_cli(write, *args: str) -> str:
    write("org.yaml", ORG)
    path = write("drill.yaml", scenario({"low": 3, "high": 2, "urgent": 19}).replace(
        "incidents:", "org: org.yaml\nincidents:"))
    result = CliRunner().invoke(cli, ["run", str(path), "--workers", "1", *args],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def rows(text: str, title: str) -> list[str]:
    """The body rows of the rich table under `title` (first lines of multi-line rows)."""
    block = text.split(title, 1)[1].split("└", 1)[0]
    return [line for line in block.splitlines() if line.startswith("│ ") and line[2] != " "]


def test_terminal_shares_show_n_and_interval_in_ladder_order(write):
    out = run_cli(write, "--reps", "1")
    sla = [[cell.strip() for cell in row.split("│")[1:-1]] for row in rows(out, "SLA attainment")]
    assert [(row[0], row[1]) for row in sla] == [("urgent", "19"), ("high", "2")]  # severity, n
    urgent = [re.fullmatch(r"(\d+)% \((\d+)–(\d+)%\)", cell) for cell in sla[0][2:]]
    assert len(urgent) == 2  # acknowledge and resolve
    for match in urgent:
        assert match is not None
        share, low, high = (int(v) for v in match.groups())
        assert low <= share <= high
    assert sla[1][3] == "–"  # high sets no resolve target
    _, low, high = urgent[0].groups()
    assert int(high) - int(low) >= 30  # a 19-incident sample reads as the guess it is
    name, severity, n, met, *not_met = (cell.strip() for cell in
                                        rows(out, "Deadlines met")[0].split("│")[1:-1])
    assert (name, severity, len(not_met)) == ("status update", "urgent", 3)  # late, missed, unstaffed
    match = re.fullmatch(r"(\d+)% \((\d+)–(\d+)%\)", met)
    assert match is not None
    share, low, high = (int(v) for v in match.groups())
    assert low <= share <= high
    assert share == round(100 * (int(n) - sum(map(int, not_met))) / int(n))
    severity = rows(out, "By severity")
    assert [row.split("│")[1].strip() for row in severity] == ["urgent", "high", "low"]
    assert "Student t over 20 batch means" in " ".join(out.split())


def test_the_run_report_shows_n_and_interval_for_every_share(write, tmp_path):
    report = tmp_path / "report.md"
    run_cli(write, "--reps", "4", "--report", str(report))
    text = report.read_text(encoding="utf-8")
    sla = text.split("## SLA attainment by severity", 1)[1].split("##", 1)[0]
    lines = [line for line in sla.splitlines() if line.startswith("| urgent") or
             line.startswith("| high")]
    assert [line.split("|")[1].strip() for line in lines] == ["urgent", "high"]
    assert [len(SHARE.findall(line)) for line in lines] == [2, 1]  # high sets one: a dash
    assert "n=76" in lines[0]  # 19 incidents in each of 4 replications
    deadlines = text.split("## Deadlines met", 1)[1].split("##", 1)[0]
    assert SHARE.search(deadlines)
    assert "Student t over the means of 4 replications" in text


def test_reasons_and_roles_show_in_the_terminal_and_the_report(write, tmp_path):
    write("org.yaml", TASK_ORG)
    path = write("drill.yaml", drill("""  - {type: noise, severity: P3, at: 0m, signals: [{delay: 0m}],
     phases: [{name: fix, duration: 1h}]}
  - {type: contract, severity: P1, at: 4h, signals: [{delay: 0m}], requires: [{role: legal}],
     phases: [{name: fix, duration: 1h}]}"""))
    report = tmp_path / "report.md"
    result = CliRunner().invoke(cli, ["run", str(path), "--reps", "3", "--workers", "1",
                                      "--report", str(report)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "never acknowledged: 3 policy exhausted" in result.output
    assert "never resolved: 3 never acknowledged" in result.output
    (legal,) = rows(result.output, "Time to mobilise")
    # role, requests, joined, mean, CI, p90, never mobilised
    assert [c.strip() for c in legal.split("│")[1:-1]] == ["legal", "3", "0", "–", "–", "–",
                                                           "3 unstaffed"]
    text = report.read_text(encoding="utf-8")
    assert "| Why never acknowledged | 3 policy exhausted |" in text
    assert "| legal | 3 | 0 | – | – | – | 3 unstaffed |" in text
