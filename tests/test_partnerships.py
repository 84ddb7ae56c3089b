"""A partnership's life, step by step, and the outcome events each step records."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from matcher import partnerships as pm
from matcher.engine import Engine
from matcher.errors import ConflictError, MatcherError
from matcher.history import label_pairs


def events(eng: Engine) -> list[tuple[str, str, int | None, int | None]]:
    df = eng.store.frame("outcomes").sort_values("recorded_at", kind="stable")
    rows = df[df["outcome_id"].str.startswith("web-")]
    return [
        (r.outcome_id, r.status, _int(r.school_rating), _int(r.partner_rating))
        for r in rows.itertuples()
    ]


def _int(v: object) -> int | None:
    return None if v is None or v != v else int(v)  # type: ignore[call-overload]


def test_the_whole_life_records_each_step_once(world_engine: Engine) -> None:
    eng = world_engine
    p = eng.propose("school", "S1", "P-EXACT", "s1@x.test", "Mari bermitra")
    pid = p.partnership_id
    assert p.status == "proposed" and p.proposed_by == "school"
    p = eng.respond(pid, "partner", "p@x.test", accept=True, message="Ya")
    assert p.status == "accepted" and p.period_start == date.today()
    assert p.partner_roles.startswith("Partner P-EXACT memberikan pelatihan guru")
    assert "perangkat TIK" in p.partner_roles
    assert (
        p.school_roles
        == "SMP Negeri S1 menyediakan lokasi dan subjek penelitian bagi Partner P-EXACT."
    )
    p = eng.partnerships.confirm(pid, "school", "s1@x.test")
    p = eng.partnerships.confirm(pid, "school", "s1@x.test")  # twice: no second step
    assert p.status == "accepted"
    p = eng.partnerships.confirm(pid, "partner", "p@x.test")
    assert p.status == "active"
    p = eng.partnerships.rate(pid, "partner", "p@x.test", 4)
    assert p.status == "active" and p.partner_rating == 4
    p = eng.partnerships.rate(pid, "school", "s1@x.test", 5, "Bagus")
    assert p.status == "completed"
    assert events(eng) == [
        (f"web-{pid}-proposed", "proposed", None, None),
        (f"web-{pid}-accepted", "accepted", None, None),
        (f"web-{pid}-active", "active", None, None),
        (f"web-{pid}-completed", "completed", 5, 4),
    ]
    labels = label_pairs(eng.store.frame("outcomes"))
    assert labels[labels.partner_id == "P-EXACT"]["label"].tolist() == [1]
    kinds = [m.kind for m in eng.partnerships.get(pid).messages]
    assert kinds == ["proposal", "accepted", "confirm", "confirm", "rating", "rating"]


def test_steps_out_of_order_are_refused(world_engine: Engine) -> None:
    eng = world_engine
    pid = eng.propose("school", "S1", "P-EXACT", "s", "").partnership_id
    with pytest.raises(ConflictError, match="already open"):
        eng.propose("partner", "S1", "P-EXACT", "p", "")
    with pytest.raises(ConflictError, match="the other side answers"):
        eng.respond(pid, "school", "s", accept=True)
    with pytest.raises(ConflictError):
        eng.partnerships.confirm(pid, "school", "s")
    with pytest.raises(ConflictError):
        eng.partnerships.rate(pid, "school", "s", 5)
    eng.respond(pid, "partner", "p", accept=False, message="Maaf")
    with pytest.raises(ConflictError, match="already answered"):
        eng.respond(pid, "partner", "p", accept=True)
    with pytest.raises(ConflictError):
        eng.partnerships.end_early(pid, "school", "s", "x")
    assert [e[1] for e in events(eng)] == ["proposed", "declined"]
    # declined is closed: a new proposal may follow
    assert eng.propose("partner", "S1", "P-EXACT", "p", "Lagi?").status == "proposed"


def test_editing_the_memorandum_asks_both_to_confirm_again(world_engine: Engine) -> None:
    eng = world_engine
    pid = eng.propose("partner", "S3", "P-SPORT", "p", "").partnership_id
    eng.respond(pid, "school", "s", accept=True)
    eng.partnerships.confirm(pid, "partner", "p")
    start, end = date(2027, 1, 1), date(2027, 6, 30)
    p = eng.partnerships.edit_mou(
        pid, "school", "s", "Sekolah: lapangan.", "Mitra: pelatih.", start, end
    )
    assert not p.school_confirmed and not p.partner_confirmed
    assert (p.school_roles, p.period_end) == ("Sekolah: lapangan.", end)
    with pytest.raises(MatcherError, match="end after"):
        eng.partnerships.edit_mou(pid, "school", "s", "a", "b", end, start)
    with pytest.raises(MatcherError, match="required"):
        eng.partnerships.edit_mou(pid, "school", "s", " ", "b", start, end)


def test_ending_early_needs_a_reason_and_is_a_failure(world_engine: Engine) -> None:
    eng = world_engine
    pid = eng.propose("school", "S3", "P-SPORT", "s", "").partnership_id
    eng.respond(pid, "partner", "p", accept=True)
    with pytest.raises(MatcherError, match="reason is required"):
        eng.partnerships.end_early(pid, "school", "s", "  ")
    p = eng.partnerships.end_early(pid, "school", "s", "Pelatih pindah kota")
    assert p.status == "ended_early" and p.end_reason == "Pelatih pindah kota"
    labels = label_pairs(eng.store.frame("outcomes"))
    assert labels[labels.partner_id == "P-SPORT"]["label"].tolist() == [0]


def test_a_bad_rating_is_refused(world_engine: Engine) -> None:
    eng = world_engine
    pid = eng.propose("school", "S3", "P-SPORT", "s", "").partnership_id
    eng.respond(pid, "partner", "p", accept=True)
    eng.partnerships.confirm(pid, "school", "s")
    eng.partnerships.confirm(pid, "partner", "p")
    for bad in (0, 6, True):
        with pytest.raises(MatcherError, match="1 to 5"):
            eng.partnerships.rate(pid, "school", "s", bad)  # type: ignore[arg-type]


def test_an_active_partnership_without_news_for_60_days_is_stale(world_engine: Engine) -> None:
    eng = world_engine
    pid = eng.propose("school", "S3", "P-SPORT", "s", "").partnership_id
    eng.respond(pid, "partner", "p", accept=True)
    eng.partnerships.confirm(pid, "school", "s")
    p = eng.partnerships.confirm(pid, "partner", "p")
    assert not p.stale()
    later = p.updated_at + timedelta(days=pm.REMINDER_DAYS + 1)
    assert p.stale(later)
    with eng.store.engine.begin() as conn:
        old = p.updated_at - timedelta(days=pm.REMINDER_DAYS + 1)
        conn.execute(sa.update(pm.partnerships).values(updated_at=old))
    assert eng.partnerships.get(pid).stale()
    assert not eng.partnerships.post(pid, "partner", "p", "Latihan minggu ini lancar").stale()


def test_a_proposal_names_stored_records(world_engine: Engine) -> None:
    from matcher.errors import NotFoundError

    with pytest.raises(NotFoundError):
        world_engine.propose("school", "S1", "P-NOPE", "s", "")
