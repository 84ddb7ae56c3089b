"""The routers, one per resource; ``api.main`` includes them in this order.

To add a resource (e.g. ``/models``), write ``api/routes/NAME.py`` with a ``router`` and
append it to :data:`ROUTERS`.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import (
    health,
    livez,
    models,
    outcomes,
    partners,
    rankings,
    read,
    schools,
    suggestions,
)

ROUTERS: list[APIRouter] = [
    health.router,
    livez.router,
    schools.router,
    partners.router,
    suggestions.router,
    rankings.router,
    outcomes.router,
    models.router,
    read.router,
]
