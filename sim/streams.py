"""Independent random streams, one per source of randomness, from one seed per replication."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SOURCES = ("arrivals", "severity", "detection", "acknowledgement", "miss", "work", "obligations",
           "delivery")


@dataclass(frozen=True)
class Streams:
    """The generators of one replication. Spawned from `SeedSequence(seed)` by replication index,
    so replication i is the same whichever process runs it, and two policies run with the same
    seed see the same arrivals, detection delays and work (common random numbers)."""

    arrivals: np.random.Generator
    severity: np.random.Generator
    detection: np.random.Generator
    acknowledgement: np.random.Generator
    miss: np.random.Generator
    work: np.random.Generator
    obligations: np.random.Generator
    delivery: np.random.Generator

    @classmethod
    def for_replication(cls, seed: int, replication: int) -> Streams:
        root = np.random.SeedSequence(entropy=seed, spawn_key=(replication,))
        children = root.spawn(len(SOURCES))
        return cls(*(np.random.Generator(np.random.PCG64(c)) for c in children))
