"""What is served: kept answers by key, least recently used dropped first, each answer
rendered once; and an engine's served world is the fitted world of its files."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.answers import rank_frame, rank_frames
from matcher.engine import Engine
from matcher.serving import AnswerCache
from tests.conftest import World


def test_answer_cache_keeps_the_recently_used() -> None:
    cache = AnswerCache(size=2)
    a, b, c = {"n": 1}, {"n": 2}, {"n": 3}
    cache.put("a", a)
    cache.put("b", b)
    assert cache.get("a") is a  # "a" is now the most recently used
    cache.put("c", c)
    assert cache.get("b") is None and cache.get("a") is a and cache.get("c") is c


def test_an_answer_is_rendered_once() -> None:
    cache = AnswerCache(size=4)
    calls: list[dict] = []

    def render(answer: dict) -> bytes:
        calls.append(answer)
        return str(answer["n"]).encode()

    assert cache.rendered("a", render) is None  # nothing kept: nothing rendered
    cache.put("a", {"n": 7})
    assert cache.rendered("a", render) == cache.rendered("a", render) == b"7"
    assert len(calls) == 1
    cache.put("a", {"n": 8})  # a new answer under the key is rendered anew
    assert cache.rendered("a", render) == b"8" and len(calls) == 2


def test_engine_serves_the_fitted_world(world_engine: Engine, fitted_world: World) -> None:
    """The session's fitted world (no database) ranks exactly as an engine trained on the
    same files, so scoring tests on it speak for the engine."""
    rows = world_engine.select_schools(all_schools=True)
    served = rank_frame(world_engine.rank(rows, k=5)).drop(columns="model_version")
    _, model, index = fitted_world.snapshot
    fitted = rank_frame(rank_frames("v", model, index, np.arange(index.n_schools), k=5))
    pd.testing.assert_frame_equal(served, fitted.drop(columns="model_version"))
