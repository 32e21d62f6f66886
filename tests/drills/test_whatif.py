"""`drillsim whatif` and `drillsim compare`: clear errors before anything runs, the results
folder (Parquet + manifest), resuming an interrupted or killed sweep without redoing or
corrupting finished points, JSON, the table and the report."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from drillsim.drills import whatif
from drillsim.drills.cli import cli
from tests.sim.test_sweep import SMALL

VARY = ("--vary", "escalation_delay=2m,30m")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), terminal_width=120)


@pytest.fixture
def small(write) -> str:
    return str(write("small.yaml", SMALL))


def test_a_sweep_writes_tidy_results_a_summary_and_a_manifest(small, tmp_path):
    out = tmp_path / "sweep"
    result = invoke("whatif", small, *VARY, "--reps", "4", "--seed", "3", "--workers", "1",
                    "--out", str(out), "--format", "json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert [v["name"] for v in shown["variants"]] == ["baseline", "escalation_delay=2m",
                                                      "escalation_delay=30m"]
    assert sorted(os.listdir(out)) == ["manifest.json", "results.parquet", "summary.parquet"]
    results = pd.read_parquet(out / "results.parquet")
    assert len(results) == 12 and list(results.columns[:4]) == [
        "variant", "variant_index", "param:escalation_delay", "replication"]
    params = results.drop_duplicates("variant")["param:escalation_delay"]
    assert params.fillna("(unchanged)").tolist() == ["(unchanged)", "2m", "30m"]
    assert results[["variant_index", "replication"]].values.tolist() == sorted(
        results[["variant_index", "replication"]].values.tolist())
    summary = pd.read_parquet(out / "summary.parquet")
    row = summary[(summary.variant == "escalation_delay=30m")
                  & (summary.column == "time_to_acknowledge.mean")].iloc[0]
    measure = next(m for m in shown["measures"] if m["column"] == "time_to_acknowledge.mean")
    assert round(row.difference, 4) == measure["variants"]["escalation_delay=30m"]["difference"]
    assert any(m["column"].endswith(".P1") for m in shown["measures"])  # every severity in JSON
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "whatif" and manifest["complete"] is True
    assert manifest["replications"] == 4 and manifest["seed"] == 3
    assert manifest["variants"][1] == {"name": "escalation_delay=2m",
                                       "set": {"escalation_delay": "2m"}}


def test_bad_input_fails_before_anything_runs_and_writes_nothing(small, tmp_path):
    out = tmp_path / "sweep"
    for args, message in [
        (("--vary", "escalation_policies.p.levels[0].delay=2m,soon"),
         "error: --vary: escalation_policies.p.levels[0].delay: soon: expected a duration"),
        (("--vary", "rotations.primry.turn=1d"),
         "error: --vary: rotations.primry.turn: no rotation 'primry' (did you mean 'primary'?)"),
        (("--vary", "escalation_delay=1m,2m", "--vary", "turn=1d", "--zip"),
         "error: --zip: every --vary needs as many values"),
        ((), "error: --vary: give at least one --vary"),
        (("--vary", "turn=1d", "--severity", "P7"), "error: --severity: P7: not on the "
         "organisation's ladder (P1, P2)"),
    ]:
        result = invoke("whatif", small, *args, "--reps", "2", "--out", str(out))
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(message), result.stderr
        assert "Traceback" not in result.output and not out.exists()


def test_the_folder_must_be_new_empty_or_this_sweeps(small, tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine")
    result = invoke("whatif", small, *VARY, "--reps", "2", "--out", str(theirs))
    assert result.exit_code == 2 and "holds no what-if manifest.json" in result.stderr
    assert os.listdir(theirs) == ["notes.txt"]
    out = tmp_path / "sweep"
    assert invoke("whatif", small, *VARY, "--reps", "2", "--workers", "1",
                  "--out", str(out)).exit_code == 0
    (out / "notes.txt").write_text("mine")
    other = invoke("whatif", small, *VARY, "--reps", "2", "--seed", "9", "--out", str(out))
    assert other.exit_code == 2 and "holds another sweep" in other.stderr
    forced = invoke("whatif", small, *VARY, "--reps", "2", "--seed", "9", "--workers", "1",
                    "--out", str(out), "--force")
    assert forced.exit_code == 0 and (out / "notes.txt").read_text() == "mine"


def fresh(small: str, tmp_path: Path, reps: int) -> pd.DataFrame:
    out = tmp_path / f"fresh-{reps}"
    assert invoke("whatif", small, *VARY, "--reps", str(reps), "--seed", "4", "--workers", "1",
                  "--out", str(out)).exit_code == 0
    return pd.read_parquet(out / "results.parquet")


def test_an_interrupted_sweep_resumes_without_redoing_finished_points(small, tmp_path,
                                                                       monkeypatch):
    out = tmp_path / "sweep"
    ran: list[tuple[int, int]] = []
    resumed: list[bool] = []
    real = whatif.Folder.write_point

    def write_point(self, point, row):
        real(self, point, row)
        ran.append(point)
        if len(ran) == 7 and not resumed:
            raise KeyboardInterrupt

    monkeypatch.setattr(whatif.Folder, "write_point", write_point)
    args = ("whatif", small, *VARY, "--reps", "5", "--seed", "4", "--workers", "1",
            "--out", str(out))
    interrupted = invoke(*args)
    assert interrupted.exit_code == 130 and "interrupted" in interrupted.stderr
    assert len(os.listdir(out / "points")) == 7
    assert json.loads((out / "manifest.json").read_text())["complete"] is False
    first = list(ran)
    ran.clear()
    resumed.append(True)
    assert invoke(*args).exit_code == 0
    assert len(ran) == 15 - 7 and not set(ran) & set(first)
    assert not (out / "points").exists()
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"),
                                  fresh(small, tmp_path, 5))
    # more replications later: only the new ones run
    ran.clear()
    assert invoke(*(a if a != "5" else "6" for a in args)).exit_code == 0
    assert sorted(ran) == [(0, 5), (1, 5), (2, 5)]
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"),
                                  fresh(small, tmp_path, 6))


def test_a_killed_sweep_resumes_to_the_same_results(small, tmp_path):
    out = tmp_path / "sweep"
    command = [sys.executable, "-m", "drillsim", "whatif", small, *VARY, "--reps", "20",
               "--seed", "4", "--workers", "2", "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        points = out / "points"  # finished points only: one being written is a dot-file
        if points.is_dir() and len([f for f in os.listdir(points) if not f.startswith(".")]) >= 10:
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert 10 <= len([f for f in os.listdir(out / "points") if not f.startswith(".")]) < 60
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"),
                                  fresh(small, tmp_path, 20))


def test_compare_runs_two_organisations_on_the_same_incidents(write, tmp_path):
    scenario = SMALL.split("org:")[0] + "org: org-a.yaml\nworkload:" + SMALL.split("workload:")[1]
    org = "\n".join(line[2:] for line in SMALL.split("org:\n")[1].split("workload:")[0].splitlines())
    write("org-a.yaml", org)
    write("org-b.yaml", org.replace("delay: 15m", "delay: 2m"))
    sc = write("scenario.yaml", scenario)
    report = tmp_path / "compare.md"
    result = invoke("compare", str(tmp_path / "org-a.yaml"), str(tmp_path / "org-b.yaml"),
                    str(sc), "--reps", "6", "--workers", "1", "--report", str(report))
    assert result.exit_code == 0, result.output
    text = report.read_text()
    assert "| org-b.yaml | TTA mean | −" in text and "| better |" in text
    assert "| TTD mean |" not in text and "| TTA mean · P1 |" in text
    assert "no detectable difference" in text  # e.g. resolve times, on the same work


def test_names_are_escaped_in_the_table(write, tmp_path):
    exp = write("exp.yaml", f"""\
scenario: {write("small.yaml", SMALL)}
baseline: {{name: "[red]today[/red]"}}
variants: [{{name: "[bold]x", set: {{escalation_delay: 2m}}}}]
""")
    result = invoke("whatif", str(exp), "--reps", "3", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "[red]today[/red]" in result.stdout and "[bold]x" in result.stdout


def test_whatif_help_imports_no_heavy_library():
    from tests.drills.test_cli import loaded_after

    assert loaded_after(["whatif", "--help"]) == [] and loaded_after(["compare", "--help"]) == []
