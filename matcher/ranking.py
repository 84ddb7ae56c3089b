"""Top-k ranking over scored blocks, for one id or a batch, from either side."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

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


@dataclass
class RankStats:
    """What a batch run scored: ``pairs`` school×partner pairs in its shape, ``scored``
    pairs the compiled pass looked at (candidates), ``feasible`` pairs that passed every
    hard filter (radius, level, capacity, exclusions)."""

    schools: int = 0
    pairs: int = 0
    scored: int = 0
    feasible: int = 0


# The circle test keeps a margin so that it never drops a partner the exact per-pair
# test keeps: that test (the compiled pass, whynot.reach) compares float32 squared chords
# (MatchIndex.p_rad2), which lets a partner reach up to 3e-8 of its radius beyond it (1 cm
# at 400 km), and float64 rounds distances near zero by up to 1e-4 km. 10 m plus 1e-4 of
# the radius covers both many times over, in a ring too thin to add candidates that
# matter.
_SLACK_KM = 0.01
_SLACK_SHARE = 1e-4


def may_reach(
    index: MatchIndex, s_rows: np.ndarray, p_rows: np.ndarray | None = None
) -> np.ndarray:
    """Mask over ``p_rows`` (default: every partner) of the partners that may reach at
    least one of ``s_rows``: serving one of the schools' levels, and online or with a
    service radius reaching the schools' bounding circle.

    Never fewer than the partners that reach one of them (a superset, by a thin margin),
    so an exact test of each pair afterwards sees every pair that passes: the output is
    the same as without this test; only the work is less. Capacity is the caller's."""
    key = "may_reach"
    if key not in index.cache:  # per-partner arrays, once per index
        # as the exact test reads them: no coordinates is the zero vector (far from
        # everything); online reaches anywhere, and so does a radius that is not a number
        anywhere = index.p_online | ~np.isfinite(index.p_radius)
        radius = np.where(anywhere, np.inf, index.p_radius)
        index.cache[key] = (np.nan_to_num(index.p_xyz), radius * (1 + _SLACK_SHARE) + _SLACK_KM)
    pxyz, reach_km = index.cache[key]
    bits = index.p_level_bits
    if p_rows is not None:
        pxyz, reach_km, bits = pxyz[p_rows], reach_km[p_rows], bits[p_rows]
    levels = np.bitwise_or.reduce(np.left_shift(np.int64(1), index.s_level[s_rows]))
    ok = (bits & levels) != 0
    xyz = index.s_xyz[s_rows]
    centre = xyz.mean(axis=0)
    norm = float(np.linalg.norm(centre))
    if np.isfinite(norm) and norm >= 0.5:  # else the schools spread over a hemisphere
        centre = centre / norm
        spread = float(distance_block(centre[None, :], xyz).max())
        ok &= distance_block(centre[None, :], pxyz)[0] <= reach_km + spread
    return ok


def candidate_partners(
    index: MatchIndex, s_rows: np.ndarray, partners: np.ndarray | None = None
) -> np.ndarray:
    """Partners that may be feasible for at least one of ``s_rows``, as sorted rows:
    with capacity left and :func:`may_reach` (and, if given, in the mask ``partners``).
    Exact: every feasible pair's partner is among them (the compiled pass then checks
    each pair), so unreachable partners are never scored."""
    ok = index.p_capacity_left > 0
    if partners is not None:
        ok = ok & partners
    return np.flatnonzero(ok & may_reach(index, s_rows))


def spatial_order(index: MatchIndex, s_rows: np.ndarray, bits: int = 16) -> np.ndarray:
    """``s_rows`` along a Z-order (Morton) curve over latitude and longitude, so
    consecutive chunks are compact in both directions and their candidates few (on a
    national world of 10,000 schools: 38% of the pairs scored, against 59% for rows of
    grid cells)."""
    lat = index.schools["latitude"].to_numpy(dtype=np.float64)[s_rows]
    lon = index.schools["longitude"].to_numpy(dtype=np.float64)[s_rows]
    top = (1 << bits) - 1
    y = np.clip(((lat + 90.0) / 180.0 * top).astype(np.int64), 0, top)
    x = np.clip(((lon + 180.0) / 360.0 * top).astype(np.int64), 0, top)
    code = np.zeros(len(s_rows), dtype=np.int64)
    for b in range(bits):  # interleave the bits of x and y
        code |= ((x >> b) & 1) << (2 * b) | ((y >> b) & 1) << (2 * b + 1)
    return s_rows[np.argsort(code, kind="stable")]


def rank_batch(
    model: MatchModel,
    index: MatchIndex,
    school_rows: np.ndarray,
    k: int,
    chunk: int = 128,
    progress: Callable[[int], None] | None = None,
    blocking: bool = True,
    stats: RankStats | None = None,
    threads: int | None = None,
    partners: np.ndarray | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Top-k partners for many schools, chunk by chunk so memory stays bounded.

    Yields ``(school_rows, partner_idx, scores)`` per chunk, in order, ``partner_idx``
    being (chunk × k) with -1 where fewer than k partners are feasible. With
    ``blocking``, schools are taken in a spatial order and each chunk is scored only
    against its :func:`candidate_partners` (the result is the same; the work is less).
    ``stats``, if given, counts the pairs scored and feasible. ``partners``, a mask
    over every partner, ranks among those partners only (an allocation's second look
    for the schools left out, among the partners with room left).

    Chunks are ranked by ``threads`` threads (default: one per core), each running its
    chunk's matrix products and compiled pass alone; BLAS is held to one thread per
    call meanwhile, since a multi-threaded BLAS on these thin products spends its time
    in synchronisation (measured 50× slower on a busy 2-core machine).
    """
    ordered = spatial_order(index, school_rows) if blocking else school_rows
    chunks = [ordered[i : i + chunk] for i in range(0, len(ordered), chunk)]
    threads = max(1, threads or os.cpu_count() or 1)

    def run(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
        p_rows: np.ndarray | None
        if blocking:
            p_rows = candidate_partners(index, rows, partners)
        else:
            p_rows = None if partners is None else np.flatnonzero(partners)
        feasible = np.zeros(len(rows), dtype=np.int64)
        local, scores = model.top_k_block(index, rows, p_rows, k, feasible, parallel=False)
        safe = np.where(local >= 0, local, 0)
        idx = np.where(local >= 0, safe if p_rows is None else p_rows[safe], -1)
        n_cand = index.n_partners if p_rows is None else len(p_rows)
        return rows, idx, np.where(local >= 0, scores, np.nan), n_cand, int(feasible.sum())

    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(threads) as pool:
        pending: deque[Future] = deque()
        for i in range(len(chunks) + 2 * threads):
            if i < len(chunks):
                pending.append(pool.submit(run, chunks[i]))
            if i < 2 * threads or not pending:
                continue
            rows, idx, scores, n_cand, n_feasible = pending.popleft().result()
            if stats is not None:
                stats.schools += len(rows)
                stats.pairs += len(rows) * index.n_partners
                stats.scored += len(rows) * n_cand
                stats.feasible += n_feasible
            yield rows, idx, scores
            if progress:
                progress(len(rows))
