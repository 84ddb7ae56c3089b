"""One's own school or partner profile: needs and offers, description (with what the
engine reads from it, live), contacts and capacity. Saved through the engine with the
same validation as ``matcher load``; problems are shown beside their fields."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from matcher.errors import MatcherError, ValidationError
from matcher.schema import CONTACT_COLUMNS, columns
from matcher.vocabulary import load_vocabulary
from web.deps import (
    KINDS,
    EngineDep,
    FormDep,
    UserDep,
    flash,
    lang_of,
    pop_flash,
    record_or_404,
    render,
    require_side,
    side_of,
)
from web.i18n import message

router = APIRouter(include_in_schema=False)

INPUTS = {"email": ("email", None), "phone": ("tel", "tel"), "whatsapp": ("tel", "tel")}


def _groups(side: str, record: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """The checkbox groups: codes that can flow to this side as needs, the other way as
    offers, plus any code the record already holds."""
    vocab = load_vocabulary()
    to_school, to_partner = vocab.flows_to_school(), vocab.flows_to_partner()
    can_need = to_school if side == "school" else to_partner
    can_offer = to_partner if side == "school" else to_school
    groups = []
    for name, allowed in (("needs", can_need), ("offers", can_offer)):
        have = set(record.get(name) or [])
        options = [
            {"code": c, "label": vocab.label(c, lang), "checked": c in have}
            for c, ok in zip(vocab.codes, allowed, strict=True)
            if ok or c in have
        ]
        groups.append({"name": name, "legend": message(lang, f"{name}_{side}"), "options": options})
    return groups


def _page(
    request: Request,
    side: str,
    record_id: str,
    record: dict[str, Any],
    user: Any,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    lang = lang_of(request)
    contacts = [
        {
            "name": c,
            "value": record.get(c) or "",
            "type": INPUTS.get(c, (None, None))[0],
            "mode": INPUTS.get(c, (None, None))[1],
        }
        for c in CONTACT_COLUMNS
    ]
    segment = "sekolah" if side == "school" else "mitra"
    ctx = {
        "record": record,
        "side": side,
        "groups": _groups(side, record, lang),
        "contact_fields": contacts,
        "errors": errors or {},
        "saved": bool(pop_flash(request)) and not errors,
        "action": f"/{segment}/{quote(record_id)}/profil",
    }
    return render(request, "profile.html", ctx, user, status_code=status_code)


@router.get("/{segment}/{record_id}/profil")
def profile_page(
    request: Request, segment: str, record_id: str, engine: EngineDep, user: UserDep
) -> Response:
    side = side_of(segment)
    require_side(user, side, record_id)
    return _page(request, side, record_id, record_or_404(engine, side, record_id), user)


def _merged(kind: str, record: dict[str, Any], form: FormData) -> dict[str, Any]:
    """The stored record with the form's fields in place of its own."""
    known = {c.name for c in columns(kind)}
    body = {k: v for k, v in record.items() if v is not None and k in known}
    for name in ("needs", "offers"):
        body[name] = [str(v) for v in form.getlist(name)]
    for name in ("description", "capacity", *CONTACT_COLUMNS):
        body[name] = str(form.get(name) or "")
    return body


@router.post("/{segment}/{record_id}/profil")
def save_profile(
    request: Request,
    segment: str,
    record_id: str,
    engine: EngineDep,
    user: UserDep,
    form: FormDep,
) -> Response:
    side = side_of(segment)
    require_side(user, side, record_id)
    record = record_or_404(engine, side, record_id)
    body = _merged(KINDS[side], record, form)
    try:
        engine.put(KINDS[side], record_id, body)
    except ValidationError as exc:
        errors = {e.column: _reason(e.reason, lang_of(request)) for e in exc.errors}
        shown = {**record, **body}
        return _page(request, side, record_id, shown, user, errors, status_code=422)
    flash(request, "saved")
    return RedirectResponse(f"/{segment}/{quote(record_id)}/profil", status_code=303)


def _reason(reason: str, lang: str) -> str:
    if reason == "required but empty":
        return "wajib diisi" if lang == "id" else "required"
    return reason


@router.post("/baca")
def read_description(request: Request, engine: EngineDep, user: UserDep, form: FormDep) -> Response:
    """The htmx partial under the description: what the engine reads from the text."""
    side = str(form.get("side") or "school")
    side = side if side in ("school", "partner") else "school"
    text = str(form.get("description") or "")
    lang = lang_of(request)
    reading: dict[str, Any] | None
    try:
        reading = engine.read_text(text, side, lang)
    except MatcherError:  # e.g. longer than a description may be
        reading = None
    return render(request, "_reading.html", {"reading": reading}, user)
