"""Every example the README shows is the real output of the current code."""

from __future__ import annotations

import pytest

from tests.readme_examples import README, Step, fresh_block, run, sessions

EXAMPLES = sessions(README.read_text(encoding="utf-8"))


def test_the_readme_has_examples_of_each_command():
    commands = {step.command.split()[1] for _, steps in EXAMPLES for step in steps
                if step.command.startswith("drillsim ")}
    assert {"run", "validate", "scenarios", "report", "init", "--version"} <= commands


@pytest.mark.parametrize(("match", "steps"), EXAMPLES,
                         ids=[steps[0].command for _, steps in EXAMPLES])
def test_readme_example(match, steps: list[Step]):
    outputs = run(steps)
    if not all(step.matches(output) for step, output in zip(steps, outputs, strict=True)):
        pytest.fail("the README shows other output than the code now prints; run `make readme` "
                    "to rewrite the examples, or paste this:\n\n```text\n"
                    f"{fresh_block(steps, outputs)}```", pytrace=False)


def test_an_elided_example_matches_only_its_first_and_last_lines():
    step = Step("drillsim x", ("a", "b", "…", "z"))
    assert step.matches(["a", "b", "c", "d", "z"])
    assert not step.matches(["a", "b", "z"])  # nothing was left out
    assert not step.matches(["a", "c", "d", "z"])
    assert step.render(["a", "b2", "c", "d", "y"]) == ["$ drillsim x", "a", "b2", "…", "y"]
