"""How schools and partners behave once they meet: each formula of the world, once.

The simulation (``outcomes``) draws every event from these probabilities and the ground
truth (``truth``) takes their expectation, so the two cannot drift apart.

The chain of a tried pair: the school proposes (``propose_utility``), the partner answers
(``p_answer``) and accepts by its own gain and load (``p_accept_answered``), both follow
through (``p_follow``), the partnership completes (``p_complete`` of the pair quality) and
each side rates it 4 or 5 (``p_good``) or leaves no rating (``RATING_MISSING``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import BoolArray, FloatArray, IntArray, Side, haversine, popcount, sigmoid
from .tables import CODES, N_CODES, TO_PARTNER
from .world import World

RATING_MISSING = 0.04  # chance that a side leaves no rating (counts as not below 4)
SLOT_TURNS = 2.0  # partnerships one capacity slot can take over the period before it is busy
NO_COORDS_KM = 75.0  # how far an online partner without coordinates seems to a school


@dataclass
class Pairs:
    """What the world knows about a set of (school, partner) pairs."""

    si: IntArray
    pj: IntArray
    dist: FloatArray  # km; NaN when the partner has no coordinates
    ratio: FloatArray  # distance over service radius (0.3 for online partners)
    reach: BoolArray  # online, or within the service radius
    level_ok: BoolArray  # the partner serves the school's level
    lang: BoolArray  # a shared language
    forward: FloatArray  # true fit for the school (its true needs the partner offers)
    backward: FloatArray  # true fit for the partner (its needs the school meets)
    rel: FloatArray  # the partner's hidden reliability
    eng: FloatArray  # the school's hidden engagement

    @property
    def feasible(self) -> BoolArray:
        """Pairs that can work at all: in reach (or online) and at a level served."""
        return self.reach & self.level_ok


def fit(s: Side, p: Side, si: IntArray, pj: IntArray) -> tuple[FloatArray, FloatArray]:
    """Two-way true fit of pairs in [0, 1].

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


def pair_terms(s: Side, p: Side, si: IntArray, pj: IntArray) -> Pairs:
    """Distance, reach, level, language, true fits and hidden latents of pairs."""
    assert p.online is not None and p.radius is not None
    d = haversine(s.lat[si], s.lon[si], p.lat[pj], p.lon[pj])
    online = p.online[pj]
    ratio = np.where(online | np.isnan(d), 0.3, np.nan_to_num(d, nan=0.0) / p.radius[pj])
    lv = p.level[pj]
    fs, fp = fit(s, p, si, pj)
    return Pairs(
        si=si,
        pj=pj,
        dist=d,
        ratio=ratio,
        reach=online | (ratio <= 1.0),
        level_ok=(lv == 0) | ((np.left_shift(1, s.level[si]) & lv) != 0),
        lang=(s.lang[si] & p.lang[pj]) != 0,
        forward=fs,
        backward=fp,
        rel=p.latent[pj],
        eng=s.latent[si],
    )


def propose_utility(x: Pairs, fame: FloatArray, world: World) -> FloatArray:
    """How much a school wants to propose to a partner (a logit over its options).

    What the school can see: the partner's listed offers against its own needs, a shared
    language, whether the partner reaches it and serves its level. With exposure the fit
    counts less, and the partner's fame and proximity take over.
    """
    e = world.exposure
    prox = -np.minimum(np.nan_to_num(x.dist, nan=NO_COORDS_KM), 150.0) / 25.0
    return (
        4.0 * (1.0 - 0.75 * e) * x.forward
        + 0.5 * x.lang
        + e * (1.2 * fame[x.pj] + 1.5 * prox)
        - 2.5 * ~x.reach
        - 2.5 * ~x.level_ok
    )


def p_answer(x: Pairs) -> FloatArray:
    """Chance that the partner answers a proposal at all (unreliable ones often do not)."""
    return 1.0 - 0.15 * (1.0 - x.rel)


def p_accept_answered(x: Pairs, busy: FloatArray | None = None) -> FloatArray:
    """Chance that the partner accepts an answered proposal.

    By its own gain (backward fit), a shared language, reach and level, and how busy it
    is: ``busy`` is its proposals received over what its capacity can take in the period
    (``None``: no load).
    """
    logit = -1.0 + 3.4 * x.backward + 0.9 * x.lang - 1.5 * ~x.reach - 1.5 * ~x.level_ok
    if busy is not None:
        logit = logit - 1.5 * np.log(np.maximum(busy, 1.0))
    return sigmoid(logit)


def p_follow(x: Pairs) -> FloatArray:
    """Chance that an accepted partnership starts: the partner's reliability, the school's
    engagement."""
    return (0.4 + 0.58 * x.rel) * (0.75 + 0.25 * x.eng)


def quality(x: Pairs) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Quality of a partnership as the school sees it, as the partner sees it, and both."""
    lang = x.lang.astype(np.float64)
    q_s = 0.45 * x.forward + 0.35 * x.rel + 0.1 * lang + 0.1 * x.eng
    q_p = 0.45 * x.backward + 0.35 * x.eng + 0.1 * x.rel + 0.1 * lang
    far = np.maximum(x.ratio - 1.0, 0.0)
    return q_s, q_p, 0.5 * (q_s + q_p) - 0.1 * far


def p_complete(q: FloatArray) -> FloatArray:
    """Chance that a started partnership completes rather than ends early."""
    return sigmoid(8.5 * (q - 0.45))


def p_good(q_side: FloatArray) -> FloatArray:
    """Chance that a side rates a completed partnership 4 or 5."""
    return sigmoid(12.0 * (q_side - 0.52))


def p_success(x: Pairs) -> FloatArray:
    """Chance that an accepted partnership ends completed with no rating below 4."""
    q_s, q_p, q = quality(x)
    ok_s = RATING_MISSING + (1.0 - RATING_MISSING) * p_good(q_s)
    ok_p = RATING_MISSING + (1.0 - RATING_MISSING) * p_good(q_p)
    return p_follow(x) * p_complete(q) * ok_s * ok_p
