"""Sending the outbox's notifications (docs/web.md, "Notifications") over SMTP.

The engine decides who must hear of what (:mod:`matcher.outbox`); this layer writes the
mail, in the account's language, from the Jinja2 templates ``templates/mail/`` (plain
text and HTML, words from :mod:`web.i18n`) and hands it to the server that
``MATCHER_SMTP_URL`` names, with the standard library's ``smtplib``: it speaks SMTP,
STARTTLS and SMTPS and needs nothing more here. Rendering lives outside ``matcher/``
because the engine never imports Jinja2. Each mail links to the page to act on and to a
signed page that stops such mail (also as RFC 8058 one-click ``List-Unsubscribe``).
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, FileSystemLoader, select_autoescape

from matcher.errors import MatcherError
from matcher.outbox import UNANSWERED_DAYS, Mail, Outbox
from matcher.partnerships import REMINDER_DAYS
from matcher.storage import Store
from web.i18n import translator

TEMPLATES = Path(__file__).parent / "templates" / "mail"
_ENV = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    keep_trailing_newline=True,
)
_SALT = "mail-stop"
SMTP_TIMEOUT = 20.0


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
    t = translator(lang)
    other = mail.partner_name if mail.side == "school" else mail.school_name
    own = mail.school_name if mail.side == "school" else mail.partner_name
    kind = mail.kind
    if kind == "answer":
        kind = "declined" if mail.status == "declined" else "accepted"
    base = base_url.rstrip("/")
    stop = f"{base}/surat/berhenti/{stop_token(secret, mail.user_id)}"
    context = {
        "t": t,
        "lang": lang,
        "subject": t(f"mail_subject_{kind}", other=other),
        "lead": t(f"mail_lead_{kind}", other=other, own=own, days=_days(mail.kind)),
        "action": t(f"mail_action_{kind}"),
        "link": f"{base}{act_path(mail)}",
        "stop": stop,
        "email": mail.email,
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
    msg.set_content(_ENV.get_template("notification.txt").render(context))
    msg.add_alternative(_ENV.get_template("notification.html").render(context), subtype="html")
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
    secret: str,
    interval: float = 30.0,
) -> threading.Event:
    """Send due mail every ``interval`` seconds in a background thread (``matcher
    serve``); set the returned event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                send_due(store, server, sender, base_url, secret)
            except Exception as exc:  # noqa: BLE001  (the sender must outlive one bad round)
                print(f"notifications: {exc}", flush=True)
            stop.wait(interval)

    threading.Thread(target=loop, name="matcher-mail", daemon=True).start()
    return stop
