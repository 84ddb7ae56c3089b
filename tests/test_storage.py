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


# -- integrity (issue 11.5): no event outlives its school or partner -------------------


def _event(n: int, sid: str = "S1") -> dict:
    return {
        "outcome_id": f"race-{n}",
        "school_id": sid,
        "partner_id": "P-EXACT",
        "status": "proposed",
        "recorded_at": "2026-01-05",
    }


def _orphans(engine: Engine) -> int:
    import sqlalchemy as sa

    from matcher.storage import outcomes, partners, schools

    q = (
        sa.select(sa.func.count())
        .select_from(outcomes)
        .where(
            ~outcomes.c.school_id.in_(sa.select(schools.c.school_id))
            | ~outcomes.c.partner_id.in_(sa.select(partners.c.partner_id))
        )
    )
    with engine.store.engine.connect() as conn:
        return int(conn.execute(q).scalar_one())


def test_replacing_a_school_keeps_its_events(engine: Engine, world_files) -> None:
    engine.load_files(world_files["schools"], world_files["partners"])
    engine.record_outcomes([_event(1)])
    engine.put("schools", "S1", school("S1", name="Renamed", needs="funding"))
    assert engine.store.counts()["outcomes"] == 1


def test_foreign_keys_refuse_orphans_even_past_the_check(engine: Engine, world_files) -> None:
    import pandas as pd
    import sqlalchemy as sa

    from matcher.storage import outcomes

    engine.load_files(world_files["schools"], world_files["partners"])
    engine.record_outcomes([_event(1)])
    with pytest.raises(sa.exc.IntegrityError), engine.store.engine.begin() as conn:
        row = {**_event(2, "GHOST"), "recorded_at": pd.Timestamp("2026-01-05").to_pydatetime()}
        conn.execute(outcomes.insert(), [{**row, "loaded_at": row["recorded_at"]}])
    with engine.store.engine.begin() as conn:  # the cascade, without our explicit delete
        conn.execute(sa.text("DELETE FROM schools WHERE school_id = 'S1'"))
    assert engine.store.counts()["outcomes"] == 0


def test_concurrent_outcomes_and_delete_leave_no_orphans(engine: Engine, world_files) -> None:
    import threading

    engine.load_files(world_files["schools"], world_files["partners"])
    acknowledged: list[int] = []
    errors: list[Exception] = []

    def post(start: int) -> None:
        for n in range(start, start + 15):
            try:
                if engine.record_outcomes([_event(n)])["added"]:
                    acknowledged.append(n)
            except ValidationError:
                pass  # refused: the school was gone
            except Exception as exc:  # anything else would be a 500
                errors.append(exc)

    def delete() -> None:
        try:
            engine.delete("schools", "S1")
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=post, args=(i * 100,)) for i in range(3)]
    threads.insert(1, threading.Thread(target=delete))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _orphans(engine) == 0 and engine.store.counts()["outcomes"] == 0


# -- filters (issue 11.11) -------------------------------------------------------------


@pytest.mark.parametrize("given", ["Kabupaten Ñgawi", "kabupaten ñgawi", "KABUPATEN ÑGAWI"])
def test_filters_ignore_case_in_every_alphabet(engine: Engine, tmp_path: Path, given) -> None:
    rows = [school("N1", regency="Kabupaten Ñgawi", district="Çepu"), school("S1")]
    engine.load_files(schools=write_csv(tmp_path / "s.csv", SCHOOL_COLS, rows))
    total, frame = engine.store.page("schools", {"regency": given})
    assert total == 1 and frame["school_id"].tolist() == ["N1"]
    assert engine.store.page("schools", {"district": "çEPU"})[0] == 1
