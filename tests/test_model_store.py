"""Model versions: save and reload give identical scores; tampering is refused."""

from __future__ import annotations

import json

import numpy as np
import pytest

from matcher.engine import Engine
from matcher.errors import ModelError, NotFoundError
from matcher.model_store import ARTIFACT, MANIFEST


def test_save_reload_identical_scores(world_engine: Engine) -> None:
    before = world_engine.suggest("S1", k=5)
    fresh = Engine(world_engine.settings)  # a new process would load from disk like this
    after = fresh.suggest("S1", k=5)
    assert [s["partner_id"] for s in before["suggestions"]] == [
        s["partner_id"] for s in after["suggestions"]
    ]
    np.testing.assert_array_equal(
        [s["score"] for s in before["suggestions"]], [s["score"] for s in after["suggestions"]]
    )
    assert after["model_version"] == before["model_version"]


def test_manifest_contents(world_engine: Engine) -> None:
    (m,) = world_engine.models.versions()
    assert m["active"] and len(m["sha256"]) == 64
    assert {"scikit-learn", "numpy"} <= set(m["libraries"])
    assert m["data"]["schools"] == 5 and m["parameters"]["fusion"] == "harmonic"


def test_tampered_artifact_refused(world_engine: Engine) -> None:
    version = world_engine.models.active_version()
    path = world_engine.models.root / version / ARTIFACT
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="sha256"):
        Engine(world_engine.settings).suggest("S1")


def test_library_mismatch_refused(world_engine: Engine) -> None:
    version = world_engine.models.active_version()
    mpath = world_engine.models.root / version / MANIFEST
    man = json.loads(mpath.read_text())
    man["libraries"]["scikit-learn"] = "0.1.0"
    mpath.write_text(json.dumps(man))
    with pytest.raises(ModelError, match="retrain"):
        Engine(world_engine.settings).suggest("S1")


def test_no_model_yet_says_what_to_do(engine: Engine, world_files) -> None:
    engine.load_files(world_files["schools"], world_files["partners"])
    with pytest.raises(ModelError, match="matcher train"):
        engine.suggest("S1")


def test_activate_unknown_and_retention(world_engine: Engine) -> None:
    with pytest.raises(NotFoundError):
        world_engine.models.activate("v-nope")
    world_engine.models.keep = 2
    for _ in range(3):
        world_engine.train(evaluate=False)
    versions = world_engine.models.versions()
    assert len(versions) == 2 and versions[-1]["active"]
