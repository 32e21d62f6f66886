"""Rendering report data through Jinja2 templates to Markdown or self-contained HTML.

Scenario text is untrusted: it only ever arrives as data, HTML is autoescaped and Markdown
goes through `md`, so a name holding `<script>` or `{{ ... }}` prints as itself. A user's own
template runs in Jinja2's sandbox."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from drillsim.reports.files import write_text
from drillsim.reports.units import format_share
from drillsim.scenarios.durations import format_duration, format_span
from drillsim.scenarios.errors import InputError, Problem

FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#<>$~])")  # `$` would start mathematics on GitHub


def md(value: Any) -> str:
    """Text safe inside Markdown: markup characters escaped, so it renders as typed."""
    return _MD_SPECIAL.sub(r"\\\1", str(value)).replace("\n", " ")


def _filters(env: Environment) -> Environment:
    env.filters.update(md=md, minutes=format_duration, span=lambda pair, signed=False: format_span(
        *pair, signed=signed), share=format_share, svg=Markup)
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
