"""drillsim never deletes what it did not write, reads the file it is given and no other, prints
users' names as they typed them, and creates files as any other tool would."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli
from tests.drills.test_bad_input import GOOD

RUN = ["--reps", "1", "--workers", "1", "--seed", "3"]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), terminal_width=200)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "case.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_out_refuses_a_folder_drillsim_did_not_write(scenario):
    Path("mine").mkdir()
    Path("mine/notes.txt").write_text("my notes", encoding="utf-8")
    result = invoke("run", "case.yaml", *RUN, "--out", "mine")
    assert result.exit_code == 2
    assert result.stderr == ("error: mine: is not empty and holds no drillsim results (no "
                             "manifest.json); choose a new or empty folder for --out\n")
    assert names(Path("mine")) == ["notes.txt"]
    assert Path("mine/notes.txt").read_text(encoding="utf-8") == "my notes"
    assert invoke("run", "case.yaml", *RUN, "--out", "mine", "--force").exit_code == 2
    assert names(Path("mine")) == ["notes.txt"]
    assert names(Path(".")) == ["case.yaml", "mine"]


def test_out_dot_refuses_a_working_folder_and_leaves_no_staging_behind(scenario):
    result = invoke("run", "case.yaml", *RUN, "--out", ".")
    assert result.exit_code == 2, result.output
    assert "error: .: is not empty and holds no drillsim results" in result.stderr
    assert names(Path(".")) == ["case.yaml"]


def test_out_dot_in_an_empty_folder_writes_the_results_there(tmp_path, monkeypatch):
    (tmp_path / "case.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "results").mkdir()
    monkeypatch.chdir(tmp_path / "results")
    result = invoke("run", "../case.yaml", *RUN, "--out", ".")
    assert result.exit_code == 0, result.output
    assert "manifest.json" in names(Path("."))
    assert not [name for name in names(Path(".")) if name.startswith(".")]


def test_an_earlier_run_is_replaced_only_with_force_and_other_files_stay(scenario):
    assert invoke("run", "case.yaml", *RUN, "--out", "results").exit_code == 0
    Path("results/notes.txt").write_text("what we learned", encoding="utf-8")
    before = names(Path("results"))
    refused = invoke("run", "case.yaml", "--reps", "2", "--workers", "1", "--out", "results")
    assert refused.exit_code == 2
    assert refused.stderr == ("error: results: holds the results of an earlier run; pass --force "
                              "to replace them (other files there are kept)\n")
    assert json.loads(Path("results/manifest.json").read_text())["replications"] == 1
    replaced = invoke("run", "case.yaml", "--reps", "2", "--workers", "1", "--out", "results",
                      "--force")
    assert replaced.exit_code == 0, replaced.output
    assert json.loads(Path("results/manifest.json").read_text())["replications"] == 2
    assert names(Path("results")) == before
    assert Path("results/notes.txt").read_text(encoding="utf-8") == "what we learned"


def test_a_manifest_cannot_make_force_delete_other_files(scenario):
    Path("results").mkdir()
    Path("results/manifest.json").write_text(json.dumps(
        {"drillsim": "0.1.0", "tables": {"events": "../case.yaml", "x": "notes.txt"}}))
    Path("results/notes.txt").write_text("mine", encoding="utf-8")
    assert invoke("run", "case.yaml", *RUN, "--out", "results", "--force").exit_code == 0
    assert Path("case.yaml").exists() and Path("results/notes.txt").exists()


def test_out_refuses_a_file(scenario):
    result = invoke("run", "case.yaml", *RUN, "--out", "case.yaml")
    assert result.exit_code == 2
    assert Path("case.yaml").read_text(encoding="utf-8") == GOOD


@pytest.mark.parametrize(("args", "message"), [
    (["run", "nothere/demo.yaml"], "error: nothere/demo.yaml: no such file"),
    (["run", "demo.yaml"], "error: demo.yaml: no such file"),
    (["run", "demo", "--org", "nothere/demo-org.yaml"], "error: nothere/demo-org.yaml: no such file"),
    (["validate", "demo-org.yml"], "error: demo-org.yml: no such file"),
    (["run", "dmeo"], "error: dmeo: no bundled file named 'dmeo' (did you mean 'demo'?); "
                      "`drillsim scenarios list` shows them, and a file of your own needs its "
                      "folder or suffix, e.g. ./dmeo.yaml"),
])
def test_a_missing_path_is_an_error_not_a_bundled_file(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = invoke(*args, "--out", "results") if args[0] == "run" else invoke(*args)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [message]
    assert list(tmp_path.iterdir()) == []


def test_a_path_names_the_users_file_and_a_bare_name_the_bundled_one(scenario):
    shutil.copy(scenario, "demo.yaml")
    local = json.loads(invoke("run", "demo.yaml", *RUN, "--format", "json").stdout)
    bundled = json.loads(invoke("run", "demo", *RUN, "--format", "json").stdout)
    prefixed = json.loads(invoke("run", "bundled:demo", *RUN, "--format", "json").stdout)
    assert local["scenario"] == "bad"
    assert bundled["scenario"] == prefixed["scenario"] == "demo"


def test_a_scenarios_organisation_is_found_beside_it_or_in_the_library(scenario):
    head, tail = GOOD.split("org:")[0], "incidents:" + GOOD.split("incidents:")[1]
    Path("plans").mkdir()
    Path("plans/s.yaml").write_text(f"{head}org: demo-org.yaml\n{tail}", encoding="utf-8")
    result = invoke("run", "plans/s.yaml", *RUN)
    assert result.exit_code == 2
    assert result.stderr == "error: plans/s.yaml:4: org: plans/demo-org.yaml: no such file\n"
    Path("plans/b.yaml").write_text(f"{head}org: bundled:demo-org\n{tail}", encoding="utf-8")
    assert invoke("run", "plans/b.yaml", *RUN, "--format", "json").exit_code == 0


NAMES = ["a [/] b", "[red]red[/red]", "[bold]x", "\\[escaped]"]


@pytest.mark.parametrize("name", NAMES)
def test_names_print_as_typed(scenario, name):
    text = (GOOD.replace("name: bad", f"name: {json.dumps(name)}")
            .replace("name: o", f"name: {json.dumps(name)}")
            .replace("{id: a}", f"{{id: {json.dumps(name)}}}")
            .replace("members: [a, b]", f"members: [{json.dumps(name)}, b]"))
    scenario.write_text(text, encoding="utf-8")
    result = invoke("run", "case.yaml", *RUN)
    assert result.exit_code == 0, result.output
    assert f"{name} against {name}:" in result.stdout
    assert f"│ {name} " in result.stdout  # the responder in the on-call table


@pytest.fixture
def umask() -> Iterator[int]:
    previous = os.umask(0o002)
    try:
        yield 0o002
    finally:
        os.umask(previous)


def test_files_and_folders_get_the_users_umask(scenario, umask):
    assert invoke("run", "case.yaml", *RUN, "--out", "results", "--report", "r.md").exit_code == 0
    assert invoke("init", "plan").exit_code == 0
    assert Path("results").stat().st_mode & 0o777 == 0o775
    for file in [*Path("results").iterdir(), Path("r.md"), *Path("plan").iterdir()]:
        assert file.stat().st_mode & 0o777 == 0o664, file
