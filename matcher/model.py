"""The match model: fitted features plus the scoring rule for a block of pairs.

``MatchModel.score_block`` is the hot path: it scores a block of schools against a block
of partners (all of them by default) with a handful of matrix products and elementwise
operations — no Python loop over pairs. ``score_pairs`` is the same rule written in
numpy for aligned pairs (training, explanations, tests that the two agree).

Score = content benefit × each side's learned factor. Content benefit is the fused
two-way match, decayed with distance and penalised without a shared language; the
factors come from what happened once pairs were tried (:mod:`matcher.outcomes`), are 1
for a side without history and move as its history accumulates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from matcher import kernels
from matcher.features import FeatureSpace
from matcher.geo import EARTH_RADIUS_KM
from matcher.index import MatchIndex
from matcher.kernels import FUSION_CODES
from matcher.outcomes import OutcomeModel
from matcher.similarity import fuse

# The sub-estimators' defaults (shared: fit and set_params work on clones) and the flat
# names earlier versions gave their settings.
DEFAULT_FEATURES = FeatureSpace()
DEFAULT_OUTCOME = OutcomeModel()
NESTED: dict[str, type[BaseEstimator]] = {"features": FeatureSpace, "outcome": OutcomeModel}
ALIASES = {
    **{k: f"features__{k}" for k in ("text_weight", "ngram_range", "threshold", "implicit")},
    "rarity": "features__rarity",
    "prior_strength": "outcome__prior_strength",
    "accept_weight": "outcome__accept_weight",
}

# Partners per tile in batch ranking: a tile's products for a chunk of schools stay in
# cache between the matrix product and the compiled pass that reads them.
TILE = 2048


@dataclass
class Block:
    """Scores of a block of schools (rows) against partners (columns).

    ``forward``: how well partners meet schools' needs; ``backward``: how well schools
    meet partners' needs; ``score``: the final score, -inf where a hard filter fails
    (``feasible`` is where it is finite). The rest is filled only when asked for (``full``):
    ``mutual`` (fused benefit), ``distance`` (km; NaN for partners without coordinates),
    ``proximity`` (distance decay, online floor applied) and ``shared`` (a common
    language).
    """

    forward: np.ndarray
    backward: np.ndarray
    score: np.ndarray
    mutual: np.ndarray | None = None
    distance: np.ndarray | None = None
    proximity: np.ndarray | None = None
    shared: np.ndarray | None = None

    @property
    def feasible(self) -> np.ndarray:
        return np.isfinite(self.score)


class MatchModel(BaseEstimator):
    """Two-way model of mutual benefit, with feasibility filters and soft factors.

    Parameters
    ----------
    fusion : {"harmonic", "geometric", "min", "arithmetic", "forward"}
        How the two directions combine; "forward" scores the school's side only (the
        one-way baseline).
    similarity : {"cosine", "coverage"}
        How one side's needs meet the other's offers in each direction (see
        :func:`matcher.similarity.normalise`).
    decay_km : float
        Distance over which the distance factor falls from 1 to ``1 - decay_weight``,
        quadratically (gently nearby, faster further out); flat beyond it.
    decay_weight : float
        Share of the score that decays with distance (0 disables distance decay).
    online_km : float
        Distance assumed for an online partner that is not nearby.
    language_penalty : float
        Factor applied when school and partner share no language.
    features : FeatureSpace
        How records become need/offer matrices (its settings: ``features__text_weight``,
        ``features__rarity`` ...); cloned when fitting, never changed.
    outcome : OutcomeModel
        How each side's track record is learned from tried pairs (``outcome__...``);
        cloned when fitting.
    outcome_weight : float
        Exponent of each side's learned factor (1, the default: the expected benefit
        once tried; 0: content only). Used only when enough tried pairs were recorded
        to learn from.
    random_state : int
        Seed of any random step of fitting. Every current step is deterministic; the
        seed is recorded with the settings so that a random step added later is
        reproducible and seen.

    The flat names earlier versions gave the sub-estimators' settings (``text_weight``,
    ``ngram_range``, ``threshold``, ``implicit``, ``rarity``, ``prior_strength``,
    ``accept_weight``) are accepted by :meth:`from_params` (older manifests and
    benchmark settings use them), and an artifact saved with them loads as nested.
    partner_list_weight : float
        On a partner's own list, the share of the partner's gain (backward) in the fused
        benefit; on a school's list both directions count alike. A partner takes part,
        and keeps at it, by what it gains, so its own gain says more about how a
        partnership it starts will go (0.5: alike on both lists).

    Defaults are chosen by the mean over a grid of generated worlds with known true
    benefit (``benchmarks/quality.py``; README has the table): the share of needs met
    each way (``coverage``) fused by the geometric mean, needs not weighted by rarity,
    distance only a tie-break within reach, and on a partner's list its own gain
    counting two thirds.
    """

    def __init__(
        self,
        fusion: str = "geometric",
        similarity: str = "coverage",
        decay_km: float = 60.0,
        decay_weight: float = 0.05,
        online_km: float = 30.0,
        language_penalty: float = 0.6,
        features: FeatureSpace = DEFAULT_FEATURES,
        outcome: OutcomeModel = DEFAULT_OUTCOME,
        outcome_weight: float = 1.0,
        partner_list_weight: float = 2 / 3,
        random_state: int = 0,
    ) -> None:
        self.fusion = fusion
        self.similarity = similarity
        self.decay_km = decay_km
        self.decay_weight = decay_weight
        self.online_km = online_km
        self.language_penalty = language_penalty
        self.features = features
        self.outcome = outcome
        self.outcome_weight = outcome_weight
        self.partner_list_weight = partner_list_weight
        self.random_state = random_state

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> MatchModel:
        """A model with ``params`` as :meth:`parameters` (or a manifest) gives them: nested
        names (``features__rarity``) or the flat names of earlier versions (``rarity``)."""
        given = {ALIASES.get(k, k): v for k, v in params.items() if k not in NESTED}
        if isinstance(given.get("features__ngram_range"), list):  # JSON has no tuples
            given["features__ngram_range"] = tuple(given["features__ngram_range"])
        return cls(features=FeatureSpace(), outcome=OutcomeModel()).set_params(**given)

    def parameters(self) -> dict[str, Any]:
        """Every setting by its nested name, as plain values (what the manifest records)."""
        return {k: v for k, v in self.get_params(deep=True).items() if k not in NESTED}

    def set_params(self, **params: Any) -> MatchModel:
        # a nested setting changes a copy of the sub-estimator: the defaults are shared
        for name in {k.split("__", 1)[0] for k in params if "__" in k} - set(params):
            if name in NESTED:
                setattr(self, name, clone(getattr(self, name)))
        return super().set_params(**params)

    def __setstate__(self, state: dict[str, Any]) -> None:
        if "features" not in state:  # saved with flat settings (before 0.4.1): nested now
            state = dict(state)
            for name, cls in NESTED.items():
                keys = [k for k, v in ALIASES.items() if v.startswith(name + "__")]
                sub = {ALIASES[k].split("__", 1)[1]: state.pop(k) for k in keys if k in state}
                state[name] = cls(**sub)
            state.setdefault("random_state", 0)
        super().__setstate__(state)

    def fit(
        self,
        schools: pd.DataFrame,
        partners: pd.DataFrame,
        outcomes: pd.DataFrame | None = None,
        as_of: datetime | None = None,
    ) -> MatchModel:
        """Fit the feature space on the stored schools and partners, and the outcome
        model on the pairs tried before ``as_of``."""
        if self.fusion not in FUSION_CODES:
            raise ValueError(f"unknown fusion {self.fusion!r}")
        if not len(schools) or not len(partners):
            raise ValueError("training needs at least one school and one partner")
        self.features_ = clone(self.features).fit(schools, partners)
        self.outcome_model_: OutcomeModel | None = None
        self.outcome_note_ = "content only (outcome_weight is 0)"
        if self.outcome_weight > 0 and outcomes is not None and len(outcomes):
            index = MatchIndex.build(
                self.features_,
                schools,
                partners,
                outcomes,
                as_of,
                count_capacity=False,
                similarity=self.similarity,
            )
            om = clone(self.outcome)
            try:
                self.outcome_model_ = om.fit(index, self, outcomes, as_of)
                self.outcome_note_ = om.note_
            except ValueError as exc:
                self.outcome_note_ = f"content only: {exc}"
        return self

    def index(
        self,
        schools: pd.DataFrame,
        partners: pd.DataFrame,
        outcomes: pd.DataFrame | None = None,
        as_of: datetime | None = None,
        count_capacity: bool = True,
    ) -> MatchIndex:
        """Encode records into a :class:`MatchIndex` for scoring (``count_capacity``:
        see :meth:`MatchIndex.build`), with each side's learned factor from the history
        recorded before ``as_of``."""
        check_is_fitted(self, "features_")
        index = MatchIndex.build(
            self.features_,
            schools,
            partners,
            outcomes,
            as_of,
            count_capacity=count_capacity,
            similarity=self.similarity,
        )
        if self.outcome_model_ is None:
            return index
        s_w, p_w = self.outcome_model_.side_factors(index, self, outcomes, as_of)
        a = self.outcome_weight
        return replace(index, s_weight=s_w**a, p_weight=p_w**a)

    # -- the scoring rule ------------------------------------------------------------

    def _k2(self) -> float:
        return float((EARTH_RADIUS_KM / self.decay_km) ** 2)

    def _partner_arrays(self, index: MatchIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per partner: the reach bound on q (inf online, -1 without capacity left), the
        cap of the distance term, and coordinates as unit vectors (zeros if none)."""
        k2 = self._k2()
        key = ("kernel", k2, self.online_km)
        if key not in index.cache:  # once per index and parameters
            onl = index.p_online
            rad = np.where(onl, np.inf, k2 * index.p_rad2).astype(np.float64)
            rad[index.p_capacity_left <= 0] = -1.0  # no capacity left: never feasible
            # decay stops at decay_km; an online partner is never "further" than online_km
            cap = np.where(onl, min((self.online_km / self.decay_km) ** 2, 1.0), 1.0)
            px = np.nan_to_num(index.p_xyz, nan=0.0)
            index.cache[key] = (rad, cap.astype(np.float64), np.ascontiguousarray(px))
        return index.cache[key]

    def _backward_weight(self, viewer: str) -> float:
        """The backward direction's share in the fusion on ``viewer``'s list."""
        return float(self.partner_list_weight) if viewer == "partner" else 0.5

    def _mutual(self, F: np.ndarray, B: np.ndarray, viewer: str) -> np.ndarray:
        """Fused benefit on ``viewer``'s list: the rule the kernels apply, in numpy."""
        if self.fusion == "forward":
            return F
        return fuse(F, B, self.fusion, self._backward_weight(viewer))

    def _factors(self, weights: np.ndarray) -> np.ndarray:
        """The sides' learned factors of an index built by this model; ones for a model
        without an outcome model (content only scored on a shared index)."""
        if self.outcome_model_ is None:
            return np.ones(len(weights), dtype=np.float32)
        return weights.astype(np.float32, copy=False)

    def _inputs(
        self, index: MatchIndex, s_rows: np.ndarray, sel: Any, viewer: str = "school"
    ) -> dict[str, Any]:
        """Arguments of the compiled kernels for one block (see :mod:`matcher.kernels`);
        ``viewer`` is whose list it is: on a partner's list, a partner that names needs
        only gets schools that meet one of them."""
        rad_all, cap_all, px_all = self._partner_arrays(index)
        if len(s_rows) <= 8:  # a few schools: sparse partner matrices read less memory
            if "sparse" not in index.cache:
                index.cache["sparse"] = (
                    sparse.csr_matrix(index.p_offer_n),
                    sparse.csr_matrix(index.p_need_n),
                )
            p_offer, p_need = index.cache["sparse"]
            if not (isinstance(sel, slice) and sel == slice(None)):
                p_offer, p_need = p_offer[sel], p_need[sel]
            F = np.ascontiguousarray((p_offer @ index.s_need_n[s_rows].T).T)
            B = np.ascontiguousarray((p_need @ index.s_offer_n[s_rows].T).T)
        else:
            F = index.s_need_n[s_rows] @ index.p_offer_n[sel].T
            B = index.s_offer_n[s_rows] @ index.p_need_n[sel].T
        prm = [self._k2(), self.decay_weight, self.language_penalty, self._backward_weight(viewer)]
        return {
            "F": F.astype(np.float32, copy=False),
            "B": B.astype(np.float32, copy=False),
            "sx": np.ascontiguousarray(index.s_xyz[s_rows]),
            "px": px_all[sel],
            "s_level_bit": np.left_shift(np.int64(1), index.s_level[s_rows]),
            "s_lang_bits": index.s_lang_bits[s_rows],
            "p_level_bits": index.p_level_bits[sel],
            "p_lang_bits": index.p_lang_bits[sel],
            "rad": rad_all[sel],
            "cap": cap_all[sel],
            "s_w": self._factors(index.s_weight)[s_rows],
            "p_w": self._factors(index.p_weight)[sel],
            "p_needs": _needs_filter(index, sel, viewer),
            "prm": np.asarray(prm, dtype=np.float64),
            "fusion": FUSION_CODES[self.fusion],
        }

    def score_block(
        self,
        index: MatchIndex,
        s_rows: np.ndarray,
        p_rows: np.ndarray | None = None,
        full: bool = False,
        viewer: str = "school",
    ) -> Block:
        """Score schools ``s_rows`` against partners ``p_rows`` (default: all).

        Two matrix products give both directions; filters, distance decay, language,
        fusion and the sides' factors run in one compiled pass per pair
        (:func:`matcher.kernels.score_matrix`). ``full`` also returns the parts that
        explanations need.
        """
        s_rows = np.asarray(s_rows, dtype=np.int64)
        sel: Any = slice(None) if p_rows is None else p_rows
        args = self._inputs(index, s_rows, sel, viewer)
        score = kernels.score_matrix(**args)
        if index.excluded.nnz:
            ex = index.excluded[s_rows][:, sel].tocoo()
            score[ex.row, ex.col] = -np.inf
        block = Block(args["F"], args["B"], score)
        if full:
            F, B, sx, px = args["F"], args["B"], args["sx"], args["px"]
            k2, cap = args["prm"][0], args["cap"][None, :]
            q = k2 * np.maximum(2.0 - 2.0 * (sx @ px.T), 0.0)
            block.mutual = self._mutual(F, B, viewer)
            block.proximity = (1.0 - np.minimum(q, cap)).astype(np.float32)
            dist = EARTH_RADIUS_KM * np.sqrt(np.maximum(q, 0.0) / k2)
            no_coords = ~np.isfinite(index.p_xyz[sel]).all(axis=1)[None, :]
            block.distance = np.where(no_coords, np.nan, dist).astype(np.float32)
            block.shared = (args["s_lang_bits"][:, None] & args["p_lang_bits"][None, :]) != 0
        return block

    def top_k_block(
        self,
        index: MatchIndex,
        s_rows: np.ndarray,
        p_rows: np.ndarray | None,
        k: int,
        feasible: np.ndarray | None = None,
        parallel: bool = True,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The k best partners (column indices into ``p_rows``, or partner rows when
        None) and their scores for each school, best first (ties: the lower column;
        -1 / -inf pad rows with fewer than k feasible partners), without forming the
        score matrix: partners are taken tile by tile (:data:`TILE`) and merged into
        running top-k lists. ``feasible``, if given, gets each school's count of pairs
        that pass every hard filter added to it. ``parallel=False`` runs the compiled
        pass on the calling thread (for callers that run blocks in threads of their
        own)."""
        s_rows = np.asarray(s_rows, dtype=np.int64)
        n, k = len(s_rows), int(k)
        n_p = index.n_partners if p_rows is None else len(p_rows)
        idx = np.full((n, k), -1, dtype=np.int64)
        val = np.full((n, k), -np.inf, dtype=np.float64)
        counts = np.zeros(n, dtype=np.int64)
        e = index.excluded
        if n == 1 and p_rows is None:  # one school: its excluded columns directly
            r = int(s_rows[0])
            ex_idx = e.indices[e.indptr[r] : e.indptr[r + 1]].astype(np.int64)
            ex_ptr = np.array([0, len(ex_idx)], dtype=np.int64)
        else:
            ex = e[s_rows] if p_rows is None else e[s_rows][:, p_rows]
            ex = ex.tocsr()
            ex.sort_indices()
            ex_ptr, ex_idx = ex.indptr.astype(np.int64), ex.indices.astype(np.int64)
        # a few schools: one pass (sparse products); a batch: tiles that stay in cache
        tile = max(n_p, 1) if n <= 8 else TILE
        kernel = kernels.top_k_merge if parallel and n > 1 else kernels.top_k_merge_serial
        for c0 in range(0, n_p, tile):
            sel: Any
            if p_rows is None:
                sel = slice(None) if tile >= n_p else slice(c0, c0 + tile)
            else:
                sel = p_rows[c0 : c0 + tile]
            args = self._inputs(index, s_rows, sel)
            args["pxt"] = np.ascontiguousarray(args.pop("px").T)  # columns: SIMD loads
            kernel(**args, ex_ptr=ex_ptr, ex_idx=ex_idx, col0=c0, idx=idx, val=val,
                   feasible=counts)  # fmt: skip
        if feasible is not None:
            feasible += counts
        return idx, val.astype(np.float32)

    def reachable(
        self, index: MatchIndex, s_rows: np.ndarray, p_rows: np.ndarray | None = None
    ) -> np.ndarray:
        """Hard filters only (within reach or online, level served, capacity left, not
        already in progress or declined), whatever either side gains: the candidates
        that baselines rank."""
        s_rows = np.asarray(s_rows, dtype=np.int64)
        sel: Any = slice(None) if p_rows is None else p_rows
        rad, _, px = self._partner_arrays(index)
        q = self._k2() * (2.0 - 2.0 * (index.s_xyz[s_rows] @ px[sel].T))
        level = np.left_shift(np.int64(1), index.s_level[s_rows])[:, None]
        ok = (q <= rad[sel][None, :]) & ((level & index.p_level_bits[sel][None, :]) != 0)
        if index.excluded.nnz:
            ex = index.excluded[s_rows][:, sel].tocoo()
            ok[ex.row, ex.col] = False
        return ok

    def score_pairs(
        self, index: MatchIndex, s_rows: np.ndarray, p_rows: np.ndarray, viewer: str = "school"
    ) -> Block:
        """Score aligned pairs ``(s_rows[i], p_rows[i])`` (one score each), with every
        part filled: the same rule as the kernels, written in numpy over the pairs."""
        s = np.asarray(s_rows, dtype=np.int64)
        p = np.asarray(p_rows, dtype=np.int64)
        rad, cap, px = self._partner_arrays(index)
        F = np.einsum("ij,ij->i", index.s_need_n[s], index.p_offer_n[p])
        B = np.einsum("ij,ij->i", index.s_offer_n[s], index.p_need_n[p])
        k2 = self._k2()
        dot = np.einsum("ij,ij->i", index.s_xyz[s], px[p])
        q = k2 * (2.0 - 2.0 * dot)
        lvl_ok = (np.left_shift(np.int64(1), index.s_level[s]) & index.p_level_bits[p]) != 0
        feasible = (q <= rad[p]) & lvl_ok & (F > 0) & (~_needs_filter(index, p, viewer) | (B > 0))
        if len(s) and index.excluded.nnz:
            feasible &= ~np.asarray(index.excluded[s, p]).ravel().astype(bool)
        mutual = self._mutual(F, B, viewer)
        x = np.minimum(q, cap[p])
        shared = (index.s_lang_bits[s] & index.p_lang_bits[p]) != 0
        content = mutual * (1.0 - self.decay_weight * x)
        content = np.where(shared, content, content * self.language_penalty)
        score = content * self._factors(index.s_weight)[s] * self._factors(index.p_weight)[p]
        dist = EARTH_RADIUS_KM * np.sqrt(np.maximum(q, 0.0) / k2)
        no_coords = ~np.isfinite(index.p_xyz[p]).all(axis=1)
        f32 = np.float32
        return Block(
            forward=F.astype(f32),
            backward=B.astype(f32),
            score=np.where(feasible, score, -np.inf).astype(f32),
            mutual=mutual.astype(f32),
            distance=np.where(no_coords, np.nan, dist).astype(f32),
            proximity=(1.0 - x).astype(f32),
            shared=shared,
        )


def _needs_filter(index: MatchIndex, sel: Any, viewer: str) -> np.ndarray:
    """Per partner of ``sel``: must the school meet one of its needs? Only on a
    partner's own list, and only for a partner that names needs."""
    if viewer == "partner":
        return index.p_has_needs[sel]
    return np.zeros(len(index.p_has_needs), dtype=bool)[sel]
