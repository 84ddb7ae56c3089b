"""``/schools/{id}/suggestions`` and ``/partners/{id}/suggestions``: both sides of the
market, in the json shape of ``matcher suggest --format json`` (CONTRACT §3)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from api.deps import EngineDep, ReadAccess
from api.schemas import PartnerSuggestions, SchoolSuggestions, error_responses

router = APIRouter(
    tags=["suggestions"],
    dependencies=[ReadAccess],
    responses=error_responses(401, 404, 503),
)

K = Annotated[int, Query(ge=1, le=100, description="how many suggestions")]
Lang = Annotated[Literal["id", "en"], Query(description="language of the explanations")]
Explain = Annotated[bool, Query(description="add reasons to each suggestion")]


@router.get("/schools/{school_id}/suggestions", response_model=SchoolSuggestions)
def suggest_partners(
    school_id: str, engine: EngineDep, k: K = 10, lang: Lang = "id", explain: Explain = True
) -> dict[str, Any]:
    """Partners for one school, best first, with both-way benefit scores."""
    return engine.suggest(school_id, k, lang, explain)


@router.get("/partners/{partner_id}/suggestions", response_model=PartnerSuggestions)
def suggest_schools(
    partner_id: str, engine: EngineDep, k: K = 10, lang: Lang = "id", explain: Explain = True
) -> dict[str, Any]:
    """Schools for one partner, best first, with both-way benefit scores."""
    return engine.suggest_for_partner(partner_id, k, lang, explain)
