"""The web app in a real browser (Debian's chromium driven by Playwright), phone-sized:
a principal and Kuanta's user go from a suggestion to a completed, rated partnership on
the bundled sample, and the refusals a user can meet look right.

Screenshots land in ``tests/web/screenshots/`` (git-ignored; ``MATCHER_SCREENSHOTS``
moves them) for a person to look at.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from api.config import ApiSettings
from api.main import create_app
from matcher.config import Settings
from matcher.engine import Engine
from matcher.history import label_pairs
from matcher.storage import outcomes
from web.config import WebSettings

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("MATCHER_SCREENSHOTS") or Path(__file__).parent / "screenshots")
PRINCIPAL = ("kepsek@smppgri6.demo", "sekolah-demo")
KUANTA = ("mitra@kuanta.demo", "mitra-demo")
OFFICER = ("dinas@surabaya.demo", "dinas-demo")

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium (.ci/run installs it)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    """The bundled sample with a model and the demo accounts, served by uvicorn on a
    free port (as `matcher serve` does), without map tiles."""
    import uvicorn

    root = tmp_path_factory.mktemp("browser")
    settings = Settings(db_url=f"sqlite:///{root / 'matcher.db'}", models_dir=root / "models")
    eng = Engine(settings)
    eng.load_sample()
    eng.train(evaluate=False)
    assert len(eng.ensure_demo_users()) == 3
    app = create_app(settings, ApiSettings(), WebSettings(secret="b" * 48, tile_url=""))
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", eng
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh phone-sized window (its own cookies)."""
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True)
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    ctx.close()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page: Any, base: str, who: tuple[str, str]) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(who[0])
    page.get_by_label("Kata sandi").fill(who[1])
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base}/")


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url(lambda url: url.endswith("/login"))


def test_from_suggestion_to_a_completed_partnership(server: tuple[str, Engine], page: Any) -> None:
    from playwright.sync_api import expect

    base, eng = server
    before = eng.store.counts()["outcomes"]

    # the principal logs in (Indonesian by default) and adds a need
    page.goto(base)
    page.wait_for_url(lambda url: "/login?next=" in url)
    shot(page, "01-login")
    log_in(page, base, PRINCIPAL)
    expect(page.locator("h1")).to_have_text("Halo, SMP PGRI 6 Surabaya")
    page.get_by_role("link", name="Profil", exact=True).click()
    reading = page.locator("#reading")  # read live from the description (htmx)
    expect(reading).to_contain_text("Kami membaca:")
    expect(reading).to_contain_text("pendampingan kepala sekolah")
    description = page.get_by_label("Deskripsi")
    description.fill(description.input_value() + " Kami juga butuh beasiswa siswa.")
    expect(reading).to_contain_text("beasiswa siswa")
    need = page.get_by_label("pengembangan karier guru")
    expect(need).not_to_be_checked()
    need.check()
    page.get_by_label("Nama narahubung").fill("Ibu Sri Wahyuni")
    page.get_by_label("WhatsApp").fill("+62 812 3456 7890")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("status").first).to_have_text("Tersimpan.")
    expect(page.get_by_label("pengembangan karier guru")).to_be_checked()
    assert "teacher_career" in eng.get("schools", "20532541")["needs"]
    shot(page, "02-profile")

    # Kuanta is suggested with reasons in plain Indonesian; the principal proposes
    page.get_by_role("link", name="Saran mitra", exact=True).click()
    card = page.locator("li.suggestion", has_text="Kuanta")
    expect(card).to_contain_text("Sekolah Anda mendapat:")
    expect(card).to_contain_text("pendampingan kepala sekolah")
    expect(card).to_contain_text("Kuanta mendapat:")
    expect(card).to_contain_text("Daring")
    expect(card).not_to_contain_text("dari profil")
    expect(page.locator("#map .leaflet-interactive").first).to_be_visible()
    card.scroll_into_view_if_needed()
    shot(page, "03-suggestions")
    card.locator("summary").click()
    card.get_by_label("Pesan singkat").fill("Kami ingin ikut program pendampingan kepala sekolah.")
    card.get_by_role("button", name="Kirim ajuan").click()
    expect(page.get_by_role("status")).to_contain_text("Ajuan kemitraan terkirim ke Kuanta")
    log_out(page)

    # Kuanta's user finds it in the inbox and accepts
    log_in(page, base, KUANTA)
    page.get_by_role("link", name="Kotak masuk", exact=True).click()
    incoming = page.locator(".card", has_text="SMP PGRI 6 Surabaya").first
    expect(incoming).to_contain_text("Kami ingin ikut program pendampingan kepala sekolah.")
    shot(page, "04-inbox")
    incoming.get_by_label("Pesan balasan").fill("Dengan senang hati.")
    incoming.get_by_role("button", name="Terima").click()

    # the draft memorandum lists both sides' roles and the contacts; Kuanta confirms
    mou = page.locator("#mou")
    expect(page.locator("#partner-roles")).to_contain_text("Kuanta memberikan")
    expect(page.locator("#partner-roles")).to_contain_text("pendampingan kepala sekolah")
    expect(mou).to_contain_text("SMP PGRI 6 Surabaya menyediakan akses ke masyarakat")
    expect(mou).to_contain_text("Ibu Sri Wahyuni")
    page.get_by_role("button", name="Setujui nota kesepahaman").click()
    expect(page.get_by_text("Anda sudah menyetujui")).to_be_visible()
    shot(page, "05-mou")
    log_out(page)

    # the principal confirms too (now active) and rates it
    log_in(page, base, PRINCIPAL)
    page.locator("a", has_text="Kuanta").first.click()
    page.get_by_role("button", name="Setujui nota kesepahaman").click()
    expect(page.locator(".badge").first).to_have_text("berjalan")
    page.locator('input[name="rating"][value="5"]').check()
    page.get_by_role("button", name="Tandai selesai").click()
    expect(page.get_by_text("Anda memberi nilai 5/5")).to_be_visible()
    log_out(page)

    log_in(page, base, KUANTA)
    page.locator("a", has_text="SMP PGRI 6 Surabaya").first.click()
    page.locator('input[name="rating"][value="4"]').check()
    page.get_by_role("button", name="Tandai selesai").click()
    expect(page.locator(".badge").first).to_have_text("selesai")
    shot(page, "06-completed")

    # the events are stored, once each, and the next training counts them
    with eng.store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(outcomes.c.outcome_id, outcomes.c.status, outcomes.c.school_rating)
            .where(outcomes.c.school_id == "20532541", outcomes.c.partner_id == "P-KUANTA")
            .where(outcomes.c.outcome_id.like("web-%"))
        ).fetchall()
    assert sorted(r.status for r in rows) == ["accepted", "active", "completed", "proposed"]
    assert eng.store.counts()["outcomes"] == before + 4
    manifest = eng.train(evaluate=False)
    assert manifest["data"]["outcomes"] == before + 4
    labels = label_pairs(eng.store.frame("outcomes"))
    pair = labels[(labels.school_id == "20532541") & (labels.partner_id == "P-KUANTA")]
    assert pair["label"].tolist() == [1]  # a mutual success to learn from


def test_refusals_a_user_can_meet(server: tuple[str, Engine], page: Any) -> None:
    from playwright.sync_api import expect

    base, _ = server
    # five wrong passwords: the account is locked for a while
    for n in range(5):
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(OFFICER[0])
        page.get_by_label("Kata sandi").fill(f"salah-{n}")
        page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("alert")).to_contain_text("Terlalu banyak kata sandi salah")
    shot(page, "07-locked")

    # another school's inbox
    log_in(page, base, PRINCIPAL)
    answer = page.goto(f"{base}/sekolah/60751065/kotak-masuk")
    assert answer is not None and answer.status == 403
    expect(page.get_by_role("alert")).to_contain_text("tidak berhak")

    # a form whose CSRF token was taken out
    page.goto(f"{base}/sekolah/20532541/profil")
    page.evaluate("document.querySelector('form.profile input[name=csrf_token]').remove()")
    with page.expect_response(lambda r: r.request.method == "POST" and "/profil" in r.url) as info:
        page.get_by_role("button", name="Simpan").click()
    assert info.value.status == 403
    expect(page.get_by_role("alert")).to_contain_text("Formulir kedaluwarsa")

    # the English switch
    page.goto(f"{base}/")
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Hello, SMP PGRI 6 Surabaya")
    page.get_by_role("link", name="Suggested partners", exact=True).click()
    expect(page.locator("li.suggestion").first).to_contain_text("Your school gains:")
    shot(page, "08-english")
