"""Access is checked on the server for every page and form: signed-out visitors go to
the login page, a user sees and changes only their own school or partner (403 for
anyone else's), and every form needs the session's CSRF token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from matcher.engine import Engine
from tests.web.conftest import USERS, Login, csrf_of, log_in, post_form

SCHOOL_PAGES = ["/sekolah/S1/profil", "/sekolah/S1/saran", "/sekolah/S1/kotak-masuk"]
PARTNER_PAGES = ["/mitra/P-EXACT/profil", "/mitra/P-EXACT/saran", "/mitra/P-EXACT/kotak-masuk"]
POSTS = [
    "/sekolah/S1/profil",
    "/baca",
    "/kemitraan",
    "/kemitraan/K/jawab",
    "/kemitraan/K/nota",
    "/kemitraan/K/setujui",
    "/kemitraan/K/selesai",
    "/kemitraan/K/akhiri",
    "/kemitraan/K/pesan",
    "/logout",
]


@pytest.fixture
def partnership(web_engine: Engine) -> str:
    """A proposal from S1 to P-EXACT."""
    return web_engine.propose("school", "S1", "P-EXACT", "s1@sekolah.test", "Halo").partnership_id


@pytest.mark.parametrize("url", ["/", *SCHOOL_PAGES, *PARTNER_PAGES, "/kemitraan/K"])
def test_signed_out_visitors_are_sent_to_log_in(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("url", SCHOOL_PAGES)
def test_a_principal_opens_only_their_own_school(login: Login, url: str) -> None:
    c = login("s1")
    assert c.get(url).status_code == 200
    assert c.get(url.replace("S1", "S2")).status_code == 403
    assert c.get(url.replace("/sekolah/S1", "/mitra/P-EXACT")).status_code == 403


@pytest.mark.parametrize("url", PARTNER_PAGES)
def test_a_partner_opens_only_its_own_pages(login: Login, url: str) -> None:
    c = login("exact")
    assert c.get(url).status_code == 200
    assert c.get(url.replace("P-EXACT", "P-SPORT")).status_code == 403
    assert c.get(url.replace("/mitra/P-EXACT", "/sekolah/S1")).status_code == 403


def test_another_schools_inbox_is_refused_in_words(login: Login) -> None:
    r = login("s2").get("/sekolah/S1/kotak-masuk")
    assert r.status_code == 403
    assert "tidak berhak" in r.text


def test_every_form_without_its_csrf_token_is_refused(login: Login, partnership: str) -> None:
    c = login("s1")
    for url in POSTS:
        url = url.replace("/K/", f"/{partnership}/")
        r = c.post(url, data={"message": "x", "school_id": "S1", "partner_id": "P-EXACT"})
        assert r.status_code == 403, url
        r = c.post(url, data={"csrf_token": "not-the-token"})
        assert r.status_code == 403, url
    assert c.get("/").status_code == 200  # still signed in: logout refused too


@pytest.mark.parametrize(
    ("name", "status"),
    [("s1", 200), ("exact", 200), ("admin", 200), ("s2", 403), ("sport", 403), ("officer", 403)],
)
def test_a_partnership_page_is_for_its_two_sides(
    login: Login, partnership: str, name: str, status: int
) -> None:
    assert login(name).get(f"/kemitraan/{partnership}").status_code == status


@pytest.mark.parametrize("name", ["s2", "sport", "admin"])
def test_only_the_two_sides_act_on_a_partnership(
    login: Login, web_engine: Engine, partnership: str, name: str
) -> None:
    c = login(name)
    for step in ["jawab", "nota", "setujui", "selesai", "akhiri", "pesan"]:
        data = {"answer": "accept", "body": "x", "reason": "x", "rating": "5"}
        r = post_form(c, "/", f"/kemitraan/{partnership}/{step}", data)
        assert r.status_code == 403, step
    p = web_engine.partnerships.get(partnership)
    assert p.status == "proposed" and len(p.messages) == 1


def test_proposing_for_someone_elses_school_is_refused(login: Login, web_engine: Engine) -> None:
    c = login("s2")
    r = post_form(c, "/", "/kemitraan", {"school_id": "S1", "partner_id": "P-EXACT"})
    assert r.status_code == 403
    assert web_engine.partnerships.list_for("school", "S1") == []


def test_an_unknown_partnership_is_404(login: Login) -> None:
    assert login("s1").get("/kemitraan/nope").status_code == 404


def test_the_admin_opens_any_school(login: Login) -> None:
    c = login("admin")
    assert c.get("/sekolah/S2/profil").status_code == 200
    assert c.get("/sekolah/NOPE/profil").status_code == 404


def test_five_wrong_passwords_lock_the_account_for_a_while(client: TestClient) -> None:
    email = USERS["s1"]["email"]
    codes = []
    for _ in range(6):
        token = csrf_of(client.get("/login").text)
        r = client.post("/login", data={"email": email, "password": "salah", "csrf_token": token})
        codes.append(r.status_code)
    assert codes == [401, 401, 401, 401, 429, 429]
    assert "Coba lagi dalam" in r.text
    token = csrf_of(client.get("/login").text)
    right = {"email": email, "password": "rahasia-123", "csrf_token": token}
    assert client.post("/login", data=right).status_code == 429  # even the right one waits


def test_logging_out_ends_the_session(login: Login) -> None:
    c = login("s1")
    r = post_form(c, "/", "/logout", {})
    assert r.status_code == 303
    assert c.get("/").status_code == 303


def test_a_session_of_a_deleted_account_is_signed_out(
    login: Login, web_engine: Engine, client: TestClient
) -> None:
    import sqlalchemy as sa

    from matcher.accounts import users

    c = login("s1")
    with web_engine.store.engine.begin() as conn:
        conn.execute(sa.delete(users).where(users.c.email == USERS["s1"]["email"]))
    assert c.get("/sekolah/S1/profil").status_code == 303


def test_set_password_link_works_once(client: TestClient, web_engine: Engine) -> None:
    user, link = web_engine.add_user("baru@sekolah.test", school_id="S2")
    assert link is not None and not user.has_password
    path = link.split("8000", 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and "baru@sekolah.test" in page.text
    token = path.split("token=")[1]
    form = {"token": token, "password": "kata-sandi-baru", "password2": "kata-sandi-baru"}
    r = client.post("/set-password", data={**form, "csrf_token": csrf_of(page.text)})
    assert r.status_code == 200 and "Kata sandi tersimpan" in r.text
    log_in(client, "baru@sekolah.test", "kata-sandi-baru")
    assert client.get("/sekolah/S2/profil").status_code == 200
    assert client.get(path).status_code == 400  # used up


def test_the_login_page_goes_only_to_this_site_after_logging_in(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    data = {
        "email": USERS["s1"]["email"],
        "password": "rahasia-123",
        "csrf_token": token,
        "next": "//evil.example/",
    }
    assert client.post("/login", data=data).headers["location"] == "/"
