"""Notifications waiting to be mailed: which accounts must hear of what, once each.

Mail is derived from what the web app already stores, so no partnership step needs a
hook: the messages of a partnership are its log (``proposal``, ``accepted``,
``declined``, ``mou``, ``confirm`` ...), read past a high-water mark, and two waits are
read from the partnerships themselves (a proposal unanswered for
:data:`UNANSWERED_DAYS` days, an active partnership without news for
:data:`~matcher.partnerships.REMINDER_DAYS` days). Each mail goes to the accounts of the
side that must act, keyed by event and account (``event_key`` is unique), so scanning
twice, or two scanners at once, enqueue it once. Sending (``web.mail``) claims a row with
a conditional write, and a failed attempt comes due again after a growing wait
(:func:`backoff`): a mail server that is down loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from matcher.errors import NotFoundError
from matcher.partnerships import DINAS, REMINDER_DAYS, SIDES
from matcher.storage import (
    Store,
    outbox,
    outbox_marks,
    partners,
    partnership_messages,
    partnerships,
    schools,
    users,
)

KINDS = (
    "proposal",
    "proposal_dinas",
    "answer",
    "memo_confirm",
    "memo_changed",
    "unanswered",
    "quiet",
)
UNANSWERED_DAYS = 14
MAIL_LANGUAGES = ("id", "en")
CLAIM_SECONDS = 300  # a sender that dies mid-send frees its rows after this
MAX_BACKOFF_SECONDS = 6 * 3600
_MARK = "messages"
# a partnership message -> the mail it makes for the other side
_FROM_MESSAGE = {
    "proposal": "proposal",
    "accepted": "answer",
    "declined": "answer",
    "mou": "memo_changed",
    "confirm": "memo_confirm",
}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 1, 2, 4 ... minutes, at most 6 h."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


@dataclass(frozen=True)
class Mail:
    """One claimed mail with what its text needs."""

    outbox_id: int
    kind: str
    user_id: int
    email: str
    language: str
    side: str
    partnership_id: str | None
    status: str | None
    school_name: str
    partner_name: str
    attempts: int


def _other(side: str) -> str:
    return "partner" if side == "school" else "school"


class Outbox:
    """The outbox of ``store``'s database."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    # -- enqueueing ----------------------------------------------------------------------

    def scan(self, now: datetime | None = None) -> int:
        """Enqueue every mail that is due and not yet enqueued; returns how many."""
        now = now or _now()
        with self.store.transaction() as conn:
            mark = conn.execute(
                sa.select(outbox_marks.c.value).where(outbox_marks.c.name == _MARK)
            ).scalar()
            start = int(mark or 0)
            rows = conn.execute(
                sa.select(
                    partnership_messages.c.message_id,
                    partnership_messages.c.kind,
                    partnership_messages.c.side,
                    partnerships,
                )
                .join(partnerships)
                .where(partnership_messages.c.message_id > start)
                .order_by(partnership_messages.c.message_id)
            ).all()
            wanted: list[tuple[str, str, str, Any]] = []  # (event key, kind, to side, row)
            for r in rows:
                kind = _FROM_MESSAGE.get(r.kind)
                if kind is None:
                    continue
                if r.side == DINAS:  # a district's proposal: both sides answer it
                    wanted += [(f"m{r.message_id}", "proposal_dinas", s, r) for s in SIDES]
                    continue
                to = _other(r.side)
                # a confirmation asks the other side only while it has not confirmed
                if kind == "memo_confirm" and (
                    r.status != "accepted" or bool(getattr(r, f"{to}_confirmed"))
                ):
                    continue
                wanted.append((f"m{r.message_id}", kind, to, r))
            old = now - timedelta(days=UNANSWERED_DAYS)
            for r in conn.execute(
                sa.select(partnerships).where(
                    partnerships.c.status == "proposed", partnerships.c.created_at <= old
                )
            ).all():
                sides = (
                    [s for s in SIDES if not getattr(r, f"{s}_accepted")]
                    if r.proposed_by == DINAS
                    else [_other(r.proposed_by)]
                )
                for side in sides:
                    wanted.append((f"unanswered:{r.partnership_id}", "unanswered", side, r))
            quiet = now - timedelta(days=REMINDER_DAYS)
            for r in conn.execute(
                sa.select(partnerships).where(
                    partnerships.c.status == "active", partnerships.c.updated_at <= quiet
                )
            ).all():
                for side in SIDES:
                    key = f"quiet:{r.partnership_id}:{r.updated_at.isoformat()}"
                    wanted.append((key, "quiet", side, r))
            new = self._enqueue(conn, wanted, now)
            if rows:  # the mark only moves forward, whoever scanned meanwhile
                top = int(rows[-1].message_id)
                insert = sqlite.insert if conn.dialect.name == "sqlite" else postgresql.insert
                conn.execute(
                    insert(outbox_marks)
                    .values(name=_MARK, value=top)
                    .on_conflict_do_nothing(index_elements=["name"])
                )
                conn.execute(
                    outbox_marks.update()
                    .where(outbox_marks.c.name == _MARK, outbox_marks.c.value < top)
                    .values(value=top)
                )
        return new

    def _enqueue(
        self, conn: sa.Connection, wanted: list[tuple[str, str, str, Any]], now: datetime
    ) -> int:
        if not wanted:
            return 0
        accounts: dict[tuple[str, str], list[int]] = {}
        for side in SIDES:
            col = users.c.school_id if side == "school" else users.c.partner_id
            ids = {getattr(r, f"{side}_id") for _, _, s, r in wanted if s == side}
            if not ids:
                continue
            for uid, rid in conn.execute(
                sa.select(users.c.user_id, col).where(
                    users.c.role == side, col.in_(sorted(ids)), users.c.mail_off.is_(False)
                )
            ).all():
                accounts.setdefault((side, rid), []).append(int(uid))
        rows = [
            {
                "event_key": f"{key}:u{uid}",
                "user_id": uid,
                "kind": kind,
                "partnership_id": r.partnership_id,
                "side": side,
                "created_at": now,
                "due_at": now,
                "attempts": 0,
            }
            for key, kind, side, r in wanted
            for uid in accounts.get((side, getattr(r, f"{side}_id")), [])
        ]
        if not rows:
            return 0
        insert = sqlite.insert if conn.dialect.name == "sqlite" else postgresql.insert
        stmt = insert(outbox).on_conflict_do_nothing(index_elements=["event_key"])
        return len(conn.execute(stmt.returning(outbox.c.outbox_id), rows).all())

    # -- sending -------------------------------------------------------------------------

    def claim(self, now: datetime | None = None, limit: int = 100) -> list[Mail]:
        """Take up to ``limit`` due mails for sending: each by a conditional write, so
        two senders never take the same one (the other's write finds it claimed)."""
        now = now or _now()
        free = sa.or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now)
        due = sa.and_(outbox.c.sent_at.is_(None), outbox.c.due_at <= now, free)
        with self.engine.connect() as conn:
            ids = (
                conn.execute(
                    sa.select(outbox.c.outbox_id).where(due).order_by(outbox.c.due_at).limit(limit)
                )
                .scalars()
                .all()
            )
        taken = []
        until = now + timedelta(seconds=CLAIM_SECONDS)
        for oid in ids:
            with self.store.transaction() as conn:
                res = conn.execute(
                    outbox.update()
                    .where(outbox.c.outbox_id == oid, due)
                    .values(claimed_until=until)
                )
                if res.rowcount == 1:
                    taken.append(oid)
        return self._mails(taken)

    def _mails(self, ids: list[int]) -> list[Mail]:
        if not ids:
            return []
        q = (
            sa.select(
                outbox,
                users.c.email,
                users.c.mail_language,
                partnerships.c.status,
                schools.c.name.label("school_name"),
                partners.c.name.label("partner_name"),
            )
            .join(users, users.c.user_id == outbox.c.user_id)
            .outerjoin(partnerships, partnerships.c.partnership_id == outbox.c.partnership_id)
            .outerjoin(schools, schools.c.school_id == partnerships.c.school_id)
            .outerjoin(partners, partners.c.partner_id == partnerships.c.partner_id)
            .where(outbox.c.outbox_id.in_(ids))
            .order_by(outbox.c.outbox_id)
        )
        with self.engine.connect() as conn:
            return [
                Mail(
                    outbox_id=int(r.outbox_id),
                    kind=r.kind,
                    user_id=int(r.user_id),
                    email=r.email,
                    language=r.mail_language if r.mail_language in MAIL_LANGUAGES else "id",
                    side=r.side,
                    partnership_id=r.partnership_id,
                    status=r.status,
                    school_name=r.school_name or "",
                    partner_name=r.partner_name or "",
                    attempts=int(r.attempts),
                )
                for r in conn.execute(q).all()
            ]

    def sent(self, outbox_id: int, now: datetime | None = None) -> None:
        """The server took the mail: it is never sent again."""
        with self.store.transaction() as conn:
            conn.execute(
                outbox.update()
                .where(outbox.c.outbox_id == outbox_id, outbox.c.sent_at.is_(None))
                .values(sent_at=now or _now(), claimed_until=None, last_error=None)
            )

    def failed(self, outbox_id: int, error: str, now: datetime | None = None) -> None:
        """The server did not take it: try again after :func:`backoff`."""
        now = now or _now()
        with self.store.transaction() as conn:
            attempts = conn.execute(
                sa.select(outbox.c.attempts).where(outbox.c.outbox_id == outbox_id)
            ).scalar_one()
            conn.execute(
                outbox.update()
                .where(outbox.c.outbox_id == outbox_id, outbox.c.sent_at.is_(None))
                .values(
                    attempts=attempts + 1,
                    due_at=now + backoff(attempts + 1),
                    claimed_until=None,
                    last_error=error[:2000],
                )
            )

    def counts(self) -> dict[str, int]:
        """How many mails are sent and waiting."""
        with self.engine.connect() as conn:
            sent = conn.execute(
                sa.select(sa.func.count()).where(outbox.c.sent_at.is_not(None))
            ).scalar_one()
            waiting = conn.execute(
                sa.select(sa.func.count()).where(outbox.c.sent_at.is_(None))
            ).scalar_one()
        return {"sent": int(sent), "waiting": int(waiting)}

    # -- preferences ---------------------------------------------------------------------

    def preferences(self, user_id: int) -> tuple[bool, str]:
        """(mail on, mail language) of one account."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(users.c.mail_off, users.c.mail_language).where(users.c.user_id == user_id)
            ).first()
        if row is None:
            raise NotFoundError(f"no account {user_id}")
        lang = row.mail_language if row.mail_language in MAIL_LANGUAGES else "id"
        return not row.mail_off, lang

    def set_preferences(self, user_id: int, mail_on: bool, language: str | None = None) -> None:
        """Turn an account's mail on or off (and choose its language); mail already
        waiting for it is dropped when it is turned off."""
        values: dict[str, Any] = {"mail_off": not mail_on}
        if language is not None:
            values["mail_language"] = language if language in MAIL_LANGUAGES else "id"
        with self.store.transaction() as conn:
            res = conn.execute(users.update().where(users.c.user_id == user_id).values(**values))
            if res.rowcount == 0:
                raise NotFoundError(f"no account {user_id}")
            if not mail_on:
                conn.execute(
                    outbox.delete().where(outbox.c.user_id == user_id, outbox.c.sent_at.is_(None))
                )
