"""Where independent jobs run: in this process, in a local process pool, or on a Dask cluster,
behind one interface. A task `fn(context, batch)` gets a read-only `context` (shipped to each
worker once, not with every batch) and a batch of jobs, and returns one result per job; batches
come back as they finish, so a caller must not rely on their order. Results depend only on the
jobs, never on which worker ran them or how many there were."""

from __future__ import annotations

import multiprocessing
import signal
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from drillsim.scenarios.errors import InputError, Problem

Task = Callable[[Any, Sequence[Any]], list[Any]]
_context: Any = None  # a pool worker's copy of the context


def _install(context: Any) -> None:
    """A pool worker keeps the context and leaves Ctrl-C to the parent, which ends the pool."""
    global _context
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _context = context


def _call(args: tuple[Task, Sequence[Any]]) -> tuple[Sequence[Any], list[Any]]:
    fn, batch = args
    return batch, fn(_context, batch)


def _call_with(fn: Task, context: Any, batch: Sequence[Any]) -> tuple[Sequence[Any], list[Any]]:
    return batch, fn(context, batch)


class Executor(ABC):
    """Runs batches of jobs; use it as a context manager so its workers end with the block."""

    workers: int
    name: str

    @abstractmethod
    def map(self, fn: Task, context: Any, batches: Sequence[Sequence[Any]]
            ) -> Iterator[tuple[Sequence[Any], list[Any]]]:
        """(batch, results) for every batch, in the order they finish."""

    def close(self) -> None:  # noqa: B027 - nothing to end for executors without workers
        """End the workers."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Serial(Executor):
    """Everything in this process, in order: the reference the others must agree with."""

    workers, name = 1, "serial"

    def map(self, fn: Task, context: Any, batches: Sequence[Sequence[Any]]
            ) -> Iterator[tuple[Sequence[Any], list[Any]]]:
        for batch in batches:
            yield batch, fn(context, batch)


class ProcessPool(Executor):
    """A local multiprocessing pool. Leaving it (done, or on Ctrl-C) ends the workers at once,
    where a ProcessPoolExecutor would wait for the queued batches."""

    name = "process pool"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: Any = None
        self._context: Any = None

    def map(self, fn: Task, context: Any, batches: Sequence[Sequence[Any]]
            ) -> Iterator[tuple[Sequence[Any], list[Any]]]:
        if self._pool is None or self._context is not context:
            self.close()
            self._pool = multiprocessing.Pool(self.workers, initializer=_install,
                                              initargs=(context,))
            self._context = context
        yield from self._pool.imap_unordered(_call, [(fn, b) for b in batches])

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


class Dask(Executor):
    """A Dask cluster: an existing one at `address` (`tcp://HOST:PORT`), or a LocalCluster of
    `workers` single-threaded processes started here and ended with this executor. The context
    is scattered to every worker once."""

    def __init__(self, address: str | None = None, workers: int = 1) -> None:
        option = "--scheduler" if address else "--dask"
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise InputError([Problem(option, None, "", "Dask is not installed: pip install "
                                      "'drillsim[dask]'")]) from None
        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                         dashboard_address=None)
            self._client = Client(self._cluster)
            self.name = "Dask LocalCluster"
        else:
            try:
                self._client = Client(address, timeout=10)
            except (OSError, ValueError) as exc:  # unreachable, or not an address
                raise InputError([Problem(option, None, address,
                                          f"no Dask scheduler answered: {exc}")]) from None
            self.name = f"Dask at {address}"
        self.workers = max(1, sum(self._client.nthreads().values()))

    def map(self, fn: Task, context: Any, batches: Sequence[Sequence[Any]]
            ) -> Iterator[tuple[Sequence[Any], list[Any]]]:
        from distributed import as_completed

        shared = self._client.scatter(context, broadcast=True)
        futures = [self._client.submit(_call_with, fn, shared, b, pure=False) for b in batches]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            self._client.cancel(futures)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def executor(workers: int, scheduler: str | None = None, dask_local: bool = False) -> Executor:
    """The executor a command line asks for: Dask at `scheduler`, a Dask LocalCluster, a pool of
    `workers` processes, or this process alone for one worker."""
    if scheduler is not None:
        return Dask(scheduler)
    if dask_local:
        return Dask(workers=workers)
    return Serial() if workers <= 1 else ProcessPool(workers)


def batches(jobs: Sequence[Any], workers: int, most: int = 25) -> list[Sequence[Any]]:
    """`jobs` in consecutive batches: a few per worker (fewer round trips than one job each,
    still balanced), at most `most` jobs each, so finished work is reported often."""
    size = max(1, min(most, len(jobs) // (workers * 4)))
    return [jobs[i:i + size] for i in range(0, len(jobs), size)]
