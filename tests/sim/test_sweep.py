"""Sweeps: common random numbers across variants, paired intervals with known answers, and the
same scorecards whichever executor runs them and with how many workers."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from drillsim.scenarios.experiment import Variant, bundles
from drillsim.scenarios.overrides import Documents, Override
from drillsim.sim.executors import Dask, ProcessPool, Serial
from drillsim.sim.paired import BETTER, SAME, TOO_FEW, WORSE, differences, paired_difference
from drillsim.sim.runner import replicate
from drillsim.sim.scorecard import scorecards
from drillsim.sim.sweep import Sweep, run_sweep

SMALL = """
name: small
start: "2026-06-01T12:00"
org:
  responders:
    - {id: a, ack_delay: {working: {dist: exponential, mean: 10m}, off_hours: 20m}, miss_probability: 0.1}
    - {id: b, ack_delay: {working: {dist: exponential, mean: 10m}, off_hours: 20m}}
  rotations: [{id: primary, layers: [{members: [a, b], turn: 1d, handoff: "2026-06-01T09:00"}]}]
  escalation_policies:
    - {id: p, levels: [{targets: [{rotation: primary}], delay: 15m}, {targets: [{responder: b}]}]}
  severities: {P1: {escalation_policy: p, targets: {acknowledge: 10m}}, P2: {escalation_policy: p}}
workload:
  horizon: 20d
  types:
    - type: t
      rate: 1/d
      severity_mix: {P1: 0.4, P2: 0.6}
      signals: [{channel: alert, delay: {dist: exponential, mean: 5m}}]
      phases: [{name: fix, duration: {dist: lognormal, median: 30m, p90: 2h}}]
"""
VARIANTS = [Variant("baseline"), Variant("same as baseline"),
            Variant("quick escalation", (Override("escalation_delay", "2m"),)),
            Variant("slow answers", (Override("ack_delay", "40m"),))]


@pytest.fixture
def small(write):
    return bundles(Documents.read(write("small.yaml", SMALL)), VARIANTS)


def sweep_frame(sweep: Sweep, reps: int, executor) -> pd.DataFrame:
    with executor:
        rows = dict(run_sweep(sweep, reps, executor))
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.names = ["variant", "replication"]
    return frame.sort_index()


def test_the_paired_interval_is_students_t_over_the_differences():
    baseline = np.array([10.0, 12.0, 9.0, 11.0, 13.0])
    variant = baseline + np.array([1.0, 2.0, 3.0, 4.0, 5.0])  # differences 1..5
    d = paired_difference(baseline, variant, "v", "time_to_resolve.mean")
    # mean 3, sd sqrt(2.5), t(0.975, 4) = 2.776445: 3 -/+ 2.776445 * sqrt(2.5 / 5) = 3 -/+ 1.963243
    assert d.mean == 3.0 and d.n == 5
    assert (d.ci.low, d.ci.high) == pytest.approx((1.036757, 4.963243), abs=1e-6)
    ci = stats.ttest_rel(variant, baseline).confidence_interval(0.95)
    assert (d.ci.low, d.ci.high) == pytest.approx((ci.low, ci.high))
    assert d.verdict == WORSE  # longer times to resolve
    assert paired_difference(baseline, variant, "v", "sla.resolve").verdict == BETTER
    assert paired_difference(baseline, baseline, "v", "cost").verdict == SAME
    assert paired_difference(baseline[:1], variant[:1], "v", "cost").verdict == TOO_FEW


def test_replications_where_either_variant_measured_nothing_are_left_out():
    d = paired_difference(np.array([1.0, np.nan, 3.0, 4.0]), np.array([2.0, 5.0, np.nan, 6.0]),
                          "v", "time_to_resolve.p90.P0")
    assert d.n == 2 and d.mean == 1.5


def test_every_variant_sees_the_same_incidents_detection_and_work(small):
    """Common random numbers: variants that change only who answers and when see the same
    arrivals, types, severities, detection delays and work (time from engagement to resolution
    of a one-phase incident worked by one person)."""
    runs = [replicate(b, 4, seed=3, workers=1) for b in small]
    columns = ["replication", "incident", "type", "severity", "started_at", "detected_at"]
    first = runs[0].records.incidents[columns]
    assert len(first) > 40
    for run in runs[1:]:
        pd.testing.assert_frame_equal(run.records.incidents[columns], first)
    work = [(r.records.incidents.resolved_at - r.records.incidents.first_response_at) for r in runs]
    for other in work[1:]:
        pd.testing.assert_series_equal(other, work[0])
    tta = [r.records.incidents.acknowledged_at - r.records.incidents.declared_at for r in runs]
    assert not tta[3].equals(tta[0])  # the policy did change something


def test_a_variant_identical_to_the_baseline_differs_by_exactly_zero(small):
    frame = sweep_frame(Sweep.of(small, 5), 6, Serial()).reset_index()
    frame["variant"] = frame["variant"].map(dict(enumerate(v.name for v in VARIANTS)))
    columns = [c for c in frame.columns if c not in ("variant", "replication")]
    found = {(d.variant, d.column): d for d in differences(frame, "baseline", columns)}
    for column in columns:
        same = found[("same as baseline", column)]
        assert same.mean == 0 or same.n == 0, column
        assert same.verdict in (SAME, TOO_FEW)
    assert found[("slow answers", "time_to_acknowledge.mean")].verdict == WORSE
    assert found[("slow answers", "sla.acknowledge.P1")].verdict == WORSE


def test_scorecards_of_a_sweep_match_those_of_whole_runs(small):
    """A sweep point's scorecard (one replication simulated and reduced in a worker) equals the
    scorecard computed from the same replication of an ordinary run."""
    frame = sweep_frame(Sweep.of(small[:1], 5), 3, Serial()).loc[0]
    run = replicate(small[0], 3, seed=5, workers=1)
    whole = scorecards(run.records, list(small[0].org.severities), len(small[0].org.responders))
    pd.testing.assert_frame_equal(frame[whole.columns], whole, check_names=False)


def test_the_same_scorecards_on_any_executor_and_worker_count(small):
    sweep = Sweep.of(small, 11)
    serial = sweep_frame(sweep, 5, Serial())
    pd.testing.assert_frame_equal(sweep_frame(sweep, 5, ProcessPool(2)), serial)
    pytest.importorskip("distributed")
    pd.testing.assert_frame_equal(sweep_frame(sweep, 5, Dask(workers=2)), serial)


def test_points_already_done_are_not_run_again(small):
    sweep = Sweep.of(small, 2)
    done = {(v, r) for v in range(4) for r in range(3)}
    ran = [point for point, _ in run_sweep(sweep, 4, Serial(), done)]
    assert sorted(ran) == [(v, 3) for v in range(4)]


@pytest.fixture
def dask_cluster(tmp_path):
    """A Dask scheduler and one worker, each its own process as on separate machines, found by
    their address as `--scheduler tcp://HOST:PORT` finds them."""
    pytest.importorskip("distributed")
    dask = Path(sys.executable).parent / "dask"
    info = tmp_path / "scheduler.json"
    common = ["--no-dashboard", "--scheduler-file", str(info)]
    started = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                 *common], stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not info.exists():
            assert time.monotonic() < deadline and started[0].poll() is None, "no scheduler"
            time.sleep(0.1)
        started.append(subprocess.Popen([dask, "worker", "--nworkers", "1", "--nthreads", "1",
                                         *common], stderr=subprocess.DEVNULL))
        address = json.loads(info.read_text())["address"]
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(1, timeout=60)
        yield address
    finally:
        for process in reversed(started):
            process.terminate()
            process.wait(timeout=30)


def test_a_sweep_on_a_separate_dask_scheduler_gives_the_same_scorecards(small, dask_cluster):
    assert dask_cluster.startswith("tcp://127.0.0.1:")
    sweep = Sweep.of(small, 11)
    executor = Dask(dask_cluster)
    assert executor.name.endswith(dask_cluster)
    pd.testing.assert_frame_equal(sweep_frame(sweep, 4, executor), sweep_frame(sweep, 4, Serial()))
