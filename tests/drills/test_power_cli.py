"""`drillsim power`: sample sizes per severity and change, the tail figures, and bad options
refused before anything runs."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli


def test_json_per_severity_and_change():
    result = CliRunner().invoke(cli, ["power", "demo", "--reps", "4", "--seed", "3",
                                      "--workers", "1", "--severity", "P3", "--change", "25%",
                                      "--trials", "100", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (p3,) = data["severities"]
    (size,) = p3["sample_sizes"]
    assert p3["severity"] == "P3" and size["change"] == 0.25
    assert size["mean_simulated"] > 0 and size["median_simulated"] > 0
    tail = p3["tail"]
    assert tail["median"] <= tail["mean"] and 0.1 <= tail["top_decile_share"] <= 1
    low, high = tail["replication_mean_p5_p95"]
    assert low <= tail["mean"] <= high


@pytest.mark.parametrize(("args", "message"), [
    (["--change", "0%"], "error: --change: expected a change between 0% and 100%, found '0%'"),
    (["--change", "ten"], "error: --change: expected a share such as '95%' or 0.95, found 'ten'"),
    (["--metric", "time_to_resolv"], "(did you mean 'time_to_resolve'?)"),
    (["--severity", "P9"], "error: --severity: unknown severity 'P9'"),
])
def test_bad_options(args: list[str], message: str):
    result = CliRunner().invoke(cli, ["power", "demo", *args])
    assert result.exit_code == 2 and message in result.output


def test_too_few_incidents_says_so():
    result = CliRunner().invoke(cli, ["power", "database-failover-drill", "--reps", "3",
                                      "--workers", "1"], terminal_width=200)
    assert result.exit_code == 0
    assert "No severity has 10 incidents reaching the end of time to resolve" in result.output
    result = CliRunner().invoke(cli, ["power", "database-failover-drill", "--reps", "3",
                                      "--workers", "1", "--format", "json"])
    assert json.loads(result.stdout)["too_few_incidents"] == ["P0"]
