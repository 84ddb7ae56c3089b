"""One partnership: the draft memorandum (nota kesepahaman) both sides edit, confirm and
print, then running it, rating it completed or ending it early, and the conversation.

Only the school's and the partner's own users act on it; an admin may look. Each step
goes through the engine, which records the contract's outcome event for it."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from matcher.accounts import User
from matcher.errors import ConflictError, MatcherError, NotFoundError
from matcher.partnerships import DINAS, Partnership, parse_answer
from matcher.schema import CONTACT_COLUMNS
from web.deps import (
    EngineDep,
    FormDep,
    PageError,
    UserDep,
    flash,
    lang_of,
    pop_flash,
    record_or_404,
    render,
)
from web.i18n import message

router = APIRouter(include_in_schema=False)
SHOW_CONTACTS = ("accepted", "active", "completed", "ended_early")


def _load(engine: Any, partnership_id: str) -> Partnership:
    try:
        return engine.partnerships.get(partnership_id)
    except NotFoundError:
        raise PageError(404, "err_not_found") from None


def viewer_side(user: User, p: Partnership) -> str | None:
    """The side ``user`` acts for in ``p`` ("school"/"partner"), None for an admin
    (who may look but not act); 403 for anyone else."""
    side = user.side
    if side is not None and user.may_act_for(side, p.id_of(side)):
        return side
    if user.role == "admin":
        return None
    raise PageError(403, "err_forbidden")


def acting_side(user: User, p: Partnership) -> str:
    side = viewer_side(user, p)
    if side is None:
        raise PageError(403, "err_forbidden")
    return side


def _contact(rec: dict[str, Any]) -> dict[str, Any]:
    c = {k: (rec.get(k) or "") for k in CONTACT_COLUMNS}
    c["name"] = rec["name"]
    c["wa"] = "".join(ch for ch in c["whatsapp"] if ch.isdigit())
    return c


def dinas_name(lang: str, regency: str | None) -> str:
    """ "Dinas Pendidikan Kota Surabaya": the author of a district's proposal."""
    return message(lang, "dinas_of", regency=regency or "")


@router.get("/kemitraan/{partnership_id}")
def partnership_page(
    request: Request, partnership_id: str, engine: EngineDep, user: UserDep
) -> Response:
    return _show(request, engine, user, partnership_id)


def _show(
    request: Request,
    engine: Any,
    user: User,
    partnership_id: str,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    p = _load(engine, partnership_id)
    side = viewer_side(user, p)
    lang = lang_of(request)
    school = record_or_404(engine, "school", p.school_id)
    partner = record_or_404(engine, "partner", p.partner_id)
    names = {"school": school["name"], "partner": partner["name"], DINAS: dinas_name(lang, p.dinas)}
    thread = [
        {
            "side": m.side,
            "who": names.get(m.side, m.side),
            "when": m.created_at.strftime("%d-%m-%Y %H:%M"),
            "what": message(lang, f"msg_{m.kind}"),
            "body": m.body,
        }
        for m in p.messages
    ]
    period = ""
    if p.period_start and p.period_end:
        fmt = "%d-%m-%Y"
        period = message(
            lang, "period_text", start=p.period_start.strftime(fmt), end=p.period_end.strftime(fmt)
        )
    ctx = {
        "p": p,
        "side": side,
        "school": school,
        "partner": partner,
        "period": period,
        "thread": thread,
        "contacts": [_contact(school), _contact(partner)] if p.status in SHOW_CONTACTS else [],
        "by_dinas": dinas_name(lang, p.dinas) if p.proposed_by == DINAS else "",
        "answers": side is not None and p.answers(side),
        **pop_flash(request),
    }
    if error:
        ctx["error"] = error
    return render(request, "partnership.html", ctx, user, status_code=status_code)


def _back(partnership_id: str) -> Response:
    return RedirectResponse(f"/kemitraan/{quote(partnership_id)}", status_code=303)


def _step(
    request: Request, engine: Any, user: User, partnership_id: str, done: str, call: Any
) -> Response:
    """Run one step. A step out of order (the other click won a race) is shown on the
    partnership page after the redirect, in its new state; a bad value is answered 422
    on the page itself."""
    lang = lang_of(request)
    try:
        call()
        flash(request, message(lang, done))
    except ConflictError as exc:
        flash(request, str(exc), "error")
    except MatcherError as exc:
        return _show(request, engine, user, partnership_id, str(exc), status_code=422)
    return _back(partnership_id)


@router.post("/kemitraan/{partnership_id}/jawab")
def answer(
    request: Request, partnership_id: str, engine: EngineDep, user: UserDep, form: FormDep
) -> Response:
    p = _load(engine, partnership_id)
    side = acting_side(user, p)
    try:
        accept = parse_answer(str(form.get("answer") or ""))
    except MatcherError as exc:
        return _show(request, engine, user, partnership_id, str(exc), status_code=422)
    text = str(form.get("message") or "")
    done = "accepted_notice" if accept else "declined_notice"
    return _step(
        request,
        engine,
        user,
        partnership_id,
        done,
        lambda: engine.respond(partnership_id, side, user.email, accept, text),
    )


def _date(value: Any, lang: str) -> date:
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        raise MatcherError(message(lang, "bad_date")) from None


def _whole(value: Any, what: str, lo: int, hi: int) -> int:
    """A form's whole number within ``lo..hi`` (ASCII digits only: ``²`` is a digit
    to ``str.isdigit`` but not a number), else a MatcherError: answered 422."""
    raw = str(value or "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= len(str(hi))) or not (
        lo <= int(raw) <= hi
    ):
        raise MatcherError(f"{what} must be a whole number from {lo} to {hi}")
    return int(raw)


@router.post("/kemitraan/{partnership_id}/nota")
def edit_mou(
    request: Request, partnership_id: str, engine: EngineDep, user: UserDep, form: FormDep
) -> Response:
    p = _load(engine, partnership_id)
    side = acting_side(user, p)
    lang = lang_of(request)

    def call() -> None:
        engine.partnerships.edit_mou(
            partnership_id,
            side,
            user.email,
            str(form.get("school_roles") or ""),
            str(form.get("partner_roles") or ""),
            _date(form.get("period_start"), lang),
            _date(form.get("period_end"), lang),
        )

    return _step(request, engine, user, partnership_id, "done_notice", call)


@router.post("/kemitraan/{partnership_id}/setujui")
def confirm(
    request: Request, partnership_id: str, engine: EngineDep, user: UserDep, form: FormDep
) -> Response:
    p = _load(engine, partnership_id)
    side = acting_side(user, p)
    # the version of the text the page showed: an edit made meanwhile is not confirmed
    raw = form.get("mou_version")
    version = None if raw is None else _whole(raw, "the memorandum version", 0, 10**9)
    return _step(
        request,
        engine,
        user,
        partnership_id,
        "done_notice",
        lambda: engine.partnerships.confirm(partnership_id, side, user.email, version),
    )


@router.post("/kemitraan/{partnership_id}/selesai")
def rate(
    request: Request, partnership_id: str, engine: EngineDep, user: UserDep, form: FormDep
) -> Response:
    p = _load(engine, partnership_id)
    side = acting_side(user, p)
    text = str(form.get("message") or "")

    def call() -> None:
        rating = _whole(form.get("rating"), "the rating", 1, 5)
        engine.partnerships.rate(partnership_id, side, user.email, rating, text)

    return _step(request, engine, user, partnership_id, "done_notice", call)


@router.post("/kemitraan/{partnership_id}/akhiri")
def end_early(
    request: Request, partnership_id: str, engine: EngineDep, user: UserDep, form: FormDep
) -> Response:
    p = _load(engine, partnership_id)
    side = acting_side(user, p)
    reason = str(form.get("reason") or "")
    return _step(
        request,
        engine,
        user,
        partnership_id,
        "done_notice",
        lambda: engine.partnerships.end_early(partnership_id, side, user.email, reason),
    )


@router.post("/kemitraan/{partnership_id}/pesan")
def post_message(
    request: Request, partnership_id: str, engine: EngineDep, user: UserDep, form: FormDep
) -> Response:
    p = _load(engine, partnership_id)
    side = acting_side(user, p)
    body = str(form.get("body") or "")
    return _step(
        request,
        engine,
        user,
        partnership_id,
        "done_notice",
        lambda: engine.partnerships.post(partnership_id, side, user.email, body),
    )
