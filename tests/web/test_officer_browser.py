"""The officer's studio in a real browser (Debian's chromium, phone-sized): the Kota
Surabaya officer allocates, pins a pair of SMP PGRI 6 Surabaya, publishes, and the
proposals reach both sides' inboxes exactly once; another regency's officer gets 403.
Screenshots in ``tests/web/screenshots/``."""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import quote

from matcher.engine import Engine
from matcher.errors import MatcherError
from tests.web.test_browser import (  # noqa: F401 - shared fixtures
    OFFICER,
    PRINCIPAL,
    browser,
    log_in,
    log_out,
    page,
    pytestmark,
    server,
    shot,
)

DEMO_SCHOOL = "20532541"


def test_officer_allocates_pins_and_publishes(server: tuple[str, Engine], page: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    base, eng = server
    log_in(page, base, OFFICER)
    page.goto(f"{base}/dinas/{quote('Kota Surabaya')}")
    expect(page.locator("h1")).to_have_text("Kemitraan sekolah di Kota Surabaya")
    expect(page.locator(".reading").first).to_contain_text("sekolah")
    shot(page, "10-officer-dashboard")

    page.get_by_role("link", name="Alokasi", exact=True).click()
    expect(page.locator("h1")).to_have_text("Alokasi mitra untuk Kota Surabaya")
    expect(page.locator("table.table")).to_contain_text("Stabil")
    page.get_by_label("Cari sekolah atau mitra (nama atau NPSN)").fill("SMP PGRI 6 Surabaya")
    page.get_by_role("button", name="Cari", exact=True).click()
    card = page.locator(f'li.assignment[data-school="{DEMO_SCHOOL}"]').first
    partner_id = card.get_attribute("data-partner")
    assert partner_id
    card.get_by_role("link", name="Patok pasangan ini").click()
    expect(page.get_by_text("Dipatok:")).to_be_visible()
    pinned = page.locator(f'li.assignment.pinned[data-school="{DEMO_SCHOOL}"]')
    expect(pinned.first).to_be_visible()
    shot(page, "11-officer-studio")

    page.locator("#publish").click()
    expect(page.get_by_role("status")).to_contain_text("usulan terkirim")
    shot(page, "12-officer-published")
    mine = [
        p for p in eng.partnerships.list_for("school", DEMO_SCHOOL) if p.partner_id == partner_id
    ]
    assert len(mine) == 1 and mine[0].status == "proposed"
    theirs = [
        p for p in eng.partnerships.list_for("partner", partner_id) if p.school_id == DEMO_SCHOOL
    ]
    assert len(theirs) == 1

    # a second publication of the same allocation is covered in test_officer.py (HTTP)
    log_out(page)

    # the principal sees it once, as the dinas's proposal to answer
    log_in(page, base, PRINCIPAL)
    page.goto(f"{base}/sekolah/{DEMO_SCHOOL}/kotak-masuk")
    name = eng.get("partners", partner_id)["name"]
    expect(page.locator("main")).to_contain_text(name)
    assert page.locator(".card h3", has_text=name).count() == 1
    card = page.locator(f"#in-{mine[0].partnership_id}")
    expect(card).to_contain_text("Usulan Dinas Pendidikan Kota Surabaya")
    expect(card.get_by_role("button", name="Terima")).to_be_visible()
    shot(page, "13-school-inbox")
    log_out(page)


def test_other_regency_officer_is_refused(server: tuple[str, Engine], page: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    base, eng = server
    schools = eng.store.frame("schools")
    other = sorted(set(schools["regency"]) - {"Kota Surabaya"})[0]
    with contextlib.suppress(MatcherError):  # made by an earlier test of this module
        eng.add_user("dinas@lain.demo", regency=other, password="dinas-lain-1")
    log_in(page, base, ("dinas@lain.demo", "dinas-lain-1"))
    for path in ("", "/alokasi", "/alasan", "/model"):
        answer = page.goto(f"{base}/dinas/{quote('Kota Surabaya')}{path}")
        assert answer is not None and answer.status == 403
    expect(page.get_by_role("alert")).to_contain_text("tidak berhak")
    shot(page, "14-other-officer-403")
