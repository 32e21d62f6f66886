"""An M/M/c queue built from ordinary drillsim features reproduces Erlang C's exact waits.

Poisson incidents, exponential work, c always-on responders paged as a team pool (the first
free member takes the incident, the rest queue first come, first served), no detection delay
and instant acknowledgement: TTA is then the wait for a free responder (Wq) and TTR the time
in the system (W)."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli


def erlang_c(lam: float, mu: float, c: int) -> tuple[float, float]:
    """Mean wait in queue Wq and mean time in system W of an M/M/c queue."""
    a = lam / mu
    assert a < c, "unstable queue"
    top = a**c / math.factorial(c) * c / (c - a)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    wq = p_wait / (c * mu - lam)
    return wq, wq + 1 / mu


def queue_scenario(per_hour: float, mean_minutes: float, c: int, days: float) -> str:
    people = "\n".join(
        f"    - {{id: desk{i}, teams: [desk], ack_delay: {{working: 0m, off_hours: 0m}}}}"
        for i in range(c))
    return f"""
name: mmc
start: "2026-01-05T00:00"
timezone: UTC
org:
  name: service desk
  responders:
{people}
  teams: [{{id: desk}}]
  escalation_policies:
    - id: desk
      levels: [{{targets: [{{team: desk}}], delay: 365d}}]
  severities:
    P2: {{escalation_policy: desk}}
workload:
  horizon: {days}d
  types:
    - type: ticket
      rate: {per_hour}/h
      severity_mix: {{P2: 1}}
      signals: [{{channel: desk, delay: 0m}}]
      phases: [{{name: work, duration: {{dist: exponential, mean: {mean_minutes}m}}, mitigates: true}}]
"""


@pytest.mark.parametrize(("per_hour", "mean_minutes", "c"), [
    (0.8, 60.0, 1),   # M/M/1 at 80% load
    (2.0, 60.0, 3),   # a = 2 over three responders
    (4.0, 40.0, 4),   # a = 2.67 over four
    (9.0, 30.0, 6),   # a = 4.5 over six: a busy L1 desk
])
def test_team_pool_reproduces_erlang_c(tmp_path, per_hour, mean_minutes, c):
    path = tmp_path / "mmc.yaml"
    days = max(10, round(30000 / (per_hour * 24 * 12)))  # about 30,000 incidents in all
    path.write_text(queue_scenario(per_hour, mean_minutes, c, days), encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(path), "--reps", "12", "--seed", "3",
                                      "--workers", "1", "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    wq, w = erlang_c(per_hour / 60.0, 1 / mean_minutes, c)
    for metric, exact in (("time_to_acknowledge", wq), ("time_to_resolve", w)):
        got = summary["metrics"][metric]
        lo, hi = got["ci95"]
        # within about four standard errors (the CI spans four), plus 1% for each replication
        # starting with an empty queue
        assert abs(got["mean"] - exact) <= (hi - lo) + 0.01 * exact, (metric, exact, got)
        print(f"λ={per_hour}/h 1/μ={mean_minutes}m c={c} {metric}: exact {exact:.2f}m, "
              f"simulated {got['mean']:.2f}m [{lo:.2f}, {hi:.2f}]")
