"""Loading reports every problem of a file in one pass, and takes anchors from `x-` keys."""

from __future__ import annotations

import textwrap

import pytest

from drillsim.scenarios.errors import InputError
from drillsim.scenarios.loader import load, load_organisation

ORG = textwrap.dedent("""\
    name: o
    responders:
      - {id: a, capacity: 0}
      - {id: b}
    rotations:
      - id: broken
        layers: []
      - id: r
        layers:
          - {members: [a, b, zed], handoff: "2026-01-05T09:00", turn: fortnightly}
    escalation_policies:
      - id: main
        levels:
          - {targets: [{rotation: broken}, {rotation: r}], delay: 10m}
          - {targets: [{responder: c}], delay: 10m}
    severities:
      P1: {escalation_policy: main, targets: {acknowledge: soon}}
      P2: {escalation_policy: mian}
      P3: {paging: always}
    """)


def problems(func, *args) -> list[str]:
    with pytest.raises(InputError) as caught:
        func(*args)
    return [str(p) for p in caught.value.problems]


def test_field_and_reference_problems_come_together_in_line_order(tmp_path):
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    assert problems(load_organisation, tmp_path / "org.yaml") == [
        f"{tmp_path / 'org.yaml'}:{line}: {text}" for line, text in [
            (3, "responders[0].capacity: input should be greater than or equal to 1, found 0"),
            (7, "rotations[0].layers: must not be empty"),
            (10, "rotations[1].layers[0].turn: expected a duration such as '90s', '15m', '2h', "
                 "'1d' or '1h30m', found 'fortnightly'"),
            (10, "rotations[1].layers[0].members[2]: unknown responder 'zed'"),
            # {rotation: broken} names a rotation left out for its own problem: not reported
            (15, "escalation_policies[0].levels[1].targets[0].responder: unknown responder 'c'"),
            (17, "severities.P1.targets.acknowledge: expected a duration such as '90s', '15m', "
                 "'2h', '1d' or '1h30m', found 'soon'"),
            (18, "severities.P2.escalation_policy: unknown escalation policy 'mian' (did you mean "
                 "'main'?)"),
            (19, "severities.P3.escalation_policy: required field is missing"),
        ]]


def test_a_scenarios_problems_come_with_its_organisations(tmp_path):
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(textwrap.dedent("""\
        name: s
        start: "2026-06-01T09:00"
        org: org.yaml
        incidents:
          - {type: a, severity: P7, phases: [{name: fix, duration: 1h}]}
          - {type: b, severity: P3, phases: [{name: fix, duration: 1h}]}
          - {type: c, severity: P1, phases: [{name: fix, duration: -1h}]}
        """), encoding="utf-8")
    found = problems(load, tmp_path / "s.yaml")
    assert found[:2] == [
        f"{tmp_path / 's.yaml'}:5: incidents[0].severity: unknown severity 'P7'; the "
        "organisation's ladder is P1, P2",
        f"{tmp_path / 's.yaml'}:7: incidents[2].phases[0].duration: a duration cannot be "
        "negative, found '-1h'",
    ]  # P3 was left out of the ladder for its own problem, so incident 1 is not blamed for it
    assert len(found) == 2 + 8 and all(p.startswith(str(tmp_path / "org.yaml")) for p in found[2:])


def test_anchors_under_x_keys_are_shared_and_ignored(tmp_path):
    (tmp_path / "s.yaml").write_text(textwrap.dedent("""\
        x-ack: &ack {dist: lognormal, median: 2m, p90: 6m}
        x-person: &person
          skills: [db]
          ack_delay: {working: *ack, off_hours: *ack}
        name: anchors
        start: "2026-06-01T09:00"
        org:
          responders:
            - {<<: *person, id: a}
            - {<<: *person, id: b, capacity: 2}
          escalation_policies:
            - {id: main, levels: [{targets: [{responder: a}, {responder: b}]}]}
          severities:
            P1: {escalation_policy: main}
        incidents:
          - {type: outage, severity: P1, phases: [{name: fix, duration: 30m}]}
        """), encoding="utf-8")
    org = load(tmp_path / "s.yaml").org
    assert [r.skills for r in org.responders] == [("db",), ("db",)]
    assert org.responders[1].capacity == 2
    assert org.responders[0].ack_delay.working.params == org.responders[1].ack_delay.off_hours.params


def test_an_unknown_top_level_key_without_x_is_still_an_error(tmp_path):
    (tmp_path / "o.yaml").write_text(ORG.replace("name: o", "defaults: {}\nname: o"),
                                     encoding="utf-8")
    assert "defaults: unknown field" in problems(load_organisation, tmp_path / "o.yaml")[0]
