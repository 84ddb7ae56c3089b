"""``/schools``: look up, list, create or replace, and delete schools."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Response

from api.deps import EngineDep, ReadAccess, WriteAccess, warning_header
from api.schemas import SCHOOL_EXAMPLE, Limit, Offset, Page, Record, error_responses, record_body

KIND = "schools"
router = APIRouter(prefix="/schools", tags=["schools"])

SchoolId = Annotated[str, Path(description="school_id, usually the 8-digit NPSN")]


@router.get("", dependencies=[ReadAccess], responses=error_responses(401))
def list_schools(
    engine: EngineDep,
    regency: str | None = None,
    district: str | None = None,
    level: str | None = None,
    ownership: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page:
    """A page of schools ordered by id; filters match whole values, ignoring case."""
    given = {"regency": regency, "district": district, "level": level, "ownership": ownership}
    filters = {k: v for k, v in given.items() if v is not None}
    total, items = engine.list_records(KIND, filters, limit, offset)
    return Page(total=total, limit=limit, offset=offset, items=items)


@router.get("/{school_id}", dependencies=[ReadAccess], responses=error_responses(401, 404))
def get_school(school_id: SchoolId, engine: EngineDep) -> Record:
    """One school as stored (lists as arrays, defaults filled in)."""
    return engine.get(KIND, school_id)


@router.put(
    "/{school_id}",
    dependencies=[WriteAccess],
    responses=error_responses(401, 403, 413, 422),
    openapi_extra=record_body(
        KIND,
        "the school's columns (docs/files.md); lists as JSON arrays",
        SCHOOL_EXAMPLE,
        in_path=True,
    ),
)
def put_school(
    school_id: SchoolId,
    record: Annotated[
        Record,
        Body(
            description="the school's columns (docs/files.md); lists as JSON arrays",
        ),
    ],
    engine: EngineDep,
    response: Response,
) -> Record:
    """Create or replace one school, validated exactly like a row of a schools file. An id
    that looks like a stored one (case, dashes) is stored, with a ``Warning`` header."""
    warnings: list[str] = []
    stored = engine.put(KIND, school_id, record, warnings)
    if warnings:
        response.headers["Warning"] = warning_header(warnings)
    return stored


@router.delete(
    "/{school_id}",
    status_code=204,
    dependencies=[WriteAccess],
    responses=error_responses(401, 403, 404),
)
def delete_school(school_id: SchoolId, engine: EngineDep) -> None:
    """Delete one school together with its outcome events."""
    engine.delete(KIND, school_id)
