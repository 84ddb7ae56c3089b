"""Known-answer tests of the two-way model, filters and ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher.engine import Engine
from matcher.errors import MatcherError, NotFoundError


def ids(result: dict) -> list[str]:
    return [s["partner_id"] for s in result["suggestions"]]


def test_exact_two_way_match_ranks_first(world_engine: Engine) -> None:
    got = ids(world_engine.suggest("S1", k=10))
    assert got[0] == "P-EXACT"


def test_one_sided_match_ranks_below_mutual_match(world_engine: Engine) -> None:
    res = world_engine.suggest("S1", k=10)["suggestions"]
    # P-ONESIDED gives S1 what it needs but needs what S1 cannot give: on the school's
    # list it stays (the school gains), below the partner that gains too
    by_id = {s["partner_id"]: s for s in res}
    assert by_id["P-ONESIDED"]["score"] < by_id["P-EXACT"]["score"]
    assert by_id["P-ONESIDED"]["school_benefit"] == pytest.approx(
        by_id["P-EXACT"]["school_benefit"], abs=1e-6
    )
    assert by_id["P-ONESIDED"]["partner_benefit"] < by_id["P-EXACT"]["partner_benefit"]


def test_out_of_radius_absent_unless_online(world_engine: Engine) -> None:
    got = ids(world_engine.suggest("S1", k=10))
    assert "P-FAR" not in got
    assert "P-ONLINE" in got


def test_partner_levels_filter(world_engine: Engine) -> None:
    assert "P-SMK" not in ids(world_engine.suggest("S1", k=10))
    assert "P-SMK" in ids(world_engine.suggest("S4", k=10))


def test_scores_sorted_descending(world_engine: Engine) -> None:
    scores = [s["score"] for s in world_engine.suggest("S1", k=10)["suggestions"]]
    assert scores == sorted(scores, reverse=True)
    assert all(np.isfinite(scores))


def test_need_only_in_text_meets_offer(world_engine: Engine) -> None:
    res = world_engine.suggest("S2", k=10, lang="en")["suggestions"]
    by_id = {s["partner_id"]: s for s in res}
    gains = {g["code"]: g["source"] for g in by_id["P-DEVICES"]["school_gains"]}
    assert gains.get("digital_devices") == "text"
    assert "from the description" in by_id["P-DEVICES"]["explanation"]


def test_explanation_languages(world_engine: Engine) -> None:
    id_text = world_engine.suggest("S1", k=1, lang="id")["suggestions"][0]["explanation"]
    en_text = world_engine.suggest("S1", k=1, lang="en")["suggestions"][0]["explanation"]
    assert "Sekolah mendapat" in id_text and "pelatihan guru" in id_text
    assert "The school gains" in en_text and "teacher training" in en_text
    assert "lokasi dan subjek penelitian" in id_text  # what the partner gets back


def test_partner_side_suggestions(world_engine: Engine) -> None:
    res = world_engine.suggest_for_partner("P-SPORT", k=5)
    assert res["suggestions"][0]["school_id"] == "S3"
    smk = world_engine.suggest_for_partner("P-SMK", k=5)
    assert {s["school_id"] for s in smk["suggestions"]} == {"S4"}


def test_active_pair_not_suggested_and_capacity(world_engine: Engine, tmp_path) -> None:
    from tests.conftest import OUTCOME_COLS, write_csv

    rows = [
        {"outcome_id": "o1", "school_id": "S1", "partner_id": "P-EXACT", "status": "active",
         "recorded_at": "2025-01-01"},
    ]  # fmt: skip
    world_engine.load_files(outcomes=write_csv(tmp_path / "o.csv", OUTCOME_COLS, rows))
    assert "P-EXACT" not in ids(world_engine.suggest("S1", k=10))


def test_unknown_school_and_bad_k(world_engine: Engine) -> None:
    with pytest.raises(NotFoundError, match="NOPE"):
        world_engine.suggest("NOPE")
    with pytest.raises(MatcherError, match="k must be"):
        world_engine.suggest("S1", k=0)


@pytest.mark.parametrize("fusion", ["harmonic", "geometric", "min"])
def test_one_sided_pair_scores_zero_under_strict_fusions(fusion: str) -> None:
    from matcher.similarity import fuse

    f, b = np.array([[1.0, 0.8]]), np.array([[0.0, 0.8]])
    out = fuse(f, b, fusion)
    assert out[0, 0] == 0.0 and out[0, 1] == pytest.approx(0.8)


@pytest.mark.parametrize("fusion", ["harmonic", "geometric", "arithmetic", "min"])
@pytest.mark.parametrize("wb", [0.5, 2 / 3])
def test_weighted_fusion_same_in_numpy_and_kernels(fusion: str, wb: float) -> None:
    from matcher.kernels import FUSION_CODES, mutual
    from matcher.similarity import fuse

    f = np.array([1.0, 0.5, 0.0, 0.3, 0.25])
    b = np.array([0.5, 1.0, 0.7, 0.0, 0.25])
    want = fuse(f, b, fusion, wb)
    got = [mutual(x, y, FUSION_CODES[fusion], wb) for x, y in zip(f, b, strict=True)]
    assert np.allclose(got, want)
    if fusion in ("harmonic", "geometric", "min"):
        assert want[2] == 0.0 and want[3] == 0.0  # one side gains nothing: nothing
    if wb > 0.5 and fusion != "min":
        # the side whose gain weighs more prefers the pair that gives it more
        assert want[1] > want[0]


def test_batch_rank_matches_single_suggestions(world_engine: Engine) -> None:
    from matcher.engine import rank_frame

    rows = world_engine.select_schools(regency="Kota Surabaya")
    df = rank_frame(world_engine.rank(rows, k=3))
    one = world_engine.suggest("S1", k=3)["suggestions"]
    got = df[df["school_id"] == "S1"].sort_values("rank")
    assert got["partner_id"].tolist() == [s["partner_id"] for s in one]
    assert np.allclose(got["score"], [s["score"] for s in one], atol=1e-6)


def test_region_index_ranks_like_the_full_index(world_engine: Engine, tmp_path) -> None:
    from matcher.engine import rank_frame
    from tests.conftest import OUTCOME_COLS, SCHOOL_COLS, school, write_csv

    # a school elsewhere fills P-EXACT's capacity: a regional index must still see it
    far = [school(f"F{i}", regency="Kabupaten Malang", district="Batu") for i in range(5)]
    world_engine.load_files(schools=write_csv(tmp_path / "f.csv", SCHOOL_COLS, far))
    events = [{"outcome_id": f"o{i}", "school_id": f"F{i}", "partner_id": "P-EXACT",
               "status": "active", "recorded_at": "2025-01-01"} for i in range(5)]  # fmt: skip
    world_engine.load_files(outcomes=write_csv(tmp_path / "o.csv", OUTCOME_COLS, events))
    state, rows = world_engine.batch(regency="kota surabaya")
    assert len(rows) == 5 and state[2].n_schools == 5
    regional = rank_frame(world_engine.rank(rows, k=3, state=state))
    full_rows = world_engine.select_schools(regency="Kota Surabaya")
    full = rank_frame(world_engine.rank(full_rows, k=3))
    key = ["school_id", "rank"]
    pd.testing.assert_frame_equal(
        regional.sort_values(key).reset_index(drop=True)[["school_id", "rank", "partner_id"]],
        full.sort_values(key).reset_index(drop=True)[["school_id", "rank", "partner_id"]],
    )
    assert "P-EXACT" not in set(regional["partner_id"])  # no capacity left


def test_full_partner_hidden_when_serving_but_kept_for_holdout(
    world_engine: Engine, tmp_path
) -> None:
    from tests.conftest import OUTCOME_COLS, SCHOOL_COLS, school, write_csv

    world_engine.load_files(schools=write_csv(tmp_path / "s.csv", SCHOOL_COLS, [school("S6")]))
    # P-EXACT (capacity 5) runs five partnerships: it is full today, so it is not
    # suggested; the holdout view (count_capacity=False) still treats it as a candidate
    events = [{"outcome_id": f"o{i}", "school_id": s, "partner_id": "P-EXACT",
               "status": "active", "recorded_at": "2025-01-01"}
              for i, s in enumerate(["S2", "S3", "S4", "S5", "S6"])]  # fmt: skip
    world_engine.load_files(outcomes=write_csv(tmp_path / "o.csv", OUTCOME_COLS, events))
    assert "P-EXACT" not in ids(world_engine.suggest("S1", k=10))
    _, model, served = world_engine.snapshot()
    st = world_engine.store
    frames = (st.frame("schools"), st.frame("partners"), st.frame("outcomes"))
    holdout = model.index(*frames, count_capacity=False)
    s1, pe = served.school_row["S1"], served.partner_row["P-EXACT"]
    assert not model.score_block(served, [s1], [pe]).feasible[0, 0]
    assert model.score_block(holdout, [s1], [pe]).feasible[0, 0]
    assert holdout.p_capacity_left[pe] == 5 and served.p_capacity_left[pe] == 0


def test_no_filler_every_suggestion_gives_the_asking_side_something(engine, world_files):
    engine.load_files(world_files["schools"], world_files["partners"])
    engine.train(evaluate=False)
    for sid in ("S1", "S2", "S3", "S4", "S5"):
        res = engine.suggest(sid, k=10)
        assert all(s["school_benefit"] > 0 for s in res["suggestions"])
        assert all(
            "Sekolah mendapat: belum ada" not in s["explanation"] for s in res["suggestions"]
        )
    none = engine.suggest("S5", k=10)  # inclusive education: no partner offers it
    assert none["suggestions"] == []
    assert none["note"].startswith("Tidak ada lagi mitra yang cocok")
    assert "note" not in engine.suggest("S1", k=1)
    # a partner that names needs only gets schools that meet one of them
    for pid in ("P-EXACT", "P-SPORT"):
        res = engine.suggest_for_partner(pid, k=10, lang="en")
        assert all(s["partner_benefit"] > 0 for s in res["suggestions"])
    sport = engine.suggest_for_partner("P-SPORT", k=10, lang="en")
    assert [s["school_id"] for s in sport["suggestions"]] == ["S3"]
    assert sport["note"].startswith("No more suitable schools")


@pytest.mark.parametrize("world", ["fitted_world", "sample_world"])
def test_numpy_pair_rule_agrees_with_the_compiled_kernels(world, request):
    import numpy as np

    fitted = request.getfixturevalue(world)
    model, index = fitted.model, fitted.index
    rows = np.arange(index.n_schools)
    block = model.score_block(index, rows, full=True)
    s = np.repeat(rows, index.n_partners)
    p = np.tile(np.arange(index.n_partners), index.n_schools)
    pairs = model.score_pairs(index, s, p)
    assert np.array_equal(block.feasible.ravel(), np.isfinite(pairs.score))
    ok = np.isfinite(pairs.score)
    np.testing.assert_allclose(block.score.ravel()[ok], pairs.score[ok], rtol=1e-5)
    np.testing.assert_allclose(block.proximity.ravel(), pairs.proximity, atol=1e-5)
    np.testing.assert_allclose(block.mutual.ravel(), pairs.mutual, atol=1e-6)
