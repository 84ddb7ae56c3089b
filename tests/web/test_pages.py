"""What the pages show and save: the profile with inline errors and the live reading,
contacts only after acceptance, the 60-day reminder, the English switch, page weight,
and the API docs without a CDN."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from matcher import partnerships as pm
from matcher.engine import Engine
from tests.web.conftest import Login, csrf_of, post_form
from web.i18n import MESSAGES

PROFILE = "/sekolah/S1/profil"


def profile_form(client: TestClient, **fields: object) -> dict[str, object]:
    """The profile form as the page fills it, with ``fields`` changed."""
    html = client.get(PROFILE).text
    data: dict[str, object] = {
        "csrf_token": csrf_of(html),
        "needs": re.findall(r'name="needs" value="([^"]+)" checked', html),
        "offers": re.findall(r'name="offers" value="([^"]+)" checked', html),
        "description": "Sekolah kecil di Semampir",
        "capacity": "3",
    }
    data.update(fields)
    return data


def test_the_profile_shows_needs_as_indonesian_checkboxes(login: Login) -> None:
    html = login("s1").get(PROFILE).text
    assert re.search(r'value="teacher_training" checked> pelatihan guru', html)
    assert 'value="funding" > pendanaan dan hibah' in html
    assert "Yang dibutuhkan sekolah" in html and "Nama narahubung" in html


def test_saving_the_profile_stores_needs_and_contacts(login: Login, web_engine: Engine) -> None:
    c = login("s1")
    form = profile_form(
        c, needs=["funding", "sports"], contact_name="Bu Ani", whatsapp="+62 812 1111 2222"
    )
    r = c.post(PROFILE, data=form)
    assert r.status_code == 303
    assert "Tersimpan." in c.get(PROFILE).text
    rec = web_engine.get("schools", "S1")
    assert rec["needs"] == ["funding", "sports"]
    assert (rec["contact_name"], rec["whatsapp"]) == ("Bu Ani", "+62 812 1111 2222")
    assert rec["offers"] == ["research_site"] and rec["level"] == "SMP"  # the rest kept


def test_profile_errors_show_beside_their_fields_and_nothing_is_saved(
    login: Login, web_engine: Engine
) -> None:
    c = login("s1")
    r = c.post(PROFILE, data=profile_form(c, needs=[], phone="call me", capacity="0"))
    assert r.status_code == 422
    assert "Ada isian yang perlu diperbaiki" in r.text
    assert re.search(r'field-error">wajib diisi<', r.text)  # no need ticked
    assert "is not a phone number" in r.text and r.text.count('class="field-error"') == 3
    assert 'value="call me"' in r.text  # what the user typed stays in the form
    assert web_engine.get("schools", "S1")["needs"] == ["teacher_training", "digital_devices"]


def test_the_description_preview_says_what_it_reads(login: Login) -> None:
    c = login("s1")
    r = post_form(
        c, PROFILE, "/baca", {"description": "Guru kami butuh pelatihan guru", "side": "school"}
    )
    assert r.status_code == 200
    assert "Kami membaca:" in r.text and "pelatihan guru" in r.text
    empty = post_form(c, PROFILE, "/baca", {"description": "", "side": "school"})
    assert "belum ada kebutuhan atau tawaran yang jelas" in empty.text


def test_contacts_are_shown_only_after_acceptance(login: Login, web_engine: Engine) -> None:
    web_engine.put(
        "partners",
        "P-EXACT",
        {**_stored(web_engine, "partners", "P-EXACT"), "phone": "031 555 0101"},
    )
    pid = web_engine.propose("school", "S1", "P-EXACT", "s1", "Halo").partnership_id
    c = login("s1")
    assert "031 555 0101" not in c.get(f"/kemitraan/{pid}").text
    web_engine.respond(pid, "partner", "exact", accept=True)
    page = c.get(f"/kemitraan/{pid}").text
    assert "031 555 0101" in page and "Draf nota kesepahaman" in page


def _stored(eng: Engine, kind: str, rid: str) -> dict[str, object]:
    return {
        k: v
        for k, v in eng.get(kind, rid).items()
        if v is not None and k not in ("needs_read", "offers_read")
    }


def test_the_inbox_answers_a_proposal(login: Login, web_engine: Engine) -> None:
    pid = web_engine.propose("school", "S1", "P-EXACT", "s1", "Mari bermitra").partnership_id
    c = login("exact")
    inbox = c.get("/mitra/P-EXACT/kotak-masuk").text
    assert "Mari bermitra" in inbox and "SMP Negeri S1" in inbox
    assert "Partner P-EXACT memberikan pelatihan guru" in inbox  # the roles it would take
    r = post_form(c, "/", f"/kemitraan/{pid}/jawab", {"answer": "decline", "message": "Maaf"})
    assert r.status_code == 303 and r.headers["location"] == f"/kemitraan/{pid}"
    assert web_engine.partnerships.get(pid).status == "declined"
    assert "Ajuan ditolak." in c.get(f"/kemitraan/{pid}").text
    again = post_form(c, "/", f"/kemitraan/{pid}/jawab", {"answer": "accept"})
    assert again.status_code == 303  # refused in words on the page, not an error
    assert "already answered" in c.get(f"/kemitraan/{pid}").text


def test_proposing_from_the_suggestions(login: Login, web_engine: Engine) -> None:
    c = login("s1")
    page = c.get("/sekolah/S1/saran").text
    assert "Sekolah Anda mendapat:" in page and "dari profil" not in page
    data = {"school_id": "S1", "partner_id": "P-EXACT", "message": "Halo"}
    r = post_form(c, "/sekolah/S1/saran", "/kemitraan", data)
    assert r.status_code == 303
    assert "Ajuan kemitraan terkirim ke Partner P-EXACT" in c.get("/sekolah/S1/saran").text
    post_form(c, "/sekolah/S1/saran", "/kemitraan", data)
    assert "Sudah ada ajuan" in c.get("/sekolah/S1/saran").text
    assert len(web_engine.partnerships.list_for("partner", "P-EXACT")) == 1


def test_a_partner_sees_schools_suggested_for_it(login: Login) -> None:
    page = login("exact").get("/mitra/P-EXACT/saran").text
    assert "Saran untuk Partner P-EXACT" in page and "Anda mendapat:" in page
    assert 'name="school_id" value="S1"' in page


def test_home_reminds_of_a_partnership_without_news(login: Login, web_engine: Engine) -> None:
    eng = web_engine
    pid = eng.propose("school", "S3", "P-SPORT", "s", "").partnership_id
    eng.respond(pid, "partner", "p", accept=True)
    eng.partnerships.confirm(pid, "school", "s")
    eng.partnerships.confirm(pid, "partner", "p")
    eng.add_user("s3@sekolah.test", school_id="S3", password="rahasia-123")
    from tests.web.conftest import log_in

    c = log_in(login("s1"), "s3@sekolah.test")
    assert "belum ada kabar" not in c.get("/").text
    with eng.store.engine.begin() as conn:
        old = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=61)
        conn.execute(sa.update(pm.partnerships).values(updated_at=old))
    assert "Kemitraan dengan Partner P-SPORT belum ada kabar selama 61 hari" in c.get("/").text
    assert "belum ada kabar" in login("sport").get("/").text  # both home pages


def test_every_page_switches_to_english(login: Login) -> None:
    c = login("s1")
    assert "English" in c.get("/").text
    en = c.get("/?lang=en").text
    assert "Hello, SMP Negeri S1" in en and 'lang="en"' in en
    assert "Your school gains:" in c.get("/sekolah/S1/saran").text  # remembered
    assert "What the school needs" in c.get(PROFILE).text
    assert "Halo," in c.get("/?lang=id").text


def test_every_message_a_template_uses_exists_in_both_languages() -> None:
    used: set[str] = set()
    for path in (Path(__file__).parents[2] / "web" / "templates").glob("*.html"):
        used |= set(re.findall(r"\bt\(\s*[\"']([a-z_]+)[\"']", path.read_text("utf-8")))
    used = {u for u in used if not u.endswith("_")}  # prefixes completed at run time
    for prefix, ends in {
        "status_": pm.OPEN + pm.CLOSED,
        "status_help_": pm.OPEN + pm.CLOSED,
        "capacity_": pm.SIDES,
    }.items():
        used |= {prefix + e for e in ends}
    for lang in ("id", "en"):
        assert not used - set(MESSAGES[lang]), lang
    assert set(MESSAGES["id"]) == set(MESSAGES["en"])


def test_a_suggestions_page_weighs_under_300_kb(login: Login) -> None:
    c = login("s1")
    html = c.get("/sekolah/S1/saran").text
    assets = re.findall(r'(?:src|href)="http://testserver(/static/[^"]+)"', html)
    assert any("leaflet.js" in a for a in assets) and any("htmx" in a for a in assets)
    total = len(html.encode()) + sum(len(c.get(a).content) for a in assets)
    assert total < 300_000, total


def test_api_docs_load_no_file_from_elsewhere(client: TestClient) -> None:
    for url in ("/docs", "/redoc"):
        page = client.get(url).text
        scripts = re.findall(r'(?:src|href)="([^"]+)"', page) + re.findall(r"url: '([^']+)'", page)
        assert scripts and all(s.startswith("/") for s in scripts), scripts
        for s in scripts:
            if s.startswith("/static/"):
                assert client.get(s).status_code == 200


def test_both_sides_edit_and_confirm_the_memorandum(login: Login, web_engine: Engine) -> None:
    pid = web_engine.propose("school", "S1", "P-EXACT", "s1", "Halo").partnership_id
    web_engine.respond(pid, "partner", "exact", accept=True)
    page = f"/kemitraan/{pid}"
    c = login("exact")
    assert post_form(c, page, f"{page}/setujui", {}).status_code == 303
    edit = {
        "school_roles": "S1 menyediakan ruang kelas.",
        "partner_roles": "P-EXACT melatih 14 guru.",
        "period_start": "2027-01-04",
        "period_end": "2027-06-30",
    }
    c = login("s1")
    bad = post_form(c, page, f"{page}/nota", {**edit, "period_end": "kemarin"})
    assert bad.status_code == 422 and "Tanggal tidak sah." in bad.text  # nothing changed
    post_form(c, page, f"{page}/nota", edit)
    p = web_engine.partnerships.get(pid)
    assert p.partner_roles == "P-EXACT melatih 14 guru." and not p.partner_confirmed
    html = c.get(page).text
    assert "04-01-2027 sampai 30-06-2027" in html and "Cetak" in html
    post_form(c, page, f"{page}/setujui", {})
    post_form(login("exact"), page, f"{page}/setujui", {})
    assert web_engine.partnerships.get(pid).status == "active"
    assert [e for e in web_engine.store.frame("outcomes")["status"] if e == "active"] == ["active"]
