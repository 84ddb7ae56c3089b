"""The home page: what waits for an answer, the partnerships, and the 60-day reminder."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from matcher.accounts import User
from matcher.engine import Engine
from matcher.errors import NotFoundError
from web.deps import (
    KINDS,
    EngineDep,
    PageError,
    UserDep,
    record_or_404,
    render,
    segment_of,
)

router = APIRouter(include_in_schema=False)


def other_name(engine: Engine, side: str, other_id: str) -> str:
    """The name of the other side of a partnership (its id if it was deleted)."""
    other = "partner" if side == "school" else "school"
    try:
        return str(engine.get(KINDS[other], other_id)["name"])
    except NotFoundError:  # a deleted record still lists its partnership
        return other_id


def home_context(engine: Engine, user: User) -> dict[str, object]:
    """What the home page of a school's or partner's user shows."""
    side, own = user.side, user.own_id
    if side is None or own is None:
        return {"me_name": user.email, "reminders": []}
    me = record_or_404(engine, side, own)
    now = datetime.now(UTC).replace(tzinfo=None)
    rows, reminders, waiting = [], [], 0
    for p in engine.partnerships.list_for(side, own):
        other_id = p.partner_id if side == "school" else p.school_id
        name = other_name(engine, side, other_id)
        rows.append({"id": p.partnership_id, "other_name": name, "status": p.status})
        if p.answers(side):
            waiting += 1
        if p.stale(now):
            days = (now - p.updated_at).days
            reminders.append({"id": p.partnership_id, "other_name": name, "days": days})
    return {
        "me_name": me["name"],
        "base": f"/{segment_of(side)}/{quote(own)}",
        "partnerships": rows,
        "reminders": reminders,
        "waiting": waiting,
    }


@router.get("/")
def home(request: Request, engine: EngineDep, user: UserDep) -> Response:
    return render(request, "home.html", home_context(engine, user), user)


@router.get("/buka")
def open_record(user: UserDep, school_id: str = "", partner_id: str = "") -> Response:
    """The admin's jump to any school's or partner's profile."""
    if user.role != "admin":
        raise PageError(403, "err_forbidden")
    if school_id.strip():
        return RedirectResponse(f"/sekolah/{quote(school_id.strip())}/profil", status_code=303)
    if partner_id.strip():
        return RedirectResponse(f"/mitra/{quote(partner_id.strip())}/profil", status_code=303)
    return RedirectResponse("/", status_code=303)
