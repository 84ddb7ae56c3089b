"""``POST /outcomes``: record partnership events; idempotent on ``outcome_id``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException

from api.deps import ApiSettingsDep, EngineDep, WriteAccess
from api.schemas import OUTCOME_EXAMPLE, OutcomeCounts, Record, error_responses

router = APIRouter(prefix="/outcomes", tags=["outcomes"], dependencies=[WriteAccess])


@router.post("", responses=error_responses(401, 403, 413, 422))
def record_outcomes(
    events: Annotated[
        Record | list[Record],
        Body(
            description="one outcome event (docs/files.md, outcomes) or a list of them",
            openapi_examples={
                "one event": {"value": OUTCOME_EXAMPLE},
                "a list": {"value": [OUTCOME_EXAMPLE]},
            },
        ),
    ],
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
