"""JUnit XML, the format CI systems read test results from: one test suite, one test case per
hypothesis; a failed hypothesis is a <failure>, an inconclusive one is <skipped>, so a team can
run its on-call policy as a CI test whenever its rotation or escalation files change."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

SUITE = "drillsim check"


@dataclass(frozen=True)
class Case:
    """One test case: its name, the outcome, a one-line message and the full text."""

    name: str
    outcome: str  # pass, fail or inconclusive
    message: str
    text: str


def junit_xml(classname: str, cases: list[Case], timestamp: str, seconds: float) -> str:
    """The JUnit XML document (<testsuites> holding one <testsuite>)."""
    failures = sum(c.outcome == "fail" for c in cases)
    skipped = sum(c.outcome == "inconclusive" for c in cases)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0",
              "skipped": str(skipped), "time": f"{seconds:.3f}"}
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": classname, "timestamp": timestamp,
                                              **counts})
    for case in cases:
        node = ET.SubElement(suite, "testcase", {"name": case.name, "classname": classname,
                                                 "time": "0"})
        if case.outcome == "fail":
            ET.SubElement(node, "failure", {"message": case.message, "type": "HypothesisFailed"}
                          ).text = case.text
        elif case.outcome == "inconclusive":
            ET.SubElement(node, "skipped", {"message": case.message})
        ET.SubElement(node, "system-out").text = case.text
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def ours(path: str | Path) -> bool:
    """Whether `path` holds a JUnit report this command wrote (safe to replace)."""
    try:
        return ET.parse(path).getroot().get("name") == SUITE
    except (ET.ParseError, OSError):
        return False
