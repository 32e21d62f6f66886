"""A user's mistake gets one clear line per problem naming file, line and field, exit status 2,
no traceback, and nothing half-written."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli

GOOD = textwrap.dedent("""\
    name: bad
    start: "2026-06-01T09:00"
    timezone: Europe/London
    org:
      name: o
      responders:
        - {id: a}
        - {id: b}
      rotations:
        - id: r
          layers:
            - {members: [a, b], handoff: "2026-01-05T09:00"}
      escalation_policies:
        - id: main
          levels:
            - {targets: [{rotation: r}], delay: 10m}
      severities:
        P1: {escalation_policy: main}
    incidents:
      - type: outage
        severity: P1
        signals: [{channel: alert, delay: 2m}]
        phases: [{name: fix, duration: 30m}]
    """)
CYCLE = """    - id: loop
      then: main
      levels: [{targets: [{responder: a}]}]
    - id: main
      then: loop
      levels:"""

CASES = {
    "unknown responder in a rotation": (
        ("members: [a, b]", "members: [a, bob]"),
        ["case.yaml:12: org.rotations[0].layers[0].members[1]: unknown responder 'bob'"]),
    "negative duration": (
        ("delay: 10m}", "delay: -10m}"),
        ["case.yaml:16: org.escalation_policies[0].levels[0].delay: a duration cannot be "
         "negative, found '-10m'"]),
    "unknown distribution": (
        ("delay: 2m}", "delay: {dist: poisson, mean: 3}}"),
        ["case.yaml:22: incidents[0].signals[0].delay: unknown distribution 'poisson'; expected "
         "one of: fixed, exponential, lognormal, uniform, triangular, gamma, weibull, empirical"]),
    "p90 below the median": (
        ("duration: 30m", "duration: {dist: lognormal, median: 30m, p90: 10m}"),
        ["case.yaml:23: incidents[0].phases[0].duration: p90 (10m) must exceed median (30m)"]),
    "bad time zone": (
        ("timezone: Europe/London", "timezone: Europe/Lodnon"),
        ["case.yaml:3: timezone: unknown time zone 'Europe/Lodnon'; expected an IANA name such "
         "as 'Europe/London' or 'America/New_York'"]),
    "empty escalation policy": (
        ("      levels:\n        - {targets: [{rotation: r}], delay: 10m}", "      levels: []"),
        ["case.yaml:15: org.escalation_policies[0].levels: must not be empty"]),
    "cyclic escalation policies": (
        ("    - id: main\n      levels:", CYCLE),
        ["case.yaml:15: org.escalation_policies[0].then: cyclic escalation policy: "
         "loop -> main -> loop",
         "case.yaml:18: org.escalation_policies[1].then: cyclic escalation policy: "
         "main -> loop -> main"]),
    "unknown escalation policy": (
        ("P1: {escalation_policy: main}", "P1: {escalation_policy: mian}"),
        ["case.yaml:18: org.severities.P1.escalation_policy: unknown escalation policy 'mian' "
         "(did you mean 'main'?)"]),
    "unknown severity": (
        ("severity: P1", "severity: P7"),
        ["case.yaml:21: incidents[0].severity: unknown severity 'P7'; the organisation's ladder "
         "is P1"]),
    "misspelt field": (
        ("signals:", "signalz:"),
        ["case.yaml:22: incidents[0].signalz: unknown field (did you mean 'signals'?)"]),
    "duplicate key": (
        ("severity: P1", "severity: P1\n    severity: P2"),
        ["case.yaml:22: incidents[0].severity: duplicate key",
         "case.yaml:22: incidents[0].severity: unknown severity 'P2'; the organisation's ladder "
         "is P1"]),
    "YAML syntax": (
        ("phases: [{name: fix, duration: 30m}]", "phases: [{name: fix, duration: 30m}"),
        ["case.yaml:24: YAML syntax: expected ',' or ']', but got '<stream end>'"]),
}


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("case", CASES)
def test_each_mistake_gets_its_own_clear_message_and_exit_2(tmp_path, monkeypatch, case):
    (old, new), expected = CASES[case]
    assert old in GOOD
    monkeypatch.chdir(tmp_path)
    Path("case.yaml").write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    for args in (["run", "case.yaml", "--reps", "1", "--out", "results"], ["validate", "case.yaml"]):
        result = invoke(*args)
        assert result.exit_code == 2, result.output
        assert result.stderr.splitlines() == [f"error: {line}" for line in expected]
        assert "Traceback" not in result.output
        assert not Path("results").exists()


def test_the_unchanged_file_is_fine(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("case.yaml").write_text(GOOD, encoding="utf-8")
    assert invoke("validate", "case.yaml").stdout == "ok: case.yaml\n"


def test_validate_reports_every_file_and_every_problem(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("good.yaml").write_text(GOOD, encoding="utf-8")
    Path("two.yaml").write_text(GOOD.replace("members: [a, b]", "members: [a, bob]")
                                .replace("delay: 2m}", "delay: -2m}"), encoding="utf-8")
    result = invoke("validate", "good.yaml", "two.yaml", "missing.yaml")
    assert result.exit_code == 2
    assert result.stdout == "ok: good.yaml\n"
    assert result.stderr.splitlines() == [  # field and reference problems in one pass
        "error: two.yaml:12: org.rotations[0].layers[0].members[1]: unknown responder 'bob'",
        "error: two.yaml:22: incidents[0].signals[0].delay: a duration cannot be negative, "
        "found '-2m'",
        "error: missing.yaml: no such file"]


@pytest.mark.parametrize(("text", "message"), [
    ("", "case.yaml:1: expected a mapping of fields at the top level"),
    ("- a\n- b\n", "case.yaml:1: expected a mapping of fields at the top level"),
    ("name: x\n\tstart: 1\n", "case.yaml:2: YAML syntax: found character '\\t' that cannot start "
                              "any token"),
])
def test_files_that_are_not_scenarios_at_all(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    Path("case.yaml").write_text(text, encoding="utf-8")
    result = invoke("run", "case.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {message}"]


def test_a_scenario_without_an_organisation_says_how_to_give_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    head, tail = GOOD.split("org:")[0], GOOD.split("incidents:")[1]
    Path("case.yaml").write_text(f"{head}incidents:{tail}", encoding="utf-8")
    result = invoke("run", "case.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: case.yaml:1: org: no organisation: add 'org' or pass --org FILE"]


def test_an_existing_results_folder_survives_a_failed_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("results").mkdir()
    Path("results/keep.txt").write_text("earlier run", encoding="utf-8")
    Path("case.yaml").write_text(GOOD.replace("severity: P1", "severity: P7"), encoding="utf-8")
    assert invoke("run", "case.yaml", "--out", "results").exit_code == 2
    assert Path("results/keep.txt").read_text(encoding="utf-8") == "earlier run"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
