"""`drillsim init` writes a commented starter that validates and runs, and never clobbers."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from drillsim.drills.cli import cli


def test_init_writes_a_starter_that_validates_and_runs(tmp_path):
    folder = tmp_path / "plan"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(folder)]).exit_code == 0
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["organisation.yaml", "scenario.yaml"]
    org_text = (folder / "organisation.yaml").read_text(encoding="utf-8")
    assert org_text.count("#") > 30  # every field explained
    result = runner.invoke(cli, ["validate", *(str(folder / f) for f in files)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["run", str(folder / "scenario.yaml"), "--reps", "3",
                                 "--workers", "1", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["incidents"] == 3


def test_init_refuses_to_overwrite_without_force(tmp_path):
    folder = tmp_path / "plan"
    folder.mkdir()
    (folder / "scenario.yaml").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(folder)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"error: {folder / 'scenario.yaml'}: already exists; pass "
                                     "--force to overwrite")
    assert (folder / "scenario.yaml").read_text(encoding="utf-8") == "mine"
    assert not (folder / "organisation.yaml").exists()
    assert CliRunner().invoke(cli, ["init", str(folder), "--force"]).exit_code == 0
    assert Path(folder / "scenario.yaml").read_text(encoding="utf-8").startswith("# A scenario")
