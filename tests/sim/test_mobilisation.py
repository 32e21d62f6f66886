"""Hand-computed timelines of mobilisation, tasks, the hour-dependent answer and the reasons an
incident was never acknowledged."""

from __future__ import annotations

from tests.conftest import timeline

DBA_ORG = """
name: dba
timezone: UTC
preempt: {preempt}
responders:
  - {{id: ops, capacity: 9, ack_delay: {{working: 1m, off_hours: 1m}}}}
  - {{id: farah, skills: [dba], ack_delay: {{working: 2m, off_hours: 2m}}}}
  - {{id: goran, skills: [dba], ack_delay: {{working: 2m, off_hours: 2m}}}}
rotations:
  - id: dba
    layers: [{{members: [farah, goran], turn: weekly, handoff: "2026-06-01T00:00"}}]
roles:
  - {{id: dba, name: Database engineer, skill: dba, rotation: dba, delay: 10m}}
escalation_policies:
  - {{id: ops, levels: [{{targets: [{{responder: ops}}], delay: 30m}}]}}
severities:
  P0: {{escalation_policy: ops}}
  P1: {{escalation_policy: ops}}
  P2: {{escalation_policy: ops}}
"""


def scenario(incidents: str) -> str:
    return f"""
name: mobilise
start: "2026-06-01T12:00"
org: org.yaml
incidents:
{incidents}
"""


def needs_dba(severity: str, at: str, work: str = "10h") -> str:
    return f"""  - {{type: db, severity: {severity}, at: {at}, signals: [{{delay: 0m}}],
     requires: [{{role: dba}}], phases: [{{name: fix, duration: {work}, mitigates: true}}]}}"""


def test_a_p0_needing_the_busy_on_call_dba_gets_the_other_after_the_roles_delay(simulate):
    run = simulate(scenario(needs_dba("P1", "0m") + "\n" + needs_dba("P0", "60m")),
                   DBA_ORG.format(preempt="false"))
    # P1: ops answers at 1, the role's path pages the dba on call (farah) at 1, she joins at 3.
    # P0 at 60: ops answers at 61, farah is paged at 61 and is busy when she answers at 63;
    # 10m after the page the path widens to anyone with the role: goran, paged at 71, joins 73.
    assert timeline(run, 1, kinds=("paged", "busy", "escalated", "engaged")) == [
        (60.0, "paged", "ops"), (61.0, "engaged", "ops"), (61.0, "paged", "farah"),
        (63.0, "busy", "farah"), (71.0, "escalated", ""), (71.0, "paged", "goran"),
        (73.0, "engaged", "goran")]
    m = run.records.mobilisations.set_index("incident")
    assert m.loc[1, ["role", "responder", "pages", "outcome"]].tolist() == ["dba", "goran", 2,
                                                                           "engaged"]
    assert m.loc[1, "time_to_mobilise"] == 12.0
    assert run.records.incidents.engaged_at.tolist() == [3.0, 73.0]
    # every page sent to mobilise counts in that person's on-call load
    load = run.records.responders.set_index("responder").pages
    assert (load["farah"], load["goran"]) == (2, 1)


POOL_ORG = """
name: pool
timezone: UTC
preempt: {preempt}
responders:
  - {{id: ops, capacity: 9, ack_delay: {{working: 1m, off_hours: 1m}}}}
  - {{id: dba, skills: [dba], ack_delay: {{working: 2m, off_hours: 2m}}}}
roles: [{{id: dba, skill: dba}}]
escalation_policies:
  - {{id: ops, levels: [{{targets: [{{responder: ops}}], delay: 30m}}]}}
severities:
  P0: {{escalation_policy: ops}}
  P1: {{escalation_policy: ops}}
  P2: {{escalation_policy: ops}}
"""
THREE = "\n".join((needs_dba("P1", "0m", "1h"), needs_dba("P2", "10m", "1h"),
                   needs_dba("P0", "20m", "1h")))


def test_the_most_severe_incident_waiting_for_a_role_is_served_first(simulate):
    run = simulate(scenario(THREE), POOL_ORG.format(preempt="false"))
    # the dba joins the P1 at 3 and is free at 63; the P2 has waited since 11, the P0 since 21:
    # the P0 goes first (joins 65, done 125), then the P2 (joins 127)
    inc = run.records.incidents.set_index("incident")
    assert inc.engaged_at.tolist() == [3.0, 127.0, 65.0]
    m = run.records.mobilisations.set_index("incident").time_to_mobilise
    assert m.tolist() == [2.0, 116.0, 44.0]


def test_with_preemption_a_busy_responder_drops_less_severe_work(simulate):
    run = simulate(scenario(THREE), POOL_ORG.format(preempt="true"))
    # the P0 at 21 pulls the dba off the P1 (ops stays on it), paged at 21, joins at 23
    assert timeline(run, 0, kinds=("preempted",)) == [(21.0, "preempted", "dba")]
    inc = run.records.incidents.set_index("incident")
    assert inc.engaged_at[2] == 23.0
    assert inc.resolved_at[0] == 63.0  # the P1's work goes on with ops


TASK_ORG = """
name: tasks
timezone: Europe/London
business_hours: {windows: [{days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:30"}]}
responders:
  - {id: ops, ack_delay: {working: 2m, evening: 7m, sleep: 20m}}
  - {id: ghost, miss_probability: 1}
teams: [{id: legal, name: Legal}]
roles: [{id: legal, team: legal}]
escalation_policies:
  - {id: ops, levels: [{targets: [{responder: ops}], delay: 30m}]}
  - {id: nobody, repeat: 1, levels: [{targets: [{responder: ghost}], delay: 10m}]}
severities:
  P1:
    escalation_policy: ops
    deadlines: [{name: regulator notice, within: 72h, task: {role: legal, effort: 1h}}]
  P3: {escalation_policy: nobody}
"""


def test_a_task_nobody_can_ever_do_is_unstaffed_not_late(simulate):
    run = simulate(scenario("""  - {type: leak, severity: P1, at: 0m, signals: [{delay: 0m}],
     phases: [{name: fix, duration: 1h}]}"""), TASK_ORG)
    d = run.records.deadlines
    # the legal team has nobody in it: nobody is paged, and the notice is not merely late
    assert d.loc[d.deadline == "regulator notice", "status"].tolist() == ["unstaffed"]
    assert run.records.mobilisations.empty


def test_the_answer_depends_on_the_hour_in_the_responders_zone(simulate):
    # 2026-06-01 is a Monday; London is on BST (UTC+1): 12:00 working, 20:00 evening, 03:00 asleep
    run = simulate("""
name: hours
start: "2026-06-01T12:00"
org: org.yaml
incidents:
  - {type: a, severity: P1, at: 0m, signals: [{delay: 0m}], phases: [{name: fix, duration: 5m}]}
  - {type: b, severity: P1, at: 8h, signals: [{delay: 0m}], phases: [{name: fix, duration: 5m}]}
  - {type: c, severity: P1, at: 15h, signals: [{delay: 0m}], phases: [{name: fix, duration: 5m}]}
""", TASK_ORG)
    inc = run.records.incidents
    assert (inc.acknowledged_at - inc.paged_at).tolist() == [2.0, 7.0, 20.0]


def test_why_an_incident_was_never_acknowledged(simulate):
    run = simulate(scenario("""  - {type: lost, severity: P3, at: 0m, signals: [{delay: 0m}],
     phases: [{name: fix, duration: 5m}]}"""), TASK_ORG)
    row = run.records.incidents.iloc[0]
    # ghost misses the page at 0 and again on the repeat at 10; the policy runs out at 20
    assert timeline(run, kinds=("paged", "missed", "exhausted")) == [
        (0.0, "paged", "ghost"), (0.0, "missed", "ghost"), (10.0, "paged", "ghost"),
        (10.0, "missed", "ghost"), (20.0, "exhausted", "")]
    assert (row.unacknowledged_reason, row.unresolved_reason) == ("policy exhausted",
                                                                  "never acknowledged")
