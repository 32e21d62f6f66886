"""Incident history -- a results folder or a CSV export -- and the periodic and per-incident
reports built from it. Periods are calendar months or quarters on the organisation's clock."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from drillsim.reports import charts
from drillsim.reports.data import by_ladder, gantt, incident_timeline
from drillsim.reports.units import format_instant, format_money
from drillsim.scenarios.durations import DAY, format_duration
from drillsim.scenarios.errors import InputError, Problem
from drillsim.scenarios.measures import METRICS, metric
from drillsim.sim.clock import to_instant, zone
from drillsim.sim.metrics import spread

CSV_COLUMNS = ("type", "severity", "started", "resolved")
INSTANTS = ("started", "detected", "acknowledged", "mitigated", "resolved")
FREQ = {"monthly": "M", "quarterly": "Q"}
MAJOR_LEVELS = 2  # without --major, the two most severe levels of the ladder count as major


@dataclass(frozen=True)
class History:
    """Incidents (`type`, `severity` and aware UTC instants `started` ... `resolved`) with what a
    report must say about them: where they came from, the clock and severity ladder to read
    them by, and the stretch of time they cover (end exclusive)."""

    incidents: pd.DataFrame
    source: str
    timezone: str
    ladder: tuple[str, ...]
    major: tuple[str, ...]
    covers: tuple[pd.Timestamp, pd.Timestamp]
    covers_known: bool


def _problem(file: str, field: str, message: str, line: int | None = None) -> InputError:
    return InputError([Problem(file, line, field, message)])


def _read_table(folder: Path, name: str) -> pd.DataFrame:
    for suffix, reader in ((".parquet", pd.read_parquet), (".csv", pd.read_csv)):
        path = folder / f"{name}{suffix}"
        if path.exists():
            frame = reader(path)
            for column in [c for c in frame.columns if c == "time" or c.endswith("_time")]:
                frame[column] = pd.to_datetime(frame[column], utc=True)
            return frame
    raise _problem(str(folder), "", f"not a results folder: no {name}.parquet or {name}.csv")


def _manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _check_zone(timezone: str) -> str:
    try:
        zone(timezone)
    except (KeyError, ValueError, OSError):
        raise _problem("--timezone", "", f"unknown time zone {timezone!r}; expected an IANA name "
                       "such as 'Europe/London' or 'America/New_York'") from None
    return timezone


def _found_ladder(file: str, names: Sequence[str], major: Sequence[str] | None) -> tuple[str, ...]:
    """Severity names of a CSV, most severe first: the given major ones, then by the number in
    each name (P0 before P1, SEV1 before SEV2). Names without a number need --major."""
    major = list(major or ())
    rest = [n for n in dict.fromkeys(names) if n not in major]
    numbered = {n: re.search(r"\d+", n) for n in rest}
    if not major and not all(numbered.values()):
        raise _problem(file, "severity", "cannot tell which severities are major from names "
                       f"without a level number ({', '.join(sorted(rest))}); name them with "
                       "--major, most severe first, e.g. --major critical,high")
    rest.sort(key=lambda n: (0, int(m.group()), n) if (m := numbered[n]) else (1, 0, n))
    return (*major, *rest)


def _instants(frame: pd.DataFrame, path: str, timezone: str | None) -> tuple[pd.DataFrame,
                                                                              list[Problem]]:
    """The time columns as aware UTC instants; a naive time is read on `timezone`'s clock, and
    without one it is a problem (reported once per column, with how many rows share it)."""
    out = pd.DataFrame(index=frame.index)
    problems = []
    for name in INSTANTS:
        values: list[Any] = []
        bad: list[tuple[int, str]] = []
        for line, raw in enumerate(frame.get(name, pd.Series("", index=frame.index)), start=2):
            text = str(raw).strip()
            values.append(pd.NaT)
            if not text:
                continue
            try:
                instant = dt.datetime.fromisoformat(text)
            except ValueError:
                bad.append((line, f"expected an ISO 8601 time, found {text!r}"))
                continue
            if instant.tzinfo is None:
                if timezone is None:
                    bad.append((line, f"{text!r} has no UTC offset: write it as "
                                      f"{text}Z or with its offset (+01:00), or pass --timezone"))
                    continue
                instant = to_instant(instant, zone(timezone))
            values[-1] = pd.Timestamp(instant).tz_convert("UTC")
        if bad:
            line, message = bad[0]
            more = f" (and {len(bad) - 1} more rows)" if len(bad) > 1 else ""
            problems.append(Problem(path, line, name, message + more))
        out[name] = pd.to_datetime(pd.Series(values, index=frame.index, dtype=object), utc=True)
    return out, problems


def _from_folder(path: Path, timezone: str | None, major: Sequence[str] | None) -> History:
    inc = _read_table(path, "incidents")
    manifest = _manifest(path)
    first = inc.replication.min()
    inc = inc[inc.replication == first]
    out = pd.DataFrame({"type": inc["type"], "severity": inc["severity"]})
    for name in INSTANTS:
        out[name] = pd.to_datetime(inc[f"{name}_time"], utc=True)
    org = manifest.get("organisation", {})
    ladder = tuple(org.get("severities") or _found_ladder(str(path), out.severity.tolist(), major))
    covers = manifest.get("covers")
    source = (f"results folder {path}: the first of {manifest.get('replications', '?')} "
              f"replications of the simulated scenario {manifest.get('scenario', '?')}, one "
              "plausible history rather than an average")
    return History(out.reset_index(drop=True), source, timezone or org.get("timezone") or "UTC",
                   ladder, tuple(major or ladder[:MAJOR_LEVELS]),
                   (pd.Timestamp(covers[0]), pd.Timestamp(covers[1])) if covers else _span(out),
                   covers is not None)


def _span(incidents: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """What a history without a stated window is taken to cover: its first to last incident."""
    return incidents.started.min(), incidents.started.max() + pd.Timedelta(1, "s")


def load_history(source: str | Path, timezone: str | None = None,
                 major: Sequence[str] | None = None, since: dt.date | None = None,
                 until: dt.date | None = None) -> History:
    """The incident history in `source` (a results folder or a CSV export). `timezone` reads
    naive CSV times and sets the report's clock (default: the results folder's organisation,
    and a CSV must give every time its offset); `major` names the severities whose impact counts
    as downtime; `since` and `until` (local dates, both included) give the stretch of time the
    history covers, which is otherwise its first to last incident."""
    if timezone is not None:
        _check_zone(timezone)
    path = Path(source)
    read = _from_folder if path.is_dir() else _from_csv
    return _window(read(path, timezone, major), since, until)


def _from_csv(path: Path, timezone: str | None, major: Sequence[str] | None) -> History:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise _problem(str(path), "", "cannot read file: No such file or directory") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise _problem(str(path), "", f"not a CSV file: {exc}") from None
    missing = [c for c in CSV_COLUMNS if c not in frame.columns]
    if missing:
        raise _problem(str(path), ", ".join(missing),
                       f"missing column; an incident history needs {', '.join(CSV_COLUMNS)}")
    if frame.empty:
        raise _problem(str(path), "", "no incidents: the file has a header and no rows")
    times, problems = _instants(frame, str(path), timezone)
    if not problems and times["started"].isna().any():
        line = int(np.argmax(times["started"].isna().to_numpy())) + 2
        problems.append(Problem(str(path), line, "started", "every incident needs a start"))
    if problems:
        raise InputError(problems)
    out = pd.concat([frame[["type", "severity"]].astype(str), times], axis=1)
    out["mitigated"] = out["mitigated"].fillna(out["resolved"])
    ladder = _found_ladder(str(path), out.severity.tolist(), major)
    source = f"{path}: an incident-history CSV of {_incidents(len(out))}"
    return History(out, source, timezone or "UTC", ladder,
                   tuple(major or ladder[:MAJOR_LEVELS]), _span(out), False)


def _window(history: History, since: dt.date | None, until: dt.date | None) -> History:
    """The history restricted to [since, until] (local dates), which it then covers exactly."""
    if since is None and until is None:
        return history
    tz = zone(history.timezone)
    lo, hi = history.covers
    if since is not None:
        lo = pd.Timestamp(to_instant(dt.datetime.combine(since, dt.time()), tz))
    if until is not None:
        hi = pd.Timestamp(to_instant(dt.datetime.combine(until + dt.timedelta(days=1), dt.time()),
                                     tz))
    inc = history.incidents
    inside = (inc.started >= lo) & (inc.started < hi)
    left_out = int((~inside).sum())
    note = f"; {_incidents(left_out)} outside that stretch left out" if left_out else ""
    return History(inc[inside].reset_index(drop=True), history.source + note, history.timezone,
                   history.ladder, history.major, (lo, hi), True)


def _incidents(count: int) -> str:
    return f"{count} incident" + ("" if count == 1 else "s")


def _downtime(group: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> float:
    """Minutes in [lo, hi) during which at least one major incident was unmitigated."""
    spans = sorted((max(s, lo), min(e if not pd.isna(e) else hi, hi))
                   for s, e in zip(group.started, group.mitigated, strict=True))
    total, current_end = 0.0, lo
    for start, end in spans:
        start = max(start, current_end)
        if end > start:
            total += (end - start).total_seconds() / 60
            current_end = end
    return total


def _local_start(period: pd.Period, timezone: str) -> pd.Timestamp:
    return pd.Timestamp(to_instant(period.start_time.to_pydatetime(), zone(timezone)))


def periodic(history: History, period: str, mttr_target: float = 240.0,
             uptime_target: float = 99.9) -> dict[str, Any]:
    """The monthly or quarterly incident report: one entry per calendar period on the
    organisation's clock, oldest first, with the trend across them. A period the history covers
    only in part is flagged and not compared with its neighbours; its uptime is over the part
    covered."""
    freq, tz = FREQ[period], history.timezone
    h = history.incidents.sort_values("started", kind="stable")  # spreads read them in order
    h["period"] = h.started.dt.tz_convert(tz).dt.tz_localize(None).dt.to_period(freq)
    h["ttr"] = (h.resolved - h.started).dt.total_seconds() / 60
    cov_lo, cov_hi = history.covers
    ladder = by_ladder(h.severity, history.ladder)
    first = pd.Timestamp(cov_lo).tz_convert(tz).tz_localize(None).to_period(freq)
    last = (pd.Timestamp(cov_hi) - pd.Timedelta(1, "ns")).tz_convert(tz).tz_localize(None) \
        .to_period(freq)
    rows: list[dict[str, Any]] = []
    if len(h):
        first, last = min(first, h.period.min()), max(last, h.period.max())
    for label in pd.period_range(first, last, freq=freq):
        g = h[h.period == label]
        lo, hi = _local_start(label, tz), _local_start(label + 1, tz)
        seen_lo, seen_hi = max(lo, cov_lo), min(hi, cov_hi)
        seen = max((seen_hi - seen_lo).total_seconds() / 60, 0.0)
        whole = (hi - lo).total_seconds() / 60
        partial = seen < whole - DAY  # a day's slack: an export starting at the first incident
        major = g[g.severity.isin(history.major)]
        uptime = 100 * (1 - _downtime(major, seen_lo, seen_hi) / seen) if seen > 0 else None
        ttr = spread(metric("ttr"), g.ttr.to_numpy(dtype=float), np.zeros(len(g), dtype=int), 1) \
            if g.ttr.notna().any() else None
        count = len(g)
        previous = rows[-1] if rows else None
        comparable = previous is not None and not partial and not previous["partial"]
        rows.append({
            "period": str(label), "incidents": count, "partial": partial,
            "coverage": f"{seen / DAY:.0f} of {whole / DAY:.0f} days" if partial else "",
            "change": count - previous["incidents"] if comparable and previous else None,
            "change_pct": 100 * (count - previous["incidents"]) / previous["incidents"]
            if comparable and previous and previous["incidents"] else None,
            "major": [{"severity": s, "count": int((g.severity == s).sum())}
                      for s in history.major],
            "resolved": ttr.n if ttr else 0,
            "mean_ttr": ttr.mean if ttr else None,
            "mean_ttr_ci": [ttr.ci.low, ttr.ci.high] if ttr and ttr.ci else None,
            "p90_ttr": ttr.p90 if ttr else None,
            "mttr_met": None if ttr is None or ttr.mean is None else ttr.mean <= mttr_target,
            "uptime": uptime, "uptime_met": None if uptime is None else uptime >= uptime_target,
            "by_severity": [{"severity": sev, "count": len(s),
                             "mean_ttr": float(s.ttr.mean()) if s.ttr.notna().any() else None,
                             "primary_cause": s.type.value_counts().sort_index().idxmax()}
                            for sev in ladder if len(s := g[g.severity == sev])],
            "categories": [{"type": t, "count": int(n)} for t, n in
                           g.type.value_counts().sort_index().sort_values(
                               ascending=False, kind="stable").head(5).items()],
        })
    return {"title": f"{period.capitalize()} incident report", "period": period,
            "source": history.source, "timezone": tz,
            "covers": [format_instant(cov_lo, tz), format_instant(cov_hi, tz)],
            "covers_known": history.covers_known, "major": list(history.major),
            "mttr_target": mttr_target, "uptime_target": uptime_target, "periods": rows,
            "charts": _period_charts(rows, by_ladder([*history.ladder, *ladder], history.ladder),
                                     h, mttr_target, uptime_target)}


def _period_charts(rows: list[dict[str, Any]], ladder: list[str], h: pd.DataFrame,
                   mttr_target: float, uptime_target: float) -> list[tuple[str, str, charts.Drawn]]:
    names = [r["period"] for r in rows]
    partial = [r["partial"] for r in rows]
    counts = {s: [int(((h.period.astype(str) == p) & (h.severity == s)).sum()) for p in names]
              for s in ladder}  # every level of the ladder, so colours match across reports
    return [
        ("incidents", "Incidents per period by severity; partial periods labelled",
         charts.Drawn(lambda: charts.period_counts(names, counts, partial))),
        ("ttr", f"Time to resolve per period against the {format_duration(mttr_target)} target "
                "for the mean; missed periods crossed and labelled",
         charts.Drawn(lambda: charts.period_trend(
             names, {"mean": [r["mean_ttr"] for r in rows], "p90": [r["p90_ttr"] for r in rows]},
             mttr_target, [r["mttr_met"] is False for r in rows], "Time to resolve",
             "duration"))),
        ("uptime", f"Uptime per period against the {uptime_target:g}% target; missed periods "
                   "crossed and labelled",
         charts.Drawn(lambda: charts.period_trend(
             names, {"uptime": [r["uptime"] for r in rows]}, uptime_target,
             [r["uptime_met"] is False for r in rows],
             "Uptime (time no major incident was unmitigated)", "percent"))),
    ]


def incident_report(folder: str | Path, incident: int, replication: int = 0,
                    timezone: str | None = None) -> dict[str, Any]:
    """A post-mortem skeleton for one simulated incident of a results folder, with times on the
    organisation's clock (or `timezone`'s) and cost in its currency."""
    path = Path(folder)
    inc = _read_table(path, "incidents")
    row = inc[(inc.replication == replication) & (inc.incident == incident)]
    if row.empty:
        raise _problem(str(path), "incident", f"no incident {incident} in replication {replication}")
    r = row.iloc[0]
    events = _read_table(path, "events")
    deadlines = _read_table(path, "deadlines")
    owed = deadlines[(deadlines.replication == replication) & (deadlines.incident == incident)]
    manifest = _manifest(path)
    org = manifest.get("organisation", {})
    tz = _check_zone(timezone) if timezone else org.get("timezone", "UTC")
    currency = org.get("currency", "USD")
    timeline = incident_timeline(events, replication, incident, tz, currency)

    def minutes(a: str, b: str) -> float | None:
        value = r[f"{a}_at"] - r[f"{b}_at"]
        return None if pd.isna(value) else float(value)

    start = r["started_at"]
    return {
        "title": f"Incident report: {r['type']} ({r['severity']})",
        "scenario": manifest.get("scenario", ""),
        "timezone": tz,
        "zone_known": bool(timezone or org.get("timezone")),
        "incident": {"id": int(incident), "replication": int(replication), "type": r["type"],
                     "severity": r["severity"], "initial_severity": r["initial_severity"],
                     "started": format_instant(r["started_time"], tz),
                     "detected_by": r["detected_by"],
                     "acknowledged_by": r["acknowledged_by"], "escalations": int(r["escalations"]),
                     "cost": format_money(float(r["cost"]), currency),
                     "data_loss": float(r["data_loss_minutes"]),
                     **{m.key: minutes(m.end, m.start) for m in METRICS}},
        "timeline": timeline,
        "deadlines": [{"name": d.deadline, "occurrence": int(d.occurrence),
                       "due": format_instant(d.due_time, tz), "due_after": d.due_at - start,
                       "done_after": None if pd.isna(d.done_at) else float(d.done_at) - start,
                       "status": d.status} for d in owed.itertuples()],
        "charts": [("timeline", "Timeline: time since the impact started",
                    charts.Drawn(lambda: gantt(r, timeline, owed, tz)))],
    }
