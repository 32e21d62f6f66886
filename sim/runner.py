"""Replications: run N of them, serially or in a process pool, with identical results either way."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from drillsim.scenarios.scenario import Bundle
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.engine import RunRecords, simulate
from drillsim.sim.records import Records, build

_worker: tuple[Bundle, CompiledOrg] | None = None


def _init_worker(bundle: Bundle) -> None:
    global _worker  # one compiled organisation per worker process, reused by its replications
    _worker = (bundle, CompiledOrg.build(bundle.org, bundle.scenario.start_instant()))


def _run_one(args: tuple[int, int]) -> RunRecords:
    assert _worker is not None
    bundle, compiled = _worker
    seed, replication = args
    return simulate(compiled, bundle.scenario, seed, replication)


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
              progress: Callable[[int], None] | None = None) -> Run:
    """Run `replications` replications of a bundle; `progress(k)` after each k-th finishes."""
    workers = min(workers or default_workers(), replications)
    runs = sorted(_iterate(bundle, replications, seed, workers, progress),
                  key=lambda r: r.replication)
    compiled_clock = CompiledOrg.build(bundle.org, bundle.scenario.start_instant()).clock
    return Run(bundle, replications, seed, build(runs, compiled_clock))


def _iterate(bundle: Bundle, replications: int, seed: int, workers: int,
             progress: Callable[[int], None] | None) -> Iterator[RunRecords]:
    jobs = [(seed, r) for r in range(replications)]
    if workers <= 1:
        _init_worker(bundle)
        results = map(_run_one, jobs)
        for done, run in enumerate(results, start=1):
            if progress:
                progress(done)
            yield run
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                             initargs=(bundle,)) as pool:
        for done, run in enumerate(pool.map(_run_one, jobs, chunksize=1), start=1):
            if progress:
                progress(done)
            yield run
