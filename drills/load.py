"""`drillsim load`: the on-call load a rotation puts on its people, before it goes live."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drillsim.drills.when import iso, show
from drillsim.sim.bands import BANDS
from drillsim.sim.load import Estimate, LoadReport

MAX_GAPS_SHOWN = 3


def _est(e: Estimate | None, digits: int = 1) -> str:
    """The mean, and its 95% interval on the line below."""
    if e is None:
        return "–"
    if e.low is None or e.high is None:
        return f"{e.mean:.{digits}f}"
    return f"{e.mean:.{digits}f}\n{e.low:.{digits}f}–{e.high:.{digits}f}"


def _est_json(e: Estimate | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {"mean": round(e.mean, 4), "n": e.n,
            "ci95": None if e.low is None or e.high is None else [round(e.low, 4),
                                                                    round(e.high, 4)]}


def print_load(console: Console, report: LoadReport, tz: str) -> None:
    """A table of responders and one of rotations, then every flag."""
    console.print(f"[bold]{escape(report.scenario)}[/] against [bold]{escape(report.organisation)}"
                  f"[/]: on-call load from {show(report.start, tz)} to {show(report.end, tz)} "
                  f"({report.months:.1f} months), {report.replications} replications "
                  f"(seed {report.seed})")
    people = Table(title="Per responder and month: mean over replications, its 95% CI below")
    for column in ("responder", *(b.short for b in BANDS), "out of\nhours", "incidents\n/ 12 h",
                   "on\ncall", "person-\nhours"):
        people.add_column(column, justify="left" if column == "responder" else "right",
                          no_wrap=column != "responder", min_width=12 if column == "responder"
                          else None)
    for r in report.responders:
        people.add_row(f"{escape(r.name)}\n{escape(r.timezone)}",
                       *(_est(r.pages[b.name]) for b in BANDS),
                       f"{_est(r.interruptions)}\n{r.band}", _est(r.incidents_per_shift, 2),
                       f"{r.on_call_share:.0%}", _est(r.person_hours))
    console.print(people)
    console.print("Pages by hour on the responder's own clock. Out of hours: pages in off and "
                  "sleep hours (good ≤ 2, watch < 7, bad < 19, burnout ≥ 19 a month). Incidents "
                  "/ 12 h: those reaching them while on call, per 12 hours on call.")
    rotations = Table(title="Per rotation and month: pages to whoever is on call")
    for column in ("rotation", *(b.short for b in BANDS), "incidents\n/ 12 h"):
        rotations.add_column(column, justify="left" if column == "rotation" else "right",
                             no_wrap=column != "rotation", min_width=12 if column == "rotation"
                             else None)
    for rot in report.rotations:
        rotations.add_row(escape(rot.schedule.name), *(_est(rot.pages[b.name]) for b in BANDS),
                          _est(rot.incidents_per_shift, 2))
    console.print(rotations)
    quality = Table(title="Schedule quality, from the rotations alone")
    for column in ("rotation", "people", "24/7", "one site", "gaps", "hours in gaps",
                   "hours balance", "out-of-hours balance", "score"):
        quality.add_column(column, justify="left" if column == "rotation" else "right")
    for rot in report.rotations:
        s = rot.schedule
        quality.add_row(escape(s.name), str(len(s.members)), "yes" if s.always_on else "no",
                        "yes" if s.single_site else "no", str(len(s.gaps)),
                        f"{s.gap_minutes / 60:.1f}", f"{s.hours_balance:.2f}",
                        f"{s.out_of_hours_balance:.2f}", f"{s.score:.0f}")
    console.print(quality)
    console.print("Score = 100 × coverage × hours balance × out-of-hours balance; a balance is "
                  "the members' mean over their maximum.")
    for rot in report.rotations:
        for layer, (a, b) in rot.schedule.gaps[:MAX_GAPS_SHOWN]:
            console.print(f"[yellow]gap[/] {escape(rot.schedule.name)} / {escape(layer)}: "
                          f"nobody from {show(a, tz)} to {show(b, tz)}")
        more = len(rot.schedule.gaps) - MAX_GAPS_SHOWN
        if more > 0:
            console.print(f"[yellow]gap[/] {escape(rot.schedule.name)}: {more} more")
    flagged = [(r.name, f) for r in report.responders for f in r.flags]
    flagged += [(rot.schedule.name, f) for rot in report.rotations for f in rot.flags]
    for who, flag in flagged:
        console.print(f"[red]flag[/] {escape(who)}: {escape(flag)}")
    if not flagged:
        console.print("[green]No rotation or responder breaks the limits.[/]")


def as_json(report: LoadReport, tz: str) -> dict[str, Any]:
    """The load report for machines: per-month figures with n and 95% intervals."""
    return {
        "scenario": report.scenario, "organisation": report.organisation,
        "replications": report.replications, "seed": report.seed,
        "from": iso(report.start, tz), "to": iso(report.end, tz),
        "months": round(report.months, 4),
        "bands": {b.name: {"from": f"{b.start:02d}:00", "to": f"{b.end:02d}:00"} for b in BANDS},
        "responders": [{
            "responder": r.responder, "name": r.name, "timezone": r.timezone,
            "pages_per_month": {band: _est_json(e) for band, e in r.pages.items()},
            "all_pages_per_month": _est_json(r.all_pages),
            "interruptions_per_month": _est_json(r.interruptions),
            "interruption_band": r.band,
            "incidents_per_12h_on_call": _est_json(r.incidents_per_shift),
            "person_hours_per_month": _est_json(r.person_hours),
            "on_call_share": round(r.on_call_share, 4),
            "flags": list(r.flags),
        } for r in report.responders],
        "rotations": [{
            "rotation": rot.schedule.rotation, "name": rot.schedule.name,
            "pages_per_month": {band: _est_json(e) for band, e in rot.pages.items()},
            "incidents_per_12h_on_call": _est_json(rot.incidents_per_shift),
            "people": len(rot.schedule.members),
            "always_on": rot.schedule.always_on, "single_site": rot.schedule.single_site,
            "on_call_hours": {m.responder: round(m.on_call_minutes / 60, 2)
                              for m in rot.schedule.members},
            "out_of_hours_on_call_hours": {m.responder: round(m.out_of_hours_minutes / 60, 2)
                                           for m in rot.schedule.members},
            "gaps": [{"layer": layer, "from": iso(a, tz), "to": iso(b, tz)}
                     for layer, (a, b) in rot.schedule.gaps],
            "uncovered_hours": round(rot.schedule.uncovered_minutes / 60, 2),
            "coverage": round(rot.schedule.coverage, 4),
            "hours_balance": round(rot.schedule.hours_balance, 4),
            "out_of_hours_balance": round(rot.schedule.out_of_hours_balance, 4),
            "score": round(rot.schedule.score, 1),
            "flags": list(rot.flags),
        } for rot in report.rotations],
    }


def report_data(report: LoadReport, tz: str) -> dict[str, Any]:
    """The load report's figures as text cells, for the Markdown and HTML templates."""

    def cell(e: Estimate | None, digits: int = 1) -> str:
        return _est(e, digits).replace("\n", " (") + (")" if e and e.low is not None else "")

    return {
        "title": f"On-call load: {report.scenario} against {report.organisation}",
        "lead": (f"From {show(report.start, tz)} to {show(report.end, tz)} "
                 f"({report.months:.1f} months), {report.replications} replications "
                 f"(seed {report.seed}); per month, mean over replications (95% CI)."),
        "bands": [b.label for b in BANDS],
        "responders": [{"name": r.name, "zone": r.timezone,
                        "pages": [cell(r.pages[b.name]) for b in BANDS],
                        "interruptions": cell(r.interruptions), "band": r.band,
                        "per_shift": cell(r.incidents_per_shift, 2),
                        "on_call": f"{r.on_call_share:.0%}", "hours": cell(r.person_hours)}
                       for r in report.responders],
        "rotations": [{"name": rot.schedule.name,
                       "pages": [cell(rot.pages[b.name]) for b in BANDS],
                       "per_shift": cell(rot.incidents_per_shift, 2),
                       "people": len(rot.schedule.members),
                       "always_on": "yes" if rot.schedule.always_on else "no",
                       "one_site": "yes" if rot.schedule.single_site else "no",
                       "gaps": len(rot.schedule.gaps),
                       "gap_hours": f"{rot.schedule.gap_minutes / 60:.1f}",
                       "hours_balance": f"{rot.schedule.hours_balance:.2f}",
                       "out_of_hours_balance": f"{rot.schedule.out_of_hours_balance:.2f}",
                       "score": f"{rot.schedule.score:.0f}",
                       "gap_list": [f"{layer}: {show(a, tz)} to {show(b, tz)}"
                                    for layer, (a, b) in rot.schedule.gaps]}
                      for rot in report.rotations],
        "flags": [(r.name, f) for r in report.responders for f in r.flags]
        + [(rot.schedule.name, f) for rot in report.rotations for f in rot.flags],
    }
