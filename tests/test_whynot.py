"""Why-not tables: the vectorised tables equal the per-school loops they replaced.

The oracle below is the loop version as it was (one school, one partner at a time);
on generated worlds with every reason present — schools outranked, full, beyond every
partner, with nobody offering their needs, with every fitting partner full, in progress
or forbidden — both give the same table, row for row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from matcher import schema, whynot
from matcher.allocation import assign, build_market
from matcher.index import MatchIndex
from matcher.model import MatchModel
from tools.samplegen import generate

# -- the oracle: the loops as they were -----------------------------------------


def _names(index: MatchIndex, side: str, rows: Any) -> str:
    meta = index.s_meta if side == "school" else index.p_meta
    return ", ".join(str(meta["name"][r]) for r in rows)


def oracle_schools(
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
    t = whynot.TEXT.get(lang, whynot.TEXT["id"])
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
        m = whynot.reach(index, part, all_p)
        useful = m & whynot.offers_needed(index, part, all_p)
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


def oracle_partners(
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
    t = whynot.TEXT.get(lang, whynot.TEXT["id"])
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
        m = whynot.reach(index, rows[start : start + 2048], unlisted)
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


def _world(folder: Path, seed: int, national: bool):
    generate(folder, 400, 300, seed=seed, national=national)
    schools, partners, outcomes = (
        schema.read_file(kind, folder / f"{kind}.csv")[0]
        for kind in ("schools", "partners", "outcomes")
    )
    model = MatchModel().fit(schools, partners, outcomes)
    rng = np.random.default_rng(seed)
    far = schools.iloc[[0]].assign(school_id="S-FAR", name="SD Jauh", latitude=-2.5,
                                   longitude=140.7)  # fmt: skip
    schools = pd.concat([schools, far], ignore_index=True)
    # scarce partners: most take one school, a fifth none, so schools compete
    cap = rng.choice([0, 1, 1, 1, 2], len(partners))
    partners = partners.assign(capacity=cap)
    if not national:  # nobody online: the far school is beyond every partner
        partners = partners.assign(online=False)
    return model, model.index(schools, partners, outcomes)


@pytest.fixture(scope="module", params=[(1, False), (2, True)], ids=["seed-1", "seed-2-national"])
def market(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    seed, national = request.param
    model, index = _world(tmp_path_factory.mktemp(f"w{seed}"), seed, national)
    rows = np.arange(index.n_schools)
    # forbid every candidate of a few schools, so "forbidden" and friends occur
    probe = build_market(model, index, rows, 20, 0.5)
    victims = np.unique(probe.e_s)[:5]
    forbid = [
        (str(index.s_meta["school_id"][s]), str(index.p_meta["partner_id"][p]))
        for s, p in zip(probe.e_s, probe.e_p, strict=True)
        if s in victims
    ]
    m = build_market(model, index, rows, 20, 0.5, forbidden=forbid)
    return index, m, assign(m, "optimal")


def test_reasons_are_all_exercised(market) -> None:
    index, m, chosen = market
    why = whynot.why_not_schools(index, m.rows, m.e_s, m.e_p, m.score, chosen)
    seen = set(why["reason"])
    assert {"outranked", "forbidden", "school_full"} <= seen, seen
    assert len(seen) >= 4, seen


@pytest.mark.parametrize("lang", ["id", "en"])
def test_school_table_equals_the_loop(market, lang: str) -> None:
    index, m, chosen = market
    got = whynot.why_not_schools(index, m.rows, m.e_s, m.e_p, m.score, chosen, lang)
    ref = oracle_schools(index, m.rows, m.e_s, m.e_p, m.score, chosen, lang)
    assert len(got) > 10
    pd.testing.assert_frame_equal(got, ref)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_partner_table_equals_the_loop(market, lang: str) -> None:
    index, m, chosen = market
    got = whynot.why_not_partners(index, m.rows, m.e_s, m.e_p, chosen, 20, lang)
    ref = oracle_partners(index, m.rows, m.e_s, m.e_p, chosen, 20, lang)
    assert len(got) > 10 and {"outranked", "full"} <= set(got["reason"])
    pd.testing.assert_frame_equal(got, ref)


def test_a_subset_of_schools(market) -> None:
    """A selection (not every school) with its own candidate pairs: still equal."""
    index, m, chosen = market
    keep = np.isin(m.e_s, m.rows[::3])
    rows = m.rows[::3]
    args = (index, rows, m.e_s[keep], m.e_p[keep])
    got = whynot.why_not_schools(*args, m.score[keep], chosen[keep])
    pd.testing.assert_frame_equal(got, oracle_schools(*args, m.score[keep], chosen[keep]))
    got_p = whynot.why_not_partners(*args, chosen[keep], 20)
    pd.testing.assert_frame_equal(got_p, oracle_partners(*args, chosen[keep], 20))
