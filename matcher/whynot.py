"""Why a school or a partner got nothing from an allocation, in words an officer reads.

A school is left without a partner for one of a few reasons: no partner reaches it for
its level; every partner that reaches it is full; the partners that reach it are already
in a proposal or a partnership with it (or were declined); the officer forbade the only
ones left; its own capacity is used up; or it was outranked — its candidate partners
went to other schools (named). The same on the partners' side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from matcher.index import MatchIndex
from matcher.ranking import may_reach, spatial_order

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


def _first_per_group(group: np.ndarray, member: np.ndarray, n_groups: int, n: int) -> np.ndarray:
    """(n_groups × n): the first ``n`` members of each group in the order given, padded
    with -1 (e.g. the first three schools that hold each partner)."""
    out = np.full((n_groups, n), -1, dtype=np.int64)
    if not len(group):
        return out
    o = np.argsort(group, kind="stable")
    g = group[o]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    pos = np.arange(len(g)) - np.repeat(starts, np.diff(np.r_[starts, len(g)]))
    keep = pos < n
    out[g[keep], pos[keep]] = member[o][keep]
    return out


def _reach_chunks(
    index: MatchIndex,
    s_rows: np.ndarray,
    p_rows: np.ndarray | Callable[[], np.ndarray],
    chunk: int = 256,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """:func:`reach` of ``s_rows`` × ``p_rows`` in compact chunks of schools (the
    ranking's spatial order), each against only the partners that
    :func:`~matcher.ranking.may_reach` it, so a province's schools are never held
    against every partner: yields ``(schools, partners, mask)``. Exact: the mask is
    computed by :func:`reach` on a superset of the partners that reach.
    ``p_rows`` may be a callable, asked again before each chunk (the caller may
    narrow it as it goes)."""
    current = p_rows if callable(p_rows) else (lambda: p_rows)
    ordered = spatial_order(index, s_rows)  # consecutive schools are near each other
    for i in range(0, len(ordered), chunk):
        ps = current()
        if not len(ps):
            return
        part = ordered[i : i + chunk]
        cand = ps[may_reach(index, part, ps)]
        yield part, cand, reach(index, part, cand)


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
    candidate partner). Edges ``e_s``/``e_p`` are index rows of the candidate pairs.

    Vectorised over the schools: only the sentences are written one by one."""
    t = TEXT.get(lang, TEXT["id"])
    got = np.zeros(index.n_schools, dtype=bool)
    got[e_s[chosen]] = True
    has_cand = np.zeros(index.n_schools, dtype=bool)
    has_cand[e_s] = True
    lost = rows[~got[rows]]
    cols = ["school_id", "name", "district", "reason", "explanation", "by"]
    if not len(lost):
        return pd.DataFrame(columns=cols)
    sched = index.schools
    sid, sname = index.s_meta["school_id"], index.s_meta["name"]
    full = index.s_capacity_left[lost] <= 0
    cand = ~full & has_cand[lost]
    reason = np.full(len(lost), "outranked", dtype=object)
    reason[full] = "school_full"
    n = np.zeros(len(lost), dtype=np.int64)
    cap = sched["capacity"].to_numpy()[lost[full]]
    n[full] = [int(c - u) for c, u in zip(cap, index.s_capacity_left[lost[full]], strict=True)]
    # outranked: the school's best candidate (highest score, then first listed) went to
    # the first schools that hold that partner
    order = np.lexsort((-score, e_s))
    by_s = e_s[order]
    lo = np.searchsorted(by_s, lost, side="left")
    n[cand] = (np.searchsorted(by_s, lost, side="right") - lo)[cand]
    best = np.full(len(lost), -1, dtype=np.int64)
    best[cand] = e_p[order[lo[cand]]]
    takers = _first_per_group(e_p[chosen], e_s[chosen], index.n_partners, 3)
    # without a candidate: how far each school's partners got through the filters
    none = np.flatnonzero(~full & ~has_cand[lost])
    if len(none):
        at = np.full(index.n_schools, -1, dtype=np.int64)
        at[lost[none]] = none
        counts = np.zeros((len(lost), 4), dtype=np.int64)  # reach, fit, free, open
        room = index.p_capacity_left > 0
        for part, ps, m in _reach_chunks(index, lost[none], np.arange(index.n_partners)):
            useful = m & offers_needed(index, part, ps)
            free = useful & room[ps][None, :]
            blocked = np.asarray(index.excluded[part][:, ps].multiply(free).sum(axis=1)).ravel()
            c = np.column_stack([m.sum(1), useful.sum(1), free.sum(1), free.sum(1) - blocked])
            counts[at[part]] = c
        c = counts[none]
        code = np.select(
            [c[:, 0] == 0, c[:, 1] == 0, c[:, 2] == 0, c[:, 3] == 0],
            ["no_partner_in_reach", "no_offer", "reachable_partners_full", "in_progress"],
            "forbidden",
        )
        reason[none] = code
        n[none] = np.select([c[:, 1] == 0, c[:, 2] == 0], [c[:, 0], c[:, 1]], c[:, 2])
    level = index.s_meta["level"][lost]
    text: list[str] = []
    by: list[list[str]] = []
    for i, (r, k) in enumerate(zip(reason.tolist(), n.tolist(), strict=True)):
        who: list[str] = []
        if r == "outranked":
            tk = takers[best[i]]
            tk = tk[tk >= 0]
            who = [str(sid[x]) for x in tk]
            s_text = t["outranked"].format(
                n=k, partner=index.p_meta["name"][best[i]], by=_names(index, "school", tk) or "-"
            )
        elif r == "school_full":
            s_text = t["school_full"].format(n=k)
        elif r == "no_partner_in_reach":
            s_text = t["no_reach"].format(level=str(level[i]))
        elif r == "no_offer":
            s_text = t["no_offer"].format(n=k)
        elif r == "reachable_partners_full":
            s_text = t["all_full"].format(n=k)
        elif r == "in_progress":
            s_text = t["in_progress"].format(n=k)
        else:
            s_text = t["forbidden"]
        text.append(s_text)
        by.append(who)
    return pd.DataFrame(
        {
            "school_id": sid[lost].astype(str),
            "name": sname[lost].astype(str),
            "district": sched["district"].to_numpy()[lost] if "district" in sched else None,
            "reason": reason,
            "explanation": text,
            "by": by,
        },
        columns=cols,
    )


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
    name, reason, explanation, by`` (``by``: schools that listed it and got another).

    Vectorised over the partners: only the sentences are written one by one."""
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
    # a partner found reaching is not looked at again
    for _, ps, m in _reach_chunks(index, rows, lambda: unlisted[~reaches[unlisted]]):
        reaches[ps[m.any(axis=0)]] = True
    # the first partner each school was given, and the schools that listed each partner
    # (in the order of the candidate pairs)
    first_given = _first_per_group(e_s[chosen], e_p[chosen], index.n_schools, 1)[:, 0]
    sel = np.isin(e_p, consider[listed[consider]])
    n_listers = np.bincount(e_p[sel], minlength=index.n_partners)
    listers = _first_per_group(e_p[sel], e_s[sel], index.n_partners, 2)
    full = index.p_capacity_left[consider] <= 0
    reason = np.where(
        full,
        "full",
        np.where(
            listed[consider],
            "outranked",
            np.where(reaches[consider], "not_listed", "no_school_in_reach"),
        ),
    ).astype(object)
    sid, sname = index.s_meta["school_id"], index.s_meta["name"]
    text: list[str] = []
    by: list[list[str]] = []
    for p, r in zip(consider.tolist(), reason.tolist(), strict=True):
        who: list[str] = []
        if r == "full":
            p_text = t["p_full"]
        elif r == "not_listed":
            p_text = t["p_not_listed"].format(n=n_candidates)
        elif r == "no_school_in_reach":
            p_text = t["p_no_reach"]
        else:
            shown = listers[p][listers[p] >= 0]
            who = [str(sid[s]) for s in shown]
            examples = "; ".join(
                f"{sname[s]} {t['with']} {index.p_meta['name'][first_given[s]]}"
                for s in shown
                if first_given[s] >= 0
            )
            p_text = t["p_outranked"].format(n=int(n_listers[p]), by=examples or "-")
        text.append(p_text)
        by.append(who)
    return pd.DataFrame(
        {
            "partner_id": index.p_meta["partner_id"][consider].astype(str),
            "name": index.p_meta["name"][consider].astype(str),
            "reason": reason,
            "explanation": text,
            "by": by,
        },
        columns=cols,
    )
