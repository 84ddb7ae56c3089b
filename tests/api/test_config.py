"""Service settings from MATCHER_API_KEYS, MATCHER_PRODUCTION and the MATCHER_SETTINGS file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api.config import ApiConfigError, ApiSettings


def write_settings(tmp_path: Path, data: Any) -> str:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(data), "utf-8")
    return str(path)


def test_defaults() -> None:
    s = ApiSettings.from_env({})
    assert s.api_keys == {} and s.production is False
    assert (s.max_body_bytes, s.max_outcomes, s.max_school_ids) == (2 * 1024 * 1024, 10_000, 5_000)


@pytest.mark.parametrize(
    ("value", "keys"),
    [
        ("write:s3cret,read:r3ad", {"s3cret": "write", "r3ad": "read"}),
        (" write : s3cret , , READ:r3ad ", {"s3cret": "write", "r3ad": "read"}),
        ("read:a:b:c", {"a:b:c": "read"}),
        ("   ", {}),
    ],
)
def test_keys_from_env(value: str, keys: dict[str, str]) -> None:
    assert dict(ApiSettings.from_env({"MATCHER_API_KEYS": value}).api_keys) == keys


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("s3cret", "not ROLE:KEY"),
        ("write:", "not ROLE:KEY"),
        ("admin:s3cret", "role 'admin'"),
        ("write:k,read:k", "two roles"),
    ],
)
def test_bad_keys_from_env(value: str, message: str) -> None:
    with pytest.raises(ApiConfigError, match=message):
        ApiSettings.from_env({"MATCHER_API_KEYS": value})


def test_bad_key_message_does_not_print_the_key() -> None:
    with pytest.raises(ApiConfigError, match="entry 2 is not") as info:
        ApiSettings.from_env({"MATCHER_API_KEYS": "read:r,longsecretwithoutrole"})
    assert "longsec" not in str(info.value)


@pytest.mark.parametrize(
    ("value", "production"),
    [("1", True), ("true", True), ("YES", True), ("0", False), ("false", False), ("", False)],
)
def test_production_from_env(value: str, production: bool) -> None:
    assert ApiSettings.from_env({"MATCHER_PRODUCTION": value}).production is production


def test_bad_production_value() -> None:
    with pytest.raises(ApiConfigError, match="MATCHER_PRODUCTION"):
        ApiSettings.from_env({"MATCHER_PRODUCTION": "sometimes"})


@pytest.mark.parametrize("keys", [{"f-w": "write", "f-r": "read"}, ["write:f-w", "read:f-r"]])
def test_settings_file(tmp_path: Path, keys: Any) -> None:
    path = write_settings(tmp_path, {"api_keys": keys, "production": True, "max_outcomes": 50})
    s = ApiSettings.from_env({"MATCHER_SETTINGS": path})
    assert dict(s.api_keys) == {"f-w": "write", "f-r": "read"}
    assert s.production is True
    assert s.max_outcomes == 50


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = write_settings(tmp_path, {"api_keys": ["write:f-w"], "production": True})
    env = {"MATCHER_SETTINGS": path, "MATCHER_API_KEYS": "read:e-r", "MATCHER_PRODUCTION": "0"}
    s = ApiSettings.from_env(env)
    assert dict(s.api_keys) == {"e-r": "read"}
    assert s.production is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "JSON object"),
        ({"api_keys": "write:x"}, "api_keys must be"),
        ({"api_keys": {"k": 1}}, "roles must be text"),
        ({"api_keys": {"k": "owner"}}, "role 'owner'"),
        ({"production": "yes"}, "production must be true or false"),
        ({"prod": True}, "unknown setting"),
        ({"max_body_bytes": 0}, "max_body_bytes must be a positive"),
        ({"max_school_ids": "many"}, "max_school_ids must be a positive"),
    ],
)
def test_bad_settings_file(tmp_path: Path, data: Any, message: str) -> None:
    path = write_settings(tmp_path, data)
    with pytest.raises(ApiConfigError, match=message):
        ApiSettings.from_env({"MATCHER_SETTINGS": path})


def test_settings_file_missing_or_not_json(tmp_path: Path) -> None:
    with pytest.raises(ApiConfigError, match="cannot read"):
        ApiSettings.from_env({"MATCHER_SETTINGS": str(tmp_path / "nope.json")})
    (tmp_path / "bad.json").write_text("{api_keys", "utf-8")
    with pytest.raises(ApiConfigError, match="not valid JSON"):
        ApiSettings.from_env({"MATCHER_SETTINGS": str(tmp_path / "bad.json")})


def test_check_refuses_production_without_keys() -> None:
    ApiSettings(production=False).check()
    ApiSettings(api_keys={"k" * 24: "read"}, production=True).check()
    with pytest.raises(ApiConfigError, match="production mode needs API keys"):
        ApiSettings(production=True).check()


def test_check_refuses_a_short_production_key() -> None:
    ApiSettings(api_keys={"abcde": "write"}).check()  # the local demo may use any
    with pytest.raises(ApiConfigError, match="key 2 \\(read\\) has 5 characters") as exc:
        ApiSettings(api_keys={"w" * 30: "write", "abcde": "read"}, production=True).check()
    assert "abcde" not in str(exc.value)


def test_direct_construction_is_validated() -> None:
    with pytest.raises(ApiConfigError, match="role"):
        ApiSettings(api_keys={"k": "admin"})
    with pytest.raises(ApiConfigError, match="empty"):
        ApiSettings(api_keys={"": "read"})
