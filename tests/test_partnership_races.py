"""Partnership steps clicked at once: each race ends in one state a one-at-a-time order
could give, with one outcome event per step, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from matcher.engine import Engine
from matcher.errors import ConflictError, MatcherError

TRIES = 3


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` in threads released together; each result or the exception raised."""
    barrier = threading.Barrier(len(calls))
    out: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            out[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - the race's loser is part of the answer
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


@pytest.fixture
def eng(engine: Engine, world_files: dict[str, Path]) -> Engine:
    engine.load_files(world_files["schools"], world_files["partners"])
    return engine


def web_events(eng: Engine, pid: str) -> list[str]:
    df = eng.store.frame("outcomes")
    return sorted(df.loc[df["outcome_id"].str.startswith(f"web-{pid}-"), "status"])


def accepted(eng: Engine, school: str, partner: str) -> str:
    pid = eng.propose("school", school, partner, "s", "").partnership_id
    eng.respond(pid, "partner", "p", accept=True)
    return pid


def test_a_double_click_opens_one_partnership(eng: Engine) -> None:
    for n in range(TRIES):
        res = at_once([lambda: eng.propose("school", "S1", "P-EXACT", "s", "")] * 8)
        made = [r for r in res if not isinstance(r, Exception)]
        assert len(made) == 1, res
        assert all(isinstance(r, ConflictError) for r in res if r not in made)
        open_ = [p for p in eng.partnerships.list_for("school", "S1") if p.status == "proposed"]
        assert [p.partnership_id for p in open_] == [made[0].partnership_id]
        df = eng.store.frame("outcomes")
        assert (df["status"] == "proposed").sum() == n + 1  # one event per try
        eng.respond(made[0].partnership_id, "partner", "p", accept=False)


def test_accept_and_decline_at_once_one_wins(eng: Engine) -> None:
    for _ in range(TRIES):
        pid = eng.propose("school", "S3", "P-SPORT", "s", "").partnership_id
        res = at_once(
            [
                lambda pid=pid: eng.respond(pid, "partner", "p", accept=True),
                lambda pid=pid: eng.respond(pid, "partner", "p", accept=False),
            ]
        )
        assert sum(isinstance(r, ConflictError) for r in res) == 1, res
        final = eng.partnerships.get(pid).status
        assert web_events(eng, pid) == sorted(["proposed", final])
        if final == "accepted":
            eng.partnerships.end_early(pid, "school", "s", "coba lagi")


def test_an_edit_while_the_other_confirms_never_activates_unseen_text(eng: Engine) -> None:
    for _ in range(TRIES):
        pid = accepted(eng, "S3", "P-SPORT")
        shown = eng.partnerships.confirm(pid, "school", "s")
        old = shown.partner_roles
        res = at_once(
            [
                lambda pid=pid: eng.partnerships.edit_mou(
                    pid, "school", "s", "Baru.", "Mitra baru.", date(2027, 1, 1), date(2027, 6, 1)
                ),
                lambda pid=pid, v=shown.mou_version: eng.partnerships.confirm(
                    pid, "partner", "p", v
                ),
            ]
        )
        p = eng.partnerships.get(pid)
        if p.status == "active":  # the confirmation came first: on the text both saw
            assert p.partner_roles == old and isinstance(res[0], ConflictError)
        else:  # the edit came first: the confirmation of the old text is refused
            assert p.status == "accepted" and p.partner_roles == "Mitra baru."
            assert not p.school_confirmed and not p.partner_confirmed
            assert isinstance(res[1], ConflictError)
        eng.partnerships.end_early(pid, "school", "s", "selesai")


def test_both_confirm_at_once_ends_active(eng: Engine) -> None:
    for _ in range(TRIES):
        pid = accepted(eng, "S1", "P-EXACT")
        res = at_once(
            [
                lambda pid=pid: eng.partnerships.confirm(pid, "school", "s"),
                lambda pid=pid: eng.partnerships.confirm(pid, "partner", "p"),
            ]
        )
        assert not any(isinstance(r, Exception) for r in res), res
        assert eng.partnerships.get(pid).status == "active"
        assert web_events(eng, pid) == ["accepted", "active", "proposed"]
        eng.partnerships.end_early(pid, "school", "s", "selesai")


def test_both_rate_at_once_ends_completed_with_both_ratings(eng: Engine) -> None:
    for _ in range(TRIES):
        pid = accepted(eng, "S3", "P-SPORT")
        eng.partnerships.confirm(pid, "school", "s")
        eng.partnerships.confirm(pid, "partner", "p")
        res = at_once(
            [
                lambda pid=pid: eng.partnerships.rate(pid, "school", "s", 5),
                lambda pid=pid: eng.partnerships.rate(pid, "partner", "p", 3),
            ]
        )
        assert not any(isinstance(r, Exception) for r in res), res
        p = eng.partnerships.get(pid)
        assert (p.status, p.school_rating, p.partner_rating) == ("completed", 5, 3)
        df = eng.store.frame("outcomes")
        done = df[df["outcome_id"] == f"web-{pid}-completed"]
        assert done[["school_rating", "partner_rating"]].values.tolist() == [[5, 3]]


def test_a_district_proposal_needs_both_sides(eng: Engine) -> None:
    p = eng.partnerships.propose(
        "dinas", "S1", "P-EXACT", "dinas@kota.test", "Usulan", dinas="Kota Surabaya"
    )
    assert p.answers("school") and p.answers("partner")
    p = eng.respond(p.partnership_id, "school", "s", accept=True)
    assert p.status == "proposed" and not p.answers("school") and p.answers("partner")
    with pytest.raises(ConflictError, match="already accepted"):
        eng.respond(p.partnership_id, "school", "s", accept=True)
    assert web_events(eng, p.partnership_id) == ["proposed"]
    p = eng.respond(p.partnership_id, "partner", "p", accept=True)
    assert p.status == "accepted" and p.period_start is not None
    assert web_events(eng, p.partnership_id) == ["accepted", "proposed"]
    assert [m.side for m in p.messages] == ["dinas", "school", "partner"]
    # both at once on a fresh one: accepted once, by both
    q = eng.partnerships.propose("dinas", "S3", "P-SPORT", "d", "", dinas="Kota Surabaya")
    at_once(
        [
            lambda: eng.respond(q.partnership_id, "school", "s", accept=True),
            lambda: eng.respond(q.partnership_id, "partner", "p", accept=True),
        ]
    )
    assert eng.partnerships.get(q.partnership_id).status == "accepted"
    assert web_events(eng, q.partnership_id) == ["accepted", "proposed"]
    # one side declines: declined
    r = eng.partnerships.propose("dinas", "S2", "P-EXACT", "d", "", dinas="Kota Surabaya")
    eng.respond(r.partnership_id, "partner", "p", accept=True)
    assert eng.respond(r.partnership_id, "school", "s", accept=False).status == "declined"


@pytest.mark.parametrize(
    ("start", "end", "why"),
    [
        (date(1, 1, 1), date(9999, 12, 31), "start between"),
        (date(2027, 1, 1), date(2040, 1, 1), "at most 5 years"),
        (date(2027, 2, 1), date(2027, 1, 1), "end after"),
    ],
)
def test_a_memorandum_period_is_bounded(eng: Engine, start: date, end: date, why: str) -> None:
    pid = accepted(eng, "S1", "P-EXACT")
    with pytest.raises(MatcherError, match=why):
        eng.partnerships.edit_mou(pid, "school", "s", "a", "b", start, end)
