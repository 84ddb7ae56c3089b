"""Request ids, access logs and the request body cap."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.config import ApiSettings
from matcher.config import Settings
from tests.api.conftest import KEYS, WRITE, ClientFactory


def test_request_id_is_generated(client: TestClient) -> None:
    a = client.get("/health").headers["x-request-id"]
    b = client.get("/health").headers["x-request-id"]
    assert len(a) == 32 and a != b


def test_request_id_is_echoed(client: TestClient) -> None:
    r = client.get("/schools/NOPE", headers={"X-Request-ID": "abc-123"})
    assert r.status_code == 404
    assert r.headers["x-request-id"] == "abc-123"


@pytest.mark.parametrize("given", ["has space", "x" * 200, "semi;colon", ""])
def test_untame_request_id_is_replaced(client: TestClient, given: str) -> None:
    got = client.get("/health", headers={"X-Request-ID": given}).headers["x-request-id"]
    assert got != given and len(got) == 32


def test_access_log_line(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="matcher.access"):
        client.get("/schools/S1?x=1", headers={"X-Request-ID": "req-7"})
    lines = [r for r in caplog.records if r.name == "matcher.access"]
    assert len(lines) == 1
    rec = lines[0]
    msg = rec.getMessage()
    assert '"GET /schools/S1?x=1" 200' in msg and "rid=req-7" in msg and "ms" in msg
    assert rec.__dict__["request_id"] == "req-7"
    assert rec.__dict__["status"] == 200
    latency = rec.__dict__["latency_ms"]  # the structured field says what the line says
    assert isinstance(latency, float) and f" {latency:.1f}ms " in msg


def test_refused_requests_are_logged_too(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="matcher.access"):
        client.delete("/schools/S1")
    assert [r.__dict__["status"] for r in caplog.records if r.name == "matcher.access"] == [401]


@pytest.fixture
def small_client(make_client: ClientFactory, world_settings: Settings) -> TestClient:
    return make_client(world_settings, ApiSettings(api_keys=KEYS, max_body_bytes=1000))


def outcome_list(n: int) -> bytes:
    ev = {"school_id": "S1", "partner_id": "P-EXACT", "status": "proposed"}
    return json.dumps(
        [{**ev, "recorded_at": f"2024-01-{i % 28 + 1:02d}"} for i in range(n)]
    ).encode()


def test_body_over_content_length_is_413(small_client: TestClient) -> None:
    body = outcome_list(30)
    assert len(body) > 1000
    r = small_client.post(
        "/outcomes", content=body, headers={**WRITE, "content-type": "application/json"}
    )
    assert r.status_code == 413
    assert "larger than 1000 bytes" in r.json()["detail"]
    assert r.headers["x-request-id"]


def test_streamed_body_over_the_cap_is_413(small_client: TestClient) -> None:
    """A chunked body (no Content-Length) is counted as it arrives."""
    body = outcome_list(30)

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(body), 100):
            yield body[i : i + 100]

    r = small_client.post(
        "/outcomes", content=chunks(), headers={**WRITE, "content-type": "application/json"}
    )
    assert "content-length" not in r.request.headers
    assert r.status_code == 413
    assert small_client.get("/health").json()["outcomes"] == 0


def test_streamed_body_under_the_cap_passes(small_client: TestClient) -> None:
    body = outcome_list(2)
    r = small_client.post(
        "/outcomes",
        content=iter([body[:50], body[50:]]),
        headers={**WRITE, "content-type": "application/json"},
    )
    assert r.status_code == 200
    assert r.json()["added"] == 2


def test_default_cap_is_2_mb(client: TestClient) -> None:
    r = client.put(
        "/schools/S1",
        content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={**WRITE, "content-type": "application/json"},
    )
    assert r.status_code == 413


def test_bad_content_length_is_400(client: TestClient) -> None:
    r = client.post(
        "/rankings",
        content=b"{}",
        headers={"content-type": "application/json", "content-length": "lots"},
    )
    assert r.status_code == 400


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "matcher.access"]


def test_access_log_cannot_be_forged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    forged = "/schools/x%0a127.0.0.1%20%22GET%20/admin%22%20200%0d%e2%80%a8"
    with caplog.at_level(logging.INFO, logger="matcher.access"):
        client.get(forged)
    (line,) = _access_lines(caplog)
    assert "\n" not in line and "\r" not in line and "\u2028" not in line
    assert '/schools/x\\x0a127.0.0.1 \\"GET /admin\\" 200\\x0d\\u2028" 404' in line


@pytest.mark.parametrize("param", ["X-API-Key", "api_key", "apikey", "x-api-key"])
def test_key_in_query_is_redacted(
    client: TestClient, caplog: pytest.LogCaptureFixture, param: str
) -> None:
    with caplog.at_level(logging.INFO, logger="matcher.access"):
        client.get(f"/schools?{param}=TOPSECRET-1&limit=2")
    (line,) = _access_lines(caplog)
    assert "TOPSECRET" not in line and f"{param}=[redacted]&limit=2" in line


@pytest.mark.parametrize(
    "text",
    [
        "/schools/123/suggestions",
        "".join(chr(c) for c in range(0x20, 0x7F)),  # every printable ASCII character
        *[f"/a{chr(c)}b" for c in [*range(0x00, 0x20), 0x7F, 0x85, 0x2028, 0x200B]],
        "/sekolah/é",
    ],
)
def test_log_escape_is_the_same_on_its_short_path(text: str) -> None:
    """Plain printable ASCII skips the per-character check; the result is the one the
    check gives (quotes and backslashes escaped, control characters written out)."""
    import unicodedata

    from api.middleware import log_target

    def slow(t: str) -> str:
        out = []
        for ch in t:
            if ch in ('"', "\\"):
                out.append("\\" + ch)
            elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
                out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
            else:
                out.append(ch)
        return "".join(out)

    shown = log_target({"path": text, "query_string": b""})
    assert shown == slow(text)
    assert "\n" not in shown and "\r" not in shown
