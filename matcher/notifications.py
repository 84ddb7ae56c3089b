# ruff: noqa: E501  (a catalogue of sentences: one line each reads best)
"""Writing and sending the outbox's notifications (docs/web.md, "Notifications").

:mod:`matcher.outbox` decides who must hear of what; this module writes each mail in the
account's language (plain text and HTML) and hands it to the server that
``MATCHER_SMTP_URL`` names, with the standard library's ``smtplib``: it speaks SMTP,
STARTTLS and SMTPS and needs nothing more. The two mail layouts are ``string.Template``
texts with their words below, not Jinja2 pages: ``matcher notify`` runs from the
command line, and the engine imports no page library (tests/test_module_graph.py);
values are HTML-escaped by hand in the one HTML layout. Each mail links to the page to
act on and to a signed page that stops such mail (also as RFC 8058 one-click
``List-Unsubscribe``).
"""

from __future__ import annotations

import contextlib
import html
import os
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from string import Template
from urllib.parse import unquote, urlsplit

from itsdangerous import BadSignature, URLSafeSerializer

from matcher.errors import MatcherError
from matcher.outbox import UNANSWERED_DAYS, Mail, Outbox
from matcher.partnerships import REMINDER_DAYS
from matcher.storage import Store

_SALT = "mail-stop"
SMTP_TIMEOUT = 20.0
SEND_INTERVAL = 30.0  # seconds between rounds of `matcher serve`'s sender

WORDS: dict[str, dict[str, str]] = {
    "id": {
        "subject_proposal": "Usulan kemitraan baru dari {other}",
        "lead_proposal": "{other} mengusulkan kemitraan dengan {own}. Buka usulannya untuk menerima atau menolak.",
        "action_proposal": "Jawab usulan",
        "subject_proposal_dinas": "Dinas Pendidikan mengusulkan kemitraan dengan {other}",
        "lead_proposal_dinas": "Dinas Pendidikan mengusulkan kemitraan antara {own} dan {other}. Kemitraan dimulai bila kedua pihak menerimanya.",
        "action_proposal_dinas": "Jawab usulan",
        "subject_accepted": "{other} menerima usulan kemitraan",
        "lead_accepted": "{other} menerima usulan kemitraan dengan {own}. Periksa draf nota kesepahaman lalu setujui.",
        "action_accepted": "Periksa nota kesepahaman",
        "subject_declined": "{other} menolak usulan kemitraan",
        "lead_declined": "{other} menolak usulan kemitraan dengan {own}. Lihat saran mitra lain di Mitra Sekolah.",
        "action_declined": "Lihat kemitraan",
        "subject_memo_confirm": "Nota kesepahaman dengan {other} menunggu persetujuan Anda",
        "lead_memo_confirm": "{other} sudah menyetujui nota kesepahaman dengan {own}. Kemitraan berjalan setelah Anda juga menyetujuinya.",
        "action_memo_confirm": "Setujui nota kesepahaman",
        "subject_memo_changed": "{other} mengubah nota kesepahaman",
        "lead_memo_changed": "{other} mengubah nota kesepahaman dengan {own}. Periksa perubahannya dan setujui lagi.",
        "action_memo_changed": "Periksa perubahan",
        "subject_unanswered": "Usulan dari {other} belum dijawab",
        "lead_unanswered": "Usulan kemitraan dari {other} untuk {own} belum dijawab selama {days} hari. Mohon terima atau tolak agar mereka tidak menunggu.",
        "action_unanswered": "Jawab usulan",
        "subject_quiet": "Kemitraan dengan {other} tanpa kabar",
        "lead_quiet": "Kemitraan {own} dengan {other} tanpa kabar selama {days} hari. Tulis kabar terbaru, atau selesaikan kemitraan bila sudah berakhir.",
        "action_quiet": "Tulis kabar",
        "footer": "Anda menerima e-mail ini untuk akun {email} di Mitra Sekolah.",
        "stop": "Berhenti menerima e-mail seperti ini",
    },
    "en": {
        "subject_proposal": "New partnership proposal from {other}",
        "lead_proposal": "{other} proposes a partnership with {own}. Open the proposal to accept or decline it.",
        "action_proposal": "Answer the proposal",
        "subject_proposal_dinas": "The education office proposes a partnership with {other}",
        "lead_proposal_dinas": "The district education office proposes a partnership between {own} and {other}. It starts once both sides accept it.",
        "action_proposal_dinas": "Answer the proposal",
        "subject_accepted": "{other} accepted the partnership proposal",
        "lead_accepted": "{other} accepted the partnership proposal with {own}. Check the draft memorandum of understanding and confirm it.",
        "action_accepted": "Check the memorandum",
        "subject_declined": "{other} declined the partnership proposal",
        "lead_declined": "{other} declined the partnership proposal with {own}. See other suggestions in School Partners.",
        "action_declined": "See the partnership",
        "subject_memo_confirm": "The memorandum with {other} awaits your confirmation",
        "lead_memo_confirm": "{other} confirmed the memorandum of understanding with {own}. The partnership starts once you confirm it too.",
        "action_memo_confirm": "Confirm the memorandum",
        "subject_memo_changed": "{other} changed the memorandum",
        "lead_memo_changed": "{other} changed the memorandum of understanding with {own}. Check the changes and confirm it again.",
        "action_memo_changed": "Check the changes",
        "subject_unanswered": "The proposal from {other} is still unanswered",
        "lead_unanswered": "The partnership proposal from {other} to {own} has waited {days} days for an answer. Please accept or decline it so they are not left waiting.",
        "action_unanswered": "Answer the proposal",
        "subject_quiet": "No news from the partnership with {other}",
        "lead_quiet": "The partnership of {own} with {other} has had no news for {days} days. Post an update, or close the partnership if it is over.",
        "action_quiet": "Post an update",
        "footer": "You receive this e-mail for the account {email} at School Partners.",
        "stop": "Stop receiving e-mail like this",
    },
}

TEXT = Template("""$lead

$action:
$link

--
$footer
$stop_label: $stop
""")
HTML = Template("""<!doctype html>
<html lang="$lang">
<head><meta charset="utf-8"><title>$subject</title></head>
<body style="font-family: sans-serif; line-height: 1.5; max-width: 36em">
<p>$lead</p>
<p><a href="$link" style="display: inline-block; padding: .6em 1em; background: #0b5d3b; color: #fff; text-decoration: none; border-radius: 4px">$action</a></p>
<p style="font-size: .85em; color: #555">$footer<br>
<a href="$stop" style="color: #555">$stop_label</a></p>
</body>
</html>
""")


def signing_secret() -> str:
    """The web app's secret, which signs stop links: ``MATCHER_SECRET``, else the file
    ``MATCHER_SECRET_FILE`` (default ``var/secret.key``) that the web app creates on its
    first start; MatcherError when neither is there."""
    secret = os.environ.get("MATCHER_SECRET", "").strip()
    if secret:
        return secret
    path = Path(os.environ.get("MATCHER_SECRET_FILE") or "var/secret.key")
    try:
        return path.read_text("utf-8").strip()
    except OSError:
        raise MatcherError(
            f"no secret to sign stop links: set MATCHER_SECRET, or start matcher serve "
            f"once from this folder (it writes {path})"
        ) from None


@dataclass(frozen=True)
class SmtpServer:
    """Where mail goes: ``smtp://[USER:PASSWORD@]HOST:PORT`` or ``smtps://...`` (TLS)."""

    host: str
    port: int
    tls: bool
    user: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        """The server of a ``MATCHER_SMTP_URL``; MatcherError saying what is wrong."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MatcherError(
                "MATCHER_SMTP_URL must look like smtp://HOST:PORT, "
                "smtp://USER:PASSWORD@HOST:PORT or smtps://HOST:PORT"
            )
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise MatcherError("MATCHER_SMTP_URL has a port that is not a number") from None
        return cls(
            host=parts.hostname,
            port=port,
            tls=parts.scheme == "smtps",
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def connect(self) -> smtplib.SMTP:
        """An open, logged-in connection (STARTTLS where a plain server offers it)."""
        if self.tls:
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)
            conn.ehlo()
            if conn.has_extn("starttls"):
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
        if self.user:
            conn.login(self.user, self.password or "")
        return conn


def stop_token(secret: str, user_id: int) -> str:
    """The signed token of an account's stop link."""
    return URLSafeSerializer(secret, salt=_SALT).dumps(user_id)


def token_user(secret: str, token: str) -> int | None:
    """The account a stop token was signed for, or None for a forged or damaged one."""
    try:
        value = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def act_path(mail: Mail) -> str:
    """The page the recipient acts on."""
    return f"/kemitraan/{mail.partnership_id}" if mail.partnership_id else "/"


def compose(mail: Mail, sender: str, base_url: str, secret: str) -> EmailMessage:
    """The mail for one outbox row: subject, plain text and HTML in its language."""
    lang = mail.language
    words = WORDS.get(lang, WORDS["id"])

    def t(key: str, **values: object) -> str:
        return words[key].format(**values)

    other = mail.partner_name if mail.side == "school" else mail.school_name
    own = mail.school_name if mail.side == "school" else mail.partner_name
    kind = mail.kind
    if kind == "answer":
        kind = "declined" if mail.status == "declined" else "accepted"
    base = base_url.rstrip("/")
    stop = f"{base}/surat/berhenti/{stop_token(secret, mail.user_id)}"
    context = {
        "lang": lang,
        "subject": t(f"subject_{kind}", other=other),
        "lead": t(f"lead_{kind}", other=other, own=own, days=_days(mail.kind)),
        "action": t(f"action_{kind}"),
        "link": f"{base}{act_path(mail)}",
        "stop": stop,
        "footer": t("footer", email=mail.email),
        "stop_label": t("stop"),
    }
    msg = EmailMessage()
    msg["Subject"] = context["subject"]
    msg["From"] = sender
    msg["To"] = formataddr(("", mail.email))
    msg["Message-ID"] = make_msgid(idstring=f"outbox{mail.outbox_id}")
    msg["Content-Language"] = lang
    msg["List-Unsubscribe"] = f"<{stop}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(TEXT.substitute(context))
    escaped = {k: html.escape(v, quote=True) for k, v in context.items()}
    msg.add_alternative(HTML.substitute(escaped), subtype="html")
    return msg


def _days(kind: str) -> int:
    return UNANSWERED_DAYS if kind == "unanswered" else REMINDER_DAYS


@dataclass(frozen=True)
class Sent:
    """What one round did: enqueued, sent, failed (and left for a later round)."""

    enqueued: int
    sent: int
    failed: int


def send_due(
    store: Store,
    server: SmtpServer,
    sender: str,
    base_url: str,
    secret: str,
    now: datetime | None = None,
) -> Sent:
    """Enqueue what is due, then send every due mail; a mail the server does not take
    waits for its next try (nothing is lost when the server is down)."""
    box = Outbox(store)
    enqueued = box.scan(now)
    mails = box.claim(now)
    if not mails:
        return Sent(enqueued, 0, 0)
    sent = failed = 0
    try:
        conn = server.connect()
    except (OSError, smtplib.SMTPException) as exc:
        for m in mails:
            box.failed(m.outbox_id, f"cannot reach the mail server: {exc}", now)
        return Sent(enqueued, 0, len(mails))
    try:
        for m in mails:
            try:
                conn.send_message(compose(m, sender, base_url, secret))
            except (OSError, smtplib.SMTPException) as exc:
                box.failed(m.outbox_id, str(exc), now)
                failed += 1
            else:
                box.sent(m.outbox_id, now)
                sent += 1
    finally:
        # the server may go away after taking what it took
        with contextlib.suppress(OSError, smtplib.SMTPException):
            conn.quit()
    return Sent(enqueued, sent, failed)


def start_sender(
    store: Store,
    server: SmtpServer,
    sender: str,
    base_url: str,
    secret: str | None,
    interval: float = SEND_INTERVAL,
) -> threading.Event:
    """Send due mail every ``interval`` seconds in a background thread (``matcher
    serve``); set the returned event to stop it. ``secret`` None: read
    :func:`signing_secret` each round."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                send_due(store, server, sender, base_url, secret or signing_secret())
            except Exception as exc:  # noqa: BLE001  (the sender must outlive one bad round)
                print(f"notifications: {exc}", flush=True)
            stop.wait(interval)

    threading.Thread(target=loop, name="matcher-mail", daemon=True).start()
    return stop
