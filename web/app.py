"""Mounting the web app on the FastAPI application of ``api.main``.

:func:`install` adds the signed session cookie, the static files (vendored htmx, Leaflet,
Swagger UI and ReDoc, whose URLs ``api.main``'s docs pages use), the page routers, and
the handlers that turn a refused page into an HTML answer (403, 404) or a redirect to
the login page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from web.config import WebSettings
from web.deps import LoginRequired, PageError, render, web_settings
from web.headers import SecurityHeadersMiddleware
from web.i18n import message
from web.routes import ROUTERS

STATIC = Path(__file__).parent / "static"
VENDOR = "/static/vendor"
SESSION_COOKIE = "matcher_session"
# The API docs pages (``api.main`` serves them) load these vendored files, not a CDN.
SWAGGER_JS = f"{VENDOR}/swagger-ui-5.35.0/swagger-ui-bundle.js"
SWAGGER_CSS = f"{VENDOR}/swagger-ui-5.35.0/swagger-ui.css"
FAVICON = f"{VENDOR}/swagger-ui-5.35.0/favicon-32x32.png"
REDOC_JS = f"{VENDOR}/redoc-2.5.4/redoc.standalone.js"


class HeadersMiddleware:
    """:class:`web.headers.SecurityHeadersMiddleware` with the settings read when the
    app starts, as the session middleware does."""

    def __init__(self, app: ASGIApp, owner: Any) -> None:
        self.inner = SecurityHeadersMiddleware(app, web_settings(owner))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.inner(scope, receive, send)


class WebSessionMiddleware:
    """Starlette's signed-cookie sessions, with the secret read when the app starts
    (the middleware stack is built then), not when ``api.main`` is imported."""

    def __init__(self, app: ASGIApp, owner: Any) -> None:
        settings = web_settings(owner)
        self.inner = SessionMiddleware(
            app,
            secret_key=settings.secret,
            session_cookie=SESSION_COOKIE,
            max_age=settings.session_days * 86400,
            same_site="lax",
            https_only=settings.secure_cookies,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.inner(scope, receive, send)


async def page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    if "session" not in request.scope:
        return HTMLResponse(exc.key, status_code=exc.status)
    from web.deps import lang_of

    text = message(lang_of(request), exc.key, **exc.values)
    return render(request, "error.html", {"message": text}, status_code=exc.status)


async def login_required(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = f"/login?next={quote(target)}"
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def install(app: FastAPI, settings: WebSettings | None = None) -> None:
    """Add the web app to ``app``: sessions, static files, pages and their handlers."""
    if settings is not None:
        app.state.web_settings = settings
    app.add_middleware(WebSessionMiddleware, owner=app)
    app.add_middleware(HeadersMiddleware, owner=app)  # outside: errors get them too
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(PageError, page_error)
    app.add_exception_handler(LoginRequired, login_required)
    for router in ROUTERS:
        app.include_router(router)
