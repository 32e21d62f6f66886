"""A long replication runs on a thread of its own: the same records as in place, errors and
results handed back, nested calls run in place, and a forked worker starts its own thread."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import drillsim.sim.engine as engine
from drillsim.scenarios.loader import load
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.engine import simulate
from drillsim.sim.stack import on_fresh_stack
from tests.sim.test_erlang_c import queue_scenario


def test_work_runs_on_another_thread_and_hands_back_its_result() -> None:
    assert on_fresh_stack(threading.get_ident) != threading.get_ident()


def test_a_call_from_that_thread_runs_in_place() -> None:
    def nested() -> bool:
        return on_fresh_stack(threading.get_ident) == threading.get_ident()

    with ThreadPoolExecutor(1) as watch:  # waiting for itself would time out, not hang the run
        assert watch.submit(on_fresh_stack, nested).result(timeout=60)


def test_an_error_is_raised_to_the_caller() -> None:
    with pytest.raises(ZeroDivisionError):
        on_fresh_stack(lambda: 1 / 0)


def _in_child(queue: multiprocessing.Queue[int]) -> None:
    queue.put(on_fresh_stack(lambda: 42))


def test_a_forked_child_starts_its_own_thread() -> None:
    on_fresh_stack(lambda: None)  # the parent's thread exists before the fork
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[int] = context.Queue()
    child = context.Process(target=_in_child, args=(queue,))
    child.start()
    child.join(30)
    assert child.exitcode == 0 and queue.get(timeout=5) == 42


def test_a_replication_on_its_own_stack_keeps_the_same_records(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "queue.yaml"
    path.write_text(queue_scenario(4.0, 30.0, 3, 10), encoding="utf-8")  # about 960 incidents
    bundle = load(path)
    compiled = CompiledOrg.build(bundle.org, bundle.scenario.start_instant())
    threads: list[int] = []

    def spy(work: Callable[[], Any]) -> Any:
        return on_fresh_stack(lambda: (threads.append(threading.get_ident()), work())[1])

    monkeypatch.setattr(engine, "on_fresh_stack", spy)
    own = simulate(compiled, bundle.scenario, 3, 0)
    assert threads and threads[0] != threading.get_ident()
    monkeypatch.setattr(engine, "FRESH_STACK_FROM", float("inf"))
    in_place = simulate(compiled, bundle.scenario, 3, 0)
    assert len(threads) == 1  # this one ran in place
    assert own.incidents == in_place.incidents and own.events == in_place.events
