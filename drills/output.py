"""Writing a run's results folder: the record tables and a manifest of what made them.

A results folder is recognised by its manifest. drillsim writes into a new or empty folder,
or replaces an earlier run's files with `--force`; it never deletes a file it did not write."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drillsim.reports.files import staged_folder
from drillsim.scenarios.document import source_name
from drillsim.scenarios.errors import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

    from drillsim.sim.records import Records
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


def _context(run: Run, last_event: float) -> dict[str, Any]:
    """What a report of these records needs to know of the organisation, and the stretch of time
    the records cover (a workload's horizon; a drill's first to last event)."""
    import pandas as pd

    org, scenario = run.bundle.org, run.bundle.scenario
    start = pd.Timestamp(scenario.start_instant())
    span = scenario.workload.horizon if scenario.workload is not None else last_event
    return {"organisation": {"name": org.name, "timezone": org.timezone, "currency": org.currency,
                             "severities": list(org.severities)},
            "covers": [start.isoformat(), (start + pd.Timedelta(minutes=span)).isoformat()]}


@dataclass(frozen=True)
class Manifest:
    """What the manifest records of how a results folder was made, besides its tables."""

    version: str
    command: list[str]
    summary: dict[str, Any]
    started: dt.datetime
    workers: int

    def write(self, staging: Path, run: Run, tables: dict[str, str], last_event: float) -> None:
        manifest = {
            "drillsim": self.version,
            "command": self.command,
            "started": self.started.isoformat(),
            "scenario": run.bundle.scenario.name,
            "inputs": {source_name(Path(src)): sha256(src) for src in run.bundle.sources},
            "seed": run.seed,
            "replications": run.replications,
            "workers": self.workers,
            "versions": {"python": platform.python_version(),
                         **{name: package_version(name) for name in ("simpy", "numpy", "pandas")}},
            "tables": tables,
            **_context(run, last_event),
            "summary": self.summary,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def write_results(run: Run, folder: str | Path, manifest: Manifest, replaces: list[str]) -> Path:
    """Write events, incidents, deadlines and responders (Parquet, or CSV without pyarrow) and
    `manifest.json` into `folder`: a new folder appears whole; in an existing one the files of
    `replaces` (see earlier_results) give way to the new ones and the manifest comes last."""
    with staged_folder(folder, replaces, last=MANIFEST) as staging:
        records = run.records
        tables = {name: _table(getattr(records, name), staging, name) for name in TABLES}
        manifest.write(staging, run, tables, float(records.events["at"].max()))
    return Path(folder)


class TableParts:
    """The record tables of a run written whole replications at a time, so a run with `--out`
    keeps no records: each chunk becomes a part file in the staging folder, and at the end the
    parts join into one Parquet file per table, the same as written at once (a column that is
    empty in one chunk takes its type from the others)."""

    def __init__(self, staging: Path) -> None:
        self.staging = staging
        self.parts: dict[str, list[Path]] = {name: [] for name in TABLES}
        self.last_event = 0.0

    def add(self, records: Records) -> None:
        k = len(self.parts["events"])
        for name in TABLES:
            path = self.staging / f".{name}.{k:06d}.parquet"
            getattr(records, name).to_parquet(path, index=False)
            self.parts[name].append(path)
        if len(records.events):
            self.last_event = max(self.last_event, float(records.events["at"].max()))

    def finish(self, run: Run, manifest: Manifest) -> None:
        """Join the parts and write the manifest."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        tables = {}
        for name, parts in self.parts.items():
            schema = pa.unify_schemas([pq.read_schema(p) for p in parts],
                                      promote_options="permissive")
            with pq.ParquetWriter(self.staging / f"{name}.parquet", schema) as writer:
                for part in parts:
                    writer.write_table(pq.read_table(part).cast(schema))
                    part.unlink()
            tables[name] = f"{name}.parquet"
        manifest.write(self.staging, run, tables, self.last_event)


@contextmanager
def results_in_parts(folder: str | Path, replaces: list[str]) -> Iterator[TableParts]:
    """`write_results` for a run still to come: hand `add` to the run as its chunks, then
    `finish`; the folder appears (or its files are replaced) only if the block completes."""
    with staged_folder(folder, replaces, last=MANIFEST) as staging:
        yield TableParts(staging)
