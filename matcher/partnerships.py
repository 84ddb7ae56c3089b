"""Partnerships made in the web app: proposal, answer, memorandum, active, and the end.

A partnership's life is ``proposed`` → ``accepted`` (or ``declined``) → ``active`` once
both sides confirmed the memorandum of understanding (nota kesepahaman) → ``completed``
when both sides rated it, or ``ended_early`` with a reason. Each step is also an outcome
event of docs/files.md, so training learns from what happens here.

Every step is one transaction: the partnership's row is locked (``SELECT ... FOR
UPDATE``; SQLite's writers are serialised by ``BEGIN IMMEDIATE``), the step is checked
against what the row holds then, the row is changed with a conditional write (``UPDATE
... WHERE partnership_id = :id AND status = :expected``) and the step's outcome event and
message are written beside it. So two clicks at once (accept and decline, confirm and
confirm, an edit and a confirmation) end in exactly one of the states a one-at-a-time
order could give, and a unique partial index keeps one open partnership per pair.

The memorandum's text has a version (``mou_version``): each edit adds one and resets
both confirmations, and a confirmation names the version it confirms, so a partnership
never becomes active on text one side did not see.

A district's proposal (an officer publishing an allocation) is proposed by ``dinas``:
both the school and the partner answer it, and it is accepted once both accepted.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from matcher import schema
from matcher.errors import ConflictError, MatcherError, NotFoundError
from matcher.storage import OPEN_PARTNERSHIP, Store, partnerships
from matcher.storage import partnership_messages as messages

SIDES = ("school", "partner")
DINAS = "dinas"  # a district education office's proposal
OPEN = OPEN_PARTNERSHIP
CLOSED = ("declined", "completed", "ended_early")
REMINDER_DAYS = 60
MAX_MESSAGE = 2000
MOU_MONTHS = 12
# a memorandum's period: starts at most a year back or two years ahead, lasts at most five
MOU_START_YEARS = (1, 2)
MOU_MAX_YEARS = 5
ANSWERS = ("accept", "decline")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Message:
    side: str
    author: str
    kind: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class Partnership:
    """One partnership as stored, with its messages oldest first."""

    partnership_id: str
    school_id: str
    partner_id: str
    status: str
    proposed_by: str
    school_roles: str
    partner_roles: str
    period_start: date | None
    period_end: date | None
    school_confirmed: bool
    partner_confirmed: bool
    school_rating: int | None
    partner_rating: int | None
    end_reason: str | None
    created_at: datetime
    updated_at: datetime
    mou_version: int = 0
    dinas: str | None = None
    school_accepted: bool = False
    partner_accepted: bool = False
    messages: list[Message] = field(default_factory=list)

    def id_of(self, side: str) -> str:
        return self.school_id if side == "school" else self.partner_id

    def confirmed(self, side: str) -> bool:
        return self.school_confirmed if side == "school" else self.partner_confirmed

    def accepted_by(self, side: str) -> bool:
        """Has ``side`` accepted this district's proposal (dinas proposals only)?"""
        return self.school_accepted if side == "school" else self.partner_accepted

    def answers(self, side: str) -> bool:
        """Is ``side`` to answer this proposal now?"""
        if self.status != "proposed":
            return False
        if self.proposed_by == DINAS:
            return not self.accepted_by(side)
        return self.proposed_by != side

    def rating(self, side: str) -> int | None:
        return self.school_rating if side == "school" else self.partner_rating

    def stale(self, now: datetime | None = None) -> bool:
        """Active with no update (message, edit, step) for REMINDER_DAYS days."""
        limit = (now or _now()) - timedelta(days=REMINDER_DAYS)
        return self.status == "active" and self.updated_at < limit


def _check_side(side: str) -> None:
    if side not in SIDES:
        raise MatcherError(f"side must be school or partner, got {side!r}")


def _text(body: str | None, what: str, required: bool = False) -> str:
    s = (body or "").strip()
    if required and not s:
        raise MatcherError(f"{what} is required")
    if len(s) > MAX_MESSAGE:
        raise MatcherError(f"{what} is longer than {MAX_MESSAGE} characters")
    if "\x00" in s:
        raise MatcherError(f"{what} contains a NUL character")
    return s


def check_period(start: date, end: date, today: date | None = None) -> None:
    """A memorandum's period within the bounds above (MatcherError naming the bound)."""
    t = today or _now().date()
    lo, hi = date(t.year - MOU_START_YEARS[0], 1, 1), date(t.year + MOU_START_YEARS[1], 12, 31)
    if end <= start:
        raise MatcherError("the period must end after it starts")
    if not lo <= start <= hi:
        raise MatcherError(f"the period must start between {lo.isoformat()} and {hi.isoformat()}")
    if end > _add_months(start, 12 * MOU_MAX_YEARS):
        raise MatcherError(f"the period may last at most {MOU_MAX_YEARS} years")


def parse_answer(answer: str) -> bool:
    """``accept`` → True, ``decline`` → False; anything else is a MatcherError (never a
    decline by default)."""
    if answer not in ANSWERS:
        raise MatcherError(f"the answer must be accept or decline, got {answer[:20]!r}")
    return answer == "accept"


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, min(d.day, 28))


class Partnerships:
    """Stored partnerships and their messages.

    Parameters
    ----------
    store : Store
        The database of the schools, partners and outcome events; each step writes its
        outcome event in the same transaction as the partnership's row.
    changed : callable
        Called after a step wrote an outcome event (the served index follows the data).
    """

    def __init__(self, store: Store, changed: Callable[[], Any]):
        self.store, self.engine, self.changed = store, store.engine, changed

    # -- reading -------------------------------------------------------------------------

    def get(self, partnership_id: str) -> Partnership:
        with self.engine.connect() as conn:
            return self._get(conn, partnership_id)

    def _get(self, conn: sa.Connection, partnership_id: str, lock: bool = False) -> Partnership:
        q = sa.select(partnerships).where(partnerships.c.partnership_id == partnership_id)
        row = conn.execute(q.with_for_update() if lock else q).first()
        if row is None:
            raise NotFoundError(f"no partnership {partnership_id!r}")
        msgs = conn.execute(
            sa.select(messages)
            .where(messages.c.partnership_id == partnership_id)
            .order_by(messages.c.message_id)
        ).fetchall()
        return _partnership(
            row, [Message(m.side, m.author, m.kind, m.body, m.created_at) for m in msgs]
        )

    def list_for(self, side: str, record_id: str) -> list[Partnership]:
        """Every partnership of one school or partner, newest first (without messages)."""
        _check_side(side)
        col = partnerships.c.school_id if side == "school" else partnerships.c.partner_id
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(partnerships)
                .where(col == record_id)
                .order_by(partnerships.c.created_at.desc(), partnerships.c.partnership_id)
            ).fetchall()
        return [_partnership(r, []) for r in rows]

    def open_between(
        self, school_id: str, partner_id: str, conn: sa.Connection | None = None
    ) -> Partnership | None:
        q = sa.select(partnerships).where(
            partnerships.c.school_id == school_id,
            partnerships.c.partner_id == partner_id,
            partnerships.c.status.in_(OPEN),
        )
        if conn is not None:
            row = conn.execute(q).first()
        else:
            with self.engine.connect() as c:
                row = c.execute(q).first()
        return None if row is None else _partnership(row, [])

    # -- steps ---------------------------------------------------------------------------

    def propose(
        self,
        side: str,
        school_id: str,
        partner_id: str,
        author: str,
        message: str,
        dinas: str | None = None,
    ) -> Partnership:
        """``side`` proposes a partnership to the other; one open at a time per pair.

        ``side`` is ``"dinas"`` for a district's proposal, with ``dinas`` its regency:
        then both sides answer it."""
        if side != DINAS:
            _check_side(side)
        elif not (dinas or "").strip():
            raise MatcherError("a district's proposal names its regency")
        body = _text(message, "the message")
        pid = "k" + secrets.token_hex(8)
        now = _now()
        try:
            with self.store.transaction() as conn:
                # under SQLite's write lock this sees every committed proposal; on
                # PostgreSQL the unique index below refuses the one that loses a race
                if self.open_between(school_id, partner_id, conn) is not None:
                    raise ConflictError("a proposal or partnership between them is already open")
                conn.execute(
                    partnerships.insert().values(
                        partnership_id=pid,
                        school_id=school_id,
                        partner_id=partner_id,
                        status="proposed",
                        proposed_by=side,
                        school_roles="",
                        partner_roles="",
                        school_confirmed=False,
                        partner_confirmed=False,
                        mou_version=0,
                        dinas=dinas.strip() if side == DINAS and dinas else None,
                        school_accepted=False,
                        partner_accepted=False,
                        created_at=now,
                        updated_at=now,
                    )
                )
                self._event(conn, pid, school_id, partner_id, "proposed", now)
                self._message(conn, pid, side, author, "proposal", body, now)
        except sa.exc.IntegrityError:
            if self.open_between(school_id, partner_id) is not None:
                raise ConflictError(
                    "a proposal or partnership between them is already open"
                ) from None
            raise NotFoundError("the school or the partner was deleted meanwhile") from None
        self.changed()
        return self.get(pid)

    def respond(
        self,
        partnership_id: str,
        side: str,
        author: str,
        accept: bool,
        message: str,
        roles: tuple[str, str] = ("", ""),
    ) -> Partnership:
        """The side that received the proposal accepts (with the memorandum's draft
        ``roles``: what the school does, what the partner does) or declines it. A
        district's proposal is accepted once both sides accepted it; either declines it."""
        _check_side(side)
        body = _text(message, "the message")
        if not isinstance(accept, bool):
            raise MatcherError("the answer must be accept or decline")
        now = _now()
        with self.store.transaction() as conn:
            p = self._get(conn, partnership_id, lock=True)
            if p.status != "proposed":
                raise ConflictError(f"this proposal was already answered ({p.status})")
            if p.proposed_by == side:
                raise ConflictError("the other side answers a proposal, not the one who sent it")
            if p.proposed_by == DINAS and p.accepted_by(side):
                raise ConflictError("you already accepted this proposal")
            other = "partner" if side == "school" else "school"
            waiting = accept and p.proposed_by == DINAS and not p.accepted_by(other)
            status = "proposed" if waiting else ("accepted" if accept else "declined")
            values: dict[str, Any] = {"status": status, "updated_at": now}
            if accept:
                values[f"{side}_accepted"] = True
            if status == "accepted":
                start = now.date()
                values.update(
                    school_roles=roles[0],
                    partner_roles=roles[1],
                    period_start=start,
                    period_end=_add_months(start, MOU_MONTHS),
                    mou_version=p.mou_version + 1,
                )
            self._step(conn, p, "proposed", values)
            if status != "proposed":
                self._event(conn, p.partnership_id, p.school_id, p.partner_id, status, now)
            kind = "accepted" if accept else "declined"
            self._message(conn, p.partnership_id, side, author, kind, body, now)
        self.changed()
        return self.get(partnership_id)

    def edit_mou(
        self,
        partnership_id: str,
        side: str,
        author: str,
        school_roles: str,
        partner_roles: str,
        period_start: date,
        period_end: date,
    ) -> Partnership:
        """Change the draft memorandum (a new version); both sides then confirm it
        (again)."""
        _check_side(side)
        check_period(period_start, period_end)
        now = _now()
        values: dict[str, Any] = {
            "school_roles": _text(school_roles, "the school's roles", required=True),
            "partner_roles": _text(partner_roles, "the partner's roles", required=True),
            "period_start": period_start,
            "period_end": period_end,
            "school_confirmed": False,
            "partner_confirmed": False,
            "updated_at": now,
        }
        with self.store.transaction() as conn:
            p = self._get(conn, partnership_id, lock=True)
            if p.status != "accepted":
                raise ConflictError(
                    f"the memorandum can be changed only before it is active ({p.status})"
                )
            values["mou_version"] = p.mou_version + 1
            self._step(conn, p, "accepted", values)
            self._message(conn, p.partnership_id, side, author, "mou", "", now)
        return self.get(partnership_id)

    def confirm(
        self, partnership_id: str, side: str, author: str, version: int | None = None
    ) -> Partnership:
        """One side confirms version ``version`` of the memorandum (the one it was shown;
        None: the current one); when both confirmed it, the partnership is active. A
        version changed meanwhile is a ConflictError: read the new text first."""
        _check_side(side)
        now = _now()
        with self.store.transaction() as conn:
            p = self._get(conn, partnership_id, lock=True)
            if p.status != "accepted":
                raise ConflictError(f"there is no draft memorandum to confirm ({p.status})")
            if version is not None and version != p.mou_version:
                raise ConflictError(
                    "the memorandum was changed meanwhile; read the new text and confirm again"
                )
            if p.confirmed(side):
                return p
            values: dict[str, Any] = {f"{side}_confirmed": True, "updated_at": now}
            other = "partner" if side == "school" else "school"
            if p.confirmed(other):
                values["status"] = "active"
            self._step(conn, p, "accepted", values)
            if p.confirmed(other):
                self._event(conn, p.partnership_id, p.school_id, p.partner_id, "active", now)
            self._message(conn, p.partnership_id, side, author, "confirm", "", now)
        if p.confirmed(other):
            self.changed()
        return self.get(partnership_id)

    def rate(
        self, partnership_id: str, side: str, author: str, rating: int, message: str = ""
    ) -> Partnership:
        """One side marks the active partnership done with its rating (1–5); when both
        rated, it is completed (one event carrying both ratings)."""
        _check_side(side)
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise MatcherError("the rating must be a whole number from 1 to 5")
        body = _text(message, "the message")
        now = _now()
        with self.store.transaction() as conn:
            p = self._get(conn, partnership_id, lock=True)
            if p.status != "active":
                raise ConflictError(f"only an active partnership can be completed ({p.status})")
            if p.rating(side) is not None:
                raise ConflictError("you already rated this partnership")
            values: dict[str, Any] = {f"{side}_rating": rating, "updated_at": now}
            other = "partner" if side == "school" else "school"
            done = p.rating(other) is not None
            if done:
                values["status"] = "completed"
            self._step(conn, p, "active", values)
            if done:
                ratings = {f"{side}_rating": rating, f"{other}_rating": p.rating(other)}
                self._event(
                    conn, p.partnership_id, p.school_id, p.partner_id, "completed", now, **ratings
                )
            self._message(conn, p.partnership_id, side, author, "rating", body, now)
        if done:
            self.changed()
        return self.get(partnership_id)

    def end_early(self, partnership_id: str, side: str, author: str, reason: str) -> Partnership:
        """Either side ends an accepted or active partnership before its time."""
        _check_side(side)
        why = _text(reason, "the reason", required=True)
        now = _now()
        with self.store.transaction() as conn:
            p = self._get(conn, partnership_id, lock=True)
            if p.status not in ("accepted", "active"):
                raise ConflictError(f"this partnership is not running ({p.status})")
            values = {"status": "ended_early", "end_reason": why, "updated_at": now}
            self._step(conn, p, p.status, values)
            self._event(conn, p.partnership_id, p.school_id, p.partner_id, "ended_early", now)
            self._message(conn, p.partnership_id, side, author, "ended", why, now)
        self.changed()
        return self.get(partnership_id)

    def post(self, partnership_id: str, side: str, author: str, body: str) -> Partnership:
        """A message or progress update from one side (it counts as an update)."""
        _check_side(side)
        text = _text(body, "the message", required=True)
        now = _now()
        with self.store.transaction() as conn:
            p = self._get(conn, partnership_id, lock=True)
            self._step(conn, p, p.status, {"updated_at": now})
            self._message(conn, p.partnership_id, side, author, "note", text, now)
        return self.get(partnership_id)

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _step(conn: sa.Connection, p: Partnership, expected: str, values: dict[str, Any]) -> None:
        """The conditional write of one step: the row changes only if it still has the
        status (and memorandum version) the step was decided on."""
        res = conn.execute(
            partnerships.update()
            .where(
                partnerships.c.partnership_id == p.partnership_id,
                partnerships.c.status == expected,
                partnerships.c.mou_version == p.mou_version,
            )
            .values(**values)
        )
        if res.rowcount != 1:
            raise ConflictError("this partnership changed meanwhile; look at it again")

    def _event(
        self,
        conn: sa.Connection,
        pid: str,
        school_id: str,
        partner_id: str,
        status: str,
        at: datetime,
        **ratings: int | None,
    ) -> None:
        """The step's outcome event (docs/files.md), in the step's transaction; its id
        derives from the partnership and the step, so a step never counts twice."""
        record = {
            "outcome_id": f"web-{pid}-{status}",
            "school_id": school_id,
            "partner_id": partner_id,
            "status": status,
            "recorded_at": at.isoformat(),
            **ratings,
        }
        frame, _ = schema.validate_records("outcomes", [(1, record)], "partnership")
        self.store.add_outcomes(conn, frame)

    @staticmethod
    def _message(
        conn: sa.Connection, pid: str, side: str, author: str, kind: str, body: str, now: datetime
    ) -> None:
        conn.execute(
            messages.insert().values(
                partnership_id=pid, side=side, author=author, kind=kind, body=body, created_at=now
            )
        )


def _partnership(row: Any, msgs: list[Message]) -> Partnership:
    return Partnership(
        partnership_id=row.partnership_id,
        school_id=row.school_id,
        partner_id=row.partner_id,
        status=row.status,
        proposed_by=row.proposed_by,
        school_roles=row.school_roles or "",
        partner_roles=row.partner_roles or "",
        period_start=row.period_start,
        period_end=row.period_end,
        school_confirmed=bool(row.school_confirmed),
        partner_confirmed=bool(row.partner_confirmed),
        school_rating=row.school_rating,
        partner_rating=row.partner_rating,
        end_reason=row.end_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
        mou_version=int(row.mou_version or 0),
        dinas=row.dinas,
        school_accepted=bool(row.school_accepted),
        partner_accepted=bool(row.partner_accepted),
        messages=msgs,
    )
