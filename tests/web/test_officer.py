"""The officer's studio over HTTP: scoped to the officer's regency (403 elsewhere),
allocation with pins, publishing into both inboxes exactly once, the workbook."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from matcher.engine import Engine
from tests.conftest import school
from tests.web.conftest import PASSWORD, Login, csrf_of, log_in

BASE = "/dinas/" + quote("Kota Surabaya")
GETS = ["", "/alokasi", "/alasan", "/unduh", "/terbitan", "/model"]
POSTS = ["/terbitkan", "/model/latih", "/model/aktifkan"]


@pytest.fixture
def other_officer(web_engine: Engine, client: TestClient) -> TestClient:
    """An officer of Kabupaten Sidoarjo (one school there)."""
    web_engine.load_records("schools", [school("S-SDA", regency="Kabupaten Sidoarjo")])
    web_engine.add_user("dinas@sidoarjo.test", regency="Kabupaten Sidoarjo", password=PASSWORD)
    return log_in(client, "dinas@sidoarjo.test")


@pytest.mark.parametrize("path", GETS)
def test_another_regencys_officer_is_refused(other_officer: TestClient, path: str) -> None:
    assert other_officer.get(BASE + path).status_code == 403


@pytest.mark.parametrize("path", POSTS)
def test_another_regencys_officer_cannot_post(other_officer: TestClient, path: str) -> None:
    token = csrf_of(other_officer.get("/").text)
    r = other_officer.post(BASE + path, data={"csrf_token": token, "version": "v1"})
    assert r.status_code == 403


@pytest.mark.parametrize("who", ["s1", "exact"])
def test_schools_and_partners_are_refused(login: Login, who: str) -> None:
    c = login(who)
    for path in GETS:
        assert c.get(BASE + path).status_code == 403


def test_dashboard_reads_in_indonesian(login: Login) -> None:
    r = login("officer").get(BASE)
    assert r.status_code == 200
    assert "Kemitraan sekolah di Kota Surabaya" in r.text
    assert "dari 5 sekolah belum punya mitra aktif" in r.text
    assert r.text.count("<svg") >= 3


def test_pin_publish_once_into_both_inboxes(login: Login, web_engine: Engine) -> None:
    c = login("officer")
    page = c.get(BASE + "/alokasi?pin=" + quote("S1|P-ONESIDED"))
    assert page.status_code == 200 and "Dipatok: S1 dengan P-ONESIDED" in page.text
    token = csrf_of(page.text)
    form = {"csrf_token": token, "equity": "0.5", "mode": "optimal", "pin": "S1|P-ONESIDED"}
    r = c.post(BASE + "/terbitkan", data=form)
    assert r.status_code == 303 and r.headers["location"].endswith("/terbitan")
    first = web_engine.partnerships.list_for("school", "S1")
    assert {p.partner_id for p in first} >= {"P-ONESIDED"}
    assert all(p.status == "proposed" for p in first)
    n_events = web_engine.store.counts()["outcomes"]
    # a second click: the same publication, nothing new anywhere
    assert c.post(BASE + "/terbitkan", data=form).status_code == 303
    again = web_engine.partnerships.list_for("school", "S1")
    assert sorted(p.partnership_id for p in again) == sorted(p.partnership_id for p in first)
    assert web_engine.store.counts()["outcomes"] == n_events
    partner_side = web_engine.partnerships.list_for("partner", "P-ONESIDED")
    assert [p.school_id for p in partner_side].count("S1") == 1
    log = c.get(BASE + "/terbitan")
    assert "dinas@kota.test" in log.text and log.text.count('class="card publication"') == 1
    inbox = login("exact").get("/mitra/P-EXACT/kotak-masuk")
    assert inbox.status_code == 200


def test_workbook_download(login: Login) -> None:
    r = login("officer").get(BASE + "/unduh?equity=0.5&mode=stable")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[:3] == ["Penugasan", "Alternatif", "Ringkasan"]
    assert wb["Penugasan"]["A1"].value == "Kecamatan"


def test_bad_pin_is_said_in_words(login: Login) -> None:
    r = login("officer").get(BASE + "/alokasi?pin=" + quote("S1|P-SMK"))
    assert r.status_code == 200 and "does not reach" in r.text


def test_model_page_in_plain_words(login: Login) -> None:
    r = login("officer").get(BASE + "/model")
    assert r.status_code == 200 and "Dilatih" in r.text and "NDCG" not in r.text
