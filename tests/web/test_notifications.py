"""Notifications (docs/web.md, "Notifications"): the side that must act hears of it by
e-mail in its language, once, through a real SMTP server on loopback; mail waits while
the server is down; the signed stop link turns it off."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from matcher.engine import Engine
from matcher.errors import MatcherError
from matcher.notifications import SmtpServer, send_due, stop_token
from matcher.outbox import Outbox, backoff
from tests.web.conftest import USERS, WEB

BASE = "http://sekolah.example"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Inbox:
    """What the loopback SMTP server received."""

    def __init__(self) -> None:
        self.mails: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpServer, _Inbox]]:
    inbox = _Inbox()
    port = _free_port()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        yield SmtpServer.parse(f"smtp://127.0.0.1:{port}"), inbox
    finally:
        ctl.stop()


def _send(eng: Engine, server: SmtpServer, now: datetime | None = None) -> Any:
    return send_due(eng.store, server, "Mitra Sekolah <noreply@test>", BASE, WEB.secret, now)


def _text(msg: Message) -> str:
    part = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode("utf-8")


def _uid(eng: Engine, name: str) -> int:
    return eng.accounts.by_email(USERS[name]["email"]).user_id


def test_a_proposal_mails_the_partner_in_indonesian_with_its_link_once(
    web_engine: Engine, smtp: tuple[SmtpServer, _Inbox]
) -> None:
    server, inbox = smtp
    p = web_engine.propose("school", "S1", "P-EXACT", USERS["s1"]["email"], "Mari bekerja sama")
    done = _send(web_engine, server)
    assert (done.enqueued, done.sent, done.failed) == (1, 1, 0)
    (msg,) = inbox.mails
    assert msg["To"] == USERS["exact"]["email"]
    assert msg["Subject"].startswith("Usulan kemitraan baru dari")
    body = _text(msg)
    assert f"{BASE}/kemitraan/{p.partnership_id}" in body
    assert "Jawab usulan" in body
    assert msg["List-Unsubscribe"].strip().startswith(f"<{BASE}/surat/berhenti/")
    # the proposer is not told of its own step, and a second round sends nothing again
    assert _send(web_engine, server).sent == 0
    assert len(inbox.mails) == 1


def test_the_answer_goes_to_the_proposer_in_its_language(
    web_engine: Engine, smtp: tuple[SmtpServer, _Inbox]
) -> None:
    server, inbox = smtp
    Outbox(web_engine.store).set_preferences(_uid(web_engine, "s1"), True, "en")
    p = web_engine.propose("school", "S1", "P-EXACT", USERS["s1"]["email"], "")
    web_engine.respond(p.partnership_id, "partner", USERS["exact"]["email"], True, "Ya")
    _send(web_engine, server)
    to_school = [m for m in inbox.mails if m["To"] == USERS["s1"]["email"]]
    assert [m["Subject"] for m in to_school] == [
        f"{web_engine.store.get('partners', 'P-EXACT')['name']} accepted the partnership proposal"
    ]
    assert "Check the memorandum" in _text(to_school[0])


def test_mail_waits_while_the_server_is_down_and_arrives_after(
    web_engine: Engine, smtp: tuple[SmtpServer, _Inbox]
) -> None:
    server, inbox = smtp
    down = SmtpServer.parse(f"smtp://127.0.0.1:{_free_port()}")  # nobody listens there
    web_engine.propose("school", "S1", "P-EXACT", USERS["s1"]["email"], "")
    now = datetime.now(UTC).replace(tzinfo=None)
    first = _send(web_engine, down, now)
    assert (first.sent, first.failed) == (0, 1)
    assert Outbox(web_engine.store).counts() == {"sent": 0, "waiting": 1}
    # not retried before its wait is over, then delivered once the server is back
    assert _send(web_engine, server, now + timedelta(seconds=1)).sent == 0
    later = _send(web_engine, server, now + backoff(1) + timedelta(seconds=1))
    assert later.sent == 1
    assert [m["To"] for m in inbox.mails] == [USERS["exact"]["email"]]
    assert Outbox(web_engine.store).counts() == {"sent": 1, "waiting": 0}


def test_waits_remind_once_each(web_engine: Engine, smtp: tuple[SmtpServer, _Inbox]) -> None:
    server, inbox = smtp
    web_engine.propose("school", "S1", "P-EXACT", USERS["s1"]["email"], "")
    _send(web_engine, server)
    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=15)
    _send(web_engine, server, later)
    _send(web_engine, server, later + timedelta(days=1))
    subjects = [m["Subject"] for m in inbox.mails]
    assert len(subjects) == 2 and subjects[1].startswith("Usulan dari")


def test_two_senders_never_take_the_same_mail(web_engine: Engine) -> None:
    for sid in ("S1", "S2"):
        web_engine.propose("school", sid, "P-EXACT", "x@test", "")
    box = Outbox(web_engine.store)
    box.scan()
    got: list[list[int]] = []
    barrier = threading.Barrier(2)

    def take() -> None:
        barrier.wait()
        got.append([m.outbox_id for m in box.claim()])

    threads = [threading.Thread(target=take) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    taken = got[0] + got[1]
    assert len(taken) == 2 and len(set(taken)) == 2


def test_the_signed_stop_link_turns_mail_off(
    web_engine: Engine, client: TestClient, smtp: tuple[SmtpServer, _Inbox]
) -> None:
    server, inbox = smtp
    uid = _uid(web_engine, "exact")
    url = f"/surat/berhenti/{stop_token(WEB.secret, uid)}"
    page = client.get(url)
    assert page.status_code == 200 and USERS["exact"]["email"] in page.text
    assert client.post(url, data={"mail": "off", "language": "id"}).status_code == 303
    assert Outbox(web_engine.store).preferences(uid) == (False, "id")
    web_engine.propose("school", "S1", "P-EXACT", USERS["s1"]["email"], "")
    _send(web_engine, server)
    assert inbox.mails == []
    # one-click (RFC 8058) from a mail provider, and a forged token
    Outbox(web_engine.store).set_preferences(uid, True)
    one = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert one.status_code == 200 and Outbox(web_engine.store).preferences(uid)[0] is False
    assert client.get("/surat/berhenti/forged.token").status_code == 404
    assert client.post("/surat/berhenti/forged.token", data={"mail": "off"}).status_code == 404


@pytest.mark.parametrize("url", ["http://x:25", "smtp://", "smtp://host:port"])
def test_a_bad_smtp_url_is_a_clear_error(url: str) -> None:
    with pytest.raises(MatcherError, match="MATCHER_SMTP_URL"):
        SmtpServer.parse(url)


def test_smtp_url_forms() -> None:
    s = SmtpServer.parse("smtps://user%40x:p%3Ass@mail.example:465")
    assert (s.host, s.port, s.tls, s.user, s.password) == (
        "mail.example",
        465,
        True,
        "user@x",
        "p:ss",
    )
    assert SmtpServer.parse("smtp://127.0.0.1:2525").tls is False


def test_matcher_notify_sends_what_is_due_for_cron(
    web_engine: Engine,
    smtp: tuple[SmtpServer, _Inbox],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from matcher.cli import main

    server, inbox = smtp
    s = web_engine.settings
    argv = ["notify", "--db", s.db_url, "--models", str(s.models_dir)]
    monkeypatch.setenv("MATCHER_SECRET", WEB.secret)
    monkeypatch.delenv("MATCHER_SMTP_URL", raising=False)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "MATCHER_SMTP_URL" in err and "\n" not in err
    web_engine.propose("school", "S1", "P-EXACT", USERS["s1"]["email"], "")
    monkeypatch.setenv("MATCHER_SMTP_URL", f"smtp://127.0.0.1:{_free_port()}")
    assert main(argv) == 2  # the server is down: a one-line reason, the mail waits
    assert "wait" in capsys.readouterr().err
    monkeypatch.setenv("MATCHER_SMTP_URL", f"smtp://{server.host}:{server.port}")
    with web_engine.store.transaction() as conn:  # as if the wait were over
        from matcher.storage import outbox

        conn.execute(outbox.update().values(due_at=datetime(2000, 1, 1)))
    assert main(argv) == 0
    assert "1 sent" in capsys.readouterr().out
    assert [m["To"] for m in inbox.mails] == [USERS["exact"]["email"]]


def test_a_district_proposal_asks_both_sides(
    web_engine: Engine, smtp: tuple[SmtpServer, _Inbox]
) -> None:
    server, inbox = smtp
    web_engine.partnerships.propose(
        "dinas", "S1", "P-EXACT", USERS["officer"]["email"], "", dinas="Kota Surabaya"
    )
    _send(web_engine, server)
    assert sorted(m["To"] for m in inbox.mails) == sorted(
        [USERS["s1"]["email"], USERS["exact"]["email"]]
    )
    assert all(m["Subject"].startswith("Dinas Pendidikan mengusulkan") for m in inbox.mails)


def test_the_html_part_escapes_names_and_the_text_part_keeps_them() -> None:
    from matcher.notifications import compose
    from matcher.outbox import Mail

    m = Mail(1, "proposal", 7, "a@b.test", "id", "partner", "k1", "proposed", "SD <1> & Co", "P", 0)
    msg = compose(m, "x@test", BASE, WEB.secret)
    parts = {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}
    assert "SD <1> & Co mengusulkan" in parts["text/plain"]
    assert "SD &lt;1&gt; &amp; Co mengusulkan" in parts["text/html"]
    assert "<1>" not in parts["text/html"]
