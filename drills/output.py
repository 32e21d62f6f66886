"""Writing a run's results folder: the three record tables and a manifest of what made them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd

from drillsim.reports.files import staged_folder
from drillsim.sim.runner import Run


def _table(frame: pd.DataFrame, folder: Path, name: str) -> str:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        frame.to_csv(folder / f"{name}.csv", index=False)
        return f"{name}.csv"
    frame.to_parquet(folder / f"{name}.parquet", index=False)
    return f"{name}.parquet"


def sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _context(run: Run) -> dict[str, Any]:
    """What a report of these records needs to know of the organisation, and the stretch of time
    the records cover (a workload's horizon; a drill's first to last event)."""
    org, scenario = run.bundle.org, run.bundle.scenario
    start = pd.Timestamp(scenario.start_instant())
    span = scenario.workload.horizon if scenario.workload is not None \
        else float(run.records.events["at"].max())
    return {"organisation": {"name": org.name, "timezone": org.timezone, "currency": org.currency,
                             "severities": list(org.severities)},
            "covers": [start.isoformat(), (start + pd.Timedelta(minutes=span)).isoformat()]}


def write_results(run: Run, folder: str | Path, version: str, command: list[str],
                  summary: dict[str, Any]) -> Path:
    """Write events, incidents and responders (Parquet, or CSV without pyarrow) and
    `manifest.json` into `folder`, replacing it whole or not at all."""
    with staged_folder(folder) as staging:
        records = run.records
        tables = {name: _table(getattr(records, name), staging, name)
                  for name in ("events", "incidents", "deadlines", "responders",
                               "mobilisations")}
        manifest = {
            "drillsim": version,
            "command": command,
            "scenario": run.bundle.scenario.name,
            "inputs": {src: sha256(src) for src in run.bundle.sources},
            "seed": run.seed,
            "replications": run.replications,
            "tables": tables,
            **_context(run),
            "summary": summary,
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n",
                                               encoding="utf-8")
    return Path(folder)
