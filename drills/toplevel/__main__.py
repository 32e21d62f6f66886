"""`python -m drillsim`: the same as the `drillsim` command.

This folder is the `drillsim` namespace itself (see pyproject's package-dir): it holds no
`__init__.py`, so `drillsim` stays a namespace over scenarios, sim, reports and drills."""

from drillsim.drills.cli import main

main()
