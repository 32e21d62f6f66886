"""Probability distributions of durations, validated on load and sampled from numpy Generators."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from drillsim.scenarios.durations import MAX_MINUTES, Duration, parse_duration

if TYPE_CHECKING:  # numpy is only needed to sample, not to read a file
    import numpy as np

Z90 = 1.2815515655446004  # standard normal quantile at 0.9


class _Dist(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @model_validator(mode="after")
    def _bounded(self) -> _Dist:
        try:
            mean = self.mean()
        except OverflowError:
            mean = math.inf
        except AssertionError:
            return self  # incomplete parameters: the subclass's own check says which
        if not mean <= MAX_MINUTES:
            raise ValueError("these parameters give a mean duration of more than 100 years")
        return self

    def sample(self, rng: np.random.Generator) -> float:
        """One draw in minutes."""
        raise NotImplementedError

    # numpy's draws of a size (or over arrays of parameters) are its single draws in turn, so
    # a kind naming its generator method can make a whole stream's draws in one call; Empirical
    # cannot (numpy draws small integers two to a word when it makes many)
    _numpy: ClassVar[str | None] = None

    def _args(self) -> tuple[float, ...]:
        """The parameters `_draw` takes, for a kind with `_numpy`."""
        raise NotImplementedError

    def _draw(self, rng: np.random.Generator, args: tuple[Any, ...], size: int | None) -> Any:
        """Draws with parameters `args` (numbers, or arrays of one per draw)."""
        assert self._numpy is not None
        return getattr(rng, self._numpy)(*args, size=size)

    def mean(self) -> float:
        """The distribution's mean in minutes."""
        raise NotImplementedError

    def p50(self) -> float:
        """The distribution's median in minutes: the typical case, as `drillsim trace` uses."""
        raise NotImplementedError


class Fixed(_Dist):
    """Always the same duration."""

    dist: Literal["fixed"] = "fixed"
    value: Duration

    def sample(self, rng: np.random.Generator) -> float:
        return self.value

    def mean(self) -> float:
        return self.value

    def p50(self) -> float:
        return self.value


class Exponential(_Dist):
    """Memoryless durations with the given mean."""

    dist: Literal["exponential"]
    mean_: Duration = Field(alias="mean", gt=0)

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.exponential(self.mean_))

    _numpy = "exponential"

    def _args(self) -> tuple[float, ...]:
        return (self.mean_,)

    def mean(self) -> float:
        return self.mean_

    def p50(self) -> float:
        return self.mean_ * math.log(2)


class LogNormal(_Dist):
    """Heavy-tailed durations, given as `median` + `p90` or as the log-space `mu` + `sigma`."""

    dist: Literal["lognormal"]
    median: Duration | None = Field(default=None, gt=0)
    p90: Duration | None = Field(default=None, gt=0)
    mu: float | None = None
    sigma: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_form(self) -> LogNormal:
        quantiles = self.median is not None or self.p90 is not None
        logs = self.mu is not None or self.sigma is not None
        if quantiles == logs:
            raise ValueError("give either median and p90, or mu and sigma")
        if quantiles:
            if self.median is None or self.p90 is None:
                raise ValueError("give both median and p90")
            if self.p90 <= self.median:
                raise ValueError(f"p90 ({self.p90:g}m) must exceed median ({self.median:g}m)")
        elif self.mu is None or self.sigma is None:
            raise ValueError("give both mu and sigma")
        return self

    @cached_property
    def params(self) -> tuple[float, float]:
        """(mu, sigma) of the underlying normal (cached: it is on the engine's hot path)."""
        if self.mu is not None and self.sigma is not None:
            return self.mu, self.sigma
        assert self.median is not None and self.p90 is not None
        mu = math.log(self.median)
        return mu, (math.log(self.p90) - mu) / Z90

    def sample(self, rng: np.random.Generator) -> float:
        mu, sigma = self.params
        return float(rng.lognormal(mu, sigma))

    _numpy = "lognormal"

    def _args(self) -> tuple[float, ...]:
        return self.params

    def mean(self) -> float:
        mu, sigma = self.params
        return math.exp(mu + sigma * sigma / 2)

    def p50(self) -> float:
        return math.exp(self.params[0])


class Uniform(_Dist):
    """Any duration between `low` and `high` equally likely."""

    dist: Literal["uniform"]
    low: Duration
    high: Duration

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError("high must not be below low")
        return self

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))

    _numpy = "uniform"

    def _args(self) -> tuple[float, ...]:
        return self.low, self.high

    def mean(self) -> float:
        return (self.low + self.high) / 2

    def p50(self) -> float:
        return self.mean()


class Triangular(_Dist):
    """Best case `low`, most likely `mode`, worst case `high`: the three-point estimate."""

    dist: Literal["triangular"]
    low: Duration
    mode: Duration
    high: Duration

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError("need low <= mode <= high with low < high")
        return self

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.triangular(self.low, self.mode, self.high))

    _numpy = "triangular"

    def _args(self) -> tuple[float, ...]:
        return self.low, self.mode, self.high

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def p50(self) -> float:
        low, mode, high = self.low, self.mode, self.high
        if mode - low >= (high - low) / 2:
            return low + math.sqrt((high - low) * (mode - low) / 2)
        return high - math.sqrt((high - low) * (high - mode) / 2)


class Gamma(_Dist):
    """Gamma durations by `shape` and `scale` (mean = shape x scale)."""

    dist: Literal["gamma"]
    shape: float = Field(gt=0)
    scale: Duration = Field(gt=0)

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.gamma(self.shape, self.scale))

    _numpy = "gamma"

    def _args(self) -> tuple[float, ...]:
        return self.shape, self.scale

    def mean(self) -> float:
        return self.shape * self.scale

    def p50(self) -> float:
        from scipy.stats import gamma

        return float(gamma.median(self.shape, scale=self.scale))


class Weibull(_Dist):
    """Weibull durations by `shape` and `scale`."""

    dist: Literal["weibull"]
    shape: float = Field(gt=0)
    scale: Duration = Field(gt=0)

    def sample(self, rng: np.random.Generator) -> float:
        return float(self.scale * rng.weibull(self.shape))

    _numpy = "weibull"

    def _args(self) -> tuple[float, ...]:
        return self.shape, self.scale

    def _draw(self, rng: np.random.Generator, args: tuple[Any, ...], size: int | None) -> Any:
        shape, scale = args
        return scale * rng.weibull(shape, size=size)

    def mean(self) -> float:
        return self.scale * math.gamma(1 + 1 / self.shape)

    def p50(self) -> float:
        return self.scale * math.log(2) ** (1 / self.shape)


class Empirical(_Dist):
    """Resampled from observed durations, e.g. last quarter's times to acknowledge."""

    dist: Literal["empirical"]
    samples: tuple[Duration, ...] = Field(min_length=1)

    def sample(self, rng: np.random.Generator) -> float:
        return self.samples[int(rng.integers(len(self.samples)))]

    def mean(self) -> float:
        return sum(self.samples) / len(self.samples)

    def p50(self) -> float:
        return statistics.median(self.samples)


DISTRIBUTIONS: dict[str, type[_Dist]] = {
    "fixed": Fixed,
    "exponential": Exponential,
    "lognormal": LogNormal,
    "uniform": Uniform,
    "triangular": Triangular,
    "gamma": Gamma,
    "weibull": Weibull,
    "empirical": Empirical,
}


def _shorthand(value: Any) -> Any:
    """A bare duration (`5m`) means a fixed one; an unknown `dist` gets a clear message."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | dict | _Dist):
        raise ValueError("expected a duration such as '5m', or a distribution such as "
                         f"{{dist: exponential, mean: 5m}}, found {value!r}")
    if isinstance(value, str | int | float):
        return {"dist": "fixed", "value": parse_duration(value)}
    if isinstance(value, dict):
        kind = value.get("dist")
        if kind is None:
            raise ValueError(f"a distribution needs 'dist', one of: {', '.join(DISTRIBUTIONS)}")
        if kind not in DISTRIBUTIONS:
            from drillsim.scenarios.errors import nearest

            raise ValueError(
                f"unknown distribution {kind!r}{nearest(str(kind), DISTRIBUTIONS)}; "
                f"expected one of: {', '.join(DISTRIBUTIONS)}"
            )
    return value


def sample_each(dists: Sequence[_Dist], rng: np.random.Generator) -> list[float]:
    """A draw from each distribution in turn: the numbers `sample` gives called on each, made in
    one call when every one that draws is of one kind, else one at a time."""
    if dists and len(set(map(id, dists))) == 1:  # the usual case: one distribution, many draws
        only = dists[0]
        if isinstance(only, Fixed):
            return [only.value] * len(dists)
        if only._numpy is not None:
            drawn: list[float] = only._draw(rng, only._args(), len(dists)).tolist()
            return drawn
    drawing = [d for d in dists if not isinstance(d, Fixed)]
    first = drawing[0] if drawing else None
    if first is None or first._numpy is None or any(type(d) is not type(first) for d in drawing):
        values: Any = [d.sample(rng) for d in drawing]
    elif all(d is first for d in drawing):
        values = first._draw(rng, first._args(), len(drawing)).tolist()
    else:
        import numpy as np

        columns = np.array([d._args() for d in drawing], dtype=float).T
        values = first._draw(rng, tuple(columns), None).tolist()
    each = iter(values)
    return [d.value if isinstance(d, Fixed) else next(each) for d in dists]


_Tagged = Annotated[
    Fixed | Exponential | LogNormal | Uniform | Triangular | Gamma | Weibull | Empirical,
    Field(discriminator="dist"),
]
Distribution = Annotated[_Tagged, BeforeValidator(_shorthand)]
# the tag must sit on the inner union, or pydantic tries (and reports) every distribution
OptionalDistribution = Annotated[_Tagged | None,
                                 BeforeValidator(lambda v: v if v is None else _shorthand(v))]
