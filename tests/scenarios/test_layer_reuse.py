"""A layer can take another layer's members shifted by some turns instead of a copied list."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.scenarios.errors import InputError
from drillsim.scenarios.loader import load_organisation
from drillsim.scenarios.org import Organisation
from drillsim.sim import oncall


def org(primary: list[str], secondary: dict, extra_rotations: list | None = None) -> dict:
    return {
        "name": "o", "timezone": "Europe/London",
        "responders": [{"id": m} for m in sorted(set(primary))],
        "rotations": [
            {"id": "primary", "layers": [{"name": "weekly", "members": primary, "turn": "weekly",
                                          "handoff": "2026-01-05T09:00"}]},
            {"id": "secondary", "layers": [{"name": "weekly", "turn": "weekly",
                                            "handoff": "2026-01-05T09:00", **secondary}]},
            *(extra_rotations or [])],
        "escalation_policies": [{"id": "p", "levels": [{"targets": [{"rotation": "primary"}]}]}],
        "severities": {"P1": {"escalation_policy": "p"}},
    }


@settings(max_examples=60)
@given(st.lists(st.sampled_from("abcdef"), min_size=1, max_size=6), st.integers(-8, 8),
       st.sampled_from(["primary", "primary/weekly"]))
def test_members_from_with_offset_equals_the_layer_written_out(members, offset, ref):
    reused = Organisation.model_validate(org(members, {"members_from": ref, "offset": offset}))
    k = offset % len(members)
    by_hand = Organisation.model_validate(org(members, {"members": members[k:] + members[:k]}))
    assert reused == by_hand
    assert reused.rotations[1].layers[0].members_from is None


def test_a_secondary_one_turn_ahead_is_on_call_as_next_weeks_primary():
    o = Organisation.model_validate(org(["a", "b", "c"], {"members_from": "primary", "offset": 1}))
    primary, secondary = o.rotations
    for week in range(6):
        t = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC) + dt.timedelta(weeks=week)
        assert oncall.on_call(secondary, t) == oncall.on_call(primary, t + dt.timedelta(weeks=1))


def test_a_chain_of_reuse_resolves_across_rotations():
    third = {"id": "third", "layers": [{"name": "n", "members_from": "secondary", "offset": 1,
                                        "handoff": "2026-01-05T09:00"}]}
    o = Organisation.model_validate(org(["a", "b", "c"], {"members_from": "primary", "offset": 1},
                                        [third]))
    assert o.rotations[2].layers[0].members == ("c", "a", "b")


LAYER = "      - {name: weekly, members: [a, b, c], handoff: \"2026-01-05T09:00\"}\n"
FILE = """name: o
responders: [{id: a}, {id: b}, {id: c}]
rotations:
  - id: primary
    layers:
""" + LAYER + """  - id: secondary
    layers:
      - {SECONDARY, handoff: "2026-01-05T09:00"}
escalation_policies: [{id: p, levels: [{targets: [rotation:primary]}]}]
severities: {P1: {escalation_policy: p}}
"""


def check(tmp_path, secondary: str) -> list[str]:
    from click.testing import CliRunner

    from drillsim.drills.cli import cli

    path = tmp_path / "org.yaml"
    path.write_text(FILE.replace("SECONDARY", secondary), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == (2 if result.stderr else 0), result.output
    return [line.replace(f"{path}:", "org.yaml:") for line in result.stderr.splitlines()]


def test_reuse_mistakes_name_file_line_and_field(tmp_path):
    assert check(tmp_path, "members_from: primary/wekly") == [
        "error: org.yaml:9: rotations[1].layers[0].members_from: rotation 'primary' has no layer "
        "'wekly' (did you mean 'weekly'?)"]
    assert check(tmp_path, "members_from: primray") == [
        "error: org.yaml:9: rotations[1].layers[0].members_from: no layer or rotation 'primray' "
        "(did you mean 'primary'?)"]
    assert check(tmp_path, "members_from: primary, members: [a]") == [
        "error: org.yaml:9: rotations[1].layers[0]: give either 'members' or 'members_from', "
        "not both"]
    assert check(tmp_path, "members: [a], offset: 1") == [
        "error: org.yaml:9: rotations[1].layers[0]: 'offset' shifts the members of "
        "'members_from'; give both"]
    assert check(tmp_path, "name: x, members_from: x") == [
        "error: org.yaml:9: rotations[1].layers[0].members_from: 'x' has no members of its own: "
        "its members_from 'x' is unresolved or cyclic"]
    assert check(tmp_path, "members_from: primary, offset: 2") == []


ANCHORED = """
x-handoff: &weekly {turn: weekly, handoff: "2026-01-05T09:00"}
x-slow: &slow {working: 5m, off_hours: 12m}
name: o
responders:
  - {id: a, ack_delay: *slow}
  - {id: b, ack_delay: *slow}
rotations:
  - id: primary
    layers: [{members: [a, b], <<: *weekly}]
escalation_policies: [{id: p, levels: [{targets: [{rotation: primary}]}]}]
severities: {P1: {escalation_policy: p}}
"""


def test_anchors_under_x_keys_are_shared_like_compose_files_and_other_keys_still_checked(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text(ANCHORED, encoding="utf-8")
    slow = {"working": "5m", "off_hours": "12m"}
    written_out = Organisation.model_validate({
        "name": "o", "responders": [{"id": "a", "ack_delay": slow}, {"id": "b", "ack_delay": slow}],
        "rotations": [{"id": "primary", "layers": [{"members": ["a", "b"], "turn": "weekly",
                                                    "handoff": "2026-01-05T09:00"}]}],
        "escalation_policies": [{"id": "p", "levels": [{"targets": [{"rotation": "primary"}]}]}],
        "severities": {"P1": {"escalation_policy": "p"}}})
    assert load_organisation(path) == written_out
    path.write_text(ANCHORED.replace("x-slow", "slow"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_organisation(path)
    assert [(p.line, p.field) for p in caught.value.problems] == [(3, "slow")]
