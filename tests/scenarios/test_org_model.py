"""The organisation model: its own severity ladder, its currency, and time zones it hands down."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from drillsim.scenarios.org import Organisation
from drillsim.sim import oncall

BASE = {
    "name": "berlin",
    "timezone": "Europe/Berlin",
    "responders": [{"id": "a"}, {"id": "b", "working_hours": {"windows": [{"start": "08:00",
                                                                            "end": "16:00"}]}},
                   {"id": "c", "timezone": "Asia/Tokyo",
                    "working_hours": {"windows": [{"start": "08:00", "end": "16:00"}]}}],
    "rotations": [{"id": "primary", "layers": [{"members": ["a", "b", "c"], "turn": "weekly",
                                                "handoff": "2026-03-02T09:00"}]}],
    "escalation_policies": [{"id": "p", "levels": [{"targets": [{"rotation": "primary"}]}]}],
    "severities": {"SEV1": {"escalation_policy": "p"}, "SEV2": {"escalation_policy": "p"},
                   "SEV3": {"escalation_policy": "p"}, "SEV4": {"escalation_policy": "p"}},
}


def test_rotations_and_hours_without_a_zone_take_the_organisations():
    org = Organisation.model_validate(BASE)
    assert org.rotations[0].timezone == "Europe/Berlin"
    assert org.business_hours.timezone == "Europe/Berlin"
    hours = {r.id: r.working_hours.timezone for r in org.responders if r.working_hours}
    assert hours == {"b": "Europe/Berlin", "c": "Asia/Tokyo"}  # a responder's own zone first
    # the weekly handoff is 09:00 in Berlin (08:00 UTC in winter), not 09:00 UTC
    rot = org.rotations[0]
    assert oncall.on_call(rot, dt.datetime(2026, 3, 9, 8, 0, tzinfo=dt.UTC)) == ("b",)
    assert oncall.on_call(rot, dt.datetime(2026, 3, 9, 7, 59, tzinfo=dt.UTC)) == ("a",)


def test_turns_extend_backwards_from_the_handoff_unless_a_start_is_given():
    org = Organisation.model_validate(BASE)
    rot = org.rotations[0]
    before = dt.datetime(2026, 2, 26, 12, 0, tzinfo=dt.UTC)  # the week before the handoff
    assert oncall.on_call(rot, before) == ("c",)
    layer = {**BASE["rotations"][0]["layers"][0], "start": "2026-03-02T09:00"}
    started = Organisation.model_validate({**BASE, "rotations": [{"id": "primary",
                                                                  "layers": [layer]}]})
    assert oncall.on_call(started.rotations[0], before) == ()


def test_the_severity_ladder_is_the_organisations_own_most_severe_first():
    org = Organisation.model_validate(BASE)
    assert [org.rank(s) for s in ("SEV1", "SEV2", "SEV4")] == [0, 1, 3]


@pytest.mark.parametrize("code", ["usd", "EURO", "€"])
def test_currency_is_an_iso_code(code):
    with pytest.raises(ValidationError, match="ISO 4217"):
        Organisation.model_validate({**BASE, "currency": code})
    assert Organisation.model_validate({**BASE, "currency": "EUR"}).currency == "EUR"
