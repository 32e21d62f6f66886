"""The README's examples are real output of the current code. Every `drillsim run` shown in a
text block appears in the command's output, in order; blocks marked as checked are whole sessions
(commands run one after another in one folder, errors included) matched line by line. A line of
just `…` stands for lines left out. The monthly report excerpt, the incident-history example and
the share example are checked too."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli

README = Path(__file__).parents[1] / "README.md"
WIDTH = "100"  # the terminal width the README's tables were printed at
MARK = "<!-- output checked by tests/test_readme.py -->\n"


def examples() -> list[tuple[str, list[str]]]:
    """(command line, lines shown after it) of every `$ drillsim run` in an unmarked text block."""
    found = []
    text = README.read_text(encoding="utf-8")
    for marked, block in re.findall(rf"({re.escape(MARK)})?```text\n(.*?)```", text, re.S):
        if marked:
            continue  # checked as a whole session below
        commands = re.split(r"^\$ ", block, flags=re.M)[1:]
        for command in commands:
            line, *shown = command.rstrip("\n").split("\n")
            if line.startswith("drillsim run "):
                found.append((line, shown))
    return found


def in_order(shown: list[str], output: list[str]) -> str | None:
    """The first shown line not found in `output` after the previous one, or None."""
    position = 0
    for line in shown:
        if line.strip() == "…":
            continue
        try:
            position = output.index(line, position) + 1
        except ValueError:
            return line
    return None


@pytest.mark.parametrize(("command", "shown"), examples(), ids=[c for c, _ in examples()])
def test_readme_example_is_real_output(command, shown):
    args = shlex.split(command)[1:]
    result = CliRunner().invoke(cli, [*args, "--workers", "1"], env={"COLUMNS": WIDTH})
    assert result.exit_code == 0, result.output
    output = [line.rstrip() for line in result.output.splitlines()]
    missing = in_order([line.rstrip() for line in shown], output)
    assert missing is None, f"not in the output of `{command}`:\n{missing}\n\n" + result.output


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


def blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [part.split("\n```", 1)[0] for part in text.split(MARK + "```text\n")[1:]]


def sessions(block: str) -> list[tuple[str, list[str]]]:
    """(command, expected lines) for each `$ drillsim …` in a block."""
    out: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        else:
            out[-1][1].append(line.rstrip())
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line; a line `…` stands for any number of lines."""
    pattern = "\n".join(".*?" if line == "…" else re.escape(line) for line in expected)
    return re.fullmatch(pattern, "\n".join(actual), flags=re.S) is not None


@pytest.mark.parametrize("block", blocks(), ids=lambda b: b.splitlines()[0][:60])
def test_readme_session_is_real_output(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command, expected in sessions(block):
        args = shlex.split(command)
        assert args[0] == "drillsim"
        result = CliRunner().invoke(cli, args[1:], env={"COLUMNS": WIDTH})
        actual = [line.rstrip() for line in result.output.splitlines()]
        assert matches(expected, actual), f"$ {command}\n" + "\n".join(actual)


def test_there_are_checked_examples():
    assert len(examples()) >= 3 and len(blocks()) >= 3
