"""``GET /health``: always open, so load balancers and probes need no key."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import EngineDep
from api.schemas import Health

router = APIRouter(prefix="/health", tags=["health"])


@router.get("", response_model=Health)
def health(engine: EngineDep) -> dict[str, Any]:
    """Status, active model version (null before the first training) and stored counts."""
    return engine.health()
