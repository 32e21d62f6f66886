"""Bundled scenarios on a user's own organisation: show, copy, and map the names it lacks."""

from __future__ import annotations

import json
from importlib import resources

import yaml
from click.testing import CliRunner

from drillsim.drills.cli import cli
from drillsim.scenarios.loader import bundled, load


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_show_prints_the_bundled_yaml_as_is_off_a_terminal():
    text = (resources.files("drillsim.scenarios.library") / "data-breach.yaml").read_text("utf-8")
    result = invoke("scenarios", "show", "data-breach")
    assert result.exit_code == 0
    assert result.stdout == text  # no colour codes when piped
    as_json = invoke("scenarios", "show", "bundled:data-breach", "--format", "json")
    assert json.loads(as_json.stdout) == yaml.safe_load(text)
    missing = invoke("scenarios", "show", "data-breech")
    assert missing.exit_code == 2
    assert missing.stderr == ("error: data-breech: no bundled scenario or organisation "
                              "'data-breech' (did you mean 'data-breach'?); `drillsim scenarios "
                              "list` names them\n")


def test_every_bundled_file_copies_to_an_editable_file_that_still_loads(tmp_path):
    for name, kind, _ in bundled():
        result = invoke("scenarios", "copy", name, str(tmp_path))
        assert result.exit_code == 0, result.output
        copy = tmp_path / f"{name}.yaml"
        assert result.stdout == f"wrote {copy}\n"
        if kind == "scenario":
            data = yaml.safe_load(copy.read_text(encoding="utf-8"))
            assert not isinstance(data["org"], str) or data["org"].startswith("bundled:"), name
            assert load(copy) == load(name).model_copy(update={"sources": load(copy).sources})
    assert (tmp_path / "demo.yaml").read_text(encoding="utf-8").count("org: bundled:demo-org") == 1


def test_copy_never_overwrites_without_force(tmp_path):
    (tmp_path / "demo.yaml").write_text("mine", encoding="utf-8")
    result = invoke("scenarios", "copy", "demo", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path / 'demo.yaml'}: already exists; pass --force to " \
                            "overwrite\n"
    assert (tmp_path / "demo.yaml").read_text(encoding="utf-8") == "mine"
    forced = invoke("scenarios", "copy", "demo", str(tmp_path), "--force", "--format", "json")
    assert json.loads(forced.stdout) == {"name": "demo", "wrote": str(tmp_path / "demo.yaml")}


def test_a_bundled_scenario_on_the_starter_org_lists_every_missing_name_then_runs_mapped(tmp_path):
    plan = tmp_path / "plan"
    assert invoke("init", str(plan)).exit_code == 0
    org = str(plan / "organisation.yaml")
    result = invoke("run", "data-breach", "--org", org, "--reps", "1")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: data-breach:11: incidents[0].services[0]: unknown service 'user-data'; add it, "
        "or map it with --map service:user-data=NAME (the organisation's: api)",
        "error: data-breach:11: incidents[0].services[1]: unknown service 'auth'; add it, or map "
        "it with --map service:auth=NAME (the organisation's: api)",
        "error: data-breach:15: incidents[0].signals[0].alert: unknown alert 'security-alert'; "
        "add it, or map it with --map alert:security-alert=NAME (the organisation's: error-rate)",
        "error: data-breach:17: incidents[0].requires[0].skill: unknown skill 'security'; also "
        "used on lines 19, 20, 21; add it, or map it with --map skill:security=NAME (the "
        "organisation's: backend, comms, dba, infrastructure)",
        "error: data-breach:17: incidents[0].requires[1].skill: unknown skill 'legal'; add it, or "
        "map it with --map skill:legal=NAME (the organisation's: backend, comms, dba, "
        "infrastructure)",
        f"error: data-breach: {org} lacks names this scenario uses: add them to it, or map each "
        "onto one of its own with the --map options above"]
    maps = ["--map", "service:user-data=api", "--map", "service:auth=api",
            "--map", "alert:security-alert=error-rate", "--map", "skill:security=backend",
            "--map", "skill:legal=comms"]
    ran = invoke("run", "data-breach", "--org", org, "--reps", "2", "--workers", "1",
                 "--format", "json", *maps)
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["incidents"] == 2


def test_a_severity_the_org_lacks_maps_onto_its_ladder_and_a_typo_in_a_map_is_caught(tmp_path):
    plan = tmp_path / "plan"
    invoke("init", str(plan))
    org = str(plan / "organisation.yaml")
    result = invoke("run", "quarter-phased-p0-p3", "--org", org, "--reps", "1")
    assert "unknown severity 'P2'" in result.stderr
    assert "--map severity:P2=NAME" in result.stderr
    typo = invoke("run", "demo", "--org", org, "--map", "severity:P9=P1")
    assert typo.exit_code == 2
    assert typo.stderr == "error: --map: the scenario uses no severity 'P9'\n"
    bad = invoke("run", "demo", "--map", "colour:red=blue")
    assert bad.stderr.startswith("error: --map: expected KIND:OLD=NEW with KIND one of service, ")


def test_roles_and_assessors_a_scenario_names_are_listed_and_mapped_like_any_name(tmp_path):
    plan = tmp_path / "plan"
    invoke("init", str(plan))
    org = str(plan / "organisation.yaml")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump({
        "name": "roles", "start": "2027-01-04T10:00:00",
        "incidents": [{"type": "t", "severity": "P1", "requires": [{"role": "commander"}],
                       "signals": [{"channel": "c", "assessor": {"team": "secops"},
                                    "assessment": "5m"}],
                       "phases": [{"name": "fix", "duration": "10m"}]}]}), encoding="utf-8")
    result = invoke("run", str(scenario), "--org", org, "--reps", "1")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert [line.split(": ", 3)[2:] for line in lines[:2]] == [
        ["incidents[0].requires[0].role", "unknown role 'commander'; add it, or map it with "
         "--map role:commander=NAME"],
        ["incidents[0].signals[0].assessor.team", "unknown team 'secops'; add it, or map it "
         "with --map team:secops=NAME (the organisation's: management, platform)"]]
    roles = yaml.safe_load((plan / "organisation.yaml").read_text(encoding="utf-8"))
    roles["roles"] = [{"id": "ic", "team": "platform"}]
    (plan / "organisation.yaml").write_text(yaml.safe_dump(roles), encoding="utf-8")
    ran = invoke("run", str(scenario), "--org", org, "--reps", "1", "--workers", "1",
                 "--format", "json",
                 "--map", "role:commander=ic", "--map", "team:secops=platform")
    assert ran.exit_code == 0, ran.output
