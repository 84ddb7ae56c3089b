"""Schema migrations: a database is brought to the newest revision whether it is empty or
was made by matcher 0.2.0's ``create_all``, on SQLite and PostgreSQL; the migrated schema
is exactly the tables in ``matcher.storage`` (so a table change without a revision fails
here)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from matcher import migrations, sqlite_locks
from matcher.cli import main
from matcher.config import Settings
from matcher.errors import MatcherError
from matcher.storage import Store, metadata


def legacy_metadata() -> sa.MetaData:
    """The tables exactly as matcher 0.2.0 declared them and created with create_all."""
    md = sa.MetaData()
    sa.Table(
        "schools",
        md,
        sa.Column("school_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("ownership", sa.String(16), nullable=False),
        sa.Column("province", sa.String(120), nullable=False),
        sa.Column("regency", sa.String(120), nullable=False, index=True),
        sa.Column("district", sa.String(120), nullable=False, index=True),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("students", sa.Integer),
        sa.Column("teachers", sa.Integer),
        sa.Column("accreditation", sa.String(8), nullable=False),
        sa.Column("needs", sa.Text, nullable=False),
        sa.Column("offers", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("languages", sa.Text, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    sa.Table(
        "partners",
        md,
        sa.Column("partner_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("sector", sa.String(120), nullable=False),
        sa.Column("province", sa.String(120), nullable=False),
        sa.Column("regency", sa.String(120), nullable=False),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("service_radius_km", sa.Float, nullable=False),
        sa.Column("online", sa.Boolean, nullable=False),
        sa.Column("offers", sa.Text, nullable=False),
        sa.Column("needs", sa.Text, nullable=False),
        sa.Column("levels", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("languages", sa.Text, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    sa.Table(
        "outcomes",
        md,
        sa.Column("outcome_id", sa.String(80), primary_key=True),
        sa.Column("school_id", sa.String(64), nullable=False, index=True),
        sa.Column("partner_id", sa.String(64), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("school_rating", sa.Integer),
        sa.Column("partner_rating", sa.Integer),
        sa.Column("recorded_at", sa.DateTime, nullable=False, index=True),
        sa.Column("loaded_at", sa.DateTime, nullable=False),
    )
    return md


def legacy_database(url: str) -> None:
    """A database as matcher 0.2.0 left it: its tables, one school, no alembic_version."""
    md = legacy_metadata()
    eng = sa.create_engine(url)
    md.create_all(eng)
    now = datetime(2026, 11, 1)
    row = {
        "school_id": "S1", "name": "SD Negeri 1", "level": "SD", "ownership": "negeri",
        "province": "Jawa Timur", "regency": "Kota Surabaya", "district": "Semampir",
        "latitude": -7.25, "longitude": 112.75, "students": 200, "teachers": 10,
        "accreditation": "B", "needs": "funding", "offers": "", "description": "",
        "languages": "id", "capacity": 2, "updated_at": now,
    }  # fmt: skip
    partner = {
        "partner_id": "P1", "name": "PT Satu", "type": "company", "sector": "ICT",
        "province": "Jawa Timur", "regency": "Kota Surabaya", "latitude": -7.26,
        "longitude": 112.76, "service_radius_km": 50.0, "online": False, "offers": "funding",
        "needs": "", "levels": "", "description": "", "languages": "id", "capacity": 5,
        "updated_at": now,
    }  # fmt: skip
    event = {
        "outcome_id": "E1", "school_id": "S1", "partner_id": "P1", "status": "completed",
        "school_rating": 5, "partner_rating": 4, "recorded_at": now, "loaded_at": now,
    }  # fmt: skip
    with eng.begin() as conn:
        conn.execute(md.tables["schools"].insert(), [row])
        conn.execute(md.tables["partners"].insert(), [partner])
        conn.execute(md.tables["outcomes"].insert(), [event])
    eng.dispose()


def schema_differences(store: Store) -> list[object]:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, metadata))


def test_revisions_form_one_line() -> None:
    assert migrations.head()  # raises with a "merge revision" hint if two heads exist
    base = migrations.scripts().get_revision(migrations.BASELINE)
    assert base is not None and base.down_revision is None


def test_empty_database_is_migrated_to_the_tables_in_storage(settings: Settings) -> None:
    store = Store(settings.db_url)
    assert migrations.current(store.engine) == (migrations.head(), False)
    assert schema_differences(store) == []
    assert store.counts() == {"schools": 0, "partners": 0, "outcomes": 0}
    store.close()


def test_database_made_before_migrations_is_stamped_and_keeps_its_rows(
    settings: Settings,
) -> None:
    legacy_database(settings.db_url)
    before = Store(settings.db_url, migrate=False)
    assert migrations.current(before.engine) == (None, True)
    before.close()

    store = Store(settings.db_url)
    assert migrations.current(store.engine) == (migrations.head(), False)
    assert schema_differences(store) == []
    assert store.get("schools", "S1")["name"] == "SD Negeri 1"
    assert store.counts() == {"schools": 1, "partners": 1, "outcomes": 1}
    # the keys the revisions added hold
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO outcomes VALUES ('E2', 'S9', 'P1', 'proposed', "
                                 "NULL, NULL, '2026-11-02', '2026-11-02')"))  # fmt: skip
    store.close()


def test_db_commands_report_and_upgrade(settings: Settings, capsys) -> None:
    legacy_database(settings.db_url)
    head = migrations.head()
    assert main(["db", "current", "--db", settings.db_url]) == 0
    out = capsys.readouterr().out
    assert "tables made before migrations" in out and head in out
    store = Store(settings.db_url, migrate=False)
    assert migrations.current(store.engine) == (None, True)  # `current` changed nothing

    assert main(["db", "upgrade", "--db", settings.db_url]) == 0
    assert f"to {head} (newest)" in capsys.readouterr().out
    assert migrations.current(store.engine) == (head, False)
    assert main(["db", "current", "--db", settings.db_url]) == 0
    assert capsys.readouterr().out.strip() == f"{head} (newest)"
    assert main(["db", "upgrade", "--db", settings.db_url]) == 0
    assert "already at revision" in capsys.readouterr().out
    store.close()


def test_downgrades_undo_every_revision(settings: Settings) -> None:
    from alembic import command

    store = Store(settings.db_url)
    with store.engine.begin() as conn:
        command.downgrade(migrations.config(conn), "base")
    with store.engine.connect() as conn:
        left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
    assert left == set()
    migrations.upgrade(store.engine)
    assert schema_differences(store) == []
    store.close()


def test_a_revision_unknown_to_this_version_is_refused_clearly(settings: Settings, capsys) -> None:
    store = Store(settings.db_url)
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
    with pytest.raises(MatcherError, match="revision 'f00dfeed'.*newer version"):
        Store(settings.db_url)
    assert main(["db", "upgrade", "--db", settings.db_url]) == 2
    assert "f00dfeed" in capsys.readouterr().err
    store.close()


def test_processes_opening_a_new_database_at_once_migrate_it_once(settings: Settings) -> None:
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            Store(settings.db_url).close()
        except BaseException as exc:  # reported below
            errors.append(exc)

    start = threading.Barrier(4)

    def open_store_now() -> None:
        start.wait()  # all at the same moment: the race is in the first milliseconds
        open_store()

    threads = [threading.Thread(target=open_store_now) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = Store(settings.db_url)
    with store.engine.connect() as conn:
        stamps = conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar_one()
    assert stamps == 1 and schema_differences(store) == []
    store.close()


def hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another process's connection in the middle of switching a new file to WAL or
    migrating it: it holds the write lock, and the file is not in WAL mode yet."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_new_database_whose_write_lock_is_held_opens_once_it_is_released(
    tmp_path: Path,
) -> None:
    # without waiting, the WAL switch fails at once: the busy timeout does not cover it
    path = tmp_path / "new.db"
    holder = hold_write_lock(path)
    release = threading.Timer(0.3, holder.rollback)
    release.start()
    try:
        store = Store(f"sqlite:///{path}")
    finally:
        release.join()
        holder.close()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    assert migrations.current(store.engine) == (migrations.head(), False)
    assert schema_differences(store) == []
    store.close()


def test_a_database_locked_for_longer_than_the_retries_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_locks, "RETRY_SECONDS", 0.2)
    path = tmp_path / "new.db"
    holder = hold_write_lock(path)
    url = f"sqlite:///{path}"
    try:
        with pytest.raises(MatcherError, match=f"cannot open database '{url}': database is locked"):
            Store(url)
    finally:
        holder.close()
    store = Store(url)  # nothing half-done was left behind
    assert schema_differences(store) == []
    store.close()


def test_only_locked_errors_are_retried() -> None:
    tries: list[int] = []

    def broken() -> None:
        tries.append(1)
        raise sqlite3.OperationalError("no such table: schools")

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        sqlite_locks.retry_locked(broken, seconds=5.0)
    assert len(tries) == 1

    def locked_three_times() -> str:
        tries.append(1)
        if len(tries) < 4:
            busy = sqlite3.OperationalError("database is locked")
            raise sa.exc.OperationalError("BEGIN IMMEDIATE", {}, busy)
        return "done"

    assert sqlite_locks.retry_locked(locked_three_times, seconds=5.0) == "done"
    assert len(tries) == 4
