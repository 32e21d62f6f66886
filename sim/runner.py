"""Replications: run N of them, serially or in a process pool, with identical results either way."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass

from drillsim.scenarios.scenario import Bundle
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.engine import TAIL, RunRecords, simulate
from drillsim.sim.records import Records, build

_worker: tuple[Bundle, CompiledOrg] | None = None


def _init_worker(bundle: Bundle) -> None:
    global _worker  # one compiled organisation per worker process, reused by its replications
    compiled = CompiledOrg.build(bundle.org, bundle.scenario.start_instant())
    workload = bundle.scenario.workload
    if workload is not None:
        compiled.prepare(workload.horizon + TAIL)
    _worker = (bundle, compiled)


def _init_pool_worker(bundle: Bundle) -> None:
    """A pool worker leaves Ctrl-C to the parent, which ends the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_worker(bundle)


def _run_one(args: tuple[int, int, bool]) -> RunRecords:
    assert _worker is not None
    bundle, compiled = _worker
    seed, replication, events = args
    return simulate(compiled, bundle.scenario, seed, replication, events)


@dataclass(frozen=True)
class Run:
    """A finished run: its inputs, settings and tidy records."""

    bundle: Bundle
    replications: int
    seed: int
    records: Records


def default_workers() -> int:
    return os.cpu_count() or 1


def replicate(bundle: Bundle, replications: int, seed: int, workers: int | None = None,
              progress: Callable[[int], None] | None = None, events: bool = True) -> Run:
    """Run `replications` replications of a bundle; `progress(k)` after each k-th finishes.
    Without `events` the event log stays empty (nothing else changes): a summary needs none."""
    workers = min(workers or default_workers(), replications)
    with closing(_iterate(bundle, replications, seed, workers, progress, events)) as running:
        runs = sorted(running, key=lambda r: r.replication)  # closed at once on Ctrl-C
    compiled_clock = CompiledOrg.build(bundle.org, bundle.scenario.start_instant()).clock
    return Run(bundle, replications, seed, build(runs, compiled_clock))


def _iterate(bundle: Bundle, replications: int, seed: int, workers: int,
             progress: Callable[[int], None] | None,
             events: bool) -> Generator[RunRecords, None, None]:
    jobs = [(seed, r, events) for r in range(replications)]
    if workers <= 1:
        _init_worker(bundle)
        results = map(_run_one, jobs)
        for done, run in enumerate(results, start=1):
            if progress:
                progress(done)
            yield run
        return
    # a multiprocessing pool, not concurrent.futures: leaving it (done, or on Ctrl-C) ends the
    # workers at once, where a ProcessPoolExecutor would wait for its queued replications
    with multiprocessing.Pool(workers, initializer=_init_pool_worker, initargs=(bundle,)) as pool:
        # a few batches per worker: fewer round trips than one replication at a time, and
        # still balanced when replications differ in length
        batch = max(1, replications // (workers * 4))
        for done, run in enumerate(pool.imap(_run_one, jobs, chunksize=batch), start=1):
            if progress:
                progress(done)
            yield run
