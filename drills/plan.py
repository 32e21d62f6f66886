"""`drillsim plan`: a quarter's game-day plan (when, who plays, objectives with the plan's targets
and the model's p50/p90, pre-reads, logistics, abort criteria, rollback, the month's tabletops
and chaos tests), or a year's drill calendar; Markdown, HTML and iCalendar."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from drillsim.drills.documents import (
    Block,
    Document,
    Section,
    bullets,
    checks,
    h,
    p,
    rendered,
    table,
    write_folder,
)
from drillsim.drills.exercise import REPLICATIONS, build_exercise
from drillsim.drills.programme import Calendar, Event, Programme
from drillsim.drills.tabletop import clock, stamp
from drillsim.scenarios.durations import format_duration as fmt

if TYPE_CHECKING:
    from drillsim.scenarios.org import Organisation
    from drillsim.scenarios.scenario import Scenario

LOGISTICS = (
    "Confirm the date with the people on call that day: they keep real cover and do not play.",
    "Tell support, the status page owner and any affected customers' account managers that a "
    "drill is planned, and when.",
    "Book the incident bridge and a room (or video call) for players, observers and the "
    "facilitator.",
    "Bind every fault in the Chaos Toolkit experiment to a provider, and run it once in "
    "staging.",
    "Check the rollback of every fault in staging, and time it.",
    "Confirm dashboards and alerts for the affected services work and are visible to players.",
    "Name the person who can stop the drill at any moment, and how they will say so.",
    "Print the facilitator guide, the scorecard and the handouts (drillsim tabletop).",
    "Hold a go / no-go check the working day before; re-check that morning.",
    "Book the hot wash straight after, and the assessment within the week.",
)


def _players(org: Organisation, event: Event) -> tuple[list[tuple[str, str, str]],
                                                     list[tuple[str, str, str]]]:
    """(players, on call): rotation members on call in no rotation at any moment of the game
    day, and those who are (they keep real cover), each with their rotations."""
    from drillsim.sim.oncall import shifts

    names = {r.id: r.name or r.id for r in org.responders}
    busy: dict[str, list[str]] = {}
    member_of: dict[str, list[str]] = {}
    for rotation in org.rotations:
        title = rotation.name or rotation.id
        for rid in dict.fromkeys(m for layer in rotation.layers for m in layer.members):
            member_of.setdefault(rid, []).append(title)
        for rid in dict.fromkeys(r for s in shifts(rotation, event.start, event.end)
                                 for r in s.on_call):
            busy.setdefault(rid, []).append(title)
    players = [(names[rid], ", ".join(rotations), rid) for rid, rotations in member_of.items()
               if rid not in busy]
    cover = [(names[rid], ", ".join(rotations), rid) for rid, rotations in busy.items()]
    return players, cover


def _skipped(calendar: Calendar, event: Event, from_day: int,
             weekdays: tuple[str, ...]) -> list[str]:
    """The preferred days before the chosen one and why each was passed over."""
    from drillsim.scenarios.org import WEEKDAYS

    first = event.start.date().replace(day=from_day)
    out = []
    day = first
    while day < event.start.date():
        reason = calendar.blocked(day)
        if WEEKDAYS[day.weekday()] in weekdays and reason:
            out.append(f"{day:%a %d %b}: {reason}")
        day += dt.timedelta(days=1)
    return out


def _abort(org: Organisation, scenario: Scenario) -> list[str]:
    services = {s.id: s for s in org.services}
    severe = list(org.severities)[:2]
    out = [f"A real incident of severity {' or '.join(severe)} is declared anywhere: stop, roll "
           "back, and hand the players back to the response."]
    for alert_name, alert in org.alerts.items():
        limit = f"above {alert.above:g}" if alert.above is not None else f"below {alert.below:g}"
        out.append(f"{alert.metric} {limit} ({alert_name}) on a service outside the drill's "
                   "scope.")
    for incident in scenario.incidents:
        for sid in incident.services:
            service = services.get(sid)
            if service is not None and service.rto is not None:
                out.append(f"{service.name or sid} has been impaired for half its RTO "
                           f"({fmt(service.rto / 2)} of {fmt(service.rto)}) with no recovery "
                           "in sight.")
    out += ["Someone on call (not playing) needs a player's help.",
            "Customer data is at risk of loss or exposure beyond what the drill planned.",
            "The person named to stop the drill says stop, for any reason."]
    return out


def _rollback(scenario: Scenario) -> list[str]:
    out = []
    for incident in scenario.incidents:
        mitigations = [o.name for ph in incident.phases for o in ph.options] or \
            [ph.name for ph in incident.phases if ph.mitigates]
        out.append(f"{incident.title or incident.type}: stop the fault on "
                   f"{', '.join(incident.services) or 'the service'}; if impact stays, "
                   f"{' or '.join(mitigations) or 'restore the last good state'}.")
    out += ["Check the steady state: every alert of the affected services clear for 15 minutes.",
            "Post an all-clear in the incident channel and on the status page if it was used.",
            "Record the time of each step: the assessment reads the Chaos Toolkit journal."]
    return out


def game_day_plan(calendar: Calendar, event: Event, events: list[Event], org_ref: str | None,
                  seed: int, replications: int = REPLICATIONS) -> Document:
    """The plan of one quarter's game day."""
    ex = build_exercise(event.scenario, org_ref, seed, "p50", event.start.date(), replications,
                        time=event.start.timetz().replace(tzinfo=None))
    assert ex.bundle is not None
    org, scenario = ex.bundle.org, ex.bundle.scenario
    players, cover = _players(org, event)
    slot = calendar.programme.game_day
    skipped = _skipped(calendar, event, slot.from_day, slot.weekdays)
    when: list[Block] = [table(("", ""), [
        ("Starts", stamp(event.start)), ("Ends", stamp(event.end)),
        ("Scenario", f"{event.scenario}: {scenario.description}")])]
    if skipped:
        when += [p("Earlier days passed over:"), bullets(skipped)]
    targets = table(("Milestone", "Plan's target (clock)", "Model p50", "Model p90", "n"), [
        (m.label, "–" if m.target_minutes is None else clock(m.target_minutes),
         "–" if m.p50_minutes is None else clock(m.p50_minutes),
         "–" if m.p90_minutes is None else clock(m.p90_minutes), m.n) for m in ex.milestones],
        numeric=(1, 2, 3, 4))
    others = [(stamp(e.start), e.kind, e.title) for e in events if e is not event]
    command = f"drillsim tabletop {event.scenario} --date {event.start.date()}" + (
        f" --org {org_ref}" if org_ref else "")
    sections = (
        Section("When", tuple(when)),
        Section("Who plays", (
            p("Players are rotation members not on call at any moment of the game day; the "
              "people on call keep real cover and do not play."),
            table(("Player", "Rotation", "Responder"), players),
            h("On call that day (not playing)"), table(("Name", "Rotation", "Responder"), cover))),
        Section("Objectives and targets", (
            p(f"The plan's checklist for {ex.severity}, and the model's p50 and p90 for this "
              f"organisation on this date and time ({ex.replications} simulated runs, seed "
              f"{seed}); times on the exercise clock from the start of the fault."),
            bullets(c.text for c in ex.checklist), targets), new_page=True),
        Section("Pre-reads", (bullets([
            f"The incident-response plan: {org.name}.",
            f"The scenario: {(scenario.description or scenario.name).rstrip('.')}.",
            *(f"The runbook for {t}." for t in dict.fromkeys(i.type for i in scenario.incidents)),
            "The last game day's assessment and its open actions.",
            f"The facilitator's documents: {command} --out <folder>."]),)),
        Section("Logistics checklist", (checks(LOGISTICS),)),
        Section("Abort criteria", (bullets(_abort(org, scenario)),), new_page=True),
        Section("Rollback plan", (bullets(_rollback(scenario)),)),
        Section("The quarter's other drills", (table(("When", "Kind", "Drill"), others),)),
    )
    return Document(f"plan-{event.start.year}Q{event.quarter}",
                    f"Game day plan, {event.start.year} Q{event.quarter}: {event.title}",
                    f"{org.name} · {stamp(event.start)} ({org.timezone})", sections)


def year_calendar(org: Organisation, year: int, events: list[Event]) -> Document:
    kinds = ("game day", "tabletop", "chaos test")
    counts: dict[str, dict[str, int]] = {k: {} for k in kinds}
    for e in events:
        counts[e.kind][e.scenario] = counts[e.kind].get(e.scenario, 0) + 1
    rotation = [(k, s, n) for k in kinds for s, n in counts[k].items()]
    return Document(f"calendar-{year}", f"Drill calendar {year}",
                    f"{org.name} · times local ({org.timezone}) with their UTC offset", (
        Section("Every drill", (table(("When", "Ends", "Kind", "Drill", "Scenario"), [
            (stamp(e.start), f"{e.end:%H:%M}", e.kind, e.title, e.scenario) for e in events]),)),
        Section("Rotation", (p("How often each scenario comes round this year."),
                             table(("Kind", "Scenario", "Times"), rotation, numeric=(2,)))),
    ))


def ics(org: Organisation, name: str, events: list[Event], year: int) -> str:
    from drillsim.reports.calendar import drill_calendar

    stamp_at = dt.datetime(year, 1, 1, tzinfo=dt.UTC)  # fixed, so the same plan gives the same file
    rows = [(f"{e.kind.capitalize()}: {e.title}", e.start, e.end, e.uid, e.kind,
             f"{e.kind} of {org.name}: scenario {e.scenario}") for e in events]
    return drill_calendar(name, rows, stamp_at).decode("utf-8")


def plan_files(org_ref: str | None, programme: Programme, seed: int, year: int,
               quarter: int | None, replications: int = REPLICATIONS
               ) -> tuple[dict[str, str], list[Event]]:
    """The plan's files by name, and its events."""
    from drillsim.scenarios.loader import load, resolve

    first = programme.game_days[0].scenario if programme.game_days else "gameday-database-recovery"
    org = load(resolve(first), resolve(org_ref) if org_ref else None).org
    calendar = Calendar(org, programme)
    quarters = [quarter] if quarter is not None else [1, 2, 3, 4]
    docs = []
    events: list[Event] = []
    for q in quarters:
        these = calendar.quarter(year, q)
        events += these
        game = next(e for e in these if e.kind == "game day")
        docs.append(game_day_plan(calendar, game, these, org_ref, seed, replications))
    label = f"{year}Q{quarter}" if quarter is not None else str(year)
    if quarter is None:
        docs.insert(0, year_calendar(org, year, events))
    files = rendered(docs)
    files[f"drills-{label}.ics"] = ics(org, f"{org.name}: drills {label}", events, year)
    return files, events


def command(quarter: str | None, year: int | None, org: str | None, programme_file: str | None,
            seed: int, out: str, force: bool) -> None:
    """`drillsim plan`: work out the calendar, write it, list the drills."""
    import click

    from drillsim.drills.programme import load_programme, parse_quarter
    from drillsim.scenarios.errors import InputError, Problem

    if (quarter is None) == (year is None):
        raise InputError([Problem("plan", None, "", "give either --quarter (e.g. 2027Q1) or "
                                  "--year (e.g. 2027)")])
    programme = load_programme(programme_file)
    y, q = parse_quarter(quarter) if quarter is not None else (year, None)
    assert y is not None
    files, events = plan_files(org, programme, seed, y, q)
    written = write_folder(out, "plan", files, {"year": y, "quarter": q, "seed": seed}, force)
    for e in events:
        click.echo(f"{stamp(e.start)}  {e.kind:<10}  {e.title}")
    click.echo(f"wrote {len(written)} files to {out}")

