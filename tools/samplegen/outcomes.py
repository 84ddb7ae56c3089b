"""Partnership histories simulated from the latent sides: who is proposed to, who accepts,
who follows through, how it ends and how both sides rate it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import (
    LAT_RANGE,
    LON_RANGE,
    PERIOD_DAYS,
    BoolArray,
    FloatArray,
    IntArray,
    Side,
    haversine,
    popcount,
    sigmoid,
)
from .tables import CODES, N_CODES, TO_PARTNER

_GRID = 0.25  # degrees per spatial cell used to find schools near a partner


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


def _fit(s: Side, p: Side, si: IntArray, pj: IntArray) -> tuple[FloatArray, FloatArray]:
    """Two-way fit of pairs in [0, 1].

    Forward: share of the school's true needs (up to three) the partner offers. Backward:
    mean satisfaction of the partner's needs by the school's listed offers, or implicitly
    by the school's profile (a needy school gives CSR impact, a large one visibility).
    """
    overlap = popcount(s.need[si] & p.offer[pj]).astype(np.float64)
    fs = np.clip(overlap / np.maximum(np.minimum(s.n_need[si], 3), 1), 0.0, 1.0)
    total = np.zeros(len(si))
    implicit = s.implicit or {}
    pneed = p.need[pj]
    soff = s.offer[si]
    for c in range(N_CODES):
        bit = np.uint64(c)
        wants = ((pneed >> bit) & np.uint64(1)).astype(bool)
        if not wants.any():
            continue
        sat = ((soff >> bit) & np.uint64(1)).astype(np.float64)
        if c in implicit:
            sat = np.maximum(sat, implicit[c][si])
        total += np.where(wants, sat, 0.0)
        # a partner that needs what the school also needs (both-way codes) can share it
        if CODES[c] not in TO_PARTNER:
            total += np.where(wants & (((s.need[si] >> bit) & np.uint64(1)) > 0), 0.3, 0.0)
    nn = p.n_need[pj]
    fp = np.where(nn > 0, np.clip(total / np.maximum(nn, 1), 0.0, 1.0), 0.6)
    return fs, fp


def _growth_days(rng: np.random.Generator, lo: FloatArray) -> FloatArray:
    """Days in [lo, PERIOD) with a density rising over time (the platform grows)."""
    c = 2.0
    u = rng.random(len(lo))
    x = -c + np.sqrt(c * c + 2 * (c + 0.5) * u)
    return lo + (PERIOD_DAYS - lo) * x


def simulate_outcomes(rng: np.random.Generator, s: Side, p: Side, target: float) -> pd.DataFrame:
    """Partnership histories: proposed, accepted or declined, active, then an end."""
    assert p.activity is not None and p.capacity is not None and p.radius is not None
    assert p.online is not None
    active_share = 1.0 - p.join / PERIOD_DAYS
    base = p.activity * np.sqrt(p.capacity) * active_share
    n_cand = rng.poisson(target * base / base.mean()).astype(np.int64)
    si, pj = _candidates(rng, s, p, n_cand)
    n = len(si)
    d = haversine(s.lat[si], s.lon[si], p.lat[pj], p.lon[pj])
    online = p.online[pj]
    radius = p.radius[pj]
    ratio = np.where(online | np.isnan(d), 0.3, np.nan_to_num(d, nan=0.0) / radius)
    reach = online | (ratio <= 1.0)
    lv = p.level[pj]
    lvl_ok = (lv == 0) | ((np.left_shift(1, s.level[si]) & lv) != 0)
    lang = (s.lang[si] & p.lang[pj]) != 0
    fs, fp = _fit(s, p, si, pj)
    rel = p.latent[pj]
    eng = s.latent[si]

    logit = -3.4 + 4.4 * fs + 1.8 * fp - 1.1 * np.minimum(ratio, 2.0) - 1.5 * ~lvl_ok
    proposed = rng.random(n) < sigmoid(logit + rng.normal(0, 0.5, n))
    idx = np.flatnonzero(proposed)
    lo = np.maximum(s.join[si[idx]], p.join[pj[idx]])
    t0 = _growth_days(rng, lo)

    frames = []
    runs = [(idx, t0)]
    for rnd in range(2):
        idx, t0 = runs[rnd]
        ev, renew_idx, renew_t = _run_stages(
            rng, idx, t0, si, pj, fs, fp, rel, eng, lang, reach, lvl_ok, ratio
        )
        frames.append(ev)
        if rnd == 0:
            runs.append((renew_idx, renew_t))
    events = pd.concat(frames, ignore_index=True)
    events = events[events["day"] < PERIOD_DAYS + 1]
    events = events.sort_values(["day", "s", "p", "stage"], kind="stable").reset_index(drop=True)
    return events


def _run_stages(
    rng: np.random.Generator,
    idx: IntArray,
    t0: FloatArray,
    si: IntArray,
    pj: IntArray,
    fs: FloatArray,
    fp: FloatArray,
    rel: FloatArray,
    eng: FloatArray,
    lang: BoolArray,
    reach: BoolArray,
    lvl_ok: BoolArray,
    ratio: FloatArray,
) -> tuple[pd.DataFrame, IntArray, FloatArray]:
    """Simulate one partnership attempt per pair index, starting on day ``t0``."""
    k = len(idx)
    f_s, f_p, r_, e_, l_ = fs[idx], fp[idx], rel[idx], eng[idx], lang[idx].astype(np.float64)
    # the partner (backward fit) and the school (forward fit) must both see a gain
    acc_logit = -1.9 + 3.2 * f_p + 1.6 * f_s + 0.9 * l_ - 1.5 * ~reach[idx] - 1.5 * ~lvl_ok[idx]
    accepted = rng.random(k) < sigmoid(acc_logit + rng.normal(0, 0.5, k))
    follow = accepted & (rng.random(k) < 0.4 + 0.58 * r_)
    q_s = 0.45 * f_s + 0.35 * r_ + 0.1 * l_ + 0.1 * e_ + rng.normal(0, 0.08, k)
    q_p = 0.45 * f_p + 0.35 * e_ + 0.1 * r_ + 0.1 * l_ + rng.normal(0, 0.08, k)
    far = np.maximum(ratio[idx] - 1.0, 0.0)
    q = 0.5 * (q_s + q_p) - 0.1 * far
    completed = follow & (rng.random(k) < sigmoid(9.0 * (q - 0.45)))
    ended = follow & ~completed
    t1 = t0 + 1 + np.floor(rng.exponential(8.0, k))
    t2 = t1 + 1 + np.floor(rng.exponential(18.0, k))
    dur = rng.uniform(90, 330, k)
    t3 = t2 + np.where(completed, dur, np.maximum(dur * rng.uniform(0.12, 0.7, k), 10))
    sr_c = np.clip(np.round(1.0 + 4.6 * q_s + rng.normal(0, 0.45, k)), 1, 5)
    pr_c = np.clip(np.round(1.0 + 4.6 * q_p + rng.normal(0, 0.45, k)), 1, 5)
    sr_e = np.clip(np.round(0.6 + 3.2 * q_s + rng.normal(0, 0.5, k)), 1, 5)
    pr_e = np.clip(np.round(0.6 + 3.2 * q_p + rng.normal(0, 0.5, k)), 1, 5)
    sr = np.where(completed, sr_c, sr_e)
    pr = np.where(completed, pr_c, pr_e)
    sr[rng.random(k) < 0.04] = np.nan
    pr[rng.random(k) < 0.04] = np.nan
    nan = np.full(k, np.nan)
    # some proposals are never answered (more often with unreliable partners)
    answered = rng.random(k) >= 0.15 * (1.0 - r_)
    accepted &= answered
    follow &= answered
    completed &= answered
    ended &= answered
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
                    "s": si[idx][mask],
                    "p": pj[idx][mask],
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
