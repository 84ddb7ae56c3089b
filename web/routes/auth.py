"""Logging in and out, and setting a password through a one-time link."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from matcher.accounts import check_password
from matcher.errors import AuthError, MatcherError, NotFoundError, ThrottledError
from web.deps import (
    SESSION_KEY,
    EngineDep,
    FormDep,
    PageError,
    UserDep,
    flash,
    lang_of,
    render,
    web_settings,
)
from web.i18n import message

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path of this site (no other host) after logging in."""
    t = target or "/"
    return t if t.startswith("/") and not t.startswith("//") and "\\" not in t else "/"


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "email": "", "error": None})


@router.post("/login")
def login(request: Request, engine: EngineDep, form: FormDep) -> Response:
    lang = lang_of(request)
    email = str(form.get("email") or "")
    nxt = _safe_next(str(form.get("next") or "/"))
    service = getattr(request.app.state, "api_settings", None)
    try:
        user = engine.accounts.authenticate(
            email,
            str(form.get("password") or ""),
            address=request.client.host if request.client else None,
            production=bool(getattr(service, "production", False)),
        )
    except ThrottledError as exc:
        error = message(lang, "throttled", seconds=exc.retry_after)
        ctx = {"next": nxt, "email": email, "error": error}
        return render(request, "login.html", ctx, status_code=429)
    except AuthError:
        ctx = {"next": nxt, "email": email, "error": message(lang, "wrong_login")}
        return render(request, "login.html", ctx, status_code=401)
    # a fresh session on login: nothing of the anonymous one carries over but the language
    request.session.clear()
    request.session["lang"] = lang
    days = web_settings(request.app).session_days
    request.session[SESSION_KEY] = engine.accounts.start_session(user.user_id, days)
    return RedirectResponse(nxt, status_code=303)


@router.post("/logout")
def logout(request: Request, engine: EngineDep, form: FormDep) -> Response:
    lang = lang_of(request)
    engine.accounts.end_session(request.session.get(SESSION_KEY))
    request.session.clear()
    request.session["lang"] = lang
    return RedirectResponse("/login", status_code=303)


@router.post("/keluar-semua")
def logout_everywhere(
    request: Request, engine: EngineDep, user: UserDep, form: FormDep
) -> Response:
    """End every session of one's own account, or (an admin) of the account whose
    e-mail the form names: every old cookie stops opening pages."""
    email = str(form.get("email") or "").strip()
    target = user
    if email and email.lower() != user.email:
        if user.role != "admin":
            raise PageError(403, "err_forbidden")
        try:
            target = engine.accounts.by_email(email)
        except NotFoundError:
            raise PageError(404, "err_not_found") from None
    engine.accounts.end_sessions(target.user_id)
    if target.user_id == user.user_id:
        lang = lang_of(request)
        request.session.clear()
        request.session["lang"] = lang
        return RedirectResponse("/login", status_code=303)
    flash(request, message(lang_of(request), "logged_out_everywhere", email=target.email))
    return RedirectResponse("/", status_code=303)


@router.get("/set-password")
def set_password_page(request: Request, engine: EngineDep, token: str = "") -> Response:
    try:
        account = engine.accounts.token_user(token)
    except AuthError:
        err = message(lang_of(request), "link_invalid")
        return render(
            request, "set_password.html", {"account": None, "error": err}, status_code=400
        )
    return render(request, "set_password.html", {"account": account, "token": token, "error": None})


@router.post("/set-password")
def set_password(request: Request, engine: EngineDep, form: FormDep) -> Response:
    lang = lang_of(request)
    token = str(form.get("token") or "")
    password, again = str(form.get("password") or ""), str(form.get("password2") or "")
    try:
        account = engine.accounts.token_user(token)
    except AuthError:
        err = message(lang, "link_invalid")
        return render(
            request, "set_password.html", {"account": None, "error": err}, status_code=400
        )
    problem = message(lang, "passwords_differ") if password != again else None
    if problem is None:
        try:
            check_password(password, account.email)
        except MatcherError:
            problem = message(lang, "password_weak")
    if problem:
        ctx = {"account": account, "token": token, "error": problem}
        return render(request, "set_password.html", ctx, status_code=400)
    try:
        engine.accounts.set_password(token, password)
    except AuthError:  # the same link used at the same time: the other use won
        err = message(lang, "link_invalid")
        return render(
            request, "set_password.html", {"account": None, "error": err}, status_code=400
        )
    ctx = {
        "next": "/",
        "email": account.email,
        "error": None,
        "notice": message(lang, "password_set"),
    }
    return render(request, "login.html", ctx)
