"""The README's examples marked as checked are the real output of the current code."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli

README = Path(__file__).parent.parent / "README.md"
MARK = "<!-- output checked by tests/test_readme.py -->\n```text\n"


def blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [part.split("\n```", 1)[0] for part in text.split(MARK)[1:]]


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
def test_readme_example_is_real_output(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command, expected in sessions(block):
        args = shlex.split(command)
        assert args[0] == "drillsim"
        result = CliRunner().invoke(cli, args[1:], env={"COLUMNS": "100"})
        actual = [line.rstrip() for line in result.output.splitlines()]
        assert matches(expected, actual), f"$ {command}\n" + "\n".join(actual)


def test_there_are_checked_examples():
    assert len(blocks()) >= 3
