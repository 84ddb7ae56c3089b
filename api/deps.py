"""Dependencies shared by the routes: the engine, the service settings and API-key access.

Access rules (docs/api.md, Access): a key travels in the ``X-API-Key`` header. Writes always
need a ``write`` key. Reads are open on the local demo and need a ``read`` or ``write``
key in production mode. A key that is sent but not configured is refused (401) even where
no key is needed, so a client with a typo learns of it at once; a read key on a write
endpoint is 403.
"""

from __future__ import annotations

import hmac
import json
import math
import re
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader

from api.config import ApiSettings
from matcher.engine import Engine
from matcher.errors import RowError, ValidationError

API_KEY_HEADER = "X-API-Key"

api_key_header = APIKeyHeader(
    name=API_KEY_HEADER,
    auto_error=False,
    description="`read` or `write` key; writes always need a `write` key.",
)


async def get_engine(request: Request) -> Engine:
    """The engine created at start-up. (Dependencies here are ``async`` because they
    never block: FastAPI then runs them on the event loop, not in a worker thread.)"""
    engine: Engine | None = getattr(request.app.state, "engine", None)
    if engine is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "service is starting up")
    return engine


async def get_api_settings(request: Request) -> ApiSettings:
    """The service settings resolved at start-up."""
    return _settings(request)


EngineDep = Annotated[Engine, Depends(get_engine)]
ApiSettingsDep = Annotated[ApiSettings, Depends(get_api_settings)]
ApiKey = Annotated[str | None, Security(api_key_header)]


def role_of(settings: ApiSettings, key: str) -> str | None:
    """The role of ``key``, or None; compares against every configured key in constant
    time so the answer's timing does not tell how much of a key was right."""
    given = key.encode("utf-8", "surrogateescape")
    found: str | None = None
    for known, role in settings.api_keys.items():
        if hmac.compare_digest(given, known.encode("utf-8", "surrogateescape")):
            found = role
    return found


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": API_KEY_HEADER}
    )


def _settings(request: Request) -> ApiSettings:
    settings: ApiSettings | None = getattr(request.app.state, "api_settings", None)
    if settings is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "service is starting up")
    return settings


def caller_role(settings: ApiSettings, key: str | None) -> str | None:
    """The caller's role: None without a key; 401 for a key that is not configured."""
    if not key:
        return None
    role = role_of(settings, key)
    if role is None:
        raise _unauthorized(f"unknown API key in header {API_KEY_HEADER}")
    return role


# The access checks are single dependencies (plus the key header, which documents the
# scheme in OpenAPI): every dependency FastAPI resolves costs each request time.


async def require_read(request: Request, key: ApiKey) -> str | None:
    """Let reads through: with any valid key, or without one outside production."""
    settings = _settings(request)
    role = caller_role(settings, key)
    if role is None and settings.production:
        raise _unauthorized(f"this service needs an API key: send header {API_KEY_HEADER}")
    return role


async def require_docs(request: Request, key: ApiKey) -> str | None:
    """The API docs follow the rule of reads, unless ``public_docs`` opens them."""
    settings = _settings(request)
    if settings.public_docs:
        return None
    return await require_read(request, key)


async def require_write(request: Request, key: ApiKey) -> str:
    """Let writes through only with a ``write`` key."""
    role = caller_role(_settings(request), key)
    if role is None:
        raise _unauthorized(f"writing needs a write API key: send header {API_KEY_HEADER}")
    if role != "write":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this API key may only read")
    return role


# NaN, Infinity, or an exponent large enough to overflow to infinity (1e400)
_NON_FINITE_HINT = re.compile(rb"NaN|Infinity|\d[eE]\+?\d{3}")


def _non_finite(value: Any, line: int = 1, column: str = "*") -> Iterator[RowError]:
    """Each NaN or infinite number in a parsed JSON body, as the record (1-based place
    in a top-level list) and field it is in."""
    if isinstance(value, float) and not math.isfinite(value):
        yield RowError(line, column, f"{value} is not a finite number (JSON has no NaN)")
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _non_finite(v, line, str(k) if column == "*" else column)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _non_finite(v, i + 1 if column == "*" else line, column)


async def reject_nul(request: Request) -> None:
    """Refuse NUL characters in the path, the query or a JSON body: no text column can
    hold them (PostgreSQL refuses even to compare them), so they can only be a mistake.
    Refuse NaN and infinite numbers in a JSON body too (Python's JSON reader accepts
    them; they are not JSON and no field can use them): 422 naming the field."""
    path_or_query = [request.scope.get("path", "")]
    path_or_query += [x for kv in request.query_params.multi_items() for x in kv]
    if any("\x00" in s for s in path_or_query):
        raise HTTPException(400, "the URL must not contain NUL characters (%00)")
    # in JSON text a NUL can only be written as the escape \u0000
    if request.method in ("GET", "HEAD", "DELETE", "OPTIONS"):
        return
    body = await request.body()
    if b"\\u0000" in body:
        raise HTTPException(400, "the body must not contain NUL characters (\\u0000)")
    if _NON_FINITE_HINT.search(body):
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):
            return  # not JSON: the route's own validation answers
        if bad := list(_non_finite(parsed)):
            raise ValidationError("request body", bad)


ReadAccess = Depends(require_read)
DocsAccess = Depends(require_docs)
WriteAccess = Depends(require_write)


def warning_header(warnings: list[str]) -> str:
    """Remarks as an HTTP ``Warning`` header (code 299, "miscellaneous persistent
    warning"); non-Latin-1 characters escaped, as headers require."""
    text = "; ".join(warnings).replace("\\", "\\\\").replace('"', '\\"')
    return f'299 matcher "{text.encode("latin-1", "backslashreplace").decode("latin-1")}"'
