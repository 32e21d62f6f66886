"""The README's `drillsim run` examples are real output of the current code: every line shown
appears in the command's output, in order (a line of just `…` stands for lines left out)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli

README = Path(__file__).parents[1] / "README.md"
WIDTH = "100"  # the terminal width the README's tables were printed at


def examples() -> list[tuple[str, list[str]]]:
    """(command line, lines shown after it) of every `$ drillsim run` in a text block."""
    found = []
    for block in re.findall(r"```text\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
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
