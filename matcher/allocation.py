"""District allocation: assign partners to schools respecting both sides' capacities.

Independent top-k lists send every school to the same few strong partners. Here the
assignment maximises total (weighted) mutual benefit subject to each partner's and each
school's capacity left, solved exactly as a min-cost flow over the candidate pairs
(OR-Tools): integral by construction, no rounding heuristics, and fast enough for a
province (about a million candidate pairs).

Equity: each school's *first* assignment carries a bonus larger than the total benefit,
so the number of schools that get at least one partner is maximised first — every school
with a feasible partner gets one wherever capacity allows — and a parameter weights
under-resourced schools (small, private, low accreditation, remote) up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numba as nb
import numpy as np
import pandas as pd
from ortools.graph.python import max_flow, min_cost_flow
from scipy.spatial import cKDTree

from matcher.errors import MatcherError
from matcher.index import MatchIndex
from matcher.metrics import gini
from matcher.model import MatchModel
from matcher.ranking import may_reach, rank_batch, spatial_order
from matcher.schema import DEFAULT_CANDIDATES
from matcher.stability import blocking_pairs, deferred_acceptance, preference_ranks
from matcher.whynot import pair_obstacle, why_not_partners, why_not_schools


def underresourced(index: MatchIndex, rows: np.ndarray) -> np.ndarray:
    """A [0, 1] index per school: the mean of small (<150 students), private, low or no
    accreditation, and remote (its nearest in-person partner is further than for three
    quarters of the selected schools; found with a k-d tree, not a distance matrix)."""
    sch = index.schools.iloc[rows]
    students = pd.to_numeric(sch["students"], errors="coerce").fillna(0).to_numpy()
    small = (students < 150).astype(float)
    private = (sch["ownership"].to_numpy() == "swasta").astype(float)
    low_acc = np.isin(sch["accreditation"].to_numpy(), ["C", "none"]).astype(float)
    remote = np.zeros(len(rows))
    lat, lon = index.p_meta["latitude"], index.p_meta["longitude"]
    has = np.isfinite(lat) & np.isfinite(lon) & ~index.p_online
    if len(rows) and has.any():
        # nearest by straight-line chord between unit vectors (a k-d tree in 3-D, far
        # faster than a haversine ball tree), which orders points as the great circle
        # does; the arc in radians is compared, as before
        tree = cKDTree(index.p_xyz[has])
        chord = tree.query(index.s_xyz[rows], k=1)[0]
        nearest = 2.0 * np.arcsin(np.minimum(chord / 2.0, 1.0))
        remote = (nearest > np.quantile(nearest, 0.75)).astype(float)
    return (small + private + low_acc + remote) / 4.0


MODES = ("optimal", "stable")


@dataclass
class Allocation:
    """The solved assignment and what a district officer reads from it.

    ``assignments``: assigned pairs and ranked alternatives (the CSV's rows);
    ``summary``: counts, benefit and the comparison of methods; ``partner_load``: each
    candidate partner's capacity and load; ``why_not_schools``/``why_not_partners``:
    every side left without an assignment, with the reason in words; ``pairs``: one
    row per assigned pair with what each side gains and contacts (filled by the engine,
    see :func:`matcher.pairs.assignment_table`)."""

    assignments: pd.DataFrame
    summary: dict[str, Any]
    partner_load: pd.DataFrame = field(default_factory=pd.DataFrame)
    why_not_schools: pd.DataFrame = field(default_factory=pd.DataFrame)
    why_not_partners: pd.DataFrame = field(default_factory=pd.DataFrame)
    pairs: pd.DataFrame = field(default_factory=pd.DataFrame)


def solve(
    s_idx: np.ndarray,
    p_idx: np.ndarray,
    weight: np.ndarray,
    s_cap: np.ndarray,
    p_cap: np.ndarray,
    equity: bool = True,
    covered: np.ndarray | None = None,
) -> np.ndarray:
    """Maximise the weighted benefit of chosen edges under capacities, exactly.

    A min-cost flow (OR-Tools): source → school (a first unit carrying the equity
    bonus, then the rest of the school's capacity) → partner (one unit per candidate
    edge, cost = −benefit) → sink (the partner's capacity), with a free source → sink
    bypass so that unprofitable flow need not be sent. ``s_idx``/``p_idx`` are local
    0-based indices of each candidate edge. ``covered`` marks schools that already have
    a partner (pinned by the officer): their first unit carries no equity bonus.
    Returns a boolean mask of chosen edges.
    """
    n_e, n_s, n_p = len(s_idx), len(s_cap), len(p_cap)
    if n_e == 0:
        return np.zeros(0, dtype=bool)
    w = np.clip(np.asarray(weight, dtype=np.float64), 0.0, None)
    n_nodes = n_s + n_p + 2
    # integer costs: as fine as int64 allows with the cost scaling's headroom
    scale = min(1e9, 2.0**60 / ((2.0 * w.sum() + 2.0) * (n_nodes + 1)))
    cost = -np.rint(w * scale).astype(np.int64)
    bonus = int(-cost.sum()) + 1 if equity else 0  # more than the whole benefit
    s_cap = np.maximum(np.asarray(s_cap, dtype=np.int64), 0)
    p_cap = np.maximum(np.asarray(p_cap, dtype=np.int64), 0)
    src, sink = n_s + n_p, n_s + n_p + 1
    schools = np.arange(n_s, dtype=np.int64)
    tails = np.concatenate([np.full(2 * n_s, src), s_idx, n_s + np.arange(n_p), [src]]).astype(
        np.int64
    )
    heads = np.concatenate(
        [schools, schools, n_s + np.asarray(p_idx), np.full(n_p, sink), [sink]]
    ).astype(np.int64)
    supply = int(s_cap.sum())
    caps = np.concatenate(
        [np.minimum(s_cap, 1), np.maximum(s_cap - 1, 0), np.ones(n_e), p_cap, [supply]]
    ).astype(np.int64)
    first = np.full(n_s, -bonus, dtype=np.int64)
    if covered is not None:
        first[np.asarray(covered, dtype=bool)] = 0
    costs = np.concatenate([first, np.zeros(n_s), cost, np.zeros(n_p), [0]]).astype(np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_nodes_supplies(np.array([src, sink]), np.array([supply, -supply]))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise MatcherError(f"allocation could not be solved (min-cost flow status {status})")
    return np.asarray(flow.flows(arcs[2 * n_s : 2 * n_s + n_e]) > 0)


@nb.njit(cache=True, nogil=True)
def _greedy_pass(
    order: np.ndarray, s_idx: np.ndarray, p_idx: np.ndarray, s_left: np.ndarray, p_left: np.ndarray
) -> np.ndarray:
    chosen = np.zeros(len(order), dtype=np.bool_)
    for e in order:
        s, p = s_idx[e], p_idx[e]
        if s_left[s] > 0 and p_left[p] > 0:
            chosen[e] = True
            s_left[s] -= 1
            p_left[p] -= 1
    return chosen


def greedy(
    s_idx: np.ndarray, p_idx: np.ndarray, weight: np.ndarray, s_cap: np.ndarray, p_cap: np.ndarray
) -> np.ndarray:
    """Best-first greedy assignment under capacities (the baseline the solver must beat).

    The pass over the pairs is sequential by nature (each take changes what is left),
    so it is compiled rather than vectorised."""
    order = np.argsort(-np.asarray(weight), kind="stable")
    return _greedy_pass(
        order,
        np.asarray(s_idx, dtype=np.int64),
        np.asarray(p_idx, dtype=np.int64),
        np.array(s_cap, dtype=np.int64),
        np.array(p_cap, dtype=np.int64),
    )


def top_k_pick(s_idx: np.ndarray, score: np.ndarray, s_cap: np.ndarray) -> np.ndarray:
    """Plain top-k: every school takes its own best candidates up to its capacity, as
    independent suggestion lists would have it (partners' capacity ignored)."""
    rank = preference_ranks(s_idx, score, np.zeros(len(score)))
    return rank < np.maximum(s_cap, 0)[s_idx]


def _pairs(index: MatchIndex, pairs: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """Index rows of (school_id, partner_id) pairs; NotFoundError naming an unknown id."""
    if not pairs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    s = index.school_rows([str(a) for a, _ in pairs])
    p = index.partner_rows([str(b) for _, b in pairs])
    return s, p


@dataclass
class Market:
    """The candidate pairs of one allocation run, in local indices, with each side's
    preference rank and capacity left (what every method below works on)."""

    rows: np.ndarray  # index rows of the selected schools
    uniq_p: np.ndarray  # index rows of the candidate partners
    e_s: np.ndarray  # per pair: index row of the school
    e_p: np.ndarray  # per pair: index row of the partner
    local_s: np.ndarray
    local_p: np.ndarray
    score: np.ndarray  # the model's score of the pair
    weight: np.ndarray  # score with the equity weight
    s_rank: np.ndarray  # 0 = the school's favourite
    p_rank: np.ndarray
    s_cap: np.ndarray
    p_cap: np.ndarray
    need: np.ndarray  # under-resourced index per selected school
    pinned: np.ndarray  # mask of pairs the officer fixed
    coverable: int = 0  # the most schools the capacities could cover at all
    rounds: int = 1  # candidate rounds (the first top-N, then the deepening ones)
    search_phases: int = 0  # phases of the exact search for exchanges

    def measure(self, chosen: np.ndarray, n_partners: int) -> dict[str, Any]:
        """Coverage, benefit, spread and stability of an assignment ``chosen``."""
        n_assigned = np.bincount(self.local_s[chosen], minlength=len(self.rows))
        load = np.bincount(self.local_p[chosen], minlength=len(self.uniq_p))
        exposure = np.zeros(n_partners)
        np.add.at(exposure, self.e_p[chosen], 1)
        weak = self.need >= 0.5
        block = blocking_pairs(
            self.local_s, self.local_p, self.s_rank, self.p_rank, chosen, self.s_cap, self.p_cap
        )
        return {
            "schools_matched": int((n_assigned > 0).sum()),
            "assignments": int(chosen.sum()),
            "total_benefit": round(float(self.score[chosen].sum()), 4),
            "exposure_gini": round(gini(exposure[self.uniq_p]), 4),
            "blocking_pairs": int(block.sum()),
            "partners_over_capacity": int((load > self.p_cap).sum()),
            "underresourced_matched_share": round(
                float(((n_assigned > 0) & weak).sum() / max(weak.sum(), 1)), 4
            ),
        }


# Deepening rounds at most (each ranks the schools still left out against the partners
# with room left); the exact search for longer exchanges then finishes the coverage.
MAX_ROUNDS = 6


def _ranked_edges(
    model: MatchModel,
    index: MatchIndex,
    rows: np.ndarray,
    n_cand: int,
    partners: np.ndarray | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each school's ``n_cand`` best feasible partners (among the mask ``partners`` if
    given) as aligned arrays: school row, partner row, score."""
    parts_s, parts_p, parts_w = [], [], []
    for srows, idx, scores in rank_batch(
        model, index, rows, n_cand, progress=progress, partners=partners
    ):
        r, c = np.nonzero(idx >= 0)
        parts_s.append(srows[r])
        parts_p.append(idx[r, c])
        parts_w.append(scores[r, c])
    if not parts_s:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    return (
        np.concatenate(parts_s).astype(np.int64),
        np.concatenate(parts_p).astype(np.int64),
        np.concatenate(parts_w).astype(np.float64),
    )


def cover(s_idx: np.ndarray, p_idx: np.ndarray, n_s: int, p_room: np.ndarray) -> np.ndarray:
    """The most schools that get one partner each over the pairs (``s_idx`` local
    school, ``p_idx`` partner row), partners taking at most ``p_room`` schools: a
    maximum flow (OR-Tools). Returns each local school's partner row, or -1."""
    match = np.full(n_s, -1, dtype=np.int64)
    if not len(s_idx):
        return match
    uniq_p, lp = np.unique(p_idx, return_inverse=True)
    n_p = len(uniq_p)
    src, sink = n_s + n_p, n_s + n_p + 1
    used_s = np.unique(s_idx)
    tails = np.concatenate([np.full(len(used_s), src), s_idx, n_s + np.arange(n_p)])
    heads = np.concatenate([used_s, n_s + lp, np.full(n_p, sink)])
    caps = np.concatenate(
        [np.ones(len(used_s)), np.ones(len(s_idx)), np.maximum(p_room[uniq_p], 0)]
    )
    flow = max_flow.SimpleMaxFlow()
    arcs = flow.add_arcs_with_capacity(
        tails.astype(np.int64), heads.astype(np.int64), caps.astype(np.int64)
    )
    status = flow.solve(src, sink)
    if status != flow.OPTIMAL:
        raise MatcherError(f"allocation coverage could not be solved (max flow status {status})")
    on = np.asarray(flow.flows(arcs[len(used_s) : len(used_s) + len(s_idx)]) > 0)
    match[s_idx[on]] = p_idx[on]
    return match


def _feasible_chunks(
    model: MatchModel,
    index: MatchIndex,
    s_rows: np.ndarray,
    open_partners: Callable[[], np.ndarray],
    chunk: int = 256,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Every feasible pair (the ranking's own rule: a finite score) of ``s_rows``
    against the partners ``open_partners()`` (asked again before each chunk), in
    compact chunks of schools, each against only the partners that may reach it:
    yields ``(schools, partners, mask)``."""
    ordered = spatial_order(index, s_rows)
    for i in range(0, len(ordered), chunk):
        ps = open_partners()
        if not len(ps):
            return
        part = ordered[i : i + chunk]
        cand = ps[may_reach(index, part, ps)]
        if not len(cand):
            continue
        yield part, cand, np.isfinite(model.score_block(index, part, cand).score)


def _open(seen: np.ndarray) -> np.ndarray:
    """Rows of the partners not seen yet (``seen`` is updated as a search goes)."""
    return np.flatnonzero(~seen)


def augment_cover(
    model: MatchModel,
    index: MatchIndex,
    rows: np.ndarray,
    need: np.ndarray,
    match: np.ndarray,
    p_room: np.ndarray,
    forbidden: np.ndarray,
) -> tuple[np.ndarray, int]:
    """Grow a coverage ``match`` (per local school: partner row or -1) to the most
    schools that every feasible pair, not only the candidates, could cover.

    Augmenting paths in the residual graph of all feasible pairs, found breadth first
    with the pairs computed as the search reaches each school (never all pairs at
    once): a school left out takes a full partner, whose school moves to another
    partner, ... until one with room. When no such path exists the match is maximum
    (König): the number of schools it covers is the upper bound the capacities allow.
    ``need`` marks the local schools that want a first partner; ``p_room`` is each
    partner row's room for them; ``forbidden`` sorted keys (school row × partners +
    partner row) never used. Returns the match and the number of search phases."""
    n_p = index.n_partners
    match = match.copy()
    local = np.full(index.n_schools, -1, dtype=np.int64)
    local[rows] = np.arange(len(rows))
    phases = 0
    while True:
        phases += 1
        held = np.flatnonzero(match >= 0)
        room = p_room - np.bincount(match[held], minlength=n_p)
        by_p = held[np.argsort(match[held], kind="stable")]
        ptr = np.searchsorted(match[by_p], np.arange(n_p + 1))
        seen_p = p_room <= 0  # a partner without room for anyone is a dead end
        parent = np.full(n_p, -1, dtype=np.int64)  # the school that reached each partner
        seen_s = ~need | (match >= 0)
        frontier = np.flatnonzero(~seen_s)
        seen_s[frontier] = True
        found = np.zeros(0, dtype=np.int64)
        while len(frontier) and not len(found):
            reached = []
            for part, cand, ok in _feasible_chunks(
                model, index, rows[frontier], partial(_open, seen_p)
            ):
                r, c = np.nonzero(ok)
                if len(forbidden):
                    keys = part[r] * n_p + cand[c]
                    pos = np.minimum(np.searchsorted(forbidden, keys), len(forbidden) - 1)
                    keep = forbidden[pos] != keys
                    r, c = r[keep], c[keep]
                p, first = np.unique(cand[c], return_index=True)
                parent[p] = local[part[r[first]]]
                seen_p[p] = True
                reached.append(p)
            new_p = np.concatenate(reached) if reached else np.zeros(0, dtype=np.int64)
            found = new_p[room[new_p] > 0]
            # next layer: the schools the full partners reached hold (they may move)
            nxt = [by_p[ptr[q] : ptr[q + 1]] for q in new_p]
            frontier = np.concatenate(nxt) if nxt else np.zeros(0, dtype=np.int64)
            frontier = frontier[~seen_s[frontier]]
            seen_s[frontier] = True
        if not len(found):
            return match, phases
        # shift along vertex-disjoint paths (a school on a path already shifted is skipped)
        used = np.zeros(len(rows), dtype=bool)
        for end in found.tolist():
            path: list[tuple[int, int]] = []
            q = end
            while True:
                s = int(parent[q])
                if used[s]:
                    path = []
                    break
                path.append((s, q))
                q = int(match[s])
                if q < 0:
                    break
            if not path or room[end] <= 0:
                continue
            for s, q in path:
                match[s] = q
                used[s] = True
            room[end] -= 1


def build_market(
    model: MatchModel,
    index: MatchIndex,
    rows: np.ndarray,
    n_cand: int,
    equity_weight: float,
    pinned: Sequence[tuple[str, str]] = (),
    forbidden: Sequence[tuple[str, str]] = (),
    progress: Callable[[int], None] | None = None,
    deepen: bool = True,
    school_capacity: np.ndarray | None = None,
    partner_capacity: np.ndarray | None = None,
) -> Market:
    """Each selected school's ``n_cand`` best feasible partners as candidate pairs,
    without the forbidden pairs and with the pinned ones (scored if not a candidate;
    a MatcherError if the partner cannot take the school or a side would go over
    capacity).

    With ``deepen``, candidate depth grows where it pays: the schools no assignment
    over the candidates can cover are ranked again against the partners with room left
    (their ``n_cand`` best there), the union solved again, up to :data:`MAX_ROUNDS`
    times, then :func:`augment_cover` adds the pairs of the exchanges still possible
    over all feasible pairs. The market then covers as many schools as the capacities
    allow at all, and ``Market.coverable`` says how many that is (without
    ``deepen``: the same bound, computed from the first candidates on).

    ``school_capacity``/``partner_capacity``: places left per index row (default: the
    index's ``s_capacity_left``/``p_capacity_left``), e.g. less while proposals are
    pending."""
    e_s, e_p, score = _ranked_edges(model, index, rows, n_cand, progress=progress)
    n_p = max(index.n_partners, 1)
    key = e_s * n_p + e_p
    fs, fp = _pairs(index, forbidden)
    forb = np.unique(fs * n_p + fp)
    keep = ~np.isin(key, forb)
    e_s, e_p, score, key = e_s[keep], e_p[keep], score[keep], key[keep]
    ps, pp = _pairs(index, pinned)
    pin_key = np.unique(ps * n_p + pp)
    ps, pp = pin_key // n_p, pin_key % n_p
    in_sel = np.isin(ps, rows)
    if not in_sel.all():
        bad = index.s_meta["school_id"][ps[~in_sel][0]]
        raise MatcherError(f"pinned school {bad!r} is not among the schools being allocated")
    if np.isin(pin_key, forb).any():
        raise MatcherError("a pair cannot be both pinned and forbidden")
    new = ~np.isin(pin_key, key)
    if new.any():
        b = model.score_pairs(index, ps[new], pp[new])
        for s_row, p_row, sc in zip(ps[new], pp[new], b.score, strict=True):
            if not np.isfinite(sc):
                why = pair_obstacle(index, int(s_row), int(p_row), "en") or "not feasible"
                raise MatcherError(
                    f"cannot pin school {index.s_meta['school_id'][s_row]!r} with partner "
                    f"{index.p_meta['partner_id'][p_row]!r}: {why}"
                )
        e_s = np.concatenate([e_s, ps[new]])
        e_p = np.concatenate([e_p, pp[new]])
        score = np.concatenate([score, b.score.astype(np.float64)])
        key = np.concatenate([key, pin_key[new]])
    s_cap_all = np.asarray(
        index.s_capacity_left if school_capacity is None else school_capacity, dtype=np.int64
    )
    p_cap_all = np.maximum(
        np.asarray(
            index.p_capacity_left if partner_capacity is None else partner_capacity,
            dtype=np.int64,
        ),
        0,
    )
    order = np.argsort(rows)
    s_cap = np.maximum(s_cap_all[rows], 0)
    pin_s = np.bincount(order[np.searchsorted(rows[order], ps)], minlength=len(rows))
    pin_p = np.bincount(pp, minlength=index.n_partners)
    for side, counts, cap, meta, col, ids in (
        ("school", pin_s, s_cap, index.s_meta, "school_id", rows),
        ("partner", pin_p, p_cap_all, index.p_meta, "partner_id", np.arange(index.n_partners)),
    ):
        over = np.flatnonzero(counts > cap)
        if len(over):
            raise MatcherError(
                f"too many pins for {side} {meta[col][ids[over[0]]]!r}: it has "
                f"{cap[over[0]]} places left"
            )
    # coverage: the schools with places and no pin want a first partner; the pins
    # take their places first
    need = (s_cap > 0) & (pin_s == 0)
    p_room = p_cap_all - pin_p
    rounds = 1
    while True:
        loc = order[np.searchsorted(rows[order], e_s)]
        on = need[loc]
        match = cover(loc[on], e_p[on], len(rows), p_room)
        if not deepen or rounds >= MAX_ROUNDS:
            break
        room = p_room - np.bincount(match[match >= 0], minlength=index.n_partners)
        left = rows[need & (match < 0)]
        if not len(left) or not (room > 0).any():
            break
        a_s, a_p, a_w = _ranked_edges(model, index, left, n_cand, partners=room > 0)
        a_key = a_s * n_p + a_p
        fresh = ~np.isin(a_key, forb) & ~np.isin(a_key, key)
        if not fresh.any():
            break
        e_s = np.concatenate([e_s, a_s[fresh]])
        e_p = np.concatenate([e_p, a_p[fresh]])
        score = np.concatenate([score, a_w[fresh]])
        key = np.concatenate([key, a_key[fresh]])
        rounds += 1
    match, phases = augment_cover(model, index, rows, need, match, p_room, forb)
    coverable = int((pin_s > 0).sum() + (match >= 0).sum())
    if deepen:  # the pairs of the exchanges found are candidates too
        got = np.flatnonzero(match >= 0)
        x_key = rows[got] * n_p + match[got]
        fresh = ~np.isin(x_key, key)
        if fresh.any():
            xs, xp = rows[got][fresh], match[got][fresh]
            b = model.score_pairs(index, xs, xp)
            e_s = np.concatenate([e_s, xs])
            e_p = np.concatenate([e_p, xp])
            score = np.concatenate([score, b.score.astype(np.float64)])
            key = np.concatenate([key, x_key[fresh]])
    pin = np.isin(key, pin_key)
    local_s = order[np.searchsorted(rows[order], e_s)].astype(np.int64)
    uniq_p, local_p = np.unique(e_p, return_inverse=True)
    need_w = underresourced(index, rows) if len(rows) else np.zeros(0)
    p_cap = p_cap_all[uniq_p]
    # each side prefers the pairs where it gains more (its direction of the two-way
    # benefit), ties broken by the model's score
    fw = np.einsum("ij,ij->i", index.s_need_n[e_s], index.p_offer_n[e_p])
    bw = np.einsum("ij,ij->i", index.s_offer_n[e_s], index.p_need_n[e_p])
    return Market(
        rows=rows,
        uniq_p=uniq_p,
        e_s=e_s,
        e_p=e_p,
        local_s=local_s,
        local_p=local_p,
        score=score,
        weight=score * (1.0 + equity_weight * need_w[local_s]),
        s_rank=preference_ranks(local_s, fw, score),
        p_rank=preference_ranks(local_p, bw, score),
        s_cap=s_cap,
        p_cap=p_cap,
        need=need_w,
        pinned=pin,
        coverable=coverable,
        rounds=rounds,
        search_phases=phases,
    )


def assign(m: Market, mode: str = "optimal") -> np.ndarray:
    """The assignment of ``mode`` on a market, pinned pairs included: "optimal" (the
    exact maximum of equity-weighted benefit, most schools covered first) or "stable"
    (deferred acceptance on both sides' preferences: no blocking pair)."""
    if mode not in MODES:
        raise MatcherError(f"unknown allocation mode {mode!r}: use one of {', '.join(MODES)}")
    pin = m.pinned
    s_free = m.s_cap - np.bincount(m.local_s[pin], minlength=len(m.s_cap))
    p_free = m.p_cap - np.bincount(m.local_p[pin], minlength=len(m.p_cap))
    rest = np.flatnonzero(~pin)
    ls, lp = m.local_s[rest], m.local_p[rest]
    if mode == "optimal":
        covered = np.bincount(m.local_s[pin], minlength=len(m.s_cap)) > 0
        picked = solve(ls, lp, m.weight[rest], s_free, p_free, covered=covered)
    else:
        picked = deferred_acceptance(ls, lp, m.s_rank[rest], m.p_rank[rest], s_free, p_free)
    chosen = pin.copy()
    chosen[rest[picked]] = True
    return chosen


def allocate(
    model: MatchModel,
    index: MatchIndex,
    rows: np.ndarray,
    k: int = 10,
    candidates: int = DEFAULT_CANDIDATES,
    equity_weight: float = 0.5,
    progress: Callable[[int], None] | None = None,
    mode: str = "optimal",
    pinned: Sequence[tuple[str, str]] = (),
    forbidden: Sequence[tuple[str, str]] = (),
    lang: str = "id",
    school_capacity: np.ndarray | None = None,
    partner_capacity: np.ndarray | None = None,
) -> Allocation:
    """Assign partners to the schools ``rows`` and rank alternatives.

    Parameters
    ----------
    k : int
        Ranked partners listed per school (assigned ones first).
    candidates : int
        Best feasible partners per school that the solver may choose among.
    equity_weight : float
        How much more a fully under-resourced school's benefit counts (0 = plain total).
    mode : {"optimal", "stable"}
        Which assignment is returned; the summary compares both with plain top-k and
        best-first greedy (``summary["comparison"]``).
    pinned, forbidden : sequences of (school_id, partner_id)
        Pairs the officer fixed, or ruled out; the rest is solved again around them.
    lang : {"id", "en"}
        Language of the why-not reasons.
    school_capacity, partner_capacity : arrays over the index's rows, optional
        Places left per school and per partner (default: the index's capacity left).

    The summary's ``schools_coverable`` is the most schools the capacities could cover
    at all (over every feasible pair, pins kept), beside ``schools_matched``.
    """
    if mode not in MODES:
        raise MatcherError(f"unknown allocation mode {mode!r}: use one of {', '.join(MODES)}")
    rows = np.asarray(rows, dtype=np.int64)
    n_cand = max(candidates, k)
    m = build_market(
        model,
        index,
        rows,
        n_cand,
        equity_weight,
        pinned,
        forbidden,
        progress,
        school_capacity=school_capacity,
        partner_capacity=partner_capacity,
    )
    comparison: dict[str, dict[str, Any]] = {}
    picks: dict[str, np.ndarray] = {}
    for name in ("optimal", "stable", "greedy", "top_k"):
        t0 = time.perf_counter()
        if name in MODES:
            pick = assign(m, name)
        elif name == "greedy":
            pick = greedy(m.local_s, m.local_p, m.score, m.s_cap, m.p_cap)
        else:
            pick = top_k_pick(m.local_s, m.score, m.s_cap)
        took = time.perf_counter() - t0
        picks[name] = pick
        comparison[name] = m.measure(pick, index.n_partners) | {"seconds": round(took, 3)}
    chosen = picks[mode]
    e_s, e_p, benefit = m.e_s, m.e_p, m.score

    sid = index.s_meta["school_id"]
    pid = index.p_meta["partner_id"]
    edges = pd.DataFrame(
        {
            "school_row": e_s,
            "partner_row": e_p,
            "school_id": sid[e_s],
            "partner_id": pid[e_p],
            "score": np.round(benefit, 6),
            "assigned": chosen,
            "pinned": m.pinned,
        }
    )
    edges = edges.sort_values(["school_row", "assigned", "score"], ascending=[True, False, False])
    edges["rank"] = edges.groupby("school_row").cumcount() + 1
    listed = edges[(edges["rank"] <= k) | edges["assigned"]]

    # summary --------------------------------------------------------------------------
    why_s = why_not_schools(index, rows, e_s, e_p, benefit, chosen, lang)
    why_p = why_not_partners(index, rows, e_s, e_p, chosen, n_cand, lang)
    reasons = pd.Series("matched", index=sid[rows], dtype=object)
    if len(why_s):
        reasons[why_s["school_id"].to_numpy()] = why_s["reason"].map(REASON_WORDS).to_numpy()
    n_assigned = np.bincount(m.local_s[chosen], minlength=len(rows))
    load = np.bincount(m.local_p[chosen], minlength=len(m.uniq_p))
    partner_load = pd.DataFrame(
        {"partner_id": pid[m.uniq_p], "capacity_left": m.p_cap, "assigned": load}
    ).sort_values("assigned", ascending=False)
    topk = edges[edges["rank"] <= k]
    topk_counts = topk.groupby("partner_id").size()
    cap_by_id = dict(zip(pid[m.uniq_p], m.p_cap, strict=True))
    over = int(sum(1 for p, n in topk_counts.items() if n > cap_by_id.get(p, 0)))
    unmatched = reasons[reasons != "matched"].value_counts().to_dict()
    this = comparison[mode]
    summary = {
        "mode": mode,
        "schools": int(len(rows)),
        "schools_matched": int((n_assigned > 0).sum()),
        "schools_unmatched": int((n_assigned == 0).sum()),
        "schools_coverable": m.coverable,
        "coverage_of_coverable": round(float((n_assigned > 0).sum()) / max(m.coverable, 1), 4),
        "candidate_rounds": m.rounds,
        "candidate_pairs": int(len(m.e_s)),
        "unmatched_reasons": {str(a): int(b) for a, b in unmatched.items()},
        "assignments": int(chosen.sum()),
        "pinned": int(m.pinned.sum()),
        "forbidden": len(forbidden),
        "partners_used": int((load > 0).sum()),
        "partners_over_capacity": int((load > m.p_cap).sum()),
        "total_benefit": this["total_benefit"],
        "blocking_pairs": this["blocking_pairs"],
        "topk_total_benefit": round(float(topk["score"].sum()), 4),
        "topk_partners_over_capacity": over,
        "greedy_total_benefit": comparison["greedy"]["total_benefit"],
        "greedy_schools_matched": comparison["greedy"]["schools_matched"],
        "exposure_gini": this["exposure_gini"],
        "underresourced_matched_share": this["underresourced_matched_share"],
        "comparison": comparison,
    }
    out = listed.drop(columns=["school_row", "partner_row"]).reset_index(drop=True)
    out["status"] = out["school_id"].map(reasons)
    # schools without any candidate still appear, with the reason, so none is silently lost
    missing = [s for s, why in reasons.items() if why == "no feasible partner"]
    if missing:
        gap = pd.DataFrame({"school_id": missing, "status": "no feasible partner"})
        out = pd.concat([out, gap], ignore_index=True)
    return Allocation(out, summary, partner_load, why_s, why_p)


# The status column's words for the why-not reasons (the CSV's vocabulary since 0.1).
REASON_WORDS = {
    "no_partner_in_reach": "no feasible partner",
    "no_offer": "no feasible partner",
    "reachable_partners_full": "no feasible partner",
    "in_progress": "no feasible partner",
    "forbidden": "no feasible partner",
    "school_full": "school capacity full",
    "outranked": "partner capacity exhausted",
}
