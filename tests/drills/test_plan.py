"""`drillsim plan`: game days on working days clear of holidays and change freezes, players who
are not on call, every bundled plan's quarter, and a year's calendar read back from its .ics
with the same local times on both sides of the DST changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest
from click.testing import CliRunner
from icalendar import Calendar as ICalendar

from drillsim.drills.cli import cli
from drillsim.drills.plan import plan_files
from drillsim.drills.programme import Calendar, Programme, Slot
from drillsim.scenarios.errors import InputError
from drillsim.scenarios.loader import load_organisation, resolve
from drillsim.sim.oncall import shifts
from tests.drills.test_exercise import PLANS

REPS = 4
LONDON = ZoneInfo("Europe/London")


def org(extra: str = "", tmp: Path | None = None):
    """The bundled SLA plan, with YAML lines appended (written to `tmp`)."""
    if not extra:
        return load_organisation(resolve("sla-financial-escalation"))
    assert tmp is not None
    path = tmp / "org.yaml"
    path.write_text(resolve("sla-financial-escalation").read_text() + extra)
    return load_organisation(path)


@pytest.mark.parametrize("plan", PLANS)
def test_every_plan_gets_a_quarter(plan: str) -> None:
    quarter = PLANS.index(plan) % 4 + 1
    files, events = plan_files(plan, Programme(), 2, 2027, quarter, REPS)
    assert set(files) == {f"plan-2027Q{quarter}.md", f"plan-2027Q{quarter}.html",
                          f"drills-2027Q{quarter}.ics"}
    kinds = [e.kind for e in events]
    assert kinds.count("game day") == 1 and kinds.count("tabletop") == 3
    assert kinds.count("chaos test") == 3
    text = files[f"plan-2027Q{quarter}.md"]
    for heading in ("When", "Who plays", "Objectives and targets", "Pre-reads",
                    "Logistics checklist", "Abort criteria", "Rollback plan"):
        assert f"## {heading}\n" in text
    assert "Model p50" in text and "- [ ] " in text


def test_game_day_avoids_holidays_and_freezes(tmp_path: Path) -> None:
    gb = holidays.country_holidays("GB", years=2027)
    base = Calendar(org(), Programme())
    day = base.game_day(2027, 1).start.date()
    assert day == dt.date(2027, 2, 16)  # the first Tuesday to Thursday from 15 February
    frozen = Calendar(org("change_freezes: [{start: 2027-02-15, end: 2027-02-19, "
                          "reason: release}]\n", tmp_path), Programme())
    moved = frozen.game_day(2027, 1).start.date()
    assert moved == dt.date(2027, 2, 23)
    assert frozen.blocked(day) == "a change freeze: release"
    with pytest.raises(InputError, match=r"ends .* before it starts"):
        org("change_freezes: [{start: 2027-02-15, end: 2027-02-01}]\n", tmp_path)
    # a quarter whose middle-month slot lands on a bank holiday: 31 May 2027 is one, so a
    # programme starting the search there skips it
    late = Calendar(org(), Programme(game_day=Slot(from_day=28, weekdays=("mon",))))
    chosen = late.game_day(2027, 2).start.date()
    assert dt.date(2027, 5, 31) in gb and chosen != dt.date(2027, 5, 31)
    assert chosen.weekday() == 0 and chosen not in gb
    for event in base.year(2027):
        assert event.start.weekday() < 5 and event.start.date() not in gb


def test_one_drill_a_day_whichever_is_asked_for_first(tmp_path: Path) -> None:
    freeze = "change_freezes: [{start: 2027-02-15, end: 2027-02-19, reason: release}]\n"
    frozen = Calendar(org(freeze, tmp_path), Programme())
    # the freeze pushes the game day to Tuesday 23 February, the chaos test's own first choice
    chaos = next(e for e in frozen.monthly(2027, 2) if e.kind == "chaos test")
    assert frozen.game_day(2027, 1).start.date() == dt.date(2027, 2, 23)
    assert chaos.start.date() == dt.date(2027, 2, 24)
    fresh = Calendar(org(freeze, tmp_path), Programme())
    assert [(e.kind, e.start) for e in fresh.quarter(2027, 1)] == [
        (e.kind, e.start) for e in sorted([frozen.game_day(2027, 1),
                                           *(e for m in (1, 2, 3) for e in frozen.monthly(2027, m))],
                                          key=lambda e: e.start)]
    days = [e.start.date() for e in Calendar(org(freeze, tmp_path), Programme()).year(2027)]
    assert len(days) == len(set(days)) == 4 + 12 + 12


def test_players_are_not_on_call(tmp_path: Path) -> None:
    files, events = plan_files(None, Programme(), 1, 2027, 1, REPS)
    game = next(e for e in events if e.kind == "game day")
    organisation = org()
    on_call = {r for rot in organisation.rotations for s in shifts(rot, game.start, game.end)
               for r in s.on_call}
    text = files["plan-2027Q1.md"]
    players = text.split("| Player |")[1].split("###")[0]
    for responder in organisation.responders:
        listed = f"| {responder.id} |" in players
        if responder.id in on_call:
            assert not listed
    assert players.count("| eng-") >= 2


def test_year_calendar_reads_back_across_dst() -> None:
    files, events = plan_files(None, Programme(), 1, 2027, None, REPS)
    cal = ICalendar.from_ical(files["drills-2027.ics"])
    parsed = [(str(c["summary"]), c.decoded("dtstart"), c.decoded("dtend"))
              for c in cal.walk("VEVENT")]
    assert len(parsed) == len(events) == 4 + 12 + 12
    offsets = set()
    for (summary, start, end), event in zip(sorted(parsed, key=lambda x: x[1]), events,
                                            strict=True):
        assert start == event.start and end == event.end
        local = start.astimezone(LONDON)
        expected = {"game day": dt.time(10), "tabletop": dt.time(14),
                    "chaos test": dt.time(11)}[event.kind]
        assert local.time() == expected, summary
        offsets.add(local.utcoffset())
    assert offsets == {dt.timedelta(0), dt.timedelta(hours=1)}  # GMT and BST both present
    assert any(c.name == "VTIMEZONE" for c in cal.walk())
    # each tabletop scenario comes round twice, each chaos scenario three times
    tabletops = [e.scenario for e in events if e.kind == "tabletop"]
    assert {tabletops.count(s) for s in tabletops} == {2}
    chaos = [e.scenario for e in events if e.kind == "chaos test"]
    assert {chaos.count(s) for s in chaos} == {3}
    again, _ = plan_files(None, Programme(), 1, 2027, None, REPS)
    assert again == files


def test_cli_plan_and_bad_programme(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "programme.yaml"
    bad.write_text("game_days:\n  - {quarter: 5, scenario: gameday-security-breach}\n")
    result = runner.invoke(cli, ["plan", "--quarter", "2027Q3", "--programme", str(bad),
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "programme.yaml:2: game_days[0].quarter: input should be less than or equal to 4, " \
        "found 5" in result.output
    assert not (tmp_path / "out").exists()
    result = runner.invoke(cli, ["plan", "--quarter", "2027q5", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "2027Q1" in result.output
    result = runner.invoke(cli, ["plan", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--quarter" in result.output
