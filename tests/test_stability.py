"""Blocking pairs and deferred acceptance on markets whose answer is known."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.stability import blocking_pairs, deferred_acceptance, preference_ranks


def brute_force_blocking(s_idx, p_idx, s_rank, p_rank, chosen, s_cap, p_cap) -> int:
    """The definition, pair by pair: both sides have room or hold someone worse."""
    n = 0
    for e in range(len(s_idx)):
        if chosen[e]:
            continue
        s, p = s_idx[e], p_idx[e]
        s_held = [s_rank[f] for f in range(len(s_idx)) if chosen[f] and s_idx[f] == s]
        p_held = [p_rank[f] for f in range(len(s_idx)) if chosen[f] and p_idx[f] == p]
        s_wants = len(s_held) < s_cap[s] or any(r > s_rank[e] for r in s_held)
        p_wants = len(p_held) < p_cap[p] or any(r > p_rank[e] for r in p_held)
        n += s_wants and p_wants
    return n


# Two schools (A=0, B=1), two partners (X=0, Y=1), all four pairs acceptable.
# Both schools prefer X; X prefers B, Y prefers A.
S_IDX = np.array([0, 0, 1, 1])  # A-X, A-Y, B-X, B-Y
P_IDX = np.array([0, 1, 0, 1])
S_RANK = np.array([0, 1, 0, 1])
P_RANK = np.array([1, 0, 0, 1])


def test_known_market_blocking_pairs() -> None:
    one = np.ones(2, dtype=np.int64)
    # A-X and B-Y: B and X both prefer each other
    assert (
        blocking_pairs(S_IDX, P_IDX, S_RANK, P_RANK, np.array([1, 0, 0, 1], bool), one, one).sum()
        == 1
    )
    # A-Y and B-X is stable
    assert (
        blocking_pairs(S_IDX, P_IDX, S_RANK, P_RANK, np.array([0, 1, 1, 0], bool), one, one).sum()
        == 0
    )
    # nobody assigned: every pair blocks (both have room)
    assert blocking_pairs(S_IDX, P_IDX, S_RANK, P_RANK, np.zeros(4, bool), one, one).sum() == 4


def test_capacity_counts_as_room() -> None:
    # A can take two partners; only A-Y is assigned: A-X blocks (both have room), and
    # B-X blocks (B has nothing, X has room); B-Y does not (Y is full and prefers A)
    chosen = np.array([0, 1, 0, 0], bool)
    mask = blocking_pairs(S_IDX, P_IDX, S_RANK, P_RANK, chosen, np.array([2, 1]), np.array([1, 1]))
    assert mask.tolist() == [True, False, True, False]


def test_deferred_acceptance_on_known_market() -> None:
    one = np.ones(2, dtype=np.int64)
    chosen = deferred_acceptance(S_IDX, P_IDX, S_RANK, P_RANK, one, one)
    assert chosen.tolist() == [False, True, True, False]  # A-Y, B-X


def test_preference_ranks_order_and_ties() -> None:
    group = np.array([0, 0, 0, 1, 1])
    value = np.array([0.5, 0.9, 0.5, 0.1, 0.2])
    tie = np.array([0.1, 0.0, 0.3, 0.0, 0.0])
    assert preference_ranks(group, value, tie).tolist() == [2, 0, 1, 1, 0]


@st.composite
def markets(draw):
    n_s, n_p = draw(st.integers(1, 8)), draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    s_idx, p_idx = np.nonzero(rng.random((n_s, n_p)) < draw(st.floats(0.2, 1.0)))
    s_rank = preference_ranks(s_idx, rng.random(len(s_idx)), np.zeros(len(s_idx)))
    p_rank = preference_ranks(p_idx, rng.random(len(s_idx)), np.zeros(len(s_idx)))
    return s_idx, p_idx, s_rank, p_rank, rng.integers(0, 4, n_s), rng.integers(0, 4, n_p)


@settings(max_examples=200, deadline=None)
@given(markets())
def test_deferred_acceptance_is_stable_and_within_capacity(mkt) -> None:
    s_idx, p_idx, s_rank, p_rank, s_cap, p_cap = mkt
    chosen = deferred_acceptance(s_idx, p_idx, s_rank, p_rank, s_cap, p_cap)
    assert (np.bincount(s_idx[chosen], minlength=len(s_cap)) <= s_cap).all()
    assert (np.bincount(p_idx[chosen], minlength=len(p_cap)) <= p_cap).all()
    assert blocking_pairs(s_idx, p_idx, s_rank, p_rank, chosen, s_cap, p_cap).sum() == 0


@settings(max_examples=200, deadline=None)
@given(markets(), st.integers(0, 2**31 - 1))
def test_blocking_pairs_match_the_definition(mkt, seed) -> None:
    s_idx, p_idx, s_rank, p_rank, s_cap, p_cap = mkt
    chosen = np.random.default_rng(seed).random(len(s_idx)) < 0.4
    got = blocking_pairs(s_idx, p_idx, s_rank, p_rank, chosen, s_cap, p_cap).sum()
    assert got == brute_force_blocking(s_idx, p_idx, s_rank, p_rank, chosen, s_cap, p_cap)
