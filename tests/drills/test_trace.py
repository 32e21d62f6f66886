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
  - {id: pri, ack_delay: {working: {dist: lognormal, median: 4m, p90: 10m}, off_hours: 7m,
                          sleep: 9m}}
  - {id: sec, ack_delay: {working: 1m, off_hours: {dist: uniform, low: 2m, high: 4m}}}
  - {id: lead, skills: [dba], ack_delay: {working: 5m, off_hours: 5m}}
  - {id: voice, teams: [comms], ack_delay: {working: 2m, off_hours: 6m}}
rotations:
  - id: r
    layers: [{members: [pri], turn: daily, handoff: "2027-01-01T09:00"}]
escalation_policies:
  - id: main
    levels:
      - {targets: [{rotation: r}], delay: 10m}
      - {targets: [{responder: sec}], delay: 15m}
roles:
  - {id: comms, team: comms, delay: 20m}
severities:
  P1: {escalation_policy: main, channel: sms, management: [{after: 1h, notify: lead}],
       status_updates: {every: 30m, role: comms}}
  P3: {escalation_policy: main, paging: business_hours}
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


def test_typical_page_at_night_is_answered_after_delivery_and_the_sleep_median(org):
    data = trace(org, "--at", "2027-01-09 03:10", "--requires", "skill:dba")
    # sms delivery: median of uniform(0, 2) = 1m. Saturday 03:10 is night for everyone:
    # pri answers after their sleep median (9m); voice, mobilised at once for the status updates
    # the comms role owes, and lead, mobilised for the dba skill once pri is on it, have no
    # sleep delay of their own and answer after their off-hours one (6m, 5m)
    assert timeline(data) == [
        ("2027-01-09T03:10:00+00:00", 0.0, "detected", "alert", None, None),
        ("2027-01-09T03:10:00+00:00", 0.0, "declared", None, None, "P1"),
        ("2027-01-09T03:10:00+00:00", 0.0, "paged", "pri", "sms", None),
        ("2027-01-09T03:10:00+00:00", 0.0, "mobilising", None, None, "comms"),
        ("2027-01-09T03:10:00+00:00", 0.0, "paged", "voice", "sms", "pool"),
        ("2027-01-09T03:17:00+00:00", 7.0, "acknowledged", "voice", None, "as comms"),
        ("2027-01-09T03:17:00+00:00", 7.0, "engaged", "voice", None, None),
        ("2027-01-09T03:20:00+00:00", 10.0, "acknowledged", "pri", None, "main"),
        ("2027-01-09T03:20:00+00:00", 10.0, "engaged", "pri", None, None),
        ("2027-01-09T03:20:00+00:00", 10.0, "mobilising", None, None, "skill:dba"),
        ("2027-01-09T03:20:00+00:00", 10.0, "paged", "lead", "sms", "pool"),
        ("2027-01-09T03:26:00+00:00", 16.0, "acknowledged", "lead", None, "as skill:dba"),
        ("2027-01-09T03:26:00+00:00", 16.0, "engaged", "lead", None, None)]
    assert data["mobilised"] == [
        {"role": "comms", "requested": "2027-01-09T03:10:00+00:00",
         "engaged": "2027-01-09T03:17:00+00:00", "responder": "voice", "pages": 1,
         "outcome": "engaged"},
        {"role": "skill:dba", "requested": "2027-01-09T03:20:00+00:00",
         "engaged": "2027-01-09T03:26:00+00:00", "responder": "lead", "pages": 1,
         "outcome": "engaged"}]
    assert (data["channel"], data["paging"], data["escalation_policies"]) == ("sms", "always",
                                                                             ["main"])
    assert (data["acknowledged_by"], data["unacknowledged"]) == ("pri", None)


@pytest.mark.parametrize(("at", "voice", "pri"), [
    # a Wednesday in British Summer Time: working medians, 1m + 2m and 1m + 4m
    ("2027-06-09 11:00", "2027-06-09T11:03:00+01:00", "2027-06-09T11:05:00+01:00"),
    # the same evening: off-hours medians, not asleep yet: 1m + 6m and 1m + 7m
    ("2027-06-09 19:00", "2027-06-09T19:07:00+01:00", "2027-06-09T19:08:00+01:00"),
])
def test_answers_follow_the_hour_in_the_responders_zone(org, at, voice, pri):
    data = trace(org, "--at", at, "--requires", "role:comms")
    acks = [(e["time"], e["actor"], e["detail"]) for e in data["events"]
            if e["kind"] == "acknowledged"]
    assert acks == [(voice, "voice", "as comms"), (pri, "pri", "main")]
    # comms was already on the incident when pri answered: not mobilised a second time
    assert [m["role"] for m in data["mobilised"]] == ["comms"]


def test_a_business_hours_severity_waits_for_monday_before_paging(org):
    data = trace(org, "--severity", "P3", "--at", "2027-01-09 03:10")  # Saturday night
    # business hours open Monday 09:00: 2 days 5h50m = 3230m later; the default page channel
    # delivers at once and pri answers in working hours after 4m
    assert timeline(data) == [
        ("2027-01-09T03:10:00+00:00", 0.0, "detected", "alert", None, None),
        ("2027-01-09T03:10:00+00:00", 0.0, "declared", None, None, "P3"),
        # 3230 minutes, the wait until Monday 09:00, shown to the hour
        ("2027-01-09T03:10:00+00:00", 0.0, "deferred", None, None, "business_hours for 2d 06h"),
        ("2027-01-11T09:00:00+00:00", 3230.0, "paged", "pri", "page", None),
        ("2027-01-11T09:04:00+00:00", 3234.0, "acknowledged", "pri", None, "main"),
        ("2027-01-11T09:04:00+00:00", 3234.0, "engaged", "pri", None, None)]


def test_worst_case_everyone_misses_and_each_path_runs_out_on_its_delays(org):
    data = trace(org, "--at", "2027-01-09 03:10", "--requires", "skill:dba", "--worst")
    assert data["worst"] is True
    # main: level 1 for 10m, level 2 for 15m; the comms role's one level waits 20m; nobody
    # acknowledges, so the dba is never asked for; management hears after the hour
    assert timeline(data) == [
        ("2027-01-09T03:10:00+00:00", 0.0, "detected", "alert", None, None),
        ("2027-01-09T03:10:00+00:00", 0.0, "declared", None, None, "P1"),
        ("2027-01-09T03:10:00+00:00", 0.0, "paged", "pri", "sms", None),
        ("2027-01-09T03:10:00+00:00", 0.0, "missed", "pri", None, None),
        ("2027-01-09T03:10:00+00:00", 0.0, "mobilising", None, None, "comms"),
        ("2027-01-09T03:10:00+00:00", 0.0, "paged", "voice", "sms", "pool"),
        ("2027-01-09T03:10:00+00:00", 0.0, "missed", "voice", None, None),
        ("2027-01-09T03:20:00+00:00", 10.0, "escalated", None, None, "main level 2"),
        ("2027-01-09T03:20:00+00:00", 10.0, "paged", "sec", "sms", None),
        ("2027-01-09T03:20:00+00:00", 10.0, "missed", "sec", None, None),
        ("2027-01-09T03:30:00+00:00", 20.0, "exhausted", None, None, "role:comms"),
        ("2027-01-09T03:30:00+00:00", 20.0, "unfilled", None, None, "comms: nobody answered"),
        ("2027-01-09T03:35:00+00:00", 25.0, "exhausted", None, None, "main"),
        ("2027-01-09T04:10:00+00:00", 60.0, "management_escalation", "lead", None,
         "open after 1h")]
    assert data["mobilised"] == [
        {"role": "comms", "requested": "2027-01-09T03:10:00+00:00", "engaged": None,
         "responder": None, "pages": 1, "outcome": "exhausted"}]
    assert (data["acknowledged_by"], data["unacknowledged"]) == (None, "policy exhausted")


def test_table_says_when_nobody_acknowledges_and_why(org):
    result = CliRunner().invoke(cli, ["trace", org, "--severity", "P1", "--at",
                                      "2027-01-09 03:10", "--worst"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "2027-01-09 03:20 +00:00" in result.stdout
    assert "Nobody acknowledged: policy exhausted." in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--severity", "P2"], "error: --severity: unknown severity 'P2'; the "
                           "organisation's ladder is P1, P3"),
    (["--severity", "P1", "--requires", "skill:dab"],
     "error: --requires: unknown skill 'dab' (did you mean 'dba'?)"),
    (["--severity", "P1", "--requires", "dba"],
     "error: --requires: expected KIND:NAME with KIND one of role, rotation, responder, team, "
     "skill; found 'dba'"),
])
def test_mistakes_name_the_option(org, args, message):
    result = CliRunner().invoke(cli, ["trace", org, "--at", "2027-01-09 03:10", *args])
    assert result.exit_code == 2
    assert result.stderr == message + "\n"
