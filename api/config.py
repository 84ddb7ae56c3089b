"""Settings of the HTTP layer: API keys, production mode and request size caps.

Engine settings (database, models folder) stay in :class:`matcher.config.Settings`; this
object only holds what the service itself needs. Values come from a JSON settings file
named by ``MATCHER_SETTINGS``, overridden by the environment variables
``MATCHER_API_KEYS``, ``MATCHER_PRODUCTION`` and ``MATCHER_PUBLIC_DOCS``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROLES = ("read", "write")
# production keys are secrets, not passwords to remember: at least this long
MIN_PRODUCTION_KEY = 24
# `matcher serve` refuses a bad configuration with this exit status (sysexits' EX_CONFIG),
# distinct from the command line's 1-3.
EXIT_CONFIG = 78
TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off", "")


class ApiConfigError(RuntimeError):
    """Bad or unsafe service configuration; the message says what to set."""


@dataclass(frozen=True)
class ApiSettings:
    """Configuration of the HTTP service.

    Parameters
    ----------
    api_keys : mapping of str to str
        Each accepted key and its role, ``"read"`` or ``"write"`` (write implies read).
    production : bool
        Every endpoint but ``/health`` then needs a key, and start-up fails without keys.
    public_docs : bool
        Open ``/docs``, ``/redoc`` and ``/openapi.json`` without a key in production
        (outside production they are open like every read).
    max_body_bytes : int
        Largest request body accepted; larger ones are answered 413.
    max_outcomes : int
        Most outcome events in one ``POST /outcomes``.
    max_school_ids : int
        Most school ids in one ``POST /rankings``.
    """

    api_keys: Mapping[str, str] = field(default_factory=dict)
    production: bool = False
    public_docs: bool = False
    max_body_bytes: int = 2 * 1024 * 1024
    max_outcomes: int = 10_000
    max_school_ids: int = 5_000

    def __post_init__(self) -> None:
        for key, role in self.api_keys.items():
            if role not in ROLES:
                raise ApiConfigError(f"API key role {role!r} is not one of {', '.join(ROLES)}")
            if not key:
                raise ApiConfigError("an API key must not be empty")
        for name in ("max_body_bytes", "max_outcomes", "max_school_ids"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ApiConfigError(f"{name} must be a positive whole number, got {value!r}")

    def check(self) -> None:
        """Refuse an unsafe configuration: production mode without any key, or with a
        key shorter than :data:`MIN_PRODUCTION_KEY` characters."""
        if self.production and not self.api_keys:
            raise ApiConfigError(
                "production mode needs API keys, none are configured: set "
                "MATCHER_API_KEYS=write:KEY,read:KEY (or api_keys in the MATCHER_SETTINGS "
                "file), or unset MATCHER_PRODUCTION for the local demo"
            )
        if self.production:
            for n, (key, role) in enumerate(self.api_keys.items(), start=1):
                if len(key) < MIN_PRODUCTION_KEY:
                    # never echo the key itself
                    raise ApiConfigError(
                        f"production mode: API key {n} ({role}) has {len(key)} characters, "
                        f"needs at least {MIN_PRODUCTION_KEY} (e.g. python -c 'import "
                        "secrets; print(secrets.token_urlsafe(32))')"
                    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ApiSettings:
        """Read the settings file (``MATCHER_SETTINGS``), then the environment overrides.

        ``MATCHER_API_KEYS``, when set and not blank, replaces the file's keys;
        ``MATCHER_PRODUCTION``, when set, replaces the file's ``production``.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        if path := env.get("MATCHER_SETTINGS", "").strip():
            values = read_settings_file(Path(path))
        if (keys := env.get("MATCHER_API_KEYS", "")).strip():
            values["api_keys"] = parse_key_pairs(keys.split(","), "MATCHER_API_KEYS")
        flags = (("production", "MATCHER_PRODUCTION"), ("public_docs", "MATCHER_PUBLIC_DOCS"))
        for name, var in flags:
            if var in env:
                values[name] = parse_bool(env[var], var)
        return cls(**values)


def parse_bool(value: str, what: str) -> bool:
    """``1/true/yes/on`` or ``0/false/no/off`` (any case; blank is false)."""
    s = value.strip().lower()
    if s in TRUE:
        return True
    if s in FALSE:
        return False
    raise ApiConfigError(f"{what}={value!r}: use 1 or 0")


def parse_key_pairs(pairs: Iterable[str], what: str) -> dict[str, str]:
    """``ROLE:KEY`` strings to a key → role mapping; the key may itself contain ``:``."""
    keys: dict[str, str] = {}
    for n, raw in enumerate(pairs, start=1):
        pair = raw.strip()
        if not pair:
            continue
        role, sep, key = pair.partition(":")
        role, key = role.strip().lower(), key.strip()
        if not sep or not key:
            # never echo the entry: it may be a secret missing its role
            raise ApiConfigError(f"{what}: entry {n} is not ROLE:KEY (e.g. write:s3cret)")
        if role not in ROLES:
            raise ApiConfigError(f"{what}: role {role!r} is not one of {', '.join(ROLES)}")
        if keys.get(key, role) != role:
            raise ApiConfigError(f"{what}: the same key is given two roles")
        keys[key] = role
    return keys


def read_settings_file(path: Path) -> dict[str, Any]:
    """The service settings in a JSON file.

    ``{"api_keys": {"KEY": "ROLE", ...} | ["ROLE:KEY", ...], "production": bool,
    "public_docs": bool, "max_body_bytes": int, "max_outcomes": int,
    "max_school_ids": int}``; every field is optional.
    """
    what = f"settings file {path}"
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ApiConfigError(f"cannot read {what}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ApiConfigError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ApiConfigError(f"{what} must hold a JSON object")
    known = {
        "api_keys",
        "production",
        "public_docs",
        "max_body_bytes",
        "max_outcomes",
        "max_school_ids",
    }
    if unknown := sorted(set(data) - known):
        raise ApiConfigError(f"{what}: unknown setting(s) {', '.join(unknown)}")
    values = dict(data)
    keys = data.get("api_keys")
    if isinstance(keys, dict):
        pairs = []
        for k, role in keys.items():
            if not isinstance(role, str):
                raise ApiConfigError(f"{what}: api_keys roles must be text")
            pairs.append(f"{role}:{k}")
        values["api_keys"] = parse_key_pairs(pairs, what)
    elif isinstance(keys, list) and all(isinstance(p, str) for p in keys):
        values["api_keys"] = parse_key_pairs(keys, what)
    elif keys is not None:
        raise ApiConfigError(f'{what}: api_keys must be {{"KEY": "ROLE"}} or ["ROLE:KEY", ...]')
    for flag in ("production", "public_docs"):
        if flag in data and not isinstance(data[flag], bool):
            raise ApiConfigError(f"{what}: {flag} must be true or false")
    return values
