"""Writing a run's results folder: the record tables and a manifest of what made them.

A results folder is recognised by its manifest. drillsim writes into a new or empty folder,
or replaces an earlier run's files with `--force`; it never deletes a file it did not write."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from collections.abc import Callable
from importlib.metadata import version as package_version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drillsim.reports.files import staged_folder
from drillsim.scenarios.document import source_name
from drillsim.scenarios.errors import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

    from drillsim.sim.runner import Run

TABLES = ("events", "incidents", "deadlines", "responders", "mobilisations")
MANIFEST = "manifest.json"
_OWN = {f"{name}{suffix}" for name in TABLES for suffix in (".parquet", ".csv")}


def replaced_by_writing(folder: str | Path, force: bool, listed: Callable[[Any], list[str]],
                       foreign: str, earlier: str) -> list[str]:
    """The files of an earlier drillsim output in `folder` (named by `listed` from its manifest)
    that writing there replaces. Refuses a folder holding anything else (`foreign`), and an
    earlier output without `force` (`earlier`)."""
    target = Path(folder)
    if not target.exists():
        return []
    if not target.is_dir():
        raise InputError([Problem(str(folder), None, "", "exists and is not a folder")])
    if not any(target.iterdir()):
        return []
    try:
        files = listed(json.loads((target / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        raise InputError([Problem(str(folder), None, "", foreign)]) from None
    if not force:
        raise InputError([Problem(str(folder), None, "", earlier)])
    return [MANIFEST, *files]


def earlier_results(folder: str | Path, force: bool) -> list[str]:
    """The files of an earlier run in `folder` that writing results there replaces."""
    return replaced_by_writing(
        folder, force, lambda manifest: [n for n in manifest["tables"].values() if n in _OWN],
        "is not empty and holds no drillsim results (no manifest.json); choose a new or "
        "empty folder for --out",
        "holds the results of an earlier run; pass --force to replace them (other files "
        "there are kept)")


def _table(frame: pd.DataFrame, folder: Path, name: str) -> str:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        frame.to_csv(folder / f"{name}.csv", index=False)
        return f"{name}.csv"
    frame.to_parquet(folder / f"{name}.parquet", index=False)
    return f"{name}.parquet"


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _context(run: Run) -> dict[str, Any]:
    """What a report of these records needs to know of the organisation, and the stretch of time
    the records cover (a workload's horizon; a drill's first to last event)."""
    import pandas as pd

    org, scenario = run.bundle.org, run.bundle.scenario
    start = pd.Timestamp(scenario.start_instant())
    span = scenario.workload.horizon if scenario.workload is not None \
        else float(run.records.events["at"].max())
    return {"organisation": {"name": org.name, "timezone": org.timezone, "currency": org.currency,
                             "severities": list(org.severities)},
            "covers": [start.isoformat(), (start + pd.Timedelta(minutes=span)).isoformat()]}


def write_results(run: Run, folder: str | Path, version: str, command: list[str],
                  summary: dict[str, Any], started: dt.datetime, workers: int,
                  replaces: list[str]) -> Path:
    """Write events, incidents, deadlines and responders (Parquet, or CSV without pyarrow) and
    `manifest.json` into `folder`: a new folder appears whole; in an existing one the files of
    `replaces` (see earlier_results) give way to the new ones and the manifest comes last."""
    with staged_folder(folder, replaces, last=MANIFEST) as staging:
        records = run.records
        tables = {name: _table(getattr(records, name), staging, name) for name in TABLES}
        manifest = {
            "drillsim": version,
            "command": command,
            "started": started.isoformat(),
            "scenario": run.bundle.scenario.name,
            "inputs": {source_name(Path(src)): sha256(src) for src in run.bundle.sources},
            "seed": run.seed,
            "replications": run.replications,
            "workers": workers,
            "versions": {"python": platform.python_version(),
                         **{name: package_version(name) for name in ("simpy", "numpy", "pandas")}},
            "tables": tables,
            **_context(run),
            "summary": summary,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return Path(folder)
