"""Schema migrations: every database is brought to the newest revision before use.

The revisions live in ``versions/`` (Alembic scripts, shipped in the wheel); a ``Store``
upgrades its database when it opens, and ``matcher db upgrade`` does so on demand.
A database made before migrations existed (tables from ``create_all``, no
``alembic_version``) is recognised and stamped with the baseline revision first. Upgrades
run in one transaction holding a lock (PostgreSQL: an advisory lock; SQLite: ``BEGIN
IMMEDIATE``), so several processes starting at once migrate once.
How to add a revision: docs/development.md.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from matcher import sqlite_locks
from matcher.errors import MatcherError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

HERE = Path(__file__).resolve().parent
BASELINE = "0001"  # the schema matcher 0.2.0 made with create_all
_LEGACY_TABLE = "schools"  # present in every database made before migrations
_PG_LOCK = 0x6D617463  # advisory lock key ("matc")


def config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for matcher's revisions (optionally on a connection)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config())


def head() -> str:
    """The newest revision; an error if the revisions have forked (two heads)."""
    heads = scripts().get_heads()
    if len(heads) != 1:
        raise MatcherError(
            f"the schema migrations have {len(heads)} heads ({', '.join(sorted(heads))}); "
            "add a merge revision (docs/development.md)"
        )
    return heads[0]


def _revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def current(engine: Engine) -> tuple[str | None, bool]:
    """The database's revision and whether it has tables made before migrations
    (``(None, True)``: a legacy database, ``(None, False)``: an empty one)."""
    with engine.connect() as conn:
        rev = _revision(conn)
        legacy = rev is None and sa.inspect(conn).has_table(_LEGACY_TABLE)
    return rev, legacy


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str | None]:
    """Bring the database to ``target`` (default: the newest revision); returns the
    revisions before and after. Does nothing if it is there already.

    On SQLite, a step that finds the file locked without waiting (another process is
    switching it to WAL or migrating it) is tried again for a few seconds
    (``matcher.sqlite_locks``); the failed try's transaction left nothing behind."""
    return sqlite_locks.retry_locked(lambda: _upgrade(engine, target))


def _upgrade(engine: Engine, target: str) -> tuple[str | None, str | None]:
    from alembic import command
    from alembic.util import CommandError

    wanted = head() if target == "head" else target
    before, _ = current(engine)
    if before == wanted:
        return before, before
    with _locked(engine) as conn:
        before = _revision(conn)  # another process may have migrated meanwhile
        known = {s.revision for s in scripts().walk_revisions()}
        if before is not None and before not in known:
            raise MatcherError(
                f"the database is at schema revision {before!r}, which this version of "
                "matcher does not know (was it upgraded by a newer version?)"
            )
        cfg = config(conn)
        try:
            if before is None and sa.inspect(conn).has_table(_LEGACY_TABLE):
                command.stamp(cfg, BASELINE)
            command.upgrade(cfg, wanted)
        except CommandError as exc:
            raise MatcherError(f"cannot migrate the database: {exc}") from None
        after = _revision(conn)
    return before, after


@contextlib.contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """One transaction that no other migrating process can enter at the same time."""
    dialect = engine.dialect.name
    database = engine.url.database or ""
    if dialect == "sqlite" and database and database != ":memory:":
        # pysqlite starts no transaction before DDL; a separate engine in driver
        # autocommit mode that begins with BEGIN IMMEDIATE takes the write lock first
        mig = sa.create_engine(engine.url, poolclass=sa.pool.NullPool, connect_args={"timeout": 60})

        def _autocommit(dbapi_conn: object, _record: object) -> None:
            dbapi_conn.isolation_level = None  # type: ignore[attr-defined]

        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        sa.event.listen(mig, "connect", _autocommit)
        sa.event.listen(mig, "begin", _begin)
        try:
            with mig.begin() as conn:
                yield conn
        finally:
            mig.dispose()
        return
    with engine.begin() as conn:
        if dialect == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
        yield conn
