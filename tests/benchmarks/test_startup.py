"""Start-up of the everyday commands against a bare `python -c pass`, interleaved in one run.

A CLI is used interactively and in scripts: `--version` and `--help` should feel instant and
`validate FILE` nearly so; validating the whole bundled library adds the cost per file. Absolute
times depend on the machine; the ratios to the bare interpreter measured alongside are what to
compare between runs."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROUNDS = 5
BIN = Path(sys.executable).parent
LIBRARY = sorted(path.stem for path in (Path(__file__).parents[2] / "scenarios" / "library")
                 .glob("*.yaml"))  # the bundled files, by name


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _seconds(argv: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run of `argv`."""
    start, cpu = time.perf_counter(), _cpu()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, _cpu() - cpu


def test_start_up_of_the_everyday_commands() -> None:
    drillsim = str(BIN / "drillsim")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "drillsim --version": [drillsim, "--version"],
        "drillsim --help": [drillsim, "--help"],
        "drillsim validate demo": [drillsim, "validate", "demo"],
        f"drillsim validate ({len(LIBRARY)} files)": [drillsim, "validate", *LIBRARY],
    }
    for argv in commands.values():  # warm the file cache once
        _seconds(argv)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(ROUNDS):  # interleaved, so load on the shared machine hits all alike
        for name, argv in commands.items():
            times[name].append(_seconds(argv))
    wall = {name: statistics.median(w for w, _ in values) for name, values in times.items()}
    cpu = {name: statistics.median(c for _, c in values) for name, values in times.items()}
    base_wall, base_cpu = wall["python -c pass"], cpu["python -c pass"]
    print(f"\nmedian of {ROUNDS} runs each: wall clock, CPU, and each as a multiple of python -c pass")
    for name in commands:
        print(f"  {name:30} {wall[name]:6.3f} s {wall[name] / base_wall:5.1f}x   "
              f"cpu {cpu[name]:6.3f} s {cpu[name] / base_cpu:5.1f}x")
