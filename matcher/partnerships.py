"""Partnerships made in the web app: proposal, answer, memorandum, active, and the end.

A partnership's life is ``proposed`` → ``accepted`` (or ``declined``) → ``active`` once
both sides confirmed the memorandum of understanding (nota kesepahaman) → ``completed``
when both sides rated it, or ``ended_early`` with a reason. Each step is also an outcome
event of docs/files.md, handed to the ``record`` callable (the engine's path for
``POST /outcomes``), so training learns from what happens here. Event ids are derived
from the partnership and the step, so a repeated step never counts twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from matcher.errors import ConflictError, MatcherError, NotFoundError
from matcher.storage import partnership_messages as messages
from matcher.storage import partnerships

SIDES = ("school", "partner")
OPEN = ("proposed", "accepted", "active")
CLOSED = ("declined", "completed", "ended_early")
REMINDER_DAYS = 60
MAX_MESSAGE = 2000
MOU_MONTHS = 12


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
    messages: list[Message] = field(default_factory=list)

    def id_of(self, side: str) -> str:
        return self.school_id if side == "school" else self.partner_id

    def confirmed(self, side: str) -> bool:
        return self.school_confirmed if side == "school" else self.partner_confirmed

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


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, min(d.day, 28))


class Partnerships:
    """Stored partnerships and their messages.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The database of the schools and partners.
    record : callable
        Stores a list of outcome events (dicts of docs/files.md's outcomes columns); idempotent on
        ``outcome_id``.
    """

    def __init__(self, engine: sa.Engine, record: Callable[[list[dict[str, Any]]], Any]):
        self.engine = engine
        self.record = record

    # -- reading -------------------------------------------------------------------------

    def get(self, partnership_id: str) -> Partnership:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(partnerships).where(partnerships.c.partnership_id == partnership_id)
            ).first()
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

    def open_between(self, school_id: str, partner_id: str) -> Partnership | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(partnerships).where(
                    partnerships.c.school_id == school_id,
                    partnerships.c.partner_id == partner_id,
                    partnerships.c.status.in_(OPEN),
                )
            ).first()
        return None if row is None else _partnership(row, [])

    # -- steps ---------------------------------------------------------------------------

    def propose(
        self, side: str, school_id: str, partner_id: str, author: str, message: str
    ) -> Partnership:
        """``side`` proposes a partnership to the other; one open at a time per pair."""
        _check_side(side)
        body = _text(message, "the message")
        if self.open_between(school_id, partner_id) is not None:
            raise ConflictError("a proposal or partnership between them is already open")
        pid = "k" + secrets.token_hex(8)
        now = _now()
        self._event(pid, school_id, partner_id, "proposed", now)
        with self.engine.begin() as conn:
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
                    created_at=now,
                    updated_at=now,
                )
            )
            self._message(conn, pid, side, author, "proposal", body, now)
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
        ``roles``: what the school does, what the partner does) or declines it."""
        p = self._for(partnership_id, side)
        body = _text(message, "the message")
        if p.status != "proposed":
            raise ConflictError(f"this proposal was already answered ({p.status})")
        if p.proposed_by == side:
            raise ConflictError("the other side answers a proposal, not the one who sent it")
        status = "accepted" if accept else "declined"
        now = _now()
        self._event(p.partnership_id, p.school_id, p.partner_id, status, now)
        values: dict[str, Any] = {"status": status, "updated_at": now}
        if accept:
            start = now.date()
            values.update(
                school_roles=roles[0],
                partner_roles=roles[1],
                period_start=start,
                period_end=_add_months(start, MOU_MONTHS),
            )
        self._update(p.partnership_id, values, side, author, status, body, now)
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
        """Change the draft memorandum; both sides then confirm it (again)."""
        p = self._for(partnership_id, side)
        if p.status != "accepted":
            raise ConflictError(
                f"the memorandum can be changed only before it is active ({p.status})"
            )
        if period_end <= period_start:
            raise MatcherError("the period must end after it starts")
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
        self._update(p.partnership_id, values, side, author, "mou", "", now)
        return self.get(partnership_id)

    def confirm(self, partnership_id: str, side: str, author: str) -> Partnership:
        """One side confirms the memorandum; when both did, the partnership is active."""
        p = self._for(partnership_id, side)
        if p.status != "accepted":
            raise ConflictError(f"there is no draft memorandum to confirm ({p.status})")
        if p.confirmed(side):
            return p
        now = _now()
        values: dict[str, Any] = {f"{side}_confirmed": True, "updated_at": now}
        other = "partner" if side == "school" else "school"
        if p.confirmed(other):
            self._event(p.partnership_id, p.school_id, p.partner_id, "active", now)
            values["status"] = "active"
        self._update(p.partnership_id, values, side, author, "confirm", "", now)
        return self.get(partnership_id)

    def rate(
        self, partnership_id: str, side: str, author: str, rating: int, message: str = ""
    ) -> Partnership:
        """One side marks the active partnership done with its rating (1–5); when both
        rated, it is completed (one event carrying both ratings)."""
        p = self._for(partnership_id, side)
        if p.status != "active":
            raise ConflictError(f"only an active partnership can be completed ({p.status})")
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise MatcherError("the rating must be a whole number from 1 to 5")
        body = _text(message, "the message")
        now = _now()
        values: dict[str, Any] = {f"{side}_rating": rating, "updated_at": now}
        other = "partner" if side == "school" else "school"
        if p.rating(other) is not None:
            ratings = {f"{side}_rating": rating, f"{other}_rating": p.rating(other)}
            self._event(p.partnership_id, p.school_id, p.partner_id, "completed", now, **ratings)
            values["status"] = "completed"
        self._update(p.partnership_id, values, side, author, "rating", body, now)
        return self.get(partnership_id)

    def end_early(self, partnership_id: str, side: str, author: str, reason: str) -> Partnership:
        """Either side ends an accepted or active partnership before its time."""
        p = self._for(partnership_id, side)
        if p.status not in ("accepted", "active"):
            raise ConflictError(f"this partnership is not running ({p.status})")
        why = _text(reason, "the reason", required=True)
        now = _now()
        self._event(p.partnership_id, p.school_id, p.partner_id, "ended_early", now)
        values = {"status": "ended_early", "end_reason": why, "updated_at": now}
        self._update(p.partnership_id, values, side, author, "ended", why, now)
        return self.get(partnership_id)

    def post(self, partnership_id: str, side: str, author: str, body: str) -> Partnership:
        """A message or progress update from one side (it counts as an update)."""
        p = self._for(partnership_id, side)
        text = _text(body, "the message", required=True)
        now = _now()
        self._update(p.partnership_id, {"updated_at": now}, side, author, "note", text, now)
        return self.get(partnership_id)

    # -- helpers -------------------------------------------------------------------------

    def _for(self, partnership_id: str, side: str) -> Partnership:
        _check_side(side)
        return self.get(partnership_id)

    def _event(
        self,
        pid: str,
        school_id: str,
        partner_id: str,
        status: str,
        at: datetime,
        **ratings: int | None,
    ) -> None:
        # written before the partnership row: if that write fails, repeating the step
        # finds the event already stored under the same id
        self.record(
            [
                {
                    "outcome_id": f"web-{pid}-{status}",
                    "school_id": school_id,
                    "partner_id": partner_id,
                    "status": status,
                    "recorded_at": at.isoformat(),
                    **ratings,
                }
            ]
        )

    def _update(
        self,
        pid: str,
        values: dict[str, Any],
        side: str,
        author: str,
        kind: str,
        body: str,
        now: datetime,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                partnerships.update().where(partnerships.c.partnership_id == pid).values(**values)
            )
            self._message(conn, pid, side, author, kind, body, now)

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
        messages=msgs,
    )
