"""`drillsim oncall`: a table, JSON and an .ics that calendar applications read in local time."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from icalendar import Calendar

from drillsim.drills.cli import cli

LONDON = ZoneInfo("Europe/London")


def invoke(*args: str):
    return CliRunner().invoke(cli, ["oncall", *args])


def test_json_lists_each_interval_per_layer_with_offsets():
    result = invoke("demo-org", "--from", "2026-03-27", "--to", "2026-03-30",
                    "--rotation", "primary", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # nothing but JSON on stdout
    assert data["from"] == "2026-03-27T00:00:00+00:00"
    assert data["to"] == "2026-03-31T00:00:00+01:00"  # a date alone includes that whole day
    (rot,) = data["rotations"]
    assert rot["layers"] == ["weekly", "americas-evenings"]
    spans = [(s["start"], s["layers"], s["on_call"]) for s in rot["shifts"]]
    assert spans[:3] == [
        ("2026-03-27T00:00:00+00:00", ["chen", None], ["chen"]),
        ("2026-03-27T16:00:00+00:00", ["chen", "emil"], ["emil"]),
        ("2026-03-27T21:00:00+00:00", ["chen", None], ["chen"])]
    # the weekly handoff on Monday is 09:00 British Summer Time
    assert ("2026-03-30T09:00:00+01:00", ["alice", None], ["alice"]) in spans


def test_table_shows_local_instants_with_offsets_and_escapes_names(tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text("""
name: "[bold]Evil[/bold] Co"
timezone: Europe/Berlin
responders: [{id: "[red]x"}, {id: y}]
rotations:
  - id: r
    layers: [{name: "[i]day", members: ["[red]x", y], turn: daily, handoff: "2027-01-01T09:00"}]
escalation_policies: [{id: p, levels: [{targets: [rotation:r]}]}]
severities: {P1: {escalation_policy: p}}
""", encoding="utf-8")
    result = CliRunner().invoke(cli, ["oncall", str(org), "--from", "2027-01-09 08:00",
                                      "--to", "2027-01-09 10:00"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "[bold]Evil[/bold] Co" in result.stdout and "[i]day" in result.stdout
    assert "2027-01-09 08:00 +01:00" in result.stdout
    assert "2027-01-09 09:00 +01:00" in result.stdout
    lines = [line for line in result.stdout.splitlines() if "+01:00 │" in line]
    assert " y " in lines[0] and "[red]x" in lines[1]  # daily from 1 January: x on the 9th


def test_ics_events_keep_local_handoff_times_across_a_dst_change(tmp_path):
    out = tmp_path / "oncall.ics"
    result = invoke("demo-org", "--rotation", "secondary", "--from", "2026-03-16",
                    "--to", "2026-04-12", "--format", "ics", "--out", str(out))
    assert result.exit_code == 0, result.output
    cal = Calendar.from_ical(out.read_bytes())
    events = [(e.decoded("dtstart"), e.decoded("dtend"), str(e["summary"]))
              for e in cal.walk("VEVENT")]
    starts = [s for s, _, _ in events]
    assert all(s.tzinfo is not None and str(s.tzinfo) == "Europe/London" for s in starts)
    # weekly handoffs at 09:00 London time before and after clocks go forward on 29 March
    handoffs = [s for s in starts if s.weekday() == 0 and s.hour == 9]
    assert [s.date().isoformat() for s in handoffs] == ["2026-03-16", "2026-03-23", "2026-03-30",
                                                        "2026-04-06"]
    assert [s.utcoffset() for s in handoffs] == [dt.timedelta(0), dt.timedelta(0),
                                                  dt.timedelta(hours=1), dt.timedelta(hours=1)]
    assert [summary for *_, summary in events[:2]] == ["Platform secondary: Bilal Haddad",
                                                       "Platform secondary: Chen Wei"]
    assert cal.walk("VTIMEZONE"), "the file carries its time zone definition"
    # never replaces a file without --force
    assert invoke("demo-org", "--format", "ics", "--out", str(out)).exit_code == 2
    out.write_text("mine", encoding="utf-8")
    again = invoke("demo-org", "--format", "ics", "--out", str(out))
    assert again.exit_code == 2
    assert again.stderr == f"error: {out}: already exists; pass --force to overwrite\n"
    assert out.read_text(encoding="utf-8") == "mine"
    assert invoke("demo-org", "--format", "ics", "--out", str(out), "--force").exit_code == 0


def test_mistakes_are_one_line_each_with_exit_2():
    cases = {
        ("--rotation", "primray"): "error: --rotation: unknown rotation 'primray' (did you mean "
                                   "'primary'?); the organisation has primary, secondary, dba",
        ("--from", "next tuesday"): "error: --from: expected a date or a date and time such as "
                                    "'2027-01-09' or '2027-01-09 03:10', found 'next tuesday'",
        ("--from", "2026-03-10", "--to", "2026-03-01"): "error: --to: must be after --from",
        ("--out", "x.txt"): "error: --out: goes with --format json or ics",
    }
    for args, message in cases.items():
        result = invoke("demo-org", *args)
        assert result.exit_code == 2, args
        assert result.stderr == message + "\n"
        assert result.stdout == ""
