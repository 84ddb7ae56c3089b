"""``POST /read``: what the engine reads from a description (``matcher read-text``)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import EngineDep, ReadAccess
from api.schemas import error_responses
from matcher.reading import MAX_TEXT
from matcher.vocabulary import Lang

router = APIRouter(tags=["read"])


class ReadRequest(BaseModel):
    """A description and the side whose description it is."""

    text: str = Field(max_length=MAX_TEXT, examples=["Kami butuh laptop untuk lab komputer"])
    side: Literal["school", "partner"] = Field(
        description="a code that flows both ways is read as a school's need, a partner's offer"
    )
    lang: Lang = Field("id", description="language of the labels")


class ReadItem(BaseModel):
    """One code read, its label and the words of the text that named it."""

    code: str
    label: str
    evidence: str


class ReadAnswer(BaseModel):
    """Needs and offers read, strongest first."""

    needs: list[ReadItem]
    offers: list[ReadItem]


@router.post("/read", dependencies=[ReadAccess], responses=error_responses(401, 422))
def read(body: ReadRequest, engine: EngineDep) -> ReadAnswer:
    """The needs and offers a description names, with the words that named each; the
    same reader the ranking uses (the active model's)."""
    return ReadAnswer.model_validate(engine.read_text(body.text, body.side, body.lang))
