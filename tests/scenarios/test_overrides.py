"""Overrides and staffing shortcuts: readable paths set values in the documents, which the
loader then validates; bad paths and values fail before anything runs, naming the option or
the experiment file's line."""

from __future__ import annotations

import pytest

from drillsim.scenarios.errors import InputError
from drillsim.scenarios.experiment import bundles, from_vary, read_experiment
from drillsim.scenarios.overrides import Documents, Override, parse_vary, split_values


def edited(*overrides: Override, seed: int = 7, scenario: str = "demo"):
    docs = Documents.read(scenario, seed=seed).copy()
    for override in overrides:
        docs.apply(override)
    return docs.bundle()


def problems(*overrides: Override) -> list[str]:
    with pytest.raises(InputError) as exc:
        edited(*overrides)
    return [str(p) for p in exc.value.problems]


def test_a_path_sets_a_field_by_id_by_name_and_by_position():
    org = edited(Override("escalation_policies.platform.levels[1].delay", "7m"),
                 Override("rotations.primary.layers.americas-evenings.turn", "1d"),
                 Override("responders.*.capacity", 3)).org
    assert org.policy("platform").levels[1].delay == 7.0
    assert [layer.turn for layer in org.rotation("primary").layers] == [10080.0, 1440.0]
    assert {r.capacity for r in org.responders} == {3}


def test_a_scenario_path_sets_the_scenario():
    sc = edited(Override("workload.types.cosmetic.rate", "4/7d")).scenario
    assert sc.workload.types[2].rate == pytest.approx(4 / (7 * 1440))


def test_the_documents_read_once_are_not_changed_by_an_edit():
    docs = Documents.read("demo")
    copy = docs.copy()
    copy.apply(Override("responders.*.capacity", 3))
    assert docs.bundle().org.responders[0].capacity == 2


@pytest.mark.parametrize(("override", "message"), [
    (Override("escalation_policies.platfrm.levels[0].delay", "5m"),
     "--vary: escalation_policies.platfrm.levels[0].delay: escalation_policies has no item "
     "'platfrm' (did you mean 'platform'?)"),
    (Override("escalation_policies.platform.levels[7].delay", "5m"),
     "--vary: escalation_policies.platform.levels[7].delay: escalation_policies[0].levels has "
     "3 items; [7] is not one of them"),
    (Override("escalation_policies.platform.levels[0].delay", "5x"),
     "--vary: escalation_policies.platform.levels[0].delay: 5x: expected a duration such as "
     "'90s', '15m', '2h', '1d' or '1h30m', found '5x'"),
    (Override("rotations.primary.layers.weekly.tunr", "1d"),
     "--vary: rotations.primary.layers.weekly.tunr: 1d: unknown field (did you mean 'turn'?)"),
    (Override("rotaions.primary.turn", "1d"),
     "--vary: rotaions.primary.turn: unknown field or shortcut 'rotaions' (did you mean "
     "'rotations'?)"),
    (Override("miss_probability", 2), "--vary: miss_probability: 2: "),
    (Override("timezone", "UTC"), "--vary: timezone: both the organisation and the scenario "
     "have 'timezone': write org.timezone or scenario.timezone"),
])
def test_a_bad_path_or_value_names_the_option(override, message):
    found = problems(override)
    assert len(found) == 1 and found[0].startswith(message), found


def test_values_are_yaml_and_commas_inside_brackets_do_not_split():
    path, values = parse_vary("responders.*.skills=[a, b],[c]")
    assert path == "responders.*.skills" and [v.value for v in values] == [["a", "b"], ["c"]]
    assert split_values("5m, 15m") == ["5m", "15m"]
    assert [v.value for v in parse_vary("secondary=on,off")[1]] == [True, False]
    with pytest.raises(InputError, match="expected PATH=VALUE1,VALUE2"):
        parse_vary("escalation_delay")


def test_grid_crosses_and_zip_pairs_the_axes():
    options = ("escalation_delay=5m,15m", "miss_probability=0,0.1")
    grid = from_vary(options, "grid")
    assert [v.name for v in grid] == ["baseline", "escalation_delay=5m, miss_probability=0",
                                      "escalation_delay=5m, miss_probability=0.1",
                                      "escalation_delay=15m, miss_probability=0",
                                      "escalation_delay=15m, miss_probability=0.1"]
    assert [v.name for v in from_vary(options, "zip")][1:] == [
        "escalation_delay=5m, miss_probability=0", "escalation_delay=15m, miss_probability=0.1"]
    named = from_vary(("escalation_policies.platform.levels[0].delay=5m", "turn=1d"), "grid")
    assert named[1].name == "delay=5m, turn=1d"
    assert named[1].params == {"escalation_policies.platform.levels[0].delay": "5m", "turn": "1d"}
    clash = from_vary(("rotations.primary.turn=1d", "turn=2d"), "zip")
    assert clash[1].name == "rotations.primary.turn=1d, turn=2d"
    with pytest.raises(InputError, match="every --vary needs as many values"):
        from_vary(("escalation_delay=5m,15m", "miss_probability=0"), "zip")


def test_rotation_size_adds_people_with_realistic_names_the_same_for_the_same_seed():
    six = edited(Override("rotation_size", 6)).org
    members = six.rotation("primary").layers[0].members
    assert members[:3] == ("alice", "bilal", "chen") and len(members) == 6
    added = [six.responder(m) for m in members[3:]]
    for person in added:  # a first and last name, the profile of the layer's last member
        assert len(person.name.split()) == 2 and person.name[0].isupper()
        assert person.skills == six.responder("chen").skills
    again = edited(Override("rotation_size", 6)).org
    other = edited(Override("rotation_size", 6), seed=8).org
    assert [r.name for r in again.responders] == [r.name for r in six.responders]
    assert [r.name for r in other.responders] != [r.name for r in six.responders]
    # the secondary reuses the primary's members, so it grows too
    assert len(six.rotation("secondary").layers[0].members) == 6
    two = edited(Override("rotations.primary.size", 2)).org
    assert two.rotation("primary").layers[0].members == ("alice", "bilal")


def test_secondary_off_stops_paging_it_and_on_adds_one():
    off = edited(Override("secondary", False)).org
    targets = [t.ref for lv in off.policy("platform").levels for t in lv.targets]
    assert targets == ["primary", "ivan"]
    assert [t.ref for lv in off.policy("low-urgency").levels for t in lv.targets] == ["primary"]
    on = edited(Override("secondary", False), Override("secondary", True)).org
    second = on.policy("platform").levels[1]
    assert second.targets[0].ref == "secondary-2" and second.delay == 10.0
    assert on.rotation("secondary-2").layers[0].members == ("bilal", "chen", "alice")


def test_follow_the_sun_off_leaves_one_region_and_on_needs_two_zones():
    off = edited(Override("follow_the_sun", False)).org
    assert [layer.name for layer in off.rotation("primary").layers] == ["weekly"]
    found = problems(Override("follow_the_sun", False), Override("follow_the_sun", True))
    assert found == ["--vary: follow_the_sun: the members of 'primary' all work in one time "
                     "zone; follow-the-sun needs people in two or more"]
    mixed = edited(Override("follow_the_sun", False),
                   Override("rotations.primary.layers.weekly.members", ["alice", "dana"]),
                   Override("follow_the_sun", True)).org
    layers = mixed.rotation("primary").layers
    assert [(layer.members, layer.timezone) for layer in layers[1:]] == [
        (("alice",), "Europe/London"), (("dana",), "America/New_York")]
    assert all(len(layer.restrictions) == 1 for layer in layers[1:])


def test_shortcuts_for_turn_escalation_and_acknowledgement():
    org = edited(Override("turn", "1d"), Override("escalation_delay", "3m"),
                 Override("ack_delay", "1m"), Override("miss_probability", 0.2)).org
    assert {layer.turn for rot in org.rotations for layer in rot.layers} == {1440.0}
    assert [p.levels[0].delay for p in org.escalation_policies] == [3.0, 3.0]
    assert {(r.ack_delay.working.mean(), r.ack_delay.off_hours.mean()) for r in org.responders} \
        == {(1.0, 1.0)}
    assert {r.miss_probability for r in org.responders} == {0.2}


EXPERIMENT = """\
scenario: demo
reps: 30
variants:
  - name: quick
    set: {escalation_delay: 5m}
  - name: broken
    set:
      escalation_delay: 5m
      "escalation_policies.platform.levels[0].delay": soon
"""


def test_an_experiment_file_names_its_line_for_a_bad_value(write):
    path = write("exp.yaml", EXPERIMENT)
    exp, _, variants = read_experiment(str(path))
    assert exp.reps == 30 and [v.name for v in variants] == ["baseline", "quick", "broken"]
    with pytest.raises(InputError) as exc:
        bundles(Documents.read(exp.scenario), variants)
    assert [str(p) for p in exc.value.problems] == [
        f"{path}:9: escalation_policies.platform.levels[0].delay: soon: expected a duration such "
        "as '90s', '15m', '2h', '1d' or '1h30m', found 'soon'"]


def test_an_experiment_file_is_checked_like_any_input(write):
    path = write("exp.yaml", "scenario: demo\nvariants: [{name: a}, {name: a}, {nmae: b}]\n")
    with pytest.raises(InputError) as exc:
        read_experiment(str(path))
    text = str(exc.value)
    assert f"{path}:2: variants[2].nmae: unknown field (did you mean 'name'?)" in text
