"""The engine's watcher: what other processes activate or write reaches a serving
engine without a request querying the database or waiting for a rebuild."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from matcher.config import Settings
from matcher.engine import Engine


def _wait_for(check, seconds: float = 20.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_a_model_activated_elsewhere_reaches_a_watching_engine(
    settings: Settings, world_files: dict[str, Path]
) -> None:
    other = Engine(settings)  # e.g. `matcher train` or another service worker
    other.load_files(world_files["schools"], world_files["partners"])
    first = other.train(evaluate=False)["version"]
    serving = Engine(replace(settings, refresh_seconds=0.1))
    try:
        assert serving.refresh() == first
        serving.watch()
        assert serving.suggest("S1")["model_version"] == first
        second = other.train(evaluate=False, force=True)["version"]
        assert second != first
        # the index for the new version is built by the watcher before it is published
        assert _wait_for(lambda: serving.snapshot()[0] == second)
        assert serving.suggest("S1")["model_version"] == second
    finally:
        serving.close()
        other.close()


def test_refresh_zero_means_no_watcher(settings: Settings) -> None:
    eng = Engine(replace(settings, refresh_seconds=0))
    eng.watch()
    assert not eng.serving.watching
    eng.close()
