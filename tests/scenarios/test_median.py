"""Each distribution's median splits its own draws in half (what `drillsim trace` relies on)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter

from drillsim.scenarios.distributions import Distribution

CASES = [
    "7m",
    {"dist": "exponential", "mean": "10m"},
    {"dist": "lognormal", "median": "4m", "p90": "20m"},
    {"dist": "lognormal", "mu": 1.2, "sigma": 0.8},
    {"dist": "uniform", "low": "2m", "high": "12m"},
    {"dist": "triangular", "low": 1, "mode": 2, "high": 10},
    {"dist": "triangular", "low": 1, "mode": 9, "high": 10},
    {"dist": "gamma", "shape": 2.5, "scale": "3m"},
    {"dist": "weibull", "shape": 1.5, "scale": "8m"},
    {"dist": "empirical", "samples": [1, 2, 3, 10, 30]},
]


@pytest.mark.parametrize("spec", CASES, ids=lambda s: s if isinstance(s, str) else s["dist"])
def test_half_the_draws_fall_at_or_below_the_median(spec):
    dist = TypeAdapter(Distribution).validate_python(spec)
    rng = np.random.default_rng(4)
    draws = np.array([dist.sample(rng) for _ in range(20_000)])
    median = dist.p50()
    below, at_most = (draws < median).mean(), (draws <= median).mean()
    assert below - 0.015 <= 0.5 <= at_most + 0.015, (median, below, at_most)


def test_known_medians():
    adapter = TypeAdapter(Distribution)
    assert adapter.validate_python({"dist": "lognormal", "median": "4m", "p90": "20m"}).p50() \
        == pytest.approx(4.0)
    assert adapter.validate_python({"dist": "empirical", "samples": [1, 2, 3, 10]}).p50() == 2.5
