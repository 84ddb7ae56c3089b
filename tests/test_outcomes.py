"""Learning from outcomes: a reliable partner beats its look-alike that never follows
through; cold start still works; failed training and rollback keep a model serving."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from matcher.engine import Engine
from matcher.model import MatchModel
from matcher.outcomes import label_pairs
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
        partner("P-OTHER", offers="sports", needs="venue_facilities"),
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

    def fake(self, params, *a, **k):
        v = next(scores)
        return {"schools": {"ndcg": v, "recall": v, "precision": v}}

    monkeypatch.setattr(Engine, "_holdout_metrics", fake)
    monkeypatch.setattr("matcher.engine.time_split", lambda o: object())
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
    import numpy as np

    from matcher.outcomes import _AsOf, pair_starts

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
    hist = _AsOf(np.zeros(2, dtype=np.int64), secs, lab["label"].to_numpy())
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
    _, model, index = engine._current()
    om = model.outcome_model_
    n_s = 3 + index.s.attrs.shape[1]
    rate_p = om.coef_[5 + n_s]  # the partner's shrunk success rate
    assert rate_p > 0  # a partner that followed through more is a better bet, not a worse one


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
    real = Engine._holdout_metrics

    def counted(self, params, *a, **k):
        calls.append(params)
        return real(self, params, *a, **k)

    monkeypatch.setattr(Engine, "_holdout_metrics", counted)
    man = engine.train()  # cron's retrain: the champion's settings, one holdout fit
    assert len(calls) == 1 and man["active"] is True
    assert man["metrics"]["champion"]["schools"] == man["metrics"]["schools"]
    engine.train({"decay_km": 40.0})
    assert len(calls) == 3  # other settings: the champion is refitted too
