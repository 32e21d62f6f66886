"""The summary of a run as plain data: what `--format json` prints and reports render."""

from __future__ import annotations

from typing import Any

from drillsim.sim import metrics
from drillsim.sim.runner import Run


def run_summary(run: Run) -> dict[str, Any]:
    """Scenario, settings, metric spreads (minutes) and SLA attainment (shares in 0..1)."""
    incidents = run.records.incidents
    table = metrics.summary_table(incidents, seed=run.seed)
    return {
        "scenario": run.bundle.scenario.name,
        "organisation": run.bundle.org.name,
        "currency": run.bundle.org.currency,  # of the incidents' `cost` column
        "replications": run.replications,
        "seed": run.seed,
        "incidents": len(incidents),
        **metrics.outstanding(incidents),
        "metrics": {key: _finite(s.as_dict()) for key, s in table.items()},
        "sla": metrics.sla_attainment(incidents),
        "by_severity": metrics.by_severity(incidents),
        "deadlines": metrics.deadline_attainment(run.records.deadlines),
    }


def _finite(values: dict[str, Any]) -> dict[str, Any]:
    """NaN has no JSON spelling: a metric with no observations reports null."""
    def clean(v: Any) -> Any:
        if isinstance(v, list):
            return [clean(x) for x in v]
        return None if isinstance(v, float) and v != v else v

    return {k: clean(v) for k, v in values.items()}
