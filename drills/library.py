"""`drillsim scenarios show` and `copy`: a bundled file's YAML, and an editable copy of it whose
`org:` still finds the bundled organisation it was written for."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import click
import yaml
from rich.console import Console
from rich.syntax import Syntax

from drillsim.reports.files import write_text
from drillsim.scenarios.document import BUNDLED, LIBRARY, bundled
from drillsim.scenarios.errors import InputError, Problem, nearest

_ORG_LINE = re.compile(r"^org:[ \t]*(?P<ref>[^#\s{\[][^#\n]*?)[ \t]*(?P<comment>#.*)?$", re.M)


def bundled_text(name: str) -> str:
    """The YAML of the bundled file `name` (with or without `bundled:` and `.yaml`)."""
    key = name.removeprefix(BUNDLED).removesuffix(".yaml")
    names = [n for n, _, _ in bundled()]
    if key not in names:
        raise InputError([Problem(name, None, "", f"no bundled scenario or organisation {key!r}"
                                  f"{nearest(key, names)}; `drillsim scenarios list` names them")])
    return (resources.files(LIBRARY) / f"{key}.yaml").read_text(encoding="utf-8")


def editable(name: str) -> str:
    """The bundled file's text with a relative `org: FILE` pointed at the bundled organisation
    (`org: bundled:NAME`), so the copy runs from any folder."""
    names = {n for n, _, _ in bundled()}

    def point(match: re.Match[str]) -> str:
        ref = match["ref"].strip().strip("'\"")
        key = Path(ref).name.removesuffix(".yaml")
        if ref.startswith(BUNDLED) or key not in names or "/" in ref:
            return match[0]
        comment = f"  {match['comment']}" if match["comment"] else ""
        return f"org: {BUNDLED}{key}{comment}"

    return _ORG_LINE.sub(point, bundled_text(name), count=1)


def copy(name: str, folder: str | Path, force: bool) -> Path:
    """Write the editable copy as FOLDER/NAME.yaml; an existing file is kept unless `force`."""
    text = editable(name)
    target = Path(folder) / f"{name.removeprefix(BUNDLED).removesuffix('.yaml')}.yaml"
    if target.exists() and not force:
        raise InputError([Problem(str(target), None, "", "already exists; pass --force to "
                                  "overwrite")])
    write_text(target, text)
    return target


def show(name: str, fmt: str) -> None:
    """Print the bundled file: highlighted on a terminal, as is when piped, or as JSON."""
    text = bundled_text(name)
    if fmt == "json":
        click.echo(json.dumps(yaml.safe_load(text), indent=2, default=str))
        return
    console = Console()
    if console.is_terminal:
        console.print(Syntax(text, "yaml"))
    else:
        click.echo(text, nl=False)
