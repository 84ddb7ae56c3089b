"""The optimised ranking paths against a plain numpy reference of the same scoring rule.

The reference below scores every school × partner pair the slow, obvious way (float64
matrix products, haversine distances, boolean filters, the sigmoid on every pair) and
sorts each full row; the engine's paths — batch ranking with geographic blocking, one
school's suggestions, one partner's — must give the same top-k: the same ids in the same
order, with scores within float32 tolerance. Where two candidates' reference scores are
equal within that tolerance their order may differ (float32 rounding), nothing else.

The sides' learned factors are read from the index (the outcome model computes them
once per index), so the reference follows the model when what it learns changes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher import schema
from matcher.geo import EARTH_RADIUS_KM, radius_to_chord2
from matcher.index import MatchIndex
from matcher.model import MatchModel
from matcher.ranking import may_reach, rank_batch, recommend_partners, recommend_schools
from matcher.similarity import fuse
from tests.conftest import SURABAYA, fit_world, frames_of, partner, school
from tools.samplegen import generate

K = 10
RTOL, ATOL = 2e-5, 2e-6


def reference_scores(
    model: MatchModel, index: MatchIndex, s_rows: np.ndarray, viewer: str = "school"
) -> np.ndarray:
    """Scores of ``s_rows`` against every partner (-inf where a hard filter fails), on
    ``viewer``'s list (on a partner's list a partner naming needs must gain)."""
    s_rows = np.asarray(s_rows)
    f64 = np.float64
    F = index.s_need_n[s_rows].astype(f64) @ index.p_offer_n.astype(f64).T
    B = index.s_offer_n[s_rows].astype(f64) @ index.p_need_n.astype(f64).T
    # on a partner's list its own gain counts ``partner_list_weight``, else half
    wb = model.partner_list_weight if viewer == "partner" else 0.5
    mutual = F if model.fusion == "forward" else fuse(F, B, model.fusion, wb)
    # straight-line (chord) distance between the points, km; NaN without coordinates
    sx, px = index.s_xyz[s_rows], index.p_xyz
    chord = np.sqrt(((sx[:, None, :] - px[None, :, :]) ** 2).sum(axis=2)) * EARTH_RADIUS_KM
    arc = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(chord / (2 * EARTH_RADIUS_KM), 1.0))
    online = index.p_online[None, :]
    with np.errstate(invalid="ignore"):
        reach = online | (arc <= index.p_radius[None, :])
    level = index.p_level_ok[:, index.s_level[s_rows]].T
    has_room = (index.p_capacity_left > 0)[None, :]
    excluded = index.excluded[s_rows].toarray()
    # no filler: the school must gain; on a partner's list, a partner with needs too
    gains = (F > 0) & ~((viewer == "partner") & index.p_has_needs[None, :] & (B <= 0))
    feasible = reach & level & has_room & ~excluded & gains
    # distance decay: quadratic up to decay_km, flat beyond; an online partner counts
    # as at most online_km away
    x = np.minimum(np.nan_to_num((chord / model.decay_km) ** 2, nan=np.inf), 1.0)
    x = np.where(online, np.minimum(x, min((model.online_km / model.decay_km) ** 2, 1.0)), x)
    shared = (index.s_lang[s_rows].astype(bool)[:, None, :] & index.p_lang.astype(bool)).any(2)
    score = mutual * (1.0 - model.decay_weight * x)
    score = np.where(shared, score, score * model.language_penalty)
    if model.outcome_model_ is not None:  # each side's learned factor
        score = score * index.s_weight[s_rows][:, None] * index.p_weight[None, :]
    return np.where(feasible, score, -np.inf)


def reference_top_k(scores: np.ndarray, k: int) -> list[np.ndarray]:
    """Per row: the k best feasible columns, best first, ties by the lower column."""
    out = []
    for row in scores:
        order = np.lexsort((np.arange(len(row)), -row))
        out.append(order[np.isfinite(row[order])][:k])
    return out


def assert_same_ranking(got_ids, got_scores, ref_row: np.ndarray, ref_ids, what: str) -> None:
    """Same length, and at each rank the candidate given has the reference score of that
    rank (so ids and order agree except between candidates tied within tolerance), and
    the score given is that score."""
    got_ids, ref_ids = np.asarray(got_ids), np.asarray(ref_ids)
    assert len(got_ids) == len(ref_ids), f"{what}: {len(got_ids)} ranked, expected {len(ref_ids)}"
    assert len(set(got_ids.tolist())) == len(got_ids), f"{what}: a candidate ranked twice"
    np.testing.assert_allclose(
        ref_row[got_ids], ref_row[ref_ids], rtol=RTOL, atol=ATOL, err_msg=what
    )
    np.testing.assert_allclose(got_scores, ref_row[ref_ids], rtol=RTOL, atol=ATOL, err_msg=what)
    swapped = got_ids != ref_ids
    if swapped.any():  # only between exact (float32) ties of the reference
        ties = np.isclose(ref_row[got_ids], ref_row[ref_ids], rtol=RTOL, atol=ATOL)
        assert ties[swapped].all(), f"{what}: order differs at ranks {np.flatnonzero(swapped)}"


def _frames(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return tuple(  # type: ignore[return-value]
        schema.read_file(kind, folder / f"{kind}.csv")[0]
        for kind in ("schools", "partners", "outcomes")
    )


WORLDS = {
    # the bundled sample; two generated worlds (one national: spread out, with partners
    # online and without coordinates) with and without the outcome model
    "sample": (None, {}),
    "seed-3": ((3, 400, 300, False), {}),  # both sides with learned factors
    "seed-2-national": ((2, 400, 300, True), {}),
    "seed-2-content-only": ((2, 400, 300, True), {"outcome_weight": 0.0}),
}


@pytest.fixture(scope="module", params=list(WORLDS))
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    spec, params = WORLDS[request.param]
    if spec is None:  # the session's fitted sample, shared with other tests
        sample = request.getfixturevalue("sample_world")
        model, index = sample.model, sample.index
    else:
        seed, n_s, n_p, national = spec
        folder = tmp_path_factory.mktemp(request.param)
        generate(folder, n_s, n_p, seed=seed, national=national)
        schools, partners, outcomes = _frames(folder)
        model = MatchModel(**params).fit(schools, partners, outcomes)
        index = model.index(schools, partners, outcomes)
    rows = np.arange(index.n_schools)
    ref = reference_scores(model, index, rows)
    ref_partner = reference_scores(model, index, rows, viewer="partner")
    return request.param, model, index, ref, ref_partner


def test_reference_has_work_to_check(world) -> None:
    """The worlds exercise the filters: some pairs infeasible, most schools ranked."""
    name, model, index, ref, _ = world
    feasible = np.isfinite(ref)
    assert 0.0 < feasible.mean() < 1.0, name
    assert (feasible.sum(axis=1) >= K).mean() > 0.5, name
    if name != "seed-2-content-only":
        assert model.outcome_model_ is not None, name
        assert np.ptp(index.p_weight) > 0, f"{name}: no learned partner factors to check"
        if name == "seed-3":
            assert np.ptp(index.s_weight) > 0, f"{name}: no learned school factors to check"


def test_batch_ranking_equals_reference(world) -> None:
    name, model, index, ref, _ = world
    ref_ids = reference_top_k(ref, K)
    seen = 0
    for rows, idx, scores in rank_batch(model, index, np.arange(index.n_schools), K, chunk=128):
        for r, ids, sc in zip(rows, idx, scores, strict=True):
            keep = ids >= 0
            assert_same_ranking(ids[keep], sc[keep], ref[r], ref_ids[r], f"{name} school {r}")
            seen += 1
    assert seen == index.n_schools


def test_one_school_equals_reference(world) -> None:
    name, model, index, ref, _ = world
    rng = np.random.default_rng(0)
    for r in rng.choice(index.n_schools, 40, replace=False):
        got = recommend_partners(model, index, int(r), K)
        (ref_ids,) = reference_top_k(ref[[r]], K)
        assert_same_ranking(got.rows, got.scores, ref[r], ref_ids, f"{name} school {r}")
        np.testing.assert_allclose(
            got.forward, index.s_need_n[r] @ index.p_offer_n[got.rows].T, rtol=1e-5, atol=1e-6
        )


def test_one_partner_equals_reference(world) -> None:
    name, model, index, _, ref = world
    rng = np.random.default_rng(1)
    for c in rng.choice(index.n_partners, 20, replace=False):
        got = recommend_schools(model, index, int(c), K)
        (ref_ids,) = reference_top_k(ref[:, c][None, :], K)
        assert_same_ranking(got.rows, got.scores, ref[:, c], ref_ids, f"{name} partner {c}")


def test_blocking_keeps_a_partner_on_the_rounded_edge_of_its_radius() -> None:
    """The exact test compares float32 squared chords, so a partner a centimetre beyond
    its radius of about 400 km reaches; the bounding-circle test must keep it too (with
    a margin of 1e-6 km it was dropped, and blocked ranking lost it)."""
    radii = np.arange(400.0, 401.0, 0.001)
    reached = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(radius_to_chord2(radii).astype(float)) / 2)
    i = int(np.argmax(reached - radii))
    radius, beyond = float(radii[i]), float(reached[i] - radii[i])
    assert beyond > 1e-5  # the rounding this test is about
    north = float(SURABAYA[0] + np.degrees((radius + beyond / 2) / EARTH_RADIUS_KM))
    w = fit_world(
        frames_of("schools", [school("S1")]),
        frames_of(
            "partners",
            [
                partner("P-EDGE", latitude=north, longitude=SURABAYA[1], service_radius_km=radius),
                partner("P-NEAR"),
            ],
        ),
    )
    ids = w.index.p_meta["partner_id"]
    unblocked = recommend_partners(w.model, w.index, 0, K).rows
    assert sorted(ids[unblocked]) == ["P-EDGE", "P-NEAR"]
    ((_, idx, _),) = rank_batch(w.model, w.index, np.array([0]), K, blocking=True)
    assert ids[idx[0][idx[0] >= 0]].tolist() == ids[unblocked].tolist()
    assert may_reach(w.index, np.array([0])).all()
