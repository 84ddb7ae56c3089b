"""Why a school or a partner got nothing from an allocation, in words an officer reads.

A school is left without a partner for one of a few reasons: no partner reaches it for
its level; every partner that reaches it is full; the partners that reach it are already
in a proposal or a partnership with it (or were declined); the officer forbade the only
ones left; its own capacity is used up; or it was outranked — its candidate partners
went to other schools (named). The same on the partners' side.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from matcher.index import MatchIndex

TEXT = {
    "id": {
        "no_reach": "tidak ada mitra yang menjangkau sekolah ini untuk jenjang {level}",
        "no_offer": "tidak satu pun dari {n} mitra yang menjangkau memberi yang dibutuhkan "
        "sekolah ini",
        "all_full": "semua {n} mitra yang menjangkau dan cocok sudah penuh",
        "in_progress": "mitra yang menjangkau ({n}) sudah diajukan, bermitra atau menolak "
        "sekolah ini",
        "forbidden": "mitra yang tersisa dikecualikan oleh petugas",
        "school_full": "kapasitas sekolah sudah terpakai ({n} kemitraan berjalan)",
        "outranked": "kalah bersaing: {n} mitra kandidat penuh; mitra terbaiknya, {partner}, "
        "diberikan ke {by}",
        "p_full": "kapasitas mitra sudah terpakai oleh kemitraan berjalan",
        "p_no_reach": "tidak ada sekolah terpilih dalam jangkauan dan jenjangnya",
        "p_not_listed": "tidak masuk {n} mitra terbaik sekolah mana pun yang dijangkaunya",
        "p_outranked": "sekolah yang mencantumkannya ({n}) mendapat mitra yang lebih cocok, "
        "misalnya {by}",
        "with": "dengan",
    },
    "en": {
        "no_reach": "no partner reaches this school for level {level}",
        "no_offer": "none of the {n} partners that reach this school offers what it needs",
        "all_full": "all {n} partners that reach this school and fit are full",
        "in_progress": "the partners that reach it ({n}) are already proposed, partnered or "
        "declined with this school",
        "forbidden": "the officer excluded the partners left",
        "school_full": "the school's capacity is used ({n} running partnerships)",
        "outranked": "outranked: its {n} candidate partners are full; its best, {partner}, "
        "went to {by}",
        "p_full": "the partner's capacity is used by running partnerships",
        "p_no_reach": "no selected school within its reach and levels",
        "p_not_listed": "not among the best {n} partners of any school it reaches",
        "p_outranked": "the schools that listed it ({n}) got partners that suit them better, "
        "e.g. {by}",
        "with": "with",
    },
}

# Short names of the reason codes, for tables and filters.
REASONS = {
    "no_partner_in_reach": {"id": "tidak terjangkau mitra", "en": "no partner in reach"},
    "no_offer": {"id": "tidak ada yang memberi kebutuhannya", "en": "nobody offers its needs"},
    "reachable_partners_full": {"id": "mitra terjangkau penuh", "en": "reachable partners full"},
    "in_progress": {"id": "sudah diajukan / bermitra", "en": "already proposed or partnered"},
    "forbidden": {"id": "dikecualikan petugas", "en": "excluded by the officer"},
    "school_full": {"id": "kapasitas sekolah penuh", "en": "school capacity full"},
    "outranked": {"id": "kalah bersaing", "en": "outranked"},
    "full": {"id": "kapasitas mitra penuh", "en": "partner capacity full"},
    "no_school_in_reach": {"id": "tidak ada sekolah terjangkau", "en": "no school in reach"},
    "not_listed": {"id": "tidak masuk daftar sekolah", "en": "not on any school's list"},
}


def reason_label(code: str, lang: str = "id") -> str:
    """The short name of a why-not reason code."""
    return REASONS.get(code, {}).get(lang if lang in ("id", "en") else "id", code)


def reach(index: MatchIndex, s_rows: np.ndarray, p_rows: np.ndarray) -> np.ndarray:
    """(schools × partners) mask: the partner serves the school's level and is online
    or within its service radius — the hard filters before capacity and history."""
    chord2 = np.maximum(2.0 - 2.0 * (index.s_xyz[s_rows] @ np.nan_to_num(index.p_xyz[p_rows]).T), 0)
    near = index.p_online[p_rows][None, :] | (chord2 <= index.p_rad2[p_rows][None, :])
    level = index.p_level_ok[p_rows][:, index.s_level[s_rows]].T
    return np.asarray(near & level)


def pair_obstacle(index: MatchIndex, s_row: int, p_row: int, lang: str = "id") -> str | None:
    """Why a partner cannot take a school (None if it can): for pinning a pair."""
    en = lang == "en"
    if index.excluded[s_row, p_row]:
        return (
            "a proposal or partnership between them is in progress, or was declined"
            if en
            else "sudah ada pengajuan atau kemitraan di antara keduanya, atau pernah ditolak"
        )
    if index.p_capacity_left[p_row] <= 0:
        return "the partner has no capacity left" if en else "kapasitas mitra sudah penuh"
    if index.s_capacity_left[s_row] <= 0:
        return "the school has no capacity left" if en else "kapasitas sekolah sudah penuh"
    if not reach(index, np.array([s_row]), np.array([p_row]))[0, 0]:
        return (
            "the partner does not reach the school (service radius or school level)"
            if en
            else "mitra tidak menjangkau sekolah ini (radius layanan atau jenjang)"
        )
    if not offers_needed(index, np.array([s_row]), np.array([p_row]))[0, 0]:
        return (
            "the partner offers nothing the school needs"
            if en
            else "mitra tidak memberi apa pun yang dibutuhkan sekolah"
        )
    return None


def offers_needed(index: MatchIndex, s_rows: np.ndarray, p_rows: np.ndarray) -> np.ndarray:
    """(schools × partners) mask: the partner offers something the school needs (a
    pair without that is never suggested)."""
    return np.asarray(index.s_need_n[s_rows] @ index.p_offer_n[p_rows].T > 0)


def _names(index: MatchIndex, side: str, rows: Any) -> str:
    meta = index.s_meta if side == "school" else index.p_meta
    return ", ".join(str(meta["name"][r]) for r in rows)


def why_not_schools(
    index: MatchIndex,
    rows: np.ndarray,
    e_s: np.ndarray,
    e_p: np.ndarray,
    score: np.ndarray,
    chosen: np.ndarray,
    lang: str = "id",
) -> pd.DataFrame:
    """One row per school of ``rows`` without an assignment: ``school_id, name,
    district, reason, explanation, by`` (``by``: ids of the schools that took its best
    candidate partner). Edges ``e_s``/``e_p`` are index rows of the candidate pairs."""
    t = TEXT.get(lang, TEXT["id"])
    got = np.zeros(index.n_schools, dtype=bool)
    got[e_s[chosen]] = True
    has_cand = np.zeros(index.n_schools, dtype=bool)
    has_cand[e_s] = True
    lost = rows[~got[rows]]
    out: list[dict[str, Any]] = []
    cols = ["school_id", "name", "district", "reason", "explanation", "by"]
    if not len(lost):
        return pd.DataFrame(columns=cols)
    order = np.lexsort((-score, e_s))  # candidates per school, best first
    by_s = e_s[order]
    holders: dict[int, list[int]] = {}
    for s, p in zip(e_s[chosen], e_p[chosen], strict=True):
        holders.setdefault(int(p), []).append(int(s))
    no_cand = lost[~has_cand[lost]]
    reach_of: dict[int, np.ndarray] = {}
    useful_of: dict[int, np.ndarray] = {}
    all_p = np.arange(index.n_partners)
    for start in range(0, len(no_cand), 512):
        part = no_cand[start : start + 512]
        m = reach(index, part, all_p)
        useful = m & offers_needed(index, part, all_p)
        for i, s in enumerate(part):
            reach_of[int(s)] = np.flatnonzero(m[i])
            useful_of[int(s)] = np.flatnonzero(useful[i])
    sched = index.schools
    for s in lost.tolist():
        level = str(index.s_meta["level"][s])
        by: list[str] = []
        if index.s_capacity_left[s] <= 0:
            reason = "school_full"
            n_used = int(sched["capacity"].iloc[s] - index.s_capacity_left[s])
            text = t["school_full"].format(n=n_used)
        elif not has_cand[s]:
            ps, fit = reach_of[s], useful_of[s]
            free = fit[index.p_capacity_left[fit] > 0]
            open_ = free[~np.asarray(index.excluded[s, free].todense()).ravel().astype(bool)]
            if not len(ps):
                reason, text = "no_partner_in_reach", t["no_reach"].format(level=level)
            elif not len(fit):
                reason, text = "no_offer", t["no_offer"].format(n=len(ps))
            elif not len(free):
                reason, text = "reachable_partners_full", t["all_full"].format(n=len(fit))
            elif not len(open_):
                reason, text = "in_progress", t["in_progress"].format(n=len(free))
            else:  # reachable, free and open, yet no candidate: the officer forbade them
                reason, text = "forbidden", t["forbidden"]
        else:
            lo, hi = np.searchsorted(by_s, [s, s + 1])
            cands = e_p[order[lo:hi]]
            best = int(cands[0])
            takers = holders.get(best, [])[:3]
            by = [str(index.s_meta["school_id"][x]) for x in takers]
            reason = "outranked"
            text = t["outranked"].format(
                n=len(cands),
                partner=index.p_meta["name"][best],
                by=_names(index, "school", takers) or "-",
            )
        out.append(
            {
                "school_id": str(index.s_meta["school_id"][s]),
                "name": str(index.s_meta["name"][s]),
                "district": sched["district"].iloc[s] if "district" in sched else None,
                "reason": reason,
                "explanation": text,
                "by": by,
            }
        )
    return pd.DataFrame(out, columns=cols)


def why_not_partners(
    index: MatchIndex,
    rows: np.ndarray,
    e_s: np.ndarray,
    e_p: np.ndarray,
    chosen: np.ndarray,
    n_candidates: int,
    lang: str = "id",
) -> pd.DataFrame:
    """One row per partner without an assignment, among the partners some selected
    school listed and those based in the selected schools' regencies: ``partner_id,
    name, reason, explanation, by`` (``by``: schools that listed it and got another)."""
    t = TEXT.get(lang, TEXT["id"])
    regencies = set(index.schools["regency"].iloc[rows].str.casefold()) if len(rows) else set()
    local = np.zeros(index.n_partners, dtype=bool)
    if "regency" in index.partners:
        reg = index.partners["regency"].fillna("").astype(str).str.casefold()
        local = reg.isin(regencies).to_numpy()
    listed = np.zeros(index.n_partners, dtype=bool)
    listed[e_p] = True
    got = np.zeros(index.n_partners, dtype=bool)
    got[e_p[chosen]] = True
    consider = np.flatnonzero((listed | local) & ~got)
    cols = ["partner_id", "name", "reason", "explanation", "by"]
    if not len(consider):
        return pd.DataFrame(columns=cols)
    unlisted = consider[~listed[consider]]
    reaches = np.zeros(index.n_partners, dtype=bool)
    for start in range(0, len(rows), 2048):
        m = reach(index, rows[start : start + 2048], unlisted)
        reaches[unlisted[m.any(axis=0)]] = True
    given: dict[int, list[int]] = {}
    for s, p in zip(e_s[chosen], e_p[chosen], strict=True):
        given.setdefault(int(s), []).append(int(p))
    listers: dict[int, list[int]] = {}
    sel = np.isin(e_p, consider[listed[consider]])
    for s, p in zip(e_s[sel], e_p[sel], strict=True):
        listers.setdefault(int(p), []).append(int(s))
    out = []
    for p in consider.tolist():
        by: list[str] = []
        if index.p_capacity_left[p] <= 0:
            reason, text = "full", t["p_full"]
        elif not listed[p]:
            if reaches[p]:
                reason, text = "not_listed", t["p_not_listed"].format(n=n_candidates)
            else:
                reason, text = "no_school_in_reach", t["p_no_reach"]
        else:
            schools = listers.get(p, [])
            shown = schools[:2]
            by = [str(index.s_meta["school_id"][s]) for s in shown]
            examples = "; ".join(
                f"{index.s_meta['name'][s]} {t['with']} {_names(index, 'partner', given[s][:1])}"
                for s in shown
                if given.get(s)
            )
            reason = "outranked"
            text = t["p_outranked"].format(n=len(schools), by=examples or "-")
        out.append(
            {
                "partner_id": str(index.p_meta["partner_id"][p]),
                "name": str(index.p_meta["name"][p]),
                "reason": reason,
                "explanation": text,
                "by": by,
            }
        )
    return pd.DataFrame(out, columns=cols)
