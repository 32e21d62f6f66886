"""`drillsim check`: an on-call policy as tests. Runs the scenario a hypotheses file names and
reports each hypothesis pass / fail / inconclusive with its estimate and 95% interval; exit 1
when any fails (or, with --strict, is inconclusive); JUnit XML for CI."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drillsim.scenarios.durations import format_duration
from drillsim.scenarios.errors import InputError, Problem
from drillsim.sim.verdicts import Gate, Verdict, statement

COLOUR = {"pass": "green", "fail": "red", "inconclusive": "yellow"}
UNITS = {"statistic": "minutes", "within": "share", "attainment": "share",
         "load": "per responder (a month, or per 12 h on call)"}


def value(v: Verdict, x: float | None) -> str:
    """A figure in the hypothesis's unit: a duration, a share or a number a month."""
    if x is None:
        return "never" if v.hypothesis.kind == "statistic" else "–"
    if v.hypothesis.kind == "statistic":
        return format_duration(x)
    if v.hypothesis.kind in ("within", "attainment"):
        return f"{x:.1%}"
    return f"{x:.2f}"


def interval(v: Verdict) -> str:
    if v.low is None and v.high is None:
        return "–"
    return f"{value(v, v.low)} – {value(v, v.high) if v.high is not None else 'never'}"


def advice(v: Verdict) -> str:
    """What would decide an inconclusive verdict."""
    if v.outcome != "inconclusive":
        return ""
    if v.needed is None:
        return "the estimate sits on the limit: more replications will not decide it"
    return f"about {v.needed:,} replications would decide it"


def describe(v: Verdict) -> str:
    """One line: the statement, estimate, interval, n and what would decide it."""
    parts = [f"{statement(v.hypothesis)}: estimate {value(v, v.estimate)}, 95% CI "
             f"{interval(v)}, n={v.n} over {v.replications} replications"]
    parts += [p for p in (v.note, advice(v)) if p]
    return "; ".join(parts)


def print_verdicts(console: Console, source: str, verdicts: list[Verdict]) -> None:
    table = Table(title=f"Hypotheses of {escape(source)}")
    for column in ("hypothesis", "estimate", "95% CI", "n", "verdict"):
        table.add_column(column, justify="left" if column in ("hypothesis", "verdict")
                         else "right", no_wrap=column in ("estimate", "95% CI"))
    for v in verdicts:
        table.add_row(f"{escape(v.hypothesis.name)}\n[dim]{escape(statement(v.hypothesis))}[/]",
                      value(v, v.estimate), interval(v), str(v.n),
                      f"[{COLOUR[v.outcome]}]{v.outcome}[/]")
    console.print(table)
    for v in verdicts:
        notes = [p for p in (v.note, advice(v)) if p]
        if notes:
            console.print(f"{escape(v.hypothesis.name)}: {escape('; '.join(notes))}")
    tally = {o: sum(v.outcome == o for v in verdicts) for o in COLOUR}
    console.print(", ".join(f"{n} {o}" for o, n in tally.items()))


def as_json(source: str, verdicts: list[Verdict]) -> dict[str, Any]:
    return {"file": source, "hypotheses": [{
        "name": v.hypothesis.name, "statement": statement(v.hypothesis),
        "unit": UNITS[v.hypothesis.kind], "limit": v.hypothesis.limit,
        "estimate": v.estimate, "ci95": [v.low, v.high], "n": v.n,
        "replications": v.replications, "verdict": v.outcome,
        "replications_to_decide": v.needed, "note": v.note,
    } for v in verdicts]}


def command(file: str, reps: int | None, seed: int | None, org: str | None,
            workers: int | None, fmt: str, junit: str | None, force: bool, strict: bool) -> None:
    from drillsim.reports.files import write_text
    from drillsim.reports.junit import Case, junit_xml, ours
    from drillsim.scenarios.hypotheses import load_hypotheses
    from drillsim.sim.runner import replicate

    if junit and Path(junit).exists() and not force and not ours(junit):
        raise InputError([Problem(junit, None, "", "already exists and is not a report "
                                  "drillsim check wrote; pass --force to overwrite")])
    began, started = time.perf_counter(), dt.datetime.now().astimezone()
    spec, bundle = load_hypotheses(file, reps, org)
    seed = spec.seed if seed is None else seed
    needs_load = any(h.kind == "load" for h in spec.hypotheses)
    load = None
    if needs_load:
        from drillsim.sim.load import LoadTally

        tally = LoadTally(bundle, spec.replications, seed)
        run = replicate(bundle, spec.replications, seed, workers, chunks=tally.add)
        load = tally.report()
    else:
        run = replicate(bundle, spec.replications, seed, workers, records=False)
    from drillsim.sim.verdicts import Observed, evaluate

    verdicts = evaluate(spec.hypotheses, Observed.from_tally(run.tally), spec.replications, load)
    if junit:
        cases = [Case(v.hypothesis.name, v.outcome, f"{v.outcome}: {statement(v.hypothesis)}",
                      describe(v)) for v in verdicts]
        write_text(junit, junit_xml(Path(file).stem, cases, started.isoformat(timespec="seconds"),
                                    time.perf_counter() - began))
    if fmt == "json":
        print(json.dumps(as_json(file, verdicts), indent=2))
    else:
        print_verdicts(Console(), file, verdicts)
    bad = {"fail", "inconclusive"} if strict else {"fail"}
    if any(v.outcome in bad for v in verdicts):
        sys.exit(1)


def print_gate(console: Console, gates: list[Gate], objective: float) -> None:
    """The organisation's own targets against the objective, one row each."""
    table = Table(title=f"Targets and deadlines met by at least {objective:.0%} of incidents "
                        "(95% CI)")
    for column in ("severity", "target", "met", "95% CI", "n", "verdict"):
        table.add_column(column, justify="right" if column in ("met", "95% CI", "n") else "left")
    for g in gates:
        table.add_row(escape(g.severity), escape(g.what), f"{g.share.value:.1%}",
                      f"{g.share.ci.low:.1%} – {g.share.ci.high:.1%}", str(g.share.n),
                      f"[{COLOUR[g.outcome]}]{g.outcome}[/]" + (
                          f"\n~{g.needed:,} reps" if g.needed else ""))
    console.print(table)


def gate_json(gates: list[Gate], objective: float) -> dict[str, Any]:
    return {"objective": objective, "results": [{
        "severity": g.severity, "target": g.what, "met": g.share.met, "n": g.share.n,
        "share": round(g.share.value, 4),
        "ci95": [round(g.share.ci.low, 4), round(g.share.ci.high, 4)],
        "verdict": g.outcome, "replications_to_decide": g.needed} for g in gates]}
