"""Cost follows what an incident does: the share of users affected, down or degraded, by
severity and incident type; financial escalations cross on that cost."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.scenarios.org import Organisation
from drillsim.scenarios.scenario import Incident
from drillsim.sim.compiled import CompiledOrg
from drillsim.sim.cost import cost_at, crossing
from drillsim.sim.state import IncidentState

ORG = """
name: shop
timezone: UTC
currency: EUR
hourly_rate: 60                        # 1 per engaged minute
responders:
  - {id: eng, capacity: 9, ack_delay: {working: 4m, off_hours: 4m}}
escalation_policies:
  - {id: main, levels: [{targets: [{responder: eng}], delay: 1h}]}
services:
  - {id: api, impact_per_minute: 100}  # a full outage of the API costs 100 a minute
financial_escalations:
  - {threshold: 1000, notify: finance}
severities:
  P0: {escalation_policy: main}
  P1: {escalation_policy: main}
  P2: {escalation_policy: main}
  P3: {escalation_policy: main}
"""


def drill(*incidents: str) -> str:
    body = "".join(f"""
  - {{type: outage, services: [api], signals: [{{delay: 0m}}],
     phases: [{{name: fix, duration: 30m, mitigates: true}}], {extra}}}""" for extra in incidents)
    return f"""
name: cost
start: "2026-06-01T12:00"
timezone: UTC
org: org.yaml
incidents:{body}
"""


def test_a_p3_costs_less_than_a_p0_of_the_same_service_and_duration(simulate):
    run = simulate(drill("severity: P0", "severity: P1", "severity: P2", "severity: P3"), ORG)
    # each: impact from 0 until mitigation at 34 (acknowledged at 4, then 30 minutes of work);
    # the engineer's 30 engaged minutes add 30. Default shares down the ladder: 1, 1/10,
    # 1/100, 1/1000 of the full 100 a minute, all down.
    #   P0: 100 x 1    x 34 + 30 = 3,430       P1: 100 x 0.1   x 34 + 30 = 370
    #   P2: 100 x 0.01 x 34 + 30 = 64          P3: 100 x 0.001 x 34 + 30 = 33.4
    assert run.records.incidents.cost.tolist() == pytest.approx([3430.0, 370.0, 64.0, 33.4])


def test_impact_set_per_severity_and_overridden_per_incident_type(simulate):
    org = ORG.replace("P2: {escalation_policy: main}",
                      "P2: {escalation_policy: main, impact: {affected: 0.5, mode: degraded}}")
    org = org.replace("P3: {escalation_policy: main}",
                      "P3: {escalation_policy: main, impact: {mode: degraded}}")
    run = simulate(drill(
        "severity: P2",                                                       # the severity's
        "severity: P1, impact: {mode: degraded}",                             # type's mode
        "severity: P0, impact: {affected: 0.5, mode: degraded, degraded_factor: 0.3}",
        "severity: P2, impact: {mode: down}",
        "severity: P3",                                       # default share, degraded
    ), org)
    # P2:              100 x 0.5 x 0.5 x 34 + 30 = 880
    # P1 degraded:     100 x 0.1 x 0.5 x 34 + 30 = 200
    # P0 own impact:   100 x 0.5 x 0.3 x 34 + 30 = 540
    # P2 made down:    100 x 0.5       x 34 + 30 = 1,730
    # P3:              100 x 0.001 x 0.5 x 34 + 30 = 31.7
    assert run.records.incidents.cost.tolist() == pytest.approx([880.0, 200.0, 540.0, 1730.0, 31.7])


def test_a_severity_raised_mid_incident_costs_at_the_new_rate_from_then(simulate):
    run = simulate(drill("severity: P3, injects: [{at: 10m, severity: P0}]"), ORG)
    # 10 minutes at P3 (0.1 a minute), 24 at P0 (100 a minute), 30 engaged minutes
    assert run.records.incidents.cost.iloc[0] == pytest.approx(1.0 + 2400.0 + 30.0)


def test_financial_escalation_crosses_on_the_scaled_cost(simulate):
    run = simulate(drill("severity: P0", "severity: P3"), ORG)
    # P0: cost(t) = 100 t + (t - 4) from t = 4, reaching 1,000 at t = 1004/101; the P3 never
    # gets past 33.4
    ev = run.records.events
    money = ev[ev.kind == "financial_escalation"]
    assert money.incident.tolist() == [0]
    assert money["at"].iloc[0] == pytest.approx(1004 / 101, abs=1e-9)


def test_the_summary_names_the_currency(simulate):
    from drillsim.sim.summary import as_json, run_summary

    summary = run_summary(simulate(drill("severity: P0"), ORG))
    assert summary.currency == "EUR" and as_json(summary)["currency"] == "EUR"


def test_default_impacts_fall_down_any_ladder():
    org = Organisation.model_validate({
        "responders": [{"id": "a"}], "escalation_policies": [
            {"id": "p", "levels": [{"targets": [{"responder": "a"}]}]}],
        "severities": {f"SEV{i}": {"escalation_policy": "p"} for i in range(1, 6)}})
    shares = [p.impact.factor() for p in org.severities.values() if p.impact]
    assert shares == pytest.approx([1.0, 0.1, 0.01, 0.001, 0.0001])


COMPILED = CompiledOrg.build(Organisation.model_validate({
    "responders": [{"id": "a", "hourly_rate": 90}, {"id": "b", "hourly_rate": 30}],
    "escalation_policies": [{"id": "p", "levels": [{"targets": [{"responder": "a"}]}]}],
    "services": [{"id": "s", "impact_per_minute": 40}],
    "severities": {"P0": {"escalation_policy": "p"}, "P1": {"escalation_policy": "p"},
                   "P2": {"escalation_policy": "p", "impact": {"affected": 0.5, "mode": "degraded"}}},
}), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
SEVERITIES = st.sampled_from(["P0", "P1", "P2"])
MINUTE = st.floats(0, 500, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(SEVERITIES, st.lists(st.tuples(MINUTE, SEVERITIES), max_size=4),
       st.one_of(st.none(), MINUTE),
       st.lists(st.tuples(st.sampled_from([0, 1]), MINUTE, MINUTE), max_size=4),
       st.dictionaries(st.sampled_from([0, 1]), MINUTE, max_size=2),
       st.floats(1, 30000), st.floats(0, 600))
def test_cost_and_crossing_agree_with_the_definition(first, injects, mitigated, spans, engaged,
                                                     threshold, t):
    template = Incident.model_validate({
        "type": "x", "severity": first, "services": ["s"], "phases": [{"name": "f", "duration": 1}],
        "injects": [{"at": at, "severity": sev} for at, sev in injects]})
    inc = IncidentState(id=0, template=template, severity=first, initial_severity=first, rank=0,
                        started_at=0.0, detect_delay=0.0, detected_by="", assessment=0.0,
                        assessor=None,
                        phases=[], injected={}, facts=frozenset(), backup_age=0.0,
                        mitigated_at=mitigated,
                        engagements=[(r, min(a, b), max(a, b)) for r, a, b in spans],
                        engaged=engaged)

    def by_definition(t: float) -> float:
        """Integrate the cost per minute piece by piece, from the rules as stated."""
        rate = {"P0": 40.0, "P1": 4.0, "P2": 10.0}  # 40 x (1, 1/10, 0.5 x 0.5)
        end = t if mitigated is None else min(t, mitigated)
        changes = [(0.0, first)]
        for inject in sorted(template.injects, key=lambda i: i.at):
            changes.append((inject.at, inject.severity))
        total = 0.0
        for (at, sev), (upto, _) in zip(changes, [*changes[1:], (math.inf, "")], strict=True):
            total += rate[sev] * max(0.0, min(upto, end) - at)
        for r, a, b in inc.engagements:
            total += (1.5, 0.5)[r] * max(0.0, min(b, t) - a)
        for r, since in engaged.items():
            total += (1.5, 0.5)[r] * max(0.0, t - since)
        return total

    assert cost_at(inc, COMPILED, t) == pytest.approx(by_definition(t), abs=1e-6)
    hit = crossing(inc, COMPILED, threshold, 600.0)
    if math.isnan(hit):
        assert by_definition(600.0) < threshold + 1e-6
    else:
        assert by_definition(hit) == pytest.approx(threshold, rel=1e-9)
        assert hit <= 600.0 and by_definition(hit - 1e-6) < threshold


BOARD = '{name: board notified, from: "cost:1000", within: 4h, task: {effort: 30m}}'


def test_a_deadline_starts_when_the_cost_reaches_a_threshold(simulate):
    org = ORG.replace("P0: {escalation_policy: main}",
                      f"P0: {{escalation_policy: main, deadlines: [{BOARD}]}}")
    org = org.replace("P3: {escalation_policy: main}",
                      f"P3: {{escalation_policy: main, deadlines: [{BOARD}]}}")
    run = simulate(drill("severity: P0", "severity: P3"), org)
    d = run.records.deadlines
    d = d[d.deadline == "board notified"]
    # P0: 100 a minute until the engineer joins at 4, then 101: cost reaches 1,000 at 1004/101
    # (9.94). The clock starts there; the lead's 30 minutes of work end at 39.94, due at 249.94.
    # The P3 (at most 33.4) never starts the clock.
    assert d.incident.tolist() == [0]
    start = 1004 / 101
    assert d.due_at.iloc[0] == pytest.approx(start + 240)
    assert d.done_at.iloc[0] == pytest.approx(start + 30)
    assert d.status.tolist() == ["met"]
