"""What every page needs: the engine, the signed-in user, the language, CSRF checks and
rendering. Reusable by every router of ``web/`` (the officer's pages too).

Access is checked on the server for every request: :func:`current_user` reloads the
account from the database (a deleted account is signed out), :func:`require_side`
refuses another school's or partner's pages with 403, :func:`require_officer` scopes an
officer to their regency. Every POST reads its form through :func:`checked_form`, which
refuses it with 403 unless it carries the session's CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData
from starlette.responses import Response

from matcher.accounts import User
from matcher.engine import Engine
from matcher.errors import NotFoundError
from web.config import WebSettings
from web.i18n import LANGS, translator

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class PageError(Exception):
    """Answer a page request with ``status`` and a translated message (key of the
    catalogue in :mod:`web.i18n`)."""

    def __init__(self, status: int, key: str, **values: Any) -> None:
        super().__init__(key)
        self.status, self.key, self.values = status, key, values


class LoginRequired(Exception):
    """No signed-in user: the handler sends the browser to the login page."""


def web_settings(app: Any) -> WebSettings:
    """The app's web settings, read from the environment once (at the first request or
    at start-up, not at import)."""
    settings: WebSettings | None = getattr(app.state, "web_settings", None)
    if settings is None:
        settings = WebSettings.from_env()
        app.state.web_settings = settings
    return settings


async def get_engine(request: Request) -> Engine:
    engine: Engine | None = getattr(request.app.state, "engine", None)
    if engine is None:
        raise PageError(503, "err_starting")
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


def lang_of(request: Request) -> str:
    """The page language: ``?lang=`` (remembered in the session), the session's, or
    Indonesian."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        request.session["lang"] = asked
    lang = request.session.get("lang", "id")
    return lang if lang in LANGS else "id"


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created with the session)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def checked_form(request: Request) -> FormData:
    """The request's form, after checking its CSRF token (field or header): 403
    without it. Every POST of the web app reads its form through this."""
    form = await request.form()
    sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    known = request.session.get("csrf") or ""
    if not (isinstance(sent, str) and known and hmac.compare_digest(sent, known)):
        raise PageError(403, "err_csrf")
    return form


FormDep = Annotated[FormData, Depends(checked_form)]


SESSION_KEY = "sid"  # the session's token in the signed cookie (matcher.accounts)


async def optional_user(request: Request, engine: EngineDep) -> User | None:
    """The signed-in account: the cookie's session must still be live on the server
    (logged out, a new password or "log out everywhere" end it)."""
    token = request.session.get(SESSION_KEY)
    if token is None:
        return None
    user = engine.accounts.session_user(token)
    if user is None:
        request.session.pop(SESSION_KEY, None)
    return user


async def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise LoginRequired()
    return user


UserDep = Annotated[User, Depends(current_user)]


def require_side(user: User, side: str, record_id: str) -> None:
    """403 unless ``user`` acts for ``side`` ``record_id`` (or is an admin)."""
    if not user.may_act_for(side, record_id):
        raise PageError(403, "err_forbidden")


def require_officer(user: User, regency: str) -> None:
    """403 unless ``user`` is the officer of ``regency`` (any case) or an admin."""
    if user.role == "admin":
        return
    if user.role != "officer" or (user.regency or "").casefold() != regency.casefold():
        raise PageError(403, "err_forbidden")


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    user: User | None = None,
    status_code: int = 200,
) -> Response:
    """A page (or htmx partial) with the language, translator, CSRF token and user."""
    lang = lang_of(request)
    base = {
        "request": request,
        "lang": lang,
        "t": translator(lang),
        "csrf": csrf_token(request),
        "csrf_field": CSRF_FIELD,
        "user": user,
        "path": request.url.path,
        "quote": quote,
    }
    return TEMPLATES.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )


SEGMENTS = {"sekolah": "school", "mitra": "partner"}
KINDS = {"school": "schools", "partner": "partners"}


def side_of(segment: str) -> str:
    """``sekolah`` → "school", ``mitra`` → "partner" (the pages' URL words); else 404."""
    if segment not in SEGMENTS:
        raise PageError(404, "err_not_found")
    return SEGMENTS[segment]


def segment_of(side: str) -> str:
    return "sekolah" if side == "school" else "mitra"


def record_or_404(engine: Engine, side: str, record_id: str) -> dict[str, Any]:
    try:
        return engine.get(KINDS[side], record_id)
    except NotFoundError:
        raise PageError(404, "err_not_found") from None


def flash(request: Request, text: str, kind: str = "notice") -> None:
    """A message shown once, on the next page (after a redirect)."""
    request.session["flash"] = {"kind": kind, "text": text}


def pop_flash(request: Request) -> dict[str, str]:
    """``{"notice": text}`` or ``{"error": text}`` of the last flash, once."""
    f = request.session.pop("flash", None)
    return {f["kind"]: f["text"]} if isinstance(f, dict) and "kind" in f else {}
