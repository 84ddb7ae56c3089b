"""Storage: upserts, idempotent outcomes, and all-or-nothing loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.engine import Engine
from matcher.errors import NotFoundError, ValidationError
from tests.conftest import OUTCOME_COLS, SCHOOL_COLS, school, write_csv


def test_load_counts_and_roundtrip(engine: Engine, world_files: dict[str, Path]) -> None:
    counts, _ = engine.load_files(world_files["schools"], world_files["partners"])
    assert counts == {"schools": 5, "partners": 7}
    rec = engine.get("schools", "S1")
    assert rec["needs"] == ["teacher_training", "digital_devices"]
    assert rec["latitude"] == pytest.approx(-7.2575)


def test_reload_upserts_by_id(engine: Engine, world_files, tmp_path: Path) -> None:
    engine.load_files(world_files["schools"], world_files["partners"])
    path = write_csv(tmp_path / "s2.csv", SCHOOL_COLS, [school("S1", name="Renamed")])
    engine.load_files(schools=path)
    assert engine.store.counts()["schools"] == 5
    assert engine.get("schools", "S1")["name"] == "Renamed"


def test_bad_file_writes_nothing_not_even_good_rows(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", SCHOOL_COLS, [school("A"), school("B", level="??")])
    with pytest.raises(ValidationError):
        engine.load_files(schools=path)
    assert engine.store.counts()["schools"] == 0


def test_bad_outcomes_file_rolls_back_schools_of_same_load(
    engine: Engine, world_files, tmp_path: Path
) -> None:
    rows = [{"outcome_id": "o1", "school_id": "S1", "partner_id": "GHOST", "status": "active",
             "recorded_at": "2025-01-01"}]  # fmt: skip
    out = write_csv(tmp_path / "o.csv", OUTCOME_COLS, rows)
    with pytest.raises(ValidationError, match="GHOST"):
        engine.load_files(world_files["schools"], world_files["partners"], out)
    assert engine.store.counts() == {"schools": 0, "partners": 0, "outcomes": 0}


def test_same_outcome_id_twice_is_one_event(engine: Engine, world_files, tmp_path) -> None:
    engine.load_files(world_files["schools"], world_files["partners"])
    rows = [{"outcome_id": "o1", "school_id": "S1", "partner_id": "P-EXACT",
             "status": "proposed", "recorded_at": "2025-01-01"}]  # fmt: skip
    out = write_csv(tmp_path / "o.csv", OUTCOME_COLS, rows)
    assert engine.load_files(outcomes=out)[0]["outcomes"] == 1
    assert engine.load_files(outcomes=out)[0]["outcomes"] == 0
    assert engine.record_outcomes([{**rows[0]}])["duplicates"] == 1
    assert engine.store.counts()["outcomes"] == 1


def test_page_filters_and_delete(engine: Engine, world_files) -> None:
    engine.load_files(world_files["schools"], world_files["partners"])
    total, recs = engine.list_records("schools", {"level": "smk"}, limit=10)
    assert total == 1 and recs[0]["school_id"] == "S4"
    total, recs = engine.list_records("schools", None, limit=2, offset=1)
    assert total == 5 and [r["school_id"] for r in recs] == ["S2", "S3"]
    engine.delete("schools", "S4")
    with pytest.raises(NotFoundError):
        engine.get("schools", "S4")
    with pytest.raises(NotFoundError):
        engine.delete("schools", "S4")


def test_put_validates_like_a_file(engine: Engine) -> None:
    rec = {k: v for k, v in school("NEW").items()}
    rec["needs"] = ["teacher_training"]
    assert engine.put("schools", "NEW", rec)["needs"] == ["teacher_training"]
    with pytest.raises(ValidationError, match="needs"):
        engine.put("schools", "NEW", {**rec, "needs": ["other"]})
    with pytest.raises(ValidationError, match="differs"):
        engine.put("schools", "NEW", {**rec, "school_id": "OTHER"})
