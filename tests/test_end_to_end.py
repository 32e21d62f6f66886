"""The whole path a user takes: a bundled scenario through the CLI to a summary and records."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from drillsim.drills.cli import cli
from drillsim.scenarios.loader import bundled, load
from drillsim.scenarios.measures import METRICS
from drillsim.sim import runner
from drillsim.sim.runner import replicate


def run_json(*args: str) -> dict:
    result = CliRunner().invoke(cli, ["run", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_bundled_scenario_runs_and_reports_all_four_metrics() -> None:
    scenarios = [name for name, kind, _ in bundled() if kind == "scenario"]
    assert "demo" in scenarios
    for name in scenarios:
        summary = run_json(name, "--reps", "2", "--workers", "1")
        assert summary["scenario"] == load(name).scenario.name
        assert summary["incidents"] > 0
        for m in METRICS:
            stats = summary["metrics"][m.name]
            lo, hi = stats["ci95"]
            assert lo <= stats["mean"] <= hi
            assert stats["p50"] <= stats["p90"] <= stats["p99"]


def test_time_to_resolve_is_never_shorter_than_time_to_mitigate() -> None:
    incidents = replicate(load("demo"), 2, seed=3, workers=1).records.incidents
    done = incidents.dropna(subset=["resolved_at"])
    assert len(done) > 50
    assert (done["resolved_at"] >= done["mitigated_at"]).all()
    assert (done["mitigated_at"] >= done["started_at"]).all()
    assert (done["acknowledged_at"] >= done["detected_at"]).all()
    assert (done["detected_at"] >= done["started_at"]).all()


def test_same_seed_gives_identical_records_for_any_number_of_workers() -> None:
    bundle = load("demo")
    one = replicate(bundle, 4, seed=11, workers=1).records
    again = replicate(bundle, 4, seed=11, workers=1).records
    two = replicate(bundle, 4, seed=11, workers=2).records
    for name in ("events", "incidents", "responders", "deadlines", "mobilisations"):
        assert getattr(one, name).equals(getattr(again, name)), name
        assert getattr(one, name).equals(getattr(two, name)), name
    # enough replications that each worker takes them in batches
    batched = replicate(bundle, 16, seed=11, workers=2).records
    serial = replicate(bundle, 16, seed=11, workers=1).records
    for name in ("events", "incidents", "responders", "deadlines", "mobilisations"):
        assert getattr(batched, name).equals(getattr(serial, name)), name
    other = replicate(bundle, 4, seed=12, workers=1).records
    assert not one.incidents.equals(other.incidents)


def test_results_folder_holds_records_and_a_manifest(tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = CliRunner().invoke(cli, ["run", "demo", "--reps", "2", "--workers", "1",
                                      "--seed", "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5 and manifest["replications"] == 2
    assert all(len(digest) == 64 for digest in manifest["inputs"].values())
    for table in manifest["tables"].values():
        assert (out / table).stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == ["results"]  # no staging folder left behind


def tables(folder: Path) -> dict[str, pd.DataFrame]:
    manifest = json.loads((folder / "manifest.json").read_text())
    return {name: pd.read_parquet(folder / file) for name, file in manifest["tables"].items()}


@pytest.mark.parametrize(("scenario", "chunk"), [("demo", 3), ("database-failover-drill", 2),
                                                 ("quarter-three-tier-teams", 5)])
def test_out_written_a_chunk_at_a_time_is_the_folder_written_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: str, chunk: int) -> None:
    """`--out` and `--report` take the records chunk by chunk and keep none; without pyarrow
    the run keeps them all and writes the folder and the report at the end. The tables read
    back the same (a drill's span too), and the reports are the same to the byte."""
    monkeypatch.setattr(runner, "CHUNK", chunk)
    args = ["run", scenario, "--reps", "7", "--workers", "2", "--seed", "5", "--format", "json"]
    streamed, kept = tmp_path / "streamed", tmp_path / "kept"
    for kind in ("md", "html"):
        assert CliRunner().invoke(cli, [*args, "--out", str(streamed), "--force", "--report",
                                        str(tmp_path / f"streamed.{kind}")]).exit_code == 0
    assert CliRunner().invoke(cli, [*args, "--report", str(tmp_path / "alone.md")]).exit_code == 0
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *rest: None if name == "pyarrow" else find_spec(name, *rest))
    for kind in ("md", "html"):
        assert CliRunner().invoke(cli, [*args, "--out", str(kept), "--force", "--report",
                                        str(tmp_path / f"kept.{kind}")]).exit_code == 0
        assert (tmp_path / f"streamed.{kind}").read_text() == (
            tmp_path / f"kept.{kind}").read_text()
    assert (tmp_path / "alone.md").read_text() == (tmp_path / "kept.md").read_text()
    one, other = tables(streamed), tables(kept)
    assert set(one) == {"events", "incidents", "deadlines", "responders", "mobilisations"}
    for name, frame in one.items():
        pd.testing.assert_frame_equal(frame, other[name], obj=name)
    assert len(one["events"]) > 7 and set(one["incidents"]["replication"]) == set(range(7))
    manifests = [json.loads((f / "manifest.json").read_text()) for f in (streamed, kept)]
    stripped = [{k: v for k, v in m.items() if k not in ("started", "command")}
                for m in manifests]
    assert stripped[0] == stripped[1]  # summary, span covered, inputs, tables
    written = sorted(p.name for p in streamed.iterdir())
    assert written == sorted([*manifests[0]["tables"].values(), "manifest.json"])  # no parts


def test_an_interrupted_streamed_run_leaves_nothing_behind(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from drillsim.drills import output

    monkeypatch.setattr(runner, "CHUNK", 2)
    calls = []

    def interrupted(self: output.TableParts, records: object) -> None:
        calls.append(records)
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(output.TableParts, "add", interrupted)
    result = CliRunner().invoke(cli, ["run", "demo", "--reps", "6", "--workers", "1",
                                      "--out", str(tmp_path / "results")])
    assert result.exit_code != 0 and len(calls) == 2
    assert list(tmp_path.iterdir()) == []  # neither the folder nor its staging


def test_a_run_without_its_event_log_has_the_same_records_and_summary() -> None:
    from drillsim.sim.summary import as_json, run_summary

    bundle = load("demo")
    full = replicate(bundle, 3, seed=5, workers=1)
    lean = replicate(bundle, 3, seed=5, workers=1, events=False)
    assert len(full.records.events) > 100 and len(lean.records.events) == 0
    for name in ("incidents", "responders", "deadlines", "mobilisations"):
        assert getattr(full.records, name).equals(getattr(lean.records, name)), name
    assert as_json(run_summary(full)) == as_json(run_summary(lean))


def test_a_run_without_records_summarises_the_same_on_any_number_of_workers() -> None:
    """Without records only the compact per-replication results travel back: the summary, the
    on-call load and the per-replication means are those of the full records."""
    import numpy as np

    from drillsim.sim.metrics import durations, responder_load
    from drillsim.sim.summary import as_json, run_summary

    for name, reps in (("demo", 5), ("database-failover-drill", 12)):
        bundle = load(name)
        full = replicate(bundle, reps, seed=4, workers=1)
        lean = [replicate(bundle, reps, seed=4, workers=w, records=False) for w in (1, 2)]
        expected = json.dumps(as_json(run_summary(full)))
        assert [json.dumps(as_json(run_summary(run))) for run in lean] == [expected] * 2, name
        load_full = responder_load(full.records.responders)
        for run in lean:
            assert run.kept is None
            load_lean = run.tally.responder_load()
            assert list(load_lean.index) == list(load_full.index)
            assert list(load_lean.columns) == list(load_full.columns)  # means and intervals
            assert "pages_low" in load_full and not load_full.isna().any().any()
            assert np.allclose(load_lean.to_numpy(), load_full.to_numpy(), rtol=1e-12, atol=0)
            columns = [m.name for m in METRICS]
            means = durations(full.records.incidents).groupby("replication")[columns].mean()
            got = run.tally.metric_means()
            assert list(got.index) == list(range(reps))
            assert np.allclose(got.loc[means.index].to_numpy(), means.to_numpy(), rtol=1e-12,
                               atol=0, equal_nan=True)


def test_a_worker_imports_no_pandas_scipy_or_matplotlib() -> None:
    """What a spawned worker does (set up, one replication, its compact result) in a fresh
    interpreter: only NumPy of the heavy libraries, so workers start quickly."""
    import subprocess
    import sys

    code = """
import sys
from drillsim.scenarios.loader import load
from drillsim.sim import runner
runner._init_pool_worker(load("demo"))
rep = runner._run_one((7, 0, False, False))
assert rep.incidents > 0 and rep.rows is None
print(sorted(m for m in ("pandas", "scipy", "matplotlib", "pyarrow", "numpy") if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['numpy']"


def test_spawned_workers_give_the_same_summary() -> None:
    import subprocess
    import sys

    code = """
import json, multiprocessing, sys
from drillsim.scenarios.loader import load
from drillsim.sim.runner import replicate
from drillsim.sim.summary import as_json, run_summary
multiprocessing.set_start_method(sys.argv[1])
print(json.dumps(as_json(run_summary(replicate(load("demo"), 6, 3, workers=2, records=False)))))
"""
    outputs = {method: subprocess.run([sys.executable, "-c", code, method], capture_output=True,
                                      text=True, check=True).stdout
               for method in ("spawn", "fork")}
    assert outputs["spawn"] == outputs["fork"]
    assert json.loads(outputs["fork"]) == run_json("demo", "--reps", "6", "--seed", "3",
                                                   "--workers", "1")


def test_a_run_in_which_no_incident_starts_says_so(tmp_path: Path) -> None:
    """A rate too low for the horizon: the run says there is nothing to measure, and the
    reports and the results folder are still written, not a traceback."""
    scenario = tmp_path / "quiet.yaml"
    scenario.write_text(yaml.safe_dump({
        "name": "quiet", "start": "2026-01-05T00:00", "org": "demo-org",
        "workload": {"horizon": "1d", "types": [{
            "type": "rare", "rate": "1/1000d", "severity_mix": {"P2": 1},
            "signals": [{"channel": "alert", "delay": "5m"}],
            "phases": [{"name": "fix", "duration": "30m", "mitigates": True}]}]}}),
        encoding="utf-8")
    for kind in ("md", "html"):
        result = CliRunner().invoke(cli, ["run", str(scenario), "--reps", "3", "--workers", "1",
                                          "--out", str(tmp_path / f"out-{kind}"),
                                          "--report", str(tmp_path / f"quiet.{kind}")])
        assert result.exit_code == 0, result.output
        assert "0 incidents over 3 replications" in result.output
        assert "nothing to measure" in " ".join(result.output.split())
        assert "nothing to measure" in (tmp_path / f"quiet.{kind}").read_text(encoding="utf-8")
    assert tables(tmp_path / "out-md")["incidents"].empty
