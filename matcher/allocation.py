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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from ortools.graph.python import min_cost_flow
from sklearn.neighbors import BallTree

from matcher.errors import MatcherError
from matcher.index import MatchIndex
from matcher.metrics import gini
from matcher.model import MatchModel
from matcher.ranking import rank_batch


def underresourced(index: MatchIndex, rows: np.ndarray) -> np.ndarray:
    """A [0, 1] index per school: the mean of small (<150 students), private, low or no
    accreditation, and remote (its nearest in-person partner is further than for three
    quarters of the selected schools; found with a ball tree, not a distance matrix)."""
    sch = index.schools.iloc[rows]
    students = pd.to_numeric(sch["students"], errors="coerce").fillna(0).to_numpy()
    small = (students < 150).astype(float)
    private = (sch["ownership"].to_numpy() == "swasta").astype(float)
    low_acc = np.isin(sch["accreditation"].to_numpy(), ["C", "none"]).astype(float)
    remote = np.zeros(len(rows))
    lat, lon = index.p_meta["latitude"], index.p_meta["longitude"]
    has = np.isfinite(lat) & np.isfinite(lon) & ~index.p_online
    if len(rows) and has.any():
        tree = BallTree(np.radians(np.column_stack([lat[has], lon[has]])), metric="haversine")
        here = np.radians(sch[["latitude", "longitude"]].to_numpy(dtype=np.float64))
        nearest = tree.query(here, k=1)[0][:, 0]
        remote = (nearest > np.quantile(nearest, 0.75)).astype(float)
    return (small + private + low_acc + remote) / 4.0


@dataclass
class Allocation:
    """The solved assignment and what a district officer reads from it."""

    assignments: pd.DataFrame
    summary: dict[str, Any]
    partner_load: pd.DataFrame = field(default_factory=pd.DataFrame)


def solve(
    s_idx: np.ndarray,
    p_idx: np.ndarray,
    weight: np.ndarray,
    s_cap: np.ndarray,
    p_cap: np.ndarray,
    equity: bool = True,
) -> np.ndarray:
    """Maximise the weighted benefit of chosen edges under capacities, exactly.

    A min-cost flow (OR-Tools): source → school (a first unit carrying the equity
    bonus, then the rest of the school's capacity) → partner (one unit per candidate
    edge, cost = −benefit) → sink (the partner's capacity), with a free source → sink
    bypass so that unprofitable flow need not be sent. ``s_idx``/``p_idx`` are local
    0-based indices of each candidate edge. Returns a boolean mask of chosen edges.
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
    costs = np.concatenate([np.full(n_s, -bonus), np.zeros(n_s), cost, np.zeros(n_p), [0]]).astype(
        np.int64
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_nodes_supplies(np.array([src, sink]), np.array([supply, -supply]))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise MatcherError(f"allocation could not be solved (min-cost flow status {status})")
    return np.asarray(flow.flows(arcs[2 * n_s : 2 * n_s + n_e]) > 0)


def greedy(
    s_idx: np.ndarray, p_idx: np.ndarray, weight: np.ndarray, s_cap: np.ndarray, p_cap: np.ndarray
) -> np.ndarray:
    """Best-first greedy assignment under capacities (the baseline the solver must beat)."""
    s_left, p_left = s_cap.copy(), p_cap.copy()
    chosen = np.zeros(len(weight), dtype=bool)
    for e in np.argsort(-weight, kind="stable"):
        if s_left[s_idx[e]] > 0 and p_left[p_idx[e]] > 0:
            chosen[e] = True
            s_left[s_idx[e]] -= 1
            p_left[p_idx[e]] -= 1
    return chosen


def allocate(
    model: MatchModel,
    index: MatchIndex,
    rows: np.ndarray,
    k: int = 10,
    candidates: int = 20,
    equity_weight: float = 0.5,
    progress: Callable[[int], None] | None = None,
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
    """
    rows = np.asarray(rows, dtype=np.int64)
    n_cand = max(candidates, k)
    parts_s, parts_p, parts_w = [], [], []
    for srows, idx, scores in rank_batch(model, index, rows, n_cand, progress=progress):
        r, c = np.nonzero(idx >= 0)
        parts_s.append(srows[r])
        parts_p.append(idx[r, c])
        parts_w.append(scores[r, c])
    e_s = np.concatenate(parts_s) if parts_s else np.zeros(0, dtype=np.int64)
    e_p = np.concatenate(parts_p) if parts_p else np.zeros(0, dtype=np.int64)
    benefit = np.concatenate(parts_w).astype(np.float64) if parts_w else np.zeros(0)
    order = np.argsort(rows)
    local_s = order[np.searchsorted(rows[order], e_s)].astype(np.int64)
    uniq_p, local_p = np.unique(e_p, return_inverse=True)
    need = underresourced(index, rows) if len(rows) else np.zeros(0)
    weight = benefit * (1.0 + equity_weight * need[local_s])
    s_cap = index.s_capacity_left[rows].astype(np.int64)
    p_cap = index.p_capacity_left[uniq_p].astype(np.int64)
    chosen = solve(local_s, local_p, weight, s_cap, p_cap)

    sid = index.schools["school_id"].to_numpy()
    pid = index.partners["partner_id"].to_numpy()
    edges = pd.DataFrame(
        {
            "school_row": e_s,
            "partner_row": e_p,
            "school_id": sid[e_s],
            "partner_id": pid[e_p],
            "score": np.round(benefit, 6),
            "assigned": chosen,
        }
    )
    edges = edges.sort_values(["school_row", "assigned", "score"], ascending=[True, False, False])
    edges["rank"] = edges.groupby("school_row").cumcount() + 1
    listed = edges[(edges["rank"] <= k) | edges["assigned"]]

    # summary --------------------------------------------------------------------------
    has_cand = np.zeros(len(rows), dtype=bool)
    has_cand[local_s] = True
    n_assigned = np.bincount(local_s[chosen], minlength=len(rows))
    reasons = np.where(
        n_assigned > 0,
        "matched",
        np.where(
            ~has_cand,
            "no feasible partner",
            np.where(s_cap <= 0, "school capacity full", "partner capacity exhausted"),
        ),
    )
    load = np.bincount(local_p[chosen], minlength=len(uniq_p))
    partner_load = pd.DataFrame(
        {
            "partner_id": pid[uniq_p],
            "capacity_left": p_cap,
            "assigned": load,
        }
    ).sort_values("assigned", ascending=False)
    topk = edges[edges["rank"] <= k]
    topk_counts = topk.groupby("partner_id").size()
    cap_by_id = dict(zip(pid[uniq_p], p_cap, strict=True))
    over = int(sum(1 for p, n in topk_counts.items() if n > cap_by_id.get(p, 0)))
    exposure = np.zeros(index.n_partners)
    np.add.at(exposure, e_p[chosen], 1)
    unmatched = pd.Series(reasons[reasons != "matched"]).value_counts().to_dict()
    # the baseline: best benefit first, no equity floor (it may total more benefit
    # because it leaves schools out)
    greedy_pick = greedy(local_s, local_p, benefit, s_cap, p_cap)
    summary = {
        "schools": int(len(rows)),
        "schools_matched": int((n_assigned > 0).sum()),
        "schools_unmatched": int((n_assigned == 0).sum()),
        "unmatched_reasons": {str(a): int(b) for a, b in unmatched.items()},
        "assignments": int(chosen.sum()),
        "partners_used": int((load > 0).sum()),
        "partners_over_capacity": int((load > p_cap).sum()),
        "total_benefit": round(float(benefit[chosen].sum()), 4),
        "topk_total_benefit": round(float(topk["score"].sum()), 4),
        "topk_partners_over_capacity": over,
        "greedy_total_benefit": round(float(benefit[greedy_pick].sum()), 4),
        "greedy_schools_matched": int(len(np.unique(local_s[greedy_pick]))),
        "exposure_gini": round(gini(exposure[uniq_p]), 4),
        "underresourced_matched_share": round(
            float(((n_assigned > 0) & (need >= 0.5)).sum() / max((need >= 0.5).sum(), 1)), 4
        ),
    }
    status = pd.Series(reasons, index=sid[rows])
    out = listed.drop(columns=["school_row", "partner_row"]).reset_index(drop=True)
    out["status"] = out["school_id"].map(status)
    # schools without any candidate still appear, with the reason, so none is silently lost
    missing = [s for s, why in status.items() if why == "no feasible partner"]
    if missing:
        gap = pd.DataFrame({"school_id": missing, "status": "no feasible partner"})
        out = pd.concat([out, gap], ignore_index=True)
    return Allocation(out, summary, partner_load)
