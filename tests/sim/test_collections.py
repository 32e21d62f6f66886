"""A replication runs the garbage collector rarely and leaves the process's setting as it found
it, however the runs nest or overlap on threads (a Dask worker runs several at once)."""

from __future__ import annotations

import gc
import threading

from drillsim.sim.engine import RARE, rare_collections


def test_nested_runs_restore_the_setting_once_the_outer_one_ends() -> None:
    before = gc.get_threshold()
    with rare_collections():
        with rare_collections():
            assert gc.get_threshold()[0] == RARE
        assert gc.get_threshold()[0] == RARE  # the outer run is still going
    assert gc.get_threshold() == before


def test_overlapping_runs_on_threads_restore_the_setting_when_the_last_ends() -> None:
    before = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[int] = []

    def first() -> None:
        with rare_collections():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with rare_collections():
            second_in.set()
            first_out.wait(5)  # the first left while this one still runs
            seen.append(gc.get_threshold()[0])

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == [RARE]
    assert gc.get_threshold() == before
