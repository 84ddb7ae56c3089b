"""Logging in and out, and setting a password through a one-time link."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from matcher.accounts import MIN_PASSWORD
from matcher.errors import AuthError, ThrottledError
from web.deps import EngineDep, FormDep, lang_of, render
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
    try:
        user = engine.accounts.authenticate(email, str(form.get("password") or ""))
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
    request.session["user_id"] = user.user_id
    return RedirectResponse(nxt, status_code=303)


@router.post("/logout")
def logout(request: Request, form: FormDep) -> Response:
    lang = lang_of(request)
    request.session.clear()
    request.session["lang"] = lang
    return RedirectResponse("/login", status_code=303)


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
    problem = None
    if password != again:
        problem = "passwords_differ"
    elif len(password) < MIN_PASSWORD:
        problem = "password_short"
    if problem:
        ctx = {"account": account, "token": token, "error": message(lang, problem)}
        return render(request, "set_password.html", ctx, status_code=400)
    engine.accounts.set_password(token, password)
    ctx = {
        "next": "/",
        "email": account.email,
        "error": None,
        "notice": message(lang, "password_set"),
    }
    return render(request, "login.html", ctx)
