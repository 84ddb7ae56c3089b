"""The match index: the one place where school and partner ids map to matrix rows.

Built from stored records and a fitted :class:`~matcher.features.FeatureSpace`, it holds
everything scoring needs as arrays aligned with those rows: normalised need/offer
matrices, coordinates, service radii, levels, capacities left, and the pairs that must
not be suggested (already active or in progress). Each side's learned factor is 1 here;
:meth:`MatchModel.index` returns a copy with the factors its outcome model learned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from matcher.errors import NotFoundError
from matcher.features import FeatureSpace, SideMatrices
from matcher.geo import radius_to_chord2, unit_vectors
from matcher.history import CLOSED, IN_PROGRESS, OCCUPYING, label_pairs, pair_states, track_records
from matcher.similarity import normalise
from matcher.vocabulary import Vocabulary, load_vocabulary


@dataclass
class MatchIndex:
    """Arrays for scoring, aligned with ``schools`` and ``partners`` rows."""

    schools: pd.DataFrame
    partners: pd.DataFrame
    school_row: dict[str, int]
    partner_row: dict[str, int]
    s: SideMatrices
    p: SideMatrices
    s_need_n: np.ndarray
    s_offer_n: np.ndarray
    p_offer_n: np.ndarray
    p_need_n: np.ndarray
    s_xyz: np.ndarray
    p_xyz: np.ndarray
    p_online: np.ndarray
    p_radius: np.ndarray
    p_rad2: np.ndarray
    s_level: np.ndarray
    p_level_ok: np.ndarray
    s_lang: np.ndarray
    s_lang_bits: np.ndarray
    p_lang_bits: np.ndarray
    p_level_bits: np.ndarray
    p_lang: np.ndarray
    s_capacity_left: np.ndarray
    p_capacity_left: np.ndarray
    excluded: sparse.csr_matrix
    p_has_needs: np.ndarray
    s_weight: np.ndarray
    p_weight: np.ndarray
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    cache: dict[Any, Any] = field(default_factory=dict)
    s_meta: dict[str, np.ndarray] = field(default_factory=dict)
    p_meta: dict[str, np.ndarray] = field(default_factory=dict)
    # the fitted model's vocabulary (None: a model saved before it kept one)
    vocabulary: Vocabulary | None = None

    @classmethod
    def build(
        cls,
        features: FeatureSpace,
        schools: pd.DataFrame,
        partners: pd.DataFrame,
        outcomes: pd.DataFrame | None = None,
        as_of: datetime | None = None,
        count_capacity: bool = True,
        similarity: str = "cosine",
    ) -> MatchIndex:
        """Encode records and derive filters; ``as_of`` hides later outcome events.

        ``count_capacity=False`` leaves every side its full capacity: capacity is how
        busy a side is on one day, not a property of a pair, so learning and holdout
        evaluation (whose window spans months in which partnerships end and capacity
        frees up) do not apply it. ``similarity`` says how needs meet offers (see
        :func:`matcher.similarity.normalise`)."""
        schools = schools.reset_index(drop=True)
        partners = partners.reset_index(drop=True)
        s = features.transform_schools(schools)
        p = features.transform_partners(partners)
        school_row = {sid: i for i, sid in enumerate(schools["school_id"].tolist())}
        partner_row = {pid: i for i, pid in enumerate(partners["partner_id"].tolist())}
        levels = list(features.levels_)
        level_pos = {lv: i for i, lv in enumerate(levels)}
        s_level = np.array([level_pos.get(lv, 0) for lv in schools["level"]], dtype=np.int64)
        p_level_ok = np.zeros((len(partners), len(levels)), dtype=bool)
        for r, lvls in enumerate(partners["levels"].tolist()):
            if lvls:
                p_level_ok[r, [level_pos[x] for x in lvls if x in level_pos]] = True
            else:
                p_level_ok[r, :] = True
        lat = pd.to_numeric(partners["latitude"], errors="coerce").to_numpy(dtype=np.float64)
        lon = pd.to_numeric(partners["longitude"], errors="coerce").to_numpy(dtype=np.float64)
        states = pair_states(outcomes, as_of)
        si = states["school_id"].map(school_row)
        pi = states["partner_id"].map(partner_row)
        # A partner's activity and capacity used count all its partnerships, also with
        # schools outside this index (an index may cover one province only).
        pi_all = pi[pi.notna()].astype(int).to_numpy()
        st_all = states["status"].to_numpy()[pi.notna().to_numpy()]
        p_activity = np.bincount(pi_all, minlength=len(partners)).astype(np.float64)
        p_used = np.bincount(pi_all[np.isin(st_all, OCCUPYING)], minlength=len(partners))
        ok = si.notna() & pi.notna()
        states, si, pi = states[ok], si[ok].astype(int), pi[ok].astype(int)
        status = states["status"].to_numpy()
        skip = np.isin(status, IN_PROGRESS + CLOSED)
        excluded = sparse.csr_matrix(
            (np.ones(int(skip.sum()), dtype=bool), (si[skip], pi[skip])),
            shape=(len(schools), len(partners)),
        )
        # how many distinct partnerships each side has been part of (its activity), and
        # its track record: decided partnerships and mutual successes (a partner's count
        # all of its partnerships, like its activity)
        activity = {
            "s_activity": np.bincount(si, minlength=len(schools)).astype(np.float64),
            "p_activity": p_activity,
        }
        labels = label_pairs(outcomes, as_of)
        for key, row_of, col in (("s", school_row, "school_id"), ("p", partner_row, "partner_id")):
            n, wins = track_records(labels, row_of, col, len(row_of))
            activity[f"{key}_decided"], activity[f"{key}_successes"] = n, wins
        occ = np.isin(status, OCCUPYING)
        s_used = np.bincount(si[occ], minlength=len(schools))
        if not count_capacity:
            s_used, p_used = np.zeros_like(s_used), np.zeros_like(p_used)
        norm = _normalised(s, p, similarity)
        return cls(
            schools=schools,
            partners=partners,
            school_row=school_row,
            partner_row=partner_row,
            s=s,
            p=p,
            s_need_n=norm["s_need_n"],
            s_offer_n=norm["s_offer_n"],
            p_offer_n=norm["p_offer_n"],
            p_need_n=norm["p_need_n"],
            s_xyz=unit_vectors(schools["latitude"].to_numpy(), schools["longitude"].to_numpy()),
            p_xyz=unit_vectors(lat, lon),
            p_online=partners["online"].to_numpy(dtype=bool),
            p_radius=partners["service_radius_km"].to_numpy(dtype=np.float64),
            p_rad2=radius_to_chord2(partners["service_radius_km"].to_numpy(dtype=np.float64)),
            s_level=s_level,
            p_level_ok=p_level_ok,
            s_lang=s.languages.astype(np.float32),
            s_lang_bits=_bits(s.languages),
            p_lang_bits=_bits(p.languages),
            p_level_bits=_bits(p_level_ok),
            p_lang=p.languages.astype(np.float32),
            s_capacity_left=schools["capacity"].to_numpy(dtype=np.int64) - s_used,
            p_capacity_left=partners["capacity"].to_numpy(dtype=np.int64) - p_used,
            excluded=excluded,
            # a partner that names needs must gain one (listed or read from its text)
            p_has_needs=(p.need_tag + p.need_text).sum(axis=1) > 0,
            s_weight=np.ones(len(schools), dtype=np.float64),
            p_weight=np.ones(len(partners), dtype=np.float64),
            extra=activity,
            # plain columns for output, so answers never go through pandas row access
            s_meta={c: schools[c].to_numpy() for c in ("school_id", "name", "level")}
            | {c: schools[c].to_numpy(dtype=np.float64) for c in ("latitude", "longitude")},
            p_meta={c: partners[c].to_numpy() for c in ("partner_id", "name", "type")}
            | {"latitude": lat, "longitude": lon, "online": partners["online"].to_numpy(bool)},
            vocabulary=getattr(features, "vocabulary_", None),
        )

    def vocab(self) -> Vocabulary:
        """The codes and labels the matrices' columns stand for: the fitted model's own
        (the bundled vocabulary for a model saved before it kept one)."""
        return self.vocabulary if self.vocabulary is not None else load_vocabulary()

    @property
    def n_schools(self) -> int:
        return len(self.school_row)

    @property
    def n_partners(self) -> int:
        return len(self.partner_row)

    def school_rows(self, ids: list[str]) -> np.ndarray:
        """Rows of the given school ids; NotFoundError naming the first unknown id."""
        try:
            return np.array([self.school_row[i] for i in ids], dtype=np.int64)
        except KeyError as exc:
            raise NotFoundError(f"no school with id {exc.args[0]!r}") from None

    def partner_rows(self, ids: list[str]) -> np.ndarray:
        try:
            return np.array([self.partner_row[i] for i in ids], dtype=np.int64)
        except KeyError as exc:
            raise NotFoundError(f"no partner with id {exc.args[0]!r}") from None


def _normalised(s: SideMatrices, p: SideMatrices, similarity: str) -> dict[str, np.ndarray]:
    """The four need/offer matrices scaled for one product per direction. A last column
    says "nothing asked": a partner that wants nothing back (no need listed, read or
    implied) is met by every school, so its list is ordered by what it gives."""
    wants_nothing = (p.need.sum(axis=1) <= 0).astype(np.float32)[:, None]
    zeros_s = np.zeros((s.need.shape[0], 1), dtype=np.float32)
    zeros_p = np.zeros((p.need.shape[0], 1), dtype=np.float32)
    ones_s = np.ones((s.need.shape[0], 1), dtype=np.float32)
    return {
        "s_need_n": np.hstack([normalise(s.need, "need", similarity), zeros_s]),
        "s_offer_n": np.hstack([normalise(s.offer, "offer", similarity), ones_s]),
        "p_offer_n": np.hstack([normalise(p.offer, "offer", similarity), zeros_p]),
        "p_need_n": np.hstack([normalise(p.need, "need", similarity), wants_nothing]),
    }


def _bits(mask: np.ndarray) -> np.ndarray:
    """Each row of a boolean matrix as an integer bit set (for one-instruction tests)."""
    weights = np.left_shift(np.int64(1), np.arange(mask.shape[1], dtype=np.int64))
    return (mask.astype(np.int64) @ weights).astype(np.int64)
