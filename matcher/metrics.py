"""Ranking metrics as plain functions over ranked id lists and graded relevance."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def dcg(gains: Sequence[float]) -> float:
    g = np.asarray(gains, dtype=np.float64)
    if not len(g):
        return 0.0
    return float(np.sum((2.0**g - 1.0) / np.log2(np.arange(2, len(g) + 2))))


def ndcg_at_k(ranked: Sequence[str], relevance: dict[str, float], k: int = 10) -> float:
    """Normalised DCG of the top k against graded relevance (missing ids count 0)."""
    ideal = dcg(sorted(relevance.values(), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg([relevance.get(i, 0.0) for i in list(ranked)[:k]]) / ideal


def recall_at_k(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Share of the relevant ids found in the top k."""
    if not relevant:
        return 0.0
    return len(relevant.intersection(list(ranked)[:k])) / len(relevant)


def precision_at_k(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Share of the top k that is relevant (always divided by k)."""
    return len(relevant.intersection(list(ranked)[:k])) / k if k > 0 else 0.0


def gini(counts: Sequence[float] | np.ndarray) -> float:
    """Gini coefficient of exposure (0 = every item equally exposed, 1 = one item only)."""
    x = np.sort(np.asarray(counts, dtype=np.float64))
    n = len(x)
    if n == 0 or x.sum() == 0:
        return 0.0
    cum = np.cumsum(x)
    return float((n + 1 - 2 * np.sum(cum) / cum[-1]) / n)


def paired_bootstrap(
    a: np.ndarray, b: np.ndarray, n_boot: int = 2000, level: float = 0.95, seed: int = 0
) -> tuple[float, float, float]:
    """Mean of ``a - b`` over paired lists and its bootstrap interval at ``level``.

    The lists are resampled with replacement; an interval that excludes 0 says the
    difference is larger than the luck of which lists happen to be in the holdout."""
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    if not len(d):
        return 0.0, 0.0, 0.0
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, len(d), (n_boot, len(d)))].mean(axis=1)
    tail = 100.0 * (1.0 - level) / 2.0
    lo, hi = np.percentile(means, [tail, 100.0 - tail])
    return float(d.mean()), float(lo), float(hi)


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve: the chance that a random positive scores above a random
    negative (ties count half); NaN without both classes."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels).astype(bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    finite = np.isfinite(s)
    s = np.where(finite, s, (s[finite].min() - 1.0) if finite.any() else 0.0)
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    # average ranks over ties
    starts = np.flatnonzero(np.r_[True, sorted_s[1:] != sorted_s[:-1]])
    ends = np.r_[starts[1:], len(s)]
    avg = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(avg, ends - starts)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def bootstrap_mean(
    values: np.ndarray, n_boot: int = 2000, level: float = 0.95, seed: int = 0
) -> tuple[float, float, float]:
    """Mean of ``values`` (NaN left out) and its bootstrap interval at ``level``."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if not len(v):
        return float("nan"), float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, len(v), (n_boot, len(v)))].mean(axis=1)
    tail = 100.0 * (1.0 - level) / 2.0
    lo, hi = np.percentile(means, [tail, 100.0 - tail])
    return float(v.mean()), float(lo), float(hi)
