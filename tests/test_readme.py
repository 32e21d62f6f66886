"""Every example the README shows is the real output of the current code; the monthly report
excerpt, the incident-history example and the share example are checked too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli
from tests.benchmarks.readme import SECTION, TEXT, rewrite
from tests.readme_examples import README, Step, fresh_block, run, sessions

EXAMPLES = sessions(README.read_text(encoding="utf-8"))


def test_the_readme_has_examples_of_each_command():
    commands = {step.command.split()[1] for _, steps in EXAMPLES for step in steps
                if step.command.startswith("drillsim ")}
    assert {"run", "validate", "scenarios", "report", "init", "--version", "tabletop", "plan",
            "export"} <= commands


@pytest.mark.parametrize(("match", "steps"), EXAMPLES,
                         ids=[steps[0].command for _, steps in EXAMPLES])
def test_readme_example(match, steps: list[Step]):
    outputs = run(steps)
    if not all(step.matches(output) for step, output in zip(steps, outputs, strict=True)):
        pytest.fail("the README shows other output than the code now prints; run `make readme` "
                    "to rewrite the examples, or paste this:\n\n```text\n"
                    f"{fresh_block(steps, outputs)}```", pytrace=False)


def test_an_elided_example_matches_only_its_first_and_last_lines():
    step = Step("drillsim x", ("a", "b", "…", "z"))
    assert step.matches(["a", "b", "c", "d", "z"])
    assert not step.matches(["a", "b", "z"])  # nothing was left out
    assert not step.matches(["a", "c", "d", "z"])
    assert step.render(["a", "b2", "c", "d", "y"]) == ["$ drillsim x", "a", "b2", "…", "y"]


def block_after(command: str) -> list[str]:
    """The lines of the README's text block that follow `$ command`, up to the next `$` or fence."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"$ {command}\n") + len(command) + 3
    body = text[start:text.index("```", start)]
    return re.split(r"^\$ ", body, flags=re.M)[0].rstrip("\n").split("\n")


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

    text = README.read_text(encoding="utf-8")
    start = text.index("type,severity,started,detected,mitigated,resolved\n")
    csv = tmp_path / "history.csv"
    csv.write_text(text[start:text.index("```", start)], encoding="utf-8")
    history = load_history(csv)
    assert history.ladder == ("SEV1", "SEV4") and len(history.incidents) == 2
    assert str(history.incidents.started[1]) == "2026-01-25 08:00:00+00:00"


def test_the_share_example_is_in_the_golden_run_report():
    golden = Path(__file__).parent / "reports" / "golden" / "run-database-failover-drill.md"
    example = re.search(r"`(\d+% \(n=\d+, \d+–\d+%\))`", README.read_text(encoding="utf-8"))
    assert example and example[1] in golden.read_text(encoding="utf-8")


def test_the_speed_figures_are_put_in_from_a_bench_log_and_nothing_else_changes():
    readme = README.read_text(encoding="utf-8")
    section = SECTION.search(readme)
    assert section is not None
    shown = [block for match in TEXT.finditer(section.group(0))
             for block in match.group(1).split("\n\n")]
    assert len(shown) >= 9  # year, organisation size, queues, sweep, start-up, memory, workers...
    # a log printing every block with other figures (each digit moved on by one)
    other = "\n.\n".join(re.sub(r"\d", lambda d: str((int(d.group()) + 1) % 10), b)
                         for b in shown)
    rewritten = rewrite(readme, f"\n{other}\n.\n10 passed in 1.0s\n")
    assert rewritten != readme
    assert re.sub(r"\d", "#", rewritten) == re.sub(r"\d", "#", readme)  # only figures changed
    assert rewrite(rewritten, "\n.\n".join(shown)) == readme
    with pytest.raises(ValueError, match="no block starting"):
        rewrite(readme, "\n.\n".join(shown[1:]))
