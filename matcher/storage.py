"""Storage of schools, partners and outcome events in a SQL database (SQLAlchemy Core).

The tables below are the schema's definition; ``matcher/migrations/`` holds the Alembic
revisions that build and alter real databases to match it (a test compares the two, so
a table change needs a revision: docs/development.md).

An embedded SQLite file by default; any SQLAlchemy URL (PostgreSQL, ...) works. Lists are
stored as ``;``-joined text, which every backend indexes and compares the same way.
Writes are transactional: a load either stores every record it was given or nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from matcher import migrations, sqlite_locks
from matcher.errors import MatcherError, NotFoundError, RowError, ValidationError

metadata = sa.MetaData()


def _contact_columns() -> list[sa.Column[str]]:
    """Contact person, phone, e-mail and WhatsApp (optional; docs/files.md)."""
    return [
        sa.Column("contact_name", sa.String(120)),
        sa.Column("phone", sa.String(30)),
        sa.Column("email", sa.String(254)),
        sa.Column("whatsapp", sa.String(30)),
    ]


LIST_COLUMNS = {
    "schools": ("needs", "offers", "languages"),
    "partners": ("offers", "needs", "levels", "languages"),
    "outcomes": (),
}

schools = sa.Table(
    "schools",
    metadata,
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
    *_contact_columns(),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

partners = sa.Table(
    "partners",
    metadata,
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
    *_contact_columns(),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

outcomes = sa.Table(
    "outcomes",
    metadata,
    sa.Column("outcome_id", sa.String(80), primary_key=True),
    # an event belongs to its school and partner: deleting either deletes it, and no
    # event can name a record that is gone (SQLite enforces this per connection, below)
    sa.Column(
        "school_id",
        sa.String(64),
        sa.ForeignKey("schools.school_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "partner_id",
        sa.String(64),
        sa.ForeignKey("partners.partner_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("school_rating", sa.Integer),
    sa.Column("partner_rating", sa.Integer),
    sa.Column("recorded_at", sa.DateTime, nullable=False, index=True),
    sa.Column("loaded_at", sa.DateTime, nullable=False),
)

# The audit record of each published allocation (matcher.publishing): who, when, with
# which settings, on which data and model, and which pairs became proposals.
publications = sa.Table(
    "publications",
    metadata,
    sa.Column("publication_id", sa.String(40), primary_key=True),
    sa.Column("scope", sa.String(200), nullable=False, index=True),
    sa.Column("published_by", sa.String(200), nullable=False),
    sa.Column("published_at", sa.DateTime, nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),
    sa.Column("settings", sa.Text, nullable=False),
    sa.Column("data_fingerprint", sa.String(64), nullable=False),
    sa.Column("fingerprint_after", sa.String(64), nullable=False),
    sa.Column("model_version", sa.String(64), nullable=False),
    sa.Column("proposed", sa.Integer, nullable=False),
    sa.Column("skipped", sa.Integer, nullable=False),
    sa.Column("pairs", sa.Text, nullable=False),
)

# Web accounts (matcher.accounts) and partnerships made in the web app
# (matcher.partnerships): each belongs to its school and partner.
users = sa.Table(
    "users",
    metadata,
    sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    # an account of a school or partner goes with it
    sa.Column(
        "school_id",
        sa.String(64),
        sa.ForeignKey("schools.school_id", ondelete="CASCADE"),
        index=True,
    ),
    sa.Column(
        "partner_id",
        sa.String(64),
        sa.ForeignKey("partners.partner_id", ondelete="CASCADE"),
        index=True,
    ),
    sa.Column("regency", sa.String(120)),
    sa.Column("password_hash", sa.String(200)),
    sa.Column("token_hash", sa.String(64), index=True),
    sa.Column("token_expires", sa.DateTime),
    sa.Column("created_at", sa.DateTime, nullable=False),
    # notifications (matcher.outbox): the language of its mail, and whether it stopped it
    sa.Column("mail_language", sa.String(8)),
    sa.Column("mail_off", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
)

# Signed-in sessions (matcher.accounts): the cookie carries a random token, the table its
# hash, so logging out, a new password or "log out everywhere" ends a session for good.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("users.user_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)

# Wrong passwords per e-mail address asked for, known or not (so the lock tells nothing
# about which addresses have accounts); each try is counted before its password is checked.
login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("email", sa.String(254), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("failed_at", sa.DateTime),
)

partnerships = sa.Table(
    "partnerships",
    metadata,
    sa.Column("partnership_id", sa.String(32), primary_key=True),
    sa.Column(
        "school_id",
        sa.String(64),
        sa.ForeignKey("schools.school_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "partner_id",
        sa.String(64),
        sa.ForeignKey("partners.partner_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("proposed_by", sa.String(8), nullable=False),
    sa.Column("school_roles", sa.Text, nullable=False, default=""),
    sa.Column("partner_roles", sa.Text, nullable=False, default=""),
    sa.Column("period_start", sa.Date),
    sa.Column("period_end", sa.Date),
    sa.Column("school_confirmed", sa.Boolean, nullable=False, default=False),
    sa.Column("partner_confirmed", sa.Boolean, nullable=False, default=False),
    sa.Column("school_rating", sa.Integer),
    sa.Column("partner_rating", sa.Integer),
    sa.Column("end_reason", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    # the memorandum's text version: each edit adds one, a confirmation names the
    # version it confirms (matcher.partnerships)
    sa.Column("mou_version", sa.Integer, nullable=False, server_default="0"),
    # a district's proposal (proposed_by "dinas"): its regency, and which sides accepted
    sa.Column("dinas", sa.String(120)),
    sa.Column("school_accepted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("partner_accepted", sa.Boolean, nullable=False, server_default=sa.false()),
)
# one open partnership per pair: a second proposal made at the same time fails here
OPEN_PARTNERSHIP = ("proposed", "accepted", "active")
_OPEN_WHERE = sa.text(f"status IN ({', '.join(repr(s) for s in OPEN_PARTNERSHIP)})")
sa.Index(
    "uq_partnerships_open_pair",
    partnerships.c.school_id,
    partnerships.c.partner_id,
    unique=True,
    sqlite_where=_OPEN_WHERE,
    postgresql_where=_OPEN_WHERE,
)

partnership_messages = sa.Table(
    "partnership_messages",
    metadata,
    sa.Column("message_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "partnership_id",
        sa.String(32),
        sa.ForeignKey("partnerships.partnership_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("side", sa.String(8), nullable=False),
    sa.Column("author", sa.String(254), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)


# Mail waiting to be sent (matcher.outbox): one row per event and account, kept after it
# is sent so the same event is never mailed twice (event_key is unique).
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("outbox_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_key", sa.String(200), nullable=False, unique=True),
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("users.user_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column(
        "partnership_id",
        sa.String(32),
        sa.ForeignKey("partnerships.partnership_id", ondelete="CASCADE"),
        index=True,
    ),
    sa.Column("side", sa.String(8), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("due_at", sa.DateTime, nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("claimed_until", sa.DateTime),
    sa.Column("sent_at", sa.DateTime, index=True),
    sa.Column("last_error", sa.Text),
)

# How far the notification scanner has read the partnerships' messages (one row).
outbox_marks = sa.Table(
    "outbox_marks",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
)


def _is_time(column: sa.Column[Any]) -> bool:
    return isinstance(column.type, sa.DateTime)


TABLES = {"schools": schools, "partners": partners, "outcomes": outcomes}
KEYS = {"schools": "school_id", "partners": "partner_id", "outcomes": "outcome_id"}
_CHUNK = 500


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _to_rows(kind: str, frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
    lists = LIST_COLUMNS[kind]
    stamp = _now()
    for r in rows:
        for c in lists:
            r[c] = ";".join(r[c] or [])
        for k, v in r.items():
            if isinstance(v, float) and v != v:  # NaN from pandas means "not given"
                r[k] = None
        r["loaded_at" if kind == "outcomes" else "updated_at"] = stamp
    return rows


class Store:
    """Schools, partners and outcomes in one database.

    Parameters
    ----------
    url : str
        SQLAlchemy URL; ``sqlite:///path.db`` creates the file and its folder.
    migrate : bool
        Upgrade the database's schema to the newest revision (``matcher.migrations``)
        before use (default); ``False`` opens it as it is (``matcher db current``).
    """

    def __init__(self, url: str, migrate: bool = True) -> None:
        self.url = url
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine: Engine = sa.create_engine(url, future=True)
            if self.engine.dialect.name == "sqlite":
                sa.event.listen(self.engine, "connect", _sqlite_pragmas)
                sa.event.listen(self.engine, "begin", _sqlite_begin)
            if migrate:
                migrations.upgrade(self.engine)
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
            raise MatcherError(f"cannot use database URL {url!r}: {exc}") from None
        except sa.exc.OperationalError as exc:
            raise MatcherError(f"cannot open database {url!r}: {exc.orig}") from None

    # -- writing -------------------------------------------------------------------------

    def load(self, frames: dict[str, pd.DataFrame]) -> dict[str, int]:
        """Store validated frames in one transaction; upsert schools and partners by id,
        insert outcome events once per ``outcome_id``.

        Outcome events must name schools and partners that exist (stored or in this load);
        otherwise nothing is written. Returns the number of records written per kind.
        """
        counts: dict[str, int] = {}
        try:
            with self._writing() as conn:
                for kind in ("schools", "partners"):
                    if kind in frames and len(frames[kind]):
                        counts[kind] = self._upsert(conn, kind, frames[kind])
                if "outcomes" in frames and len(frames["outcomes"]):
                    # inside the write transaction, so a concurrent delete cannot slip
                    # between the check and the insert (the foreign keys hold regardless)
                    self._check_references(conn, frames["outcomes"])
                    counts["outcomes"] = self._insert_outcomes(conn, frames["outcomes"])
        except sa.exc.IntegrityError:
            # a school or partner deleted by another writer after our check (PostgreSQL
            # checks at insert): nothing was written; name the events that lost theirs
            if "outcomes" in frames:
                with self.engine.connect() as conn:
                    self._check_references(conn, frames["outcomes"])
            raise ValidationError(
                "outcomes", [RowError(0, "*", "a school or partner was deleted meanwhile")]
            ) from None
        return counts

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A write transaction; on SQLite it takes the write lock at once (BEGIN
        IMMEDIATE), so what it reads stays true until it commits."""
        with self.engine.connect() as conn:
            conn.execution_options(matcher_write=True)
            with conn.begin():
                yield conn

    def transaction(self) -> Any:
        """A write transaction (a context manager giving the connection) for modules
        that store their own records beside outcome events, atomically."""
        return self._writing()

    def add_outcomes(self, conn: Connection, frame: pd.DataFrame) -> int:
        """Insert validated outcome events inside ``conn``'s transaction, once per
        ``outcome_id``; a ValidationError if one names an unknown school or partner."""
        self._check_references(conn, frame)
        return self._insert_outcomes(conn, frame)

    def _upsert(self, conn: Connection, kind: str, frame: pd.DataFrame) -> int:
        """Insert or update by id, in place: a replaced school keeps its outcome events
        (a delete-and-insert would cascade to them)."""
        table, key = TABLES[kind], KEYS[kind]
        rows = _to_rows(kind, frame)
        dialect = conn.dialect.name
        if dialect in ("sqlite", "postgresql"):
            insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
            for i in range(0, len(rows), 5000):
                stmt = insert(table)
                update = {c.name: stmt.excluded[c.name] for c in table.c if c.name != key}
                conn.execute(
                    stmt.on_conflict_do_update(index_elements=[key], set_=update),
                    rows[i : i + 5000],
                )
            return len(rows)
        known = self._existing(conn, kind, [r[key] for r in rows])
        fresh = [r for r in rows if r[key] not in known]
        for r in rows:
            if r[key] in known:
                conn.execute(table.update().where(table.c[key] == r[key]).values(**r))
        if fresh:
            conn.execute(table.insert(), fresh)
        return len(rows)

    def _existing(self, conn: Connection, kind: str, ids: Sequence[str]) -> set[str]:
        table, key = TABLES[kind], KEYS[kind]
        found: set[str] = set()
        uniq = list(dict.fromkeys(ids))
        for i in range(0, len(uniq), _CHUNK):
            q = sa.select(table.c[key]).where(table.c[key].in_(uniq[i : i + _CHUNK]))
            found.update(conn.execute(q).scalars())
        return found

    def _check_references(self, conn: Connection, frame: pd.DataFrame) -> None:
        errors: list[RowError] = []
        for kind, col in (("schools", "school_id"), ("partners", "partner_id")):
            ids = frame[col].tolist()
            known = self._existing(conn, kind, ids)
            lines = frame.attrs.get("lines") or list(range(1, len(frame) + 1))
            oids = frame["outcome_id"].tolist()
            for pos, v in enumerate(ids):
                if v not in known:
                    why = f"unknown {kind[:-1]} {v!r}"
                    errors.append(RowError(int(lines[pos]), col, why, str(oids[pos])))
        if errors:
            raise ValidationError("outcomes", errors)

    def _insert_outcomes(self, conn: Connection, frame: pd.DataFrame) -> int:
        rows = _to_rows("outcomes", frame)
        dialect = conn.dialect.name
        if dialect in ("sqlite", "postgresql"):
            insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
            total = 0
            for i in range(0, len(rows), 5000):
                stmt = insert(outcomes).on_conflict_do_nothing(index_elements=["outcome_id"])
                res = conn.execute(stmt.returning(outcomes.c.outcome_id), rows[i : i + 5000])
                total += len(res.all())
            return total
        known = self._existing(conn, "outcomes", [r["outcome_id"] for r in rows])
        fresh = [r for r in rows if r["outcome_id"] not in known]
        if fresh:
            conn.execute(outcomes.insert(), fresh)
        return len(fresh)

    def delete(self, kind: str, record_id: str) -> None:
        """Delete one school or partner and its outcome events."""
        table, key = TABLES[kind], KEYS[kind]
        if "\x00" in record_id:
            raise NotFoundError(f"no {kind[:-1]} with id {record_id!r}")
        with self._writing() as conn:
            # the events first (the foreign key's cascade does the same where enforced)
            conn.execute(outcomes.delete().where(outcomes.c[key] == record_id))
            res = conn.execute(table.delete().where(table.c[key] == record_id))
            if res.rowcount == 0:
                raise NotFoundError(f"no {kind[:-1]} with id {record_id!r}")

    # -- reading -------------------------------------------------------------------------

    def frame(self, kind: str, where: sa.ColumnElement[bool] | None = None) -> pd.DataFrame:
        """All records of one kind (optionally filtered) as a typed DataFrame."""
        table = TABLES[kind]
        cols = [c for c in table.c if c.name not in ("updated_at", "loaded_at")]
        # date-times come as the driver gives them (text on SQLite) and pandas parses the
        # whole column at once: a million outcome events, 8.3 -> 6.7 s
        q = sa.select(
            *[sa.type_coerce(c, sa.Text).label(c.name) if _is_time(c) else c for c in cols]
        )
        if where is not None:
            q = q.where(where)
        q = q.order_by(table.c[KEYS[kind]])
        with self.engine.connect() as conn:
            res = conn.execute(q)
            keys = [str(k) for k in res.keys()]  # noqa: SIM118
            rows = res.fetchall()
        # column by column: five times faster than handing pandas the row objects
        columns = zip(*rows, strict=True) if rows else ([] for _ in keys)
        df = pd.DataFrame(dict(zip(keys, columns, strict=True)), columns=keys)
        for c in LIST_COLUMNS[kind]:
            df[c] = [s.split(";") if s else [] for s in df[c].tolist()]
        for col in cols:
            if _is_time(col) and len(df):
                df[col.name] = pd.to_datetime(df[col.name])
        return df

    def schools_in(self, column: str, value: str) -> pd.DataFrame:
        """The schools whose ``column`` (province, regency or district) is ``value``,
        ignoring case as every region look-up does."""
        return self.frame("schools", same_text(schools.c[column], value))

    def distinct(self, kind: str, column: str) -> list[str]:
        """The different values of one column (e.g. every regency), sorted."""
        col = TABLES[kind].c[column]
        with self.engine.connect() as conn:
            return sorted(v for v in conn.execute(sa.select(col).distinct()).scalars() if v)

    def ids(self, kind: str) -> set[str]:
        """Every stored id of one kind."""
        table, key = TABLES[kind], KEYS[kind]
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(table.c[key])).scalars())

    def get(self, kind: str, record_id: str) -> dict[str, Any]:
        """One record as a dict, or NotFoundError."""
        if "\x00" in record_id:  # no stored id holds one; PostgreSQL refuses to compare
            raise NotFoundError(f"no {kind[:-1]} with id {record_id!r}")
        df = self.frame(kind, TABLES[kind].c[KEYS[kind]] == record_id)
        if not len(df):
            raise NotFoundError(f"no {kind[:-1]} with id {record_id!r}")
        rec = df.iloc[0].to_dict()
        return {str(k): (None if _isnan(v) else v) for k, v in rec.items()}

    def page(
        self, kind: str, filters: dict[str, str] | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[int, pd.DataFrame]:
        """One page of records matching exact-value ``filters`` (case-insensitive), ordered
        by id, and the total number of matches."""
        table = TABLES[kind]
        cond: list[sa.ColumnElement[bool]] = []
        for col, val in (filters or {}).items():
            if col not in table.c:
                raise MatcherError(f"cannot filter {kind} by {col!r}")
            if "\x00" in str(val):
                raise MatcherError(f"filter {col!r} contains a NUL character")
            cond.append(same_text(table.c[col], str(val)))
        where = sa.and_(*cond) if cond else None
        count_q = sa.select(sa.func.count()).select_from(table)
        if where is not None:
            count_q = count_q.where(where)
        with self.engine.connect() as conn:
            total = int(conn.execute(count_q).scalar_one())
            q = sa.select(table.c[KEYS[kind]]).order_by(table.c[KEYS[kind]])
            if where is not None:
                q = q.where(where)
            ids = list(conn.execute(q.limit(limit).offset(offset)).scalars())
        if not ids:
            return total, self.frame(kind, sa.false())
        return total, self.frame(kind, table.c[KEYS[kind]].in_(ids))

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                k: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
                for k, t in TABLES.items()
            }

    def fingerprint(self) -> str:
        """A short hash of what is stored, to tell whether a model saw the same data."""
        import hashlib

        h = hashlib.sha256()
        with self.engine.connect() as conn:
            for kind, t in TABLES.items():
                stamp = t.c["loaded_at" if kind == "outcomes" else "updated_at"]
                row = conn.execute(sa.select(sa.func.count(), sa.func.max(stamp))).one()
                h.update(f"{kind}:{row[0]}:{row[1]}".encode())
        return h.hexdigest()[:16]


def same_text(column: sa.ColumnElement[Any], value: str) -> sa.ColumnElement[bool]:
    """``column`` equals ``value`` ignoring case, for every alphabet: SQLite's own
    ``lower()`` folds ASCII only (``Kabupaten Ñgawi`` would not match ``kabupaten
    ñgawi``), so on SQLite the comparison uses Python's ``str.lower`` (registered per
    connection as ``py_lower``); PostgreSQL's ``lower()`` is Unicode-aware."""
    return _Lower(column) == value.lower()


class _Lower(FunctionElement[str]):
    """``lower(x)``, which SQLite spells ``py_lower(x)`` (see :func:`same_text`)."""

    type = sa.String()
    name = "lower"
    inherit_cache = True


@compiles(_Lower)
def _lower_default(element: Any, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(_Lower, "sqlite")
def _lower_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"py_lower({compiler.process(element.clauses, **kw)})"


def _py_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _isnan(v: Any) -> bool:
    return isinstance(v, float) and v != v


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # the driver's own BEGIN is turned off: _sqlite_begin issues ours
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    # the wait first: switching a new file to WAL takes a lock another opener may hold;
    # the switch itself gets "locked" without waiting while another opener does the same
    cur.execute("PRAGMA busy_timeout=30000")
    sqlite_locks.retry_locked(lambda: cur.execute("PRAGMA journal_mode=WAL"))
    cur.execute("PRAGMA foreign_keys=ON")  # off by default, per connection
    cur.close()
    dbapi_conn.create_function("py_lower", 1, _py_lower, deterministic=True)


def _sqlite_begin(conn: Connection) -> None:
    """Writers take SQLite's write lock when they begin, not at their first write: a
    reader upgraded to a writer after another commit fails at once ("database is
    locked"), whereas BEGIN IMMEDIATE waits its turn (busy_timeout)."""
    immediate = conn.get_execution_options().get("matcher_write")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
