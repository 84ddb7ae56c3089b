"""The compiled kernels against plain references: distances, scores and top-k."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.geo import haversine_km
from matcher.ranking import top_k
from tests.conftest import World


def test_block_distances_match_haversine(fitted_world: World) -> None:
    model, index = fitted_world.model, fitted_world.index
    rows = np.arange(index.n_schools)
    block = model.score_block(index, rows, full=True)
    sch, par = index.schools, index.partners
    for r in rows:
        lat, lon = float(sch["latitude"].iat[r]), float(sch["longitude"].iat[r])
        ref = haversine_km(lat, lon, par["latitude"].astype(float), par["longitude"].astype(float))
        np.testing.assert_allclose(block.distance[r], ref, rtol=1e-4, atol=0.05)


def test_top_k_kernel_equals_full_sort(fitted_world: World) -> None:
    model, index = fitted_world.model, fitted_world.index
    rows = np.arange(index.n_schools)
    block = model.score_block(index, rows)
    idx, scores = model.top_k_block(index, rows, None, 3)
    ref = top_k(block.score, 3)
    np.testing.assert_array_equal(idx >= 0, ref >= 0)
    finite = idx >= 0
    ref_scores = np.take_along_axis(block.score, np.where(finite, ref, 0), 1)
    # same scores rank by rank (indices may swap only between exact-tie partners)
    np.testing.assert_allclose(scores[finite], ref_scores[finite], rtol=1e-5)
    got_scores = np.take_along_axis(block.score, np.where(finite, idx, 0), 1)
    np.testing.assert_allclose(got_scores[finite], scores[finite], rtol=1e-5)


@pytest.mark.parametrize("k", [1, 4, 50])
def test_top_k_reference(k: int) -> None:
    rng = np.random.default_rng(k)
    s = rng.random((20, 30)).astype(np.float32)
    s[rng.random((20, 30)) < 0.3] = -np.inf
    idx = top_k(s, k)
    for r in range(20):
        order = [j for j in np.argsort(-s[r], kind="stable") if np.isfinite(s[r, j])][:k]
        assert [j for j in idx[r] if j >= 0] == order
