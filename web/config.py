"""Settings of the web pages: the session secret, the map tiles and cookie security.

The secret signs session cookies. It comes from ``MATCHER_SECRET``, else from the file
named by ``MATCHER_SECRET_FILE`` (default ``var/secret.key``), which is generated with
mode 0600 on first use, so sessions survive restarts without anyone configuring one.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TRUE = ("1", "true", "yes", "on")


class WebConfigError(RuntimeError):
    """A web setting that cannot be used; the message says what to set."""


@dataclass(frozen=True)
class WebSettings:
    """Configuration of the pages.

    Parameters
    ----------
    secret : str
        Signs the session cookies (at least 32 characters).
    tile_url : str
        Leaflet tile URL template; empty shows the map's markers without tiles.
    secure_cookies : bool
        Send the session cookie over HTTPS only (behind a TLS proxy).
    session_days : int
        How long a login lasts.
    """

    secret: str
    tile_url: str = DEFAULT_TILES
    secure_cookies: bool = False
    session_days: int = 14

    def __post_init__(self) -> None:
        if len(self.secret) < 32:
            raise WebConfigError("the session secret must have at least 32 characters")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebSettings:
        env = os.environ if environ is None else environ
        secret = env.get("MATCHER_SECRET", "").strip()
        if not secret:
            secret = read_or_create_secret(Path(env.get("MATCHER_SECRET_FILE") or "var/secret.key"))
        return cls(
            secret=secret,
            tile_url=env.get("MATCHER_TILE_URL", DEFAULT_TILES).strip(),
            secure_cookies=env.get("MATCHER_SECURE_COOKIES", "").strip().lower() in TRUE,
        )


def read_or_create_secret(path: Path) -> str:
    """The secret stored in ``path``; a new random one (file mode 0600) if none is."""
    try:
        return path.read_text("utf-8").strip()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise WebConfigError(f"cannot read the session secret {path}: {exc.strerror}") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first
        return path.read_text("utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secret + "\n")
    return secret
