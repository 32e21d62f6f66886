"""Rewrite the figures in the README's Speed section from the log of a `make bench` run, so the
figures shown are always what the benchmarks printed.

Each benchmark prints one or more blocks of lines; a README ```text block in the Speed section
is made of such blocks, one per paragraph, recognised by its first line with the figures left
out. Every block the README shows is replaced by the same block from the log; a block the log
lacks is an error, and the prose around the blocks is left as it is.

`make bench` writes bench.log; `python tests/benchmarks/readme.py bench.log` rewrites README.md.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = re.compile(r"^## Speed\n.*?(?=^## )", re.MULTILINE | re.DOTALL)
TEXT = re.compile(r"^```text\n(.*?)\n```$", re.MULTILINE | re.DOTALL)
FIGURE = re.compile(r"[\d.,]+")
SEPARATOR = re.compile(r"^(\.|\d+ passed.*|=+.*=+)$")  # pytest's progress and its tally


def shape(line: str) -> str:
    """A line with its figures left out: what a block's first line is recognised by."""
    return FIGURE.sub("#", line.strip())


def blocks(log: str) -> dict[str, list[str]]:
    """The blocks the benchmarks printed, by the shape of their first line."""
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for line in [*log.splitlines(), "."]:
        if SEPARATOR.match(line.strip()) or not line.strip():
            if current:
                found.setdefault(shape(current[0]), current)
            current = []
        else:
            current.append(line.rstrip())
    return found


def rewrite(readme: str, log: str) -> str:
    """The README with each block of its Speed section replaced by the log's."""
    printed = blocks(log)

    def one(match: re.Match[str]) -> str:
        shown = []
        for paragraph in match.group(1).split("\n\n"):
            first = paragraph.splitlines()[0]
            if shape(first) not in printed:
                raise ValueError(f"the benchmark log has no block starting {first!r}")
            shown.append("\n".join(printed[shape(first)]))
        return "```text\n" + "\n\n".join(shown) + "\n```"

    section = SECTION.search(readme)
    if section is None:
        raise ValueError("the README has no Speed section")
    new = TEXT.sub(one, section.group(0))
    return readme[:section.start()] + new + readme[section.end():]


def main(log_path: str) -> None:
    README.write_text(rewrite(README.read_text(encoding="utf-8"),
                              Path(log_path).read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench.log")
