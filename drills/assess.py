"""`drillsim assess`: read a recorded drill, simulate its scenario for the organisation, write the
post-drill report and remember the drill in the drill history."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from drillsim.drills.assessment import Assessment, Quantile, exact
from drillsim.drills.drill_record import DrillRecord
from drillsim.drills.when import show
from drillsim.scenarios.durations import format_duration
from drillsim.scenarios.errors import InputError, Problem
from drillsim.scenarios.measures import METRICS

if TYPE_CHECKING:
    from drillsim.drills.exercise import At

MARK = "written by drillsim assess"  # in every report, so a rerun may replace it
DEFINITIONS = ("Acknowledged counts from detection (time_to_acknowledge counts from declaration, "
               "which the drill's detection stands for); mitigated and resolved count from the "
               "start, as " + " and ".join(m.name for m in METRICS if m.start == "started"
                                          and m.end in ("mitigated", "resolved")) +
               " do; other milestones count from detection. A simulated run that never reached "
               "a milestone counts as slower than the drill.")


def check_out(path: str | Path, force: bool) -> None:
    """Refuse to replace a file this command did not write, unless forced."""
    target = Path(path)
    if not target.exists() or force:
        return
    try:
        ours = MARK in target.read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        ours = False
    if not ours:
        raise InputError([Problem(str(target), None, "", "exists and was not written by drillsim "
                                  "assess; choose another --out or pass --force to replace it")])


def _quantile(q: Quantile | None) -> str:
    if q is None:
        return "–"
    value = "never" if math.isinf(q.value) else format_duration(q.value)
    high = "never" if math.isinf(q.high) else format_duration(q.high)
    return f"{value} ({format_duration(q.low)} – {high})"


def _at(minutes: float | None) -> str:
    return "–" if minutes is None else "T+" + exact(minutes)


def report_data(a: Assessment) -> dict[str, Any]:
    """What the assessment templates show, every figure formatted once here."""
    def result(m: Any) -> str:
        if m.actual is None:
            return "not recorded"
        return m.verdict

    return {
        "title": a.title, "mark": MARK, "date": show(a.started, a.zone)[:10],
        "drill_type": a.drill_type, "scenario": a.scenario, "organisation": a.organisation,
        "severity": a.severity, "started": show(a.started, a.zone),
        "duration": exact(a.duration) + ("" if a.finished else " (no end recorded)")
        if a.duration is not None else "–",
        "participants": ", ".join(a.participants) or "not recorded",
        "systems": ", ".join(a.systems) or "–", "source": a.source, "warnings": a.warnings,
        "replications": a.replications, "seed": a.seed, "definitions": DEFINITIONS,
        "milestones": [{"label": m.label, "at": _at(m.at), "took": exact(m.actual),
                        "target": format_duration(m.target), "met": m.met, "result": result(m),
                        "p50": _quantile(m.p50), "p90": _quantile(m.p90),
                        "reached": f"{m.reached} of {m.n}", "placement": m.placement}
                       for m in a.milestones if m.at is not None or m.target is not None],
        "checklist": a.checklist, "passed": a.passed, "scored": a.scored,
        "rubric": a.rubric, "communication": a.communication,
        "notes": [{"at": _at(at), "kind": kind, "text": text} for at, kind, text in a.notes],
        "went_well": a.went_well, "to_improve": a.to_improve,
        "actions": [{"text": x.text, "owner": x.owner, "due": x.due.isoformat() if x.due else "–"}
                    for x in a.actions],
        "process_updates": a.process_updates,
    }


def participants(record: DrillRecord, org: str | None) -> tuple[str, ...]:
    """Who took part: the cast of the exercise the drill ran (the same scenario, organisation,
    seed and percentile)."""
    from drillsim.drills.exercise import build_exercise

    at = cast("At", record.at if record.at in ("p50", "p90", "worst") else "p50")
    return tuple(f"{c.name} ({c.role})"
                 for c in build_exercise(record.scenario, org, record.seed, at).cast)


def run_assessment(source: str, scenario: str | None, org: str | None, reps: int,
                   seed: int | None, workers: int | None, kind: str | None) -> Assessment:
    """Read the drill in `source`, simulate its scenario and assess the drill against it."""
    from drillsim.drills.assessment import assess
    from drillsim.drills.drill_record import read
    from drillsim.scenarios.loader import load
    from drillsim.sim.runner import replicate

    record = read(source, scenario)
    name = record.scenario
    bundle = load(name, org or record.org)
    if not bundle.scenario.incidents:
        raise InputError([Problem(name, None, "incidents", "a drill's scenario needs incidents "
                                  "(a workload cannot be drilled)")])
    seed = record.seed if seed is None else seed
    run = replicate(bundle, reps, seed, workers)
    return assess(record, bundle, run, participants(record, org or record.org), kind)
