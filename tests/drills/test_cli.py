"""Conventions of the front door: light start-up, `python -m drillsim`, JSON for machines,
exit statuses, examples in every --help, completion of bundled names, the results manifest."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import signal
import subprocess
import sys
import textwrap
from importlib.metadata import version
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli
from drillsim.scenarios.loader import bundled
from tests.drills.test_bad_input import GOOD

HEAVY = ("pandas", "scipy", "matplotlib", "numpy", "starlette", "uvicorn")
PYTHON = sys.executable


def python(code: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          check=False, **kwargs)


def invoke(*args: str, **kwargs):
    return CliRunner().invoke(cli, list(args), terminal_width=200, **kwargs)


def loaded_after(args: list[str]) -> list[str]:
    """The heavy libraries imported once the CLI has run `args` in a fresh interpreter."""
    done = python(f"""
        import sys
        from drillsim.drills.cli import cli
        try:
            cli({args!r})
        except SystemExit:
            pass
        print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)
        """)
    return json.loads(done.stderr.strip().splitlines()[-1].replace("'", '"'))


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["run", "--help"], ["load", "--help"],
                                  ["check", "--help"], ["power", "--help"],
                                  ["drill", "serve", "--help"]])
def test_start_up_imports_no_heavy_library(args):
    assert loaded_after(args) == []


def test_validate_imports_no_heavy_library():
    assert loaded_after(["validate", "demo", "three-tier-teams"]) == []


def test_python_dash_m_drillsim_is_the_drillsim_command(tmp_path):
    done = subprocess.run([PYTHON, "-m", "drillsim", "validate", "demo"], capture_output=True,
                          text=True, check=False, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "ok: demo\n")
    done = subprocess.run([PYTHON, "-m", "drillsim", "--version"], capture_output=True, text=True,
                          check=False, cwd=tmp_path)
    assert done.stdout == f"drillsim, version {version('drillsim')}\n"


def test_validate_json_lists_every_file_with_its_problems(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("good.yaml").write_text(GOOD, encoding="utf-8")
    Path("bad.yaml").write_text(GOOD.replace("severity: P1", "severity: P7"), encoding="utf-8")
    result = invoke("validate", "good.yaml", "bad.yaml", "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout) == [
        {"file": "good.yaml", "ok": True, "problems": []},
        {"file": "bad.yaml", "ok": False, "problems": [
            {"file": "bad.yaml", "line": 21, "field": "incidents[0].severity",
             "message": "unknown severity 'P7'; the organisation's ladder is P1"}]},
    ]
    assert result.stderr.startswith("error: bad.yaml:21: incidents[0].severity:")
    assert invoke("validate", "good.yaml", "--format", "json").exit_code == 0


def test_scenarios_list_json_is_the_library():
    result = invoke("scenarios", "list", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [{"name": n, "kind": k, "description": d}
                                         for n, k, d in bundled()]


def test_ctrl_c_exits_130_with_one_line_and_nothing_written(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("drillsim.sim.runner.replicate", interrupted)
    result = invoke("run", "demo", "--out", "results")
    assert (result.exit_code, result.stderr) == (130, "drillsim: interrupted\n")
    assert list(tmp_path.iterdir()) == []


def test_a_real_ctrl_c_stops_the_workers_too(tmp_path):
    """SIGINT to the whole process group, as a terminal sends it, mid-run in a process pool."""
    runner = subprocess.Popen(
        [PYTHON, "-c", "import sys\nfrom drillsim.drills.cli import main\nprint('ready', "
         "flush=True)\nsys.argv = ['drillsim', 'run', 'demo', '--reps', '100000', '--workers', "
         "'2', '--out', 'results']\nmain()"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    try:
        assert runner.stdout is not None and runner.stdout.readline() == "ready\n"
        try:
            runner.wait(timeout=3)  # long enough to be simulating
        except subprocess.TimeoutExpired:
            os.killpg(runner.pid, signal.SIGINT)
        _, err = runner.communicate(timeout=60)
    finally:  # a failed check must not leave the run and its workers busy
        with contextlib.suppress(ProcessLookupError):
            os.killpg(runner.pid, signal.SIGKILL)
    assert (runner.returncode, err) == (130, "drillsim: interrupted\n")
    assert list(tmp_path.iterdir()) == []


def commands(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


@pytest.mark.parametrize("path", [p for p, _ in commands(cli)] + [()], ids=" ".join)
def test_every_help_has_an_example(path):
    result = invoke(*path, "--help")
    assert result.exit_code == 0
    example = result.stdout.split("Example")[1]
    assert example.splitlines()[1].strip().startswith(" ".join(("drillsim", *path)))


def test_options_of_one_name_mean_one_thing():
    kinds: dict[str, set[str]] = {}
    for _, command in commands(cli):
        for param in command.params:
            if isinstance(param, click.Option):
                for name in param.opts:
                    kinds.setdefault(name, set()).add("flag" if param.is_flag else "value")
                    if name == "--format":
                        assert isinstance(param.type, click.Choice) and "json" in param.type.choices
    assert all(len(kind) == 1 for kind in kinds.values()), kinds


def complete(words: str) -> list[str]:
    env = {"_DRILLSIM_COMPLETE": "bash_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - 1)}
    result = CliRunner().invoke(cli, [], env=env, prog_name="drillsim")
    return result.stdout.splitlines()


def test_completion_offers_bundled_names_of_the_right_kind_and_files():
    assert complete("drillsim run gameday-d") == ["plain,gameday-database-recovery",
                                                  "file,gameday-d"]
    assert complete("drillsim run demo --org three") == ["plain,three-tier-teams", "file,three"]
    assert "plain,three-tier-teams" not in complete("drillsim run three")
    assert "plain,demo-org" in complete("drillsim validate demo")


def test_the_manifest_says_what_made_the_results(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("plans").mkdir()
    Path("plans/case.yaml").write_text(GOOD, encoding="utf-8")
    args = ["run", "plans/case.yaml", "--reps", "2", "--workers", "1", "--seed", "4", "--out",
            "results"]
    before = dt.datetime.now().astimezone()
    assert invoke(*args).exit_code == 0
    manifest = json.loads(Path("results/manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"] == {
        "plans/case.yaml": hashlib.sha256(Path("plans/case.yaml").read_bytes()).hexdigest()}
    assert manifest["command"] == ["drillsim", *args]
    assert manifest["workers"] == 1 and manifest["seed"] == 4 and manifest["replications"] == 2
    assert manifest["versions"] == {"python": platform.python_version(),
                                    **{n: version(n) for n in ("simpy", "numpy", "pandas")}}
    started = dt.datetime.fromisoformat(manifest["started"])
    assert started.utcoffset() == before.utcoffset()
    assert abs(started - before) < dt.timedelta(minutes=5)
    assert invoke("run", "demo", "--reps", "1", "--workers", "1", "--out", "bundled").exit_code == 0
    inputs = json.loads(Path("bundled/manifest.json").read_text(encoding="utf-8"))["inputs"]
    assert list(inputs) == ["bundled:demo", "bundled:demo-org"]


def test_the_on_call_table_says_how_many_rows_it_cut(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    people = [f"p{i:02d}" for i in range(17)]
    text = (GOOD.replace("    - {id: a}\n    - {id: b}\n",
                         "".join(f"    - {{id: {p}}}\n" for p in people))
            .replace("members: [a, b]", f"members: [{', '.join(people)}]"))
    Path("case.yaml").write_text(text, encoding="utf-8")
    result = invoke("run", "case.yaml", "--reps", "1", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "… and 7 more" in result.stdout
