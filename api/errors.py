"""The one place where engine errors become HTTP answers.

Every answer is ``{"detail": message}`` (FastAPI's usual shape); a rejected record also
lists its problems under ``errors``. Statuses: not found 404, bad records 422, conflict
409, no usable model 503, any other mistake of the caller 400. Anything else escaping
is a bug: it is logged with the request id and answered 500 without internals.
"""

from __future__ import annotations

import logging
import math
import os
import re

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.schemas import error_responses
from matcher.errors import ConflictError, MatcherError, ModelError, NotFoundError, ValidationError

logger = logging.getLogger("matcher.api")

# Answers any route may give (a NUL character in the URL or body is refused with 400).
RESPONSES = error_responses(400, 500)

STATUS: tuple[tuple[type[MatcherError], int], ...] = (
    (NotFoundError, status.HTTP_404_NOT_FOUND),
    (ValidationError, 422),
    (ConflictError, status.HTTP_409_CONFLICT),
    (ModelError, status.HTTP_503_SERVICE_UNAVAILABLE),
)


_ABS_PATH = re.compile(r"(?<![\w.:/])/(?:[^\s'\"/]+/)*[^\s'\"/:;,)]+")


def without_paths(message: str) -> str:
    """``message`` with absolute paths of this machine shortened to their last part:
    an answer never tells a client where the service keeps its files. (A URL path such
    as ``/schools/S1`` is kept: its folder does not exist on disk.)"""

    def short(m: re.Match[str]) -> str:
        path = m.group(0)
        return os.path.basename(path) if os.path.isdir(os.path.dirname(path)) else path

    return _ABS_PATH.sub(short, message)


def status_for(exc: MatcherError) -> int:
    """The HTTP status of an engine error (400 for one with no closer fit)."""
    for cls, code in STATUS:
        if isinstance(exc, cls):
            return code
    return status.HTTP_400_BAD_REQUEST


async def matcher_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Answer an engine error with its status and message."""
    assert isinstance(exc, MatcherError)
    body: dict[str, object] = {"detail": without_paths(str(exc))}
    if isinstance(exc, ValidationError):
        body["errors"] = [
            {
                "line": e.line,
                "column": e.column,
                "reason": without_paths(e.reason),
                "record_id": e.record_id,
            }
            for e in exc.errors
        ]
    return JSONResponse(body, status_code=status_for(exc))


async def internal_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Log an unexpected failure and answer 500 without internals."""
    rid = getattr(request.state, "request_id", None)
    logger.exception("unhandled error on %s %s (request %s)", request.method, request.url.path, rid)
    return JSONResponse(
        {"detail": f"internal error (request id {rid})"},
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def _json_safe(value: object) -> object:
    """``value`` with non-finite floats as text: JSON has no NaN or Infinity, and an
    answer that echoes one must still be JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


async def request_validation_handler(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 for a request that does not fit its schema, safe for any input."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": _json_safe(jsonable_encoder(exc.errors()))}, 422)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, request_validation_handler)
    app.add_exception_handler(MatcherError, matcher_error_handler)
    app.add_exception_handler(Exception, internal_error_handler)
