"""District allocation: capacities, equity floor, optimality against greedy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.allocation import allocate, assign, build_market, greedy, solve
from matcher.errors import MatcherError, NotFoundError
from matcher.selection import Selection
from tests.conftest import World, fit_world, frames_of, partner, school

SURABAYA = Selection.of(regency="Kota Surabaya")


@st.composite
def instances(draw):
    n_s = draw(st.integers(1, 12))
    n_p = draw(st.integers(1, 8))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    mask = rng.random((n_s, n_p)) < draw(st.floats(0.1, 1.0))
    s_idx, p_idx = np.nonzero(mask)
    w = rng.random(len(s_idx))
    s_cap = rng.integers(0, 4, n_s)
    p_cap = rng.integers(0, 5, n_p)
    return s_idx, p_idx, w, s_cap, p_cap


@settings(max_examples=150, deadline=None)
@given(instances())
def test_capacities_never_exceeded(inst) -> None:
    s_idx, p_idx, w, s_cap, p_cap = inst
    for equity in (True, False):
        chosen = solve(s_idx, p_idx, w, s_cap, p_cap, equity=equity)
        assert (np.bincount(s_idx[chosen], minlength=len(s_cap)) <= s_cap).all()
        assert (np.bincount(p_idx[chosen], minlength=len(p_cap)) <= p_cap).all()


@settings(max_examples=150, deadline=None)
@given(instances())
def test_optimum_at_least_greedy(inst) -> None:
    s_idx, p_idx, w, s_cap, p_cap = inst
    opt = solve(s_idx, p_idx, w, s_cap, p_cap, equity=False)
    gr = greedy(s_idx, p_idx, w, s_cap, p_cap)
    assert w[opt].sum() >= w[gr].sum() - 1e-9


@settings(max_examples=150, deadline=None)
@given(instances())
def test_equity_floor_maximises_matched_schools(inst) -> None:
    """No other assignment covers more schools: the greedy cover and the plain optimum
    never match more schools than the equity solution."""
    s_idx, p_idx, w, s_cap, p_cap = inst
    eq = solve(s_idx, p_idx, w, s_cap, p_cap, equity=True)
    plain = solve(s_idx, p_idx, w, s_cap, p_cap, equity=False)
    covered = lambda m: len(np.unique(s_idx[m]))  # noqa: E731
    assert covered(eq) >= covered(plain)
    assert covered(eq) >= covered(greedy(s_idx, p_idx, w, s_cap, p_cap))


def test_equity_floor_spreads_a_strong_partner() -> None:
    # one partner with capacity 1 is best for both schools; school 1 has an alternative
    s_idx, p_idx = np.array([0, 1, 1]), np.array([0, 0, 1])
    w = np.array([0.9, 1.0, 0.2])
    chosen = solve(s_idx, p_idx, w, np.array([1, 1]), np.array([1, 1]))
    assert chosen.tolist() == [True, False, True]


def test_allocate_on_known_world(fitted_world: World) -> None:
    model, index = fitted_world.model, fitted_world.index
    rows = SURABAYA.rows(index)
    alloc = allocate(model, index, rows, k=5)
    a = alloc.assignments
    assert {"school_id", "rank", "partner_id", "score", "assigned"} <= set(a.columns)
    assert alloc.summary["partners_over_capacity"] == 0
    assert alloc.summary["schools"] == 5
    # the equity floor covers at least as many schools as the best-first baseline
    assert alloc.summary["schools_matched"] >= alloc.summary["greedy_schools_matched"] >= 1
    s1 = a[(a["school_id"] == "S1") & (a["assigned"] == True)]  # noqa: E712
    assert "P-EXACT" in s1["partner_id"].tolist()


def test_empty_selection_gives_empty_result(fitted_world: World) -> None:
    model, index = fitted_world.model, fitted_world.index
    alloc = allocate(model, index, np.array([], dtype=np.int64))
    assert alloc.summary["schools"] == 0 and len(alloc.assignments) == 0


def test_underresourced_index(fitted_world: World) -> None:
    from matcher.allocation import underresourced

    index = fitted_world.index
    rows = np.arange(index.n_schools)
    base = underresourced(index, rows)
    assert ((base >= 0) & (base <= 1)).all()
    # a small private school without accreditation scores at least 3 of the 4 criteria
    schools = fitted_world.schools.copy()
    schools.loc[0, ["students", "ownership", "accreditation"]] = [40, "swasta", "none"]
    small = fitted_world.model.index(schools, fitted_world.partners)
    assert underresourced(small, rows)[0] >= 0.75


def _assigned(alloc, school_id: str) -> list[str]:
    a = alloc.assignments
    return a[(a["school_id"] == school_id) & (a["assigned"] == True)]["partner_id"].tolist()  # noqa: E712


def test_forbid_and_pin_rerun_the_rest(fitted_world: World) -> None:
    model, index = fitted_world.model, fitted_world.index
    rows = SURABAYA.rows(index)
    base = allocate(model, index, rows, k=5)
    assert "P-EXACT" in _assigned(base, "S1")
    without = allocate(model, index, rows, k=5, forbidden=[("S1", "P-EXACT")])
    assert "P-EXACT" not in _assigned(without, "S1")
    assert without.summary["forbidden"] == 1
    pinned = allocate(model, index, rows, k=5, pinned=[("S1", "P-ONESIDED")])
    assert "P-ONESIDED" in _assigned(pinned, "S1")
    row = pinned.assignments.query("school_id == 'S1' and partner_id == 'P-ONESIDED'")
    assert row["pinned"].tolist() == [True]
    assert pinned.summary["pinned"] == 1 and pinned.summary["partners_over_capacity"] == 0


@pytest.mark.parametrize(
    ("pins", "error", "words"),
    [
        ([("S1", "P-SMK")], MatcherError, "does not reach"),
        ([("S3", "P-DEVICES")], MatcherError, "offers nothing the school needs"),
        ([("S1", "P-NOPE")], NotFoundError, "P-NOPE"),
        ([("S1", "P-EXACT")] * 1 + [("S2", "P-EXACT")], None, ""),
    ],
)
def test_pins_that_cannot_hold_are_refused(fitted_world: World, pins, error, words) -> None:
    model, index = fitted_world.model, fitted_world.index
    rows = SURABAYA.rows(index)
    if error is None:
        alloc = allocate(model, index, rows, pinned=pins)
        assert alloc.summary["pinned"] == 2
        return
    with pytest.raises(error, match=words):
        allocate(model, index, rows, pinned=pins)


def test_pin_and_forbid_the_same_pair_is_refused(fitted_world: World) -> None:
    model, index = fitted_world.model, fitted_world.index
    rows = SURABAYA.rows(index)
    with pytest.raises(MatcherError, match="both pinned and forbidden"):
        allocate(model, index, rows, pinned=[("S1", "P-EXACT")], forbidden=[("S1", "P-EXACT")])


def test_stable_mode_has_no_blocking_pair_and_methods_compare(fitted_world: World) -> None:
    model, index = fitted_world.model, fitted_world.index
    rows = SURABAYA.rows(index)
    stable = allocate(model, index, rows, mode="stable")
    comp = stable.summary["comparison"]
    assert set(comp) == {"optimal", "stable", "greedy", "top_k"}
    assert stable.summary["mode"] == "stable" and stable.summary["blocking_pairs"] == 0
    assert comp["stable"]["blocking_pairs"] == 0
    # the optimum covers at least as many schools and as much equity benefit as any other
    assert comp["optimal"]["schools_matched"] >= comp["stable"]["schools_matched"]
    assert (
        comp["optimal"]["partners_over_capacity"] == comp["stable"]["partners_over_capacity"] == 0
    )
    with pytest.raises(MatcherError, match="unknown allocation mode"):
        allocate(model, index, rows, mode="fair")


def test_why_not_names_the_reason(fitted_world: World) -> None:
    """A school beyond every partner's reach (the online partner made in-person), and
    partners of capacity one that two schools want: reasons in words, with who won."""
    model, schools, partners = fitted_world.model, fitted_world.schools, fitted_world.partners
    far = schools.iloc[[0]].assign(
        school_id="S-FAR", name="SD Jauh", latitude=-2.5, longitude=140.7
    )
    schools = pd.concat([schools, far], ignore_index=True)
    partners = partners.assign(online=False, capacity=1)
    index = model.index(schools, partners)
    rows = np.arange(len(schools))
    alloc = allocate(model, index, rows, k=5, lang="id")
    why = alloc.why_not_schools.set_index("school_id")
    assert why.loc["S-FAR", "reason"] == "no_partner_in_reach"
    assert why.loc["S5", "reason"] == "no_offer"  # nobody offers inclusive education
    assert "tidak ada mitra yang menjangkau" in why.loc["S-FAR", "explanation"]
    assert alloc.summary["unmatched_reasons"]["no feasible partner"] >= 1
    outranked = why[why["reason"] == "outranked"]
    for sid, r in outranked.iterrows():
        assert r["by"] and "kalah bersaing" in r["explanation"]
        winners = set(alloc.assignments.query("assigned == True")["school_id"])
        assert set(r["by"]) <= winners and sid not in winners
    en = allocate(model, index, rows, k=5, lang="en").why_not_schools.set_index("school_id")
    assert en.loc["S-FAR", "explanation"].startswith("no partner reaches")
    # partners: every one is either assigned or explained
    got = set(alloc.assignments.query("assigned == True")["partner_id"])
    explained = set(alloc.why_not_partners["partner_id"])
    assert got | explained >= set(partners["partner_id"]) - {"P-FAR", "P-ONLINE"}
    assert not got & explained


def test_schools_left_out_are_ranked_again_among_partners_with_room() -> None:
    # four schools need devices and teacher training; the partner giving both (P-BEST)
    # has one place, the one giving devices only (P-NEXT) has four: with one candidate
    # each, every school lists P-BEST first; the three left out are ranked again among
    # the partners with room and all four are matched, which is all the capacities allow
    schools = [
        school(f"S{i}", needs="digital_devices;teacher_training", capacity=1) for i in range(4)
    ]
    partners = [
        partner("P-BEST", offers="digital_devices;teacher_training", capacity=1),
        partner("P-NEXT", offers="digital_devices", capacity=4),
    ]
    w = fit_world(frames_of("schools", schools), frames_of("partners", partners))
    rows = np.arange(w.index.n_schools)
    one = allocate(w.model, w.index, rows, k=1, candidates=1)
    assert one.summary["schools_matched"] == 4
    assert one.summary["schools_coverable"] == 4
    assert one.summary["candidate_rounds"] == 2
    assert one.summary["partners_over_capacity"] == 0
    assert set(one.assignments["partner_id"]) == {"P-BEST", "P-NEXT"}
    # without the second look only the first lists count: one school matched, but
    # the bound still says four could be
    flat = build_market(w.model, w.index, rows, 1, 0.5, deepen=False)
    assert flat.coverable == 4
    assert (np.bincount(flat.local_s[assign(flat)], minlength=4) > 0).sum() == 1


def test_exchange_found_beyond_the_candidates() -> None:
    # S0 and S1 both fit P-A (one place); only S0 also fits P-B. With one candidate
    # each both list P-A; the search over every feasible pair finds the exchange
    # (S0 to P-B) and both are matched
    schools = [
        school("S0", needs="digital_devices;teacher_training", capacity=1),
        school("S1", needs="teacher_training", capacity=1),
    ]
    partners = [
        partner("P-A", offers="digital_devices;teacher_training", capacity=1),
        partner("P-B", offers="digital_devices", capacity=1),
    ]
    w = fit_world(frames_of("schools", schools), frames_of("partners", partners))
    rows = np.arange(w.index.n_schools)
    a = allocate(w.model, w.index, rows, k=2, candidates=1)
    assert a.summary["schools_matched"] == 2 == a.summary["schools_coverable"]
    got = a.assignments[a.assignments["assigned"].eq(True)]
    assert dict(zip(got["school_id"], got["partner_id"], strict=True)) == {
        "S0": "P-B",
        "S1": "P-A",
    }


def test_capacities_passed_in_are_the_ones_allocated() -> None:
    schools = [school(f"S{i}", needs="digital_devices", capacity=1) for i in range(3)]
    partners = [partner("P-A", offers="digital_devices", capacity=3)]
    w = fit_world(frames_of("schools", schools), frames_of("partners", partners))
    rows = np.arange(w.index.n_schools)
    less = allocate(w.model, w.index, rows, k=1, partner_capacity=np.array([1]))
    assert less.summary["schools_matched"] == 1 == less.summary["schools_coverable"]


def test_candidates_is_bounded_and_recorded(world_engine) -> None:
    eng = world_engine
    alloc = eng.allocate_selection(district="Semampir", k=2, candidates=3)
    assert alloc.summary["candidates"] == 3
    for bad in (0, 201, 2.5):
        with pytest.raises(MatcherError, match="candidates"):
            eng.allocate_selection(district="Semampir", k=2, candidates=bad)
