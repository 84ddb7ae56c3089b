"""``GET /livez``: the process is up and answering (no database, no model).

For liveness probes of an orchestrator, and as the framework's ceiling in the service
benchmark (``benchmarks/bench_service.py``).
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/livez", tags=["health"])


@router.get("")
async def livez() -> dict[str, str]:
    """Always ``{"status": "ok"}`` while the process serves requests."""
    return {"status": "ok"}
