"""Top-k ranking over scored blocks, for one id or a batch, from either side."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from matcher.index import MatchIndex
from matcher.model import Block, MatchModel


@dataclass
class Ranked:
    """Top-k of one row: column indices into the other side, best first, and scores."""

    rows: np.ndarray
    scores: np.ndarray
    forward: np.ndarray
    backward: np.ndarray
    distance: np.ndarray


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best finite scores per row, best first (ties by index), as
    a ragged-free (n × k') array padded with -1 where fewer than k are feasible."""
    n, m = scores.shape
    k = min(k, m)
    if k <= 0:
        return np.zeros((n, 0), dtype=np.int64)
    if k < m:
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    else:
        part = np.broadcast_to(np.arange(m), (n, m)).copy()
    vals = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -vals), axis=1)
    idx = np.take_along_axis(part, order, axis=1)
    finite = np.isfinite(np.take_along_axis(vals, order, axis=1))
    return np.where(finite, idx, -1)


def _ranked(block: Block, idx: np.ndarray, r: int) -> Ranked:
    cols = idx[r][idx[r] >= 0]
    return Ranked(
        rows=cols,
        scores=block.score[r, cols],
        forward=block.forward[r, cols],
        backward=block.backward[r, cols],
        distance=block.distance[r, cols],
    )


def recommend_partners(model: MatchModel, index: MatchIndex, school_row: int, k: int) -> Ranked:
    """The k best feasible partners for one school."""
    block = model.score_block(index, np.array([school_row]))
    return _ranked(block, top_k(block.score, k), 0)


def recommend_schools(model: MatchModel, index: MatchIndex, partner_row: int, k: int) -> Ranked:
    """The k best feasible schools for one partner (the other side of the market)."""
    best: list[tuple[np.ndarray, np.ndarray]] = []
    p = np.array([partner_row])
    for start in range(0, index.n_schools, 8192):
        s_rows = np.arange(start, min(start + 8192, index.n_schools))
        b = model.score_block(index, s_rows, p)
        col = b.score[:, 0]
        keep = top_k(col[None, :], k)[0]
        keep = keep[keep >= 0]
        best.append((s_rows[keep], col[keep]))
    if not best:
        empty = np.zeros(0)
        return Ranked(empty.astype(np.int64), empty, empty, empty, empty)
    rows = np.concatenate([b[0] for b in best])
    scores = np.concatenate([b[1] for b in best])
    order = np.lexsort((rows, -scores))[:k]
    rows = rows[order]
    fb = model.score_pairs(index, rows, np.full(len(rows), partner_row))
    return Ranked(rows, fb.score, fb.forward, fb.backward, fb.distance)


def rank_batch(
    model: MatchModel,
    index: MatchIndex,
    school_rows: np.ndarray,
    k: int,
    chunk: int = 512,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Top-k partners for many schools, chunk by chunk so memory stays bounded.

    Yields ``(school_rows, partner_idx, scores)`` per chunk, ``partner_idx`` being
    (chunk × k) with -1 where fewer than k partners are feasible.
    """
    for start in range(0, len(school_rows), chunk):
        rows = school_rows[start : start + chunk]
        block = model.score_block(index, rows)
        idx = top_k(block.score, k)
        safe = np.where(idx >= 0, idx, 0)
        yield rows, idx, np.where(idx >= 0, np.take_along_axis(block.score, safe, axis=1), np.nan)
        if progress:
            progress(len(rows))
