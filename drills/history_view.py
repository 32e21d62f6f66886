"""`drillsim history`: the drill history as a table, JSON or a report with trend charts."""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drillsim.drills.assessment import exact
from drillsim.scenarios.durations import format_duration, format_span

if TYPE_CHECKING:
    from drillsim.reports.charts import Drawn


def _median(row: dict[str, Any]) -> str:
    ci = row["median_ci"]
    shown = format_span(*ci) if None not in ci else \
        " – ".join("…" if x is None else exact(x) for x in ci)
    return f"{exact(row['median_minutes'])} ({shown})"


def _met(row: dict[str, Any]) -> str:
    met = row["met"]
    if met is None:
        return "no target"
    low, high = round(100 * met["ci"][0]), round(100 * met["ci"][1])
    return f"{met['met']} of {met['n']}: {met['share']:.0%} ({low}–{high}%)"


def history_data(db: str | None) -> dict[str, Any]:
    """The history as one JSON-ready document."""
    from drillsim.drills.drill_history import open_actions, quarter, read_history, trend
    from drillsim.drills.when import iso

    drills, milestones, actions = read_history(db)
    return {
        "drills": [{"title": d["title"], "scenario": d["scenario"], "type": d["drill_type"],
                    "quarter": quarter(d["started_at"], d["zone"]),
                    "started": iso(d["started_at"], d["zone"]),
                    "checklist": f"{d['checklist_passed']} of {d['checklist_scored']}",
                    "communication": None if d["communication"] is None
                    else f"{d['communication']} of {d['communication_of']}"} for d in drills],
        "trend": trend(drills, milestones),
        "open_actions": open_actions(drills, actions),
    }


def _charts(data: dict[str, Any]) -> list[tuple[str, str, Drawn]]:
    """One chart per milestone: each drill type's median per quarter against the target."""
    from drillsim.reports.charts import Drawn, period_trend

    charts = []
    rows = data["trend"]
    for milestone in dict.fromkeys(r["milestone"] for r in rows):
        mine = [r for r in rows if r["milestone"] == milestone]
        periods = sorted({r["quarter"] for r in mine})
        kinds = list(dict.fromkeys(r["drill_type"] for r in mine))
        lines = {k: [next((r["median_minutes"] for r in mine if r["drill_type"] == k
                           and r["quarter"] == p), None) for p in periods] for k in kinds}
        targets = [r["target_minutes"] for r in mine if r["target_minutes"] is not None]
        if not targets:
            continue
        first = lines[kinds[0]]
        missed = [v is not None and v > targets[-1] for v in first]
        label = mine[0]["label"]
        charts.append((milestone, f"{label}: median per quarter and drill type against the "
                       f"target ({format_duration(targets[-1])}); a cross marks a quarter whose "
                       f"median ({kinds[0]}) missed it.",
                       Drawn(partial(period_trend, periods, lines, targets[-1], missed, label,
                                     "duration"))))
    return charts


def command(db: str | None, fmt: str, report: str | None, close: int | None) -> None:
    if close is not None:
        from drillsim.drills.drill_history import close_action

        click.echo(f"closed action item {close}: {close_action(db, close)}")
        return
    if report:
        from drillsim.reports.render import format_of

        format_of(report)
    data = history_data(db)
    if report:
        from drillsim.reports.render import format_of, write_report

        charts = _charts(data) if format_of(report) == "html" else []
        write_report(report, "drill_history", {**data, "charts": charts, "title": "Drill history",
                                               "median": _median, "met": _met,
                                               "minutes": format_duration})
        click.echo(f"wrote {report}")
        return
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    console = Console()
    count = len(data["drills"])
    table = Table(title=f"Drill history: {count} drill{'' if count == 1 else 's'}, trend per "
                        "milestone")
    for column in ("type", "milestone", "quarter", "drills", "median (95% CI)",
                   "met target (95% CI)"):
        table.add_column(column, justify="right" if column == "drills" else "left")
    for r in data["trend"]:
        table.add_row(escape(r["drill_type"]), escape(r["label"]), r["quarter"], str(r["drills"]),
                      _median(r), _met(r))
    console.print(table)
    actions = Table(title="Open action items from earlier drills")
    for column in ("id", "action", "owner", "due", "from the drill"):
        actions.add_column(column)
    for a in data["open_actions"]:
        actions.add_row(str(a["id"]), escape(a["text"]), escape(a["owner"]), a["due"] or "–",
                        escape(a["drill"]))
    console.print(actions)
