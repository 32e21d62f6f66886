"""The exercise model: injects from a simulated replication, the plan's targets, the cast on
call that day, the same seed giving the same exercise."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest

from drillsim.drills.exercise import (
    AT,
    MILESTONES,
    Exercise,
    build_exercise,
    pick,
    response_minutes,
    simulate,
)
from drillsim.scenarios.errors import InputError
from drillsim.sim.oncall import on_call

GAME_DAYS = ("gameday-notification-failure", "gameday-database-recovery",
             "gameday-security-breach", "gameday-multi-vendor-outage")
PLANS = ("sla-financial-escalation", "phased-p0-p3", "rapid-rollback", "runbook-escalation",
         "three-tier-teams")
REPS = 12


@cache
def exercise(scenario: str, org: str | None = None, at: str = "p50", seed: int = 3) -> Exercise:
    return build_exercise(scenario, org, seed, at, replications=REPS)  # type: ignore[arg-type]


@pytest.mark.parametrize("scenario", GAME_DAYS)
def test_injects_lie_inside_the_run_in_time_order(scenario: str) -> None:
    ex = exercise(scenario)
    minutes = [i.minutes for i in ex.injects]
    assert minutes == sorted(minutes)
    assert all(0 <= m <= ex.end_minutes for m in minutes)
    assert [i.id for i in ex.injects] == [f"I{n:02d}" for n in range(1, len(ex.injects) + 1)]
    # the run's last event is the last incident's resolution, and an inject says so
    assert ex.injects[-1].kind == "resolved" and ex.injects[-1].minutes == ex.end_minutes
    assert {i.module for i in ex.injects} <= {m.name for m in ex.modules}
    detected = next(i for i in ex.injects if i.kind == "detected")
    assert detected.artefacts and detected.target is not None


@pytest.mark.parametrize("org", PLANS)
def test_cast_on_call_at_the_start_and_every_rotation_covered(org: str) -> None:
    ex = exercise("gameday-security-breach", org)
    bundle = ex.bundle
    assert bundle is not None
    rotations = {r.id: r for r in bundle.org.rotations}
    on_duty = [m for m in ex.cast if m.rotation is not None]
    for member in on_duty:
        assert member.responder in on_call(rotations[member.rotation], ex.start)
    # everyone on call in any rotation at the start is in the cast
    expected = {(rid, rot.id) for rot in rotations.values() for rid in on_call(rot, ex.start)}
    assert {(m.responder, m.rotation) for m in on_duty} == expected


def test_same_seed_same_exercise_other_seed_other_props() -> None:
    a = build_exercise("gameday-database-recovery", None, 5, "p90", replications=REPS)
    b = build_exercise("gameday-database-recovery", None, 5, "p90", replications=REPS)
    assert a == b
    c = build_exercise("gameday-database-recovery", None, 6, "p90", replications=REPS)
    bodies = [x.body for i in a.injects for x in i.artefacts]
    assert bodies != [x.body for i in c.injects for x in i.artefacts]


def test_at_picks_replications_by_response() -> None:
    run = simulate("gameday-notification-failure", None, 3, replications=REPS)
    response = response_minutes(run)
    chosen = {at: response[pick(run, at)] for at in AT}
    assert chosen["p50"] <= chosen["p90"] <= chosen["worst"] == response.max()
    # p50: the 6th of 12 in rank order
    assert (response < chosen["p50"]).sum() == 5
    ex = exercise("gameday-notification-failure", at="worst")
    resolved = next(m for m in ex.milestones if m.id == "resolved")
    assert resolved.simulated_minutes == response.max() == ex.end_minutes


def test_milestones_and_targets() -> None:
    ex = exercise("gameday-notification-failure")
    ids = [m.id for m in ex.milestones]
    assert ids[:len(MILESTONES)] == list(MILESTONES)
    by_id = {m.id: m for m in ex.milestones}
    detected = next(i for i in ex.injects if i.kind == "detected")
    # the plan's P0 targets: acknowledge 15 minutes after declaration, mitigate within 4 hours
    assert by_id["acknowledged"].target_minutes == pytest.approx(detected.minutes + 15)
    assert by_id["mitigated"].target_minutes == 240
    assert by_id["detected"].simulated_minutes == pytest.approx(detected.minutes)
    for m in ex.milestones:
        if m.n:
            assert m.p50_minutes is not None and m.p90_minutes is not None
            assert m.p50_minutes <= m.p90_minutes
    # a checklist line per plan figure, scored on a milestone where one fits
    texts = [c.text for c in ex.checklist]
    assert "Incident commander assigned within 1h of being detected" in texts
    assert {c.milestone for c in ex.checklist} >= {"acknowledged", "mitigated", "resolved"}
    # the breach-only deadline is left out of a notification failure
    assert not any("Affected users" in t for t in texts)
    assert ex.notices == ["initial", "update", "resolution", "customer"]


def test_a_date_moves_the_exercise_keeping_its_local_time() -> None:
    ex = build_exercise("gameday-notification-failure", None, 3, "p50", dt.date(2027, 3, 30),
                        replications=4)
    assert ex.start.isoformat() == "2027-03-30T10:00:00+01:00"  # British Summer Time


def test_workload_is_refused() -> None:
    with pytest.raises(InputError, match="workload"):
        build_exercise("quarter-phased-p0-p3", None, 1, "p50", replications=2)


@pytest.mark.parametrize("scenario", GAME_DAYS)
def test_the_documents_and_the_assessment_read_the_same_milestones(scenario: str) -> None:
    """Each replication's milestones, read straight from its records, are what the tabletop
    documents show and what the assessment compares a drill with."""
    import numpy as np

    from drillsim.drills.assessment import durations
    from drillsim.drills.exercise import _commander_role, milestone_minutes, timeline

    run = simulate(scenario, None, 3, replications=REPS)
    t = timeline(run)
    rec = run.records
    role = _commander_role(run.bundle.org)
    assert role is not None  # every bundled plan names its commander role
    for r in range(REPS):
        mob = rec.mobilisations[(rec.mobilisations["replication"] == r)
                                & (rec.mobilisations["role"] == role)]
        events = rec.events[(rec.events["replication"] == r)
                            & rec.events["kind"].isin(["escalated", "management_escalation"])]
        incidents = rec.incidents[rec.incidents["replication"] == r]
        expected = {
            "detected": incidents["detected_at"].min(),
            "commander_assigned": mob["engaged_at"].min(),
            "escalated": events["at"].min(),
            "resolved": incidents["resolved_at"].max(),
        }
        shown = milestone_minutes(t, run, r)
        for name, value in expected.items():
            value = None if value != value else float(value)  # NaN: never reached
            assert shown[name] == value, (r, name)
    # the assessment measures the commander from detection over the same replications
    took = durations(t, "commander_assigned")
    assert took is not None
    reached = ~np.isnan(t["commander_assigned"])
    assert np.array_equal(took[reached], (t["commander_assigned"] - t["detected"])[reached])
