"""A replication runs with the cyclic garbage collector paused, and leaves the collector as it
found it however the runs nest or overlap on threads (a Dask worker runs several at once). The
pause is safe only because a replication makes no cyclic garbage: everything it allocates is
freed by reference counting or lives to its end; dropped, it is freed by reference counting but
for a few of SimPy's objects. Checked on every bundled scenario, a saturated team pool and an
organisation that pulls people off less severe work."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable
from pathlib import Path

import pytest

from drillsim.scenarios.document import bundled
from drillsim.scenarios.loader import Bundle, load
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.engine import Simulation, collector_paused
from drillsim.sim.streams import Streams
from drillsim.sim.tally import Replication
from tests.sim.test_erlang_c import queue_scenario
from tests.sim.test_mobilisation import POOL_ORG, THREE, scenario


def test_nested_runs_resume_the_collector_once_the_outer_one_ends() -> None:
    assert gc.isenabled()
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer run is still going
    assert gc.isenabled()


def test_a_collector_off_before_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_runs_on_threads_resume_the_collector_when_the_last_ends() -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collector_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with collector_paused():
            second_in.set()
            first_out.wait(5)  # the first left while this one still runs
            seen.append(gc.isenabled())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == [False]
    assert gc.isenabled()


def test_a_dropped_replication_is_freed_by_a_young_collection(tmp_path: Path) -> None:
    """Most of a replication is cyclic garbage once dropped (its pending events, tracks and
    processes refer back to it), so it must still be young when the collector resumes: left to
    the oldest generation, it would wait for a rare full collection and a worker would grow."""
    bundle = bundles(tmp_path)[-2]  # the busy team queue
    compiled = CompiledOrg.build(bundle.org, bundle.scenario.start_instant())
    gc.collect()
    sim = Simulation(compiled, bundle.scenario, Streams.for_replication(3, 0))
    sim.play()
    gone = weakref.ref(sim)
    del sim
    gc.collect(1)
    assert gone() is None


def left_behind(work: Callable[[], object]) -> int:
    """How many objects `work` leaves as cyclic garbage: what a collection after it frees."""
    gc.collect()
    gc.disable()
    try:
        kept = work()  # noqa: F841 - what it returns is not garbage
        return gc.collect()
    finally:
        gc.enable()


def bundles(tmp_path: Path) -> list[Bundle]:
    (tmp_path / "queue.yaml").write_text(queue_scenario(14.0, 30.0, 6, 10), encoding="utf-8")
    (tmp_path / "org.yaml").write_text(POOL_ORG.format(preempt="true"), encoding="utf-8")
    (tmp_path / "preempt.yaml").write_text(scenario(THREE), encoding="utf-8")
    return [load(name) for name, kind, _ in bundled() if kind == "scenario"] + [
        load(tmp_path / "queue.yaml"), load(tmp_path / "preempt.yaml")]


@pytest.mark.parametrize("keep", [True, False])
def test_a_running_replication_makes_no_cyclic_garbage(tmp_path: Path, keep: bool) -> None:
    """Run as a worker runs it (its rows and compact results too, with and without the event
    log), nothing it made is cyclic garbage while the replication and its incidents are kept:
    they become garbage together when dropped, for the collector once it resumes."""
    for bundle in bundles(tmp_path):
        compiled = CompiledOrg.build(bundle.org, bundle.scenario.start_instant())

        def replication(b: Bundle = bundle, c: CompiledOrg = compiled) -> object:
            sim = Simulation(c, b.scenario, Streams.for_replication(3, 0), keep)
            incidents = sim.play()
            return sim, incidents, Replication.of(sim.records(0, incidents, keep), c.ranks, keep)

        assert left_behind(replication) == 0, bundle.scenario.name


@pytest.mark.parametrize("events", [True, False])
def test_a_dropped_replication_is_freed_by_reference_counting(tmp_path: Path,
                                                              events: bool) -> None:
    """Once a worker has its compact results and drops the rest, reference counting frees the
    replication: the collector is left only SimPy's environment and the processes still
    waiting when the run ended, a few hundred objects however many incidents ran (a hook from
    paging back into the simulation once left the whole replication, log rows and all, to the
    collector)."""
    for bundle in bundles(tmp_path):
        compiled = CompiledOrg.build(bundle.org, bundle.scenario.start_instant())
        gc.collect()
        gc.disable()
        try:
            sim = Simulation(compiled, bundle.scenario, Streams.for_replication(3, 0), events)
            incidents = sim.play()
            kept = Replication.of(sim.records(0, incidents, events), compiled.ranks, False)
            del sim, incidents
            assert gc.collect() < 1_000, bundle.scenario.name
            assert len(kept.durations) > 0  # what the worker sends on is still there
        finally:
            gc.enable()
