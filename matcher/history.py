"""What the outcome log says about pairs: status groups, the success rule, labels, pair
states and track records.

Every other module asks this one what a recorded event means: the index (which pairs are
in progress, how busy a side is), the outcome learner (what was tried and how it went),
evaluation and explanations (track records). Nothing here scores or learns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

# Latest status of a pair that makes it not worth suggesting again.
IN_PROGRESS = ("proposed", "accepted", "active")
OCCUPYING = ("accepted", "active")
CLOSED = ("declined",)
# The asked side said yes: every status after a proposal except a refusal.
ACCEPTED = ("accepted", "active", "completed", "ended_early")
DECLINED = ("declined",)
ENDED = ("completed", "ended_early")
STARTED = ("active", "completed", "ended_early")
# An accepted partnership that has not started this long after it was accepted did not
# follow through: a failed delivery, for both sides (the log cannot tell whose doing).
STALL_DAYS = 90
SUCCESS, FAILURE = 1, 0
LOW_RATING = 4  # a rating below this is not a success (docs/files.md)


def _before(outcomes: pd.DataFrame | None, as_of: datetime | None) -> pd.DataFrame | None:
    if outcomes is None or not len(outcomes):
        return None
    ev = outcomes if as_of is None else outcomes[outcomes["recorded_at"] < pd.Timestamp(as_of)]
    return ev if len(ev) else None


def low_rating(events: pd.DataFrame) -> pd.Series:
    """Events where either side rated the partnership below 4."""
    return (events["school_rating"].fillna(5) < LOW_RATING) | (
        events["partner_rating"].fillna(5) < LOW_RATING
    )


def mutual_success(events: pd.DataFrame) -> pd.Series:
    """Events that make a partnership mutually successful: completed, and neither rating
    given below 4 (docs/files.md)."""
    return (events["status"] == "completed") & ~low_rating(events)


def label_pairs(outcomes: pd.DataFrame | None, as_of: datetime | None = None) -> pd.DataFrame:
    """One row per pair with a decided outcome before ``as_of``: label 1 (mutual
    success) or 0 (failure: declined, ended early or a low rating), when the pair started
    (``first_at``) and when its outcome became known (``decided_at``); pairs still
    pending are left out."""
    cols = ["school_id", "partner_id", "label", "first_at", "decided_at"]
    ev = _before(outcomes, as_of)
    if ev is None:
        return pd.DataFrame(columns=cols)
    ev = ev.assign(
        success=mutual_success(ev),
        failure=ev["status"].isin(["declined", "ended_early"]) | low_rating(ev),
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


def attempts(
    outcomes: pd.DataFrame | None, as_of: datetime | None = None, last: Any = None
) -> pd.DataFrame:
    """What happened to each tried pair before ``as_of``, one row per pair.

    Columns: ``first_at`` (its first event); ``accepted`` (1 if the asked side said yes,
    0 if it declined, NaN while unanswered) and ``answered_at``; ``success`` (1 for a
    mutual success, 0 for ended early or a low rating, NaN while it runs or if it was
    never accepted) and ``decided_at`` (an accepted partnership not started
    ``STALL_DAYS`` after it was accepted, by ``as_of`` or the log's last event, did not
    follow through: 0, decided then; ``last`` stands for the log's last event when
    ``outcomes`` is part of a larger log); ``for_school`` and ``for_partner`` (known at the
    same time: 1 if it completed and that side rated it 4 or more or not at all, 0 if it
    ended early or that side rated it below 4), what each side's own judgement says of
    the other's delivery. These are the two things the log can teach honestly: whether
    the asked side accepts, and whether an accepted partnership delivers for both.
    """
    cols = ["school_id", "partner_id", "first_at", "accepted", "answered_at", "success",
            "decided_at", "for_school", "for_partner"]  # fmt: skip
    ev = _before(outcomes, as_of)
    if ev is None:
        return pd.DataFrame(columns=cols)
    status = ev["status"]
    acc, dec = status.isin(ACCEPTED), status.isin(DECLINED)
    ok = mutual_success(ev)
    bad = (status == "ended_early") | (status.isin(ENDED) & low_rating(ev))
    early, completed = status == "ended_early", status == "completed"
    low_s = ev["school_rating"].fillna(5) < LOW_RATING
    low_p = ev["partner_rating"].fillna(5) < LOW_RATING
    t = ev["recorded_at"]
    ev = ev.assign(
        acc=acc,
        dec=dec,
        ok=ok,
        bad=bad,
        started=status.isin(STARTED),
        t_accept=ev["recorded_at"].where(acc),
        ok_s=completed & ~low_s,
        bad_s=early | (status.isin(ENDED) & low_s),
        ok_p=completed & ~low_p,
        bad_p=early | (status.isin(ENDED) & low_p),
        t_answer=t.where(acc | dec),
        t_decide=t.where(ok | bad),
    )
    g = ev.groupby(["school_id", "partner_id"], sort=False).agg(
        first_at=("recorded_at", "min"),
        acc=("acc", "any"),
        dec=("dec", "any"),
        ok=("ok", "any"),
        bad=("bad", "any"),
        ok_s=("ok_s", "any"),
        bad_s=("bad_s", "any"),
        ok_p=("ok_p", "any"),
        bad_p=("bad_p", "any"),
        answered_at=("t_answer", "min"),
        decided_at=("t_decide", "min"),
        started=("started", "any"),
        accepted_at=("t_accept", "min"),
    )
    # accepted long enough ago (before as_of, or the log's last event) and never started
    if as_of is not None:
        now = pd.Timestamp(as_of)
    else:
        now = pd.Timestamp(last) if last is not None else ev["recorded_at"].max()
    stall_at = g["accepted_at"] + pd.Timedelta(days=STALL_DAYS)
    stalled = g["acc"] & ~g["started"] & ~g["bad"] & ~g["ok"] & (stall_at <= now)
    g["bad"] = g["bad"] | stalled
    g["bad_s"] = g["bad_s"] | stalled
    g["bad_p"] = g["bad_p"] | stalled
    g["decided_at"] = g["decided_at"].where(~stalled, stall_at)
    accepted = np.where(g["acc"], 1.0, np.where(g["dec"], 0.0, np.nan))

    def known(good: str, poor: str) -> np.ndarray:
        # a failure anywhere in the pair's history counts, as for the mutual label
        v = np.where(g[poor], 0.0, np.where(g[good], 1.0, np.nan))
        return np.where((accepted == 1.0) & np.isfinite(success), v, np.nan)

    success = np.where(g["bad"], 0.0, np.where(g["ok"], 1.0, np.nan))
    success = np.where(accepted == 1.0, success, np.nan)
    out = g.reset_index().assign(
        accepted=accepted,
        success=success,
        for_school=known("ok_s", "bad_s"),
        for_partner=known("ok_p", "bad_p"),
    )
    return out[cols]


def pair_starts(outcomes: pd.DataFrame | None, as_of: datetime | None = None) -> pd.DataFrame:
    """When each (school, partner) pair was first recorded, before ``as_of``."""
    cols = ["school_id", "partner_id", "first_at"]
    ev = _before(outcomes, as_of)
    if ev is None:
        return pd.DataFrame(columns=cols)
    g = ev.groupby(["school_id", "partner_id"], sort=False)["recorded_at"].min()
    return g.rename("first_at").reset_index()[cols]


def pair_states(outcomes: pd.DataFrame | None, as_of: datetime | None = None) -> pd.DataFrame:
    """Latest event per (school, partner) pair, recorded before ``as_of`` if given."""
    cols = ["school_id", "partner_id", "status", "recorded_at"]
    ev = _before(outcomes, as_of)
    if ev is None:
        return pd.DataFrame(columns=cols)
    # by time, then id; the last event of each pair in that order. Integer keys instead
    # of sorting and de-duplicating strings (1.1 M events: 3.0 -> 1.2 s), same frame
    if ev["outcome_id"].is_monotonic_increasing:  # as the store reads them
        tie = np.arange(len(ev))
    else:
        tie = np.empty(len(ev), dtype=np.int64)
        tie[np.argsort(ev["outcome_id"].to_numpy(dtype=object), kind="stable")] = np.arange(len(ev))
    order = np.lexsort((tie, ev["recorded_at"].to_numpy(dtype="datetime64[ns]").view(np.int64)))
    s_code = pd.factorize(ev["school_id"])[0].astype(np.int64)
    p_code = pd.factorize(ev["partner_id"])[0].astype(np.int64)
    pair = (s_code * (int(p_code.max()) + 1) + p_code)[order]
    _, from_end = np.unique(pair[::-1], return_index=True)
    last = np.sort(len(pair) - 1 - from_end)
    return ev.iloc[order[last]][cols]


def track_records(
    labels: pd.DataFrame, row_of: dict[str, int], col: str, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per row of one side: decided partnerships and mutual successes in ``labels``."""
    rows = labels[col].map(row_of)
    ok = rows.notna().to_numpy()
    r = rows[ok].astype(int).to_numpy()
    y = labels["label"].to_numpy()[ok].astype(np.float64)
    return (
        np.bincount(r, minlength=size).astype(np.float64),
        np.bincount(r, weights=y, minlength=size),
    )


def seconds(times: pd.Series) -> np.ndarray:
    """Timestamps as integer seconds (for as-of look-ups)."""
    return times.to_numpy(dtype="datetime64[s]").astype(np.int64)


class AsOf:
    """Counts and weighted sums per row of one side over events before a given time,
    vectorised: events are sorted by (row, time), so a query is two binary searches."""

    def __init__(self, rows: np.ndarray, secs: np.ndarray, weights: np.ndarray) -> None:
        self.base = int(secs.min()) - 1 if len(secs) else 0
        self.span = (int(secs.max()) - self.base + 2) if len(secs) else 1
        key = rows.astype(np.int64) * self.span + (secs - self.base)
        order = np.argsort(key, kind="stable")
        self.key = key[order]
        self.cum = np.concatenate([[0.0], np.cumsum(weights[order].astype(np.float64))])

    @classmethod
    def of(
        cls, frame: pd.DataFrame, row_of: dict[str, int], col: str, time_col: str, w: Any
    ) -> AsOf:
        """Events of ``frame`` keyed by the row of ``col`` at ``time_col``, weighted by
        ``w`` (None: each counts 1); rows unknown to ``row_of`` or without a time are
        left out."""
        rows = frame[col].map(row_of)
        ok = rows.notna().to_numpy() & frame[time_col].notna().to_numpy()
        weights = np.asarray(w, dtype=np.float64)[ok] if w is not None else np.ones(int(ok.sum()))
        return cls(rows[ok].astype(int).to_numpy(), seconds(frame[time_col][ok]), weights)

    def count(self, rows: np.ndarray, secs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(events, summed weights) of each ``rows[i]`` strictly before ``secs[i]``."""
        t = np.clip(secs - self.base, 0, self.span - 1)
        lo = np.searchsorted(self.key, rows.astype(np.int64) * self.span, side="left")
        hi = np.searchsorted(self.key, rows.astype(np.int64) * self.span + t, side="left")
        return (hi - lo).astype(np.float64), self.cum[hi] - self.cum[lo]
