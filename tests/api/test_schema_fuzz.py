"""Schemathesis: requests generated from the app's own OpenAPI schema never get a 5xx,
and every answer fits the schema documented for its status.

Runs in process (ASGI) on a private copy of the trained known world, with a write key so
that write endpoints are exercised too; a bounded number of examples keeps it quick.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from api.config import ApiSettings
from api.main import create_app
from tests.api.conftest import KEYS, WRITE, copy_world

# The schema alone: building it runs no lifespan, so importing this module touches no data.
schema = schemathesis.openapi.from_dict(create_app().openapi())


@pytest.fixture
def fuzz_app(world_template: Path, tmp_path: Path) -> FastAPI:
    """The app on a private copy of the trained world (schemathesis runs its lifespan)."""
    return create_app(copy_world(world_template, tmp_path / "world"), ApiSettings(api_keys=KEYS))


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure here is reproducible
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case: schemathesis.Case, fuzz_app: FastAPI) -> None:
    case.call_and_validate(
        app=fuzz_app, headers=WRITE, checks=[not_a_server_error, response_schema_conformance]
    )
