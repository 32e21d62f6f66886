"""A sweep: every variant (a bundle) x every replication, each point reduced to its scorecard
as it finishes, so memory does not grow with the replications. Replication r of every variant
draws from the same streams (`Streams.for_replication(seed, r)`): common random numbers."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from drillsim.scenarios.scenario import Bundle
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.engine import TAIL, simulate
from drillsim.sim.executors import Executor, batches
from drillsim.sim.scorecard import scorecard_of

Point = tuple[int, int]  # (variant, replication)


@dataclass(frozen=True)
class Sweep:
    """What every worker needs: the variants' bundles and the seed. `token` tells sweeps apart
    in a worker's cache of compiled organisations."""

    bundles: tuple[Bundle, ...]
    seed: int
    token: str = field(default="", compare=False)

    @classmethod
    def of(cls, bundles: Sequence[Bundle], seed: int) -> Sweep:
        digest = hashlib.sha256(pickle.dumps((tuple(bundles), seed))).hexdigest()[:16]
        return cls(tuple(bundles), seed, digest)


_compiled: dict[tuple[str, int], CompiledOrg] = {}  # per worker process


def _compile(sweep: Sweep, variant: int) -> CompiledOrg:
    key = (sweep.token, variant)
    if key not in _compiled:
        bundle = sweep.bundles[variant]
        compiled = CompiledOrg.build(bundle.org, bundle.scenario.start_instant())
        workload = bundle.scenario.workload
        if workload is not None:
            compiled.prepare(workload.horizon + TAIL)
        _compiled.clear()  # one sweep at a time: keep only this one's
        _compiled[key] = compiled
    return _compiled[key]


def run_point(sweep: Sweep, variant: int, replication: int) -> dict[str, Any]:
    """One point's scorecard; a point that fails gives its error instead of sinking the sweep."""
    bundle = sweep.bundles[variant]
    try:
        compiled = _compile(sweep, variant)
        run = simulate(compiled, bundle.scenario, sweep.seed, replication, events=False)
        return scorecard_of(run, list(bundle.org.severities), len(bundle.org.responders))
    except Exception as exc:  # recorded with the point, reported at the end of the sweep
        return {"error": f"{type(exc).__name__}: {exc}"}


def run_points(sweep: Sweep, points: Sequence[Point]) -> list[dict[str, Any]]:
    return [run_point(sweep, v, r) for v, r in points]


def run_sweep(sweep: Sweep, replications: int, executor: Executor,
              done: Collection[Point] = ()) -> Iterator[tuple[Point, dict[str, Any]]]:
    """(point, scorecard) of every point not in `done`, as they finish (in no fixed order).
    Points go replication by replication, so an interrupted sweep has every variant about as
    far along."""
    todo = [(v, r) for r in range(replications) for v in range(len(sweep.bundles))
            if (v, r) not in done]
    if not todo:
        return
    for batch, rows in executor.map(run_points, sweep, batches(todo, executor.workers)):
        yield from zip(batch, rows, strict=True)

