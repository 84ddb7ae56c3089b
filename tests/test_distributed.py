"""Batch ranking on a real local Dask cluster gives the same result as a local run."""

from __future__ import annotations

import pandas as pd
import pytest

from matcher.engine import Engine, rank_frame
from matcher.errors import MatcherError


def test_dask_local_cluster_identical(world_engine: Engine) -> None:
    rows = world_engine.select_schools(all_schools=True)
    local = rank_frame(world_engine.rank(rows, k=3))
    dask = rank_frame(world_engine.rank(rows, k=3, scheduler="local"))
    key = ["school_id", "rank"]
    pd.testing.assert_frame_equal(
        local.sort_values(key).reset_index(drop=True),
        dask.sort_values(key).reset_index(drop=True),
    )


def test_unreachable_scheduler_is_a_clear_error(world_engine: Engine) -> None:
    rows = world_engine.select_schools(all_schools=True)
    with pytest.raises(MatcherError, match="Dask scheduler"):
        list(world_engine.rank(rows, k=3, scheduler="tcp://127.0.0.1:9"))
