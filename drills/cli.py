"""The `drillsim` command: a thin front door over the library.

Start-up imports only click; each command imports what it needs, so `--help`, `--version` and
`validate` stay instant. Names from users' files go through rich markup escaped."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from drillsim.reports.data import ReportTally
    from drillsim.sim.records import Records

F = TypeVar("F", bound=Callable[..., Any])
MAX_REPS = 1_000_000


def user_errors(func: F) -> F:
    """Turn a DrillsimError into one line per problem on stderr and exit status 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from drillsim.scenarios.errors import DrillsimError

        try:
            return func(*args, **kwargs)
        except DrillsimError as exc:
            if click.get_current_context().find_root().params.get("debug"):
                raise
            for line in str(exc).splitlines():
                click.echo(f"error: {line}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


class _Root(click.Group):
    """The root group: Ctrl-C ends any command with one line and exit status 130; the command
    line as given is kept in `ctx.meta["argv"]` for the results manifest."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        ctx = super().make_context(info_name, list(args), parent, **extra)
        ctx.meta["argv"] = ["drillsim", *args]
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("drillsim: interrupted", err=True)
            ctx.exit(130)


def bundled_names(kind: str | None = None) -> Callable[..., list[Any]]:
    """Shell completion: bundled names (of one kind, if given) and the shell's own files."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        from drillsim.scenarios.document import bundled

        return [*(CompletionItem(name, help=description) for name, what, description in bundled()
                  if name.startswith(incomplete) and kind in (None, what)),
                CompletionItem(incomplete, type="file")]

    return complete


def _share_option(text: str, option: str) -> float:
    """A share given on the command line (`95%` or 0.95), or a usage error."""
    from drillsim.scenarios.errors import InputError, Problem
    from drillsim.scenarios.hypotheses import parse_share

    try:
        return parse_share(text if text.strip().endswith("%") else float(text))
    except ValueError:
        raise InputError([Problem(option, None, "", f"expected a share such as '95%' or 0.95, "
                                  f"found {text!r}")]) from None


ORG = click.option("--org", "org_file", shell_complete=bundled_names("organisation"),
                   help="Organisation file or bundled name (overrides the scenario's own).")
SEED = click.option("--seed", default=1, show_default=True, type=click.IntRange(min=0),
                    help="Random seed.")
WORKERS = click.option("--workers", type=click.IntRange(1, 256),
                       help="Worker processes [default: all cores].")
FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                      show_default=True, help="json: one JSON document on stdout.")


@click.group(cls=_Root, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="drillsim", prog_name="drillsim")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def cli(debug: bool) -> None:
    """Simulate incident response against your organisation and measure TTD, TTA, TTM, TTR.

    \b
    Example:
      drillsim run demo --reps 20 --seed 7
    """


@cli.command()
@click.argument("scenario", shell_complete=bundled_names("scenario"))
@ORG
@click.option("--reps", default=100, show_default=True, type=click.IntRange(1, MAX_REPS),
              help="Independent replications.")
@SEED
@WORKERS
@FORMAT
@click.option("--out", type=click.Path(file_okay=False),
              help="Write records and a manifest into this new or empty folder.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False),
              help="Write a report: FILE.html (with charts) or FILE.md.")
@click.option("--force", is_flag=True, help="Replace an earlier run's results in --out.")
@click.option("--map", "maps", multiple=True, metavar="KIND:OLD=NEW",
              help="Use the organisation's NEW for the scenario's OLD, e.g. service:payments=api "
                   "(repeatable).")
@click.option("--fail-on-miss", is_flag=True, help="Exit 1 when a severity's target or deadline "
              "is met by fewer incidents than --objective (on its 95% CI).")
@click.option("--objective", default="95%", show_default=True, metavar="SHARE",
              help="The share of incidents each target and deadline must reach.")
@user_errors
def run(scenario: str, org_file: str | None, reps: int, seed: int, workers: int | None, fmt: str,
        out: str | None, report_file: str | None, force: bool, maps: tuple[str, ...],
        fail_on_miss: bool, objective: str) -> None:
    """Run SCENARIO (a file, or the name of a bundled one) and summarise the response.

    \b
    Examples:
      drillsim run demo --reps 20 --seed 7
      drillsim run my-plan/scenario.yaml --out results --report results/report.html
      drillsim run data-breach --org three-tier-teams --format json
      drillsim run data-breach --org my-plan/organisation.yaml --map skill:security=backend
      drillsim run demo --fail-on-miss --objective 90%
    """
    import contextlib
    import datetime as dt
    import importlib.util

    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from drillsim.drills.output import Manifest, earlier_results, results_in_parts, write_results
    from drillsim.reports.render import format_of
    from drillsim.scenarios.loader import load
    from drillsim.scenarios.names import parse_map

    started = dt.datetime.now().astimezone()
    goal = _share_option(objective, "--objective")
    replaces = earlier_results(out, force) if out else []  # refuse before simulating, not after
    if report_file:
        format_of(report_file)
    bundle = load(scenario, org_file, parse_map(maps))
    from drillsim.sim.runner import default_workers, replicate
    from drillsim.sim.summary import RunSummary, as_json, run_summary

    workers = min(workers or default_workers(), reps)
    err = Console(stderr=True)

    def manifest(summary: RunSummary) -> Manifest:
        from importlib.metadata import version

        return Manifest(version("drillsim"), click.get_current_context().meta["argv"],
                        as_json(summary), started, workers)

    # the records go to the folder (Parquet) and to the report as they come, and none are
    # kept; without pyarrow the folder is written at the end, from all of them
    keep = bool(out) and importlib.util.find_spec("pyarrow") is None
    tally: ReportTally | None = None
    if report_file and not keep:
        from drillsim.reports.data import ReportTally

        tally = ReportTally(bundle.org)
    with contextlib.ExitStack() as stack:
        parts = stack.enter_context(results_in_parts(out, replaces)) if out and not keep \
            else None
        readers = [r.add for r in (parts, tally) if r is not None]

        def chunk(records: Records) -> None:
            for add in readers:
                add(records)

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, transient=True,
                      disable=fmt == "json" or not err.is_terminal) as progress:
            task = progress.add_task(f"simulating {escape(bundle.scenario.name)}", total=reps)
            result = replicate(bundle, reps, seed, workers,
                               progress=lambda done: progress.update(task, completed=done),
                               records=keep,  # the summary needs none
                               chunks=chunk if readers else None)
        summary = run_summary(result)
        if parts is not None:
            parts.finish(result, manifest(summary))
    if keep:
        assert out is not None  # kept only for --out
        write_results(result, out, manifest(summary), replaces)
    if report_file:
        from drillsim.reports.data import run_report
        from drillsim.reports.render import write_report

        write_report(report_file, "run", run_report(result, summary, tally))
    from drillsim.sim.verdicts import target_gate

    gates = target_gate(summary, goal) if fail_on_miss else []
    if fmt == "json":
        from drillsim.drills.check import gate_json

        click.echo(json.dumps({**as_json(summary), **({"gate": gate_json(gates, goal)}
                                                      if fail_on_miss else {})}, indent=2))
    else:
        from drillsim.drills.render import print_summary

        console = Console()
        print_summary(console, summary)
        if fail_on_miss:
            from drillsim.drills.check import print_gate

            print_gate(console, gates, goal)
        if out:
            console.print(f"Records and manifest written to [bold]{escape(out)}[/]")
        if report_file:
            console.print(f"Report written to [bold]{escape(report_file)}[/]")
    if any(g.outcome == "fail" for g in gates):
        sys.exit(1)


def _sweep_options(func: F) -> F:
    """Options the what-if commands share."""
    options = [
        click.option("--reps", type=click.IntRange(1, MAX_REPS),
                     help="Replications per variant [default: the experiment's, else 100]."),
        click.option("--seed", type=click.IntRange(min=0),
                     help="Random seed [default: the experiment's, else 1]."),
        WORKERS,
        click.option("--scheduler", metavar="tcp://HOST:PORT",
                     help="Run on the Dask cluster whose scheduler is here."),
        click.option("--dask", "dask_local", type=click.Choice(["local"]),
                     help="local: start a Dask LocalCluster of --workers processes."),
        click.option("--out", type=click.Path(file_okay=False),
                     help="Results folder (Parquet + manifest); run again to resume it."),
        click.option("--force", is_flag=True, help="Replace another sweep's results in --out."),
        FORMAT,
        click.option("--report", "report_file", type=click.Path(dir_okay=False),
                     help="Write the comparison report: FILE.html or FILE.md."),
        click.option("--metric", "metrics", multiple=True, default=("tta", "ttr"),
                     show_default=True, type=click.Choice(["ttd", "tta", "ttm", "ttr"]),
                     help="Response times to show (repeatable)."),
        click.option("--percentile", "stats", multiple=True, default=("mean", "p90"),
                     show_default=True, type=click.Choice(["mean", "p50", "p90", "p99"]),
                     help="Statistics of each response time to show (repeatable)."),
        click.option("--severity", "severities", multiple=True,
                     help="Show these severities (repeatable) [default: every one]."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _sweep(bundles: Any, variants: Any, kwargs: dict[str, Any], reps: int | None,
           seed: int | None) -> None:
    from drillsim.drills.whatif import Options, execute

    scheduler, dask_local = kwargs["scheduler"], kwargs["dask_local"] == "local"
    options = Options(reps or 100, 1 if seed is None else seed, kwargs["workers"], scheduler,
                      dask_local, kwargs["out"], kwargs["force"], kwargs["fmt"],
                      kwargs["report_file"], kwargs["metrics"], kwargs["stats"],
                      kwargs["severities"], click.get_current_context().meta["argv"])
    sys.exit(execute(bundles, variants, options))


@cli.command()
@click.argument("target", metavar="SCENARIO|EXPERIMENT.yaml", shell_complete=bundled_names("scenario"))
@click.option("--vary", "vary", multiple=True, metavar="PATH=V1,V2,...",
              help="A path into the organisation or scenario, or a shortcut, and its values "
                   "(repeatable).")
@click.option("--grid/--zip", default=True, show_default=True,
              help="Cross every --vary with every other, or pair their values in order.")
@ORG
@_sweep_options
@user_errors
def whatif(target: str, vary: tuple[str, ...], grid: bool, org_file: str | None,
           reps: int | None, seed: int | None, **kwargs: Any) -> None:
    """Compare variants of SCENARIO, or those of an EXPERIMENT.yaml, with a baseline: every
    variant sees the same incidents, and each difference comes with its 95% CI and a verdict.

    \b
    Shortcuts: rotation_size=N, turn=DURATION, secondary=on|off, follow_the_sun=on|off,
    escalation_delay=DURATION, ack_delay=DURATION, miss_probability=P.
    \b
    Examples:
      drillsim whatif demo --vary escalation_delay=5m,15m --reps 200 --seed 7
      drillsim whatif demo --vary rotation_size=3,5 --vary secondary=on,off --out sweep
      drillsim whatif my-experiment.yaml --dask local --workers 4 --report whatif.html
    """
    from drillsim.scenarios.document import resolve
    from drillsim.scenarios.errors import InputError, Problem
    from drillsim.scenarios.experiment import bundles, from_vary, is_experiment, read_experiment
    from drillsim.scenarios.overrides import Documents

    if is_experiment(target):
        if vary:
            raise InputError([Problem("--vary", None, "", "an experiment file names its own "
                                      "variants; give --vary with a scenario instead")])
        exp, folder, variants = read_experiment(target)
        scenario: str | Path = resolve(exp.scenario, folder)
        org = org_file or (None if exp.org is None else resolve(exp.org, folder))
        reps = reps or exp.reps
        seed = exp.seed if seed is None else seed
    else:
        if not vary:
            raise InputError([Problem("--vary", None, "", "give at least one --vary PATH=V1,V2 "
                                      "(or an experiment file)")])
        variants = from_vary(vary, "grid" if grid else "zip")
        scenario, org = target, org_file
    docs = Documents.read(scenario, org, 1 if seed is None else seed)
    _sweep(bundles(docs, variants), variants, kwargs, reps, seed)


@cli.command()
@click.argument("org_a", metavar="ORG_A", shell_complete=bundled_names("organisation"))
@click.argument("org_b", metavar="ORG_B", shell_complete=bundled_names("organisation"))
@click.argument("scenario", shell_complete=bundled_names("scenario"))
@_sweep_options
@user_errors
def compare(org_a: str, org_b: str, scenario: str, reps: int | None, seed: int | None,
            **kwargs: Any) -> None:
    """Run SCENARIO against two organisation files on the same incidents and compare ORG_B
    with ORG_A: paired differences with 95% CIs and verdicts.

    \b
    Example:
      drillsim compare my-plan/organisation.yaml my-plan/next-quarter.yaml demo --reps 200
    """
    from drillsim.scenarios.experiment import Variant
    from drillsim.scenarios.loader import load

    names = [Path(org_a).name, Path(org_b).name]
    if names[0] == names[1]:
        names = [org_a, org_b if org_b != org_a else f"{org_b} (again)"]
    variants = [Variant(names[0]), Variant(names[1])]
    _sweep([load(scenario, org_a), load(scenario, org_b)], variants, kwargs, reps, seed)


@cli.command()
@click.argument("files", nargs=-1, required=True, shell_complete=bundled_names())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: a list of {file, ok, problems} on stdout.")
def validate(files: tuple[str, ...], fmt: str) -> None:
    """Check scenario and organisation FILES; report every problem, exit 2 if any.

    \b
    Examples:
      drillsim validate my-plan/*.yaml
      drillsim validate demo --format json
    """
    from drillsim.scenarios.loader import validate_file

    results = [(file, validate_file(file)) for file in files]
    for file, problems in results:
        if not problems and fmt == "text":
            click.echo(f"ok: {file}")
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
    if fmt == "json":
        click.echo(json.dumps([{"file": file, "ok": not problems,
                                "problems": [vars(p) for p in problems]}
                               for file, problems in results], indent=2))
    if any(problems for _, problems in results):
        sys.exit(2)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite files already there.")
@user_errors
def init(folder: str, force: bool) -> None:
    """Write a starter organisation.yaml and scenario.yaml, every field explained, into FOLDER.

    \b
    Example:
      drillsim init my-plan && drillsim validate my-plan/*.yaml
    """
    from drillsim.reports.files import write_text
    from drillsim.scenarios.errors import InputError, Problem
    from drillsim.scenarios.loader import starter_files

    target = Path(folder)
    files = starter_files()
    clash = [name for name in files if (target / name).exists()]
    if clash and not force:
        raise InputError([Problem(str(target / name), None, "",
                                  "already exists; pass --force to overwrite") for name in clash])
    for name, text in files.items():
        write_text(target / name, text)
        click.echo(f"wrote {target / name}")
    click.echo(f"next: drillsim validate {target}/*.yaml && drillsim run {target / 'scenario.yaml'}")


@cli.group()
def report() -> None:
    """Reports from a results folder (`drillsim run --out`) or an incident-history CSV.

    \b
    Example:
      drillsim report monthly results --out monthly.html
    """


def _periodic(period: str) -> Callable[..., None]:
    @click.argument("source", type=click.Path())
    @click.option("--out", required=True, type=click.Path(dir_okay=False),
                  help="FILE.md or FILE.html")
    @click.option("--mttr-target", default="4h", show_default=True,
                  help="Target for the mean time to resolve.")
    @click.option("--uptime-target", default=99.9, show_default=True,
                  type=click.FloatRange(0, 100), help="Uptime target, percent.")
    @click.option("--timezone", help="IANA zone of the report's clock and of times without an "
                  "offset in a CSV [default: the results folder's organisation's].")
    @click.option("--major", help="Severities whose impact is downtime, most severe first, "
                  "comma-separated [default: the top two of the ladder].")
    @click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
                  help="First day the history covers [default: its first incident].")
    @click.option("--until", type=click.DateTime(["%Y-%m-%d"]),
                  help="Last day the history covers [default: its last incident].")
    @user_errors
    def command(source: str, out: str, mttr_target: str, uptime_target: float,
                timezone: str | None, major: str | None, since: Any, until: Any) -> None:
        from drillsim.reports.render import format_of, write_report
        from drillsim.scenarios.durations import parse_duration
        from drillsim.scenarios.errors import InputError, Problem

        format_of(out)
        if uptime_target != uptime_target:  # FloatRange lets NaN through
            raise InputError([Problem("--uptime-target", None, "", "expected a number in 0..100")])
        try:
            target = parse_duration(mttr_target)
        except ValueError as exc:
            raise InputError([Problem("--mttr-target", None, "", str(exc))]) from None
        from drillsim.reports.history import load_history, periodic

        names = [n.strip() for n in major.split(",") if n.strip()] if major else None
        history = load_history(source, timezone, names, since and since.date(),
                               until and until.date())
        write_report(out, "periodic", periodic(history, period, target, uptime_target))
        click.echo(f"wrote {out}")

    command.__doc__ = (
        f"The {period} incident report of SOURCE: counts and their trend, major incidents, MTTR "
        "and uptime against target, severities and top categories.\n\n\b\nExample:\n"
        f"  drillsim report {period} results --out {period}.html --mttr-target 2h")
    return command


report.command("monthly")(_periodic("monthly"))
report.command("quarterly")(_periodic("quarterly"))


@report.command("incident")
@click.argument("results", type=click.Path(file_okay=False))
@click.option("--incident", "incident_id", required=True, type=click.IntRange(min=0),
              help="Incident number.")
@click.option("--replication", default=0, show_default=True, type=click.IntRange(min=0))
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="FILE.md or FILE.html")
@click.option("--timezone", help="IANA zone to show times in [default: the organisation's].")
@user_errors
def incident_report_command(results: str, incident_id: int, replication: int, out: str,
                            timezone: str | None) -> None:
    """A post-mortem skeleton for one simulated incident: impact, timeline, deadlines.

    \b
    Example:
      drillsim report incident results --incident 3 --out incident-3.md
    """
    from drillsim.reports.history import incident_report
    from drillsim.reports.render import format_of, write_report

    format_of(out)
    write_report(out, "incident", incident_report(results, incident_id, replication, timezone))
    click.echo(f"wrote {out}")


@cli.group()
def scenarios() -> None:
    """The bundled library of organisations and scenarios.

    \b
    Example:
      drillsim scenarios list
    """


@scenarios.command("list")
@FORMAT
def list_scenarios(fmt: str) -> None:
    """Every bundled file with a one-line description.

    \b
    Examples:
      drillsim scenarios list
      drillsim scenarios list --format json
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from drillsim.scenarios.document import bundled

    if fmt == "json":
        click.echo(json.dumps([{"name": name, "kind": kind, "description": description}
                               for name, kind, description in bundled()], indent=2))
        return
    table = Table(box=None)
    table.add_column("name", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("description")
    for name, kind, description in bundled():
        table.add_row(escape(name), kind, escape(description))
    Console().print(table)


@scenarios.command("show")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml",
              show_default=True)
@user_errors
def show_scenario(name: str, fmt: str) -> None:
    """Print the bundled scenario or organisation NAME (highlighted on a terminal).

    \b
    Example:
      drillsim scenarios show data-breach
    """
    from drillsim.drills.library import show

    show(name, fmt)


@scenarios.command("copy")
@click.argument("name")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite the copy if it exists.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@user_errors
def copy_scenario(name: str, folder: str, force: bool, fmt: str) -> None:
    """Write an editable copy of the bundled NAME into FOLDER; its `org:` points at the bundled
    organisation (`bundled:NAME`) until you point it at your own.

    \b
    Example:
      drillsim scenarios copy data-breach my-plan
      drillsim run my-plan/data-breach.yaml --org my-plan/organisation.yaml
    """
    from drillsim.drills.library import copy

    target = copy(name, folder, force)
    click.echo(json.dumps({"name": name, "wrote": str(target)}) if fmt == "json"
               else f"wrote {target}")


@cli.command()
@click.argument("org_file", metavar="ORG")
@click.option("--from", "start", help="Date or local date-time [default: today].")
@click.option("--to", "end", help="Date (included) or local date-time [default: a week on].")
@click.option("--rotation", "rotations", multiple=True, help="Only this rotation (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "ics"]), default="table",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write the json or ics here.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@user_errors
def oncall(org_file: str, start: str | None, end: str | None, rotations: tuple[str, ...], fmt: str,
           out: str | None, force: bool) -> None:
    """Who is on call when in ORG (a file or a bundled name), per layer and in the end.

    Times are local to the organisation's time zone unless they carry an offset; each
    rotation's shifts are shown in its own zone with the UTC offset.

    \b
    Example:
      drillsim oncall demo-org --from 2026-03-23 --to 2026-04-05 --rotation primary
      drillsim oncall demo-org --from 2026-03-01 --to 2026-03-31 --format ics --out oncall.ics
    """
    from drillsim.drills.oncall import command

    command(org_file, start, end, rotations, fmt, out, force)


@cli.command()
@click.argument("org_file", metavar="ORG")
@click.option("--severity", required=True, help="A severity on the organisation's ladder.")
@click.option("--at", "when", required=True, help="Local date-time the incident is detected.")
@click.option("--tags", default="", help="Comma-separated incident tags (they select routes).")
@click.option("--requires", multiple=True, metavar="KIND:NAME",
              help="Someone the incident needs: skill:dba, role:commander, team:security, ... "
                   "(repeatable).")
@click.option("--worst", is_flag=True, help="Everyone misses every page.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@user_errors
def trace(org_file: str, severity: str, when: str, tags: str, requires: tuple[str, ...],
          worst: bool, fmt: str) -> None:
    """The timeline of one page in ORG: who is paged when, through which channel, when each
    level escalates and who is mobilised, with every delay at its median.

    \b
    Example:
      drillsim trace demo-org --severity P1 --at "2026-03-14 03:10" --requires skill:dba
      drillsim trace demo-org --severity P1 --at "2026-03-14 03:10" --worst
    """
    from drillsim.drills.trace import command

    command(org_file, severity, when, tags, requires, worst, fmt)


@cli.command()
@click.argument("scenario", shell_complete=bundled_names("scenario"))
@ORG
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]),
              help="Exercise date, at the scenario's local start time [default: the scenario's].")
@SEED
@click.option("--at", "at", type=click.Choice(["p50", "p90", "worst"]), default="p50",
              show_default=True, help="Which simulated run sets the inject times.")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="A new or empty folder for the documents.")
@click.option("--force", is_flag=True, help="Replace an earlier document set in --out.")
@user_errors
def tabletop(scenario: str, org_file: str | None, day: Any, seed: int, at: str, out: str,
             force: bool) -> None:
    """The facilitator's documents for a tabletop exercise of SCENARIO, in Markdown and HTML.

    \b
    Example:
      drillsim tabletop gameday-database-recovery --date 2027-04-20 --out q2-tabletop
      drillsim tabletop gameday-security-breach --org phased-p0-p3 --at worst --out breach
    """
    from drillsim.drills.tabletop import command

    command(scenario, org_file, None if day is None else day.date(), seed, at, out, force)


@cli.command()
@click.option("--quarter", help="A quarter such as 2027Q1: its game day, tabletops and chaos tests.")
@click.option("--year", type=click.IntRange(2000, 2100), help="A whole year's drill calendar.")
@click.option("--org", "org_file", shell_complete=bundled_names("organisation"),
              help="Organisation file or bundled name [default: the game days' own].")
@click.option("--programme", "programme_file", type=click.Path(dir_okay=False),
              help="Programme YAML (game days per quarter, tabletop and chaos rotations, slots) "
                   "[default: the reference plans' quarterly schedule].")
@SEED
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="A new or empty folder for the plan and its .ics.")
@click.option("--force", is_flag=True, help="Replace an earlier plan in --out.")
@user_errors
def plan(quarter: str | None, year: int | None, org_file: str | None,
         programme_file: str | None, seed: int, out: str, force: bool) -> None:
    """Plan drills: a quarter's game day (a working day clear of holidays and change freezes),
    or a year of game days, monthly tabletops and chaos tests; Markdown, HTML and iCalendar.

    \b
    Example:
      drillsim plan --quarter 2027Q1 --out q1-plan
      drillsim plan --year 2027 --org phased-p0-p3 --out drills-2027
    """
    from drillsim.drills.plan import command

    command(quarter, year, org_file, programme_file, seed, out, force)


@cli.group()
def export() -> None:
    """Export a scenario for other tools.

    \b
    Example:
      drillsim export chaostoolkit gameday-database-recovery --out experiment.json
    """


@export.command("chaostoolkit")
@click.argument("scenario", shell_complete=bundled_names("scenario"))
@ORG
@click.option("--out", type=click.Path(dir_okay=False), help="Write the JSON here [default: stdout].")
@click.option("--force", is_flag=True, help="Replace an experiment exported earlier.")
@click.option("--fault-minutes", type=click.FloatRange(min=0, min_open=True),
              help="How long the faults stay in [default: the plan's mitigate target].")
@user_errors
def export_chaostoolkit(scenario: str, org_file: str | None, out: str | None, force: bool,
                        fault_minutes: float | None) -> None:
    """A Chaos Toolkit experiment for a live game day of SCENARIO: steady state from the
    service targets, faults as method steps to bind to your providers, rollbacks, and the
    abort criteria as a safeguard control.

    \b
    Example:
      drillsim export chaostoolkit gameday-database-recovery --out experiment.json
    """
    from drillsim.drills.chaos import command

    command(scenario, org_file, out, force, fault_minutes)


DB = click.option("--db", envvar="DRILLSIM_DB", metavar="URL",
                  help="Drill history: a SQLite file or any SQLAlchemy URL (env DRILLSIM_DB) "
                       "[default: drill-history.sqlite in the current folder].")


@cli.command()
@click.argument("source", metavar="DRILL_LOG|SCORECARD.csv|JOURNAL.json", type=click.Path())
@click.option("--scenario", help="The drill's scenario (a file or bundled name) [default: the one "
              "the drill log names].")
@click.option("--org", "org_file", help="Organisation file or bundled name [default: the "
              "scenario's or the drill log's].")
@click.option("--reps", default=200, show_default=True, type=click.IntRange(10, MAX_REPS),
              help="Simulated runs to compare the drill with.")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed [default: the drill log's, "
              "else 1].")
@click.option("--workers", type=click.IntRange(1, 256), help="Worker processes [default: all cores].")
@click.option("--type", "kind", type=click.Choice(["Tabletop", "Game day", "Chaos", "Coordination"]),
              help="Drill type [default: from the scenario and the record].")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="FILE.md or FILE.html")
@click.option("--force", is_flag=True, help="Replace --out even if drillsim did not write it.")
@DB
@click.option("--no-store", is_flag=True, help="Do not add the drill to the drill history.")
@user_errors
def assess(source: str, scenario: str | None, org_file: str | None, reps: int, seed: int | None,
           workers: int | None, kind: str | None, out: str, force: bool, db: str | None,
           no_store: bool) -> None:
    """Assess a recorded drill against the plan's targets and the simulated distribution, write
    the post-drill report and store the drill in the drill history.

    \b
    Examples:
      drillsim assess drill.jsonl --out assessment.html
      drillsim assess scorecard.csv --scenario gameday-database-recovery --out review.md
    """
    from drillsim.drills.assess import check_out, report_data, run_assessment
    from drillsim.reports.render import format_of, write_report

    format_of(out)
    check_out(out, force)
    result = run_assessment(source, scenario, org_file, reps, seed, workers, kind)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    write_report(out, "assessment", report_data(result))
    click.echo(f"wrote {out}")
    if not no_store:
        from drillsim.drills.drill_history import store

        url = store(result, db)
        click.echo(f"stored in the drill history at {url}")


@cli.command()
@DB
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="json: one JSON document on stdout.")
@click.option("--report", type=click.Path(dir_okay=False), help="Write FILE.html (with charts) "
              "or FILE.md.")
@click.option("--close", type=click.IntRange(min=1), metavar="ITEM",
              help="Mark action item ITEM done.")
@user_errors
def history(db: str | None, fmt: str, report: str | None, close: int | None) -> None:
    """The drill history: each milestone's trend per drill type across quarters, and the action
    items still open from earlier drills.

    \b
    Examples:
      drillsim history
      drillsim history --db postgresql+psycopg://drills@db.internal/drills --format json
      drillsim history --report drill-history.html
    """
    from drillsim.drills.history_view import command

    command(db, fmt, report, close)


@cli.command("load")
@click.argument("scenario", shell_complete=bundled_names("scenario"))
@ORG
@click.option("--reps", default=50, show_default=True, type=click.IntRange(1, MAX_REPS),
              help="Independent replications.")
@SEED
@WORKERS
@FORMAT
@click.option("--report", "report_file", type=click.Path(dir_okay=False),
              help="Also write the report: FILE.html or FILE.md.")
@click.option("--force", is_flag=True, help="Overwrite --report if it exists.")
@user_errors
def load_command(scenario: str, org_file: str | None, reps: int, seed: int, workers: int | None,
                 fmt: str, report_file: str | None, force: bool) -> None:
    """On-call load of SCENARIO's workload: pages per month in business, off and sleep hours on
    each responder's own clock, incidents per 12 hours on call, time on call, person-hours,
    each rotation's coverage gaps and quality score, and flags for the well-known limits.

    \b
    Examples:
      drillsim load demo --reps 20 --seed 7
      drillsim load demo --org my-plan/organisation.yaml --format json
      drillsim load demo --report load.html
    """
    from rich.console import Console

    from drillsim.drills.load import as_json, print_load
    from drillsim.scenarios.loader import load
    from drillsim.sim.load import LoadTally, horizon
    from drillsim.sim.runner import replicate

    if report_file:
        from drillsim.drills.oncall import refuse_existing
        from drillsim.reports.render import format_of

        format_of(report_file)
        refuse_existing(report_file, force)
    bundle = load(scenario, org_file)
    horizon(bundle)  # a drill has no horizon: refuse before simulating
    tally = LoadTally(bundle, reps, seed)
    replicate(bundle, reps, seed, workers, events=True, chunks=tally.add)  # memory stays flat
    report = tally.report()
    if report_file:
        from drillsim.drills.load import report_data
        from drillsim.reports.render import write_report

        write_report(report_file, "load", report_data(report, bundle.org.timezone))
        click.echo(f"wrote {report_file}", err=True)
    if fmt == "json":
        click.echo(json.dumps(as_json(report, bundle.org.timezone), indent=2))
        return
    print_load(Console(), report, bundle.org.timezone)


@cli.command()
@click.argument("hypotheses", metavar="HYPOTHESES.yaml")
@click.option("--reps", type=click.IntRange(1, MAX_REPS),
              help="Replications [default: the file's `replications`].")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed [default: the file's].")
@click.option("--org", "org_file", shell_complete=bundled_names("organisation"),
              help="Organisation file or bundled name (overrides the file's and the scenario's).")
@WORKERS
@FORMAT
@click.option("--junit", type=click.Path(dir_okay=False), help="Also write JUnit XML here.")
@click.option("--force", is_flag=True, help="Overwrite --junit even if drillsim did not write it.")
@click.option("--strict", is_flag=True, help="Exit 1 on an inconclusive hypothesis too.")
@user_errors
def check(hypotheses: str, reps: int | None, seed: int | None, org_file: str | None,
          workers: int | None, fmt: str, junit: str | None, force: bool, strict: bool) -> None:
    """Test an on-call policy: run the scenario HYPOTHESES.yaml names and judge each hypothesis
    pass / fail / inconclusive on its 95% interval; exit 1 when any fails.

    \b
    Examples:
      drillsim check policy.yaml
      drillsim check policy.yaml --reps 1000 --junit check.xml
    """
    from drillsim.drills.check import command

    command(hypotheses, reps, seed, org_file, workers, fmt, junit, force, strict)


@cli.command()
@click.argument("scenario", shell_complete=bundled_names("scenario"))
@ORG
@click.option("--change", "changes", default="10%,25%", show_default=True,
              help="Relative changes to detect, comma-separated.")
@click.option("--metric", default="time_to_resolve", show_default=True,
              help="time_to_detect, time_to_acknowledge, time_to_mitigate or time_to_resolve.")
@click.option("--severity", "severities", multiple=True, help="Only this severity (repeatable).")
@click.option("--reps", default=50, show_default=True, type=click.IntRange(2, MAX_REPS),
              help="Replications to simulate the distribution from.")
@SEED
@click.option("--trials", default=400, show_default=True, type=click.IntRange(50, 100_000),
              help="Resampled pairs of groups per sample size tried.")
@WORKERS
@FORMAT
@user_errors
def power(scenario: str, org_file: str | None, changes: str, metric: str,
          severities: tuple[str, ...], reps: int, seed: int, trials: int, workers: int | None,
          fmt: str) -> None:
    """How many real incidents a team must observe, before and after a change, to tell a
    10% or 25% shorter time to resolve from noise; and why the mean alone misleads.

    \b
    Examples:
      drillsim power demo --change 10%,25%
      drillsim power demo --severity P1 --metric time_to_acknowledge --format json
    """
    from drillsim.scenarios.errors import InputError, Problem, nearest
    from drillsim.scenarios.measures import METRICS

    names = [m.name for m in METRICS]
    if metric not in names:
        raise InputError([Problem("--metric", None, "", f"unknown metric {metric!r}"
                                  f"{nearest(metric, names)}; expected one of {', '.join(names)}")])
    wanted = []
    for part in changes.split(","):
        share = _share_option(part.strip(), "--change")
        if not 0 < share < 1:
            raise InputError([Problem("--change", None, "", f"expected a change between 0% and "
                                      f"100%, found {part.strip()!r}")])
        wanted.append(share)
    from drillsim.drills.power import command

    command(scenario, org_file, wanted, metric, severities, reps, seed, trials, workers, fmt)


@cli.group()
def drill() -> None:
    """Run a drill: the facilitator's console in the browser, writing a crash-safe drill log.

    \b
    Example:
      drillsim drill serve gameday-database-recovery --speed 10
    """


@drill.command("serve")
@click.argument("scenario", required=False, shell_complete=bundled_names("scenario"))
@click.option("--org", "org_file", shell_complete=bundled_names("organisation"),
              help="Organisation file or bundled name (overrides the scenario's own).")
@click.option("--seed", default=1, show_default=True, type=click.IntRange(min=0))
@click.option("--at", default="p50", show_default=True, type=click.Choice(["p50", "p90", "worst"]),
              help="Which simulated run the injects follow.")
@click.option("--speed", default="1", show_default=True, type=click.Choice(["1", "10", "60"]),
              help="Exercise minutes per real minute.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0: any free one).")
@click.option("--log", "log_file", type=click.Path(dir_okay=False),
              help="New drill log [default: drill-SCENARIO-DATE-TIME.jsonl here].")
@click.option("--resume", type=click.Path(dir_okay=False, exists=True),
              help="Carry on the drill in this log (its scenario, seed and speed).")
@user_errors
def drill_serve(scenario: str | None, org_file: str | None, seed: int, at: str, speed: str,
                port: int, log_file: str | None, resume: str | None) -> None:
    """Serve the drill console for SCENARIO on 127.0.0.1: a facilitator view with the clock,
    injects and milestone keys, and a room view for the projector. Every entry is on disk
    before the page shows it.

    \b
    Examples:
      drillsim drill serve gameday-database-recovery --org three-tier-teams --speed 10
      drillsim drill serve --resume drill-gameday-database-recovery-20270114-100000.jsonl
    """
    from drillsim.drills.console import serve

    serve(scenario, org_file, seed, at, int(speed), port, log_file, resume)


def main() -> None:
    cli(prog_name="drillsim")


if __name__ == "__main__":
    main()
