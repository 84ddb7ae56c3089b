"""The inbox of one's school or partner: proposals to answer, proposals sent, and every
partnership with its state."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from matcher.partnerships import DINAS
from web.deps import (
    EngineDep,
    UserDep,
    lang_of,
    pop_flash,
    record_or_404,
    render,
    require_side,
    side_of,
)
from web.i18n import message
from web.routes.home import other_name

router = APIRouter(include_in_schema=False)


@router.get("/{segment}/{record_id}/kotak-masuk")
def inbox_page(
    request: Request, segment: str, record_id: str, engine: EngineDep, user: UserDep
) -> Response:
    side = side_of(segment)
    require_side(user, side, record_id)
    me = record_or_404(engine, side, record_id)
    lang = lang_of(request)
    incoming: list[dict[str, Any]] = []
    sent: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    for p in engine.partnerships.list_for(side, record_id):
        other_id = p.partner_id if side == "school" else p.school_id
        row: dict[str, Any] = {
            "id": p.partnership_id,
            "other_name": other_name(engine, side, other_id),
            "status": p.status,
            "when": p.created_at.strftime("%d-%m-%Y"),
            # a district's proposal is the dinas's, to both sides
            "by_dinas": (
                message(lang, "dinas_proposal", dinas=message(lang, "dinas_of", regency=p.dinas))
                if p.proposed_by == DINAS
                else ""
            ),
        }
        if p.answers(side):
            full = engine.partnerships.get(p.partnership_id)
            first = full.messages[0].body if full.messages else ""
            row["message"] = first
            row["roles"] = engine.mou_roles(p.school_id, p.partner_id)
            incoming.append(row)
        elif p.status == "proposed":
            sent.append(row)
        else:
            others.append(row)
    ctx = {
        "me_name": me["name"],
        "incoming": incoming,
        "sent": sent,
        "others": others,
        **pop_flash(request),
    }
    return render(request, "inbox.html", ctx, user)
