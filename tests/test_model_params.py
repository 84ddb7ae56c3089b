"""The model's settings: nested estimators whose every setting shows in
``get_params(deep=True)``, the manifest and the command line; the flat names and the
artifacts saved with flat settings still work; explanations name the model's own codes."""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import replace

import numpy as np
import pytest
from sklearn.base import clone

from matcher.cli import main
from matcher.config import default_data_dir
from matcher.engine import Engine
from matcher.explain import explain_pair
from matcher.features import FeatureSpace
from matcher.model import DEFAULT_FEATURES, MatchModel
from matcher.outcomes import OutcomeModel
from tests.conftest import World

FLAT = {  # the settings an older manifest recorded, by their flat names
    "fusion": "geometric",
    "similarity": "coverage",
    "decay_km": 60.0,
    "decay_weight": 0.05,
    "online_km": 30.0,
    "language_penalty": 0.6,
    "text_weight": 0.5,
    "ngram_range": [3, 5],
    "threshold": 0.8,
    "implicit": True,
    "rarity": True,
    "outcome_weight": 1.0,
    "prior_strength": 7.0,
    "accept_weight": 0.0,
}


def test_every_setting_in_get_params() -> None:
    params = MatchModel().get_params(deep=True)
    for name in FeatureSpace().get_params():
        assert f"features__{name}" in params
    for name in OutcomeModel().get_params():
        assert f"outcome__{name}" in params
    assert "random_state" in params
    plain = MatchModel().parameters()  # what the manifest records: plain values only
    assert "features" not in plain and json.loads(json.dumps(plain)) == json.loads(
        json.dumps(plain, default=str)
    )


def test_nested_settings_change_a_copy_never_the_default() -> None:
    model = MatchModel().set_params(features__rarity=True, outcome__prior_strength=2.0)
    assert model.features.rarity is True and model.outcome.prior_strength == 2.0
    assert DEFAULT_FEATURES.rarity is False and MatchModel().features.rarity is False
    assert clone(model).get_params(deep=True)["features__rarity"] is True


def test_flat_names_are_aliases() -> None:
    flat = MatchModel.from_params(FLAT)
    nested = MatchModel.from_params(
        {k: v for k, v in FLAT.items() if k not in ("text_weight", "rarity", "prior_strength")}
        | {"features__text_weight": 0.5, "features__rarity": True, "outcome__prior_strength": 7.0}
    )
    assert flat.parameters() == nested.parameters()
    assert flat.parameters()["features__ngram_range"] == (3, 5)
    with pytest.raises(ValueError, match="Invalid parameter"):
        MatchModel.from_params({"no_such_setting": 1})


def test_flat_artifact_loads_and_scores_the_same(fitted_world: World) -> None:
    model, index = fitted_world.model, fitted_world.index
    state = dict(model.__getstate__())  # as pickled before nesting: flat settings, no nesting
    del state["features"], state["outcome"], state["random_state"]
    state |= {k: v for k, v in FLAT.items() if k not in model.get_params()}
    state["ngram_range"] = (3, 5)
    old = MatchModel.__new__(MatchModel)
    old.__dict__.update(state)
    loaded = pickle.loads(pickle.dumps(old))
    assert loaded.get_params(deep=True)["features__text_weight"] == 0.5
    assert loaded.parameters()["outcome__prior_strength"] == 7.0
    rows = np.arange(index.n_schools)
    np.testing.assert_array_equal(
        loaded.score_block(index, rows).score, model.score_block(index, rows).score
    )


def test_manifest_records_settings_and_the_vocabulary(world_engine: Engine) -> None:
    man = world_engine.models.versions()[-1]
    assert man["parameters"] == json.loads(json.dumps(MatchModel().parameters()))
    vocab_file = default_data_dir() / "vocabulary.json"
    assert man["vocabulary"]["sha256"] == hashlib.sha256(vocab_file.read_bytes()).hexdigest()
    assert man["vocabulary"]["codes"] > 0


def test_cli_sets_any_setting_by_name(settings, world_files, capsys) -> None:
    base = ["--db", settings.db_url, "--models", str(settings.models_dir), "-q"]
    files = ["--schools", str(world_files["schools"]), "--partners", str(world_files["partners"])]
    assert main(["load", *base, *files]) == 0
    sets = ["--set", "features__rarity=true", "--set", "prior_strength=3", "--no-eval"]
    assert main(["train", *base, *sets]) == 0
    man = Engine(settings).models.versions()[-1]["parameters"]
    assert man["features__rarity"] is True and man["outcome__prior_strength"] == 3.0
    capsys.readouterr()
    for bad, words in [
        ("features__nope=1", "give NAME=VALUE with a NAME of"),
        ("features__rarity", "give NAME=VALUE"),
        ("features__threshold=high", "is not like its default 0.8"),
        ("decay_km=nan", "is not like its default"),
        ("features__ngram_range=[3]", "is not like its default (3, 5)"),
    ]:
        assert main(["train", *base, "--set", bad]) != 0
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_explanations_use_the_models_own_codes(fitted_world: World) -> None:
    """A model keeps the vocabulary it was fitted with: its explanations read that one,
    whatever the vocabulary file says now."""
    model = clone(fitted_world.model).fit(fitted_world.schools, fitted_world.partners)
    own = model.features_.vocabulary_
    labels = {c: {"id": f"kode {c}", "en": f"code {c}"} for c in own.codes}
    model.features_.vocabulary_ = replace(own, labels=labels)
    index = model.index(fitted_world.schools, fitted_world.partners)
    s, p = index.school_row["S1"], index.partner_row["P-EXACT"]
    gains = explain_pair(index, s, p, "en")["school_gains"]
    assert gains and all(g["label"] == f"code {g['code']}" for g in gains)
