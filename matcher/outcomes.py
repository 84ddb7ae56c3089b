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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

if TYPE_CHECKING:  # the index imports this module's labels to count track records
    from matcher.index import MatchIndex

SUCCESS, FAILURE = 1, 0
PAIR_FEATURES = ("forward", "backward", "mutual", "proximity", "shared_language")


def label_pairs(outcomes: pd.DataFrame | None, as_of: datetime | None = None) -> pd.DataFrame:
    """One row per pair with a decided outcome before ``as_of``: label 1 (mutual
    success) or 0 (failure), when the pair started (``first_at``) and when its outcome
    became known (``decided_at``); pairs still pending are left out."""
    cols = ["school_id", "partner_id", "label", "first_at", "decided_at"]
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
    ev = ev.assign(decided=ev["recorded_at"].where(ev["success"] | ev["failure"]))
    g = ev.groupby(["school_id", "partner_id"], sort=False).agg(
        success=("success", "any"),
        failure=("failure", "any"),
        first_at=("recorded_at", "min"),
        decided_at=("decided", "min"),
    )
    g = g[g["success"] | g["failure"]]
    label = np.where(g["failure"], FAILURE, SUCCESS)
    return g.reset_index().assign(label=label)[cols]


@dataclass
class TrackRecord:
    """Per-row success counts on one side (aligned with the index rows)."""

    n: np.ndarray
    wins: np.ndarray


def track_records(labels: pd.DataFrame, row_of: dict[str, int], col: str, size: int) -> TrackRecord:
    rows = labels[col].map(row_of)
    ok = rows.notna().to_numpy()
    r = rows[ok].astype(int).to_numpy()
    y = labels["label"].to_numpy()[ok].astype(np.float64)
    return TrackRecord(
        n=np.bincount(r, minlength=size).astype(np.float64),
        wins=np.bincount(r, weights=y, minlength=size),
    )


def pair_starts(outcomes: pd.DataFrame | None, as_of: datetime | None = None) -> pd.DataFrame:
    """When each (school, partner) pair was first recorded, before ``as_of``."""
    cols = ["school_id", "partner_id", "first_at"]
    if outcomes is None or not len(outcomes):
        return pd.DataFrame(columns=cols)
    ev = outcomes if as_of is None else outcomes[outcomes["recorded_at"] < pd.Timestamp(as_of)]
    g = ev.groupby(["school_id", "partner_id"], sort=False)["recorded_at"].min()
    return g.rename("first_at").reset_index()[cols]


def _seconds(times: pd.Series) -> np.ndarray:
    return times.to_numpy(dtype="datetime64[s]").astype(np.int64)


class _AsOf:
    """Counts per row of one side over events before a given time, vectorised: events
    are sorted by (row, time), so a query is two binary searches."""

    def __init__(self, rows: np.ndarray, secs: np.ndarray, weights: np.ndarray) -> None:
        self.base = int(secs.min()) - 1 if len(secs) else 0
        self.span = (int(secs.max()) - self.base + 2) if len(secs) else 1
        key = rows.astype(np.int64) * self.span + (secs - self.base)
        order = np.argsort(key, kind="stable")
        self.key = key[order]
        self.cum = np.concatenate([[0.0], np.cumsum(weights[order].astype(np.float64))])

    def count(self, rows: np.ndarray, secs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(events, summed weights) of each ``rows[i]`` strictly before ``secs[i]``."""
        t = np.clip(secs - self.base, 0, self.span - 1)
        lo = np.searchsorted(self.key, rows.astype(np.int64) * self.span, side="left")
        hi = np.searchsorted(self.key, rows.astype(np.int64) * self.span + t, side="left")
        return (hi - lo).astype(np.float64), self.cum[hi] - self.cum[lo]


def _as_of(frame: pd.DataFrame, row_of: dict[str, int], col: str, time_col: str, w: Any) -> _AsOf:
    rows = frame[col].map(row_of)
    ok = rows.notna().to_numpy() & frame[time_col].notna().to_numpy()
    weights = np.asarray(w, dtype=np.float64)[ok] if w is not None else np.ones(int(ok.sum()))
    return _AsOf(rows[ok].astype(int).to_numpy(), _seconds(frame[time_col][ok]), weights)


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
        Inverse regularisation of the logistic regression (on standardised main terms).
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
        C: float = 0.03,
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

    def _record_terms(self, n: np.ndarray, wins: np.ndarray, act: np.ndarray) -> list[np.ndarray]:
        """A side's track-record columns: success rate shrunk toward the prior (as a
        deviation from it), amount of history and activity, both logged. One formula for
        training pairs (counts as of their start) and for serving (counts as of now)."""
        prior, k = self.prior_, self.prior_strength
        return [(wins + k * prior) / (n + k) - prior, np.log1p(n), np.log1p(act)]

    # -- fitting -------------------------------------------------------------------------

    def fit(
        self,
        index: MatchIndex,
        content,
        labels: pd.DataFrame,
        starts: pd.DataFrame | None = None,
    ) -> OutcomeModel:
        """Fit on decided pairs in ``labels`` (from :func:`label_pairs`), scoring pair
        features with ``content`` (a fitted MatchModel) on ``index``. ``starts`` (from
        :func:`pair_starts`; default: the decided pairs') gives each side's activity.

        Each training pair sees its sides' track records and activity as they stood when
        it started, as a served pair does at serving time: nothing from its own outcome
        or from later events leaks into its features."""
        labels = labels[
            labels["school_id"].isin(index.school_row)
            & labels["partner_id"].isin(index.partner_row)
        ]
        y = labels["label"].to_numpy()
        if len(labels) < 20 or len(np.unique(y)) < 2:
            raise ValueError("too few decided partnerships to learn from (need 20, both kinds)")
        self.prior_ = float(y.mean())
        rng = np.random.default_rng(self.random_state)
        starts = labels if starts is None else starts
        history = {
            side: (
                _as_of(labels, rows, col, "decided_at", labels["label"]),
                _as_of(starts, rows, col, "first_at", None),
            )
            for side, rows, col in (
                ("s", index.school_row, "school_id"),
                ("p", index.partner_row, "partner_id"),
            )
        }
        if len(labels) > self.max_pairs:  # the regression learns from a sample
            labels = labels.iloc[np.sort(rng.choice(len(labels), self.max_pairs, replace=False))]
            y = labels["label"].to_numpy()
        s_rows = index.school_rows(labels["school_id"].tolist())
        p_rows = index.partner_rows(labels["partner_id"].tolist())
        t = _seconds(labels["first_at"])
        # In-list negatives: a success's school with other partners (what a school's
        # list must rank below it) and its partner with other schools (what a partner's
        # list must rank below it), at the time the success started, so the model learns
        # what orders each side's list, not only which sides are busy. Infeasible draws
        # are dropped.
        n_neg = min(int(self.negatives_per_positive * max(int(y.sum()), 1)), self.max_pairs)
        pick = rng.choice(np.flatnonzero(y == SUCCESS), 4 * n_neg)
        same_school = rng.random(4 * n_neg) < 0.5
        neg_s = np.where(same_school, s_rows[pick], rng.integers(0, index.n_schools, 4 * n_neg))
        neg_p = np.where(same_school, rng.integers(0, index.n_partners, 4 * n_neg), p_rows[pick])
        nb = content.score_pairs(index, neg_s, neg_p)
        keep = np.flatnonzero(nb.feasible)[:n_neg]
        all_s = np.concatenate([s_rows, neg_s[keep]])
        all_p = np.concatenate([p_rows, neg_p[keep]])
        all_t = np.concatenate([t, t[pick[keep]]])
        all_y = np.concatenate([y, np.zeros(len(keep), dtype=y.dtype)])
        X = self._design(index, content, all_s, all_p, all_t, history)
        # The main terms are standardised, so the penalty treats a track record and a
        # match score alike; the many need × profile terms are not, which keeps them
        # small unless history shows them clearly. The scaling is folded back into the
        # weights, which then apply to raw features.
        n_main = len(PAIR_FEATURES) + 6 + index.s.attrs.shape[1] + index.p.attrs.shape[1]
        mean, scale = np.zeros(X.shape[1]), np.ones(X.shape[1])
        mean[:n_main], scale[:n_main] = X[:, :n_main].mean(axis=0), X[:, :n_main].std(axis=0)
        scale[scale < 1e-9] = 1.0
        self.model_ = LogisticRegression(C=self.C, max_iter=2000).fit((X - mean) / scale, all_y)
        self.coef_ = self.model_.coef_[0] / scale
        self.intercept_ = float(self.model_.intercept_[0] - self.coef_ @ mean)
        self.n_pairs_ = len(all_y)
        return self

    def _design(self, index, content, s_rows, p_rows, secs, history) -> np.ndarray:
        b = content.score_pairs(index, s_rows, p_rows)
        pair = [b.forward, b.backward, b.mutual, b.proximity, b.shared.astype(np.float64)]
        cols = {}
        for side, rows in (("s", s_rows), ("p", p_rows)):
            decided, started = history[side]
            n, wins = decided.count(rows, secs)
            act, _ = started.count(rows, secs)
            cols[side] = self._record_terms(n, wins, act)
        blocks = [
            np.column_stack([*pair, *cols["s"]]),
            index.s.attrs[s_rows],
            np.column_stack(cols["p"]),
            index.p.attrs[p_rows],
        ]
        if self.interactions:
            n_pairs = len(s_rows)
            sa, pa = index.s.attrs[s_rows], index.p.attrs[p_rows]
            blocks.append(
                (index.p_need_n[p_rows][:, :, None] * sa[:, None, :]).reshape(n_pairs, -1)
            )
            blocks.append(
                (index.s_need_n[s_rows][:, :, None] * pa[:, None, :]).reshape(n_pairs, -1)
            )
        return np.hstack(blocks).astype(np.float64)

    # -- scoring -------------------------------------------------------------------------

    def prepare(self, index: MatchIndex) -> None:
        """Precompute the per-school and per-partner additive logit terms on ``index``,
        from the track records and activity it counted as of its time."""
        check_is_fitted(self, "coef_")
        ex, feats = index.extra, []
        for k, side in (("s", index.s), ("p", index.p)):
            terms = self._record_terms(
                ex[f"{k}_decided"], ex[f"{k}_successes"], ex[f"{k}_activity"]
            )
            feats.append(np.column_stack([*terms, side.attrs]).astype(np.float64))
        s_feat, p_feat = feats
        w = self.coef_
        n_pair, ns, n_p = len(PAIR_FEATURES), s_feat.shape[1], p_feat.shape[1]
        ws = w[n_pair : n_pair + ns]
        wp = w[n_pair + ns : n_pair + ns + n_p]
        index.extra["outcome_s"] = (s_feat @ ws + self.intercept_).astype(np.float32)
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
        w = self.coef_[: len(PAIR_FEATURES)]
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
