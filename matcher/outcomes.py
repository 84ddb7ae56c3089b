"""Learning from outcomes: which pairs succeed for both sides and last.

Recorded events label pairs — mutual success (completed, no rating below 4), failure
(declined, ended early, a low rating) or pending. A logistic regression learns the
chance of mutual success from pair features: the content model's forward and backward
match, distance, school level and partner type, and each side's track record (success
rate shrunk toward the prior, so one event does not dominate, and how much history it
has). Apart from the few pair terms, the model is additive in per-school and per-partner
terms, so scoring stays a handful of vectorised operations over all partners.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from matcher.index import MatchIndex

SUCCESS, FAILURE = 1, 0
PAIR_FEATURES = ("forward", "backward", "mutual", "proximity", "shared_language")


def label_pairs(outcomes: pd.DataFrame | None, as_of: datetime | None = None) -> pd.DataFrame:
    """One row per pair with a decided outcome before ``as_of``: label 1 (mutual
    success) or 0 (failure); pairs still pending are left out."""
    cols = ["school_id", "partner_id", "label", "first_at"]
    if outcomes is None or not len(outcomes):
        return pd.DataFrame(columns=cols)
    ev = outcomes if as_of is None else outcomes[outcomes["recorded_at"] < pd.Timestamp(as_of)]
    if not len(ev):
        return pd.DataFrame(columns=cols)
    low = (ev["school_rating"].fillna(5) < 4) | (ev["partner_rating"].fillna(5) < 4)
    ev = ev.assign(
        success=(ev["status"] == "completed") & ~low,
        failure=ev["status"].isin(["declined", "ended_early"]) | low,
    )
    g = ev.groupby(["school_id", "partner_id"], sort=False).agg(
        success=("success", "any"), failure=("failure", "any"), first_at=("recorded_at", "min")
    )
    g = g[g["success"] | g["failure"]]
    label = np.where(g["failure"], FAILURE, SUCCESS)
    return g.reset_index().assign(label=label)[cols]


@dataclass
class TrackRecord:
    """Per-row success counts on one side (aligned with the index rows)."""

    n: np.ndarray
    wins: np.ndarray

    def rate(self, prior: float, strength: float) -> np.ndarray:
        return (self.wins + strength * prior) / (self.n + strength)


def track_records(labels: pd.DataFrame, row_of: dict[str, int], col: str, size: int) -> TrackRecord:
    rows = labels[col].map(row_of)
    ok = rows.notna().to_numpy()
    r = rows[ok].astype(int).to_numpy()
    y = labels["label"].to_numpy()[ok].astype(np.float64)
    return TrackRecord(
        n=np.bincount(r, minlength=size).astype(np.float64),
        wins=np.bincount(r, weights=y, minlength=size),
    )


class OutcomeModel(BaseEstimator):
    """Chance of mutual success of a pair, from pair features and track records.

    Parameters
    ----------
    prior_strength : float
        Pseudo-events pulling a side's success rate toward the overall rate.
    negatives_per_positive : int
        Feasible pairs sampled as non-successes per success (at most ``max_pairs``), so
        the model ranks among all candidates, not only among pairs that were tried. Each
        keeps one side of a success: its school with another partner, or its partner
        with another school.
    C : float
        Inverse regularisation of the logistic regression.
    interactions : bool
        Also learn which school profiles meet which partner needs, and which partner
        profiles meet which school needs (need × attribute weights). They are what
        a school's tags rarely say — a company wanting CSR impact gains most with a
        small remote school, one wanting visibility with a large one — and history shows.
    max_pairs : int
        Most decided pairs learned from (a random sample beyond it), which bounds
        memory and time at national scale.
    random_state : int
        Seed for the negative sampling.
    """

    def __init__(
        self,
        prior_strength: float = 5.0,
        negatives_per_positive: int = 10,
        C: float = 0.1,
        interactions: bool = True,
        max_pairs: int = 30_000,
        random_state: int = 0,
    ) -> None:
        self.prior_strength = prior_strength
        self.negatives_per_positive = negatives_per_positive
        self.C = C
        self.interactions = interactions
        self.max_pairs = max_pairs
        self.random_state = random_state

    # -- feature blocks --------------------------------------------------------------------

    def side_terms(self, index: MatchIndex, labels: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Per-school and per-partner feature matrices (track record and categories)."""
        s_tr = track_records(labels, index.school_row, "school_id", index.n_schools)
        p_tr = track_records(labels, index.partner_row, "partner_id", index.n_partners)
        return self._side(index, s_tr, p_tr)

    def _side(
        self, index: MatchIndex, s_tr: TrackRecord, p_tr: TrackRecord
    ) -> tuple[np.ndarray, np.ndarray]:
        prior, k = self.prior_ if hasattr(self, "prior_") else 0.5, self.prior_strength
        s_act, p_act = index.extra["s_activity"], index.extra["p_activity"]
        s_feat = np.column_stack(
            [s_tr.rate(prior, k) - prior, np.log1p(s_tr.n), np.log1p(s_act), index.s.attrs]
        ).astype(np.float64)
        p_feat = np.column_stack(
            [p_tr.rate(prior, k) - prior, np.log1p(p_tr.n), np.log1p(p_act), index.p.attrs]
        ).astype(np.float64)
        return s_feat, p_feat

    # -- fitting -------------------------------------------------------------------------

    def fit(self, index: MatchIndex, content, labels: pd.DataFrame) -> OutcomeModel:
        """Fit on decided pairs in ``labels`` (from :func:`label_pairs`), scoring pair
        features with ``content`` (a fitted MatchModel) on ``index``."""
        labels = labels[
            labels["school_id"].isin(index.school_row)
            & labels["partner_id"].isin(index.partner_row)
        ]
        y = labels["label"].to_numpy()
        if len(labels) < 20 or len(np.unique(y)) < 2:
            raise ValueError("too few decided partnerships to learn from (need 20, both kinds)")
        self.prior_ = float(y.mean())
        rng = np.random.default_rng(self.random_state)
        # track records use every decided pair; the regression learns from a sample
        s_tr = track_records(labels, index.school_row, "school_id", index.n_schools)
        p_tr = track_records(labels, index.partner_row, "partner_id", index.n_partners)
        if len(labels) > self.max_pairs:
            labels = labels.iloc[np.sort(rng.choice(len(labels), self.max_pairs, replace=False))]
            y = labels["label"].to_numpy()
        s_rows = index.school_rows(labels["school_id"].tolist())
        p_rows = index.partner_rows(labels["partner_id"].tolist())
        # In-list negatives: a success's school with other partners (what a school's
        # list must rank below it) and its partner with other schools (what a partner's
        # list must rank below it), so the model learns what orders each side's list,
        # not only which sides are busy. Infeasible draws are dropped.
        n_neg = min(int(self.negatives_per_positive * max(int(y.sum()), 1)), self.max_pairs)
        pick = rng.choice(np.flatnonzero(y == SUCCESS), 4 * n_neg)
        same_school = rng.random(4 * n_neg) < 0.5
        neg_s = np.where(same_school, s_rows[pick], rng.integers(0, index.n_schools, 4 * n_neg))
        neg_p = np.where(same_school, rng.integers(0, index.n_partners, 4 * n_neg), p_rows[pick])
        nb = content.score_pairs(index, neg_s, neg_p)
        keep = np.flatnonzero(nb.feasible)[:n_neg]
        neg_s, neg_p = neg_s[keep], neg_p[keep]
        all_s = np.concatenate([s_rows, neg_s])
        all_p = np.concatenate([p_rows, neg_p])
        all_y = np.concatenate([y, np.zeros(len(neg_s), dtype=y.dtype)])
        # each pair's own label is left out of its sides' track records (in _design)
        own = np.concatenate([y, np.full(len(neg_s), -1)])
        X = self._design(index, content, all_s, all_p, s_tr, p_tr, own)
        self.model_ = LogisticRegression(C=self.C, max_iter=2000).fit(X, all_y)
        self.n_pairs_ = len(all_y)
        return self

    def _design(self, index, content, s_rows, p_rows, s_tr, p_tr, own) -> np.ndarray:
        b = content.score_pairs(index, s_rows, p_rows)
        pair = [b.forward, b.backward, b.mutual, b.proximity, b.shared.astype(np.float64)]
        decided = own >= 0
        s_n, s_w = s_tr.n[s_rows] - decided, s_tr.wins[s_rows] - np.where(decided, own, 0)
        p_n, p_w = p_tr.n[p_rows] - decided, p_tr.wins[p_rows] - np.where(decided, own, 0)
        prior, k = self.prior_, self.prior_strength
        s_act = np.maximum(index.extra["s_activity"][s_rows] - decided, 0)
        p_act = np.maximum(index.extra["p_activity"][p_rows] - decided, 0)
        s_cols = [((s_w + k * prior) / (s_n + k)) - prior, np.log1p(s_n), np.log1p(s_act)]
        p_cols = [((p_w + k * prior) / (p_n + k)) - prior, np.log1p(p_n), np.log1p(p_act)]
        blocks = [
            np.column_stack([*pair, *s_cols]),
            index.s.attrs[s_rows],
            np.column_stack(p_cols),
            index.p.attrs[p_rows],
        ]
        if self.interactions:
            n = len(s_rows)
            sa, pa = index.s.attrs[s_rows], index.p.attrs[p_rows]
            blocks.append((index.p_need_n[p_rows][:, :, None] * sa[:, None, :]).reshape(n, -1))
            blocks.append((index.s_need_n[s_rows][:, :, None] * pa[:, None, :]).reshape(n, -1))
        return np.hstack(blocks).astype(np.float64)

    # -- scoring -------------------------------------------------------------------------

    def prepare(self, index: MatchIndex, labels: pd.DataFrame) -> None:
        """Precompute the per-school and per-partner additive logit terms on ``index``."""
        check_is_fitted(self, "model_")
        s_feat, p_feat = self.side_terms(index, labels)
        w = self.model_.coef_[0]
        n_pair, ns, n_p = len(PAIR_FEATURES), s_feat.shape[1], p_feat.shape[1]
        ws = w[n_pair : n_pair + ns]
        wp = w[n_pair + ns : n_pair + ns + n_p]
        index.extra["outcome_s"] = (s_feat @ ws + self.model_.intercept_[0]).astype(np.float32)
        index.extra["outcome_p"] = (p_feat @ wp).astype(np.float32)
        a_s = index.s.attrs.shape[1]
        n_codes = index.p_need_n.shape[1]
        rest = w[n_pair + ns + n_p :]
        if self.interactions:
            w_bw = rest[: n_codes * a_s].reshape(n_codes, a_s)
            w_fw = rest[n_codes * a_s :].reshape(n_codes, -1)
            # One product per block gives both interaction terms:
            # [school attrs | school needs·W_fw] @ [partner needs·W_bw | partner attrs]ᵀ
            index.extra["outcome_s_int"] = np.hstack([index.s.attrs, index.s_need_n @ w_fw]).astype(
                np.float32
            )
            index.extra["outcome_p_int"] = np.hstack([index.p_need_n @ w_bw, index.p.attrs]).astype(
                np.float32
            )

    def pair_weights(self) -> tuple[np.float32, ...]:
        """Weights of the pair features, in ``PAIR_FEATURES`` order."""
        w = self.model_.coef_[0][: len(PAIR_FEATURES)]
        return tuple(np.float32(x) for x in w)

    def logit_block(self, index: MatchIndex, s_rows: np.ndarray, p_sel: Any) -> np.ndarray:
        """The linear part of the logit for a block, as one matrix product: per-school and
        per-partner terms, the forward and backward match, and the learned need × profile
        interactions. (The mutual, proximity and language terms are added elementwise.)"""
        ex = index.extra
        wf, wb = self.pair_weights()[:2]
        n_s = len(s_rows)
        left = [
            ex["outcome_s"][s_rows][:, None],
            np.ones((n_s, 1), dtype=np.float32),
            wf * index.s_need_n[s_rows],
            wb * index.s_offer_n[s_rows],
        ]
        p_o = ex["outcome_p"][p_sel]
        right = [
            np.ones((len(p_o), 1), dtype=np.float32),
            p_o[:, None],
            index.p_offer_n[p_sel],
            index.p_need_n[p_sel],
        ]
        if "outcome_s_int" in ex:
            left.append(ex["outcome_s_int"][s_rows])
            right.append(ex["outcome_p_int"][p_sel])
        return np.hstack(left).astype(np.float32) @ np.hstack(right).astype(np.float32).T
