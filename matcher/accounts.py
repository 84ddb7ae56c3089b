"""Web accounts: who may act for which school, partner or regency, and their passwords.

A user belongs to exactly one school, one partner, one regency (a district officer) or
is an admin. Passwords are hashed with Argon2id (argon2-cffi); a new account gets a
one-time link to set its password, so no mail server is needed.

Wrong passwords are counted per e-mail address asked for, known or not (the same answer
and the same work either way): each try is counted *before* its password is checked, by
a conditional write, so parallel tries cannot slip past the lock; after
:data:`MAX_FAILURES` in a row the address refuses logins, even with the right password,
for a lock that doubles with every further failure. On top, tries are rate-limited per
client address and per e-mail address (the ``limits`` library's moving window, in the
process's memory).

A login opens a session stored on the server (the cookie carries a random token, the
database its hash): logging out ends it, a new password or "log out everywhere" ends
every session of the account.
"""

from __future__ import annotations

import builtins
import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy.dialects import postgresql, sqlite
from zxcvbn import zxcvbn

from matcher.config import Settings
from matcher.errors import AuthError, MatcherError, NotFoundError, ThrottledError
from matcher.storage import Store, login_attempts, sessions, users

ROLES = ("school", "partner", "officer", "admin")
MAX_FAILURES = 5
LOCK_SECONDS = 60
MAX_LOCK_SECONDS = 3600
MIN_PASSWORD = 10
# zxcvbn's score 0-4: below 2 the password is a common one (its list of 30,000), a word
# with digits, a keyboard run, a date or a repeat, guessed in under 10^6 tries
MIN_STRENGTH = 2
TOKEN_DAYS = 7
SESSION_DAYS = 14
# tries per client address and per e-mail address (beside the lock above)
ADDRESS_RATE = "30/minute"
EMAIL_RATE = "10/minute"
# The README's demo accounts on the bundled sample: (e-mail, what it acts for, id,
# password). Printed by `matcher serve` while they still open with these passwords.
DEMO_USERS = (
    ("kepsek@smppgri6.demo", "school_id", "20532541", "sekolah-demo"),
    ("mitra@kuanta.demo", "partner_id", "P-KUANTA", "mitra-demo"),
    ("dinas@surabaya.demo", "regency", "Kota Surabaya", "dinas-demo"),
)
DEMO_SCHOOL = ("20532541", "SMP PGRI 6 Surabaya")  # the sample is recognised by these
DEMO_PARTNER = "P-KUANTA"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): the library's
# default (64 MiB, 4 lanes) took a second per login on a busy two-core server.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# verified against when the e-mail is unknown, so both answers take as long
_DUMMY = _hasher.hash(secrets.token_hex(16))


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class User:
    """One account; ``school_id``, ``partner_id`` or ``regency`` says what it acts for."""

    user_id: int
    email: str
    role: str
    school_id: str | None
    partner_id: str | None
    regency: str | None
    has_password: bool
    created_at: datetime

    @property
    def side(self) -> str | None:
        """ "school" or "partner" for an account of one of them, else None."""
        return self.role if self.role in ("school", "partner") else None

    @property
    def own_id(self) -> str | None:
        """The school's or partner's id this account acts for."""
        return self.school_id if self.role == "school" else self.partner_id

    def may_act_for(self, side: str, record_id: str) -> bool:
        """May this user see and change ``side`` ("school"/"partner") ``record_id``?
        Only its own school or partner; an admin any."""
        if self.role == "admin":
            return True
        return self.role == side and self.own_id == record_id


def _user(row: Any) -> User:
    return User(
        user_id=int(row.user_id),
        email=row.email,
        role=row.role,
        school_id=row.school_id,
        partner_id=row.partner_id,
        regency=row.regency,
        has_password=bool(row.password_hash),
        created_at=row.created_at,
    )


def check_email(email: str) -> str:
    """The e-mail address, trimmed and lower-cased, or a MatcherError."""
    e = (email or "").strip().lower()
    if not EMAIL_RE.match(e) or len(e) > 254:
        raise MatcherError(f"{email!r} is not an e-mail address")
    return e


def check_password(password: str, email: str = "") -> None:
    """A MatcherError unless ``password`` has :data:`MIN_PASSWORD` characters and is
    not easy to guess (zxcvbn score :data:`MIN_STRENGTH` or more, the e-mail's words
    counted as known)."""
    if len(password or "") < MIN_PASSWORD:
        raise MatcherError(f"the password needs at least {MIN_PASSWORD} characters")
    words = [w for w in re.split(r"[@.]", email or "") if w]
    if zxcvbn(password[:100], user_inputs=words)["score"] < MIN_STRENGTH:
        raise MatcherError(
            "the password is too easy to guess (a common password, a word with digits, "
            "a keyboard run): choose a longer phrase of your own"
        )


class Accounts:
    """Users stored beside the schools and partners (same database); set-password
    links point to ``settings.base_url``."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store, self.settings = store, settings
        self.engine = store.engine
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        # tries allowed per client address and per e-mail (a test may loosen them)
        self.rates = {"address": parse(ADDRESS_RATE), "email": parse(EMAIL_RATE)}

    def add(
        self,
        email: str,
        role: str,
        school_id: str | None = None,
        partner_id: str | None = None,
        regency: str | None = None,
        password: str | None = None,
    ) -> tuple[User, str | None]:
        """Create an account; returns it and, without ``password``, the one-time token of
        its set-password link (valid :data:`TOKEN_DAYS` days)."""
        e = check_email(email)
        if role not in ROLES:
            raise MatcherError(f"role {role!r} is not one of {', '.join(ROLES)}")
        need = {"school": school_id, "partner": partner_id, "officer": regency}
        if role in need and not (need[role] or "").strip():
            what = {"school": "--school ID", "partner": "--partner ID", "officer": "--regency"}
            raise MatcherError(f"a {role} account needs {what[role]}")
        row: dict[str, Any] = {
            "email": e,
            "role": role,
            "school_id": school_id if role == "school" else None,
            "partner_id": partner_id if role == "partner" else None,
            "regency": regency.strip() if role == "officer" and regency else None,
            "created_at": _now(),
        }
        token = None
        if password is not None:
            check_password(password, e)
            row["password_hash"] = _hasher.hash(password)
        else:
            token = secrets.token_urlsafe(24)
            row["token_hash"] = _digest(token)
            row["token_expires"] = _now() + timedelta(days=TOKEN_DAYS)
        with self.engine.begin() as conn:
            if conn.execute(sa.select(users.c.user_id).where(users.c.email == e)).first():
                raise MatcherError(f"an account with e-mail {e} already exists")
            conn.execute(users.insert().values(**row))
        return self.by_email(e), token

    def new_token(self, email: str) -> str:
        """A fresh one-time set-password token for an existing account (forgotten
        password); the previous token stops working."""
        user = self.by_email(email)
        token = secrets.token_urlsafe(24)
        with self.engine.begin() as conn:
            conn.execute(
                users.update()
                .where(users.c.user_id == user.user_id)
                .values(
                    token_hash=_digest(token), token_expires=_now() + timedelta(days=TOKEN_DAYS)
                )
            )
        return token

    def by_email(self, email: str) -> User:
        e = (email or "").strip().lower()
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.email == e)).first()
        if row is None:
            raise NotFoundError(f"no account with e-mail {e}")
        return _user(row)

    def get(self, user_id: int) -> User:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.user_id == user_id)).first()
        if row is None:
            raise NotFoundError(f"no account {user_id}")
        return _user(row)

    def list(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(users).order_by(users.c.user_id)).fetchall()
        return [_user(r) for r in rows]

    def token_user(self, token: str) -> User:
        """The account a set-password token belongs to, if it is still valid."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(users).where(users.c.token_hash == _digest(token or ""))
            ).first()
        if row is None or row.token_expires is None or row.token_expires < _now():
            raise AuthError("this link is used or expired; ask for a new one")
        return _user(row)

    def set_password(self, token: str, password: str) -> User:
        """Set the password through a one-time token; the token is then used up (a
        conditional write: of two uses at once, one wins) and every session of the
        account ends."""
        user = self.token_user(token)
        check_password(password, user.email)
        hashed = _hasher.hash(password)
        with self.store.transaction() as conn:
            done = conn.execute(
                users.update()
                .where(
                    users.c.user_id == user.user_id,
                    users.c.token_hash == _digest(token),
                    users.c.token_expires > _now(),
                )
                .values(password_hash=hashed, token_hash=None, token_expires=None)
            ).rowcount
            if done != 1:
                raise AuthError("this link is used or expired; ask for a new one")
            conn.execute(sessions.delete().where(sessions.c.user_id == user.user_id))
            conn.execute(login_attempts.delete().where(login_attempts.c.email == user.email))
        return self.get(user.user_id)

    def authenticate(
        self, email: str, password: str, address: str | None = None, production: bool = False
    ) -> User:
        """The account if the password is right; AuthError if not, ThrottledError
        while the e-mail address is locked after too many wrong passwords or the client
        ``address`` or e-mail tried too often. An unknown e-mail is answered the same way
        after the same work. In ``production`` the README's demo accounts are refused."""
        e = (email or "").strip().lower()[:254]
        for kind, key in (("address", address or "-"), ("email", e)):
            if not self._limiter.hit(self.rates[kind], kind, key):
                reset = self._limiter.get_window_stats(self.rates[kind], kind, key).reset_time
                wait = max(1, int(reset - time.time() + 0.999))
                raise ThrottledError(f"too many tries; try again in {wait} s", wait)
        wait = self._claim_try(e)
        if wait > 0:
            raise ThrottledError(f"too many wrong passwords; try again in {wait} s", wait)
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.email == e)).first()
        hashed = row.password_hash if row is not None and row.password_hash else None
        # an unknown e-mail costs one verification too: the same time either way
        right = _verify(hashed or _DUMMY, password) and hashed is not None
        if right and production and any(e == d[0] for d in DEMO_USERS):
            raise AuthError("the demo accounts are off in production mode")
        if not right:
            with self.engine.connect() as conn:
                failures = conn.execute(
                    sa.select(login_attempts.c.failures).where(login_attempts.c.email == e)
                ).scalar_one_or_none()
            if (failures or 0) >= MAX_FAILURES:
                wait = _lock_left(int(failures or 0), _now())
                raise ThrottledError(f"too many wrong passwords; try again in {wait} s", wait)
            raise AuthError("wrong e-mail or password")
        with self.store.transaction() as conn:
            conn.execute(login_attempts.delete().where(login_attempts.c.email == e))
        assert row is not None
        return _user(row)

    def _claim_try(self, email: str) -> int:
        """Count one try of ``email`` before its password is checked, unless it is
        locked: 0 when counted, else the seconds left of the lock. One transaction with
        a conditional write (the count must still be the one read), so of parallel tries
        only :data:`MAX_FAILURES` are ever checked before the lock."""
        for _ in range(100):
            with self.store.transaction() as conn:
                insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
                conn.execute(
                    insert(login_attempts)
                    .values(email=email, failures=0, failed_at=None)
                    .on_conflict_do_nothing(index_elements=["email"])
                )
                row = conn.execute(
                    sa.select(login_attempts).where(login_attempts.c.email == email)
                ).one()
                wait = _lock_left(int(row.failures), row.failed_at)
                if wait > 0:
                    return wait
                counted = conn.execute(
                    login_attempts.update()
                    .where(
                        login_attempts.c.email == email,
                        login_attempts.c.failures == row.failures,
                    )
                    .values(failures=row.failures + 1, failed_at=_now())
                ).rowcount
            if counted == 1:
                return 0
        return LOCK_SECONDS  # a storm of tries on one address: treat it as locked

    # -- sessions ------------------------------------------------------------------------

    def start_session(self, user_id: int, days: int = SESSION_DAYS) -> str:
        """A new session of ``user_id``; returns the token its cookie carries."""
        token = secrets.token_urlsafe(32)
        now = _now()
        with self.store.transaction() as conn:
            conn.execute(
                sessions.insert().values(
                    token_hash=_digest(token),
                    user_id=user_id,
                    created_at=now,
                    expires_at=now + timedelta(days=days),
                )
            )
        return token

    def session_user(self, token: str | None) -> User | None:
        """The account of a live session, or None (ended, expired or never made)."""
        if not token or not isinstance(token, str):
            return None
        q = (
            sa.select(users)
            .join(sessions, sessions.c.user_id == users.c.user_id)
            .where(sessions.c.token_hash == _digest(token), sessions.c.expires_at > _now())
        )
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        return None if row is None else _user(row)

    def end_session(self, token: str | None) -> None:
        """Log one session out (its cookie no longer opens anything)."""
        if token and isinstance(token, str):
            with self.store.transaction() as conn:
                conn.execute(sessions.delete().where(sessions.c.token_hash == _digest(token)))

    def end_sessions(self, user_id: int) -> int:
        """Log an account out everywhere; returns how many sessions ended."""
        with self.store.transaction() as conn:
            res = conn.execute(sessions.delete().where(sessions.c.user_id == user_id))
            return int(res.rowcount)

    def verifies(self, email: str, password: str) -> bool:
        """Does ``password`` open ``email`` (without counting a failure)? For telling
        whether a demo account still has its demo password."""
        e = (email or "").strip().lower()
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.email == e)).first()
        return bool(row is not None and row.password_hash and _verify(row.password_hash, password))

    def add_user(
        self,
        email: str,
        school_id: str | None = None,
        partner_id: str | None = None,
        regency: str | None = None,
        admin: bool = False,
        password: str | None = None,
    ) -> tuple[User, str | None]:
        """Create a web account for one stored school, one stored partner, a regency's
        officer (a regency with schools) or an admin; returns it and, without
        ``password``, its set-password link."""
        given = [x for x in (school_id, partner_id, regency) if x] + ([True] if admin else [])
        if len(given) != 1:
            raise MatcherError("give exactly one of --school, --partner, --regency, --admin")
        if school_id:
            self.store.get("schools", school_id)
            user, token = self.add(email, "school", school_id=school_id, password=password)
        elif partner_id:
            self.store.get("partners", partner_id)
            user, token = self.add(email, "partner", partner_id=partner_id, password=password)
        elif regency:
            known = self.store.page("schools", {"regency": regency}, limit=1)[0]
            if not known:
                raise NotFoundError(f"no schools with regency {regency!r}")
            user, token = self.add(email, "officer", regency=regency, password=password)
        else:
            user, token = self.add(email, "admin", password=password)
        link = None if token is None else f"{self.settings.base_url}/set-password?token={token}"
        return user, link

    def ensure_demo_users(self) -> builtins.list[tuple[User, str]]:
        """On the bundled sample, create the README's demo accounts (unless an account has
        their e-mail) and return those that still open with their demo password, with it.
        On any other data nothing is created."""
        try:  # only on the bundled sample: never known passwords on real data
            sample = self.store.get("schools", DEMO_SCHOOL[0])["name"] == DEMO_SCHOOL[1]
            self.store.get("partners", DEMO_PARTNER)
        except NotFoundError:
            sample = False
        if not sample:
            return []
        shown = []
        for email, kind, value, password in DEMO_USERS:
            try:
                user = self.by_email(email)
            except NotFoundError:
                try:
                    user, _ = self.add_user(
                        email,
                        school_id=value if kind == "school_id" else None,
                        partner_id=value if kind == "partner_id" else None,
                        regency=value if kind == "regency" else None,
                        password=password,
                    )
                except NotFoundError:
                    continue  # not the bundled sample: no demo account for it
            if self.verifies(email, password):
                shown.append((user, password))
        return shown


def _verify(hashed: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(hashed, password or ""))
    except (VerificationError, InvalidHashError):
        return False


def _lock_left(failures: int, failed_at: datetime | None) -> int:
    """Seconds an account stays locked: none below MAX_FAILURES, then LOCK_SECONDS
    doubling per further failure, up to MAX_LOCK_SECONDS, counted from the last one."""
    if failures < MAX_FAILURES or failed_at is None:
        return 0
    lock = min(LOCK_SECONDS * 2 ** (failures - MAX_FAILURES), MAX_LOCK_SECONDS)
    left = (failed_at + timedelta(seconds=lock) - _now()).total_seconds()
    return max(0, int(left + 0.999))
