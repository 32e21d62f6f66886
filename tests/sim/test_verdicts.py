"""Hypotheses judged against figures worked out by hand: a percentile's interval by order
statistics, a share's Wilson interval, the verdict on each side of the limit and the
replications that would decide an inconclusive one."""

from __future__ import annotations

import math

import numpy as np
import pytest

from drillsim.scenarios.hypotheses import Hypothesis
from drillsim.scenarios.measures import METRICS, TARGETS
from drillsim.sim.verdicts import Observed, evaluate, judge, replications_needed

TTA = [m.name for m in METRICS].index("time_to_acknowledge")
ACK = [t.name for t in TARGETS].index("acknowledge")


def observed(tta: list[float], met: list[int] | None = None, severity: str = "P1") -> Observed:
    """One incident per replication (so the effective n is n), with these times to acknowledge."""
    n = len(tta)
    durations = np.full((n, len(METRICS)), np.nan)
    durations[:, TTA] = tta
    targets = np.full((n, len(TARGETS)), -1)
    if met is not None:
        targets[:, ACK] = met
    return Observed(np.array([severity] * n), np.arange(n), durations, targets)


def p90(limit: str) -> Hypothesis:
    return Hypothesis(name="p90", metric="tta", statistic="p90", severity="P1", at_most=limit)


@pytest.mark.parametrize(("limit", "outcome"), [("96m", "pass"), ("95m", "pass"),
                                                 ("90m", "inconclusive"), ("82m", "fail")])
def test_a_percentile_interval_by_order_statistics(limit: str, outcome: str):
    # 1..100 minutes: p90 is 90; the Wilson interval of 0.9 on n=100 is 0.8256-0.9448, whose
    # order statistics are the 83rd and 95th values
    (v,) = evaluate([p90(limit)], observed(list(range(1, 101))), 100)
    assert (v.estimate, v.low, v.high, v.n) == (90, 83, 95, 100)
    assert v.outcome == outcome


def test_incidents_never_acknowledged_count_as_longest():
    # 85 answered at 1..85 minutes, 15 never: the p90 was never reached
    (v,) = evaluate([p90("1h")], observed([*range(1, 86), *[math.nan] * 15]), 100)
    assert v.estimate is None and v.outcome == "fail" and "15 never reached" in v.note


def test_an_inconclusive_percentile_says_how_many_replications_decide_it():
    (v,) = evaluate([p90("90m")], observed(list(range(1, 101))), 100)
    # on the share's scale: 90 of 100 within 90 minutes, Wilson 0.8256-0.9448 around 0.9:
    # the distance to 0.9 is 0, so no number of replications decides it
    assert v.needed is None
    (v,) = evaluate([p90("93m")], observed(list(range(1, 101))), 100)
    # 93 of 100 within: Wilson 0.8625-0.9657, half-width 0.0516, distance 0.03: (1.72)^2 x 100
    assert v.outcome == "inconclusive" and v.needed == 296


def test_attainment_is_a_wilson_share():
    met = [1] * 95 + [0] * 5
    h = Hypothesis(name="a", attainment="acknowledge", severity="P1", at_least="90%")
    (v,) = evaluate([h], observed([1.0] * 100, met), 100)
    assert v.estimate == 0.95 and v.n == 100
    assert (v.low, v.high) == pytest.approx((0.8883, 0.9785), abs=1e-4)
    assert v.outcome == "inconclusive"
    # half-width 0.0451 at distance 0.05 asks for 81 replications; it takes more than 100
    assert v.needed == 101
    h = Hypothesis(name="a", attainment="acknowledge", severity="P1", at_least="85%")
    assert evaluate([h], observed([1.0] * 100, met), 100)[0].outcome == "pass"


def test_within_a_duration_and_other_severities_left_out():
    obs = observed([5.0] * 8 + [50.0] * 2)
    other = observed([500.0] * 10, severity="P2")
    both = Observed(*(np.concatenate([a, b]) for a, b in (
        (obs.severity, other.severity), (obs.replication, other.replication + 10),
        (obs.durations, other.durations), (obs.met, other.met))))
    h = Hypothesis(name="w", metric="tta", severity="P1", within="10m", at_least=0.5)
    (v,) = evaluate([h], both, 20)
    assert v.estimate == 0.8 and v.n == 10


def test_mean_leaves_out_incidents_never_reached_and_says_so():
    h = Hypothesis(name="m", metric="tta", severity="P1", statistic="mean", at_most="1h")
    (v,) = evaluate([h], observed([10.0, 20.0, 30.0, math.nan]), 4)
    assert v.estimate == 20 and v.n == 3 and v.note == "1 never reached, not in the mean"
    # t-interval of 10, 20, 30 over 3 replications: 20 ± 4.303 × 10/√3
    assert v.high == pytest.approx(20 + 4.3027 * 10 / math.sqrt(3), abs=1e-3)
    assert v.outcome == "pass"  # 44.8 minutes at most
    h = Hypothesis(name="m", metric="tta", severity="P1", statistic="mean", at_most="30m")
    assert evaluate([h], observed([10.0, 20.0, 30.0, math.nan]), 4)[0].outcome == "inconclusive"


def test_judge_and_replications_needed():
    assert judge(1, 2, 3, upper=True) == "pass" and judge(4, 5, 3, upper=True) == "fail"
    assert judge(2, 4, 3, upper=True) == "inconclusive"
    assert judge(4, 5, 3, upper=False) == "pass" and judge(1, 2, 3, upper=False) == "fail"
    assert judge(None, None, 3, upper=True) == "inconclusive"
    # half-width 2 at distance 1: four times the replications
    assert replications_needed(50, 4, 2, 6, 5) == 200
    assert replications_needed(50, 5, 3, 7, 5) is None


def test_the_tally_gives_the_same_incidents_as_the_records():
    from drillsim.scenarios.loader import load
    from drillsim.sim.runner import replicate

    run = replicate(load("demo"), 3, 5, 1, events=False)
    rows = run.records.incidents.sort_values(["replication", "started_at"], kind="stable")
    framed = Observed(
        rows["severity"].to_numpy(dtype=str), rows["replication"].to_numpy(),
        np.column_stack([(rows[f"{m.end}_at"] - rows[f"{m.start}_at"]).to_numpy(dtype=float)
                         for m in METRICS]),
        np.column_stack([rows[f"{t.name}_met"].astype(float).fillna(-1).to_numpy(dtype=int)
                         for t in TARGETS]))
    folded = Observed.from_tally(run.tally)
    for a, b in ((folded.severity, framed.severity), (folded.replication, framed.replication),
                 (folded.durations, framed.durations), (folded.met, framed.met)):
        np.testing.assert_array_equal(a, b)
