"""`drillsim oncall`: who is on call when, per layer and in the end, over a span of time."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drillsim.drills.when import iso, parse_local, show
from drillsim.reports.files import write_text
from drillsim.scenarios.errors import InputError, Problem, nearest
from drillsim.scenarios.loader import load_organisation
from drillsim.scenarios.org import Organisation, Rotation
from drillsim.sim.clock import zone
from drillsim.sim.oncall import Shift, shifts

Schedule = list[tuple[Rotation, list[Shift]]]


def span(tz: str, start: str | None, end: str | None) -> tuple[dt.datetime, dt.datetime]:
    """[--from, --to) as instants: by default from today's local midnight, for a week."""
    today = dt.datetime.now(dt.UTC).astimezone(zone(tz)).date().isoformat()
    lo = parse_local(start or today, tz, "--from")
    return lo, parse_local(end, tz, "--to", end_of_day=True) if end else lo + dt.timedelta(days=7)


def schedule(org: Organisation, lo: dt.datetime, hi: dt.datetime,
             only: tuple[str, ...] = ()) -> Schedule:
    """The shifts of each rotation (or of those named in `only`) over [lo, hi)."""
    if hi <= lo:
        raise InputError([Problem("--to", None, "", "must be after --from")])
    known = [r.id for r in org.rotations]
    if not known:
        raise InputError([Problem("ORG", None, "", f"{org.name!r} has no rotations")])
    unknown = [Problem("--rotation", None, "", f"unknown rotation {name!r}{nearest(name, known)}; "
                       f"the organisation has {', '.join(known)}") for name in only
               if name not in known]
    if unknown:
        raise InputError(unknown)
    chosen = [r for r in org.rotations if not only or r.id in only]
    return [(r, shifts(r, lo, hi)) for r in chosen]


def layer_names(rotation: Rotation) -> list[str]:
    return [layer.name or f"layer {j}" for j, layer in enumerate(rotation.layers, start=1)]


def as_json(org: Organisation, lo: dt.datetime, hi: dt.datetime, plan: Schedule) -> dict[str, Any]:
    """The schedule for machines: instants in each rotation's zone with their offsets."""
    return {
        "organisation": org.name, "timezone": org.timezone,
        "from": iso(lo, org.timezone), "to": iso(hi, org.timezone),
        "rotations": [{
            "id": rot.id, "name": rot.name, "timezone": rot.timezone, "combine": rot.combine,
            "layers": layer_names(rot),
            "shifts": [{"start": iso(s.start, rot.timezone or org.timezone),
                        "end": iso(s.end, rot.timezone or org.timezone),
                        "layers": list(s.layers), "overrides": list(s.overrides),
                        "on_call": list(s.on_call)} for s in rows],
        } for rot, rows in plan],
    }


def print_tables(console: Console, org: Organisation, lo: dt.datetime, hi: dt.datetime,
                 plan: Schedule) -> None:
    """One table per rotation: each interval [from, to) with every layer and the final answer."""
    console.print(f"[bold]{escape(org.name)}[/]: on call from {show(lo, org.timezone)} "
                  f"to {show(hi, org.timezone)}")
    for rot, rows in plan:
        tz = rot.timezone or org.timezone
        how = "highest layer wins" if rot.combine == "priority" else "everyone in any layer"
        table = Table(title=f"{escape(rot.name or rot.id)} ({escape(rot.id)}, {tz}, {how})",
                      title_justify="left")
        table.add_column("from", no_wrap=True)
        table.add_column("to", no_wrap=True)
        for name in layer_names(rot):
            table.add_column(escape(name))
        overridden = any(s.overrides for s in rows)
        if overridden:
            table.add_column("override")
        table.add_column("on call", style="bold")
        for s in rows:
            cells = [show(s.start, tz), show(s.end, tz),
                     *(escape(m) if m else "–" for m in s.layers)]
            if overridden:
                cells.append(escape(", ".join(s.overrides)) or "–")
            cells.append(escape(", ".join(s.on_call)) or "[red]nobody[/]")
            table.add_row(*cells)
        console.print(table)


def refuse_existing(path: str, force: bool) -> None:
    """Never replace a file without --force: it may be the user's own."""
    if Path(path).exists() and not force:
        raise InputError([Problem(path, None, "", "already exists; pass --force to overwrite")])


def command(org_file: str, start: str | None, end: str | None, rotations: tuple[str, ...],
            fmt: str, out: str | None, force: bool) -> None:
    """`drillsim oncall`: the schedule as a table, JSON or .ics, on stdout or into `out`."""
    if out and fmt == "table":
        raise InputError([Problem("--out", None, "", "goes with --format json or ics")])
    if out:
        refuse_existing(out, force)
    org = load_organisation(org_file)
    lo, hi = span(org.timezone, start, end)
    plan = schedule(org, lo, hi, rotations)
    if fmt == "table":
        print_tables(Console(), org, lo, hi, plan)
        return
    if fmt == "json":
        text = json.dumps(as_json(org, lo, hi, plan), indent=2) + "\n"
    else:
        from drillsim.reports.calendar import on_call_calendar

        names = {r.id: r.name for r in org.responders}
        text = on_call_calendar(org.name, plan, names, dt.datetime.now(dt.UTC)).decode()
    if out:
        write_text(out, text)
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(text, nl=False)
