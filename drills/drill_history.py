"""The drill history: every assessed drill in a database (a SQLite file by default, or any
SQLAlchemy URL such as PostgreSQL for a team that shares one). Alembic migrations shipped in
`drills/migrations` bring any earlier schema up to date in place, under a lock, so several
processes may open and write the same history at once.

Writers are serialised: on SQLite each transaction begins IMMEDIATE (taking the write lock at
once, with a generous busy timeout); on PostgreSQL under a transaction-level advisory lock."""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drillsim.scenarios.errors import InputError, Problem

if TYPE_CHECKING:
    import sqlalchemy as sa

    from drillsim.drills.assessment import Assessment

DEFAULT = "drill-history.sqlite"
LOCK = 0x6472696C6C  # the advisory lock key PostgreSQL writers share
HEAD = "0002"
BUSY_SECONDS = 120


def url_of(db: str | None) -> str:
    """A SQLAlchemy URL from `--db` (a URL, or a path to a SQLite file)."""
    db = db or os.environ.get("DRILLSIM_DB") or DEFAULT
    return db if "://" in db else f"sqlite:///{Path(db)}"


def tables(metadata: sa.MetaData) -> dict[str, sa.Table]:
    """The head schema, for queries (the migrations create it)."""
    import sqlalchemy as sa

    drills = sa.Table(
        "drills", metadata,
        sa.Column("id", sa.Integer, primary_key=True), sa.Column("identity", sa.String(300)),
        sa.Column("title", sa.Text), sa.Column("scenario", sa.String(200)),
        sa.Column("organisation", sa.String(200)), sa.Column("drill_type", sa.String(40)),
        sa.Column("severity", sa.String(40)), sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("zone", sa.String(64)), sa.Column("duration_minutes", sa.Float),
        sa.Column("replications", sa.Integer), sa.Column("seed", sa.Integer),
        sa.Column("checklist_passed", sa.Integer), sa.Column("checklist_scored", sa.Integer),
        sa.Column("stored_at", sa.DateTime(timezone=True)),
        sa.Column("communication", sa.Integer), sa.Column("communication_of", sa.Integer))
    milestones = sa.Table(
        "drill_milestones", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("drill_id", sa.Integer, sa.ForeignKey("drills.id", ondelete="CASCADE")),
        sa.Column("milestone", sa.String(200)), sa.Column("label", sa.String(200)),
        sa.Column("actual_minutes", sa.Float), sa.Column("target_minutes", sa.Float),
        sa.Column("simulated_p50", sa.Float), sa.Column("simulated_p90", sa.Float),
        sa.Column("simulated_runs", sa.Integer))
    actions = sa.Table(
        "action_items", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("drill_id", sa.Integer, sa.ForeignKey("drills.id", ondelete="CASCADE")),
        sa.Column("text", sa.Text), sa.Column("owner", sa.String(200)), sa.Column("due", sa.Date),
        sa.Column("done_at", sa.DateTime(timezone=True)))
    return {"drills": drills, "milestones": milestones, "actions": actions}


def _engine(url: str) -> sa.Engine:
    import sqlalchemy as sa

    engine = sa.create_engine(url, connect_args={"timeout": BUSY_SECONDS}
                              if url.startswith("sqlite") else {})
    if engine.dialect.name == "sqlite":
        # pysqlite's own transaction handling defers BEGIN; take the write lock up front instead
        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi: Any, record: Any) -> None:
            dbapi.isolation_level = None
            dbapi.execute("PRAGMA foreign_keys=ON")

        @sa.event.listens_for(engine, "begin")
        def _begin(connection: sa.Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    return engine


@contextmanager
def _writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that holds the history's write lock until it commits."""
    import sqlalchemy as sa

    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK)))
        yield connection


def _check_ours(engine: sa.Engine, url: str) -> None:
    """Refuse a database that holds tables of something else."""
    import sqlalchemy as sa

    try:
        names = set(sa.inspect(engine).get_table_names())
    except sa.exc.DatabaseError as exc:
        raise InputError([Problem(url, None, "", f"is not a database drillsim can open: "
                                  f"{exc.orig}")]) from None
    if names and "alembic_version" not in names:
        raise InputError([Problem(url, None, "", "holds tables that are not a drill history; "
                                  "choose another --db")])


def _current(engine: sa.Engine) -> str | None:
    """The schema revision, read without taking the write lock (None if there is none yet)."""
    import sqlalchemy as sa

    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except sa.exc.DatabaseError:
        return None


def migrate(engine: sa.Engine, url: str, revision: str = "head") -> None:
    """Bring the schema up to `revision` in place, holding the write lock (nothing to do, and
    no lock taken, when it is there already)."""
    from alembic import command
    from alembic.config import Config

    if _current(engine) == (HEAD if revision == "head" else revision):
        return
    _check_ours(engine, url)
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with _writing(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def open_history(db: str | None, revision: str = "head") -> tuple[sa.Engine, dict[str, sa.Table]]:
    """The history's engine, its schema up to date, and its tables."""
    import sqlalchemy as sa

    url = url_of(db)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = _engine(url)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise InputError([Problem("--db", None, "", f"cannot use {url!r}: {exc}")]) from None
    try:
        migrate(engine, url, revision)
    except sa.exc.OperationalError as exc:
        raise InputError([Problem(url, None, "", f"cannot be opened: {exc.orig}")]) from None
    return engine, tables(sa.MetaData())


def store(a: Assessment, db: str | None) -> str:
    """Add an assessed drill to the history (replacing an earlier assessment of the same drill)
    with its milestones and action items; returns where it went (password hidden)."""
    import sqlalchemy as sa

    engine, t = open_history(db)
    drills = t["drills"]
    with _writing(engine) as connection:
        connection.execute(sa.delete(drills).where(drills.c.identity == a.identity))
        drill_id = connection.execute(sa.insert(drills).values(
            identity=a.identity, title=a.title, scenario=a.scenario, organisation=a.organisation,
            drill_type=a.drill_type, severity=a.severity,
            started_at=a.started.astimezone(dt.UTC), zone=a.zone,
            duration_minutes=a.duration, replications=a.replications, seed=a.seed,
            checklist_passed=a.passed, checklist_scored=a.scored,
            stored_at=dt.datetime.now(dt.UTC), communication=a.communication,
            communication_of=len(a.rubric)).returning(drills.c.id)).scalar_one()
        rows = [{"drill_id": drill_id, "milestone": m.id, "label": m.label,
                 "actual_minutes": m.actual, "target_minutes": m.target,
                 "simulated_p50": _finite(m.p50), "simulated_p90": _finite(m.p90),
                 "simulated_runs": m.n} for m in a.milestones if m.actual is not None]
        if rows:
            connection.execute(sa.insert(t["milestones"]), rows)
        items = [{"drill_id": drill_id, "text": x.text, "owner": x.owner, "due": x.due}
                 for x in a.actions]
        if items:
            connection.execute(sa.insert(t["actions"]), items)
    engine.dispose()
    return engine.url.render_as_string(hide_password=True)


def _finite(q: Any) -> float | None:
    return None if q is None or q.value == float("inf") else q.value


def close_action(db: str | None, item: int) -> str:
    """Mark an action item done; returns its text."""
    import sqlalchemy as sa

    engine, t = open_history(db)
    actions = t["actions"]
    with _writing(engine) as connection:
        text = connection.execute(sa.select(actions.c.text).where(actions.c.id == item)).scalar()
        if text is None:
            raise InputError([Problem("--close", None, "", f"no action item {item} in the drill "
                                      "history")])
        connection.execute(sa.update(actions).where(actions.c.id == item)
                           .values(done_at=dt.datetime.now(dt.UTC)))
    engine.dispose()
    return str(text)


def read_history(db: str | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                          list[dict[str, Any]]]:
    """Every stored drill, milestone and action item, as plain rows."""
    import sqlalchemy as sa

    engine, t = open_history(db)
    with engine.connect() as connection:
        drills = [dict(r._mapping) for r in connection.execute(
            sa.select(t["drills"]).order_by(t["drills"].c.started_at, t["drills"].c.id))]
        milestones = [dict(r._mapping) for r in connection.execute(
            sa.select(t["milestones"]).order_by(t["milestones"].c.id))]
        actions = [dict(r._mapping) for r in connection.execute(
            sa.select(t["actions"]).order_by(t["actions"].c.id))]
    engine.dispose()
    for d in drills:  # SQLite hands back naive UTC
        if d["started_at"].tzinfo is None:
            d["started_at"] = d["started_at"].replace(tzinfo=dt.UTC)
    return drills, milestones, actions


def quarter(instant: dt.datetime, zone: str) -> str:
    """`2026-Q2`: the quarter of an instant on the drill's own clock."""
    from drillsim.sim.clock import zone as tz

    local = instant.astimezone(tz(zone))
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def trend(drills: list[dict[str, Any]], milestones: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per drill type, milestone and quarter: how many drills recorded it, the median time with
    its 95% interval (order statistics; open-ended for a handful of drills), and the share that
    met its target with n and a Wilson interval."""
    import numpy as np

    from drillsim.drills.assessment import quantile
    from drillsim.drills.exercise import MILESTONES
    from drillsim.sim.intervals import wilson

    by_id = {d["id"]: d for d in drills}
    groups: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    for m in milestones:
        d = by_id[m["drill_id"]]
        key = (d["drill_type"], m["milestone"], m["label"], quarter(d["started_at"], d["zone"]))
        groups.setdefault(key, []).append(m)
    out = []
    order = {name: i for i, name in enumerate(MILESTONES)}
    for (kind, milestone, label, period), rows in sorted(
            groups.items(), key=lambda g: (g[0][0], order.get(g[0][1], len(order)), g[0][1], g[0][3])):
        median = quantile(np.asarray([r["actual_minutes"] for r in rows], dtype=float), 0.5)
        judged = [r for r in rows if r["target_minutes"] is not None]
        met = sum(r["actual_minutes"] <= r["target_minutes"] for r in judged)
        low, high = wilson(met / len(judged), len(judged)) if judged else (None, None)
        out.append({"drill_type": kind, "milestone": milestone, "label": label,
                    "quarter": period, "drills": len(rows),
                    "median_minutes": None if median is None else median.value,
                    "median_ci": None if median is None else [_bound(median.low),
                                                              _bound(median.high)],
                    "met": None if not judged else {"met": met, "n": len(judged),
                                                    "share": met / len(judged),
                                                    "ci": [low, high]},
                    "target_minutes": judged[-1]["target_minutes"] if judged else None})
    return out


def _bound(x: float) -> float | None:
    return x if math.isfinite(x) else None


def open_actions(drills: list[dict[str, Any]], actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Action items not yet done, oldest drill first, each with the drill it came from."""
    from drillsim.drills.when import iso

    by_id = {d["id"]: d for d in drills}
    return [{"id": a["id"], "text": a["text"], "owner": a["owner"],
             "due": a["due"].isoformat() if a["due"] else None,
             "drill": by_id[a["drill_id"]]["title"],
             "drill_started": iso(by_id[a["drill_id"]]["started_at"], by_id[a["drill_id"]]["zone"])}
            for a in sorted(actions, key=lambda a: (by_id[a["drill_id"]]["started_at"], a["id"]))
            if a["done_at"] is None]
