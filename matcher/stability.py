"""Stability of an assignment in a two-sided market with capacities on both sides.

A school and a partner form a *blocking pair* when both would rather be together than
keep what the assignment gave them: each has a free place, or holds someone it likes
less. An assignment without blocking pairs is stable — nobody has a reason to walk
away together. Deferred acceptance (Gale–Shapley, schools proposing, many-to-many)
finds one.

Why our own deferred acceptance and not the ``matching`` library (which installs from
the mirror): its hospital–resident game is many-to-one, while here schools also take up
to their capacity of partners, and it builds one Python object per player and per
preference, which for a province (tens of thousands of schools, half a million
candidate pairs) is slow. Here every round is a few sorts over all pending pairs.

Preferences are over the candidate pairs only (the partners the solver may choose
among), given as ranks: 0 is a side's favourite.
"""

from __future__ import annotations

import numpy as np


def preference_ranks(group: np.ndarray, value: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """Rank of each pair within its ``group`` (0 = best): higher ``value`` first, then
    higher ``tie``, then lower position (a strict order, as deferred acceptance needs)."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((np.arange(n), -np.asarray(tie), -np.asarray(value), group))
    g = group[order]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    lengths = np.diff(np.r_[starts, n])
    pos = np.arange(n) - np.repeat(starts, lengths)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = pos
    return rank


def _rank_in_group(group: np.ndarray) -> np.ndarray:
    """Position of each element within its run of equal ``group`` values (sorted)."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(group[1:] != group[:-1]) + 1]
    return np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))


def blocking_pairs(
    s_idx: np.ndarray,
    p_idx: np.ndarray,
    s_rank: np.ndarray,
    p_rank: np.ndarray,
    chosen: np.ndarray,
    s_cap: np.ndarray,
    p_cap: np.ndarray,
) -> np.ndarray:
    """Mask of the candidate pairs that block ``chosen``: not chosen, and each side has
    a free place or holds a pair it ranks worse."""
    chosen = np.asarray(chosen, dtype=bool)
    wants = []
    for idx, rank, cap in ((s_idx, s_rank, s_cap), (p_idx, p_rank, p_cap)):
        held = np.bincount(idx[chosen], minlength=len(cap))
        worst = np.full(len(cap), -1, dtype=np.int64)
        np.maximum.at(worst, idx[chosen], rank[chosen])
        wants.append((held[idx] < cap[idx]) | (rank < worst[idx]))
    return ~chosen & wants[0] & wants[1]


def deferred_acceptance(
    s_idx: np.ndarray,
    p_idx: np.ndarray,
    s_rank: np.ndarray,
    p_rank: np.ndarray,
    s_cap: np.ndarray,
    p_cap: np.ndarray,
) -> np.ndarray:
    """School-proposing deferred acceptance with capacities on both sides.

    Each round every school with free places proposes to its next best partners (as
    many as it has free places); each partner keeps the best proposals up to its
    capacity among those it holds and the new ones, and rejects the rest. It ends when
    no school proposes; the result has no blocking pair (see :func:`blocking_pairs`).
    Returns a boolean mask of chosen pairs.
    """
    n, n_s = len(s_idx), len(s_cap)
    held = np.zeros(n, dtype=bool)
    if n == 0:
        return held
    s_cap = np.maximum(np.asarray(s_cap, dtype=np.int64), 0)
    p_cap = np.maximum(np.asarray(p_cap, dtype=np.int64), 0)
    order = np.lexsort((s_rank, s_idx))  # each school's list, best first
    by_s = s_idx[order]
    schools = np.arange(n_s)
    ptr = np.searchsorted(by_s, schools, side="left")
    end = np.searchsorted(by_s, schools, side="right")
    held_count = np.zeros(n_s, dtype=np.int64)
    while True:
        want = np.minimum(np.maximum(s_cap - held_count, 0), end - ptr)
        active = np.flatnonzero(want > 0)
        if not len(active):
            return held
        cnt = want[active]
        first = np.repeat(ptr[active], cnt)
        offset = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        new = order[first + offset]
        ptr[active] += cnt
        touched = np.zeros(len(p_cap), dtype=bool)
        touched[p_idx[new]] = True
        pending = np.concatenate([np.flatnonzero(held & touched[p_idx]), new])
        o = np.lexsort((p_rank[pending], p_idx[pending]))
        pending = pending[o]
        keep = _rank_in_group(p_idx[pending]) < p_cap[p_idx[pending]]
        held[pending] = keep
        held_count = np.bincount(s_idx[held], minlength=n_s)
