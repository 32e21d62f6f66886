"""Terminal rendering of a run summary with rich."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drillsim.reports.render import (
    LOAD_SHOWN,
    NO_INCIDENTS,
    ci_note,
    load_ci,
    load_mean,
    share,
    tally,
)
from drillsim.scenarios.durations import format_duration as minutes
from drillsim.scenarios.durations import format_span
from drillsim.scenarios.measures import METRICS, TARGETS
from drillsim.sim.metrics import Spread
from drillsim.sim.summary import NOT_MET, RunSummary

ONCALL_ROWS = 10
DEFINITIONS = "; ".join(f"{m.label} = {m.end} − {m.start}" for m in METRICS)


def _ci(s: Spread) -> str:
    return "–" if s.ci is None else format_span(s.ci.low, s.ci.high)


def print_summary(console: Console, summary: RunSummary) -> None:
    """The metric table, metrics, SLA and deadline attainment by severity, time to mobilise by
    role, and on-call load."""
    console.print(f"[bold]{escape(summary.scenario)}[/] against "
                  f"[bold]{escape(summary.organisation)}[/]: {summary.incidents} incidents over "
                  f"{summary.replications} replication{'s' if summary.replications > 1 else ''} "
                  f"(seed {summary.seed})")
    if not summary.incidents:
        console.print(f"[yellow]{NO_INCIDENTS}[/]")
        return
    table = Table(title="Response times, all severities")
    for column in ("", "mean", "95% CI of mean", "p50", "p90", "p99", "n"):
        table.add_column(column, justify="right", no_wrap=True)
    for s in summary.metrics:
        table.add_row(s.metric.label, minutes(s.mean), _ci(s), minutes(s.p50), minutes(s.p90),
                      minutes(s.p99), str(s.n))
    console.print(table)
    console.print(f"{DEFINITIONS}.\n{ci_note(summary)}")
    missing = {name: count for name, count in summary.never.items() if count}
    if missing:
        text = ", ".join(f"{count} never {name}" for name, count in missing.items())
        console.print(f"[yellow]Incidents not in the figures above: {text}.[/]")
        for name, why in (("acknowledged", summary.unacknowledged),
                          ("resolved", summary.unresolved)):
            if why:
                console.print(f"[yellow]  never {name}: {escape(tally(why))}[/]")
    severity = Table(title="By severity: mean, and its 95% CI below")
    for column in ("severity", "n", *(m.label for m in METRICS)):  # a duration never wraps
        severity.add_column(column, justify="left" if column == "severity" else "right",
                            no_wrap=column != "severity")
    for row in summary.severities:
        severity.add_row(escape(row.severity), str(row.incidents),
                         *(f"{minutes(s.mean)}\n{_ci(s)}" for s in row.metrics))
    console.print(severity)
    targets = [t.name for t in TARGETS if any(t.name in s.sla for s in summary.severities)]
    if targets:
        sla = Table(title="SLA attainment: share of incidents meeting each target (95% CI)")
        for column in ("severity", "n", *(t.replace("_", " ") for t in targets)):
            sla.add_column(column, justify="left" if column == "severity" else "right")
        for row in summary.severities:
            if row.sla:
                sla.add_row(escape(row.severity), str(row.incidents),
                            *(share(row.sla.get(t), with_n=False) for t in targets))
        console.print(sla)
    owing = [s for s in summary.severities if s.deadlines]
    if owing:
        owed = Table(title="Deadlines met, as the organisation names them (95% CI)")
        for column in ("deadline", "severity", "n", "met", *NOT_MET):
            owed.add_column(column, justify="left" if column in ("deadline", "severity")
                            else "right")
        for name in sorted({n for s in owing for n in s.deadlines}):
            for row in owing:
                if (d := row.deadlines.get(name)) is not None:
                    owed.add_row(escape(name), escape(row.severity), str(d.met.n),
                                 share(d.met, with_n=False),
                                 *(str(d.statuses.get(status, 0)) for status in NOT_MET))
        console.print(owed)
    if summary.roles:
        roles = Table(title="Time to mobilise, by role (requested to someone in it joining)")
        for column in ("role", "requests", "joined", "mean", "95% CI of mean", "p90",
                       "never mobilised"):
            roles.add_column(column, justify="left" if column in ("role", "never mobilised")
                             else "right")
        for r in summary.roles:
            t = r.time_to_mobilise
            roles.add_row(escape(r.role), str(r.requests), str(t.n), minutes(t.mean), _ci(t),
                          minutes(t.p90), escape(tally(r.outcomes, ("engaged",))))
        console.print(roles)
    busiest = sorted(summary.load, key=lambda r: -r.mean["pages"])[:ONCALL_ROWS]
    oncall = Table(title="On-call load per replication: mean, and its 95% CI below")
    for column in ("responder", "pages", "night pages", "off-hours pages", "time engaged"):
        oncall.add_column(column, justify="left" if column == "responder" else "right",
                          no_wrap=column != "responder")
    for person in busiest:
        oncall.add_row(escape(person.responder),
                       *(f"{load_mean(person, c)}\n{load_ci(person, c)}" for c in LOAD_SHOWN))
    if len(summary.load) > len(busiest):
        oncall.add_row(f"… and {len(summary.load) - len(busiest)} more", style="dim")
    console.print(oncall)
