"""`drillsim export chaostoolkit`: every exported experiment passes Chaos Toolkit's own
validation; bound to harmless providers it runs end to end with the real `chaos` command and
its journal reads back; left unbound it refuses to touch anything."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from chaoslib.experiment import ensure_experiment_is_valid
from click.testing import CliRunner

from drillsim.drills.chaos import experiment
from drillsim.drills.cli import cli
from drillsim.scenarios.document import bundled
from drillsim.scenarios.loader import load, resolve
from tests.drills.test_exercise import GAME_DAYS, PLANS

DRILLS = [name for name, kind, _ in bundled() if kind == "scenario"
          and "workload:" not in resolve(name).read_text()]
CHAOS = Path(sys.executable).with_name("chaos")


@pytest.mark.parametrize(("scenario", "org"), [(s, None) for s in DRILLS]
                         + [(day, plan) for day in GAME_DAYS for plan in PLANS])
def test_every_export_is_a_valid_experiment(scenario: str, org: str | None) -> None:
    bundle = load(resolve(scenario), resolve(org) if org else None)
    exp = experiment(bundle)
    ensure_experiment_is_valid(copy.deepcopy(exp))  # raises on anything Chaos Toolkit rejects
    starts = [a for a in exp["method"] if a["name"].startswith("start fault")]
    assert len(starts) == len(bundle.scenario.incidents) == len(exp["rollbacks"])
    assert exp["method"][-1]["name"].startswith("end faults")
    assert exp["steady-state-hypothesis"]["probes"]
    guards = exp["controls"][0]["provider"]["arguments"]["probes"]
    assert guards and all(g["tolerance"] is False for g in guards)


def bind(exp: dict[str, Any]) -> dict[str, Any]:
    """Every unbound step bound to something harmless: actions run `python -c pass`, probes
    return a value inside their tolerance; no pauses."""
    exp = copy.deepcopy(exp)

    def harmless(activity: dict[str, Any]) -> None:
        activity.pop("pauses", None)
        if activity["type"] == "action":
            activity["provider"] = {"type": "process", "path": sys.executable,
                                    "arguments": ["-c", "pass"]}
            return
        tolerance = activity["tolerance"]
        value = (sum(tolerance["range"]) / 2 if isinstance(tolerance, dict)
                 else tolerance)
        activity["provider"] = {"type": "python", "module": "json", "func": "loads",
                                "arguments": {"s": json.dumps(value)}}

    for activity in [*exp["steady-state-hypothesis"]["probes"], *exp["method"],
                     *exp["rollbacks"], *exp["controls"][0]["provider"]["arguments"]["probes"]]:
        harmless(activity)
    return exp


def chaos_run(tmp_path: Path, exp: dict[str, Any]) -> dict[str, Any]:
    path = tmp_path / "experiment.json"
    path.write_text(json.dumps(exp))
    journal = tmp_path / "journal.json"
    subprocess.run([str(CHAOS), "--no-log-file", "run", str(path), "--journal-path",
                    str(journal), "--rollback-strategy", "always"], cwd=tmp_path,
                   capture_output=True, text=True, timeout=120)
    return json.loads(journal.read_text())


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("export") / "experiment.json"
    result = CliRunner().invoke(cli, ["export", "chaostoolkit", "gameday-multi-vendor-outage",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def test_a_bound_experiment_runs_and_its_journal_reads_back(
        exported: dict[str, Any], tmp_path: Path) -> None:
    journal = chaos_run(tmp_path, bind(exported))
    assert journal["status"] == "completed" and journal["deviated"] is False
    assert journal["steady_states"]["before"]["steady_state_met"] is True
    assert journal["steady_states"]["after"]["steady_state_met"] is True
    names = [r["activity"]["name"] for r in journal["run"]]
    assert names == [a["name"] for a in exported["method"]]
    assert all(r["status"] == "succeeded" and r["start"] <= r["end"] for r in journal["run"])
    assert [r["activity"]["name"] for r in journal["rollbacks"]] == \
        [a["name"] for a in exported["rollbacks"]]
    # the fields the assessment relies on: the fault spans the method's first start to its
    # last end
    from drillsim.drills.drill_log import load_drill

    (tmp_path / "journal.json").write_text(json.dumps(journal))
    record = load_drill(tmp_path / "journal.json")
    assert record.fault is not None and record.fault[0] == 0 and record.fault[1] >= 0
    assert record.start.title == exported["title"]


def test_an_unbound_experiment_refuses_to_run(exported: dict[str, Any], tmp_path: Path) -> None:
    journal = chaos_run(tmp_path, exported)
    assert journal["status"] != "completed"
    assert journal["run"] == []  # no fault went in


def test_export_to_stdout_and_file_safety(tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["export", "chaostoolkit", "gameday-security-breach"])
    assert out.exit_code == 0 and json.loads(out.output)["extensions"][0]["name"] == "drillsim"
    theirs = tmp_path / "theirs.json"
    theirs.write_text('{"title": "their own"}')
    refused = runner.invoke(cli, ["export", "chaostoolkit", "gameday-security-breach", "--out",
                                  str(theirs), "--force"])
    assert refused.exit_code == 2 and theirs.read_text() == '{"title": "their own"}'
    ours = tmp_path / "ours.json"
    args = ["export", "chaostoolkit", "gameday-security-breach", "--out", str(ours)]
    assert runner.invoke(cli, args).exit_code == 0
    assert runner.invoke(cli, args).exit_code == 2
    assert runner.invoke(cli, [*args, "--force"]).exit_code == 0
