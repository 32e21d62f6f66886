"""Replications: run N of them, serially or in a process pool, with identical results either way."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass
from itertools import islice

from drillsim.scenarios.scenario import Bundle
from drillsim.sim.clock import WallClock
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.engine import TAIL, RunRecords, collector_paused, simulate
from drillsim.sim.records import Records, build
from drillsim.sim.tally import Replication, Tally

BATCH = 32  # replications a worker runs per round trip, at most
CHUNK = 50  # replications whose records are built together when handed on in chunks
_worker: tuple[Bundle, CompiledOrg] | None = None


def _init_worker(bundle: Bundle) -> None:
    global _worker  # one compiled organisation per process, reused by its replications
    compiled = CompiledOrg.build(bundle.org, bundle.scenario.start_instant())
    workload = bundle.scenario.workload
    if workload is not None:
        compiled.prepare(workload.horizon + TAIL)
    _worker = (bundle, compiled)


def _init_pool_worker(bundle: Bundle | None) -> None:
    """A pool worker leaves Ctrl-C to the parent, which ends the pool. Without a bundle it
    was forked from a parent that compiled the organisation already."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if bundle is not None:
        _init_worker(bundle)


def _run_one(args: tuple[int, int, bool, bool]) -> Replication:
    """One replication, compact; with its full rows when `keep`."""
    assert _worker is not None
    bundle, compiled = _worker
    seed, replication, keep, events = args
    with collector_paused():  # its rows and compact arrays too, not only the play
        run = simulate(compiled, bundle.scenario, seed, replication, keep and events,
                       outcomes=keep)  # a summary reads no cost, data loss or updates
        return Replication.of(run, compiled.ranks, keep)


def _run_batch(jobs: list[tuple[int, int, bool, bool]]) -> list[Replication]:
    return [_run_one(job) for job in jobs]


@dataclass(frozen=True)
class Run:
    """A finished run: its inputs, settings, every replication's compact results (`tally`) and,
    when the run kept them, the tidy records."""

    bundle: Bundle
    replications: int
    seed: int
    tally: Tally
    kept: Records | None

    @property
    def records(self) -> Records:
        if self.kept is None:
            raise ValueError("this run kept no records: replicate(..., records=True) keeps them")
        return self.kept


def default_workers() -> int:
    return os.cpu_count() or 1


def replicate(bundle: Bundle, replications: int, seed: int, workers: int | None = None,
              progress: Callable[[int], None] | None = None, events: bool = True,
              records: bool = True, chunks: Callable[[Records], None] | None = None) -> Run:
    """Run `replications` replications of a bundle; `progress(k)` after each k-th finishes.
    Results are folded into the run's tally as they arrive. Without `records` no rows are kept
    (a summary needs none, and memory stays flat in replications); without `events` the
    records' event log stays empty (nothing else changes). With `chunks`, the records are
    handed to it CHUNK whole replications at a time, in order, and not kept."""
    workers = min(workers or default_workers(), replications)
    tally = Tally(tuple(bundle.org.severities))
    clock = WallClock(bundle.scenario.start_instant())  # no second compile
    runs: list[RunRecords] = []
    with closing(_iterate(bundle, replications, seed, workers, progress, events,
                          records or chunks is not None)) as running:  # closed at once on Ctrl-C
        for rep in running:  # in replication order
            tally.add(rep)
            if rep.rows is not None:
                runs.append(rep.rows)
            if chunks is not None and len(runs) == CHUNK:
                chunks(build(runs, clock))
                runs = []
    if chunks is not None:
        if runs:
            chunks(build(runs, clock))
        return Run(bundle, replications, seed, tally, None)
    return Run(bundle, replications, seed, tally, build(runs, clock) if records else None)


def _iterate(bundle: Bundle, replications: int, seed: int, workers: int,
             progress: Callable[[int], None] | None, events: bool,
             records: bool) -> Generator[Replication, None, None]:
    jobs = [(seed, r, records, events) for r in range(replications)]
    forked = multiprocessing.get_start_method() == "fork"
    if workers <= 1 or forked:  # compiled once here; forked workers share it
        _init_worker(bundle)
    if workers <= 1:
        results = map(_run_one, jobs)
        for done, run in enumerate(results, start=1):
            if progress:
                progress(done)
            yield run
        return
    # a multiprocessing pool, not concurrent.futures: leaving it (done, or on Ctrl-C) ends the
    # workers at once, where a ProcessPoolExecutor would wait for its queued replications
    with multiprocessing.Pool(workers, initializer=_init_pool_worker,
                              initargs=(None if forked else bundle,)) as pool:
        # a few batches per worker: fewer round trips than one replication at a time, and
        # still balanced when replications differ in length; a worker holds a batch's
        # results until it sends them, so batches stay small. Only two batches a worker are
        # handed out at a time: a pool ended with many queued can hang in its task thread
        size = min(BATCH, max(1, replications // (workers * 4)))
        batches = iter([jobs[i:i + size] for i in range(0, len(jobs), size)])
        pending = deque(pool.apply_async(_run_batch, (b,)) for b in islice(batches, 2 * workers))
        done = 0
        while pending:
            finished = pending.popleft().get()
            following = next(batches, None)
            if following is not None:
                pending.append(pool.apply_async(_run_batch, (following,)))
            for run in finished:
                done += 1
                if progress:
                    progress(done)
                yield run
