"""``POST /rankings``: batch ranking of a regency, a district or a list of schools,
as JSON or, for ``Accept: text/csv``, as the CSV that ``matcher rank`` writes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Response

from api.deps import ApiSettingsDep, EngineDep, ReadAccess
from api.schemas import RankingRequest, Rankings, error_responses

router = APIRouter(prefix="/rankings", tags=["rankings"], dependencies=[ReadAccess])

CSV = "text/csv"


def wants_csv(accept: str | None) -> bool:
    """Whether an ``Accept`` header names CSV and prefers it to JSON (JSON on a tie)."""
    q: dict[str, float] = {}
    for part in (accept or "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        weight = 1.0
        for p in params:
            name, _, value = p.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        q[media.lower()] = max(weight, q.get(media.lower(), 0.0))
    csv_q = q.get(CSV, 0.0)
    # Wildcards do not count: a client that names text/csv asks for it.
    return csv_q > 0 and csv_q > q.get("application/json", -1.0)


@router.post(
    "",
    response_model=Rankings,
    responses={
        **error_responses(401, 404, 413, 503),
        200: {"content": {CSV: {"schema": {"type": "string"}}}},
    },
)
def rank(
    body: RankingRequest,
    engine: EngineDep,
    api: ApiSettingsDep,
    accept: Annotated[str | None, Header(description=f"`{CSV}` for CSV")] = None,
) -> Rankings | Response:
    """Top-k partners for each selected school; with ``allocate``, an assignment that
    respects every partner's and school's capacity, with an equity floor."""
    ids = body.school_ids
    if ids is not None and len(ids) > api.max_school_ids:
        raise HTTPException(
            413, f"at most {api.max_school_ids} school_ids per request (got {len(ids)})"
        )
    table, summary = engine.rank_table(
        regency=body.regency,
        district=body.district,
        school_ids=ids,
        k=body.k,
        allocate=body.allocate,
        equity_weight=body.equity_weight,
        lang=body.lang,
    )
    if wants_csv(accept):
        return Response(table.to_csv(index=False), media_type=CSV)
    clean = table.astype(object).where(table.notna(), None)
    rows = [{str(c): v for c, v in r.items()} for r in clean.to_dict("records")]
    return Rankings(rows=rows, schools=int(summary["schools"]), summary=summary)
