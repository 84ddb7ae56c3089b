"""The match model: fitted features plus the scoring rule for a block of pairs.

``MatchModel.score_block`` is the hot path: it scores a block of schools against a block
of partners (all of them by default) with a handful of matrix products and elementwise
operations — no Python loop over pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from matcher import kernels
from matcher.features import FeatureSpace
from matcher.geo import EARTH_RADIUS_KM
from matcher.index import MatchIndex
from matcher.kernels import FUSION_CODES
from matcher.outcomes import OutcomeModel, label_pairs, pair_starts
from matcher.similarity import fuse

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
    """Two-way content model of mutual benefit, with feasibility filters and soft factors.

    Parameters
    ----------
    fusion : {"harmonic", "geometric", "min", "arithmetic", "forward"}
        How the two directions combine; "forward" scores the school's side only (the
        one-way baseline).
    decay_km : float
        Distance over which the distance factor falls from 1 to ``1 - decay_weight``,
        quadratically (gently nearby, faster further out); flat beyond it.
    decay_weight : float
        Share of the score that decays with distance (0 disables distance decay).
    online_km : float
        Distance assumed for an online partner that is not nearby.
    language_penalty : float
        Factor applied when school and partner share no language.
    text_weight, ngram_range, threshold, implicit : see :class:`FeatureSpace`.
    outcome_weight : float
        Weight of the learned chance of mutual success against the plain content score
        (1, the default: the learned chance alone, whose own content terms rank sides
        without history; 0: content only). Used only when enough outcomes were recorded
        to learn from.
    """

    def __init__(
        self,
        fusion: str = "harmonic",
        decay_km: float = 60.0,
        decay_weight: float = 0.3,
        online_km: float = 30.0,
        language_penalty: float = 0.6,
        text_weight: float = 0.8,
        ngram_range: tuple[int, int] = (3, 5),
        threshold: float = 0.8,
        implicit: bool = True,
        outcome_weight: float = 1.0,
    ) -> None:
        self.fusion = fusion
        self.decay_km = decay_km
        self.decay_weight = decay_weight
        self.online_km = online_km
        self.language_penalty = language_penalty
        self.text_weight = text_weight
        self.ngram_range = ngram_range
        self.threshold = threshold
        self.implicit = implicit
        self.outcome_weight = outcome_weight

    def fit(
        self,
        schools: pd.DataFrame,
        partners: pd.DataFrame,
        outcomes: pd.DataFrame | None = None,
        as_of: datetime | None = None,
    ) -> MatchModel:
        """Fit the feature space on the stored schools and partners."""
        if self.fusion not in FUSION_CODES:
            raise ValueError(f"unknown fusion {self.fusion!r}")
        if not len(schools) or not len(partners):
            raise ValueError("training needs at least one school and one partner")
        self.features_ = FeatureSpace(
            text_weight=self.text_weight,
            ngram_range=self.ngram_range,
            threshold=self.threshold,
            implicit=self.implicit,
        ).fit(schools, partners)
        self.outcome_model_: OutcomeModel | None = None
        self.outcome_note_ = "content only (outcome_weight is 0)"
        if self.outcome_weight > 0 and outcomes is not None and len(outcomes):
            labels = label_pairs(outcomes, as_of)
            index = MatchIndex.build(
                self.features_, schools, partners, outcomes, as_of, count_capacity=False
            )
            try:
                starts = pair_starts(outcomes, as_of)
                self.outcome_model_ = OutcomeModel().fit(index, self, labels, starts)
                self.outcome_note_ = f"outcome model on {len(labels)} decided partnerships"
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
        see :meth:`MatchIndex.build`)."""
        check_is_fitted(self, "features_")
        index = MatchIndex.build(
            self.features_, schools, partners, outcomes, as_of, count_capacity=count_capacity
        )
        if self.outcome_model_ is not None:
            self.outcome_model_.prepare(index)
        return index

    def _inputs(self, index: MatchIndex, s_rows: np.ndarray, sel: Any) -> dict[str, Any]:
        """Arguments of the compiled kernels for one block (see :mod:`matcher.kernels`)."""
        k2 = (EARTH_RADIUS_KM / self.decay_km) ** 2
        key = ("kernel", k2, self.online_km)
        if key not in index.cache:  # per-partner arrays, once per index and parameters
            onl = index.p_online
            rad = np.where(onl, np.inf, k2 * index.p_rad2).astype(np.float64)
            rad[index.p_capacity_left <= 0] = -1.0  # no capacity left: never feasible
            # decay stops at decay_km; an online partner is never "further" than online_km
            cap = np.where(onl, min((self.online_km / self.decay_km) ** 2, 1.0), 1.0)
            px = np.nan_to_num(index.p_xyz, nan=0.0)
            index.cache[key] = (rad, cap.astype(np.float64), np.ascontiguousarray(px))
        rad_all, cap_all, px_all = index.cache[key]
        om = self.outcome_model_
        blend = om is not None and "outcome_s" in index.extra
        weights: tuple[Any, ...] = (0.0, 0.0, 0.0)
        L = np.zeros((1, 1), dtype=np.float32)
        if om is not None and blend:
            L = om.logit_block(index, s_rows, sel)
            weights = om.pair_weights()[2:]
        prm = [k2, self.decay_weight, self.language_penalty, self.outcome_weight, *weights]
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
        return {
            "F": F.astype(np.float32, copy=False),
            "B": B.astype(np.float32, copy=False),
            "L": L,
            "sx": np.ascontiguousarray(index.s_xyz[s_rows]),
            "px": px_all[sel],
            "s_level_bit": np.left_shift(np.int64(1), index.s_level[s_rows]),
            "s_lang_bits": index.s_lang_bits[s_rows],
            "p_level_bits": index.p_level_bits[sel],
            "p_lang_bits": index.p_lang_bits[sel],
            "rad": rad_all[sel],
            "cap": cap_all[sel],
            "prm": np.asarray(prm, dtype=np.float64),
            "fusion": FUSION_CODES[self.fusion],
            "blend": blend,
        }

    def score_block(
        self,
        index: MatchIndex,
        s_rows: np.ndarray,
        p_rows: np.ndarray | None = None,
        full: bool = False,
    ) -> Block:
        """Score schools ``s_rows`` against partners ``p_rows`` (default: all).

        Two matrix products give both directions; filters, distance decay, language,
        fusion and the outcome blend run in one compiled pass per pair
        (:func:`matcher.kernels.score_matrix`). ``full`` also returns the parts that
        explanations and the outcome model's training need.
        """
        s_rows = np.asarray(s_rows, dtype=np.int64)
        sel: Any = slice(None) if p_rows is None else p_rows
        args = self._inputs(index, s_rows, sel)
        score = kernels.score_matrix(**args)
        if index.excluded.nnz:
            ex = index.excluded[s_rows][:, sel].tocoo()
            score[ex.row, ex.col] = -np.inf
        block = Block(args["F"], args["B"], score)
        if full:
            F, B, sx, px = args["F"], args["B"], args["sx"], args["px"]
            k2, cap = args["prm"][0], args["cap"][None, :]
            q = k2 * np.maximum(2.0 - 2.0 * (sx @ px.T), 0.0)
            block.mutual = F if self.fusion == "forward" else fuse(F, B, self.fusion)
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
        key = np.full((n, k), -np.inf, dtype=np.float64)
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
        by_logit = False
        for c0 in range(0, n_p, tile):
            sel: Any
            if p_rows is None:
                sel = slice(None) if tile >= n_p else slice(c0, c0 + tile)
            else:
                sel = p_rows[c0 : c0 + tile]
            args = self._inputs(index, s_rows, sel)
            args["pxt"] = np.ascontiguousarray(args.pop("px").T)  # columns: SIMD loads
            # the learned chance alone is the score: rank by its logit (same order)
            by_logit = bool(args["blend"]) and self.outcome_weight == 1.0
            kernel(**args, ex_ptr=ex_ptr, ex_idx=ex_idx, col0=c0, by_logit=by_logit,
                   idx=idx, key=key, feasible=counts)  # fmt: skip
        if feasible is not None:
            feasible += counts
        if by_logit:
            with np.errstate(over="ignore"):
                key = 1.0 / (1.0 + np.exp(-key))
            key[idx < 0] = -np.inf
        return idx, key.astype(np.float32)

    def score_pairs(self, index: MatchIndex, s_rows: np.ndarray, p_rows: np.ndarray) -> Block:
        """Score aligned pairs ``(s_rows[i], p_rows[i])`` (one score each)."""
        out = []
        for start in range(0, len(s_rows), 4096):
            s, p = s_rows[start : start + 4096], p_rows[start : start + 4096]
            uniq_p, inv = np.unique(p, return_inverse=True)
            b = self.score_block(index, s, uniq_p, full=True)
            r = np.arange(len(s))
            out.append([getattr(b, name)[r, inv] for name in Block.__dataclass_fields__])
        if not out:
            e = np.zeros(0, dtype=np.float32)
            return Block(e, e, e, e, e, e, e.astype(bool))
        return Block(*[np.concatenate(parts) for parts in zip(*out, strict=True)])
