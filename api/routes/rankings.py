"""``POST /rankings``: batch ranking of a regency, a district or a list of schools,
as JSON, as the CSV that ``matcher rank`` writes (``Accept: text/csv``), or as the
Excel workbook (``Accept:`` the xlsx media type)."""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Response

from api.deps import ApiSettingsDep, EngineDep, ReadAccess
from api.schemas import RankingRequest, Rankings, error_responses
from matcher.export import to_csv
from matcher.workbook import write_allocation_workbook, write_ranking_workbook

router = APIRouter(prefix="/rankings", tags=["rankings"], dependencies=[ReadAccess])

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _weights(accept: str | None) -> dict[str, float]:
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
    return q


def wants(accept: str | None, media: str) -> bool:
    """Whether an ``Accept`` header names ``media`` and prefers it to JSON (JSON on a
    tie). Wildcards do not count: a client that names a type asks for it."""
    q = _weights(accept)
    mq = q.get(media, 0.0)
    return mq > 0 and mq > q.get("application/json", -1.0)


def wants_csv(accept: str | None) -> bool:
    """Whether an ``Accept`` header names CSV and prefers it to JSON (JSON on a tie)."""
    return wants(accept, CSV)


def _pairs(refs: list) -> list[tuple[str, str]]:
    return [(r.school_id, r.partner_id) for r in refs]


@router.post(
    "",
    response_model=Rankings,
    responses={
        **error_responses(400, 401, 404, 413, 503),
        200: {
            "content": {
                CSV: {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            }
        },
    },
)
def rank(
    body: RankingRequest,
    engine: EngineDep,
    api: ApiSettingsDep,
    accept: Annotated[
        str | None, Header(description=f"`{CSV}` for CSV, `{XLSX}` for an Excel workbook")
    ] = None,
) -> Rankings | Response:
    """Top-k partners for each selected school; with ``allocate``, an assignment that
    respects every partner's and school's capacity, with an equity floor (or a stable
    one with ``mode``), around the ``pinned`` and without the ``forbidden`` pairs."""
    ids = body.school_ids
    if ids is not None and len(ids) > api.max_school_ids:
        raise HTTPException(
            413, f"at most {api.max_school_ids} school_ids per request (got {len(ids)})"
        )
    if not body.allocate and (
        body.pinned
        or body.forbidden
        or body.mode != "optimal"
        or "candidates" in body.model_fields_set
    ):
        raise HTTPException(400, "mode, pinned, forbidden and candidates need allocate: true")
    alloc = None
    if body.allocate:
        alloc = engine.allocate_selection(
            regency=body.regency,
            district=body.district,
            school_ids=ids,
            k=body.k,
            equity_weight=body.equity_weight,
            lang=body.lang,
            mode=body.mode,
            pinned=_pairs(body.pinned),
            forbidden=_pairs(body.forbidden),
            candidates=body.candidates,
        )
        table, summary = alloc.assignments, alloc.summary
    else:
        table, summary = engine.rank_table(
            regency=body.regency, district=body.district, school_ids=ids, k=body.k
        )
    if wants(accept, XLSX):
        buf = io.BytesIO()
        if alloc is not None:
            write_allocation_workbook(alloc, buf, body.lang)
        else:
            write_ranking_workbook(table, buf)
        return Response(
            buf.getvalue(),
            media_type=XLSX,
            headers={"Content-Disposition": 'attachment; filename="allocation.xlsx"'},
        )
    if wants_csv(accept):
        return Response(to_csv(table), media_type=CSV)
    why: dict[str, list] = {}
    if alloc is not None:
        for name in ("why_not_schools", "why_not_partners"):
            frame = getattr(alloc, name)
            clean = frame.astype(object).where(frame.notna(), None)
            why[name] = [{str(c): v for c, v in r.items()} for r in clean.to_dict("records")]
    clean = table.astype(object).where(table.notna(), None)
    rows = [{str(c): v for c, v in r.items()} for r in clean.to_dict("records")]
    return Rankings(rows=rows, schools=int(summary["schools"]), summary=summary, **why)
