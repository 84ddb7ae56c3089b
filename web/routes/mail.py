"""The page a notification's stop link opens: an account's mail on or off, and its
language.

The link carries a token signed with the session secret for one account, so it works
without logging in (from any mail client). Its POST needs no CSRF token: the signed
token in the path is what a forged form cannot have, and RFC 8058 one-click requests
(``List-Unsubscribe=One-Click``) come from mail providers with no session at all.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from matcher.errors import NotFoundError
from matcher.notifications import token_user
from matcher.outbox import MAIL_LANGUAGES, Outbox
from web.deps import EngineDep, PageError, render, web_settings

router = APIRouter(include_in_schema=False)


def _account(request: Request, engine: EngineDep, token: str) -> tuple[int, str]:
    uid = token_user(web_settings(request.app).secret, token)
    if uid is None:
        raise PageError(404, "err_mail_link")
    try:
        return uid, engine.accounts.get(uid).email
    except NotFoundError:
        raise PageError(404, "err_mail_link") from None


@router.get("/surat/berhenti/{token}")
def mail_page(request: Request, engine: EngineDep, token: str) -> Response:
    uid, email = _account(request, engine, token)
    on, lang = Outbox(engine.store).preferences(uid)
    ctx = {"token": token, "email": email, "mail_on": on, "mail_lang": lang}
    return render(request, "mail_prefs.html", ctx)


@router.post("/surat/berhenti/{token}")
async def mail_set(request: Request, engine: EngineDep, token: str) -> Response:
    uid, _ = _account(request, engine, token)
    form = await request.form()
    box = Outbox(engine.store)
    if form.get("List-Unsubscribe") == "One-Click":
        box.set_preferences(uid, mail_on=False)
        return Response(status_code=200)
    lang = str(form.get("language") or "")
    box.set_preferences(
        uid, mail_on=form.get("mail") == "on", language=lang if lang in MAIL_LANGUAGES else None
    )
    return RedirectResponse(f"/surat/berhenti/{token}", status_code=303)
