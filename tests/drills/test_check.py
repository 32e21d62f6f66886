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
