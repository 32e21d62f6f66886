"""The intervals a run reports hold: on an M/M/c queue through the engine, whose mean waits and
share of waits within a target are known exactly (Erlang C), the 95% intervals contain the exact
values in about 95% of seeds -- for one long replication (batch means) and for several
replications.

Waits in a queue are correlated (a long job delays everyone behind it), so an interval that
treats incidents as independent covers far less often than it says."""

from __future__ import annotations

import math

import pytest
from scipy.stats import binom

from drillsim.scenarios.loader import load
from drillsim.sim.runner import replicate
from drillsim.sim.summary import run_summary
from tests.sim.test_erlang_c import erlang_c, queue_scenario

PER_HOUR, MEAN_MINUTES, C, TARGET = 1.0, 60.0, 2, 10.0  # M/M/2 at 50% load: waits of 20m
INCIDENTS = 800  # per seed, split between the replications: 20 batches of 40
SEEDS = 20


def exact() -> dict[str, float]:
    """Mean wait, mean time in the system, and the share of waits within TARGET:
    P(wait > t) = P(wait) e^-(c mu - lambda) t, and Wq = P(wait) / (c mu - lambda)."""
    lam, mu = PER_HOUR / 60, 1 / MEAN_MINUTES
    wq, w = erlang_c(lam, mu, C)
    drain = C * mu - lam
    return {"time_to_acknowledge": wq, "time_to_resolve": w,
            "acknowledge": 1 - wq * drain * math.exp(-drain * TARGET)}


def scenario(days: float) -> str:
    """The queue with an acknowledgement target: the share of waits within TARGET."""
    return queue_scenario(PER_HOUR, MEAN_MINUTES, C, days).replace("P2: {escalation_policy: desk}",
                        f"P2: {{escalation_policy: desk, targets: {{acknowledge: {TARGET:g}m}}}}")


@pytest.mark.parametrize(("replications", "method"), [(1, "batch means"),
                                                      (5, "replication means")])
def test_intervals_cover_the_exact_values_in_95_percent_of_seeds(tmp_path, replications, method):
    days = INCIDENTS / replications / (PER_HOUR * 24)
    path = tmp_path / "mm1.yaml"
    path.write_text(scenario(days), encoding="utf-8")
    bundle = load(path)
    truth = exact()
    covered = dict.fromkeys(truth, 0)
    for seed in range(SEEDS):
        summary = run_summary(replicate(bundle, replications, seed, workers=1))
        assert summary.ci_method == method
        for spread in summary.metrics:
            if spread.metric.name in truth:
                assert spread.ci is not None
                covered[spread.metric.name] += spread.ci.low <= truth[spread.metric.name] \
                    <= spread.ci.high
        (severity,) = summary.severities
        share = severity.sla["acknowledge"]
        covered["acknowledge"] += share.ci.low <= truth["acknowledge"] <= share.ci.high
    # a 95% interval misses this often or more with odds below 1 in 1000
    least = binom.ppf(0.001, SEEDS, 0.95)
    print(f"{method}: covered in {covered} of {SEEDS} seeds (at least {least:.0f} expected)")
    for name, count in covered.items():
        assert count >= least, (name, count)
