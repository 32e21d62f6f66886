"""Printable documents as sections of blocks, rendered through one Markdown and one HTML
template, and the folder drillsim writes them into. A document folder is recognised by its
manifest; drillsim replaces only the files its manifest lists (with --force) and refuses a folder
holding anything else."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from drillsim.drills.output import MANIFEST, replaced_by_writing
from drillsim.reports.files import staged_folder


@dataclass(frozen=True)
class Block:
    """One block: `p` (text), `h` (sub-heading), `list`, `checks` (tick boxes), `table`,
    `pre` (verbatim lines, e.g. an alert), `fields` (labels with a blank line to write on)."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    numeric: tuple[int, ...] = ()
    title: str = ""
    lines: tuple[str, ...] = ()


def p(text: str) -> Block:
    return Block("p", text=text)


def h(text: str) -> Block:
    return Block("h", text=text)


def bullets(items: Iterable[str]) -> Block:
    return Block("list", items=tuple(items))


def checks(items: Iterable[str]) -> Block:
    return Block("checks", items=tuple(items))


def fields(items: Iterable[str]) -> Block:
    return Block("fields", items=tuple(items))


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]],
          numeric: Sequence[int] = ()) -> Block:
    return Block("table", columns=tuple(columns),
                 rows=tuple(tuple("" if c is None else str(c) for c in r) for r in rows),
                 numeric=tuple(numeric))


def pre(title: str, text: str) -> Block:
    return Block("pre", title=title, lines=tuple(text.splitlines()))


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]
    new_page: bool = False  # printed, the section starts on a new page


@dataclass(frozen=True)
class Document:
    """A document written as `{name}.md` and `{name}.html`."""

    name: str
    title: str
    lead: str
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def render(self, fmt: str) -> str:
        from drillsim.reports.render import render

        data = {"title": self.title, "lead": self.lead,
                "sections": [asdict(s) for s in self.sections]}
        return render("document", fmt, data)


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV with a header row, `\\n` line ends, None as empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if c is None else c for c in row])
    return out.getvalue()


def slug(text: str) -> str:
    """A file-name-safe form of a role or title."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def earlier_documents(folder: str | Path, force: bool, kind: str) -> list[str]:
    """The files of an earlier `kind` document set in `folder` that writing there replaces."""
    def listed(manifest: Any) -> list[str]:
        if manifest["kind"] != kind:
            raise KeyError(kind)
        return [str(f) for f in manifest["files"] if "/" not in str(f)]

    return replaced_by_writing(
        folder, force, listed,
        f"is not empty and holds no drillsim {kind} documents (no manifest.json of theirs); "
        "choose a new or empty folder for --out",
        f"holds an earlier {kind} document set; pass --force to replace it (other files "
        "there are kept)")


def write_folder(folder: str | Path, kind: str, files: dict[str, str], about: dict[str, Any],
                 force: bool) -> list[str]:
    """Write `files` (name -> text) and a manifest listing them into `folder`, all or nothing;
    returns the names written, manifest last."""
    replaces = earlier_documents(folder, force, kind)
    with staged_folder(folder, replaces, last=MANIFEST) as staging:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8", newline="")
        manifest = {"kind": kind, **about, "files": sorted(files)}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return [*sorted(files), MANIFEST]


def rendered(documents: Iterable[Document]) -> dict[str, str]:
    """Each document as Markdown and HTML, by file name."""
    out: dict[str, str] = {}
    for doc in documents:
        for fmt in ("md", "html"):
            out[f"{doc.name}.{fmt}"] = doc.render(fmt)
    return out
