"""`drillsim whatif` and `drillsim compare`: build the variants, run the sweep into its results
folder (resumable), and show the comparison.

A results folder holds `manifest.json` (written first, so an interrupted sweep's folder is
recognised), one small JSON file per finished point under `points/` while the sweep runs (each
written atomically, so a kill loses at most the points in flight), and at the end
`results.parquet` (one row per variant x replication: parameter and scorecard columns),
`summary.parquet` (per variant and column: mean, interval, paired difference, verdict); the
point files are then removed. Running the same sweep into the folder again resumes it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drillsim.reports.files import write_text, write_with
from drillsim.scenarios.errors import InputError, Problem
from drillsim.scenarios.experiment import Variant

if TYPE_CHECKING:
    import pandas as pd

    from drillsim.scenarios.scenario import Bundle
    from drillsim.sim.executors import Executor

MANIFEST, POINTS, RESULTS, SUMMARY = "manifest.json", "points", "results.parquet", "summary.parquet"
KIND = "whatif"
_POINT = re.compile(r"^(\d+)-(\d+)\.json$")
_PARTIAL = re.compile(r"^\.\d+-\d+\.json\.")  # a point being written when the sweep stopped


def fingerprint(bundles: Sequence[Bundle], variants: Sequence[Variant], seed: int) -> str:
    """What a sweep's points depend on: every variant's validated inputs, its name, the seed."""
    digest = hashlib.sha256(str(seed).encode())
    for bundle, variant in zip(bundles, variants, strict=True):
        digest.update(variant.name.encode() + b"\0" + bundle.model_dump_json().encode())
    return digest.hexdigest()


@dataclass
class Folder:
    """A what-if results folder: new, or one of ours to resume (or, with force, to redo)."""

    path: Path
    fingerprint: str

    @classmethod
    def open(cls, path: str | Path, fingerprint: str, force: bool) -> Folder:
        """Check the folder before anything runs: refuse one drillsim did not write, and a
        different sweep's without `force`."""
        target = Path(path)
        if target.exists() and not target.is_dir():
            raise InputError([Problem(str(path), None, "", "exists and is not a folder")])
        folder = cls(target, fingerprint)
        if not target.exists() or not any(target.iterdir()):
            return folder
        manifest = folder.manifest()
        if manifest is None or manifest.get("kind") != KIND:
            what = "no what-if manifest.json" if manifest is None else "another command's results"
            raise InputError([Problem(str(path), None, "", (
                f"is not empty and holds {what}; choose a new or empty folder for --out"))])
        if manifest.get("fingerprint") != fingerprint:
            if not force:
                raise InputError([Problem(str(path), None, "", (
                    "holds another sweep (other inputs, variants or seed); choose another folder, "
                    "or pass --force to replace its results (other files there are kept)"))])
            folder.clear()
        return folder

    def manifest(self) -> dict[str, Any] | None:
        try:
            data = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def clear(self) -> None:
        """Remove what an earlier sweep wrote here, and nothing else."""
        for name in (RESULTS, SUMMARY, MANIFEST):
            (self.path / name).unlink(missing_ok=True)
        self._remove_points()

    def _remove_points(self) -> None:
        points = self.path / POINTS
        if points.is_dir():
            for file in points.iterdir():
                if _POINT.match(file.name) or _PARTIAL.match(file.name):
                    file.unlink()
            if not any(points.iterdir()):
                points.rmdir()

    def done(self, replications: int) -> dict[tuple[int, int], dict[str, Any]]:
        """The points already finished (from an earlier complete run and from point files)."""
        found: dict[tuple[int, int], dict[str, Any]] = {}
        if (self.path / RESULTS).is_file():
            import pandas as pd

            frame = pd.read_parquet(self.path / RESULTS)
            cards = frame.drop(columns=[c for c in frame.columns if c.startswith("param:")
                                        or c in ("variant", "variant_index", "replication")])
            for v, r, card in zip(frame["variant_index"], frame["replication"],
                                  cards.to_dict("records"), strict=True):
                found[(int(v), int(r))] = card
        points = self.path / POINTS
        if points.is_dir():
            for file in points.iterdir():
                match = _POINT.match(file.name)
                if match:
                    try:
                        row = json.loads(file.read_text(encoding="utf-8"))
                    except ValueError:
                        continue  # unreadable: run the point again
                    found[(int(match[1]), int(match[2]))] = row
        return {k: v for k, v in found.items() if k[1] < replications}

    def write_point(self, point: tuple[int, int], row: dict[str, Any]) -> None:
        write_text(self.path / POINTS / f"{point[0]:04d}-{point[1]:07d}.json", json.dumps(row))

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        write_text(self.path / MANIFEST, json.dumps(manifest, indent=2) + "\n")

    def finish(self, results: pd.DataFrame, summary: pd.DataFrame, manifest: dict[str, Any]) -> None:
        """Write the frames, then the manifest saying they are complete, then drop the points."""
        write_with(self.path / RESULTS, lambda p: results.to_parquet(p, index=False))
        write_with(self.path / SUMMARY, lambda p: summary.to_parquet(p, index=False))
        self.write_manifest(manifest)
        self._remove_points()


def tidy(points: dict[tuple[int, int], dict[str, Any]], variants: Sequence[Variant]) -> pd.DataFrame:
    """One row per variant x replication, sorted: variant, its parameters, replication, scorecard."""
    import pandas as pd

    params = list(dict.fromkeys(path for v in variants for path in v.params))
    rows = []
    for (v, r), card in sorted(points.items()):
        variant = variants[v]
        rows.append({"variant": variant.name, "variant_index": v,
                     **{f"param:{p}": variant.params.get(p) for p in params},
                     "replication": r, **card})
    frame = pd.DataFrame(rows, columns=None if rows else [
        "variant", "variant_index", *(f"param:{p}" for p in params), "replication"])
    for p in params:
        frame[f"param:{p}"] = frame[f"param:{p}"].astype("string")
    return frame


def run(bundles: Sequence[Bundle], variants: Sequence[Variant], replications: int, seed: int,
        executor: Executor, folder: Folder | None, progress: Callable[[int], None],
        manifest: dict[str, Any]) -> tuple[pd.DataFrame, list[str]]:
    """Run every point not yet in `folder`, writing each as it finishes; the tidy results and
    the errors of points that failed."""
    from drillsim.sim.sweep import Sweep, run_sweep

    done = folder.done(replications) if folder is not None else {}
    if folder is not None:
        folder.write_manifest({**manifest, "complete": False})
    progress(len(done))
    sweep = Sweep.of(bundles, seed)
    for point, row in run_sweep(sweep, replications, executor, done):
        if folder is not None and "error" not in row:
            folder.write_point(point, row)
        done[point] = row
        progress(len(done))
    errors = [f"{variants[v].name}, replication {r}: {row['error']}"
              for (v, r), row in sorted(done.items()) if "error" in row]
    cards = {k: v for k, v in done.items() if "error" not in v}
    return tidy(cards, variants), errors


def as_json(report: dict[str, Any], scenario: str, seed: int,
            variants: Sequence[Variant]) -> dict[str, Any]:
    """The comparison as JSON: every variant's parameters, and each measure shown with every
    variant's mean and paired difference from the baseline (summary.parquet has them all)."""
    def number(x: Any) -> Any:
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 4)

    return {
        "scenario": scenario, "seed": seed, "replications": report["replications"],
        "baseline": report["baseline"], "ci_level": 0.95,
        "variants": [{"name": v.name, "params": v.params} for v in variants],
        "measures": [{"column": row["column"], "label": row["label"], "kind": row["kind"],
                      "best": row["best"],
                      "variants": {c["variant"]: {
                          "mean": number(c["value"]), "n": c["n"],
                          "difference": number(c["difference"]),
                          "ci95": None if c["ci95"] is None else [number(x) for x in c["ci95"]],
                          "verdict": c["verdict"]} for c in row["cells"]}}
                     for row in report["rows"]],
    }


def base_manifest(version: str, command: list[str], scenario: str, sources: Sequence[str],
                  variants: Sequence[Variant], seed: int, replications: int, print_: str,
                  executor: str, workers: int) -> dict[str, Any]:
    from drillsim.drills.output import sha256
    from drillsim.scenarios.document import source_name

    return {"drillsim": version, "kind": KIND, "command": command,
            "started": dt.datetime.now().astimezone().isoformat(), "scenario": scenario,
            "inputs": {source_name(Path(s)): sha256(s) for s in sources},
            "fingerprint": print_, "seed": seed, "replications": replications,
            "executor": executor, "workers": workers,
            "variants": [{"name": v.name, "set": {o.path: o.value for o in v.overrides}}
                         for v in variants],
            "tables": {"results": RESULTS, "summary": SUMMARY}}



VERDICT_MARKS = {"better": "[green]better[/]", "worse": "[red]worse[/]"}


def print_table(console: Any, report: dict[str, Any], scenario: str, seed: int) -> None:
    """The comparison as a rich table: a row per measure, a column per variant; under each
    variant's value its paired difference from the baseline, interval and verdict; the best
    variant of each row in bold."""
    from rich.markup import escape
    from rich.table import Table

    baseline = report["baseline"]
    console.print(f"[bold]{escape(scenario)}[/]: {len(report['variants'])} variants × "
                  f"{report['replications']} replications (seed {seed}), against "
                  f"[bold]{escape(baseline)}[/]")
    table = Table(show_lines=True)
    table.add_column("measure (mean over replications)", no_wrap=True)
    for name in report["variants"]:
        table.add_column(escape(name), justify="right")
    for row in report["rows"]:
        cells = []
        for c in row["cells"]:
            value = escape(c["text"])
            if row["best"] == c["variant"]:
                value = f"[bold green]{value} ★[/]"
            if c["variant"] != baseline:
                verdict = VERDICT_MARKS.get(c["verdict"], c["verdict"])
                if c["verdict"] == "no detectable difference":
                    verdict = "no detectable diff."
                value += (f"\n{escape(c['difference_text'])}\n({escape(c['ci_text'])})"
                          f"\n{verdict}")
            cells.append(value)
        table.add_row(escape(row["label"]), *cells)
    console.print(table)
    console.print("★ best in the row. Under each value: the paired difference from "
                  f"{escape(baseline)} and its 95% CI over replications; \"no detectable diff.\" "
                  f"means {report['replications']} replications cannot tell it from zero.")


@dataclass(frozen=True)
class Options:
    """What the whatif and compare commands were asked for, past the variants."""

    replications: int
    seed: int
    workers: int | None
    scheduler: str | None
    dask_local: bool
    out: str | None
    force: bool
    fmt: str
    report: str | None
    metrics: tuple[str, ...]
    stats: tuple[str, ...]
    severities: tuple[str, ...]
    command: list[str]


def execute(bundles: Sequence[Bundle], variants: Sequence[Variant], options: Options) -> int:
    """Run a sweep of `variants` (baseline first) and show or write its comparison; the exit
    status (1 when some points failed)."""
    from importlib.metadata import version

    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from drillsim.reports.data import columns_for, comparison, summary_frame
    from drillsim.reports.render import format_of
    from drillsim.sim.executors import executor
    from drillsim.sim.runner import default_workers

    if options.report:
        format_of(options.report)
    ladder = list(bundles[0].org.severities)
    unknown = [s for s in options.severities if s not in ladder]
    if unknown:
        raise InputError([Problem("--severity", None, s, f"not on the organisation's ladder "
                                  f"({', '.join(ladder)})") for s in unknown])
    seed, reps = options.seed, options.replications
    print_ = fingerprint(bundles, variants, seed)
    folder = Folder.open(options.out, print_, options.force) if options.out else None
    points = len(variants) * reps
    workers = min(options.workers or default_workers(), points)
    scenario = bundles[0].scenario.name
    err = Console(stderr=True)
    with executor(workers, options.scheduler, options.dask_local) as pool, Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=err, transient=True,
            disable=options.fmt == "json" or not err.is_terminal) as progress:
        task = progress.add_task(f"what-if {escape(scenario)}", total=points)
        manifest = base_manifest(version("drillsim"), options.command, scenario,
                                 sorted({s for b in bundles for s in b.sources}), variants, seed,
                                 reps, print_, pool.name, pool.workers)
        results, errors = run(bundles, variants, reps, seed, pool, folder,
                              lambda done: progress.update(task, completed=done), manifest)
    if results.empty or results["variant_index"].nunique() < len(variants):
        for error in errors:
            err.print(f"error: {escape(error)}")
        err.print("error: some variants have no finished replication; nothing to compare")
        return 1
    baseline = variants[0].name
    summary = summary_frame(results.drop(columns=[c for c in results.columns
                                                  if c.startswith("param:")]), baseline)
    title = f"What-if: {scenario} against {baseline}"
    currency = bundles[0].org.currency
    # the table shows all severities together (and those asked for); JSON and reports each one
    shown = [None, *options.severities] if options.fmt == "table" else [None, *ladder]
    report = comparison(results, baseline, columns_for(results, options.metrics, options.stats,
                                                       shown), currency, title, chart=False)
    if folder is not None:
        folder.finish(results, summary, {**manifest, "complete": not errors, "errors": errors})
    if options.report:
        from drillsim.reports.render import write_report

        write_report(options.report, "comparison", comparison(
            results, baseline, columns_for(results, options.metrics, options.stats,
                                           [None, *ladder]), currency, title))
    if options.fmt == "json":
        print(json.dumps({**as_json(report, scenario, seed, variants),
                          "errors": errors}, indent=2))
    else:
        console = Console()
        print_table(console, report, scenario, seed)
        if folder is not None:
            console.print(f"Results and manifest written to [bold]{escape(str(folder.path))}[/]")
        if options.report:
            console.print(f"Report written to [bold]{escape(options.report)}[/]")
    for error in errors:
        err.print(f"error: {escape(error)}")
    return 1 if errors else 0
