"""``/models``: model versions, background retraining and activation (rollback)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from api.deps import EngineDep, ReadAccess, WriteAccess
from api.schemas import ModelVersion, TrainingJob, TrainRequest, error_responses

router = APIRouter(prefix="/models", tags=["models"])


@router.get("", dependencies=[ReadAccess], responses=error_responses(401))
def list_models(engine: EngineDep) -> list[ModelVersion]:
    """Stored versions, oldest first; ``active`` marks the one serving."""
    return [ModelVersion.from_manifest(m) for m in engine.model_versions()]


@router.post(
    "/train",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[WriteAccess],
    responses=error_responses(401, 403, 409),
)
def train(engine: EngineDep, body: TrainRequest | None = None) -> TrainingJob:
    """Start training on everything stored, in the background; poll the job. The new
    version becomes active only if it is not worse on the holdout (unless ``force``);
    a second request while one runs answers 409."""
    req = body or TrainRequest()
    params: dict[str, Any] = req.model_dump(exclude={"force"}, exclude_none=True)
    return TrainingJob(**engine.jobs.start(params, force=req.force).as_dict())


@router.get("/jobs/{job_id}", dependencies=[ReadAccess], responses=error_responses(401, 404))
def training_job(job_id: str, engine: EngineDep) -> TrainingJob:
    """A training job's status (queued, running, succeeded, failed) and result."""
    return TrainingJob(**engine.jobs.get(job_id).as_dict())


@router.post(
    "/{version}/activate",
    dependencies=[WriteAccess],
    responses=error_responses(401, 403, 404, 503),
)
def activate(version: str, engine: EngineDep) -> ModelVersion:
    """Make a stored version active (rollback); requests switch without a restart."""
    return ModelVersion.from_manifest({**engine.activate(version), "active": True})
