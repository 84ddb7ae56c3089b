"""The generator's world settings do what they say, measured on what it writes, and its
ground truth is what the benchmarks can trust."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tools.samplegen import KUANTA_ID, PGRI6_ID, Truth, World, generate, main, make_world
from tools.samplegen.tables import PHRASES

N_S, N_P = 500, 70


def _codes(cell: str) -> set[str]:
    return {c for c in cell.split(";") if c}


def _world(**settings: object) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Truth]:
    return make_world(N_S, N_P, seed=11, **settings)


@pytest.fixture(scope="module")
def default() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Truth]:
    return _world()


def _proposals(o: pd.DataFrame, t: Truth) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the truth matrix of every first proposal of a pair."""
    first = o[o["status"] == "proposed"].drop_duplicates(["school_id", "partner_id"])
    rows = pd.Index(t.school_ids).get_indexer(first["school_id"])
    cols = pd.Index(t.partner_ids).get_indexer(first["partner_id"])
    return rows, cols


def _km(s: pd.DataFrame, p: pd.DataFrame) -> np.ndarray:
    """Distances (km) of all pairs; NaN where the partner has no coordinates."""
    lat1 = np.radians(pd.to_numeric(s["latitude"]).to_numpy())[:, None]
    lon1 = np.radians(pd.to_numeric(s["longitude"]).to_numpy())[:, None]
    lat2 = np.radians(pd.to_numeric(p["latitude"].replace("", None)).to_numpy(float))[None, :]
    lon2 = np.radians(pd.to_numeric(p["longitude"].replace("", None)).to_numpy(float))[None, :]
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


# ---- determinism and the two entries ------------------------------------------------


def test_make_world_is_deterministic(default: tuple) -> None:
    s, p, o, t = default
    s2, p2, o2, t2 = _world()
    pd.testing.assert_frame_equal(s, s2)
    pd.testing.assert_frame_equal(p, p2)
    pd.testing.assert_frame_equal(o, o2)
    assert np.array_equal(t.benefit, t2.benefit)
    other = make_world(N_S, N_P, seed=12)
    assert not other[2].equals(o)


def test_make_world_matches_the_files_and_truth_npz(tmp_path: Path) -> None:
    s, p, o, t = make_world(60, 20, seed=3, exposure=1.0, english=0.5)
    paths = generate(tmp_path, 60, 20, seed=3, truth=True, exposure=1.0, english=0.5)
    for key, frame in (("schools", s), ("partners", p), ("outcomes", o)):
        read = pd.read_csv(paths[key], dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(read, frame, check_dtype=False)
    z = np.load(paths["truth"], allow_pickle=False)
    assert set(z.files) == {
        "school_ids",
        "partner_ids",
        "benefit",
        "forward",
        "backward",
        "p_accept",
        "p_success",
        "partner_reliability",
    }
    # a partner of better hidden reliability has its pairs' benefit multiplied by more
    rel = t.partner_reliability
    assert rel is not None and rel.shape == (20,) and rel.std() > 0
    assert z["benefit"].dtype == np.float32 and z["benefit"].shape == (60, 20)
    assert list(z["school_ids"]) == list(s["school_id"])
    assert list(z["partner_ids"]) == list(p["partner_id"])
    assert np.array_equal(z["benefit"], t.benefit)
    assert np.array_equal(Truth.load(paths["truth"]).p_success, t.p_success)


def test_truth_does_not_change_the_files(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", 80, 20, seed=5)
    b = generate(tmp_path / "b", 80, 20, seed=5, truth=True)
    for key in ("schools", "partners", "outcomes"):
        assert a[key].read_bytes() == b[key].read_bytes()


def test_bad_settings_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="exposure"):
        World(exposure=1.5)
    with pytest.raises(ValueError, match="regencies"):
        World(regencies=0)
    with pytest.raises(TypeError, match="colour"):
        make_world(30, 10, colour=1)
    assert main(["--out", str(tmp_path), "--schools", "40", "--english", "2"]) == 2
    assert "english must be between 0 and 1" in capsys.readouterr().err


def test_dense_truth_refused_at_national_scale(tmp_path: Path) -> None:
    # refused before any work is done: 400,000 x 50,000 pairs never become a matrix
    with pytest.raises(ValueError, match="above the limit"):
        generate(tmp_path, 400_000, 50_000, national=True, truth=True)
    assert not any(tmp_path.iterdir())


# ---- each setting, measured on the output -------------------------------------------


def test_exposure_sends_proposals_to_near_and_popular_partners() -> None:
    share_near, top_share, fit = {}, {}, {}
    for e in (0.0, 1.0):
        s, p, o, t = _world(exposure=e)
        rows, cols = _proposals(o, t)
        km = _km(s, p)
        online = p["online"].eq("true").to_numpy()
        # among partners that reach the school, is the proposal to one of its 3 nearest?
        reach = t.benefit > 0
        km_r = np.where(reach, np.nan_to_num(km, nan=75.0), np.inf)
        nearest = np.argsort(km_r, axis=1)[:, :3]
        share_near[e] = np.mean([c in nearest[r] for r, c in zip(rows, cols, strict=True)])
        per_partner = np.bincount(cols, minlength=len(p))
        top_share[e] = np.sort(per_partner)[-len(p) // 10 :].sum() / per_partner.sum()
        fit[e] = t.forward[rows, cols].mean()
        assert online.any()
    assert share_near[1.0] > share_near[0.0] + 0.1
    assert top_share[1.0] > top_share[0.0] + 0.05
    assert fit[0.0] > fit[1.0] + 0.1, "without exposure schools ask partners that fit"


def _mentioned(description: str) -> set[str]:
    """Codes whose need sentences (id or en) the description contains."""
    return {
        code
        for code, (need_id, need_en, _, _) in PHRASES.items()
        if any(sentence in description for sentence in need_id + need_en)
    }


@pytest.mark.parametrize("share", [0.0, 0.3])
def test_text_only_needs(share: float) -> None:
    s, _, _, _ = _world(text_only_needs=share)
    listed = text_only = 0
    for needs, desc in zip(s["needs"], s["description"], strict=True):
        tags = _codes(needs)
        assert tags, "a school still lists at least one need"
        only = _mentioned(desc) - tags
        listed += len(tags)
        text_only += len(only)
    measured = text_only / (listed + text_only)
    if share == 0.0:
        assert measured == 0.0
    else:
        assert 0.2 < measured < 0.35, measured


_ID_WORDS = re.compile(r"\b(kami|adalah|dengan|untuk|yang|dan|di|siswa|guru|sekolah)\b", re.I)


def _english_share(frame: pd.DataFrame) -> float:
    desc = [
        d.replace(n, "")
        for d, n in zip(frame["description"], frame["name"], strict=True)
        if d and n not in ("SMP PGRI 6 Surabaya", "Kuanta")
    ]
    return float(np.mean([not _ID_WORDS.search(d) for d in desc]))


@pytest.mark.parametrize("share", [0.0, 0.5])
def test_english_share_of_descriptions(share: float) -> None:
    s, p, _, _ = make_world(400, 250, seed=11, english=share)
    for frame in (s, p):
        assert _english_share(frame) == pytest.approx(share, abs=0.08)
    if share:
        english = [bool(d) and not _ID_WORDS.search(d) for d in s["description"]]
        langs = s.loc[english, "languages"]
        assert (langs.str.contains("en") | langs.eq("")).all(), "who writes English reads it"


def test_regencies() -> None:
    s, p, _, _ = make_world(400, 40, seed=2, regencies=8)
    assert s["regency"].nunique() == 8
    assert {"Kota Surabaya", "Kabupaten Sumenep", "Kabupaten Gresik", "Kota Malang"} <= set(
        s["regency"]
    )
    assert make_world(100, 20, seed=2, regencies=2)[0]["regency"].nunique() == 2


def _partner_success(o: pd.DataFrame) -> pd.Series:
    """Per partner with at least 5 started partnerships: share completed, rated >= 4."""
    last = o[o["status"].isin(["completed", "ended_early"])]
    r_s = pd.to_numeric(last["school_rating"].replace("", None))
    r_p = pd.to_numeric(last["partner_rating"].replace("", None))
    ok = last["status"].eq("completed") & ~(r_s < 4) & ~(r_p < 4)
    g = ok.groupby(last["partner_id"])
    return g.mean()[g.size() >= 5]


def _follow_through_dispersion(o: pd.DataFrame) -> float:
    """How much partners' follow-through (accepted -> active) varies beyond chance: the
    Pearson dispersion of per-partner counts around the pooled rate (about 1 when every
    partner follows through alike)."""
    acc = o[o["status"] == "accepted"].groupby("partner_id").size()
    act = o[o["status"] == "active"].groupby("partner_id").size().reindex(acc.index).fillna(0)
    keep = acc >= 5
    acc, act = acc[keep], act[keep]
    rate = act.sum() / acc.sum()
    chi2 = ((act - acc * rate) ** 2 / (acc * rate * (1 - rate))).sum()
    return float(chi2 / (len(acc) - 1))


def test_reliability_spread_varies_outcomes_by_partner() -> None:
    dispersion, truth = {}, {}
    for r in (0.0, 1.0):
        _, _, o, t = make_world(1500, 150, seed=4, reliability=r, exposure=0.0, proposals=3.0)
        dispersion[r] = _follow_through_dispersion(o)
        truth[r] = t.p_success.mean(axis=0).std()
    assert dispersion[0.0] < 1.3 and dispersion[1.0] > 1.4 * dispersion[0.0]
    assert truth[1.0] > 1.5 * truth[0.0]


def test_acceptance_by_own_gain_and_load() -> None:
    _, p, o, t = make_world(800, 40, seed=6, exposure=1.0, proposals=3.0)
    answered = o[o["status"].isin(["accepted", "declined"])]
    rows = pd.Index(t.school_ids).get_indexer(answered["school_id"])
    cols = pd.Index(t.partner_ids).get_indexer(answered["partner_id"])
    acc = answered["status"].eq("accepted").to_numpy()
    gain = t.backward[rows, cols]
    assert gain[acc].mean() > gain[~acc].mean() + 0.05, "partners accept what they gain from"
    received = o[o["status"] == "proposed"].groupby("partner_id").size()
    cap = pd.to_numeric(p.set_index("partner_id")["capacity"])
    load = (received / cap).reindex(answered["partner_id"]).to_numpy()
    busy = load > np.quantile(load, 0.75)
    # compare like with like: the acceptance expected without load is alike in both groups
    expected = t.p_accept[rows, cols]
    gap_busy = acc[busy].mean() - expected[busy].mean()
    gap_free = acc[~busy].mean() - expected[~busy].mean()
    assert gap_busy < gap_free - 0.05, "busy partners decline more than their gain suggests"


# ---- the truth ----------------------------------------------------------------------


def test_truth_is_zero_where_a_pair_cannot_work(default: tuple) -> None:
    s, p, _, t = default
    km = _km(s, p)
    online = p["online"].eq("true").to_numpy()[None, :]
    radius = pd.to_numeric(p["service_radius_km"]).to_numpy()[None, :]
    out_of_reach = ~online & (km > radius)
    served = [_codes(c) for c in p["levels"]]
    wrong_level = np.array(
        [[bool(lv) and school not in lv for lv in served] for school in s["level"]]
    )
    assert out_of_reach.any() and wrong_level.any()
    assert (t.benefit[out_of_reach | wrong_level] == 0).all()
    ok = ~(out_of_reach | wrong_level)
    assert (t.benefit[ok] > 0).all()
    assert np.allclose(t.benefit[ok], t.p_accept[ok] * t.p_success[ok], atol=1e-6)
    for m in (t.benefit, t.p_accept, t.p_success, t.forward, t.backward):
        assert m.dtype == np.float32 and ((m >= 0) & (m <= 1)).all()


def test_truth_is_higher_for_fitting_reliable_partners() -> None:
    s, p, o, t = make_world(800, 40, seed=4, exposure=0.0, proposals=4.0)
    ok = t.benefit > 0
    assert t.benefit[ok & (t.forward >= 0.66)].mean() > 2 * t.benefit[ok & (t.forward == 0)].mean()
    # partners whose realised successes are high have a high true success chance
    realised = _partner_success(o)
    cols = pd.Index(t.partner_ids).get_indexer(realised.index)
    truth_mean = np.array([t.p_success[ok[:, c], c].mean() for c in cols])
    assert np.corrcoef(realised.to_numpy(), truth_mean)[0, 1] > 0.4


def test_flagship_pair_is_a_true_fit(default: tuple) -> None:
    _, _, _, t = default
    r = list(t.school_ids).index(PGRI6_ID)
    c = list(t.partner_ids).index(KUANTA_ID)
    assert t.forward[r, c] == 1.0
    assert t.benefit[r, c] > np.quantile(t.benefit[r][t.benefit[r] > 0], 0.9)


def test_large_world_samples_the_options(tmp_path: Path) -> None:
    """Above DENSE_PAIRS schools choose among sampled partners near them and online."""
    from tools.samplegen.outcomes import DENSE_PAIRS

    n_s, n_p = 2_100, DENSE_PAIRS // 2_100 + 10
    paths = generate(tmp_path, n_s, n_p, seed=9, national=True)
    o = pd.read_csv(paths["outcomes"], dtype=str, keep_default_na=False)
    proposals = o[o["status"] == "proposed"]
    assert 1.0 < len(proposals) / n_s < 2.5
    assert proposals["partner_id"].nunique() > n_p // 3
