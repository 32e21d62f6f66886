"""The code passes `make lint`: ruff, and mypy with drillsim's own modules resolved across
packages (an import of `drillsim.sim` read as `sim/`, not as an unknown module typed Any)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lint_passes() -> None:
    done = subprocess.run(["make", "-s", "lint"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout
