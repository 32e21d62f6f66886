"""Incident history -- a results folder or a CSV export -- and the periodic and per-incident
reports built from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from drillsim.reports.data import incident_timeline
from drillsim.scenarios.errors import InputError, Problem
from drillsim.scenarios.measures import METRICS

CSV_COLUMNS = ("type", "severity", "started", "resolved")
OPTIONAL = ("detected", "acknowledged", "mitigated", "title")
FREQ = {"monthly": "M", "quarterly": "Q"}


def _problem(file: str, field: str, message: str) -> InputError:
    return InputError([Problem(file, None, field, message)])


def _read_table(folder: Path, name: str) -> pd.DataFrame:
    for suffix, reader in ((".parquet", pd.read_parquet), (".csv", pd.read_csv)):
        path = folder / f"{name}{suffix}"
        if path.exists():
            return reader(path)
    raise _problem(str(folder), "", f"not a results folder: no {name}.parquet or {name}.csv")


def load_history(source: str | Path) -> pd.DataFrame:
    """Incidents with `type`, `severity` and UTC `started`, `mitigated`, `resolved` columns.
    A results folder gives its first replication (one plausible history, not an average)."""
    path = Path(source)
    if path.is_dir():
        inc = _read_table(path, "incidents")
        inc = inc[inc.replication == inc.replication.min()]
        out = pd.DataFrame({"type": inc["type"], "severity": inc["severity"]})
        for name in ("started", "detected", "acknowledged", "mitigated", "resolved"):
            out[name] = pd.to_datetime(inc[f"{name}_time"], utc=True)
        return out.reset_index(drop=True)
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise _problem(str(path), "", "cannot read file: No such file or directory") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise _problem(str(path), "", f"not a CSV file: {exc}") from None
    missing = [c for c in CSV_COLUMNS if c not in frame.columns]
    if missing:
        raise _problem(str(path), ", ".join(missing),
                       f"missing column; an incident history needs {', '.join(CSV_COLUMNS)}")
    out = frame[["type", "severity"]].astype(str).copy()
    for name in ("started", "detected", "acknowledged", "mitigated", "resolved"):
        if name not in frame.columns:
            out[name] = pd.NaT
            continue
        parsed = pd.to_datetime(frame[name], utc=True, errors="coerce", format="ISO8601")
        bad = parsed.isna() & frame[name].notna()
        if bad.any():
            line = int(np.argmax(bad.to_numpy())) + 2  # header is line 1
            raise InputError([Problem(str(path), line, name,
                                      f"expected an ISO 8601 time, found {frame[name][bad].iloc[0]!r}")])
        out[name] = parsed
    if out["started"].isna().any():
        line = int(np.argmax(out["started"].isna().to_numpy())) + 2
        raise InputError([Problem(str(path), line, "started", "every incident needs a start")])
    out["mitigated"] = out["mitigated"].fillna(out["resolved"])
    return out


def _downtime(group: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> float:
    """Minutes in [lo, hi) during which at least one P0/P1 incident was unmitigated."""
    spans = sorted((max(s, lo), min(e if not pd.isna(e) else hi, hi))
                   for s, e in zip(group.started, group.mitigated, strict=True))
    total, current_end = 0.0, lo
    for start, end in spans:
        start = max(start, current_end)
        if end > start:
            total += (end - start).total_seconds() / 60
            current_end = end
    return total


def periodic(history: pd.DataFrame, period: str, mttr_target: float = 240.0,
             uptime_target: float = 99.9) -> dict[str, Any]:
    """The monthly or quarterly incident report: one entry per calendar period, newest last."""
    freq = FREQ[period]
    h = history.copy()
    h["period"] = h.started.dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period(freq)
    h["ttr"] = (h.resolved - h.started).dt.total_seconds() / 60
    rows = []
    previous = None
    for label in pd.period_range(h.period.min(), h.period.max(), freq=freq):
        g = h[h.period == label]
        lo = label.start_time.tz_localize("UTC")
        hi = (label.end_time + pd.Timedelta(1, "ns")).tz_localize("UTC")
        minutes = (hi - lo).total_seconds() / 60
        major = g[g.severity.isin(["P0", "P1"])]
        uptime = 100 * (1 - _downtime(major, lo, hi) / minutes)
        ttr = g.ttr.dropna()
        by_sev = []
        for sev, s in g.groupby("severity", sort=True):
            by_sev.append({"severity": sev, "count": len(s),
                           "mean_ttr": float(s.ttr.mean()) if s.ttr.notna().any() else None,
                           "primary_cause": s.type.value_counts().sort_index().idxmax()})
        count = len(g)
        rows.append({
            "period": str(label), "incidents": count,
            "change": None if previous is None else count - previous,
            "change_pct": None if not previous else 100 * (count - previous) / previous,
            "p0": int((g.severity == "P0").sum()), "p1": int((g.severity == "P1").sum()),
            "mean_ttr": float(ttr.mean()) if len(ttr) else None,
            "p90_ttr": float(ttr.quantile(0.9)) if len(ttr) else None,
            "mttr_met": bool(len(ttr) and ttr.mean() <= mttr_target),
            "uptime": uptime, "uptime_met": uptime >= uptime_target,
            "by_severity": by_sev,
            "categories": [{"type": t, "count": int(n)} for t, n in
                           g.type.value_counts().sort_index().sort_values(
                               ascending=False, kind="stable").head(5).items()],
        })
        previous = count
    return {"title": f"{period.capitalize()} incident report", "period": period,
            "mttr_target": mttr_target, "uptime_target": uptime_target, "periods": rows}


def incident_report(folder: str | Path, incident: int, replication: int = 0) -> dict[str, Any]:
    """A post-mortem skeleton for one simulated incident of a results folder."""
    path = Path(folder)
    inc = _read_table(path, "incidents")
    row = inc[(inc.replication == replication) & (inc.incident == incident)]
    if row.empty:
        raise _problem(str(path), "incident", f"no incident {incident} in replication {replication}")
    r = row.iloc[0]
    events = _read_table(path, "events")
    deadlines = _read_table(path, "deadlines")
    owed = deadlines[(deadlines.replication == replication) & (deadlines.incident == incident)]
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8")) \
        if (path / "manifest.json").exists() else {}

    def minutes(a: str, b: str) -> float | None:
        value = r[f"{a}_at"] - r[f"{b}_at"]
        return None if pd.isna(value) else float(value)

    return {
        "title": f"Incident report: {r['type']} ({r['severity']})",
        "scenario": manifest.get("scenario", ""),
        "incident": {"id": int(incident), "replication": int(replication), "type": r["type"],
                     "severity": r["severity"], "initial_severity": r["initial_severity"],
                     "started": str(r["started_time"]), "detected_by": r["detected_by"],
                     "acknowledged_by": r["acknowledged_by"], "escalations": int(r["escalations"]),
                     "cost": float(r["cost"]), "data_loss": float(r["data_loss_minutes"]),
                     "currency": manifest.get("summary", {}).get("currency", ""),
                     **{m.key: minutes(m.end, m.start) for m in METRICS}},
        "timeline": incident_timeline(_with_time(events), replication, incident),
        "deadlines": [{"name": d.deadline, "occurrence": int(d.occurrence), "due": float(d.due_at),
                       "done": None if pd.isna(d.done_at) else float(d.done_at), "met": bool(d.met)}
                      for d in owed.itertuples()],
    }


def _with_time(events: pd.DataFrame) -> pd.DataFrame:
    events = events.copy()
    events["time"] = pd.to_datetime(events["time"], utc=True)
    return events
