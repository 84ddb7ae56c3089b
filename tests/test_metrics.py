"""Ranking metrics against hand-computed values."""

from __future__ import annotations

import math

import pytest

from matcher.metrics import gini, ndcg_at_k, precision_at_k, recall_at_k


def test_ndcg_perfect_and_known_value() -> None:
    rel = {"a": 2.0, "b": 1.0}
    assert ndcg_at_k(["a", "b", "c"], rel) == pytest.approx(1.0)
    ideal = 3 + 1 / math.log2(3)
    got = (1 / 1 + 3 / math.log2(3)) / ideal  # b first, then a
    assert ndcg_at_k(["b", "a"], rel) == pytest.approx(got)
    assert ndcg_at_k(["x"], {}) == 0.0


def test_recall_precision() -> None:
    assert recall_at_k(["a", "x", "b"], {"a", "b", "c"}, k=2) == pytest.approx(1 / 3)
    assert precision_at_k(["a", "x", "b"], {"a", "b"}, k=2) == pytest.approx(0.5)


@pytest.mark.parametrize(("counts", "expected"), [([1, 1, 1, 1], 0.0), ([0, 0, 0, 4], 0.75)])
def test_gini(counts, expected) -> None:
    assert gini(counts) == pytest.approx(expected)


def test_paired_bootstrap_interval() -> None:
    import numpy as np

    from matcher.metrics import paired_bootstrap

    base = np.linspace(0.0, 0.5, 50)
    gain, lo, hi = paired_bootstrap(base + 0.1, base)  # the same lift on every list
    assert (gain, lo, hi) == pytest.approx((0.1, 0.1, 0.1))
    rng = np.random.default_rng(1)
    noise = rng.normal(0.0, 0.2, 200)  # no real difference: the interval spans 0
    gain, lo, hi = paired_bootstrap(base.mean() + noise, np.full(200, base.mean()))
    assert lo < 0.0 < hi and lo < gain < hi
    assert paired_bootstrap(np.array([]), np.array([])) == (0.0, 0.0, 0.0)
