"""Start-up of the everyday commands against a bare `python -c pass`, interleaved in one run.

A CLI is used interactively and in scripts: `--version` and `--help` should feel instant and
`validate FILE` nearly so. Absolute times depend on the machine; the ratios to the bare
interpreter measured alongside are what to compare between runs."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROUNDS = 9
BIN = Path(sys.executable).parent


def _seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def test_start_up_of_the_everyday_commands() -> None:
    drillsim = str(BIN / "drillsim")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "drillsim --version": [drillsim, "--version"],
        "drillsim --help": [drillsim, "--help"],
        "drillsim validate demo": [drillsim, "validate", "demo"],
    }
    for argv in commands.values():  # warm the file cache once
        _seconds(argv)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(ROUNDS):  # interleaved, so load on the shared machine hits all alike
        for name, argv in commands.items():
            times[name].append(_seconds(argv))
    median = {name: statistics.median(values) for name, values in times.items()}
    base = median["python -c pass"]
    print(f"\nmedian of {ROUNDS} runs each")
    for name, seconds in median.items():
        print(f"  {name:24} {seconds:6.3f} s  {seconds / base:6.1f}x python -c pass")
