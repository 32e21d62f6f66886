"""Property-based tests of the input language: durations, rates and distributions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from scipy import stats

from drillsim.scenarios.distributions import Distribution, sample_each
from drillsim.scenarios.durations import (
    DAY,
    HOUR,
    MAX_MINUTES,
    MINUS,
    MINUTE,
    SECOND,
    format_duration,
    format_span,
    parse_duration,
    parse_rate,
    resolution_for,
)

UNITS = {"s": 1 / 60, "m": 1.0, "h": 60.0, "d": 1440.0, "w": 10080.0}


class _Holder(BaseModel):
    d: Distribution


def dist_of(spec: object) -> Distribution:
    return _Holder(d=spec).d


@given(st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(list(UNITS))), min_size=1,
                max_size=5))
def test_a_duration_is_the_sum_of_its_parts(parts):
    text = "".join(f"{n}{u}" for n, u in parts)
    total = sum(n * UNITS[u] for n, u in parts)
    if total > MAX_MINUTES:
        with pytest.raises(ValueError, match="at most 100 years"):
            parse_duration(text)
    else:
        assert parse_duration(text) == pytest.approx(total)


@given(st.integers(0, 10**8))
def test_format_and_parse_are_inverse_to_the_second(seconds):
    assert parse_duration(format_duration(seconds / 60, SECOND)) == pytest.approx(seconds / 60)


@given(st.floats(0, 10**7, allow_nan=False))
def test_a_formatted_duration_parses_back_within_half_its_resolution(minutes):
    text = format_duration(minutes)
    assert abs(parse_duration(text) - minutes) <= resolution_for(minutes) / 2 + 1e-9
    assert format_duration(parse_duration(text)) == text  # formatting what it printed changes nothing


@given(st.floats(1 / 60, 10**7, allow_nan=False))
def test_a_negative_duration_is_its_size_with_a_minus_sign(minutes):
    assert format_duration(-minutes) == MINUS + format_duration(minutes)


@pytest.mark.parametrize(("minutes", "text"), [
    (0, "0s"), (-0.001, "0s"), (0.5, "30s"), (1.6, "1m 36s"), (9.999, "10m"), (60, "1h"),
    (-60, MINUS + "1h"), (65, "1h 05m"), (59.99, "1h"), (DAY, "1d"), (2 * DAY + 3 * HOUR, "2d 03h"),
    (47144.9, "32d 18h"), (None, "\u2013"), (float("nan"), "\u2013"), (90, "1h 30m"),
])
def test_duration_edge_cases(minutes, text):
    assert format_duration(minutes) == text


@given(st.floats(0, 10**6, allow_nan=False), st.floats(0, 10**6, allow_nan=False))
def test_the_two_ends_of_a_span_differ_whenever_they_differ_by_a_second(a, b):
    low, high = sorted((a, b))
    first, _, second = format_span(low, high).partition(" \u2013 ")
    if high - low >= SECOND:
        assert first != second
    assert parse_duration(first) <= parse_duration(second)


def test_a_span_keeps_the_precision_that_matters():
    assert format_span(1.6, 2.4) == "1m 36s \u2013 2m 24s"
    assert format_span(3, 5) == "3m \u2013 5m"
    assert format_span(376, 377.2) == "6h 16m \u2013 6h 17m"
    assert format_span(12 * HOUR, 30 * HOUR) == "12h \u2013 1d 06h"
    assert format_span(MINUTE, None) == "1m \u2013 \u2013"
    assert format_span(0, 63.6) == "0m \u2013 1h 04m"  # not `0s – 1h 03m 36s`


@given(st.text(max_size=12))
def test_any_text_parses_to_a_non_negative_duration_or_a_clear_error(text):
    try:
        assert parse_duration(text) >= 0
    except ValueError as exc:
        assert "duration" in str(exc)


@pytest.mark.parametrize("bad", ["-5m", "5 minutes", "m", "1h-30m", "", True])
def test_bad_durations_are_refused(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


@given(st.integers(0, 1000), st.integers(1, 60), st.sampled_from(["m", "h", "d", "w"]))
def test_a_rate_is_count_per_period(count, n, unit):
    assert parse_rate(f"{count}/{n}{unit}") == pytest.approx(count / (n * UNITS[unit]))


@st.composite
def distributions(draw):
    kind = draw(st.sampled_from(["fixed", "exponential", "lognormal", "uniform", "triangular",
                                 "gamma", "weibull", "empirical"]))
    pos = st.floats(0.1, 500, allow_nan=False)
    if kind == "fixed":
        return {"dist": kind, "value": draw(pos)}
    if kind == "exponential":
        return {"dist": kind, "mean": draw(pos)}
    if kind == "lognormal":
        median = draw(pos)
        return {"dist": kind, "median": median, "p90": median * draw(st.floats(1.01, 20))}
    if kind in ("uniform", "triangular"):
        low = draw(pos)
        high = low + draw(pos)
        spec = {"dist": kind, "low": low, "high": high}
        if kind == "triangular":
            spec["mode"] = draw(st.floats(low, high))
        return spec
    if kind in ("gamma", "weibull"):
        return {"dist": kind, "shape": draw(st.floats(0.3, 5)), "scale": draw(pos)}
    return {"dist": kind, "samples": draw(st.lists(pos, min_size=1, max_size=20))}


@given(distributions(), st.integers(0, 2**32 - 1))
def test_every_distribution_samples_non_negative_minutes_reproducibly(spec, seed):
    dist = dist_of(spec)
    draws = [dist.sample(np.random.default_rng(seed)) for _ in range(2)]
    assert draws[0] == draws[1] >= 0
    if spec["dist"] in ("uniform", "triangular"):
        assert spec["low"] <= draws[0] <= spec["high"]
    if spec["dist"] == "empirical":
        assert draws[0] in spec["samples"]


@pytest.mark.parametrize("spec", [
    {"dist": "exponential", "mean": 30},
    {"dist": "lognormal", "median": 10, "p90": 45},
    {"dist": "gamma", "shape": 2, "scale": 15},
    {"dist": "weibull", "shape": 1.5, "scale": 20},
    {"dist": "triangular", "low": 5, "mode": 10, "high": 40},
])
def test_sample_mean_matches_the_stated_mean(spec):
    dist = dist_of(spec)
    rng = np.random.default_rng(11)
    x = np.array([dist.sample(rng) for _ in range(20_000)])
    assert x.mean() == pytest.approx(dist.mean(), rel=0.03)


def test_lognormal_median_and_p90_are_the_quantiles_it_draws():
    dist = dist_of({"dist": "lognormal", "median": "10m", "p90": "45m"})
    rng = np.random.default_rng(5)
    x = np.array([dist.sample(rng) for _ in range(40_000)])
    assert np.percentile(x, 50) == pytest.approx(10, rel=0.03)
    assert np.percentile(x, 90) == pytest.approx(45, rel=0.04)
    mu, sigma = dist.params
    assert stats.lognorm(s=sigma, scale=np.exp(mu)).ppf(0.9) == pytest.approx(45)


@pytest.mark.parametrize(("spec", "message"), [
    ({"dist": "lognormal", "median": "10m", "p90": "5m"}, "must exceed median"),
    ({"dist": "lognormal", "median": "10m"}, "both median and p90"),
    ({"dist": "uniform", "low": "10m", "high": "5m"}, "high must not be below low"),
    ({"dist": "poisson", "mean": 3}, "unknown distribution 'poisson'"),
    ({"dist": "exponential", "mean": -1}, "cannot be negative"),
    ({"dist": "empirical", "samples": []}, "at least 1 item"),
])
def test_invalid_distributions_are_refused_with_a_reason(spec, message):
    with pytest.raises(ValidationError, match=message):
        dist_of(spec)


KINDS = [
    "3m", {"dist": "exponential", "mean": "5m"}, {"dist": "exponential", "mean": "40m"},
    {"dist": "lognormal", "median": "5m", "p90": "20m"}, {"dist": "lognormal", "mu": 1, "sigma": 2},
    {"dist": "uniform", "low": "1m", "high": "9m"}, {"dist": "uniform", "low": "0m", "high": "1h"},
    {"dist": "triangular", "low": "1m", "mode": "2m", "high": "9m"},
    {"dist": "triangular", "low": "0m", "mode": "30m", "high": "1h"},
    {"dist": "gamma", "shape": 0.7, "scale": "3m"}, {"dist": "gamma", "shape": 4, "scale": "1h"},
    {"dist": "weibull", "shape": 1.5, "scale": "4m"}, {"dist": "weibull", "shape": 0.5, "scale": "1h"},
    {"dist": "empirical", "samples": ["1m", "2m", "3m"]},
]


@given(st.lists(st.sampled_from(range(len(KINDS))), max_size=30), st.integers(0, 2**32),
       st.sampled_from(["any", "one kind", "one distribution"]))
def test_drawing_many_at_once_gives_the_draws_one_at_a_time(picks, seed, shape):
    """The incidents of a replication draw their durations a stream at a time: the same
    numbers, in the same order, leaving the stream where single draws would."""
    kinds = [dist_of(k) for k in KINDS]
    dists = [kinds[i] for i in picks]
    if shape == "one kind" and dists:  # drawn in one call: one kind, fixed durations among them
        dists = [d for d in dists if type(d) in (type(dists[0]), type(kinds[0]))]
    elif shape == "one distribution":  # every incident of a single type: drawn in one call
        dists = dists[:1] * len(dists)
    many, one = np.random.default_rng(seed), np.random.default_rng(seed)
    assert sample_each(dists, many) == [d.sample(one) for d in dists]
    assert many.random() == one.random()
