"""``/schools/{id}/suggestions`` and ``/partners/{id}/suggestions``: both sides of the
market, in the json shape of ``matcher suggest --format json`` (CONTRACT §3)."""

from __future__ import annotations

from collections import OrderedDict
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


# A current answer is returned straight from the engine's store of answers (as JSON
# serialised once); only a miss is scored, in a worker thread, so the event loop never
# waits on scoring.
_JSON: OrderedDict[int, tuple[dict[str, Any], bytes]] = OrderedDict()
_JSON_MAX = 20_000


async def _answer(
    engine: Engine, side: str, record_id: str, k: int, lang: str, explain: bool
) -> Response:
    hit = engine.cached_suggestions(side, record_id, k, lang, explain)
    if hit is None:
        compute = engine.suggest if side == "school" else engine.suggest_for_partner
        hit = await run_in_threadpool(compute, record_id, k, lang, explain)
    return Response(answer_json(side, hit), media_type="application/json")


def answer_json(side: str, answer: dict[str, Any]) -> bytes:
    """The answer's JSON in the route's schema, serialised once per answer (also by
    :mod:`api.fastpath`, which serves current answers without routing)."""
    key = id(answer)
    entry = _JSON.get(key)
    if entry is None or entry[0] is not answer:  # the answer object is kept: ids stay unique
        model: type[BaseModel] = SchoolSuggestions if side == "school" else PartnerSuggestions
        entry = (answer, model.model_validate(answer).model_dump_json().encode())
        _JSON[key] = entry
        while len(_JSON) > _JSON_MAX:
            _JSON.popitem(last=False)
    return entry[1]


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
