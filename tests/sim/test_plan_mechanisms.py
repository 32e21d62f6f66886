"""Each mechanism real response plans use, against a timeline worked out by hand."""

from __future__ import annotations

import pytest

from tests.conftest import timeline

ORG = """
name: plan
timezone: UTC
hourly_rate: 120                       # 2 per engaged minute
responders:
  - {id: tech, skills: [backend], capacity: 3, ack_delay: {working: 4m, off_hours: 4m}}
  - {id: sec1, skills: [security], ack_delay: {working: 20m, off_hours: 20m}}
  - {id: sec2, skills: [security], ack_delay: {working: 1m, off_hours: 1m}}
  - {id: comms, skills: [comms], ack_delay: {working: 3m, off_hours: 3m}}
  - {id: ghost, miss_probability: 1}
escalation_policies:
  - {id: technical, name: Technical team, respond_within: 10m,
     levels: [{targets: [{responder: tech}], delay: 10m}]}
  - {id: security, name: Security team, respond_within: 15m,
     levels: [{targets: [{responder: sec1}], delay: 15m}, {targets: [{responder: sec2}], delay: 15m}]}
  - {id: nobody, levels: [{targets: [{responder: ghost}], delay: 1h}]}
routes: [{tags: [security], escalation_policies: [technical, security]}]
channels: {chat: {delay: 3m}}
alerts:
  error-rate: {metric: error_rate, above: 5, evaluation_interval: 1m, for: 5m, delay: 2m}
  error-rate-10m: {metric: error_rate, above: 5, window: 10m, evaluation_interval: 1m, delay: 2m}
capabilities: [secondary-region]
services:
  - {id: api, impact_per_minute: 100}
  - {id: database, rto: 1h, rpo: 15m, backup_interval: 1h}
financial_escalations:
  - {threshold: 1000, notify: engineering-manager}
  - {threshold: 5000, notify: cto}
severities:
  P0:
    escalation_policy: security
    status_updates: 30m
    phase_targets: {fix: 1h}
    management:
      - {after: 15m, notify: team-lead}
      - {after: 30m, notify: engineering-manager}
      - {after: 1h, notify: cto}
    deadlines:
      - {name: status page, within: 5m, task: {effort: 2m, skill: comms}}
      - {name: internal notification, within: 15m, task: {effort: 1m}}
      - {name: customer communication, within: 1h, task: {effort: 10m, skill: comms}}
      - {name: regulator notified, within: 72h, tags: [personal-data], task: {effort: 4h}}
      - {name: post-mortem, from: resolved, within: 48h, task: {effort: 1d}}
  P1:
    escalation_policy: technical
    management: [{after: 1h, notify: team-lead}]
    impact: {affected: 1, mode: down}  # a full outage: cost at the services' whole rate
  P2: {escalation_policy: technical, channel: chat}
  P3: {escalation_policy: nobody}
"""


def scenario(incidents: str) -> str:
    return f"""
name: mechanisms
start: "2026-06-01T12:00"
timezone: UTC
org: org.yaml
incidents:
{incidents}
"""


def run_one(simulate, incident: str, reps: int = 1):
    run = simulate(scenario(incident), ORG, reps=reps)
    return run, run.records.incidents.iloc[0]


def deadlines(run) -> dict[str, tuple[float, float, bool]]:
    d = run.records.deadlines
    return {f"{r.deadline}#{r.occurrence}": (r.due_at, round(r.done_at, 6), bool(r.met))
            for r in d.itertuples()}


def test_parallel_response_teams_answer_independently_against_their_own_targets(simulate):
    run, row = run_one(simulate, """
  - {type: breach, severity: P1, tags: [security], at: 0m,
     signals: [{delay: 2m}], phases: [{name: fix, duration: 30m}]}""")
    # technical: tech paged at 2, acknowledges at 6 (due 12). security: sec1 paged at 2 would
    # answer at 22, but level 2 pages sec2 at 17 who answers at 18 (due 17)
    assert timeline(run, kinds=("paged", "acknowledged")) == [
        (2.0, "paged", "tech"), (2.0, "paged", "sec1"), (6.0, "acknowledged", "tech"),
        (17.0, "paged", "sec2"), (18.0, "acknowledged", "sec2")]
    assert row.acknowledged_at == 6.0 and row.acknowledged_by == "tech"
    assert deadlines(run) == {"Technical team response#1": (12.0, 6.0, True),
                              "Security team response#1": (17.0, 18.0, False)}


def test_management_escalation_follows_elapsed_time_per_severity(simulate):
    run = simulate(scenario("""
  - {type: outage, severity: P0, at: 0m, signals: [{delay: 0m}],
     phases: [{name: fix, duration: 41m}]}
  - {type: outage, severity: P1, at: 0m, signals: [{delay: 0m}],
     phases: [{name: fix, duration: 41m}]}"""), ORG)
    # P0: level 2 pages sec2 at 15, who answers at 16, so the work ends at 57: after the 15m
    # and 30m triggers, before the 1h one. P1: resolved at 45, before its 1h trigger.
    ev = run.records.events
    mgmt = ev[ev.kind == "management_escalation"]
    assert list(zip(mgmt.incident, mgmt["at"], mgmt.actor, strict=True)) == [
        (0, 15.0, "team-lead"), (0, 30.0, "engineering-manager")]
    assert run.records.incidents.resolved_at.tolist() == [57.0, 45.0]


def test_financial_escalation_when_estimated_cost_crosses_a_threshold(simulate):
    run, row = run_one(simulate, """
  - {type: outage, severity: P1, at: 0m, services: [api], signals: [{delay: 0m}],
     phases: [{name: mitigate, duration: 30m, mitigates: true}, {name: repair, duration: 20m}]}""")
    # impact 100/min from 0 until mitigation at 34; tech engaged from 4 at 2/min.
    # cost(t) = 100 t + 2 (t - 4) reaches 1,000 at t = 1008/102; at resolution (54) it is
    # 3,400 + 100 = 3,500, so the 5,000 threshold is never reached.
    ev = run.records.events
    money = ev[ev.kind == "financial_escalation"]
    assert money.actor.tolist() == ["engineering-manager"]
    assert money["at"].iloc[0] == pytest.approx(1008 / 102, abs=1e-6)
    assert row.cost == pytest.approx(3500.0)


def test_channel_delivery_delay_comes_before_the_acknowledgement(simulate):
    run = simulate(scenario("""
  - {type: slow, severity: P2, at: 0m, signals: [{delay: 0m}], phases: [{name: fix, duration: 5m}]}
  - {type: slow, severity: P1, at: 0m, signals: [{delay: 0m}], phases: [{name: fix, duration: 5m}]}
"""), ORG)
    # both page tech at once; the P2 goes by chat (3 minutes to arrive), the P1 by page
    assert run.records.incidents.acknowledged_at.tolist() == [7.0, 4.0]


def test_deadlines_and_phase_targets_met_or_missed(simulate):
    run, row = run_one(simulate, """
  - {type: outage, severity: P0, at: 0m, signals: [{delay: 0m}], requires: [{skill: comms}],
     phases: [{name: fix, duration: 1h, mitigates: true}]}""")
    # The status page is work for someone with comms: declared at 0, nobody on the incident has
    # it, so comms is mobilised at once (paged at 0, answers at 3) and is its first responder.
    # sec1 paged at 0; level 2 pages sec2 at 15, who answers at 16: acknowledged, and comms is
    # already there, so everyone required is engaged at 16; the fix runs 16 -> 76.
    assert (row.first_response_at, row.acknowledged_at, row.engaged_at, row.resolved_at) == (
        3.0, 16.0, 16.0, 76.0)
    assert deadlines(run) == {
        "status page#1": (5.0, 5.0, True),               # comms at their desk 3 -> 5
        "customer communication#1": (60.0, 15.0, True),  # comms next, 10m: 5 -> 15
        "internal notification#1": (15.0, 17.0, False),  # the lead (sec2, from 16), 1m
        "status update#1": (30.0, 22.0, True),           # the lead's next task: 5m, 17 -> 22
        "status update#2": (60.0, 35.0, True),           # its period opens at 30: 30 -> 35
        "post-mortem#1": (76.0 + 2880, 76.0 + 1440, True),  # a day of sec2's time after 76
        "fix phase#1": (60.0, 76.0, False),              # fix ended 76, target 1h from detection
        "Security team response#1": (15.0, 16.0, False),
    }
    assert (row.updates_due, row.updates_sent) == (2, 2)  # the third would fall due after 76


def test_a_deadline_limited_to_tagged_incidents_applies_only_to_them(simulate):
    run = simulate(scenario("""
  - {type: leak, severity: P0, at: 0m, tags: [personal-data], signals: [{delay: 0m}],
     phases: [{name: fix, duration: 10m}]}
  - {type: outage, severity: P0, at: 0m, signals: [{delay: 0m}], phases: [{name: fix, duration: 10m}]}
"""), ORG)
    d = run.records.deadlines
    regulator = d[d.deadline == "regulator notified"]
    # only the personal-data incident owes it, and it is the lead's work: sec2 acknowledges
    # incident 0 at 16, does the internal notification (1m) first, then 4 hours of this
    assert regulator.incident.tolist() == [0]
    assert (regulator.due_at.iloc[0], regulator.done_at.iloc[0]) == (72 * 60.0, 17.0 + 240)
    # which takes the lead's time: their first status update waits behind it and is late
    updates = d[(d.deadline == "status update") & (d.incident == 0)]
    assert (updates.done_at.iloc[0], updates.status.iloc[0]) == (257.0 + 5, "late")


def test_response_options_fall_through_by_condition_and_outcome(simulate):
    phase = """[{name: recover, mitigates: true, options: [
        {name: roll back, duration: 10m, when: deployment},
        {name: hotfix, duration: 30m, success: 0},
        {name: fail over, duration: 20m, when: secondary-region},
        {name: restore, duration: 2h, restores: true}]}]"""
    run = simulate(scenario(f"""
  - {{type: deploy, severity: P1, at: 0m, facts: {{deployment: 1}}, signals: [{{delay: 0m}}],
     phases: {phase}}}
  - {{type: other, severity: P1, at: 0m, facts: {{deployment: 0}}, signals: [{{delay: 0m}}],
     phases: {phase}}}"""), ORG)
    kinds = ("option", "option_skipped", "option_worked", "option_failed", "mitigated")
    ev = run.records.events

    def steps(i):
        e = ev[(ev.incident == i) & ev.kind.isin(kinds)]
        return list(zip(e["at"], e.kind, e.detail, strict=True))
    # tech (capacity 3) acknowledges both at 4
    first, second = run.records.incidents.engaged_at.tolist()
    assert first == second == 4.0
    assert steps(0) == [(first, "option", "roll back"), (first + 10, "option_worked", "roll back"),
                        (first + 10, "mitigated", "")]
    assert steps(1) == [
        (second, "option_skipped", "roll back: no deployment"), (second, "option", "hotfix"),
        (second + 30, "option_failed", "hotfix"), (second + 30, "option", "fail over"),
        (second + 50, "option_worked", "fail over"), (second + 50, "mitigated", "")]


def test_restore_from_backup_loses_data_back_to_the_last_backup(simulate):
    run = simulate(scenario("""
  - {type: corruption, severity: P1, at: 0m, services: [database], signals: [{delay: 0m}],
     phases: [{name: recover, mitigates: true, options: [{name: restore, duration: 50m, restores: true}]}]}
"""), ORG, reps=200)
    rows = run.records.incidents
    # tech answers at 4, the restore takes 50: mitigated at 54, inside the 1h RTO
    assert (rows.mitigated_at == 54.0).all() and rows.rto_met.all()
    loss = rows.data_loss_minutes
    assert loss.between(0, 60, inclusive="left").all()  # backups every hour
    assert (rows.rpo_met == (loss <= 15)).all()
    assert rows.rpo_met.mean() == pytest.approx(0.25, abs=0.1)  # a quarter of the hour is in RPO


def test_threshold_alert_fires_after_its_for_period_and_own_delay(simulate):
    run = simulate(scenario("""
  - {type: errors, severity: P1, at: 0m, symptoms: {error_rate: 20},
     signals: [{alert: error-rate}, {channel: user report, delay: 30m}],
     phases: [{name: fix, duration: 5m}]}
  - {type: errors, severity: P1, at: 0m, symptoms: {error_rate: 20},
     signals: [{alert: error-rate-10m}], phases: [{name: fix, duration: 5m}]}
  - {type: errors, severity: P1, at: 0m, symptoms: {error_rate: 3},
     signals: [{alert: error-rate}, {channel: user report, delay: 30m}],
     phases: [{name: fix, duration: 5m}]}"""), ORG, reps=50)
    rows = run.records.incidents
    by = {i: g for i, g in rows.groupby("incident")}
    # crossed at once: first tick within a minute, held for 5 minutes of ticks, 2 to notify
    assert by[0].detected_at.between(7, 8).all() and set(by[0].detected_by) == {"error-rate"}
    # a 10-minute mean of 20 passes 5 at 2.5 minutes; no hold; 2 to notify
    assert by[1].detected_at.between(4.5, 5.5).all()
    # below the threshold the alert never fires: a user reports it
    assert (by[2].detected_at == 30.0).all() and set(by[2].detected_by) == {"user report"}


def test_severity_upgrade_pages_the_new_severitys_policy(simulate):
    run, row = run_one(simulate, """
  - {type: outage, severity: P3, at: 0m, signals: [{delay: 0m}], phases: [{name: fix, duration: 30m}],
     injects: [{at: 20m, note: customers affected, severity: P0}]}""")
    # P3 pages ghost, who never answers; at 20 the upgrade to P0 pages the security team:
    # sec1 (answers at 40), then sec2 at 35 (answers at 36); P0 owes a status page, so comms
    # is mobilised at 20 too (answers at 23)
    assert timeline(run, kinds=("paged", "severity_changed", "acknowledged")) == [
        (0.0, "paged", "ghost"), (20.0, "severity_changed", ""), (20.0, "paged", "sec1"),
        (20.0, "paged", "comms"), (23.0, "acknowledged", "comms"), (35.0, "paged", "sec2"),
        (36.0, "acknowledged", "sec2")]
    assert (row.initial_severity, row.severity) == ("P3", "P0")


def test_an_incident_is_declared_only_after_assessment(simulate):
    _, row = run_one(simulate, """
  - {type: odd, severity: P1, at: 0m, signals: [{delay: 3m, assessment: 10m}],
     phases: [{name: fix, duration: 5m}]}""")
    assert (row.detected_at, row.declared_at, row.paged_at, row.acknowledged_at) == (
        3.0, 13.0, 13.0, 17.0)
    assert row.resolved_at == 22.0
