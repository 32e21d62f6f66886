"""`drillsim trace`: who is paged when, through which channel, when each level escalates and who
is mobilised, for one incident at one instant: the "test this policy" view."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drillsim.drills.render import minutes
from drillsim.drills.when import iso, parse_local, show
from drillsim.scenarios.errors import InputError, Problem, nearest
from drillsim.scenarios.loader import check_scenario, load_organisation
from drillsim.scenarios.org import TARGET_KINDS, Organisation, Target
from drillsim.scenarios.scenario import Scenario
from drillsim.sim.trace import Trace, page_scenario, trace

OPTIONS = {"severity": "--severity", "requires": "--requires", "tags": "--tags"}


def build(org: Organisation, severity: str, at: dt.datetime, tags: tuple[str, ...],
          requires: tuple[str, ...]) -> Scenario:
    """The one-incident drill to trace; a name the organisation lacks is an error naming its
    option."""
    if severity not in org.severities:
        raise InputError([Problem("--severity", None, "", f"unknown severity {severity!r}"
                                  f"{nearest(severity, org.severities)}; the organisation's "
                                  f"ladder is {', '.join(org.severities)}")])
    targets = []
    for text in requires:
        try:
            targets.append(Target.model_validate(text if ":" in text else {text: None}))
        except ValidationError:
            raise InputError([Problem("--requires", None, "", f"expected KIND:NAME with KIND one "
                                      f"of {', '.join(TARGET_KINDS)}; found {text!r}")]) from None
    scenario = page_scenario(org, severity, at, tags, tuple(targets))

    def where(path: tuple[Any, ...], message: str) -> Problem:
        option = next((OPTIONS[p] for p in path if p in OPTIONS), "--severity")
        return Problem(option, None, "", message)

    problems = list(check_scenario(scenario, org, where))
    if problems:
        raise InputError(problems)
    return scenario


def rows(org: Organisation, result: Trace, severity: str) -> list[dict[str, Any]]:
    """Each event with its local instant and offset, minutes since detection, and the channel a
    page went out on."""
    channel = org.severities[severity].channel
    return [{"time": iso(e.time, org.timezone), "minutes": round(float(e.at), 3), "kind": e.kind,
             "actor": e.actor or None, "channel": channel if e.kind == "paged" else None,
             "detail": e.detail or None} for e in result.steps]


def mobilised(org: Organisation, result: Trace) -> list[dict[str, Any]]:
    """Each role the incident or its tasks needed: when it was asked for, who came and when."""
    return [{"role": m.role, "requested": iso(m.requested, org.timezone),
             "engaged": None if m.engaged is None else iso(m.engaged, org.timezone),
             "responder": m.responder, "pages": m.pages, "outcome": m.outcome}
            for m in result.mobilised]


def as_json(org: Organisation, scenario: Scenario, worst: bool, result: Trace) -> dict[str, Any]:
    incident = scenario.incidents[0]
    policy = org.severities[incident.severity]
    return {
        "organisation": org.name, "timezone": org.timezone, "severity": incident.severity,
        "at": iso(scenario.start_instant(), org.timezone), "worst": worst,
        "tags": list(incident.tags), "requires": [f"{t.kind}:{t.ref}" for t in incident.requires],
        "paging": policy.paging.value, "channel": policy.channel,
        "escalation_policies": list(org.policies_for(incident.tags, incident.severity)),
        "acknowledged_by": result.acknowledged_by, "unacknowledged": result.unacknowledged,
        "events": rows(org, result, incident.severity), "mobilised": mobilised(org, result),
    }


def _table(columns: tuple[str, ...]) -> Table:
    table = Table()
    for column in columns:
        table.add_column(column, no_wrap=column in ("time", "+", "asked", "engaged"),
                         justify="right" if column in ("+", "pages") else "left")
    return table


def print_trace(console: Console, org: Organisation, scenario: Scenario, worst: bool,
                result: Trace) -> None:
    data = as_json(org, scenario, worst, result)
    tz = org.timezone
    console.print(f"[bold]{escape(org.name)}[/]: {escape(data['severity'])} detected at "
                  f"{show(scenario.start_instant(), tz)}, "
                  + ("everyone misses every page" if worst else "every delay at its median"))
    console.print(f"paging {data['paging']}, channel {escape(data['channel'])}, escalation "
                  f"{escape(', '.join(data['escalation_policies']))}")
    table = _table(("time", "+", "event", "who", "channel", "detail"))
    for step, row in zip(result.steps, data["events"], strict=True):
        table.add_row(show(step.time, tz), minutes(row["minutes"]), row["kind"],
                      escape(row["actor"] or ""), escape(row["channel"] or ""),
                      escape(row["detail"] or ""))
    console.print(table)
    if result.mobilised:
        roles = _table(("role", "asked", "engaged", "who", "pages", "outcome"))
        for m in result.mobilised:
            roles.add_row(escape(m.role), show(m.requested, tz),
                          "" if m.engaged is None else show(m.engaged, tz),
                          escape(m.responder or ""), str(m.pages), escape(m.outcome))
        console.print(roles)
    if result.acknowledged_by is None:
        console.print(f"[yellow]Nobody acknowledged: {escape(result.unacknowledged or '')}.[/]")


def command(org_file: str, severity: str, when: str, tags: str, requires: tuple[str, ...],
            worst: bool, fmt: str) -> None:
    """`drillsim trace`: run the page and print its timeline as a table or JSON."""
    org = load_organisation(org_file)
    at = parse_local(when, org.timezone, "--at")
    scenario = build(org, severity, at, tuple(t.strip() for t in tags.split(",") if t.strip()),
                     requires)
    result = trace(org, scenario, worst)
    if fmt == "json":
        click.echo(json.dumps(as_json(org, scenario, worst, result), indent=2))
        return
    print_trace(Console(), org, scenario, worst, result)
