"""Terminal rendering of a run summary with rich. Names from the user's files are escaped:
rich reads `[...]` as markup, and a name is data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drillsim.scenarios.durations import format_duration
from drillsim.sim.metrics import METRICS

if TYPE_CHECKING:
    import pandas as pd

LABELS = {"ttd": "TTD", "tta": "TTA", "ttm": "TTM", "ttr": "TTR"}
CAPTION = ("TTD detect, TTA acknowledge: from start and from detection; "
           "TTM mitigate, TTR resolve: from start")
ONCALL_ROWS = 10


def minutes(value: float | None) -> str:
    """A duration for people: `4m`, `1h30m`, `2d3h` (to the minute past an hour)."""
    if value is None or value != value:
        return "–"
    if value < 60:
        return f"{value:.1f}m"
    return format_duration(round(value))


def print_summary(console: Console, summary: dict[str, Any], load: pd.DataFrame) -> None:
    """The metric table, SLA attainment by severity, and on-call load per responder."""
    console.print(f"[bold]{escape(summary['scenario'])}[/] against "
                  f"[bold]{escape(summary['organisation'])}[/]: "
                  f"{summary['incidents']} incidents over {summary['replications']} replications "
                  f"(seed {summary['seed']})")
    table = Table(title="Response times, all severities", caption=CAPTION)
    for column in ("", "mean", "95% CI of mean", "p50", "p90", "p99", "n"):
        table.add_column(column, justify="right", no_wrap=True)
    for key, s in summary["metrics"].items():
        lo, hi = s["ci95"]
        table.add_row(LABELS[key], minutes(s["mean"]),
                      f"{minutes(lo)}–{minutes(hi)}", minutes(s["p50"]), minutes(s["p90"]),
                      minutes(s["p99"]), str(s["count"]))
    console.print(table)
    if summary["undetected"] or summary["unacknowledged"] or summary["unresolved"]:
        console.print(f"[yellow]{summary['undetected']} incidents never detected, "
                      f"{summary['unacknowledged']} never acknowledged, {summary['unresolved']} "
                      "never resolved (not in the figures above).[/]")
    severity = Table(title="By severity: mean (p90)")
    for column in ("severity", "incidents", *(LABELS[k] for k in METRICS)):
        severity.add_column(column, justify="left" if column == "severity" else "right")
    for name, row in summary["by_severity"].items():
        severity.add_row(escape(name), str(row["incidents"]),
                         *(f"{minutes(row[f'{k}_mean'])} ({minutes(row[f'{k}_p90'])})"
                           for k in METRICS))
    console.print(severity)
    targets = sorted({t for shares in summary["sla"].values() for t in shares},
                     key=["acknowledge", "first_response", "mitigate", "resolve"].index)
    sla = Table(title="SLA attainment: share of incidents meeting each target")
    sla.add_column("severity")
    for target in targets:
        sla.add_column(target.replace("_", " "), justify="right")
    for severity, shares in summary["sla"].items():
        sla.add_row(escape(severity), *(f"{shares[t]:.0%}" if t in shares else "–" for t in targets))
    console.print(sla)
    if summary["deadlines"]:
        names = sorted({n for shares in summary["deadlines"].values() for n in shares})
        owed = Table(title="Deadlines met, as the organisation names them")
        owed.add_column("deadline")
        severities = list(summary["deadlines"])
        for severity in severities:
            owed.add_column(escape(severity), justify="right")
        for name in names:
            owed.add_row(escape(name), *(f"{summary['deadlines'][s][name]:.0%}"
                                 if name in summary["deadlines"][s] else "–" for s in severities))
        console.print(owed)
    busiest = load.sort_values("pages", ascending=False).head(ONCALL_ROWS)
    oncall = Table(title="On-call load per replication (mean)")
    for column in ("responder", "pages", "night pages", "off-hours pages", "hours engaged"):
        oncall.add_column(column, justify="left" if column == "responder" else "right")
    for rid, row in busiest.iterrows():
        oncall.add_row(escape(str(rid)), f"{row.pages:.1f}", f"{row.night_pages:.1f}",
                       f"{row.off_hours_pages:.1f}", f"{row.minutes_engaged / 60:.1f}")
    if len(load) > len(busiest):
        oncall.add_row(f"… and {len(load) - len(busiest)} more", style="dim")
    console.print(oncall)
