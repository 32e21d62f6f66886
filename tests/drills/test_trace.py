"""`drillsim trace`: the engine's own timeline of one page, every delay at its median, against a
hand-computed timeline."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli

ORG = """
name: traced
timezone: Europe/London
responders:
  - {id: pri, ack_delay: {working: {dist: lognormal, median: 4m, p90: 10m}, off_hours: 7m}}
  - {id: sec, ack_delay: {working: 1m, off_hours: {dist: uniform, low: 2m, high: 4m}}}
  - {id: lead, skills: [dba], ack_delay: {working: 5m, off_hours: 5m}}
rotations:
  - id: r
    layers: [{members: [pri], turn: daily, handoff: "2027-01-01T09:00"}]
escalation_policies:
  - id: main
    levels:
      - {targets: [{rotation: r}], delay: 10m}
      - {targets: [{responder: sec}], delay: 15m}
severities:
  P1: {escalation_policy: main, channel: sms, management: [{after: 1h, notify: lead}]}
channels:
  sms: {delay: {dist: uniform, low: 0m, high: 2m}}
"""


@pytest.fixture
def org(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text(ORG, encoding="utf-8")
    return str(path)


def trace(org: str, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["trace", org, "--severity", "P1", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def timeline(data: dict) -> list[tuple]:
    return [(e["time"], e["minutes"], e["kind"], e["actor"], e["channel"], e["detail"])
            for e in data["events"]]


def test_typical_page_at_night_is_answered_after_delivery_and_the_off_hours_median(org):
    data = trace(org, "--at", "2027-01-09 03:10", "--requires", "skill:dba")
    # sms delivery: median of uniform(0, 2) = 1m; pri off hours (Saturday night): 7m
    assert timeline(data) == [
        ("2027-01-09T03:10:00+00:00", 0.0, "detected", "alert", None, None),
        ("2027-01-09T03:10:00+00:00", 0.0, "declared", None, None, "P1"),
        ("2027-01-09T03:10:00+00:00", 0.0, "paged", "pri", "sms", None),
        ("2027-01-09T03:18:00+00:00", 8.0, "acknowledged", "pri", None, "main"),
        ("2027-01-09T03:18:00+00:00", 8.0, "engaged", "pri", None, None),
        ("2027-01-09T03:18:00+00:00", 8.0, "mobilising", None, None, "skill dba"),
        ("2027-01-09T03:23:00+00:00", 13.0, "engaged", "lead", None, None)]
    assert (data["channel"], data["paging"], data["escalation_policies"]) == ("sms", "always",
                                                                             ["main"])


def test_working_hours_use_the_working_median_and_summer_time_shows_its_offset(org):
    data = trace(org, "--at", "2027-06-09 11:00")  # a Wednesday, in British Summer Time
    assert timeline(data)[2:4] == [
        ("2027-06-09T11:00:00+01:00", 0.0, "paged", "pri", "sms", None),
        ("2027-06-09T11:05:00+01:00", 5.0, "acknowledged", "pri", None, "main")]  # 1m + 4m


def test_worst_case_everyone_misses_and_each_level_escalates_on_its_delay(org):
    data = trace(org, "--at", "2027-01-09 03:10", "--worst")
    assert data["worst"] is True
    assert timeline(data) == [
        ("2027-01-09T03:10:00+00:00", 0.0, "detected", "alert", None, None),
        ("2027-01-09T03:10:00+00:00", 0.0, "declared", None, None, "P1"),
        ("2027-01-09T03:10:00+00:00", 0.0, "paged", "pri", "sms", None),
        ("2027-01-09T03:10:00+00:00", 0.0, "missed", "pri", None, None),
        ("2027-01-09T03:20:00+00:00", 10.0, "escalated", None, None, "main level 2"),
        ("2027-01-09T03:20:00+00:00", 10.0, "paged", "sec", "sms", None),
        ("2027-01-09T03:20:00+00:00", 10.0, "missed", "sec", None, None),
        ("2027-01-09T04:10:00+00:00", 60.0, "management_escalation", "lead", None,
         "open after 60m")]


def test_table_says_when_nobody_acknowledges(org):
    result = CliRunner().invoke(cli, ["trace", org, "--severity", "P1", "--at",
                                      "2027-01-09 03:10", "--worst"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "2027-01-09 03:20 +00:00" in result.stdout
    assert "Nobody acknowledged" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--severity", "P2"], "error: --severity: unknown severity 'P2'; the "
                           "organisation's ladder is P1"),
    (["--severity", "P1", "--requires", "skill:dab"],
     "error: --requires: unknown skill 'dab' (did you mean 'dba'?)"),
    (["--severity", "P1", "--requires", "dba"],
     "error: --requires: expected KIND:NAME with KIND one of rotation, responder, team, skill; "
     "found 'dba'"),
])
def test_mistakes_name_the_option(org, args, message):
    result = CliRunner().invoke(cli, ["trace", org, "--at", "2027-01-09 03:10", *args])
    assert result.exit_code == 2
    assert result.stderr == message + "\n"
