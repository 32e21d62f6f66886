"""Response hypotheses: an on-call policy written as statements a simulation can test, such as
"P1 acknowledged within 5 minutes at p90" or "no responder above 7 sleep-hour pages a month".

A hypotheses file names the scenario (and optionally the organisation) to run, how many
replications and the seed, and lists the hypotheses. Each hypothesis is exactly one of:
- `metric` with a `statistic` (mean, median, p50, p90, p99, any pNN): a duration limit;
- `metric` with `within` (a duration): the share of incidents within it, a share limit;
- `attainment` (a target the severity sets: acknowledge, first_response, mitigate, resolve):
  the share of incidents meeting the organisation's own target, a share limit;
- `load` (a per-responder figure a month, see LOAD_MEASURES): a limit every responder keeps.
Each gives its limit as `at_most` or `at_least`: durations as `5m`, shares as `95%` or 0.95."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from drillsim.scenarios.base import Frozen
from drillsim.scenarios.durations import parse_duration
from drillsim.scenarios.errors import InputError, Problem, nearest
from drillsim.scenarios.measures import METRICS, TARGETS
from drillsim.scenarios.scenario import Bundle

MAX_REPLICATIONS = 100_000
EXAMPLES = ("example-policy",)  # bundled hypotheses files, by name
LOAD_MEASURES = {
    "pages": "pages a month",
    "business_pages": "business-hour pages a month (08–18)",
    "off_hours_pages": "off-hour pages a month (18–22)",
    "sleep_pages": "sleep-hour pages a month (22–08)",
    "interruptions": "out-of-hours pages a month (18–08)",
    "person_hours": "person-hours on incidents a month",
    "incidents_per_shift": "incidents per 12 hours on call",
}
_PERCENTILE = re.compile(r"p(\d{1,2}(?:\.\d+)?)")


def percentile_of(statistic: str) -> float | None:
    """The percentile a statistic names (p90 -> 90, median -> 50); None for the mean."""
    if statistic == "median":
        return 50.0
    match = _PERCENTILE.fullmatch(statistic)
    return float(match[1]) if match else None


def parse_share(value: Any) -> float:
    """`95%`, `99.5%` or a number in 0..1."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            share = float(value.strip()[:-1]) / 100
        except ValueError:
            share = -1.0
    elif isinstance(value, int | float) and not isinstance(value, bool):
        share = float(value)
    else:
        share = -1.0
    if not 0 <= share <= 1:
        raise ValueError(f"expected a share such as '95%' or 0.95, found {value!r}")
    return share


class Hypothesis(Frozen):
    """One statement about the simulated response, with the limit it must keep."""

    name: str = Field(min_length=1)
    severity: str | None = Field(default=None, description="all severities when left out")
    metric: str | None = None
    statistic: str = "mean"
    within: float | None = Field(default=None, description="a duration: share of incidents within")
    attainment: str | None = None
    load: str | None = None
    at_most: Any = None
    at_least: Any = None

    @field_validator("metric")
    @classmethod
    def _metric(cls, value: str | None) -> str | None:
        names = [m.name for m in METRICS] + [m.key for m in METRICS]
        if value is not None and value not in names:
            raise ValueError(f"unknown metric {value!r}{nearest(value, names)}; expected one of "
                             f"{', '.join(m.name for m in METRICS)}")
        return None if value is None else next(m.name for m in METRICS if value in (m.key, m.name))

    @field_validator("statistic")
    @classmethod
    def _statistic(cls, value: str) -> str:
        share = percentile_of(value)
        if value != "mean" and (share is None or not 0 < share < 100):
            raise ValueError(f"expected mean, median or a percentile such as p90, found {value!r}")
        return value

    @field_validator("within", mode="before")
    @classmethod
    def _within(cls, value: Any) -> Any:
        return None if value is None else parse_duration(value)

    @field_validator("attainment")
    @classmethod
    def _attainment(cls, value: str | None) -> str | None:
        names = [t.name for t in TARGETS]
        if value is not None and value not in names:
            raise ValueError(f"unknown target {value!r}{nearest(value, names)}; expected one of "
                             f"{', '.join(names)}")
        return value

    @field_validator("load")
    @classmethod
    def _load(cls, value: str | None) -> str | None:
        if value is not None and value not in LOAD_MEASURES:
            raise ValueError(f"unknown load measure {value!r}{nearest(value, LOAD_MEASURES)}; "
                             f"expected one of {', '.join(LOAD_MEASURES)}")
        return value

    @field_validator("at_most", "at_least")
    @classmethod
    def _limit(cls, value: Any, info: ValidationInfo) -> Any:
        """The limit in its unit: minutes, a share in 0..1, or a number a month."""
        if value is None:
            return None
        data = info.data
        if data.get("load") is not None:
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"expected a number of at least 0, found {value!r}")
            return float(value)
        if data.get("attainment") is not None or data.get("within") is not None:
            return parse_share(value)
        if data.get("metric") is not None:
            return parse_duration(value)
        return value  # the statement itself is wrong, and reported

    @model_validator(mode="after")
    def _one_statement(self) -> Hypothesis:
        given = [k for k in ("metric", "attainment", "load") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'metric', 'attainment' or 'load'"
                             + (f", found {' and '.join(given)}" if given else ""))
        if (self.at_most is None) == (self.at_least is None):
            raise ValueError("give exactly one limit: 'at_most' or 'at_least'")
        if self.within is not None and self.metric is None:
            raise ValueError("'within' goes with 'metric'")
        if self.load is not None and self.severity is not None:
            raise ValueError("'load' counts every page, of every severity: leave out 'severity'")
        return self

    @property
    def kind(self) -> Literal["statistic", "within", "attainment", "load"]:
        if self.load is not None:
            return "load"
        if self.attainment is not None:
            return "attainment"
        return "within" if self.within is not None else "statistic"

    @property
    def upper(self) -> bool:
        """Whether the limit is an upper bound (`at_most`)."""
        return self.at_most is not None

    @property
    def limit(self) -> float:
        """The limit in its unit: minutes, a share in 0..1, or a number a month."""
        return float(self.at_most if self.at_most is not None else self.at_least)


class HypothesesFile(Frozen):
    """What to run and what must hold of it."""

    scenario: str
    org: str | None = None
    replications: int = Field(default=200, ge=1, le=MAX_REPLICATIONS)
    seed: int = Field(default=1, ge=0)
    hypotheses: tuple[Hypothesis, ...] = Field(min_length=1)


def load_hypotheses(path: str | Path, replications: int | None = None,
                    org: str | None = None) -> tuple[HypothesesFile, Bundle]:
    """A hypotheses file and the scenario it names (paths relative to the file), checked
    against the organisation: every problem at once, each with the file's line and field."""
    from drillsim.scenarios.document import Document, is_bundled_name, read_document, resolve
    from drillsim.scenarios.loader import load
    from drillsim.scenarios.schema import check_model

    if is_bundled_name(path):  # the bundled examples live with the starter files
        from importlib import resources

        entry = resources.files("drillsim.scenarios.starter") / f"{path}.yaml"
        if not entry.is_file():
            raise InputError([Problem(str(path), None, "", (
                f"no such file, and no bundled hypotheses of that name{nearest(str(path), EXAMPLES)}"
                f"; the bundled ones are {', '.join(EXAMPLES)}"))])
        doc, folder = Document(str(path), entry.read_text(encoding="utf-8")), Path(".")
    else:
        doc, folder = read_document(path), Path(path).parent
    checked = check_model(doc, HypothesesFile, doc.data)
    if checked.model is None or checked.problems:
        raise InputError(checked.problems)
    spec = checked.model
    if replications is not None:
        spec = spec.model_copy(update={"replications": replications})
    found: dict[str, Path | None] = {"scenario": None, "org": None}
    for field, name in (("scenario", spec.scenario), ("org", spec.org)):
        if name is not None and not (field == "org" and org):
            try:
                found[field] = resolve(name, folder)
            except InputError as exc:
                raise InputError([doc.problem((field,), p.message)
                                  for p in exc.problems]) from None
    assert found["scenario"] is not None
    bundle = load(found["scenario"], org or found["org"])
    problems = []
    severities = list(bundle.org.severities)
    for i, h in enumerate(spec.hypotheses):
        at = ("hypotheses", i)
        if h.severity is not None and h.severity not in bundle.org.severities:
            problems.append(doc.problem((*at, "severity"), (
                f"unknown severity {h.severity!r}{nearest(h.severity, severities)}; the "
                f"organisation's ladder is {', '.join(severities)}")))
            continue
        if h.attainment is not None:
            setting = [s for s in ([h.severity] if h.severity else severities)
                       if getattr(bundle.org.severities[s].targets, h.attainment) is not None]
            if not setting:
                problems.append(doc.problem((*at, "attainment"), (
                    f"{h.severity or 'no severity'} sets no {h.attainment} target in "
                    f"{bundle.org.name!r}")))
        if h.load is not None and bundle.scenario.workload is None:
            problems.append(doc.problem((*at, "load"), "load needs a workload scenario "
                                        "(incidents over a horizon), not a drill"))
    if problems:
        raise InputError(problems)
    return spec, bundle
