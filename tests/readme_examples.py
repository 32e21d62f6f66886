"""The README's examples, run for real.

An example is a fenced ```text block whose first line is `$ drillsim ...`. Each block is a
session: its `$ ` lines run in order (with bash, `drillsim` from this interpreter's folder) in a
scratch folder holding the files of tests/readme/, and each prints what the lines below it
show. A line `…` stands for lines left out: the lines above it are the first of the output and
the lines below it the last. Trailing spaces are ignored (editors strip them); nothing else is
normalised, as the commands print no elapsed times when not on a terminal.

`make readme` (`python tests/readme_examples.py`) rewrites every example from the current code,
keeping how many lines each shows before and after its `…`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FILES = Path(__file__).resolve().parent / "readme"
BLOCK = re.compile(r"^```text\n(\$ drillsim .*?)^```$", re.MULTILINE | re.DOTALL)
ELLIPSIS = "…"
WIDTH = 110  # columns of the terminal the examples are shown in


@dataclass(frozen=True)
class Step:
    """One command of a session and the lines the README shows for it."""

    command: str
    shown: tuple[str, ...]

    def matches(self, output: list[str]) -> bool:
        if ELLIPSIS not in self.shown:
            return list(self.shown) == output
        head, tail = self._split()
        return (len(output) > len(head) + len(tail) and output[:len(head)] == head
                and output[len(output) - len(tail):] == tail)

    def render(self, output: list[str]) -> list[str]:
        """The README's lines for this step, showing `output` as much of it as it shows now."""
        lines = [f"$ {self.command}"]
        if ELLIPSIS not in self.shown:
            return lines + output
        head, tail = (len(part) for part in self._split())
        if len(output) <= head + tail:
            return lines + output
        return lines + output[:head] + [ELLIPSIS] + output[len(output) - tail:]

    def _split(self) -> tuple[list[str], list[str]]:
        at = self.shown.index(ELLIPSIS)
        return list(self.shown[:at]), list(self.shown[at + 1:])


def sessions(text: str) -> list[tuple[re.Match[str], list[Step]]]:
    """Every example block of the README with its steps."""
    found = []
    for match in BLOCK.finditer(text):
        steps: list[Step] = []
        command, shown = "", []
        for line in match.group(1).splitlines():
            if line.startswith("$ "):
                if command:
                    steps.append(Step(command, tuple(shown)))
                command, shown = line[2:], []
            else:
                shown.append(line.rstrip())
        steps.append(Step(command, tuple(shown)))
        found.append((match, steps))
    return found


def run(steps: list[Step]) -> list[list[str]]:
    """What each step prints (stdout and stderr, as a terminal shows them), in a fresh folder."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "COLUMNS": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("FORCE_COLOR", None)
    with tempfile.TemporaryDirectory() as scratch:
        shutil.copytree(FILES, scratch, dirs_exist_ok=True)
        outputs = []
        for step in steps:
            done = subprocess.run(["bash", "-c", step.command], cwd=scratch, env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
            outputs.append([line.rstrip() for line in done.stdout.splitlines()])
        return outputs


def fresh_block(steps: list[Step], outputs: list[list[str]]) -> str:
    lines = [line for step, output in zip(steps, outputs, strict=True)
             for line in step.render(output)]
    return "\n".join(lines) + "\n"


def refresh(path: Path = README) -> int:
    """Rewrite every example of the README from the current code; how many changed."""
    text = path.read_text(encoding="utf-8")
    changed, out, end = 0, [], 0
    for match, steps in sessions(text):
        block = fresh_block(steps, run(steps))
        changed += block != match.group(1)
        out += [text[end:match.start(1)], block]
        end = match.end(1)
    path.write_text("".join([*out, text[end:]]), encoding="utf-8")
    return changed


if __name__ == "__main__":
    print(f"{refresh()} README example(s) rewritten")
