"""Partnership histories simulated from the latent sides: who proposes to whom, who
accepts, who follows through, how it ends and how both sides rate it.

Every school makes a number of proposals (more when engaged, fewer when it joined late)
and picks whom to ask by ``behaviour.propose_utility`` over its options: every partner
when the world is small enough (``DENSE_PAIRS``), else a sample of the partners near it
and online. The asked partner then answers by its own gain and by how many proposals it
received against its capacity; the rest follows the chain in ``behaviour``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .behaviour import (
    RATING_MISSING,
    SLOT_TURNS,
    Pairs,
    p_accept_answered,
    p_answer,
    p_complete,
    p_follow,
    p_good,
    pair_terms,
    propose_utility,
    quality,
)
from .common import (
    LAT_RANGE,
    LON_RANGE,
    PERIOD_DAYS,
    BoolArray,
    FloatArray,
    IntArray,
    Side,
    haversine,
)
from .world import World

DENSE_PAIRS = 4_000_000  # up to this many pairs every school considers every partner
_GRID = 0.25  # degrees per spatial cell used to find schools near a partner
_SPARSE_OPTIONS = 12.0  # options per proposal when they are sampled


def _candidates(
    rng: np.random.Generator, s: Side, p: Side, n_cand: IntArray
) -> tuple[IntArray, IntArray]:
    """Candidate (school, partner) pairs, mostly among reachable pairs.

    Local partners draw schools from grid cells within about 1.3 times their radius and
    keep those within the radius (plus a few beyond, and a few at a level they do not
    serve); online partners draw half near home and half anywhere.
    """
    assert p.radius is not None and p.online is not None
    ix = np.floor((s.lat - LAT_RANGE[0]) / _GRID).astype(np.int64)
    iy = np.floor((s.lon - LON_RANGE[0]) / _GRID).astype(np.int64)
    key = ix * 1000 + iy
    order = np.argsort(key, kind="stable")
    ukeys, starts, counts = np.unique(key[order], return_index=True, return_counts=True)
    level_bit = np.left_shift(1, s.level)
    n_s = len(s.lat)
    out_s: list[IntArray] = []
    out_p: list[IntArray] = []
    for j in np.flatnonzero(n_cand > 0).tolist():
        k = int(n_cand[j])
        m = 3 * k + 4
        has_xy = not np.isnan(p.lat[j])
        local = np.empty(0, dtype=np.int64)
        if has_xy:
            r = float(p.radius[j])
            span = int(np.ceil(r * 1.3 / 111.0 / _GRID))
            pix = int(np.floor((p.lat[j] - LAT_RANGE[0]) / _GRID))
            piy = int(np.floor((p.lon[j] - LON_RANGE[0]) / _GRID))
            dx = np.arange(-span, span + 1)
            nk = ((pix + dx)[:, None] * 1000 + (piy + dx)[None, :]).ravel()
            pos = np.clip(np.searchsorted(ukeys, nk), 0, len(ukeys) - 1)
            cells = pos[ukeys[pos] == nk]
            if len(cells):
                c = counts[cells].astype(np.float64)
                cell = cells[rng.choice(len(cells), size=m, p=c / c.sum())]
                off = (rng.random(m) * counts[cell]).astype(np.int64)
                local = order[starts[cell] + off]
                d = haversine(
                    s.lat[local], s.lon[local], np.full(m, p.lat[j]), np.full(m, p.lon[j])
                )
                near = d <= r if not p.online[j] else d <= 3 * r
                local = local[near | (rng.random(m) < 0.07)]
        if p.online[j] or not has_xy:
            far = rng.integers(0, n_s, size=m)
            draw = np.concatenate([local[: m // 2], far]) if len(local) else far
        else:
            draw = local
        if not len(draw):
            continue
        lv = int(p.level[j])
        if lv:
            ok = ((level_bit[draw] & lv) != 0) | (rng.random(len(draw)) < 0.03)
            draw = draw[ok]
        _, first = np.unique(draw, return_index=True)
        draw = draw[np.sort(first)][:k]
        out_s.append(draw)
        out_p.append(np.full(len(draw), j, dtype=np.int64))
    if not out_s:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(out_s).astype(np.int64), np.concatenate(out_p)


def _growth_days(rng: np.random.Generator, lo: FloatArray) -> FloatArray:
    """Days in [lo, PERIOD) with a density rising over time (the platform grows)."""
    c = 2.0
    u = rng.random(len(lo))
    x = -c + np.sqrt(c * c + 2 * (c + 0.5) * u)
    return lo + (PERIOD_DAYS - lo) * x


def _options(rng: np.random.Generator, s: Side, p: Side, world: World) -> tuple[IntArray, IntArray]:
    """The (school, partner) pairs schools choose their proposals from."""
    assert p.capacity is not None
    n_s, n_p = len(s.lat), len(p.lat)
    if n_s * n_p <= DENSE_PAIRS:
        si = np.repeat(np.arange(n_s, dtype=np.int64), n_p)
        pj = np.tile(np.arange(n_p, dtype=np.int64), n_s)
        return si, pj
    # large worlds: a sample of schools near each partner (and anywhere for online ones),
    # as many per partner as its capacity suggests, never by fame
    base = np.sqrt(p.capacity) * (1.0 - p.join / PERIOD_DAYS)
    total = _SPARSE_OPTIONS * world.proposals * n_s
    n_cand = rng.poisson(total * base / base.sum()).astype(np.int64)
    return _candidates(rng, s, p, n_cand)


def _choose(rng: np.random.Generator, s: Side, p: Side, x: Pairs, world: World) -> IntArray:
    """Indices into ``x`` of the pairs proposed: per school, its number of proposals
    drawn without replacement by ``propose_utility`` (Gumbel top-k)."""
    assert p.fame is not None
    n_s = len(s.lat)
    active = 1.0 - s.join / PERIOD_DAYS
    w = (0.4 + s.latent) * active
    k = rng.poisson(world.proposals * w / w.mean()).astype(np.int64)
    key = propose_utility(x, p.fame, world) + rng.gumbel(size=len(x.si))
    order = np.lexsort((-key, x.si))
    school = x.si[order]
    start = np.searchsorted(school, np.arange(n_s))
    rank = np.arange(len(order)) - start[school]
    return np.sort(order[rank < k[school]])


def _subset(x: Pairs, idx: IntArray) -> Pairs:
    return Pairs(**{f: getattr(x, f)[idx] for f in x.__dataclass_fields__})


def all_pairs(s: Side, p: Side) -> Pairs | None:
    """Terms of every pair, school by school, when the world is small enough to hold them
    (``DENSE_PAIRS``); ``None`` otherwise."""
    n_s, n_p = len(s.lat), len(p.lat)
    if n_s * n_p > DENSE_PAIRS:
        return None
    si = np.repeat(np.arange(n_s, dtype=np.int64), n_p)
    pj = np.tile(np.arange(n_p, dtype=np.int64), n_s)
    return pair_terms(s, p, si, pj)


def simulate_outcomes(
    rng: np.random.Generator, s: Side, p: Side, world: World, dense: Pairs | None = None
) -> pd.DataFrame:
    """Partnership histories: proposed, accepted or declined, active, then an end.

    ``dense``: ``all_pairs(s, p)`` when the caller has it already.
    """
    assert p.capacity is not None
    if dense is None:
        si, pj = _options(rng, s, p, world)
        dense = pair_terms(s, p, si, pj)
    x = _subset(dense, _choose(rng, s, p, dense, world))
    received = np.bincount(x.pj, minlength=len(p.lat)).astype(np.float64)
    busy = received / (p.capacity * SLOT_TURNS)
    idx = np.arange(len(x.si))
    lo = np.maximum(s.join[x.si], p.join[x.pj])
    t0 = _growth_days(rng, lo)

    frames = []
    runs = [(idx, t0)]
    for rnd in range(2):
        idx, t0 = runs[rnd]
        ev, renew_idx, renew_t = _run_stages(rng, idx, t0, x, busy[x.pj])
        frames.append(ev)
        if rnd == 0:
            runs.append((renew_idx, renew_t))
    events = pd.concat(frames, ignore_index=True)
    events = events[events["day"] < PERIOD_DAYS + 1]
    events = events.sort_values(["day", "s", "p", "stage"], kind="stable").reset_index(drop=True)
    return events


def _ratings(rng: np.random.Generator, q: FloatArray, completed: BoolArray) -> FloatArray:
    """One side's ratings: 4-5 with ``p_good`` when completed (5 more often when the
    quality is high), lower when ended early; some left blank."""
    k = len(q)
    u = rng.random((k, 3))
    good = u[:, 0] < p_good(q)
    high = np.where(u[:, 1] < np.clip(2.0 * q - 0.9, 0.05, 0.95), 5.0, 4.0)
    low = np.where(u[:, 1] < 0.6, 3.0, np.where(u[:, 1] < 0.9, 2.0, 1.0))
    early = np.clip(np.round(0.6 + 3.2 * q + rng.normal(0, 0.5, k)), 1, 5)
    r = np.where(completed, np.where(good, high, low), early)
    r[u[:, 2] < RATING_MISSING] = np.nan
    return r


def _run_stages(
    rng: np.random.Generator,
    idx: IntArray,
    t0: FloatArray,
    x: Pairs,
    busy: FloatArray,
) -> tuple[pd.DataFrame, IntArray, FloatArray]:
    """Simulate one partnership attempt per proposal index, starting on day ``t0``."""
    k = len(idx)
    y = _subset(x, idx)
    answered = rng.random(k) < p_answer(y)
    accepted = answered & (rng.random(k) < p_accept_answered(y, busy[idx]))
    follow = accepted & (rng.random(k) < p_follow(y))
    q_s, q_p, q = quality(y)
    completed = follow & (rng.random(k) < p_complete(q))
    ended = follow & ~completed
    t1 = t0 + 1 + np.floor(rng.exponential(8.0, k))
    t2 = t1 + 1 + np.floor(rng.exponential(18.0, k))
    dur = rng.uniform(90, 330, k)
    t3 = t2 + np.where(completed, dur, np.maximum(dur * rng.uniform(0.12, 0.7, k), 10))
    sr = _ratings(rng, q_s, completed)
    pr = _ratings(rng, q_p, completed)
    nan = np.full(k, np.nan)
    parts = [
        (np.ones(k, bool), np.floor(t0), "proposed", 0, nan, nan),
        (accepted, t1, "accepted", 1, nan, nan),
        (answered & ~accepted, t1, "declined", 1, nan, nan),
        (follow, t2, "active", 2, nan, nan),
        (completed, np.floor(t3), "completed", 3, sr, pr),
        (ended, np.floor(t3), "ended_early", 3, sr, pr),
    ]
    frames = []
    for mask, day, status, stage, a, b in parts:
        frames.append(
            pd.DataFrame(
                {
                    "s": y.si[mask],
                    "p": y.pj[mask],
                    "status": status,
                    "stage": stage,
                    "day": day[mask],
                    "school_rating": a[mask],
                    "partner_rating": b[mask],
                }
            )
        )
    ok = completed & ~(sr < 4) & ~(pr < 4)
    renew = ok & (rng.random(k) < 0.3)
    renew_t = np.floor(t3[renew] + 15 + rng.exponential(45.0, int(renew.sum())))
    return pd.concat(frames, ignore_index=True), idx[renew], renew_t
