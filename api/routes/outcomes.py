"""``POST /outcomes``: record partnership events; idempotent on ``outcome_id``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException

from api.deps import ApiSettingsDep, EngineDep, WriteAccess
from api.schemas import OUTCOME_EXAMPLE, OutcomeCounts, error_responses, record_body

router = APIRouter(prefix="/outcomes", tags=["outcomes"], dependencies=[WriteAccess])


@router.post(
    "",
    responses=error_responses(401, 403, 413, 422),
    openapi_extra=record_body(
        "outcomes",
        "one outcome event (docs/files.md, outcomes) or a list of them",
        OUTCOME_EXAMPLE,
        in_path=False,
    ),
)
def record_outcomes(
    # any JSON here: its schema is documented above (from matcher.schema) and the
    # engine validates each event like a file row (a non-object is a 422 naming it)
    events: Annotated[Any, Body()],
    engine: EngineDep,
    api: ApiSettingsDep,
) -> OutcomeCounts:
    """Store events; one already stored (same outcome_id) counts as a duplicate, and
    unknown school or partner ids reject the whole batch (422 naming them)."""
    batch = events if isinstance(events, list) else [events]
    if len(batch) > api.max_outcomes:
        raise HTTPException(
            413, f"at most {api.max_outcomes} events per request (got {len(batch)})"
        )
    return OutcomeCounts(**engine.record_outcomes(batch))
