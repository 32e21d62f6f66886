"""`drillsim check`: exit status by verdict, JUnit XML a CI system reads, the bundled example,
and bad hypotheses files reported with file, line and field before anything runs."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli

POLICY = """
scenario: demo
replications: 4
seed: 2
hypotheses:
  - name: P1 acknowledged within a day at p90
    metric: tta
    severity: P1
    statistic: p90
    at_most: 1d
  - name: P2 acknowledged within a minute for 99% <&>
    metric: tta
    severity: P2
    within: 1m
    at_least: 99%
  - name: sleep pages
    load: sleep_pages
    at_most: 0.5
"""


def check(tmp_path, text: str, *args: str):
    policy = tmp_path / "policy.yaml"
    policy.write_text(text, encoding="utf-8")
    return CliRunner().invoke(cli, ["check", str(policy), "--workers", "1", *args])


def test_a_failing_hypothesis_exits_1_and_junit_holds_one_case_each(tmp_path):
    junit = tmp_path / "out" / "check.xml"
    result = check(tmp_path, POLICY, "--junit", str(junit), "--format", "json")
    assert result.exit_code == 1, result.output
    verdicts = {h["name"]: h for h in json.loads(result.stdout)["hypotheses"]}
    assert verdicts["P1 acknowledged within a day at p90"]["verdict"] == "pass"
    assert verdicts["P2 acknowledged within a minute for 99% <&>"]["verdict"] == "fail"
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    (suite,) = root
    # the attributes the JUnit schema requires of a suite and of a case
    for name in ("name", "tests", "failures", "errors", "time"):
        assert suite.get(name) is not None
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == list(verdicts)  # names escaped and read back
    assert all(c.get("classname") == "policy" for c in cases)
    outcomes = [("failure" if c.find("failure") is not None else
                 "skipped" if c.find("skipped") is not None else "pass") for c in cases]
    expected = {"pass": "pass", "fail": "failure", "inconclusive": "skipped"}
    assert outcomes == [expected[v["verdict"]] for v in verdicts.values()]
    assert int(suite.get("skipped")) == outcomes.count("skipped")


def test_passing_hypotheses_exit_0_and_strict_fails_on_inconclusive(tmp_path):
    text = POLICY.split("  - name: P2")[0]
    assert check(tmp_path, text).exit_code == 0
    wide = text.replace("at_most: 1d", "at_most: 14m")  # the estimate sits near the limit
    result = check(tmp_path, wide, "--strict", "--format", "json")
    (verdict,) = json.loads(result.stdout)["hypotheses"]
    assert verdict["verdict"] == "inconclusive" and result.exit_code == 1
    assert verdict["replications_to_decide"] is None or verdict["replications_to_decide"] > 4


def test_junit_never_replaces_a_file_drillsim_did_not_write(tmp_path):
    mine = tmp_path / "report.xml"
    mine.write_text("<mine/>", encoding="utf-8")
    text = POLICY.split("  - name: P2")[0]
    result = check(tmp_path, text, "--junit", str(mine))
    assert result.exit_code == 2 and "pass --force" in result.output
    assert mine.read_text(encoding="utf-8") == "<mine/>"
    assert check(tmp_path, text, "--junit", str(mine), "--force").exit_code == 0
    assert check(tmp_path, text, "--junit", str(mine)).exit_code == 0  # its own: replaced


@pytest.mark.parametrize(("text", "message"), [
    (POLICY.replace("statistic: p90", "statistic: p900"),
     ":9: hypotheses[0].statistic: expected mean, median or a percentile such as p90, found 'p900'"),
    (POLICY.replace("at_least: 99%", "at_least: 99 percent"),
     ":15: hypotheses[1].at_least: expected a share such as '95%' or 0.95, found '99 percent'"),
    (POLICY.replace("severity: P2", "severity: P22"),
     ":13: hypotheses[1].severity: unknown severity 'P22' (did you mean 'P2'?)"),
    (POLICY.replace("load: sleep_pages", "load: sleep_page"),
     ":17: hypotheses[2].load: unknown load measure 'sleep_page' (did you mean 'sleep_pages'?)"),
    (POLICY.replace("scenario: demo", "scenario: nowhere.yaml"), ":2: scenario: "),
    (POLICY.replace("    metric: tta\n    severity: P1", "    severity: P1"),
     ":6: hypotheses[0]: give exactly one of 'metric', 'attainment' or 'load'"),
])
def test_bad_hypotheses_name_file_line_and_field(tmp_path, text: str, message: str):
    junit = tmp_path / "check.xml"
    result = check(tmp_path, text, "--junit", str(junit))
    assert result.exit_code == 2, result.output
    assert f"error: {tmp_path / 'policy.yaml'}{message}" in result.output
    assert "Traceback" not in result.output and not junit.exists()


def test_the_bundled_example_runs():
    result = CliRunner().invoke(cli, ["check", "example-policy", "--reps", "3", "--workers", "1",
                                      "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert len(json.loads(result.stdout)["hypotheses"]) == 6


GATED_ORG = """
name: gated
timezone: UTC
responders: [{id: a, ack_delay: {working: 2m, off_hours: 2m}}]
rotations: [{id: r, layers: [{members: [a], turn: 1d, handoff: "2026-01-01T00:00"}]}]
escalation_policies: [{id: p, levels: [{targets: [rotation:r]}]}]
severities: {P1: {escalation_policy: p, targets: {acknowledge: 5m, mitigate: 10m}}}
"""
GATED = """
name: gated drill
start: "2026-01-05T10:00"
org: org.yaml
incidents:
  - {type: t, severity: P1, phases: [{name: fix, duration: 30m, mitigates: true}]}
"""


def test_run_fail_on_miss_gates_the_organisations_own_targets(tmp_path):
    (tmp_path / "org.yaml").write_text(GATED_ORG, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(GATED, encoding="utf-8")
    args = ["run", str(tmp_path / "s.yaml"), "--reps", "10", "--workers", "1", "--format",
            "json", "--fail-on-miss", "--objective", "40%"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    gate = json.loads(result.stdout)["gate"]
    rows = {r["target"]: r for r in gate["results"]}
    # acknowledged after 2 minutes in every replication: 10 of 10, Wilson low 10/13.84 = 0.7225;
    # mitigated after 30 minutes against 10: 0 of 10, Wilson high 3.84/13.84 = 0.2775
    assert (rows["acknowledge target"]["met"], rows["acknowledge target"]["verdict"]) == (10, "pass")
    assert rows["acknowledge target"]["ci95"][0] == pytest.approx(0.7225, abs=1e-4)
    assert (rows["mitigate target"]["met"], rows["mitigate target"]["verdict"]) == (0, "fail")
    assert rows["mitigate target"]["ci95"][1] == pytest.approx(0.2775, abs=1e-4)
    args[-1] = "20%"  # the mitigate target's interval now holds 20%: not a failure
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["gate"]["results"][1]["verdict"] == "inconclusive"
    assert CliRunner().invoke(cli, args[:-3]).exit_code == 0  # no gate without the flag
