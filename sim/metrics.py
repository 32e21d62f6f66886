"""The metric definitions, in one place: TTD, TTA, TTM, TTR and SLA attainment.

TTD = detected - started; TTA = acknowledged - declared; TTM = mitigated - started;
TTR = resolved - started. Incidents never acknowledged or never resolved are counted
separately, not silently dropped."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from drillsim.sim.records import TARGETS

METRICS = {
    "ttd": ("time_to_detect", "detected_at", "started_at"),
    "tta": ("time_to_acknowledge", "acknowledged_at", "declared_at"),
    "ttm": ("time_to_mitigate", "mitigated_at", "started_at"),
    "ttr": ("time_to_resolve", "resolved_at", "started_at"),
}
BOOTSTRAP_RESAMPLES = 2000


def durations(incidents: pd.DataFrame) -> pd.DataFrame:
    """One column per metric (`time_to_detect`, ...) in minutes; NaN where it never happened."""
    out = incidents[["replication", "incident", "type", "severity"]].copy()
    for name, end, start in METRICS.values():
        out[name] = incidents[end] - incidents[start]
    return out


@dataclass(frozen=True)
class Summary:
    """Spread of one metric: the mean with its bootstrap 95% CI, and percentiles (minutes)."""

    count: int
    mean: float
    p50: float
    p90: float
    p99: float
    ci95: tuple[float, float]

    def as_dict(self) -> dict[str, object]:
        return {"count": self.count, "mean": self.mean, "p50": self.p50, "p90": self.p90,
                "p99": self.p99, "ci95": list(self.ci95)}


def summarise(values: pd.Series, replication: pd.Series, seed: int = 0) -> Summary:
    """Summary of one metric. The CI resamples whole replications (incidents within one run
    share responders, so they are not independent); with one replication, incidents."""
    mask = values.notna()
    x = values[mask].to_numpy(dtype=float)
    if len(x) == 0:
        nan = float("nan")
        return Summary(0, nan, nan, nan, nan, (nan, nan))
    p50, p90, p99 = np.percentile(x, [50, 90, 99])
    reps = replication[mask].to_numpy()
    groups = pd.DataFrame({"r": reps, "x": x}).groupby("r")["x"].agg(["sum", "count"])
    rng = np.random.default_rng(seed)
    if len(groups) > 1:
        sums, counts = groups["sum"].to_numpy(), groups["count"].to_numpy(dtype=float)
        result = stats.bootstrap((sums, counts), lambda s, c, axis=-1: s.sum(axis) / c.sum(axis),
                                 paired=True, vectorized=True, n_resamples=BOOTSTRAP_RESAMPLES,
                                 method="percentile", random_state=rng)
    elif len(x) > 1 and np.ptp(x) > 0:
        result = stats.bootstrap((x,), np.mean, vectorized=True, n_resamples=BOOTSTRAP_RESAMPLES,
                                 method="percentile", random_state=rng)
    else:
        return Summary(len(x), float(x.mean()), p50, p90, p99, (float(x.mean()), float(x.mean())))
    ci = result.confidence_interval
    return Summary(len(x), float(x.mean()), float(p50), float(p90), float(p99),
                   (float(ci.low), float(ci.high)))


def summary_table(incidents: pd.DataFrame, seed: int = 0) -> dict[str, Summary]:
    """Every metric's summary, keyed by its short name (ttd, tta, ttm, ttr)."""
    d = durations(incidents)
    return {key: summarise(d[name], d["replication"], seed) for key, (name, _, _) in METRICS.items()}


def sla_attainment(incidents: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Share of incidents meeting each target, by (final) severity; targets not set are absent.
    An incident that never reached a milestone counts as having missed it."""
    out: dict[str, dict[str, float]] = {}
    for severity, group in incidents.groupby("severity", sort=True):
        shares = {}
        for target in TARGETS:
            column = group[f"{target}_met"]
            if column.notna().any():
                shares[target] = float(column.fillna(False).astype(bool).mean())
        out[str(severity)] = shares
    return out


def by_severity(incidents: pd.DataFrame) -> dict[str, dict[str, float | int | None]]:
    """Per (final) severity: incident count and the mean and p90 of each metric (minutes)."""
    d = durations(incidents)
    out: dict[str, dict[str, float | int | None]] = {}
    for severity, group in d.groupby("severity", sort=True):
        row: dict[str, float | int | None] = {"incidents": len(group)}
        for key, (name, _, _) in METRICS.items():
            values = group[name].dropna()
            row[f"{key}_mean"] = float(values.mean()) if len(values) else None
            row[f"{key}_p90"] = float(values.quantile(0.9)) if len(values) else None
        out[str(severity)] = row
    return out


def deadline_attainment(deadlines: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Share of deadline occurrences met, by severity and deadline name (the plan's own)."""
    out: dict[str, dict[str, float]] = {}
    for (severity, name), group in deadlines.groupby(["severity", "deadline"], sort=True):
        out.setdefault(str(severity), {})[str(name)] = float(group["met"].mean())
    return out


def outstanding(incidents: pd.DataFrame) -> dict[str, int]:
    """Incidents never detected, acknowledged or resolved, across all replications."""
    return {"undetected": int(incidents["detected_at"].isna().sum()),
            "unacknowledged": int(incidents["acknowledged_at"].isna().sum()),
            "unresolved": int(incidents["resolved_at"].isna().sum())}


def responder_load(responders: pd.DataFrame) -> pd.DataFrame:
    """Per responder, the mean per replication of pages, night pages and engaged minutes."""
    columns = ["pages", "night_pages", "off_hours_pages", "acknowledgements", "minutes_engaged",
               "incidents_worked"]
    return responders.groupby("responder", sort=False)[columns].mean()
