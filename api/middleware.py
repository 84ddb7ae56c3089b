"""Two small ASGI middlewares: request ids with access logs, and a request body cap.

Both are plain ASGI (not ``BaseHTTPMiddleware``) so they neither buffer bodies nor
change how streaming answers behave.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
import unicodedata
import uuid
from typing import Any
from urllib.parse import unquote_plus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.config import ApiSettings

access_log = logging.getLogger("matcher.access")

REQUEST_ID_HEADER = "X-Request-ID"
# A client's id is echoed into logs and headers, so only a tame one is kept.
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


# Query parameters whose values are secrets (a key sent in the URL by mistake): their
# values never reach the log.
SECRET_PARAMS = frozenset({"x-api-key", "api_key", "api-key", "apikey", "key", "token"})


def _escape(text: str) -> str:
    """``text`` with control and line-separator characters written as escapes (and
    ``"`` as ``\\"``), so a decoded ``%0a`` cannot forge a log line."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return text  # the usual path: nothing to escape (checked per character below)
    out = []
    for ch in text:
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _redacted_query(query: str) -> str:
    """The raw query string with the values of :data:`SECRET_PARAMS` replaced."""
    parts = []
    for part in query.split("&"):
        name, sep, _ = part.partition("=")
        if unquote_plus(name).strip().lower() in SECRET_PARAMS:
            part = f"{name}{sep}[redacted]"
        parts.append(part)
    return "&".join(parts)


def log_target(scope: Scope) -> str:
    """The request's path and query as the access log shows them: escaped, no secrets."""
    query = _redacted_query(scope.get("query_string", b"").decode("latin-1"))
    return _escape(scope.get("path", "") + (f"?{query}" if query else ""))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class RequestContextMiddleware:
    """Give each request an id (the client's ``X-Request-ID`` or a new one), echo it in
    the answer's headers, and log one line per request with status and latency."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        rid = given if given and _REQUEST_ID_RE.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", rid.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            ms = (time.perf_counter() - start) * 1000
            client = scope.get("client")
            access_log.info(
                '%s "%s %s" %d %.1fms rid=%s',
                client[0] if client else "-",
                _escape(scope.get("method", "-")),
                log_target(scope),
                status,
                ms,
                rid,
                extra={"request_id": rid, "status": status, "latency_ms": round(ms, 1)},
            )


class _TooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """Answer 413 to a request whose body is larger than the configured cap, judged by
    ``Content-Length`` before reading and by counting bytes as they stream in.

    The cap is read from ``app.state.api_settings`` (set at start-up), else ``default``.
    """

    def __init__(self, app: ASGIApp, default: int = ApiSettings.max_body_bytes) -> None:
        self.app = app
        self.default = default

    def _limit(self, scope: Scope) -> int:
        app = scope.get("app")
        settings = getattr(getattr(app, "state", None), "api_settings", None)
        return settings.max_body_bytes if isinstance(settings, ApiSettings) else self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        length = _header(scope, b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await _answer(send, 400, "Content-Length is not a number")
                return
            if declared > limit:
                await _answer(send, 413, _too_large(limit))
                return
        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:  # the app turned our exception into an answer of its own
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with contextlib.suppress(_TooLarge):
            await self.app(scope, counting_receive, guarded_send)
        if exceeded and not started:
            await _answer(send, 413, _too_large(limit))


def _too_large(limit: int) -> str:
    return f"request body is larger than {limit} bytes; send less per request"


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    start: dict[str, Any] = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body})
