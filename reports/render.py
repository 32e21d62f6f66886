"""Rendering report data through Jinja2 templates to Markdown or self-contained HTML.

Scenario text is untrusted: it only ever arrives as data, HTML is autoescaped and Markdown
goes through `md`, so a name holding `<script>` or `{{ ... }}` prints as itself. A user's own
template runs in Jinja2's sandbox."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from drillsim.reports.files import write_text
from drillsim.scenarios.durations import format_duration, format_span
from drillsim.scenarios.errors import InputError, Problem
from drillsim.sim.intervals import BATCH_MEANS

if TYPE_CHECKING:
    from drillsim.sim.metrics import Share
    from drillsim.sim.summary import OnCallLoad, RunSummary

FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#<>$~])")  # `$` would start mathematics on GitHub


def md(value: Any) -> str:
    """Text safe inside Markdown: markup characters escaped, so it renders as typed."""
    return _MD_SPECIAL.sub(r"\\\1", str(value)).replace("\n", " ")


def share(value: Share | None, with_n: bool = True) -> str:
    """A share with its n and 95% interval, `92% (n=236, 88–95%)` (`92% (88–95%)` where a
    column already gives n); the interval is rounded outwards, never to look narrower."""
    if value is None:
        return "–"
    low = math.floor(round(100 * value.ci.low, 6))
    high = math.ceil(round(100 * value.ci.high, 6))
    n = f"n={value.n}, " if with_n else ""
    return f"{value.value:.0%} ({n}{low}–{high}%)"


def tally(counts: Mapping[str, int], leave_out: tuple[str, ...] = ()) -> str:
    """Counts by reason or status, `2 policy exhausted, 1 nobody on call` (`–` if none)."""
    shown = [f"{n} {name}" for name, n in counts.items() if n and name not in leave_out]
    return ", ".join(shown) or "–"


LOAD_SHOWN = ("pages", "night_pages", "off_hours_pages", "minutes_engaged")
NO_INCIDENTS = ("No incident started in any replication, so there is nothing to measure: raise "
                "the workload's rates or horizon, or run more replications.")


def load_ci(load: OnCallLoad, measure: str) -> str:
    """The 95% interval of a responder's mean load per replication, `24.7–35.3` pages or
    `1h 10m – 2h 05m` engaged (`–` from a single replication)."""
    ci = load.ci[measure]
    if ci is None:
        return "–"
    return format_span(*ci) if measure == "minutes_engaged" else f"{ci[0]:.1f}–{ci[1]:.1f}"


def load_mean(load: OnCallLoad, measure: str) -> str:
    """A responder's mean load per replication: pages to one decimal, time as a duration."""
    value = load.mean[measure]
    return format_duration(value) if measure == "minutes_engaged" else f"{value:.1f}"


def ci_note(summary: RunSummary) -> str:
    """How the intervals were made, in a sentence."""
    units = max((s.ci.units for s in summary.metrics if s.ci is not None), default=0)
    if units == 0:
        return "No intervals: no incident reached the end of any metric."
    if summary.ci_method == BATCH_MEANS:
        means = (f"Student t over {units} batch means (batches of consecutive incidents in the "
                 "one replication)")
    else:
        means = f"Student t over the means of {units} replications"
    return (f"95% CIs: means by {means}; shares by Wilson score on n incidents or deadline "
            "occurrences, widened for how alike neighbouring incidents are.")


def _span(pair: Any, signed: bool = False) -> str:
    if pair is None:
        return "–"
    low, high = pair
    return format_span(low, high, signed=signed)


def _filters(env: Environment) -> Environment:
    env.filters.update(md=md, minutes=format_duration, span=_span, share=share, tally=tally,
                       load_mean=load_mean, load_ci=load_ci, svg=Markup)
    return env


def environment() -> Environment:
    """The environment for the bundled templates."""
    return _filters(Environment(loader=PackageLoader("drillsim.reports", "templates"),
                                autoescape=select_autoescape(["html", "htm", "html.j2"]),
                                undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                keep_trailing_newline=True))


def format_of(path: str | Path) -> str:
    """`md` or `html` from a file name, or a clear error."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError([Problem(str(path), None, "", "a report must end in .md or .html")])
    return FORMATS[suffix]


def render(kind: str, fmt: str, data: dict[str, Any], template: str | Path | None = None) -> str:
    """Report `kind` (run, periodic, incident, comparison) as Markdown or HTML."""
    if template is not None:
        sandbox = _filters(SandboxedEnvironment(autoescape=fmt == "html",
                                                undefined=StrictUndefined))
        return sandbox.from_string(Path(template).read_text(encoding="utf-8")).render(**data)
    return environment().get_template(f"{kind}.{fmt}.j2").render(**data)


def write_report(path: str | Path, kind: str, data: dict[str, Any]) -> Path:
    """Render and write a report in one step; the format follows the file's suffix."""
    write_text(path, render(kind, format_of(path), data))
    return Path(path)
