"""Learning from outcomes: what happens once a pair is tried.

An outcome log records what people tried, and people try what they already see (near,
well-known, or what we suggested). A model that told recorded pairs from untried ones
would learn that visibility. What the log teaches honestly is what happens **once a pair
is tried**: does the asked side accept (its interest), and does an accepted partnership
end in mutual success (delivery: each side's reliability). So this module learns from
tried pairs only — no untried pair is ever a negative, and no count of how popular or
active a side is enters as a sign of benefit.

Two stages, each a logistic regression on tried pairs:

* **accept**: proposals that were answered, accepted (1) or declined (0);
* **deliver**: accepted partnerships that ended, mutual success (1: completed, no rating
  below 4) or not (0: ended early, a low rating, or not started ``STALL_DAYS`` after
  it was accepted: no follow-through).

Each stage first learns what the pair's content predicts (match both ways, shared
language). A side's *track record* in a stage is what its tried pairs did beyond
that prediction — the sum of (outcome − predicted) over its attempts, shrunk toward 0 by
``prior_strength`` pseudo-attempts — so a side is neither credited for being asked often
nor blamed for being asked by poorly fitting partners. A side's delivery record is read
from the other side's judgement (``RECORD_LABELS``): a partner's from whether its
partnerships completed with the school satisfied, a school's from whether the partner
was; a side is not marked down for its own low rating of the other. A record can only
raise a side that did better than predicted (its weight is never negative). The
stage's full model then learns how much a record predicts the next attempt. Every
training pair sees records as they stood when it started (time-correct: nothing from
its own or later outcomes leaks in).

Serving turns records into one factor per side: the chance of acceptance and of delivery
with the side's record, over the chance without it, at the average pair. The ranking
score is content benefit × school factor × partner factor: a side without history has
factor 1 (content decides), and history moves it as it accumulates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from matcher.history import AsOf, attempts, seconds
from matcher.index import MatchIndex


class ContentScorer(Protocol):
    """What this module needs of the content model (a fitted MatchModel passes itself):
    the parts of aligned pairs' scores."""

    def score_pairs(self, index: MatchIndex, s_rows: np.ndarray, p_rows: np.ndarray) -> Any: ...


# What the pair's content predicts is controlled for, so a record measures the side.
# Proximity is left out on purpose: who is asked depends on distance (exposure), and a
# control correlated with who was asked would soak up the very side effects (a nearby
# partner that fails, a far one that delivers) the records are for.
PAIR_FEATURES = ("mutual", "forward", "backward", "shared_language")
# stage -> (label column, when the label became known)
STAGES = {"accept": ("accepted", "answered_at"), "deliver": ("success", "decided_at")}
# stage -> (label of a school's record, label of a partner's record). A side's delivery
# record is read from the other side's judgement of it: a school's from whether its
# partnerships delivered for the partner, a partner's from whether they delivered for
# the school (ended early counts against both: the log cannot tell whose doing it was).
RECORD_LABELS = {"accept": ("accepted", "accepted"), "deliver": ("for_partner", "for_school")}


def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -z)


def _base_model(X: np.ndarray, y: np.ndarray, C: float) -> tuple[np.ndarray, float]:
    """What the pair's content predicts of a record's label: (coef, intercept) of a
    logistic regression; a constant rate when the label has one value only."""
    if len(np.unique(y)) < 2:
        rate = float(np.clip(y.mean() if len(y) else 0.5, 1e-3, 1 - 1e-3))
        return np.zeros(X.shape[1]), float(np.log(rate / (1 - rate)))
    lr = LogisticRegression(C=C, max_iter=1000).fit(X, y.astype(int))
    return lr.coef_[0].copy(), float(lr.intercept_[0])


def _predict(base: tuple[np.ndarray, float], X: np.ndarray) -> np.ndarray:
    coef, intercept = base
    return 1.0 / (1.0 + np.exp(-(X @ coef + intercept)))


class OutcomeModel(BaseEstimator):
    """Chances that a tried pair is accepted and delivers, from its content and each
    side's per-attempt track record; served as one multiplicative factor per side.

    Parameters
    ----------
    prior_strength : float
        Pseudo-attempts (with outcome equal to the prediction) added to every side's
        record, so one event does not dominate.
    C : float
        Inverse regularisation of the logistic regressions.
    min_attempts : int
        Fewest labelled attempts (with both outcomes present) a stage needs to be
        learned; a stage without enough is left out (factor 1).
    max_factor : float
        Bound of a side's factor (and of its inverse), so no record can push a side
        beyond what its content earns by more than this.
    accept_weight, deliver_weight : float
        How much each stage's chance moves the factor (exponents). Delivery counts in
        full; acceptance records are learned and reported but count 0 by default: on the
        generated grid they mostly tracked how busy a partner was when asked, which
        capacity filters already handle, and lowered true-benefit NDCG in every cell.
    """

    def __init__(
        self,
        prior_strength: float = 5.0,
        C: float = 1.0,
        min_attempts: int = 20,
        max_factor: float = 4.0,
        accept_weight: float = 0.0,
        deliver_weight: float = 1.0,
    ) -> None:
        self.prior_strength = prior_strength
        self.C = C
        self.min_attempts = min_attempts
        self.max_factor = max_factor
        self.accept_weight = accept_weight
        self.deliver_weight = deliver_weight

    # -- shared pieces ---------------------------------------------------------------

    @staticmethod
    def _tried(index: MatchIndex, outcomes: pd.DataFrame | None, as_of: datetime | None):
        last = None
        if outcomes is not None and len(outcomes):
            # only pairs of this index's schools and partners count: their events alone
            # are grouped (a province's index reads a seventh of a national log), with the
            # whole log's last event as "now" for stalled acceptances
            last = outcomes["recorded_at"].max()
            mine = outcomes["school_id"].isin(index.school_row) & outcomes["partner_id"].isin(
                index.partner_row
            )
            outcomes = outcomes[mine.to_numpy()]
        tried = attempts(outcomes, as_of, last).reset_index(drop=True)
        s_rows = tried["school_id"].map(index.school_row).to_numpy(dtype=np.int64)
        p_rows = tried["partner_id"].map(index.partner_row).to_numpy(dtype=np.int64)
        return tried, s_rows, p_rows

    @staticmethod
    def _content(index: MatchIndex, content: ContentScorer, s_rows, p_rows) -> np.ndarray:
        """Pair features (``PAIR_FEATURES``) of aligned pairs, from the content rule."""
        b = content.score_pairs(index, s_rows, p_rows)
        assert b.mutual is not None and b.shared is not None
        cols = [b.mutual, b.forward, b.backward, b.shared.astype(np.float32)]
        return np.column_stack(cols).astype(np.float64)

    @staticmethod
    def _controls(
        stage: str, X: np.ndarray, index: MatchIndex, tried: pd.DataFrame, p_rows, secs
    ) -> np.ndarray:
        """The pair's content, and for acceptance also how busy the asked partner was
        when the pair started (partnerships it had accepted and not yet ended, over its
        capacity): a busy partner declines more, which says nothing about the next
        school once it has room, so it is controlled for, not learned as a record."""
        if stage != "accept":
            return X
        acc = tried[tried["accepted"] == 1]
        took = AsOf.of(acc, index.partner_row, "partner_id", "answered_at", None)
        done = AsOf.of(acc, index.partner_row, "partner_id", "decided_at", None)
        n_took, _ = took.count(p_rows, secs)
        n_done, _ = done.count(p_rows, secs)
        cap = index.partners["capacity"].to_numpy(dtype=np.float64)[p_rows]
        return np.column_stack([X, (n_took - n_done) / np.maximum(cap, 1.0)])

    def _records(self, n: np.ndarray, resid: np.ndarray) -> np.ndarray:
        """A side's record: outcomes beyond prediction, shrunk by pseudo-attempts."""
        return resid / (n + self.prior_strength)

    # -- fitting -------------------------------------------------------------------------

    def fit(
        self,
        index: MatchIndex,
        content: ContentScorer,
        outcomes: pd.DataFrame,
        as_of: datetime | None = None,
    ) -> OutcomeModel:
        """Learn both stages from the pairs tried before ``as_of``, scoring their
        content with ``content`` (a MatchModel with fitted features) on ``index``."""
        tried, s_rows, p_rows = self._tried(index, outcomes, as_of)
        X = (
            self._content(index, content, s_rows, p_rows)
            if len(tried)
            else np.zeros((0, len(PAIR_FEATURES)))
        )
        start = seconds(tried["first_at"]) if len(tried) else np.zeros(0, dtype=np.int64)
        self.stages_: dict[str, dict[str, Any]] = {}
        notes = []
        for stage, (label, when) in STAGES.items():
            y = tried[label].to_numpy(dtype=np.float64) if len(tried) else np.zeros(0)
            ok = np.isfinite(y)
            if ok.sum() < self.min_attempts or len(np.unique(y[ok])) < 2:
                notes.append(f"{stage}: too few tried pairs ({int(ok.sum())})")
                continue
            Xk = self._controls(stage, X, index, tried, p_rows, start)[ok]
            yk = y[ok].astype(int)
            recs, bases = [], []
            for col, row_of, rows, rec_label in (
                ("school_id", index.school_row, s_rows[ok], RECORD_LABELS[stage][0]),
                ("partner_id", index.partner_row, p_rows[ok], RECORD_LABELS[stage][1]),
            ):
                yr = tried[rec_label].to_numpy(dtype=np.float64)[ok]
                base = _base_model(Xk, yr, self.C)
                resid = yr - _predict(base, Xk)
                labelled = tried[ok].assign(resid=resid)
                hist = AsOf.of(labelled, row_of, col, when, labelled["resid"])
                n, r = hist.count(rows, start[ok])
                recs.append(self._records(n, r))
                bases.append(base)
            Z = np.column_stack([Xk, *recs])
            full = LogisticRegression(C=self.C, max_iter=1000).fit(Z, yk)
            w = full.coef_[0]
            self.stages_[stage] = {
                "record_base": bases,  # school's, partner's: (coef, intercept)
                # a better record never lowers a side: a negative weight is noise of a
                # small log, not a reason to rank a side down for doing well
                "record_coef": np.maximum(w[-2:], 0.0),  # school, partner
                # the average tried pair's logit without any record: where a record's
                # effect on the chance is read off
                "mean_logit": float(np.mean(Xk @ w[:-2] + full.intercept_[0])),
                "n": int(ok.sum()),
                "rate": float(yk.mean()),
            }
            notes.append(
                f"{stage}: {int(ok.sum())} tried pairs, {yk.mean():.0%} yes, record weights "
                f"school {w[-2]:+.2f} partner {w[-1]:+.2f}"
            )
        if not self.stages_:
            raise ValueError("too few tried partnerships to learn from: " + "; ".join(notes))
        self.note_ = "outcome model (tried pairs only): " + "; ".join(notes)
        return self

    # -- serving ---------------------------------------------------------------------

    def side_factors(
        self,
        index: MatchIndex,
        content: ContentScorer,
        outcomes: pd.DataFrame | None,
        as_of: datetime | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each school's and partner's factor (rows of ``index``) from its record over
        the pairs tried before ``as_of``: 1 without history."""
        check_is_fitted(self, "stages_")
        log_s = np.zeros(index.n_schools)
        log_p = np.zeros(index.n_partners)
        tried, s_rows, p_rows = self._tried(index, outcomes, as_of)
        if len(tried):
            X = self._content(index, content, s_rows, p_rows)
            start = seconds(tried["first_at"])
            for stage, (label, _) in STAGES.items():
                st = self.stages_.get(stage)
                weight = self.accept_weight if stage == "accept" else self.deliver_weight
                if st is None or weight == 0:  # a stage that counts 0 moves no factor
                    continue
                y = tried[label].to_numpy(dtype=np.float64)
                ok = np.isfinite(y)
                Xs = self._controls(stage, X, index, tried, p_rows, start)[ok]
                z0 = st["mean_logit"]
                for rows, size, w, base, rec_label, out in (
                    (s_rows[ok], index.n_schools, st["record_coef"][0], st["record_base"][0],
                     RECORD_LABELS[stage][0], log_s),
                    (p_rows[ok], index.n_partners, st["record_coef"][1], st["record_base"][1],
                     RECORD_LABELS[stage][1], log_p),
                ):  # fmt: skip
                    resid = tried[rec_label].to_numpy(dtype=np.float64)[ok] - _predict(base, Xs)
                    n = np.bincount(rows, minlength=size).astype(np.float64)
                    r = np.bincount(rows, weights=resid, minlength=size)
                    z = z0 + w * self._records(n, r)
                    out += weight * (_log_sigmoid(z) - _log_sigmoid(np.asarray(z0)))
        bound = np.log(self.max_factor)
        return np.exp(np.clip(log_s, -bound, bound)), np.exp(np.clip(log_p, -bound, bound))
