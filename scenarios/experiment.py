"""What-if experiments: a baseline and named variants, each a set of overrides, from
`--vary` options (crossed with `--grid`, paired with `--zip`) or from an experiment file:

    scenario: demo            # a file (relative to this one) or a bundled name
    org: demo-org             # optional: the scenario's own by default
    reps: 200                 # optional, as --reps and --seed
    seed: 7
    baseline: {name: today}   # optional; `set:` here changes the baseline too
    variants:
      - name: five-minute escalation
        set: {escalation_delay: 5m}
      - name: six people on the primary
        set: {rotation_size: 6, "escalation_policies.platform.levels[0].delay": 5m}

Every variant is built and validated before anything runs; the problems of all of them are
reported at once."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from drillsim.scenarios.base import Frozen
from drillsim.scenarios.document import read_document, resolve
from drillsim.scenarios.errors import InputError, Problem
from drillsim.scenarios.names import Mapping
from drillsim.scenarios.overrides import Documents, Override, parse_vary, tokens
from drillsim.scenarios.scenario import Bundle
from drillsim.scenarios.schema import check_model

BASELINE = "baseline"


@dataclass(frozen=True)
class Variant:
    """A named set of overrides; `params` are its parameter columns (path -> value as written)."""

    name: str
    overrides: tuple[Override, ...] = ()

    @property
    def params(self) -> dict[str, str]:
        return {o.path: o.text for o in self.overrides}


class VariantSpec(Frozen):
    name: str = Field(min_length=1)
    set: dict[str, Any] = {}


class Experiment(Frozen):
    """An experiment file."""

    scenario: str
    org: str | None = None
    reps: int | None = Field(default=None, ge=1)
    seed: int | None = Field(default=None, ge=0)
    baseline: VariantSpec = VariantSpec(name=BASELINE)
    variants: tuple[VariantSpec, ...] = Field(min_length=1)

    @field_validator("variants")
    @classmethod
    def _unique(cls, value: tuple[VariantSpec, ...]) -> tuple[VariantSpec, ...]:
        names = [v.name for v in value]
        if len(set(names)) < len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"variant names must differ: {', '.join(twice)}")
        return value


def is_experiment(name: str) -> bool:
    """Whether a what-if target is an experiment file rather than a scenario."""
    path = Path(name)
    if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
        return False
    data = read_document(name).data
    return "variants" in data


def from_vary(options: tuple[str, ...], mode: str) -> list[Variant]:
    """The baseline (nothing changed) and a variant per point of the `--vary` axes: their
    cross product (`grid`) or their values side by side (`zip`)."""
    axes = [parse_vary(option)[1] for option in options]
    if mode == "zip" and len({len(a) for a in axes}) > 1:
        raise InputError([Problem("--zip", None, "", "every --vary needs as many values: found "
                                  + ", ".join(f"{a[0].path} {len(a)}" for a in axes))])
    points = zip(*axes, strict=True) if mode == "zip" else itertools.product(*axes)
    # a variant is named by the last field of each path, where that tells the axes apart
    short = {a[0].path: str([t for t in tokens(a[0].path) if isinstance(t, str)][-1]) for a in axes}
    if len(set(short.values())) < len(short):
        short = {path: path for path in short}
    variants = [Variant(BASELINE)]
    for point in points:
        variants.append(Variant(", ".join(f"{short[o.path]}={o.text}" for o in point),
                                tuple(point)))
    return variants


def read_experiment(name: str) -> tuple[Experiment, Path, list[Variant]]:
    """An experiment file, its folder's path to the scenario, and its variants (baseline first)."""
    doc = read_document(name)
    checked = check_model(doc, Experiment, doc.data)
    if checked.model is None or checked.problems:
        raise InputError(checked.problems)
    exp = checked.model
    specs = [("baseline",), *(("variants", i) for i in range(len(exp.variants)))]
    variants = []
    for where, spec in zip(specs, (exp.baseline, *exp.variants), strict=True):
        overrides = tuple(Override(path, value, doc.name, doc.line((*where, "set", path)))
                          for path, value in spec.set.items())
        variants.append(Variant(spec.name, overrides))
    if exp.baseline.name in {v.name for v in exp.variants}:
        raise InputError([doc.problem(("baseline", "name"), "the baseline needs a name no variant has")])
    return exp, resolve(name).parent, variants


def bundles(docs: Documents, variants: list[Variant], mapping: Mapping | None = None
            ) -> list[Bundle]:
    """Each variant's bundle: the documents with its overrides applied, validated; every
    problem of every variant at once."""
    out, problems = [], []
    for variant in variants:
        edited = docs.copy()
        try:
            for override in variant.overrides:
                edited.apply(override)
            out.append(edited.bundle(mapping))
        except InputError as exc:
            problems += [p for p in exc.problems if p not in problems]
    if problems:
        raise InputError(problems)
    return out
