"""Request and answer shapes of the HTTP API, for validation and the OpenAPI docs.

School, partner and outcome records are passed to the engine as plain JSON objects: the
engine validates them exactly like file rows (docs/files.md), so their rules live in one
place (``matcher.schema``), not here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from matcher import schema
from matcher.schema import (
    DEFAULT_CANDIDATES,
    MAX_CANDIDATES,
    MAX_EQUITY_WEIGHT,
    MAX_K,
    MAX_OUTCOME_WEIGHT,
)
from matcher.similarity import Fusion
from matcher.vocabulary import Lang

Record = dict[str, Any]

# Record bodies: their JSON Schema and examples come from matcher.schema (one source for
# the rules and their description); the examples are the bundled sample's first records,
# so a generated request writes and reads ids that exist in the demo.
SCHOOL_EXAMPLE: Record = schema.example("schools")
PARTNER_EXAMPLE: Record = schema.example("partners")
OUTCOME_EXAMPLE: Record = schema.example("outcomes")


class ErrorItem(BaseModel):
    """One problem in one record."""

    line: int
    column: str
    reason: str
    record_id: str | None = None


class ErrorAnswer(BaseModel):
    """Every error answer. ``detail`` is a message, or for a request that does not fit
    this schema FastAPI's list of problems; ``errors`` lists a rejected record's problems."""

    detail: str | list[dict[str, Any]]
    errors: list[ErrorItem] | None = None


class Health(BaseModel):
    """Service status, active model version and stored counts."""

    model_config = ConfigDict(extra="allow")  # whatever else the engine reports

    status: str
    model_version: str | None
    schools: int
    partners: int
    outcomes: int


MAX_PAGE = 500  # records per page of a listing
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000, description="records to skip")]


class Page(BaseModel):
    """One page of a listing."""

    total: int = Field(description="records matching the filters")
    limit: int
    offset: int
    items: list[Record]


class PartnerSuggestion(BaseModel):
    """One suggested partner; explanation fields (gains, distance, ...) come with
    ``explain=true``."""

    model_config = ConfigDict(extra="allow")

    rank: int
    partner_id: str
    name: str
    type: str
    score: float = Field(description="mutual benefit, both directions combined")
    school_benefit: float
    partner_benefit: float
    explanation: str | None


class SchoolSuggestion(BaseModel):
    """One suggested school; explanation fields come with ``explain=true``."""

    model_config = ConfigDict(extra="allow")

    rank: int
    school_id: str
    name: str
    level: str
    score: float = Field(description="mutual benefit, both directions combined")
    school_benefit: float
    partner_benefit: float
    explanation: str | None


class SchoolSuggestions(BaseModel):
    """Partners for one school, best first (the json shape of docs/cli.md, ``matcher suggest``)."""

    school_id: str
    school_name: str
    model_version: str
    lang: str
    suggestions: list[PartnerSuggestion]


class PartnerSuggestions(BaseModel):
    """Schools for one partner, best first: the other side of the market."""

    partner_id: str
    partner_name: str
    model_version: str
    lang: str
    suggestions: list[SchoolSuggestion]


class PairRef(BaseModel):
    """One school–partner pair, by ids."""

    model_config = ConfigDict(extra="forbid")

    school_id: str = Field(min_length=1)
    partner_id: str = Field(min_length=1)


class RankingRequest(BaseModel):
    """Batch ranking of one regency, one district or a list of schools."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={  # a district and a school of the bundled sample
            "examples": [
                {"district": SCHOOL_EXAMPLE["district"], "k": 3},
                {"school_ids": [SCHOOL_EXAMPLE["school_id"]], "k": 3, "allocate": True},
            ]
        },
    )

    regency: str | None = Field(None, min_length=1, description="kabupaten/kota")
    district: str | None = Field(None, min_length=1, description="kecamatan")
    school_ids: list[str] | None = Field(None, min_length=1)
    k: int = Field(10, ge=1, le=MAX_K, description="partners per school")
    allocate: bool = Field(
        False,
        description="assign partners within both sides' capacities (district allocation); "
        "rows then carry `assigned` and `status`",
    )
    equity_weight: float = Field(
        0.5,
        ge=0,
        le=MAX_EQUITY_WEIGHT,
        allow_inf_nan=False,
        description="with allocate: extra weight for under-resourced schools",
    )
    candidates: int = Field(
        DEFAULT_CANDIDATES,
        ge=1,
        le=MAX_CANDIDATES,
        description="with allocate: best feasible partners per school to choose among; more "
        "covers more schools when the best lists crowd onto few partners, and takes longer",
    )
    lang: Lang = Field("id", description="language of allocation reasons")
    mode: Literal["optimal", "stable"] = Field(
        "optimal",
        description="with allocate: `optimal` (most schools covered, then most benefit) or "
        "`stable` (deferred acceptance: no school and partner prefer each other to what they "
        "got); the summary's `comparison` has both, plain top-k and greedy",
    )
    pinned: list[PairRef] = Field(
        default_factory=list, max_length=1000, description="with allocate: pairs to keep"
    )
    forbidden: list[PairRef] = Field(
        default_factory=list, max_length=1000, description="with allocate: pairs never to assign"
    )

    @model_validator(mode="after")
    def _one_selector(self) -> RankingRequest:
        given = [n for n in ("regency", "district", "school_ids") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of regency, district, school_ids"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self


class Rankings(BaseModel):
    """Ranked rows: ``school_id, rank, partner_id, score`` and readable extras."""

    rows: list[Record]
    schools: int = Field(description="schools selected")
    summary: Record = Field(
        default_factory=dict,
        description="with allocate: schools matched and unmatched (and why), capacity used, "
        "exposure Gini, total benefit beside plain top-k and greedy",
    )
    why_not_schools: list[Record] = Field(
        default_factory=list, description="with allocate: each school left out, and why"
    )
    why_not_partners: list[Record] = Field(
        default_factory=list, description="with allocate: each partner left out, and why"
    )


class OutcomeCounts(BaseModel):
    """What ``POST /outcomes`` stored."""

    received: int
    added: int
    duplicates: int = Field(description="events already stored (same outcome_id)")


def record_body(kind: str, description: str, example: Record, in_path: bool) -> Record:
    """The OpenAPI ``requestBody`` of a record route (for ``openapi_extra``): one record of
    ``kind`` (without the id when the path gives it), or for outcomes also a list."""
    key = schema.ID_COLUMN[kind]
    one = schema.json_schema(kind, without=key if in_path else None)
    body = {"anyOf": [one, {"type": "array", "items": one, "minItems": 1}]} if not in_path else one
    shown = {k: v for k, v in example.items() if not (in_path and k == key)}
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": body, "example": shown}},
        }
    }


ERROR_TEXT = {
    400: "a mistake in the request",
    401: "no API key where one is needed, or a key that is not configured",
    403: "the API key may only read",
    404: "no such record",
    409: "conflicts with the current state (a training job is already running)",
    413: "request body or batch too large",
    422: "invalid request or records",
    500: "a bug: the answer names the request id to look for in the logs",
    503: "no usable model yet",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses."""
    return {c: {"model": ErrorAnswer, "description": ERROR_TEXT[c]} for c in codes}


class TrainRequest(BaseModel):
    """Options of a training run (all optional)."""

    model_config = ConfigDict(extra="forbid")

    force: bool = Field(default=False, description="activate even if worse than the active model")
    fusion: Fusion | None = None
    outcome_weight: float | None = Field(
        default=None, ge=0, le=MAX_OUTCOME_WEIGHT, allow_inf_nan=False
    )


class TrainingJob(BaseModel):
    """A background training job."""

    job_id: str
    status: Literal["queued", "running", "succeeded", "failed"]
    created_at: str
    finished_at: str | None = None
    params: Record = Field(default_factory=dict)
    result: Record | None = None
    error: str | None = None


class ModelVersion(BaseModel):
    """A stored model version (its manifest, without the library details). A version
    that cannot be used is listed too, with ``state`` ``refused`` (unsigned, mis-signed,
    damaged) or ``incomplete`` (an unfinished save) and the ``reason``."""

    version: str
    state: Literal["ok", "refused", "incomplete"] = "ok"
    reason: str | None = None
    created_at: str | None = None
    active: bool
    decision: str | None = None
    outcome_model: str | None = None
    data: Record = Field(default_factory=dict)
    metrics: Record = Field(default_factory=dict)
    parameters: Record = Field(default_factory=dict)
    sha256: str | None = None

    @classmethod
    def from_manifest(cls, m: Record) -> ModelVersion:
        keys = cls.model_fields
        return cls(**{k: v for k, v in m.items() if k in keys and v is not None})
