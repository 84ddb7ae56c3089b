"""``/schools/{id}/suggestions`` and ``/partners/{id}/suggestions``: both sides of the
market, in the json shape of ``matcher suggest --format json`` (docs/cli.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.deps import EngineDep, ReadAccess
from api.schemas import PartnerSuggestions, SchoolSuggestions, error_responses
from matcher.engine import Engine
from matcher.schema import MAX_K
from matcher.vocabulary import Lang

router = APIRouter(
    tags=["suggestions"],
    dependencies=[ReadAccess],
    responses=error_responses(401, 404, 503),
)

K = Annotated[int, Query(ge=1, le=MAX_K, description="how many suggestions")]
LangQuery = Annotated[Lang, Query(description="language of the explanations")]
Explain = Annotated[bool, Query(description="add reasons to each suggestion")]


# A current answer is returned straight from the engine's kept answers, with the JSON
# rendered once per answer and kept beside it; only a miss is scored, in a worker
# thread, so the event loop never waits on scoring.
async def _answer(
    engine: Engine, side: str, record_id: str, k: int, lang: str, explain: bool
) -> Response:
    body = cached_json(engine, side, record_id, k, lang, explain)
    if body is None:
        compute = engine.suggest if side == "school" else engine.suggest_for_partner
        answer = await run_in_threadpool(compute, record_id, k, lang, explain)
        # kept by the engine: rendered into it now, so the next request reuses the bytes
        body = cached_json(engine, side, record_id, k, lang, explain) or answer_json(side, answer)
    return Response(body, media_type="application/json")


def answer_json(side: str, answer: dict[str, Any]) -> bytes:
    """The answer's JSON in the route's schema."""
    model: type[BaseModel] = SchoolSuggestions if side == "school" else PartnerSuggestions
    return model.model_validate(answer).model_dump_json().encode()


def cached_json(
    engine: Engine, side: str, record_id: str, k: int, lang: str, explain: bool
) -> bytes | None:
    """The JSON of the engine's current kept answer, rendered once per answer (also
    used by :mod:`api.fastpath`, which serves current answers without routing); None
    if no answer is current."""
    return engine.cached_rendering(
        side, record_id, k, lang, explain, lambda answer: answer_json(side, answer)
    )


@router.get("/schools/{school_id}/suggestions", response_model=SchoolSuggestions)
async def suggest_partners(
    school_id: str, engine: EngineDep, k: K = 10, lang: LangQuery = "id", explain: Explain = True
) -> Response:
    """Partners for one school, best first, with both-way benefit scores."""
    return await _answer(engine, "school", school_id, k, lang, explain)


@router.get("/partners/{partner_id}/suggestions", response_model=PartnerSuggestions)
async def suggest_schools(
    partner_id: str, engine: EngineDep, k: K = 10, lang: LangQuery = "id", explain: Explain = True
) -> Response:
    """Schools for one partner, best first, with both-way benefit scores."""
    return await _answer(engine, "partner", partner_id, k, lang, explain)
