"""The exceptions drillsim raises for a user's mistake, each able to say exactly where it is."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


class DrillsimError(Exception):
    """Base of every error caused by a user's input; the CLI prints it and exits with status 2."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file: where it is and what was expected."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class InputError(DrillsimError):
    """An input file is invalid; carries every problem found in it at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def nearest(name: str, choices: Iterable[str]) -> str:
    """A ` (did you mean 'x'?)` hint for a probable typo, or an empty string."""
    match = difflib.get_close_matches(name, [c for c in choices if c != name], n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""
