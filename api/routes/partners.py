"""``/partners``: look up, list, create or replace, and delete partners."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response

from api.deps import EngineDep, ReadAccess, WriteAccess, warning_header
from api.schemas import PARTNER_EXAMPLE, Limit, Offset, Page, Record, error_responses, record_body

KIND = "partners"
router = APIRouter(prefix="/partners", tags=["partners"])

PartnerId = Annotated[str, Path(description="partner_id")]


@router.get("", dependencies=[ReadAccess], responses=error_responses(401))
def list_partners(
    engine: EngineDep,
    type: Annotated[str | None, Query(description="company, university, ngo, ...")] = None,
    regency: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page:
    """A page of partners ordered by id; filters match whole values, ignoring case."""
    given = {"type": type, "regency": regency}
    filters = {k: v for k, v in given.items() if v is not None}
    total, items = engine.list_records(KIND, filters, limit, offset)
    return Page(total=total, limit=limit, offset=offset, items=items)


@router.get("/{partner_id}", dependencies=[ReadAccess], responses=error_responses(401, 404))
def get_partner(partner_id: PartnerId, engine: EngineDep) -> Record:
    """One partner as stored (lists as arrays, defaults filled in)."""
    return engine.get(KIND, partner_id)


@router.put(
    "/{partner_id}",
    dependencies=[WriteAccess],
    responses=error_responses(401, 403, 413, 422),
    openapi_extra=record_body(
        KIND,
        "the partner's columns (docs/files.md); lists as JSON arrays",
        PARTNER_EXAMPLE,
        in_path=True,
    ),
)
def put_partner(
    partner_id: PartnerId,
    record: Annotated[
        Record,
        Body(
            description="the partner's columns (docs/files.md); lists as JSON arrays",
        ),
    ],
    engine: EngineDep,
    response: Response,
) -> Record:
    """Create or replace one partner, validated exactly like a row of a partners file. An id
    that looks like a stored one (case, dashes) is stored, with a ``Warning`` header."""
    warnings: list[str] = []
    stored = engine.put(KIND, partner_id, record, warnings)
    if warnings:
        response.headers["Warning"] = warning_header(warnings)
    return stored


@router.delete(
    "/{partner_id}",
    status_code=204,
    dependencies=[WriteAccess],
    responses=error_responses(401, 403, 404),
)
def delete_partner(partner_id: PartnerId, engine: EngineDep) -> None:
    """Delete one partner together with its outcome events."""
    engine.delete(KIND, partner_id)
