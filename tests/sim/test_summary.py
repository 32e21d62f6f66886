"""The typed summary and its JSON: severities in the organisation's order, every share with its
n and interval, keys from the definitions table."""

from __future__ import annotations

import json

from click.testing import CliRunner
from scipy import stats

from drillsim.drills.cli import cli
from drillsim.scenarios.measures import METRICS, TARGETS, outcome_milestones
from drillsim.sim.summary import as_json, run_summary
from tests.sim.test_mobilisation import TASK_ORG
from tests.sim.test_mobilisation import scenario as drill

ORG = """
name: ladder
responders:
  - {id: a, ack_delay: {working: {dist: exponential, mean: 6m}, off_hours: {dist: exponential, mean: 6m}}}
escalation_policies: [{id: p, levels: [{targets: [{responder: a}], delay: 1h}]}]
severities:                     # most severe first, not alphabetical
  urgent: {escalation_policy: p, status_updates: 10m, targets: {acknowledge: 5m, resolve: 1h}}
  high: {escalation_policy: p, targets: {acknowledge: 15m}}
  low: {escalation_policy: p}
"""


def scenario(counts: dict[str, int]) -> str:
    """Incidents an hour apart, each severity in turn: `counts` of each."""
    lines, hour = [], 0
    for severity, count in counts.items():
        for _ in range(count):
            lines.append(f"  - {{type: t, severity: {severity}, at: {hour}h, signals: [{{delay: 1m}}],"
                         " phases: [{name: fix, duration: 25m}]}")
            hour += 1
    return 'name: drill\nstart: "2026-06-01T00:00"\nincidents:\n' + "\n".join(lines) + "\n"


def test_severities_follow_the_organisations_ladder_not_the_alphabet(simulate):
    run = simulate(scenario({"low": 3, "high": 2, "urgent": 19}), ORG)
    summary = run_summary(run)
    assert [s.severity for s in summary.severities] == ["urgent", "high", "low"]
    assert [s["severity"] for s in as_json(summary)["severities"]] == ["urgent", "high", "low"]
    assert [s.incidents for s in summary.severities] == [19, 2, 3]


def test_every_share_carries_its_n_and_interval(simulate):
    run = simulate(scenario({"urgent": 19, "high": 2, "low": 3}), ORG, reps=1)
    data = as_json(run_summary(run))
    urgent, high, low = data["severities"]
    assert list(urgent["sla"]) == ["acknowledge", "resolve"]  # the targets it sets, in order
    assert list(high["sla"]) == ["acknowledge"] and low["sla"] == {} and low["deadlines"] == {}
    shares = [*urgent["sla"].values(), *high["sla"].values(), *urgent["deadlines"].values()]
    for share in shares:
        low_end, high_end = share["ci95"]
        assert 0 <= low_end <= share["share"] <= high_end <= 1
        assert share["share"] == round(share["met"] / share["n"], 4)
        assert 0 < share["effective_n"] <= share["n"]
    assert urgent["sla"]["acknowledge"]["n"] == 19
    assert urgent["deadlines"]["status update"]["n"] > 19  # occurrences, not incidents
    ack = urgent["sla"]["acknowledge"]
    assert ack["ci95"][1] - ack["ci95"][0] > 0.3  # 19 incidents cannot pin a share down
    high_ack = high["sla"]["acknowledge"]
    assert high_ack["ci95"][1] - high_ack["ci95"][0] > 0.6


def test_json_keys_come_from_the_definitions_table(simulate):
    run = simulate(scenario({"urgent": 5, "high": 5}), ORG, reps=3)
    data = as_json(run_summary(run))
    names = [m.name for m in METRICS]
    assert list(data["metrics"]) == names
    assert all(list(s["metrics"]) == names for s in data["severities"])
    assert list(data["never"]) == list(outcome_milestones())
    assert {t for s in data["severities"] for t in s["sla"]} <= {t.name for t in TARGETS}
    assert data["ci_method"] == "replication means" and data["ci_level"] == 0.95
    assert data["metrics"]["time_to_resolve"]["ci_units"] == 3


def test_on_call_load_is_a_mean_per_replication_with_students_t_interval(simulate):
    run = simulate(scenario({"urgent": 5, "high": 5}), ORG, reps=3)
    [load] = as_json(run_summary(run))["on_call_load"]
    assert load["responder"] == "a"
    assert load["pages"] == {"mean": 10.0, "ci95": [10.0, 10.0]}  # paged once per incident
    engaged = run.records.responders.minutes_engaged.to_numpy()  # one row per replication
    assert len(engaged) == 3 and engaged.std() > 0  # answer delays vary between replications
    low, high = stats.t.interval(0.95, 2, loc=engaged.mean(), scale=stats.sem(engaged))
    assert load["minutes_engaged"] == {"mean": round(engaged.mean(), 2),
                                       "ci95": [round(low, 2), round(high, 2)]}
    one = as_json(run_summary(simulate(scenario({"urgent": 5}), ORG, reps=1)))
    assert one["on_call_load"][0]["pages"] == {"mean": 5.0, "ci95": None}


def test_one_replication_uses_batch_means_and_says_so(write):
    path = write("drill.yaml", scenario({"urgent": 45}).replace(
        "incidents:", "org: org.yaml\nincidents:"))
    write("org.yaml", ORG)
    result = CliRunner().invoke(cli, ["run", str(path), "--reps", "1", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ci_method"] == "batch means"
    assert data["metrics"]["time_to_acknowledge"]["ci_units"] == 20  # 45 incidents, 20 batches
    ack = data["severities"][0]["sla"]["acknowledge"]
    assert ack["n"] == 45 and ack["effective_n"] <= 45


def test_what_never_happened_is_counted_by_reason_status_and_role(simulate, write):
    """Each P1 owes a regulator notice only the empty legal team could write (unstaffed, not
    late), a P3 pages someone who never answers (never acknowledged: policy exhausted), and a
    P1 that requires legal asks for a role nobody fills."""
    text = drill("""  - {type: leak, severity: P1, at: 0m, signals: [{delay: 0m}],
     phases: [{name: fix, duration: 1h}]}
  - {type: noise, severity: P3, at: 2h, signals: [{delay: 0m}],
     phases: [{name: fix, duration: 1h}]}
  - {type: contract, severity: P1, at: 4h, signals: [{delay: 0m}], requires: [{role: legal}],
     phases: [{name: fix, duration: 1h}]}""")
    summary = run_summary(simulate(text, TASK_ORG, reps=2))
    assert summary.never["acknowledged"] == 2 and summary.never["resolved"] == 2
    assert dict(summary.unacknowledged) == {"policy exhausted": 2}
    assert dict(summary.unresolved) == {"never acknowledged": 2}
    (p1, _) = summary.severities
    notice = p1.deadlines["regulator notice"]
    assert dict(notice.statuses) == {"met": 0, "late": 0, "missed": 0, "unstaffed": 4}
    assert (notice.met.met, notice.met.n) == (0, 4)  # two P1s in each of two replications
    (legal,) = summary.roles
    assert (legal.role, legal.requests, legal.time_to_mobilise.n, legal.never_mobilised) == (
        "legal", 2, 0, 2)
    assert legal.outcomes["unstaffed"] == 2 and legal.time_to_mobilise.mean is None
    data = as_json(summary)
    assert data["unacknowledged"] == {"policy exhausted": 2}
    assert data["severities"][0]["deadlines"]["regulator notice"]["statuses"]["unstaffed"] == 4
    assert data["roles"][0]["outcomes"] == {"engaged": 0, "exhausted": 0, "unstaffed": 2,
                                            "waiting at end of run": 0}
