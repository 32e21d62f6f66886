"""The tally's columns grow a piece at a time (one per replication) and are joined in batches:
the result must be the one array built in a single pass."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.sim.tally import Column


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.floats(allow_nan=True), max_size=9), max_size=200),
       st.integers(min_value=1, max_value=70), st.integers(min_value=0, max_value=200))
def test_a_column_grown_piece_by_piece_is_the_array_built_at_once(
        pieces: list[list[float]], join: int, look: int) -> None:
    column = Column(float, 2)
    column.JOIN = join
    for k, piece in enumerate(pieces):
        column.append(np.array(piece + piece, dtype=float).reshape(-1, 2))
        if k == look:  # reading part-way leaves the rest to come unchanged
            assert column.array().shape == (sum(len(p) for p in pieces[:k + 1]), 2)
    whole = np.concatenate([np.array(p + p, dtype=float).reshape(-1, 2) for p in pieces]) \
        if pieces else np.empty((0, 2))
    got = column.array()
    assert got.shape == whole.shape
    assert np.array_equal(got, whole, equal_nan=True)
