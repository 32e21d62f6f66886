"""`drillsim power`: how many real incidents before a change in time to resolve (or another
metric) can be told from noise, and why one quarter's mean against the last misleads."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drillsim.scenarios.durations import format_duration
from drillsim.scenarios.measures import Metric
from drillsim.sim.power import ALPHA, MAX_N, POWER, SampleSize, Tail, sample_sizes, tail

MIN_INCIDENTS = 10  # fewer give no distribution worth resampling


@dataclass(frozen=True)
class SeverityPower:
    severity: str
    tail: Tail
    sizes: list[SampleSize]


@dataclass(frozen=True)
class PowerReport:
    scenario: str
    organisation: str
    metric: Metric
    replications: int
    seed: int
    trials: int
    period: str  # what one replication stands for, e.g. "90d"
    severities: list[SeverityPower]
    too_few: list[str]  # severities with fewer than MIN_INCIDENTS reaching the metric's end


def power_report(durations: np.ndarray, severity: np.ndarray, replication: np.ndarray,
                 ladder: list[str], changes: list[float], trials: int, seed: int,
                 replications: int) -> list[SeverityPower]:
    """Per severity present (most severe first) with at least MIN_INCIDENTS reaching the end."""
    out = []
    for sev in ladder:
        mine = severity == sev
        values = durations[mine]
        if np.sum(~np.isnan(values)) < MIN_INCIDENTS:
            continue
        out.append(SeverityPower(sev, tail(values, replication[mine], replications),
                                 sample_sizes(values, changes, trials, seed)))
    return out


def _n(n: int | None) -> str:
    return f"> {MAX_N:,}" if n is None or n > MAX_N else f"{n:,}"


def _periods(n: int | None, per: float) -> str:
    if n is None or n > MAX_N or per == 0:
        return "–"
    return f"{n / per:,.1f}" if n / per < 10 else f"{n / per:,.0f}"


def print_power(console: Console, report: PowerReport) -> None:
    label = report.metric.title.lower()
    console.print(f"[bold]{escape(report.scenario)}[/] against [bold]"
                  f"{escape(report.organisation)}[/]: {label} over {report.replications} "
                  f"replications of {report.period} (seed {report.seed})")
    if not report.severities:
        console.print(f"No severity has {MIN_INCIDENTS} incidents reaching the end of {label} "
                      "in the whole run: raise --reps.")
        return
    sizes = Table(title=f"Incidents needed in EACH of two periods to tell a shorter {label} from "
                        f"noise ({ALPHA:.0%} level, {POWER:.0%} power)")
    for column in ("severity", "change", "mean:\nnormal approx.", "mean:\nsimulated",
                   "median:\nnormal approx.", "median:\nsimulated",
                   f"periods of {report.period}\nmean / median"):
        sizes.add_column(column, justify="left" if column == "severity" else "right")
    for s in report.severities:
        for size in s.sizes:
            sizes.add_row(escape(s.severity), f"{size.change:.0%}", _n(size.mean_normal),
                          _n(size.mean_simulated), _n(size.median_normal),
                          _n(size.median_simulated),
                          f"{_periods(size.mean_simulated, s.tail.per_replication)} / "
                          f"{_periods(size.median_simulated, s.tail.per_replication)}")
    console.print(sizes)
    console.print(f"Mean: Welch's t-test; median: Mann–Whitney rank test. Simulated: groups "
                  f"resampled from the simulated durations, {report.trials} trials per size "
                  f"(about ±5%). Periods: how long each group takes to gather at the simulated "
                  f"rate.")
    shape = Table(title=f"Why the mean alone misleads: {label} by severity")
    for column in ("severity", "n", "mean", "median", "mean /\nmedian", "skew",
                   "longest\n10%'s share", "one period's\nmean, p5–p95",
                   "one period's\nmedian, p5–p95", "two periods'\nmeans differ"):
        shape.add_column(column, justify="left" if column == "severity" else "right")
    for s in report.severities:
        t = s.tail
        shape.add_row(escape(s.severity), f"{t.n:,}", format_duration(t.mean),
                      format_duration(t.median), f"{t.mean / t.median:.1f}×" if t.median else "–",
                      f"{t.skew:.1f}", f"{t.top_decile_share:.0%}",
                      f"{format_duration(t.mean_spread[0])} –\n{format_duration(t.mean_spread[1])}",
                      f"{format_duration(t.median_spread[0])} –\n"
                      f"{format_duration(t.median_spread[1])}",
                      f"{t.typical_gap:.0%}" if math.isfinite(t.typical_gap) else "–")
    console.print(shape)
    if report.too_few:
        console.print(f"Left out, fewer than {MIN_INCIDENTS} incidents in the whole run: "
                      f"{escape(', '.join(report.too_few))} (more --reps).")
    console.print("Two periods' means differ: the median gap between two replications' means "
                  "with nothing changed, relative to the mean. A change smaller than that cannot "
                  "be read off one period against the last.")


def as_json(report: PowerReport) -> dict[str, Any]:
    return {
        "scenario": report.scenario, "organisation": report.organisation,
        "metric": report.metric.name, "replications": report.replications,
        "seed": report.seed, "trials": report.trials, "alpha": ALPHA, "power": POWER,
        "period": report.period, "too_few_incidents": report.too_few,
        "severities": [{
            "severity": s.severity,
            "sample_sizes": [{"change": z.change, "mean_normal": z.mean_normal,
                              "mean_simulated": z.mean_simulated,
                              "median_normal": z.median_normal,
                              "median_simulated": z.median_simulated} for z in s.sizes],
            "tail": {"n": s.tail.n, "never": s.tail.never, "mean": round(s.tail.mean, 2),
                     "median": round(s.tail.median, 2), "skew": round(s.tail.skew, 3),
                     "top_decile_share": round(s.tail.top_decile_share, 4),
                     "incidents_per_replication": s.tail.per_replication,
                     "replication_mean_p5_p95": [round(v, 2) for v in s.tail.mean_spread],
                     "replication_median_p5_p95": [round(v, 2) for v in s.tail.median_spread],
                     "replication_mean_cv": round(s.tail.mean_cv, 4),
                     "replication_median_cv": round(s.tail.median_cv, 4),
                     "typical_gap_between_replication_means": round(s.tail.typical_gap, 4)},
        } for s in report.severities],
    }


def command(scenario: str, org_file: str | None, changes: list[float], metric: str,
            severities: tuple[str, ...], reps: int, seed: int, trials: int,
            workers: int | None, fmt: str) -> None:
    import json

    from drillsim.scenarios.errors import InputError, Problem, nearest
    from drillsim.scenarios.loader import load
    from drillsim.scenarios.measures import METRICS
    from drillsim.sim.runner import replicate
    from drillsim.sim.verdicts import Observed

    bundle = load(scenario, org_file)
    ladder = list(bundle.org.severities)
    unknown = [s for s in severities if s not in ladder]
    if unknown:
        raise InputError([Problem("--severity", None, "", f"unknown severity {s!r}"
                                  f"{nearest(s, ladder)}; the ladder is {', '.join(ladder)}")
                          for s in unknown])
    run = replicate(bundle, reps, seed, workers, records=False)
    observed = Observed.from_tally(run.tally)
    column = [x.name for x in METRICS].index(metric)
    m = METRICS[column]
    present = set(observed.severity)
    chosen = [s for s in ladder if (not severities or s in severities) and s in present]
    rows = power_report(observed.durations[:, column], observed.severity, observed.replication,
                        chosen, changes, trials, seed, reps)
    workload = bundle.scenario.workload
    period = format_duration(workload.horizon) if workload else "one drill"
    done = {r.severity for r in rows}
    report = PowerReport(bundle.scenario.name, bundle.org.name, m, reps, seed, trials, period,
                         rows, [s for s in chosen if s not in done])
    if fmt == "json":
        print(json.dumps(as_json(report), indent=2))
    else:
        print_power(Console(), report)
