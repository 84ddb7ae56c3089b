"""Model versions: save and reload give identical scores; tampering is refused."""

from __future__ import annotations

import json

import numpy as np
import pytest

from matcher.engine import Engine
from matcher.errors import ModelError, NotFoundError
from matcher.model_store import ARTIFACT, MANIFEST, ModelStore, model_key, sha256_file, sign


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
    assert m["data"]["schools"] == 5 and m["parameters"]["fusion"] == "geometric"


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


# -- signing (issue 11.2): only what a holder of the key wrote is unpickled -------------


def _rewrite_manifest(engine: Engine, change) -> str:
    version = engine.models.active_version()
    mpath = engine.models.root / version / MANIFEST
    man = json.loads(mpath.read_text())
    change(man)
    mpath.write_text(json.dumps(man))
    return version


def _plant(root, version: str) -> None:
    """A pickle that runs code when loaded, with its honest sha256 in the manifest."""
    import pickle

    class Planted:
        def __reduce__(self):
            return (exec, (f"open({str(root / 'PWNED')!r}, 'w').write('pwned')",))

    (root / version / ARTIFACT).write_bytes(pickle.dumps(Planted()))


def test_planted_pickle_with_recomputed_sha256_is_not_run(world_engine: Engine) -> None:
    root = world_engine.models.root
    version = world_engine.models.active_version()
    _plant(root, version)
    digest = sha256_file(root / version / ARTIFACT)
    _rewrite_manifest(world_engine, lambda m: m.update(sha256=digest))
    with pytest.raises(ModelError, match="signature"):
        Engine(world_engine.settings).suggest("S1")
    assert not (root / "PWNED").exists()


@pytest.mark.parametrize(
    "change, reason",
    [
        (lambda m: m.pop("signature"), "not signed"),
        (lambda m: m["metrics"].update(schools={"ndcg": 0.99}), "signature"),
        (lambda m: m.update(artifact="../../elsewhere.joblib"), "signature"),
        (lambda m: m.pop("libraries"), "signature"),
    ],
    ids=["unsigned", "edited-metrics", "artifact-outside", "no-libraries"],
)
def test_unsigned_or_edited_manifest_refused(world_engine: Engine, change, reason) -> None:
    version = _rewrite_manifest(world_engine, change)
    with pytest.raises(ModelError, match=reason):
        Engine(world_engine.settings).suggest("S1")
    (listed,) = world_engine.models.versions()
    assert listed["state"] == "refused" and reason in listed["reason"]
    assert "metrics" not in listed  # edited numbers are never listed as real
    with pytest.raises(ModelError):
        world_engine.models.activate(version)


def test_signed_but_incomplete_or_escaping_manifest_refused(world_engine: Engine) -> None:
    store = world_engine.models

    def resign(change):
        def apply(m):
            change(m)
            m["signature"] = sign(m, store.key)

        return _rewrite_manifest(world_engine, apply)

    resign(lambda m: m.update(artifact="../x.joblib"))
    with pytest.raises(ModelError, match="plain file name"):
        store.load()
    resign(lambda m: (m.update(artifact=ARTIFACT), m.pop("libraries")))
    with pytest.raises(ModelError, match="lacks libraries"):
        store.load()


def test_other_key_refused(world_engine: Engine) -> None:
    other = ModelStore(world_engine.models.root, key=b"another installation's key")
    with pytest.raises(ModelError, match="signature does not match"):
        other.load()


def test_key_file_created_once_with_mode_0600(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("MATCHER_MODEL_KEY", raising=False)
    monkeypatch.delenv("MATCHER_MODEL_KEY_FILE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    key = model_key()
    path = tmp_path / "config" / "matcher" / "model.key"
    assert path.is_file() and (path.stat().st_mode & 0o777) == 0o600
    assert len(key) == 64 and model_key() == key  # created once, then reused
    store = ModelStore(tmp_path / "models")
    store.save({"bundle": 1}, {"parameters": {}, "data": {}, "metrics": {}})
    assert store.load()[1] == {"bundle": 1}
    assert not list((tmp_path / "models").rglob("model.key"))  # never beside the models


def test_killed_save_leftovers_listed_then_cleaned(tmp_path) -> None:
    store = ModelStore(tmp_path / "models", key=b"k")
    v1 = store.save({"n": 1}, {"parameters": {}, "data": {}, "metrics": {}})
    left = tmp_path / "models" / ".tmp-killed"
    left.mkdir()
    (left / ARTIFACT).write_bytes(b"half")
    states = {m["version"]: m["state"] for m in store.versions()}
    assert states == {v1: "ok", ".tmp-killed": "incomplete"}
    store.save({"n": 2}, {"parameters": {}, "data": {}, "metrics": {}})
    assert not left.exists()
    assert [m["state"] for m in store.versions()] == ["ok", "ok"]


def test_cleaning_spares_a_save_in_progress(tmp_path) -> None:
    import fcntl

    store = ModelStore(tmp_path / "models", key=b"k")
    busy = tmp_path / "models" / ".tmp-busy"
    busy.mkdir(parents=True)
    with (busy / ".lock").open("w") as lock:  # what a running save holds
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert store.clean_leftovers() == []
    assert store.clean_leftovers() == [".tmp-busy"]  # its holder died: a leftover


def test_model_of_another_engine_version_refused_with_what_to_do(world_engine: Engine) -> None:
    # a model pickled by an older engine (its manifest names no engine version) may not
    # fit today's classes: it is refused with the way out, never unpickled
    store = world_engine.models

    def older(m):
        m["libraries"].pop("matcher")
        m["signature"] = sign(m, store.key)

    _rewrite_manifest(world_engine, older)
    with pytest.raises(ModelError, match=r"matcher before 0\.4\.0 .*matcher train"):
        store.load()
