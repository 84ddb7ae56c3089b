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
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from matcher.features import FeatureSpace
from matcher.geo import distance_block
from matcher.index import MatchIndex
from matcher.outcomes import OutcomeModel, label_pairs
from matcher.similarity import FUSIONS, fuse


@dataclass
class Block:
    """Scores of a block of schools (rows) against partners (columns)."""

    forward: np.ndarray
    backward: np.ndarray
    mutual: np.ndarray
    distance: np.ndarray
    feasible: np.ndarray
    score: np.ndarray


class MatchModel(BaseEstimator):
    """Two-way content model of mutual benefit, with feasibility filters and soft factors.

    Parameters
    ----------
    fusion : {"harmonic", "geometric", "min", "arithmetic", "forward"}
        How the two directions combine; "forward" scores the school's side only (the
        one-way baseline).
    decay_km : float
        Distance at which the distance factor has lost 1/e of its decaying part.
    decay_weight : float
        Share of the score that decays with distance (0 disables distance decay).
    online_km : float
        Distance assumed for an online partner that is not nearby.
    language_penalty : float
        Factor applied when school and partner share no language.
    text_weight, ngram_range, threshold, implicit : see :class:`FeatureSpace`.
    outcome_weight : float
        Weight of the learned chance of mutual success against the content score
        (0 = content only). Used only when enough outcomes were recorded to learn from.
    """

    def __init__(
        self,
        fusion: str = "harmonic",
        decay_km: float = 40.0,
        decay_weight: float = 0.3,
        online_km: float = 30.0,
        language_penalty: float = 0.6,
        text_weight: float = 0.8,
        ngram_range: tuple[int, int] = (3, 5),
        threshold: float = 0.8,
        implicit: bool = True,
        outcome_weight: float = 0.5,
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
        if self.fusion not in (*FUSIONS, "forward"):
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
            index = MatchIndex.build(self.features_, schools, partners, outcomes, as_of)
            try:
                self.outcome_model_ = OutcomeModel().fit(index, self, labels)
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
    ) -> MatchIndex:
        """Encode records into a :class:`MatchIndex` for scoring."""
        check_is_fitted(self, "features_")
        index = MatchIndex.build(self.features_, schools, partners, outcomes, as_of)
        if self.outcome_model_ is not None:
            self.outcome_model_.prepare(index, label_pairs(outcomes, as_of))
        return index

    def score_block(
        self, index: MatchIndex, s_rows: np.ndarray, p_rows: np.ndarray | None = None
    ) -> Block:
        """Score schools ``s_rows`` against partners ``p_rows`` (default: all)."""
        sel: Any = slice(None) if p_rows is None else p_rows
        forward = index.s_need_n[s_rows] @ index.p_offer_n[sel].T
        backward = index.s_offer_n[s_rows] @ index.p_need_n[sel].T
        one_way = self.fusion == "forward"
        mutual = forward if one_way else fuse(forward, backward, self.fusion)
        dist = distance_block(index.s_xyz[s_rows], index.p_xyz[sel])
        online = index.p_online[sel][None, :]
        with np.errstate(invalid="ignore"):
            reach = online | (dist <= index.p_radius[sel][None, :])
        feasible = reach & index.p_level_ok[sel][:, index.s_level[s_rows]].T
        feasible &= (index.p_capacity_left[sel] > 0)[None, :]
        if index.excluded.nnz:
            feasible &= ~index.excluded[s_rows][:, sel].toarray()
        eff = np.where(online, np.fmin(dist, self.online_km), dist)
        eff = np.nan_to_num(eff, nan=self.online_km)
        decay = (1.0 - self.decay_weight) + self.decay_weight * np.exp(-eff / self.decay_km)
        shared = (
            index.s_lang[s_rows].astype(np.float32) @ index.p_lang[sel].T.astype(np.float32)
        ) > 0
        lang = np.where(shared, 1.0, self.language_penalty)
        score = (mutual * decay * lang).astype(np.float32)
        om = self.outcome_model_
        if om is not None and "outcome_s" in index.extra:
            pair = om.pair_block(forward, backward, mutual, dist, online, shared)
            chance = om.predict_block(index, s_rows, sel, pair)
            a = self.outcome_weight
            score = ((1.0 - a) * score + a * chance).astype(np.float32)
        score[~feasible] = -np.inf
        return Block(forward, backward, mutual, dist, feasible, score)

    def score_pairs(self, index: MatchIndex, s_rows: np.ndarray, p_rows: np.ndarray) -> Block:
        """Score aligned pairs ``(s_rows[i], p_rows[i])`` (one score each)."""
        out = []
        for start in range(0, len(s_rows), 4096):
            s, p = s_rows[start : start + 4096], p_rows[start : start + 4096]
            uniq_p, inv = np.unique(p, return_inverse=True)
            b = self.score_block(index, s, uniq_p)
            r = np.arange(len(s))
            out.append([getattr(b, f)[r, inv] for f in Block.__dataclass_fields__])
        cols = [np.concatenate(parts) for parts in zip(*out, strict=True)] if out else []
        if not cols:
            e = np.zeros(0, dtype=np.float32)
            return Block(e, e, e, e, e.astype(bool), e)
        return Block(*cols)
