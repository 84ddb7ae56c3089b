"""Learning from outcomes: a reliable partner beats its look-alike that never follows
through, and a far partner that delivers beats a near, famous one that fails; cold start
still works; failed training and rollback keep a model serving."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher import schema
from matcher.engine import Engine
from matcher.history import AsOf, attempts, label_pairs, pair_starts, pair_states
from matcher.model import MatchModel
from tests.conftest import OUTCOME_COLS, PARTNER_COLS, SCHOOL_COLS, partner, school, write_csv


def reliability_world(tmp_path: Path) -> dict[str, Path]:
    schools = [
        school(f"S{i:02d}", needs="teacher_training", offers="research_site",
               latitude=-7.25 + 0.002 * i)
        for i in range(40)
    ]  # fmt: skip
    schools.append(school("NEW", needs="teacher_training", offers="research_site"))
    same = {"offers": "teacher_training", "needs": "research_site", "type": "university",
            "capacity": 50}  # fmt: skip
    partners = [
        partner("P-A-FLAKY", **same),  # sorts first: wins ties before any history
        partner("P-B-RELIABLE", **same),
        # no history at all, a weaker content match (two offers, one needed)
        partner("P-OTHER", offers="teacher_training;sports", needs="research_site"),
    ]
    events = []
    start = pd.Timestamp("2023-01-01")
    for i in range(20):  # one new partnership a month each, decided three months on:
        # later ones start when earlier outcomes are known, so history can teach
        begun, ended = start + pd.DateOffset(months=i), start + pd.DateOffset(months=i + 3)
        for pid, status, rating in (
            ("P-B-RELIABLE", "completed", 5),
            ("P-A-FLAKY", "ended_early", 2),
        ):
            sid = f"S{i:02d}" if pid == "P-B-RELIABLE" else f"S{i + 20:02d}"
            events.append(
                {
                    "outcome_id": f"{pid}-{i}-a",
                    "school_id": sid,
                    "partner_id": pid,
                    "status": "accepted",
                    "recorded_at": begun.strftime("%Y-%m-%d"),
                }
            )
            events.append(
                {
                    "outcome_id": f"{pid}-{i}-b",
                    "school_id": sid,
                    "partner_id": pid,
                    "status": status,
                    "school_rating": rating,
                    "partner_rating": rating,
                    "recorded_at": ended.strftime("%Y-%m-%d"),
                }
            )
    for i in range(30, 40):  # later, new partnerships: what a holdout can find
        events.append({"outcome_id": f"late-{i}", "school_id": f"S{i:02d}",
                       "partner_id": "P-B-RELIABLE", "status": "accepted",
                       "recorded_at": "2026-03-01"})  # fmt: skip
    return {
        "schools": write_csv(tmp_path / "s.csv", SCHOOL_COLS, schools),
        "partners": write_csv(tmp_path / "p.csv", PARTNER_COLS, partners),
        "outcomes": write_csv(tmp_path / "o.csv", OUTCOME_COLS, events),
    }


def order(engine: Engine, sid: str) -> list[str]:
    return [s["partner_id"] for s in engine.suggest(sid, k=5)["suggestions"]]


def test_reliable_partner_ranks_first_after_retraining(engine: Engine, tmp_path: Path) -> None:
    files = reliability_world(tmp_path)
    engine.load_files(files["schools"], files["partners"])
    engine.train(evaluate=False)
    before = order(engine, "NEW")
    assert before[:2] == ["P-A-FLAKY", "P-B-RELIABLE"]  # content alone cannot tell them apart
    engine.load_files(outcomes=files["outcomes"])
    man = engine.train(evaluate=False)
    assert "outcome model" in man["outcome_model"]
    assert order(engine, "NEW")[0] == "P-B-RELIABLE"  # cold-start school, history of partners


def test_cold_start_partner_still_suggested(engine: Engine, tmp_path: Path) -> None:
    files = reliability_world(tmp_path)
    engine.load_files(files["schools"], files["partners"], files["outcomes"])
    engine.train(evaluate=False)
    res = engine.suggest_for_partner("P-OTHER", k=5)  # no history at all
    assert len(res["suggestions"]) == 5


def test_label_pairs_rules() -> None:
    ev = pd.DataFrame(
        {
            "outcome_id": ["1", "2", "3", "4", "5"],
            "school_id": ["a", "b", "c", "d", "d"],
            "partner_id": ["x", "x", "x", "x", "y"],
            "status": ["completed", "completed", "declined", "active", "completed"],
            "school_rating": [5, 3, None, None, None],
            "partner_rating": [4, 5, None, None, None],
            "recorded_at": pd.to_datetime(["2025-01-01"] * 4 + ["2026-01-01"]),
        }
    )
    got = label_pairs(ev).set_index(["school_id", "partner_id"])["label"].to_dict()
    assert got == {("a", "x"): 1, ("b", "x"): 0, ("c", "x"): 0, ("d", "y"): 1}
    early = label_pairs(ev, as_of=pd.Timestamp("2025-06-01").to_pydatetime())
    assert ("d", "y") not in set(zip(early["school_id"], early["partner_id"], strict=True))


def test_failed_training_keeps_active_model(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = reliability_world(tmp_path)
    engine.load_files(files["schools"], files["partners"], files["outcomes"])
    first = engine.train(evaluate=False)["version"]
    served = order(engine, "NEW")

    def boom(self, *a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(MatchModel, "fit", boom)
    with pytest.raises(RuntimeError):
        engine.train(evaluate=False)
    monkeypatch.undo()
    assert engine.models.active_version() == first
    assert order(engine, "NEW") == served
    assert [m["version"] for m in engine.models.versions()] == [first]


def test_worse_challenger_not_activated_unless_forced(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = reliability_world(tmp_path)
    engine.load_files(files["schools"], files["partners"], files["outcomes"])
    first = engine.train(evaluate=False)["version"]
    scores = iter([0.1, 0.5, 0.1, 0.5])  # challenger, then champion, per training

    def fake(params, data):
        v = next(scores)
        return {"schools": {"ndcg": v, "recall": v, "precision": v}}

    monkeypatch.setattr(engine.trainer, "holdout_metrics", fake)
    monkeypatch.setattr(engine.trainer, "split", lambda o: object())
    other = {"decay_km": 40.0}  # other settings than the champion's: both are refitted
    man = engine.train(other)
    assert man["active"] is False and "kept" in man["decision"]
    assert engine.models.active_version() == first
    forced = engine.train(other, force=True)
    assert forced["active"] is True and engine.models.active_version() == forced["version"]


def test_rollback_and_if_new_outcomes(engine: Engine, tmp_path: Path) -> None:
    files = reliability_world(tmp_path)
    engine.load_files(files["schools"], files["partners"])
    first = engine.train(evaluate=False)["version"]
    skipped = engine.train(evaluate=False, if_new_outcomes=10)
    assert skipped["skipped"] and skipped["new_outcomes"] == 0
    engine.load_files(outcomes=files["outcomes"])
    second = engine.train(evaluate=False, if_new_outcomes=10)
    assert not second.get("skipped") and engine.models.active_version() == second["version"]
    engine.activate(first)  # rollback
    assert engine.suggest("NEW")["model_version"] == first


def test_labels_know_when_decided_and_history_counts_only_earlier_events() -> None:
    ev = pd.DataFrame(
        {
            "outcome_id": ["1", "2", "3", "4"],
            "school_id": ["a", "a", "b", "b"],
            "partner_id": ["x", "x", "x", "x"],
            "status": ["accepted", "completed", "proposed", "declined"],
            "school_rating": [None, 5, None, None],
            "partner_rating": [None, 5, None, None],
            "recorded_at": pd.to_datetime(["2025-01-01", "2025-09-01", "2025-03-01", "2025-04-01"]),
        }
    )
    lab = label_pairs(ev).set_index("school_id")
    assert lab.loc["a", "first_at"] == pd.Timestamp("2025-01-01")
    assert lab.loc["a", "decided_at"] == pd.Timestamp("2025-09-01")  # when it was known
    assert lab.loc["b", "decided_at"] == pd.Timestamp("2025-04-01")
    starts = pair_starts(ev).set_index("school_id")["first_at"]
    assert starts.to_dict() == {"a": pd.Timestamp("2025-01-01"), "b": pd.Timestamp("2025-03-01")}
    # partner row 0 decided b (failure) on 04-01 and a (success) on 09-01
    secs = lab["decided_at"].to_numpy(dtype="datetime64[s]").astype(np.int64)
    hist = AsOf(np.zeros(2, dtype=np.int64), secs, lab["label"].to_numpy())
    at = pd.to_datetime(["2025-04-01", "2025-05-01", "2026-01-01"])
    n, wins = hist.count(np.zeros(3, dtype=np.int64), at.to_numpy("datetime64[s]").astype(np.int64))
    assert n.tolist() == [0.0, 1.0, 2.0]  # strictly before: a same-moment outcome is unknown
    assert wins.tolist() == [0.0, 0.0, 1.0]
    n_other, _ = hist.count(
        np.ones(1, dtype=np.int64), at[-1:].to_numpy("datetime64[s]").astype(np.int64)
    )
    assert n_other.tolist() == [0.0]  # another partner has no history


def test_track_record_learned_in_the_right_direction(engine: Engine, tmp_path: Path) -> None:
    files = reliability_world(tmp_path)
    engine.load_files(files["schools"], files["partners"], files["outcomes"])
    engine.train(evaluate=False)
    version, model, _ = engine.models.load()
    deliver = model.outcome_model_.stages_["deliver"]
    assert deliver["record_coef"][1] > 0  # partner: followed through more, a better bet
    res = {s["partner_id"]: s for s in engine.suggest("NEW", k=5)["suggestions"]}
    # the factor moves the content score: up for the reliable, down for the flaky
    assert res["P-B-RELIABLE"]["score"] > res["P-A-FLAKY"]["score"]


def test_explanations_name_the_suggested_sides_track_record(engine: Engine, tmp_path: Path) -> None:
    files = reliability_world(tmp_path)
    engine.load_files(files["schools"], files["partners"], files["outcomes"])
    engine.train(evaluate=False)
    res = {s["partner_id"]: s for s in engine.suggest("NEW", k=5)["suggestions"]}
    reliable = res["P-B-RELIABLE"]
    assert reliable["partner_record"] == {"partnerships": 20, "successes": 20}
    assert reliable["explanation"].endswith("riwayat mitra: 20 dari 20 kemitraan sukses.")
    assert res["P-A-FLAKY"]["partner_record"] == {"partnerships": 20, "successes": 0}
    other = engine.suggest("NEW", k=5, lang="en")["suggestions"]
    other_row = next(s for s in other if s["partner_id"] == "P-OTHER")
    assert other_row["explanation"].endswith("partner's record: none yet.")
    schools = engine.suggest_for_partner("P-B-RELIABLE", k=3, lang="en")["suggestions"]
    assert all("school's record" in s["explanation"] for s in schools)


def test_same_settings_reuse_the_challengers_holdout_score(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = reliability_world(tmp_path)
    engine.load_files(files["schools"], files["partners"], files["outcomes"])
    engine.train(evaluate=False)
    calls: list[dict] = []
    real = engine.trainer.holdout_metrics

    def counted(params, data):
        calls.append(params)
        return real(params, data)

    monkeypatch.setattr(engine.trainer, "holdout_metrics", counted)
    man = engine.train()  # cron's retrain: the champion's settings, one holdout fit
    assert len(calls) == 1 and man["active"] is True
    assert man["metrics"]["champion"]["schools"] == man["metrics"]["schools"]
    engine.train({"decay_km": 40.0})
    assert len(calls) == 3  # other settings: the champion is refitted too


def exposure_world(tmp_path: Path) -> dict[str, Path]:
    """Schools all ask the famous partner next door; it accepts and fails them. A far
    online partner with the same offers is asked rarely and delivers every time."""
    schools = [
        school(f"S{i:02d}", needs="teacher_training", offers="research_site",
               latitude=-7.25 + 0.002 * i)
        for i in range(36)
    ]  # fmt: skip
    schools.append(school("NEW", needs="teacher_training", offers="research_site"))
    same = {"offers": "teacher_training", "needs": "research_site", "type": "university",
            "capacity": 60}  # fmt: skip
    partners = [
        partner("P-NEAR-FAMOUS", **same),  # next door
        partner("P-FAR-ONLINE", online="true", latitude=-6.2, longitude=106.8, **same),
    ]
    events = []
    start = pd.Timestamp("2023-01-01")
    for i in range(36):
        far = i % 6 == 5  # one in six asks the far partner
        pid = "P-FAR-ONLINE" if far else "P-NEAR-FAMOUS"
        begun = start + pd.DateOffset(weeks=3 * i)
        ended = begun + pd.DateOffset(months=4)
        for step, (status, when, rating) in enumerate(
            (
                ("proposed", begun, None),
                ("accepted", begun + pd.DateOffset(days=7), None),
                ("completed" if far else "ended_early", ended, 5 if far else 2),
            )
        ):
            events.append(
                {
                    "outcome_id": f"e{i}-{step}",
                    "school_id": f"S{i:02d}",
                    "partner_id": pid,
                    "status": status,
                    "school_rating": rating,
                    "partner_rating": rating,
                    "recorded_at": when.strftime("%Y-%m-%d"),
                }
            )
    return {
        "schools": write_csv(tmp_path / "s.csv", SCHOOL_COLS, schools),
        "partners": write_csv(tmp_path / "p.csv", PARTNER_COLS, partners),
        "outcomes": write_csv(tmp_path / "o.csv", OUTCOME_COLS, events),
    }


def test_far_partner_that_delivers_beats_near_famous_one_that_fails(
    engine: Engine, tmp_path: Path
) -> None:
    files = exposure_world(tmp_path)
    engine.load_files(files["schools"], files["partners"])
    engine.train(evaluate=False)
    assert order(engine, "NEW")[0] == "P-NEAR-FAMOUS"  # content alone: the nearer one
    engine.load_files(outcomes=files["outcomes"])
    engine.train(evaluate=False)
    # the near partner got 30 of 36 proposals: being asked is not a sign of benefit,
    # delivering is
    assert order(engine, "NEW") == ["P-FAR-ONLINE", "P-NEAR-FAMOUS"]


def test_content_only_ignores_history(engine: Engine, tmp_path: Path) -> None:
    files = exposure_world(tmp_path)
    engine.load_files(files["schools"], files["partners"], files["outcomes"])
    engine.train({"outcome_weight": 0.0}, evaluate=False)
    assert order(engine, "NEW")[0] == "P-NEAR-FAMOUS"


def test_attempts_say_what_happened_once_tried() -> None:
    ev = pd.DataFrame(
        {
            "outcome_id": list("123456789"),
            "school_id": ["a", "a", "a", "b", "b", "c", "d", "d", "d"],
            "partner_id": ["x"] * 9,
            "status": [
                "proposed",
                "accepted",
                "completed",
                "proposed",
                "declined",
                "proposed",
                "accepted",
                "active",
                "completed",
            ],  # fmt: skip
            "school_rating": [None, None, 5, None, None, None, None, None, 3],
            "partner_rating": [None, None, 4, None, None, None, None, None, 5],
            "recorded_at": pd.to_datetime(
                [
                    "2025-01-01",
                    "2025-01-05",
                    "2025-06-01",
                    "2025-02-01",
                    "2025-02-03",
                    "2025-03-01",
                    "2025-04-01",
                    "2025-04-10",
                    "2025-09-01",
                ]  # fmt: skip
            ),
        }
    )
    got = attempts(ev).set_index("school_id")
    assert got.loc["a", "accepted"] == 1 and got.loc["a", "success"] == 1
    assert got.loc["a", "answered_at"] == pd.Timestamp("2025-01-05")
    assert got.loc["b", "accepted"] == 0 and np.isnan(got.loc["b", "success"])  # not tried on
    assert np.isnan(got.loc["c", "accepted"])  # unanswered: not a refusal
    assert got.loc["d", "accepted"] == 1 and got.loc["d", "success"] == 0  # a rating of 3
    # each side's judgement of the other: the school rated it 3, the partner 5
    assert got.loc["d", "for_school"] == 0 and got.loc["d", "for_partner"] == 1
    assert got.loc["a", "for_school"] == 1 and got.loc["a", "for_partner"] == 1
    assert np.isnan(got.loc["b", "for_school"]) and np.isnan(got.loc["c", "for_partner"])
    early = attempts(ev, as_of=pd.Timestamp("2025-03-01").to_pydatetime()).set_index("school_id")
    assert np.isnan(early.loc["a", "success"])  # still running then


def test_a_side_is_judged_by_the_other_side_not_by_its_own_verdict(tmp_path: Path) -> None:
    # the famous partner completes every partnership, its schools rate it 2 and it rates
    # them 5: the partner's record falls, the schools' records do not
    files = exposure_world(tmp_path)
    frames = {k: schema.read_file(k, files[k])[0] for k in ("schools", "partners", "outcomes")}
    ev = frames["outcomes"]
    near_end = (ev["partner_id"] == "P-NEAR-FAMOUS") & (ev["status"] == "ended_early")
    ev.loc[near_end, "status"] = "completed"
    ev.loc[near_end, "school_rating"] = 2
    ev.loc[near_end, "partner_rating"] = 5
    S, P = frames["schools"], frames["partners"]
    model = MatchModel().fit(S, P, ev)
    index = model.index(S, P, ev)
    near = index.partner_row["P-NEAR-FAMOUS"]
    assert index.p_weight[near] < 1.0 < index.p_weight[index.partner_row["P-FAR-ONLINE"]]
    asked_near = ev.loc[near_end, "school_id"].map(index.school_row).to_numpy()
    assert (index.s_weight[asked_near] >= 1.0).all()


def test_accepted_but_never_started_is_a_failure_to_follow_through() -> None:
    ev = pd.DataFrame(
        {
            "outcome_id": list("12345"),
            "school_id": ["a", "a", "b", "b", "b"],
            "partner_id": ["x"] * 5,
            "status": ["proposed", "accepted", "proposed", "accepted", "active"],
            "school_rating": [None] * 5,
            "partner_rating": [None] * 5,
            "recorded_at": pd.to_datetime(
                ["2025-01-01", "2025-01-10", "2025-01-01", "2025-01-10", "2025-09-01"]
            ),
        }
    )
    got = attempts(ev).set_index("school_id")
    # "a" was accepted on 10 January and had not started by September: it stalled
    assert got.loc["a", "success"] == 0
    assert got.loc["a", "for_school"] == 0 and got.loc["a", "for_partner"] == 0
    assert got.loc["a", "decided_at"] == pd.Timestamp("2025-04-10")  # 90 days on
    assert np.isnan(got.loc["b", "success"])  # started: still running, not a failure
    # seen from March, "a" had not waited 90 days yet: nothing decided
    march = attempts(ev, as_of=pd.Timestamp("2025-03-01").to_pydatetime())
    assert np.isnan(march.set_index("school_id").loc["a", "success"])


def test_a_pairs_state_is_its_latest_event_by_time_then_id() -> None:
    # events in any order, some at the same moment: the latest by (time, id) wins
    ev = pd.DataFrame(
        {
            "outcome_id": ["e9", "e1", "e5", "e2", "e7", "e3"],
            "school_id": ["S1", "S1", "S2", "S1", "S2", "S3"],
            "partner_id": ["P1", "P1", "P1", "P1", "P1", "P2"],
            "status": ["completed", "proposed", "accepted", "accepted", "declined", "proposed"],
            "recorded_at": pd.to_datetime(
                ["2025-03-01", "2025-01-01", "2025-02-01", "2025-03-01", "2025-02-01", "2025-01-05"]
            ),
        }
    )
    got = pair_states(ev)
    assert list(zip(got["school_id"], got["status"], strict=True)) == [
        ("S3", "proposed"),
        ("S2", "declined"),  # same moment as e5: the later id counts
        ("S1", "completed"),  # same moment as e2: e9
    ]
    assert pair_states(ev, as_of=pd.Timestamp("2025-02-15").to_pydatetime())["status"].tolist() == [
        "proposed",
        "proposed",
        "declined",
    ]
    assert pair_states(ev.iloc[:0]).empty
