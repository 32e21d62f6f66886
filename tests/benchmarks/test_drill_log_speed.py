"""What the drill log's promise costs: an entry flushed and fsynced before the console answers,
against the same lines written without fsync, and a whole console round trip (HTTP request,
stamp, fsync, answer) through the ASGI app; and reading back a long log.

Figures are ratios against the plain write measured alongside, since the machine is shared."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from starlette.testclient import TestClient

from drillsim.drills.console import Console, create_app, open_log
from drillsim.drills.drill_log import DrillLog, Start, read_log
from tests.drills.console_support import exercise

ENTRIES, REPEATS = 200, 3
START = Start(kind="start", version=1, scenario="bench")


def _plain(path: Path) -> float:
    began = time.perf_counter()
    with path.open("w", encoding="utf-8") as handle:
        for n in range(ENTRIES):
            handle.write(f'{{"kind": "note", "seq": {n + 1}, "minutes": {n}, "text": "n{n}"}}\n')
            handle.flush()
    return (time.perf_counter() - began) / ENTRIES


def _logged(path: Path) -> float:
    log = DrillLog.create(path, START)
    began = time.perf_counter()
    for n in range(ENTRIES):
        log.append("note", n, text=f"n{n}")
    log.close()
    return (time.perf_counter() - began) / ENTRIES


def _served(folder: Path) -> float:
    log = open_log("bench", None, 1, "p50", 60, str(folder / "served.jsonl"), None, "bench")
    api = TestClient(create_app(Console(exercise(), log)), base_url="http://127.0.0.1")
    began = time.perf_counter()
    for n in range(ENTRIES):
        assert api.post("/api/entry", json={"kind": "note", "text": f"n{n}"}).status_code == 200
    return (time.perf_counter() - began) / ENTRIES


def test_cost_of_an_fsynced_entry(tmp_path: Path) -> None:
    times: dict[str, list[float]] = {"plain write + flush": [], "DrillLog.append (fsync)": [],
                                     "POST /api/entry (app)": []}
    for round_ in range(REPEATS):  # interleaved, so load on the machine hits all alike
        folder = tmp_path / str(round_)
        folder.mkdir()
        times["plain write + flush"].append(_plain(folder / "plain.jsonl"))
        times["DrillLog.append (fsync)"].append(_logged(folder / "drill.jsonl"))
        times["POST /api/entry (app)"].append(_served(folder))
    base = statistics.median(times["plain write + flush"])
    print(f"\nmedian of {REPEATS} rounds of {ENTRIES} entries: time per entry, and as a multiple "
          "of a plain write")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:26} {median * 1e6:9.1f} us {median / base:8.1f}x")
    began = time.perf_counter()
    record = read_log(tmp_path / "0" / "served.jsonl")
    print(f"  read_log of {len(record.entries)} entries: {(time.perf_counter() - began) * 1e3:.1f} ms")
