"""Security headers on every answer of the app (pages, JSON, static files, errors).

The Content-Security-Policy lets a page run only scripts and styles served by the app
itself (no inline ``<script>``, no ``onclick=``, no ``eval``), so a name stored with
markup in it can never run script even if it slipped past escaping; ``frame-ancestors
'none'`` stops another site framing a signed-in page. Map tiles are the one outside
source: the policy allows images from the host of ``MATCHER_TILE_URL``.

The API docs pages (``/docs``, ``/redoc``) run the vendored Swagger UI and ReDoc, which
write ``<style>`` elements at run time: they get the same policy with inline styles
allowed, ReDoc's web worker, and Swagger UI's one inline start-up script admitted by its
hash (:func:`docs_page`), never by ``'unsafe-inline'``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.config import WebSettings

DOCS_PATHS = frozenset({"/docs", "/redoc"})
HSTS = "max-age=31536000; includeSubDomains"


def tile_source(tile_url: str) -> str | None:
    """The CSP source that admits the tiles of ``tile_url`` (None: the app's own or none).

    ``https://{s}.tile.example.org/{z}/{x}/{y}.png`` → ``https://*.tile.example.org``;
    a placeholder anywhere else in the host admits the scheme only.
    """
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    if not parts.scheme or not parts.netloc:
        return None  # a path on this server: 'self'
    labels = parts.netloc.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    if any("{" in label for label in labels):
        return f"{parts.scheme}:"
    return f"{parts.scheme}://{'.'.join(labels)}"


def content_security_policy(
    tile_url: str, docs: bool = False, script_hashes: tuple[str, ...] = ()
) -> str:
    """The policy of the pages (``docs``: of the Swagger UI / ReDoc pages, admitting the
    inline scripts whose ``'sha256-...'`` sources are given)."""
    images = ["'self'", "data:"]
    tiles = tile_source(tile_url)
    if tiles:
        images.append(tiles)
    directives = [
        "default-src 'self'",
        " ".join(["script-src 'self'", *script_hashes]),
        "style-src 'self'" + (" 'unsafe-inline'" if docs else ""),
        "img-src " + " ".join(images),
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    if docs:
        directives.append("worker-src 'self' blob:")
    return "; ".join(directives)


def security_headers(settings: WebSettings, docs: bool = False) -> list[tuple[bytes, bytes]]:
    """The headers added to every answer (raw ASGI pairs)."""
    headers = {
        "content-security-policy": content_security_policy(settings.tile_url, docs),
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "x-frame-options": "DENY",  # frame-ancestors for browsers without CSP 2
        "cross-origin-opener-policy": "same-origin",
    }
    if settings.secure_cookies:  # served over HTTPS (behind a TLS proxy)
        headers["strict-transport-security"] = HSTS
    return [(k.encode(), v.encode()) for k, v in headers.items()]


class SecurityHeadersMiddleware:
    """Add :func:`security_headers` to every HTTP answer (plain ASGI: nothing buffered).

    A header the app set itself is kept (a route may narrow its own policy)."""

    def __init__(self, app: ASGIApp, settings: WebSettings) -> None:
        self.app = app
        self.pages = security_headers(settings)
        self.docs = security_headers(settings, docs=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.docs if scope.get("path") in DOCS_PATHS else self.pages

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                headers.extend(pair for pair in extra if pair[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


def docs_page(page: HTMLResponse, settings: WebSettings) -> HTMLResponse:
    """``page`` (FastAPI's Swagger UI or ReDoc page) with a policy of its own that admits
    exactly its inline scripts, by hash."""
    body = bytes(page.body).decode()
    hashes = tuple(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.encode()).digest()).decode() + "'"
        for m in _INLINE_SCRIPT.findall(body)
    )
    page.headers["content-security-policy"] = content_security_policy(
        settings.tile_url, docs=True, script_hashes=hashes
    )
    return page
