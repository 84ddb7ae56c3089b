"""Batch ranking on a real local Dask cluster gives the same result as a local run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher.answers import rank_frame, rank_frames
from matcher.errors import MatcherError
from tests.conftest import World


def test_dask_local_cluster_identical(fitted_world: World) -> None:
    _, model, index = fitted_world.snapshot
    rows = np.arange(index.n_schools)
    local = rank_frame(rank_frames("v", model, index, rows, k=3))
    dask = rank_frame(rank_frames("v", model, index, rows, k=3, scheduler="local"))
    key = ["school_id", "rank"]
    pd.testing.assert_frame_equal(
        local.sort_values(key).reset_index(drop=True),
        dask.sort_values(key).reset_index(drop=True),
    )


def test_unreachable_scheduler_is_a_clear_error(fitted_world: World) -> None:
    _, model, index = fitted_world.snapshot
    rows = np.arange(index.n_schools)
    with pytest.raises(MatcherError, match="Dask scheduler"):
        list(rank_frames("v", model, index, rows, k=3, scheduler="tcp://127.0.0.1:9"))
