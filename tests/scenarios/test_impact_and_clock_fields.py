"""The impact, clock and holiday-calendar fields: what they accept, and one clear line per
mistake naming file, line and field, with exit status 2."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from drillsim.drills.cli import cli

ORG = textwrap.dedent("""\
    name: o
    business_hours:
      holidays: {country: GB, subdivision: ENG}
    responders:
      - {id: a}
    escalation_policies:
      - {id: main, levels: [{targets: [{responder: a}]}]}
    severities:
      P1:
        escalation_policy: main
        targets: {acknowledge: 4h, clock: business}
        impact: {affected: 0.3, mode: degraded}
    """)


def validate(tmp_path, text: str):
    (tmp_path / "org.yaml").write_text(text, encoding="utf-8")
    return CliRunner().invoke(cli, ["validate", str(tmp_path / "org.yaml")])


def test_the_fields_as_documented_validate(tmp_path):
    assert validate(tmp_path, ORG).exit_code == 0
    # a plain list of dates, as before calendars, still works
    plain = ORG.replace("{country: GB, subdivision: ENG}", '["2026-12-25", "2026-12-28"]')
    assert validate(tmp_path, plain).exit_code == 0


@pytest.mark.parametrize(("change", "message"), [
    (("country: GB", "country: XX"),
     "3: business_hours.holidays.country: unknown country 'XX'; expected an ISO 3166 code the "
     "holidays package knows, such as 'GB', 'US' or 'DE'"),
    (("subdivision: ENG", "subdivision: ENH"),
     "3: business_hours.holidays.subdivision: unknown subdivision 'ENH' of GB (did you mean "
     "'ENG'?); expected one of: ENG, NIR, SCT, WLS"),
    (("country: GB, ", ""),
     "3: business_hours.holidays.subdivision: a subdivision needs its 'country'"),
    (("clock: business", "clock: office"),
     "11: severities.P1.targets.clock: input should be 'wall' or 'business', found 'office'"),
    (("affected: 0.3", "affected: 30"),
     "12: severities.P1.impact.affected: input should be less than or equal to 1, found 30"),
    (("mode: degraded", "mode: slow"),
     "12: severities.P1.impact.mode: input should be 'down' or 'degraded', found 'slow'"),
])
def test_each_mistake_names_its_line_and_field(tmp_path, change, message):
    result = validate(tmp_path, ORG.replace(*change))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {tmp_path / 'org.yaml'}:{message}"]
