"""A small exercise built from the pieces of `drillsim.drills.exercise.Exercise`, for console tests that
need no simulation, and a way to serve it from a subprocess."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from drillsim.drills.exercise import Artefact, Inject, MilestoneTarget


@dataclass(frozen=True)
class Exercise:
    title: str
    start: dt.datetime
    injects: list[Inject]
    milestones: list[MilestoneTarget]


def exercise(*args: object) -> Exercise:
    return Exercise(
        "Database recovery <game day>",
        dt.datetime(2027, 1, 14, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")),
        [Inject("I01", 0, "Detection", "Replica lag alert fires", "on-call engineer",
                "Acknowledge the page", "within 5 minutes",
                [Artefact("alert", "PagerDuty", "db-primary: replication lag 900 s <b>high</b>")]),
         Inject("I02", 12, "Triage", "Writes failing on checkout", "incident commander",
                "Declare an incident", None, [Artefact("log", "app.log", "ERROR 500 on /pay")]),
         Inject("I03", 40, "Recovery", "Restore from snapshot", "DBA", "Restore", "RTO 60 min")],
        [MilestoneTarget("detected", "Detected", 5, 3.0),
         MilestoneTarget("acknowledged", "Acknowledged", 10, 7.5),
         MilestoneTarget("customer_notice", "Customer notice", 60, 45.0)])


if __name__ == "__main__":  # python tests/drills/console_support.py SERVE-ARGS...
    from drillsim.drills.console import serve

    _, log, port, speed, *resume = sys.argv
    serve(None if resume else "stand-in", None, 1, "p50", int(speed), int(port),
          log if not resume else None, resume[0] if resume else None, exercise)
