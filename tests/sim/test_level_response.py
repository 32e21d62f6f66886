"""Each escalation level's own response target, against timelines worked out by hand: counted
from when that level is paged, met by the team's acknowledgement whoever gives it."""

from __future__ import annotations

from drillsim.sim.summary import run_summary
from tests.conftest import timeline

ORG = """
name: tiers
timezone: UTC
responders:
  - {id: agent, ack_delay: {working: 20m, off_hours: 20m}, miss_probability: {miss}}
  - {id: manager, ack_delay: {working: 25m, off_hours: 25m}}
  - {id: director, ack_delay: {working: 3m, off_hours: 3m}}
  - {id: desk, ack_delay: {working: 1m, off_hours: 1m}}
roles:
  - {id: support, escalation_policy: support}
escalation_policies:
  - id: support
    name: Support
    repeat: 1
    levels:
      - {targets: [{responder: agent}], delay: 10m, respond_within: 10m}
      - {targets: [{responder: manager}], delay: 20m, respond_within: 30m}
      - {targets: [{responder: director}], delay: 30m, respond_within: 1h}
  - {id: front-desk, levels: [{targets: [{responder: desk}]}]}
severities:
  P1: {escalation_policy: support}
  P2: {escalation_policy: front-desk}
"""


def run_case(simulate, miss: int, severity: str = "P1", requires: str = ""):
    scenario = f"""
name: levels
start: "2026-06-01T12:00"
org: org.yaml
incidents:
  - {{type: outage, severity: {severity}, at: 0m, signals: [{{delay: 0m}}], {requires}
     phases: [{{name: fix, duration: 1h}}]}}
"""
    return simulate(scenario, ORG.replace("{miss}", str(miss)))


def rows(run) -> dict[str, tuple[float, float, str]]:
    d = run.records.deadlines
    return {r.deadline: (r.due_at, r.done_at, r.status) for r in d.itertuples()}


def test_a_late_answer_from_level_1_meets_level_2s_target(simulate):
    run = run_case(simulate, miss=0)
    # the agent is paged at 0 and answers at 20; the manager is paged at 10 (level 1's delay)
    # and would answer at 35, after the team has answered; the director is never paged
    assert timeline(run, kinds=("paged", "acknowledged")) == [
        (0.0, "paged", "agent"), (10.0, "paged", "manager"), (20.0, "acknowledged", "agent")]
    assert rows(run) == {"Support level 1 response": (10.0, 20.0, "late"),
                         "Support level 2 response": (40.0, 20.0, "met")}


def test_every_level_paged_gets_its_own_deadline(simulate):
    run = run_case(simulate, miss=1)
    # the agent misses the page at 0; the manager is paged at 10, the director at 30 (10 + 20)
    # and answers at 33, before the manager's 35
    assert timeline(run, kinds=("paged", "missed", "acknowledged")) == [
        (0.0, "paged", "agent"), (0.0, "missed", "agent"), (10.0, "paged", "manager"),
        (30.0, "paged", "director"), (33.0, "acknowledged", "director")]
    assert rows(run) == {"Support level 1 response": (10.0, 33.0, "late"),
                         "Support level 2 response": (40.0, 33.0, "met"),
                         "Support level 3 response": (90.0, 33.0, "met")}
    (p1,) = run_summary(run).severities
    assert p1.deadlines["Support level 1 response"].met.value == 0.0
    assert p1.deadlines["Support level 3 response"].met.value == 1.0
    assert p1.deadlines["Support level 1 response"].statuses["late"] == 1


def test_mobilising_a_role_along_the_policy_is_not_the_teams_response(simulate):
    run = run_case(simulate, miss=0, severity="P2", requires="requires: [{role: support}],")
    # the front desk answers the page at 1; the role goes along the support policy: the agent
    # at 1, the manager at 11, the agent answers at 21. Nobody paged the support team itself.
    assert timeline(run, kinds=("paged", "acknowledged")) == [
        (0.0, "paged", "desk"), (1.0, "acknowledged", "desk"), (1.0, "paged", "agent"),
        (11.0, "paged", "manager"), (21.0, "acknowledged", "agent")]
    assert run.records.deadlines.empty
