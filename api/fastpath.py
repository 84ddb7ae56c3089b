"""Current suggestion answers served at the edge of the app, without routing.

A ``GET /schools/{id}/suggestions`` (or ``/partners/{id}/...``) whose answer the engine
already holds for the current model and data is answered here, before FastAPI resolves
routes, dependencies and query validation — most of a cached request's time, measured
with pyinstrument. Everything the route would check is checked the same way: the
caller's key by the same access rule (:func:`api.deps.caller_role`), and the query
only in its plain forms (``k`` digits within the bound, ``lang`` ``id``/``en``,
``explain`` ``true``/``false``/``1``/``0``). Anything else — an unknown key, a missing
key in production, an unusual or repeated parameter, a NUL, an answer not yet computed
— goes on to the route, which answers or refuses as always. The bytes are the route's
own (:func:`api.routes.suggestions.cached_json`).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from fastapi import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from api.config import ApiSettings
from api.deps import caller_role
from api.routes.suggestions import cached_json
from matcher.schema import MAX_K

_PATH = re.compile(r"/(schools|partners)/([^/\x00]+)/suggestions")
_BOOL = {"true": True, "false": False, "1": True, "0": False}
_SIDE = {"schools": "school", "partners": "partner"}


def _query(raw: bytes) -> tuple[int, str, bool] | None:
    """(k, lang, explain) from a plain query string, or None to leave it to the route."""
    k, lang, explain = 10, "id", True
    seen: set[str] = set()
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if name in seen or "\x00" in name or "\x00" in value:
            return None
        seen.add(name)
        if name == "k":
            if not value.isascii() or not value.isdigit() or str(int(value)) != value:
                return None
            k = int(value)
            if not 1 <= k <= MAX_K:
                return None
        elif name == "lang":
            if value not in ("id", "en"):
                return None
            lang = value
        elif name == "explain":
            if value not in _BOOL:
                return None
            explain = _BOOL[value]
    return k, lang, explain


def _allowed(settings: ApiSettings, scope: Scope) -> bool:
    """The read rule of :func:`api.deps.require_read`, False where it would refuse."""
    key = None
    for name, value in scope.get("headers") or []:
        if name.lower() == b"x-api-key":
            key = bytes(value).decode("latin-1")
    try:
        role = caller_role(settings, key)
    except HTTPException:
        return False
    return role is not None or not settings.production


class CachedSuggestions:
    """ASGI middleware answering current suggestion answers directly (see module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self.hit(scope) if scope["type"] == "http" else None
        if body is None:
            await self.app(scope, receive, send)
            return
        headers = [(b"content-length", str(len(body)).encode()),
                   (b"content-type", b"application/json")]  # fmt: skip
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def hit(self, scope: Scope) -> bytes | None:
        """The body to answer ``scope`` with here, or None to pass it on to the app."""
        if scope.get("method") != "GET":
            return None
        match = _PATH.fullmatch(scope.get("path", ""))
        state = getattr(scope.get("app"), "state", None)
        engine = getattr(state, "engine", None)
        settings = getattr(state, "api_settings", None)
        if match is None or engine is None or not isinstance(settings, ApiSettings):
            return None
        query = _query(scope.get("query_string", b""))
        if query is None or not _allowed(settings, scope):
            return None
        side, record_id = _SIDE[match.group(1)], match.group(2)
        return cached_json(engine, side, record_id, *query)
