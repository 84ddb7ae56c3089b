"""Top-k ranking over scored blocks, for one id or a batch, from either side."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from matcher.geo import distance_block
from matcher.index import MatchIndex
from matcher.model import Block, MatchModel


@dataclass
class Ranked:
    """Top-k of one row: column indices into the other side, best first, and scores."""

    rows: np.ndarray
    scores: np.ndarray
    forward: np.ndarray
    backward: np.ndarray


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
    )


def recommend_partners(model: MatchModel, index: MatchIndex, school_row: int, k: int) -> Ranked:
    """The k best feasible partners for one school."""
    idx, scores = model.top_k_block(index, np.array([school_row]), None, k)
    cols = idx[0][idx[0] >= 0]
    fw = index.s_need_n[school_row] @ index.p_offer_n[cols].T
    bw = index.s_offer_n[school_row] @ index.p_need_n[cols].T
    return Ranked(rows=cols, scores=scores[0][: len(cols)], forward=fw, backward=bw)


def recommend_schools(model: MatchModel, index: MatchIndex, partner_row: int, k: int) -> Ranked:
    """The k best feasible schools for one partner (the other side of the market)."""
    best: list[tuple[np.ndarray, np.ndarray]] = []
    p = np.array([partner_row])
    for start in range(0, index.n_schools, 8192):
        s_rows = np.arange(start, min(start + 8192, index.n_schools))
        b = model.score_block(index, s_rows, p, viewer="partner")
        col = b.score[:, 0]
        keep = top_k(col[None, :], k)[0]
        keep = keep[keep >= 0]
        best.append((s_rows[keep], col[keep]))
    if not best:
        empty = np.zeros(0)
        return Ranked(empty.astype(np.int64), empty, empty, empty)
    rows = np.concatenate([b[0] for b in best])
    scores = np.concatenate([b[1] for b in best])
    order = np.lexsort((rows, -scores))[:k]
    rows = rows[order]
    fb = model.score_pairs(index, rows, np.full(len(rows), partner_row), viewer="partner")
    return Ranked(rows, fb.score, fb.forward, fb.backward)


def reachable_partners(index: MatchIndex, s_rows: np.ndarray) -> np.ndarray | None:
    """Partners that can reach at least one of ``s_rows``: online ones, and those whose
    service radius reaches the schools' bounding circle. None means "all of them" (when
    blocking would not prune much). Geographic blocking for batch ranking: only these
    pairs are scored."""
    xyz = index.s_xyz[s_rows]
    centre = xyz.mean(axis=0)
    norm = np.linalg.norm(centre)
    if not np.isfinite(norm) or norm < 0.5:  # schools spread over a hemisphere
        return None
    centre = centre / norm
    spread = float(distance_block(centre[None, :], xyz).max())
    d = distance_block(centre[None, :], index.p_xyz)[0]
    with np.errstate(invalid="ignore"):
        ok = index.p_online | (d <= index.p_radius + spread)
    if ok.mean() > 0.8:
        return None
    return np.flatnonzero(ok)


def spatial_order(index: MatchIndex, s_rows: np.ndarray, cell_deg: float = 0.5) -> np.ndarray:
    """``s_rows`` sorted by a coarse grid cell, so chunks are geographically compact."""
    lat = index.schools["latitude"].to_numpy()[s_rows]
    lon = index.schools["longitude"].to_numpy()[s_rows]
    cy = np.floor((lat + 90) / cell_deg).astype(np.int64)
    cx = np.floor((lon + 180) / cell_deg).astype(np.int64)
    # serpentine rows keep neighbouring cells in neighbouring chunks
    cx = np.where(cy % 2 == 0, cx, 10_000 - cx)
    return s_rows[np.lexsort((lon, cx, cy))]


def rank_batch(
    model: MatchModel,
    index: MatchIndex,
    school_rows: np.ndarray,
    k: int,
    chunk: int = 512,
    progress: Callable[[int], None] | None = None,
    blocking: bool = True,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Top-k partners for many schools, chunk by chunk so memory stays bounded.

    Yields ``(school_rows, partner_idx, scores)`` per chunk, ``partner_idx`` being
    (chunk × k) with -1 where fewer than k partners are feasible. With ``blocking``,
    schools are taken in a spatial order and each chunk is scored only against the
    partners that can reach it (the result is the same; the work is less).
    """
    ordered = spatial_order(index, school_rows) if blocking else school_rows
    for start in range(0, len(ordered), chunk):
        rows = ordered[start : start + chunk]
        p_rows = reachable_partners(index, rows) if blocking else None
        local, scores = model.top_k_block(index, rows, p_rows, k)
        safe = np.where(local >= 0, local, 0)
        idx = np.where(local >= 0, safe if p_rows is None else p_rows[safe], -1)
        yield rows, idx, np.where(local >= 0, scores, np.nan)
        if progress:
            progress(len(rows))
