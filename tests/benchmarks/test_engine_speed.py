"""A year of incidents (about 2,000) for a 50-person organisation: drillsim against a bare
hand-written SimPy model of the same lifecycle on the same arrivals, timed in one run.

Figures are ratios against the bare model measured alongside, since the machine is shared."""

from __future__ import annotations

import statistics
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from drillsim.scenarios.loader import load
from drillsim.sim.arrivals import incidents_for
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.engine import Simulation, simulate
from drillsim.sim.records import build
from drillsim.sim.stack import on_fresh_stack
from drillsim.sim.streams import Streams

from .bare import run_bare
from .measure import timed

TEAMS = ("web", "api", "data", "payments", "identity")
SKILLS = {"web": "frontend", "api": "backend", "data": "dba", "payments": "payments",
          "identity": "security"}
ZONES = ("Europe/London", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "America/Chicago")
REPLICATIONS = 15


def ack(median: str, p90: str) -> dict[str, Any]:
    return {"dist": "lognormal", "median": median, "p90": p90}


def organisation() -> dict[str, Any]:
    """Five teams of ten: each a weekly primary and secondary rotation and a lead."""
    responders, rotations, policies = [], [], []
    for t, team in enumerate(TEAMS):
        people = [f"{team}-{i}" for i in range(10)]
        for i, rid in enumerate(people):
            responders.append({
                "id": rid, "teams": [team], "skills": [SKILLS[team]], "timezone": ZONES[t],
                "level": 2 if i == 0 else 1, "miss_probability": 0.05, "capacity": 2,
                "ack_delay": {"working": ack("2m", "8m"), "off_hours": ack("7m", "25m")}})
        rotations += [
            {"id": f"{team}-primary", "timezone": ZONES[t], "layers": [
                {"members": people[1:], "turn": "weekly", "handoff": "2026-01-05T09:00"}]},
            {"id": f"{team}-secondary", "timezone": ZONES[t], "layers": [
                {"members": people[5:] + people[1:5], "turn": "weekly",
                 "handoff": "2026-01-05T09:00"}]},
            {"id": f"{team}-lead", "timezone": ZONES[t], "layers": [
                {"members": people[:1], "turn": "weekly", "handoff": "2026-01-05T09:00"}]},
        ]
        policies.append({"id": team, "repeat": 2, "levels": [
            {"targets": [{"rotation": f"{team}-primary"}], "delay": "10m"},
            {"targets": [{"rotation": f"{team}-secondary"}], "delay": "15m"},
            {"targets": [{"rotation": f"{team}-lead"}], "delay": "20m"}]})
    severities = {
        "P0": {"escalation_policy": "web", "targets": {"acknowledge": "5m", "resolve": "4h"}},
        "P1": {"escalation_policy": "api", "targets": {"acknowledge": "15m", "resolve": "8h"}},
        "P2": {"escalation_policy": "data", "paging": "business_hours",
               "targets": {"acknowledge": "1h", "resolve": "3d"}},
        "P3": {"escalation_policy": "identity", "paging": "next_business_day",
               "targets": {"acknowledge": "1d"}},
    }
    return {"name": "fifty", "timezone": "Europe/London", "responders": responders,
            "rotations": rotations, "escalation_policies": policies, "severities": severities}


def scenario() -> dict[str, Any]:
    types = []
    for team in TEAMS:
        types.append({
            "type": f"{team}-failure", "rate": "400/365d",
            "severity_mix": {"P0": 0.05, "P1": 0.25, "P2": 0.45, "P3": 0.25},
            "signals": [{"channel": "alert", "delay": ack("3m", "12m")},
                        {"channel": "user report", "delay": ack("20m", "1h")}],
            "requires": [{"skill": SKILLS[team]}],
            "phases": [
                {"name": "triage", "duration": ack("10m", "30m")},
                {"name": "mitigate", "duration": ack("30m", "2h"), "skill": SKILLS[team],
                 "mitigates": True},
                {"name": "repair", "duration": ack("1h", "6h"), "skill": SKILLS[team]}]})
    return {"name": "year", "start": "2026-01-05T00:00", "timezone": "Europe/London",
            "org": "org.yaml", "workload": {"horizon": "365d", "types": types}}


def peak_memory(func: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_year_for_fifty_people_against_a_bare_simpy_model(tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_text(yaml.safe_dump(organisation()), encoding="utf-8")
    (tmp_path / "year.yaml").write_text(yaml.safe_dump(scenario()), encoding="utf-8")
    bundle = load(tmp_path / "year.yaml")
    sc = bundle.scenario
    assert sc.workload is not None
    horizon = sc.workload.horizon
    compiled = CompiledOrg.build(bundle.org, sc.start_instant())

    def drillsim_rep(rep: int) -> Any:
        return simulate(compiled, sc, seed=1, replication=rep)

    def bare_rep(rep: int) -> Any:
        def work() -> Any:
            incidents = incidents_for(sc, bundle.org, compiled.clock,
                                      Streams.for_replication(1, rep))
            return run_bare(compiled, incidents, seed=rep, horizon=horizon + 30 * 1440)

        return on_fresh_stack(work)  # as drillsim runs a replication this long

    bare_rep(0)  # build every lazy schedule once, for both
    ours, rows_s, bare, frames = [], [], [], []
    for rep in range(REPLICATIONS):  # interleaved, so load on the machine hits both alike
        sim = Simulation(compiled, sc, Streams.for_replication(1, rep))
        seconds, incidents = timed(sim.play)
        ours.append(seconds)
        seconds, records = timed(lambda sim=sim, rep=rep, incidents=incidents:
                                 sim.records(rep, incidents))
        rows_s.append(seconds)
        frames.append(timed(lambda records=records: build([records], compiled.clock))[0])
        bare.append(timed(lambda rep=rep: bare_rep(rep))[0])
    run = drillsim_rep(0)
    rows = np.array(bare_rep(0))
    ours_mem, bare_mem = peak_memory(lambda: drillsim_rep(1)), peak_memory(lambda: bare_rep(1))

    t_ours, t_rows, t_bare, t_frames = (statistics.median(x) for x in (ours, rows_s, bare, frames))
    # each replication is timed right next to the bare model's: the median of those pairs'
    # ratios is steadier than a ratio of medians when the machine's load drifts
    pairs = sorted(o / b for o, b in zip(ours, bare, strict=True))
    with_rows = statistics.median((o + r) / b for o, r, b in zip(ours, rows_s, bare, strict=True))
    frame = build([run], compiled.clock).incidents
    ttr_ours = float((frame.resolved_at - frame.started_at).mean())
    ttr_bare = float(np.mean(rows[:, 4] - rows[:, 0]))
    print(f"\n{len(run.incidents)} incidents, {len(compiled.responders)} responders, "
          f"median of {REPLICATIONS} replications (CPU time)")
    print(f"  drillsim engine  {t_ours:6.3f} s/replication  (+ its rows {t_rows:.3f} s, "
          f"+ frames {t_frames:.3f} s)")
    print(f"  bare SimPy       {t_bare:6.3f} s/replication")
    print(f"  ratio            {statistics.median(pairs):6.2f}x   (pairs {pairs[0]:.2f}x to "
          f"{pairs[-1]:.2f}x; with rows {with_rows:.2f}x; with rows and frames "
          f"{(t_ours + t_rows + t_frames) / t_bare:.2f}x)")
    print(f"  peak memory      {ours_mem / 2**20:.1f} MiB vs {bare_mem / 2**20:.1f} MiB "
          f"({ours_mem / bare_mem:.2f}x)")
    print(f"  mean TTR         {ttr_ours:.0f} min vs {ttr_bare:.0f} min (same work, own draws)")
    assert 1700 <= len(run.incidents) <= 2300
    assert abs(ttr_ours - ttr_bare) / ttr_bare < 0.15  # the two models do the same work
