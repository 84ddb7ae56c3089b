"""The partnership page's steps refuse bad values with 4xx, confirm only the text shown,
and show a district's proposal as the dinas's to both sides."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from matcher.engine import Engine
from tests.web.conftest import Login, post_form
from web.app import SESSION_COOKIE


def _active(eng: Engine) -> str:
    pid = eng.propose("school", "S1", "P-EXACT", "s1", "").partnership_id
    eng.respond(pid, "partner", "p", accept=True)
    eng.partnerships.confirm(pid, "school", "s")
    eng.partnerships.confirm(pid, "partner", "p")
    return pid


@pytest.mark.parametrize("answer", ["maybe", "", "ACCEPT"])
def test_an_answer_other_than_accept_or_decline_is_refused(
    login: Login, web_engine: Engine, answer: str
) -> None:
    pid = web_engine.propose("school", "S1", "P-EXACT", "s1", "").partnership_id
    c = login("exact")
    r = post_form(c, "/", f"/kemitraan/{pid}/jawab", {"answer": answer})
    assert r.status_code == 422 and "accept or decline" in r.text
    assert web_engine.partnerships.get(pid).status == "proposed"


@pytest.mark.parametrize("rating", ["²", "9" * 5000, "0", "6", "", "4.5"])
def test_a_bad_rating_is_a_4xx(login: Login, web_engine: Engine, rating: str) -> None:
    pid = _active(web_engine)
    c = login("s1")
    r = post_form(c, "/", f"/kemitraan/{pid}/selesai", {"rating": rating})
    assert r.status_code == 422 and "from 1 to 5" in r.text
    assert web_engine.partnerships.get(pid).school_rating is None


def test_a_memorandum_period_of_millennia_is_refused(login: Login, web_engine: Engine) -> None:
    pid = web_engine.propose("school", "S1", "P-EXACT", "s1", "").partnership_id
    web_engine.respond(pid, "partner", "p", accept=True)
    before = web_engine.partnerships.get(pid)
    c = login("s1")
    data = {"school_roles": "a", "partner_roles": "b", "period_start": "0001-01-01",
            "period_end": "9999-12-31"}  # fmt: skip
    r = post_form(c, "/", f"/kemitraan/{pid}/nota", data)
    assert r.status_code == 422 and "start between" in r.text
    assert web_engine.partnerships.get(pid).period_end == before.period_end


def test_a_confirmation_of_text_changed_meanwhile_is_refused(
    login: Login, web_engine: Engine
) -> None:
    pid = web_engine.propose("school", "S1", "P-EXACT", "s1", "").partnership_id
    web_engine.respond(pid, "partner", "p", accept=True)
    web_engine.partnerships.confirm(pid, "partner", "p")
    c = login("s1")
    page = c.get(f"/kemitraan/{pid}").text
    assert 'name="mou_version" value="1"' in page
    web_engine.partnerships.edit_mou(pid, "partner", "p", "S.", "P baru.", date.today(),
                                     date(date.today().year + 1, 1, 1))  # fmt: skip
    web_engine.partnerships.confirm(pid, "partner", "p")
    r = post_form(c, f"/kemitraan/{pid}", f"/kemitraan/{pid}/setujui", {"mou_version": "1"})
    assert r.status_code == 303
    assert "changed meanwhile" in c.get(f"/kemitraan/{pid}").text
    p = web_engine.partnerships.get(pid)
    assert p.status == "accepted" and not p.school_confirmed


def test_a_district_proposal_is_the_dinas_s_to_both_sides(login: Login, web_engine: Engine) -> None:
    p = web_engine.partnerships.propose(
        "dinas", "S1", "P-EXACT", "dinas@kota.test", "Usulan alokasi", dinas="Kota Surabaya"
    )
    pid = p.partnership_id
    for name, inbox in (("s1", "/sekolah/S1/kotak-masuk"), ("exact", "/mitra/P-EXACT/kotak-masuk")):
        c = login(name)
        text = c.get(inbox).text
        assert "Usulan Dinas Pendidikan Kota Surabaya" in text
        assert f'action="/kemitraan/{pid}/jawab"' in text  # in "Ajuan masuk", to answer
        thread = c.get(f"/kemitraan/{pid}").text
        assert "<strong>Dinas Pendidikan Kota Surabaya</strong>" in thread
        r = post_form(c, f"/kemitraan/{pid}", f"/kemitraan/{pid}/jawab", {"answer": "accept"})
        assert r.status_code == 303
    assert web_engine.partnerships.get(pid).status == "accepted"


def test_an_old_cookie_opens_nothing_after_logout(login: Login) -> None:
    c = login("s1")
    cookie = c.cookies.get(SESSION_COOKIE)
    assert cookie and c.get("/").status_code == 200
    r = post_form(c, "/", "/logout", {})
    assert r.status_code == 303
    c.cookies.set(SESSION_COOKIE, cookie)  # the stolen cookie, replayed
    assert c.get("/").status_code in (302, 303, 307)


def test_log_out_everywhere_ends_every_session(login: Login, client: Any) -> None:
    c = login("s1")
    first = c.cookies.get(SESSION_COOKIE)
    c = login("s1")  # a second device
    post_form(c, "/", "/keluar-semua", {})
    c.cookies.set(SESSION_COOKIE, first)
    assert c.get("/").status_code in (302, 303, 307)
    # an admin ends another's sessions; anyone else may not
    s1 = login("s1").cookies.get(SESSION_COOKIE)
    admin = login("admin")
    assert post_form(admin, "/", "/keluar-semua", {"email": "s1@sekolah.test"}).status_code == 303
    admin.cookies.set(SESSION_COOKIE, s1)
    assert admin.get("/").status_code in (302, 303, 307)
    other = login("s2")
    assert post_form(other, "/", "/keluar-semua", {"email": "s1@sekolah.test"}).status_code == 403
