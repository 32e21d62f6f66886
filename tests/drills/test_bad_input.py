"""A user's mistake gets one clear line per problem naming file, line and field, exit status 2,
no traceback, no hang, and nothing half-written. `validate` and `run` agree on every file: what
one rejects the other rejects with the same words.

CASES are one mistake each in a small valid scenario; CORPUS covers whole classes of malformed
files (bytes, YAML structure, size, calendar, numbers, paths, roles and the names tasks and
assessors use, shapes); each is paired with its message."""

from __future__ import annotations

import contextlib
import re
import signal
import textwrap
from collections.abc import Iterator
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
    "level response target of zero": (
        ("delay: 10m}", "delay: 10m, respond_within: 0m}"),
        ["case.yaml:16: org.escalation_policies[0].levels[0].respond_within: input "
         "should be greater than 0, found '0m'"]),
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
        ["case.yaml:24: YAML syntax: did not find expected ',' or ']'"]),
}




def edit(old: str, new: str, text: str = GOOD) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


HEAD = GOOD.split("org:")[0]
INCIDENTS = "incidents:" + GOOD.split("incidents:")[1]


def workload(**lines: str) -> str:
    """GOOD with its incidents replaced by a one-type workload, some fields overridden."""
    fields = {"horizon": "30d", "rate": "1/d", "severity_mix": "{P1: 1}", **lines}
    extra = "".join(f"  {k}: {v}\n" for k, v in fields.items()
                    if k not in ("horizon", "rate", "severity_mix"))
    return (GOOD.split("incidents:")[0] + f"workload:\n  horizon: {fields['horizon']}\n{extra}"
            f"  types:\n    - type: x\n      rate: {fields['rate']}\n"
            f"      severity_mix: {fields['severity_mix']}\n"
            "      phases: [{name: fix, duration: 1h}]\n")


def nested_lists(depth: int) -> str:
    return f"name: x\nstart: {'[' * depth}{']' * depth}\n"


def nested_mappings(depth: int) -> str:
    return "name: x\nstart:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, depth)) + \
        "  " * depth + "v\n"


def alias_bomb(levels: int) -> str:
    lines = ['x-a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        name, previous = chr(97 + i), chr(96 + i)
        lines.append(f"x-{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "name: x\n" + "\n".join(lines) + "\n"


MB = 2**20
# name: (file content, the one message, other files the case needs)
CORPUS: dict[str, tuple[str | bytes, dict[str, str]]] = {  # content, other files
    # bytes that are not UTF-8 text, or not allowed in YAML
    "latin-1 byte": (edit("name: bad", "name: caf\xe9").encode("latin-1"), {}),
    "UTF-16 file": (GOOD.encode("utf-16"), {}),
    "NUL byte": (edit("type: outage", "type: out\x00age").encode(), {}),
    "control character": (edit("type: outage", "type: out\x07age"), {}),
    "binary file": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", {}),
    # YAML structure
    "lists nested 1000 deep": (nested_lists(1000), {}),
    "mappings nested 100 deep": (nested_mappings(100), {}),
    "alias bomb": (alias_bomb(9), {}),
    "recursive alias": ("name: &a\n  - *a\n", {}),
    "undefined alias": (edit("severity: P1", "severity: *nope"), {}),
    "unclosed flow list": (edit("[{name: fix, duration: 30m}]", "[{name: fix, duration: 30m}"),
                           {}),
    "two documents": (GOOD + "---\nname: second\n", {}),
    "unhashable key": (edit("type: outage", "? [a, b]\n    : outage"), {}),
    "python object tag": (edit("type: outage", "type: !!python/object/apply:os.system [ls]"),
                          {}),
    "bad !!int": (edit("severity: P1", "severity: !!int abc"), {}),
    "tab indentation": ("name: x\n\tstart: 1\n", {}),
    "empty file": ("", {}),
    "a list, not a mapping": ("- a\n- b\n", {}),
    # size: refused at once, never read whole
    "10 MB of lines": (GOOD + "# padding\n" * MB, {}),
    "10 MB on one line": (GOOD + "#" + "x" * 10 * MB, {}),
    # the calendar
    "February 30 (YAML date)": (edit('start: "2026-06-01T09:00"', "start: 2026-02-30 09:00:00"),
                                {}),
    "February 30 (quoted)": (edit('start: "2026-06-01T09:00"', 'start: "2026-02-30T09:00"'),
                             {}),
    "February 29 in 2026": (edit("  severities:", "  business_hours: {holidays: [2026-02-29]}\n"
                                                  "  severities:"), {}),
    "month 13": (edit('handoff: "2026-01-05T09:00"', 'handoff: "2026-13-05T09:00"'), {}),
    "24:61": (edit("  severities:", '  business_hours: {windows: [{start: "09:00", end: "24:61"}]}'
                                   "\n  severities:"), {}),
    "year 9999": (edit('start: "2026-06-01T09:00"', 'start: "9999-12-31T23:00"'), {}),
    "year 1": (edit('start: "2026-06-01T09:00"', 'start: "0001-01-01T00:00"'), {}),
    "incident before the start": (edit("severity: P1\n", 'severity: P1\n    at: "2026-05-01T09:00"\n'),
                                  {}),
    "override ends before it starts": (edit("  escalation_policies:", (
        '      overrides: [{responder: a, start: "2026-02-02T09:00", end: "2026-02-01T09:00"}]\n'
        "  escalation_policies:")), {}),
    # numbers: finite, and within reach
    "duration .inf": (edit("duration: 30m", "duration: .inf"), {}),
    "duration .nan": (edit("duration: 30m", "duration: .nan"), {}),
    "duration 1e300": (edit("duration: 30m", "duration: 1.0e+300"), {}),
    "mean .inf": (edit("delay: 2m}", "delay: {dist: exponential, mean: .inf}}"), {}),
    "lognormal mu 1e6": (edit("delay: 2m}", "delay: {dist: lognormal, mu: 1000000, sigma: 1}}"),
                         {}),
    "Weibull shape 0.001": (edit("delay: 2m}", "delay: {dist: weibull, shape: 0.001, scale: 5m}}"),
                            {}),
    "miss probability .nan": (edit("- {id: a}", "- {id: a, miss_probability: .nan}"), {}),
    "speed .inf": (edit("- {id: a}", "- {id: a, speed: .inf}"), {}),
    "hourly rate .inf": (edit("  severities:", "  hourly_rate: .inf\n  severities:"), {}),
    "option success .nan": (edit("phases: [{name: fix, duration: 30m}]", (
        "phases: [{name: fix, options: [{name: roll back, duration: 10m, success: .nan}]}]")),
        {}),
    "fact odds .nan": (edit("severity: P1\n", "severity: P1\n    facts: {deployment: .nan}\n"), {}),
    "symptom .inf": (edit("severity: P1\n", "severity: P1\n    symptoms: {errors: .inf}\n"), {}),
    "rate inf/d": (workload(rate="inf/d"), {}),
    "rate of a million a day": (workload(rate="1000000/d", horizon="90d"), {}),
    "severity weight .nan": (workload(severity_mix="{P1: .nan}"), {}),
    "weekday profile .inf": (workload(weekday_profile="[1, 1, 1, 1, 1, 1, .inf]"), {}),
    # the organisation a scenario names
    "organisation file missing": (HEAD + "org: teams/demo-org.yaml\n" + INCIDENTS, {}),
    "bundled organisation misspelt": (HEAD + "org: three-tier-team\n" + INCIDENTS, {}),
    "organisation file broken": (HEAD + "org: org.yaml\n" + INCIDENTS,
                                 {"org.yaml": "name: [unclosed\n"}),
    # roles, and the names tasks, status updates and assessors use
    "unknown role in a task": (edit("P1: {escalation_policy: main}", (
        "P1: {escalation_policy: main, deadlines: [{name: notes, within: 1h, task: {role: scribe}}]}"
    )), {}),
    "unknown skill in a task": (edit("P1: {escalation_policy: main}", (
        "P1: {escalation_policy: main, deadlines: [{name: notes, within: 1h, task: {skill: dba}}]}"
    )), {}),
    "task with a role and a skill": (edit("  severities:", (
        "  roles: [{id: scribe, rotation: r}]\n  severities:")).replace(
        "P1: {escalation_policy: main}", "P1: {escalation_policy: main, deadlines: [{name: notes, "
        "within: 1h, task: {role: scribe, skill: dba}}]}"), {}),
    "unknown role for status updates": (edit("P1: {escalation_policy: main}", (
        "P1: {escalation_policy: main, status_updates: {every: 30m, role: comms}}")), {}),
    "status updates every .inf": (edit("P1: {escalation_policy: main}", (
        "P1: {escalation_policy: main, status_updates: .inf}")), {}),
    "role from an unknown rotation": (edit("  severities:", (
        "  roles: [{id: lead, rotation: leads}]\n  severities:")), {}),
    "role nobody can fill": (edit("  severities:", "  roles: [{id: lead}]\n  severities:"), {}),
    "role delay .nan": (edit("  severities:", (
        "  roles: [{id: lead, rotation: r, delay: .nan}]\n  severities:")), {}),
    "role named twice": (edit("  severities:", (
        "  roles: [{id: lead, rotation: r}, {id: lead, rotation: r}]\n  severities:")), {}),
    "unknown assessor role": (edit("signals: [{channel: alert, delay: 2m}]", (
        "signals: [{channel: alert, delay: 2m, assessor: {role: triage}}]")), {}),
    "sleep miss probability .nan": (edit("- {id: a}", "- {id: a, sleep_miss_probability: .nan}"),
                                    {}),
    "asleep acknowledgement .inf": (edit("- {id: a}", "- {id: a, ack_delay: {sleep: .inf}}"), {}),
    "holidays of an unknown country": (edit("  severities:", (
        "  business_hours: {holidays: {country: XX}}\n  severities:")), {}),
    "impact on .nan of users": (edit("P1: {escalation_policy: main}", (
        "P1: {escalation_policy: main, impact: {affected: .nan}}")), {}),
    # shapes
    "severity is a list": (edit("severity: P1", "severity: [P1]"), {}),
    "incidents is a mapping": (edit("  - type: outage\n    severity: P1",
                                    "  first:\n    type: outage\n    severity: P1"), {}),
    "neither incidents nor workload": (GOOD.split("incidents:")[0], {}),
    "capacity in words": (edit("- {id: a}", "- {id: a, capacity: lots}"), {}),
    "yes as a duration": (edit("delay: 2m}", "delay: yes}"), {}),
}


MESSAGES = {  # the one line each file gets, from `validate` and `run` alike
    'latin-1 byte': (
        'case.yaml:1: not UTF-8 text: byte 0xe9 cannot start or continue a character; save the file as '
        'UTF-8'),
    'UTF-16 file': (
        'case.yaml:1: not UTF-8 text: byte 0xff cannot start or continue a character; save the file as '
        'UTF-8'),
    'NUL byte': 'case.yaml:20: YAML cannot hold the character #x0000',
    'control character': 'case.yaml:20: YAML cannot hold the character #x0007',
    'binary file': (
        'case.yaml:1: not UTF-8 text: byte 0x89 cannot start or continue a character; save the file as '
        'UTF-8'),
    'lists nested 1000 deep': 'case.yaml:2: nested more than 64 levels deep',
    'mappings nested 100 deep': 'case.yaml:65: nested more than 64 levels deep',
    'alias bomb': 'case.yaml:2: aliases expand to more than 100,000 values',
    'recursive alias': 'case.yaml:1: aliases expand to nesting more than 64 levels deep',
    'undefined alias': "case.yaml:21: found undefined alias 'nope'",
    'unclosed flow list': "case.yaml:24: YAML syntax: did not find expected ',' or ']'",
    'two documents': (
        'case.yaml:24: expected a single document in the stream, but found another document'),
    'unhashable key': 'case.yaml:20: found unhashable key',
    'python object tag': (
        'case.yaml:20: incidents[0].type: could not determine a constructor for the tag '
        "'tag:yaml.org,2002:python/object/apply:os.system'"),
    'bad !!int': (
        "case.yaml:21: incidents[0].severity: 'abc' is not a YAML int (invalid literal for int() with "
        "base 10: 'abc')"),
    'tab indentation': "case.yaml:2: YAML syntax: found a tab character that violates indentation",
    'empty file': 'case.yaml:1: expected a mapping of fields at the top level',
    'a list, not a mapping': 'case.yaml:1: expected a mapping of fields at the top level',
    '10 MB of lines': (
        'case.yaml:209690: the file is larger than 2 MB, the most a scenario or organisation file may '
        'hold; this line is past the limit'),
    '10 MB on one line': (
        'case.yaml:24: the file is larger than 2 MB, the most a scenario or organisation file may hold; '
        'this line is past the limit'),
    'February 30 (YAML date)': (
        "case.yaml:2: start: '2026-02-30 09:00:00' is not a date or time (day is out of range for "
        'month)'),
    'February 30 (quoted)': (
        'case.yaml:2: start: input should be a valid datetime or date, day value is outside expected '
        "range, found '2026-02-30T09:00'"),
    'February 29 in 2026': (
        "case.yaml:17: org.business_hours.holidays[0]: '2026-02-29' is not a date or time (day is out "
        'of range for month)'),
    'month 13': (
        'case.yaml:12: org.rotations[0].layers[0].handoff: input should be a valid datetime or date, '
        "month value is outside expected range of 1-12, found '2026-13-05T09:00'"),
    '24:61': (
        "case.yaml:17: org.business_hours.windows[0].end: expected a time of day such as '09:00', found "
        "'24:61'"),
    'year 9999': (
        'case.yaml:2: start: expected an instant between the years 1900 and 2200, found '
        '9999-12-31T23:00:00'),
    'year 1': (
        'case.yaml:2: start: expected an instant between the years 1900 and 2200, found '
        '0001-01-01T00:00:00'),
    'incident before the start': (
        "case.yaml:22: incidents[0].at: 2026-05-01T09:00:00 is before the scenario's start "
        '(2026-06-01T09:00:00); give a later instant, or a duration after the start'),
    'override ends before it starts': (
        'case.yaml:13: org.rotations[0].overrides[0]: an override must end after it starts'),
    'duration .inf': (
        "case.yaml:23: incidents[0].phases[0].duration: expected a finite duration such as '15m', found "
        'inf'),
    'duration .nan': (
        "case.yaml:23: incidents[0].phases[0].duration: expected a finite duration such as '15m', found "
        'nan'),
    'duration 1e300': (
        'case.yaml:23: incidents[0].phases[0].duration: expected a duration of at most 100 years, found '
        '1e+300'),
    'mean .inf': (
        "case.yaml:22: incidents[0].signals[0].delay.mean: expected a finite duration such as '15m', "
        'found inf'),
    'lognormal mu 1e6': (
        'case.yaml:22: incidents[0].signals[0].delay: these parameters give a mean duration of more '
        'than 100 years'),
    'Weibull shape 0.001': (
        'case.yaml:22: incidents[0].signals[0].delay: these parameters give a mean duration of more '
        'than 100 years'),
    'miss probability .nan': (
        'case.yaml:7: org.responders[0].miss_probability: input should be a finite number, found nan'),
    'speed .inf': 'case.yaml:7: org.responders[0].speed: input should be a finite number, found inf',
    'hourly rate .inf': 'case.yaml:17: org.hourly_rate: input should be a finite number, found inf',
    'option success .nan': (
        'case.yaml:23: incidents[0].phases[0].options[0].success: input should be a finite number, '
        'found nan'),
    'fact odds .nan': (
        'case.yaml:22: incidents[0].facts.deployment: input should be a finite number, found nan'),
    'symptom .inf': (
        'case.yaml:22: incidents[0].symptoms.errors: input should be a finite number, found inf'),
    'rate inf/d': (
        'case.yaml:23: workload.types[0].rate: a rate needs a finite count >= 0 and a positive period, '
        "found 'inf/d'"),
    'rate of a million a day': (
        'case.yaml:19: workload: these rates give about 90,000,000 incidents per replication; a '
        'workload may have at most 200,000'),
    'severity weight .nan': (
        'case.yaml:24: workload.types[0].severity_mix.P1: input should be a finite number, found nan'),
    'weekday profile .inf': (
        'case.yaml:21: workload.weekday_profile[6]: input should be a finite number, found inf'),
    'organisation file missing': 'case.yaml:4: org: teams/demo-org.yaml: no such file',
    'bundled organisation misspelt': (
        "case.yaml:4: org: three-tier-team: no bundled file named 'three-tier-team' (did you mean "
        "'three-tier-teams'?); `drillsim scenarios list` shows them, and a file of your own needs its "
        'folder or suffix, e.g. ./three-tier-team.yaml'),
    'organisation file broken': "org.yaml:2: YAML syntax: did not find expected ',' or ']'",
    'unknown role in a task': (
        "case.yaml:18: org.severities.P1.deadlines[0].task.role: unknown role 'scribe'"),
    'unknown skill in a task': (
        "case.yaml:18: org.severities.P1.deadlines[0].task.skill: unknown skill 'dba'"),
    'task with a role and a skill': (
        "case.yaml:19: org.severities.P1.deadlines[0].task: give a task a 'role' or a 'skill', not "
        "both"),
    'unknown role for status updates': (
        "case.yaml:18: org.severities.P1.status_updates.role: unknown role 'comms'"),
    'status updates every .inf': (
        "case.yaml:18: org.severities.P1.status_updates: expected a finite duration such as '15m', "
        "found inf"),
    'role from an unknown rotation': "case.yaml:17: org.roles[0].rotation: unknown rotation 'leads'",
    'role nobody can fill': (
        'case.yaml:17: org.roles[0]: say who fills the role: a skill, a team, a rotation or an '
        'escalation_policy'),
    'role delay .nan': (
        "case.yaml:17: org.roles[0].delay: expected a finite duration such as '15m', found nan"),
    'role named twice': "case.yaml:17: org.roles[1].id: duplicate id 'lead'",
    'unknown assessor role': (
        "case.yaml:22: incidents[0].signals[0].assessor.role: unknown role 'triage'"),
    'sleep miss probability .nan': (
        'case.yaml:7: org.responders[0].sleep_miss_probability: input should be a finite number, '
        'found nan'),
    'asleep acknowledgement .inf': (
        "case.yaml:7: org.responders[0].ack_delay.sleep: expected a finite duration such as '15m', "
        "found inf"),
    'holidays of an unknown country': (
        "case.yaml:17: org.business_hours.holidays.country: unknown country 'XX'; expected an ISO "
        "3166 code the holidays package knows, such as 'GB', 'US' or 'DE'"),
    'impact on .nan of users': (
        'case.yaml:18: org.severities.P1.impact.affected: input should be a finite number, found '
        'nan'),
    'severity is a list': 'case.yaml:21: incidents[0].severity: expected text',
    'incidents is a mapping': 'case.yaml:19: incidents: expected a list',
    'neither incidents nor workload': (
        "case.yaml:1: give either 'incidents' or a 'workload', not both and not neither"),
    'capacity in words': (
        'case.yaml:7: org.responders[0].capacity: input should be a valid integer, unable to parse '
        "string as an integer, found 'lots'"),
    'yes as a duration': (
        "case.yaml:22: incidents[0].signals[0].delay: expected a duration such as '5m', or a "
        'distribution such as {dist: exponential, mean: 5m}, found True'),
}


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail instead of hanging: a bad file is refused or read quickly, never ground through."""
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_the_corpus_covers_each_class_of_mistake():
    assert len(CORPUS) >= 40
    assert MESSAGES.keys() == CORPUS.keys()


@pytest.mark.parametrize("case", CORPUS)
def test_every_malformed_file_gets_one_message_with_its_line_from_run_and_validate(
        tmp_path, monkeypatch, case):
    content, files = CORPUS[case]
    monkeypatch.chdir(tmp_path)
    Path("case.yaml").write_bytes(content if isinstance(content, bytes) else content.encode())
    for name, text in files.items():
        Path(name).write_text(text, encoding="utf-8")
    for args in (["validate", "case.yaml"],
                 ["run", "case.yaml", "--reps", "1", "--workers", "1", "--out", "results"]):
        with deadline(5):
            result = invoke(*args)
        assert result.exit_code == 2, (args, result.output, result.exception)
        assert result.stderr.splitlines() == [f"error: {MESSAGES[case]}"], args
        assert re.match(r"[\w.-]+\.yaml:\d+: ", MESSAGES[case])  # names the file and the line
        assert result.stdout == ""
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["case.yaml", *files])


@pytest.mark.parametrize(("args", "message"), [
    (["run", "demo", "--reps", "1000000000000"],
     "Invalid value for '--reps': 1000000000000 is not in the range 1<=x<=1000000."),
    (["run", "demo", "--seed", "-1"], "Invalid value for '--seed': -1 is not in the range x>=0."),
    (["run", "demo", "--workers", "0"],
     "Invalid value for '--workers': 0 is not in the range 1<=x<=256."),
    (["report", "monthly", "history.csv", "--out", "m.md", "--uptime-target", "nan"],
     "error: --uptime-target: expected a number in 0..100"),
    (["report", "monthly", "history.csv", "--out", "m.md", "--mttr-target", "inf"],
     "error: --mttr-target: expected a duration such as '90s', '15m', '2h', '1d' or '1h30m', "
     "found 'inf'"),
])
def test_impossible_options_are_refused_before_any_work(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    with deadline(5):
        result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("case", CASES)
def test_each_mistake_gets_its_own_clear_message_and_exit_2(tmp_path, monkeypatch, case):
    (old, new), expected = CASES[case]
    assert old in GOOD
    monkeypatch.chdir(tmp_path)
    Path("case.yaml").write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    for args in (["run", "case.yaml", "--reps", "1", "--out", "results"], ["validate", "case.yaml"]):
        with deadline(5):
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
    ("name: x\n\tstart: 1\n", "case.yaml:2: YAML syntax: found a tab character that violates "
                              "indentation"),
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
