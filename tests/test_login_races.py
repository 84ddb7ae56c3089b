"""Logins under attack: parallel wrong passwords cannot pass the lock, unknown e-mails
are answered as known ones, a one-time link works once, weak passwords are refused."""

from __future__ import annotations

import contextlib

import pytest
from limits import parse

from matcher.accounts import MAX_FAILURES, check_password
from matcher.engine import Engine
from matcher.errors import AuthError, MatcherError, ThrottledError
from tests.test_partnership_races import at_once

RIGHT = "rahasia-123"
LOOSE = {"address": parse("10000/minute"), "email": parse("10000/minute")}


@pytest.fixture
def eng(world_engine: Engine, db_backend: str) -> Engine:
    world_engine.add_user("a@s1.test", school_id="S1", password=RIGHT)
    world_engine.accounts.rates = dict(LOOSE)  # the lock alone is under test
    return world_engine


def test_parallel_wrong_passwords_do_not_pass_the_lock(eng: Engine) -> None:
    acc = eng.accounts
    tries = [lambda: acc.authenticate("a@s1.test", "salah-salah")] * 31
    res = at_once([*tries, lambda: acc.authenticate("a@s1.test", RIGHT)])
    checked = [r for r in res if not isinstance(r, ThrottledError)]
    assert len(checked) <= MAX_FAILURES, res  # only that many passwords were ever tried
    # once locked, 32 more at once with the right one among them: none logs in
    for _ in range(MAX_FAILURES):
        with contextlib.suppress(AuthError):
            acc.authenticate("a@s1.test", "salah-salah")
    res = at_once([*tries, lambda: acc.authenticate("a@s1.test", RIGHT)])
    assert all(isinstance(r, ThrottledError) for r in res), res


def test_an_unknown_email_locks_like_a_known_one(eng: Engine) -> None:
    answers = {}
    for email in ("a@s1.test", "nobody@s1.test"):
        seen = []
        for _ in range(MAX_FAILURES + 1):
            with pytest.raises(AuthError) as exc:
                eng.accounts.authenticate(email, "salah-salah")
            seen.append((type(exc.value).__name__, str(exc.value)))
        answers[email] = seen
    assert answers["a@s1.test"] == answers["nobody@s1.test"]
    assert answers["a@s1.test"][-1][0] == "ThrottledError"


def test_tries_per_client_address_are_limited(world_engine: Engine) -> None:
    acc = world_engine.accounts
    acc.rates = {"address": parse("3/minute"), "email": parse("1000/minute")}
    for n in range(3):
        with pytest.raises(AuthError) as exc:
            acc.authenticate(f"u{n}@x.test", "salah-salah", address="10.0.0.9")
        assert not isinstance(exc.value, ThrottledError)
    with pytest.raises(ThrottledError, match="too many tries"):
        acc.authenticate("u9@x.test", "salah-salah", address="10.0.0.9")
    with pytest.raises(AuthError) as other:  # another address is not held up
        acc.authenticate("u9@x.test", "salah-salah", address="10.0.0.10")
    assert not isinstance(other.value, ThrottledError)


def test_a_one_time_link_used_six_times_at_once_works_once(world_engine: Engine) -> None:
    _, link = world_engine.add_user("b@s1.test", school_id="S1")
    assert link is not None
    token = link.split("token=")[1]
    res = at_once(
        [
            lambda n=n: world_engine.accounts.set_password(token, f"kata-sandi-baru-{n}x")
            for n in range(6)
        ]
    )
    done = [r for r in res if not isinstance(r, Exception)]
    assert len(done) == 1 and all(isinstance(r, AuthError) for r in res if r not in done), res


@pytest.mark.parametrize("weak", ["12345678", "1234567890", "password123", "qwertyuiop"])
def test_a_weak_password_is_refused(weak: str) -> None:
    with pytest.raises(MatcherError):
        check_password(weak)


def test_production_refuses_the_demo_accounts(world_engine: Engine) -> None:
    world_engine.add_user("kepsek@smppgri6.demo", school_id="S1", password="sekolah-demo")
    acc = world_engine.accounts
    assert acc.authenticate("kepsek@smppgri6.demo", "sekolah-demo").school_id == "S1"
    with pytest.raises(AuthError, match="demo accounts are off"):
        acc.authenticate("kepsek@smppgri6.demo", "sekolah-demo", production=True)


def test_sessions_end_on_logout_new_password_and_everywhere(eng: Engine) -> None:
    acc = eng.accounts
    uid = acc.by_email("a@s1.test").user_id
    one, two = acc.start_session(uid), acc.start_session(uid)
    assert acc.session_user(one) is not None and acc.session_user(two) is not None
    acc.end_session(one)
    assert acc.session_user(one) is None and acc.session_user(two) is not None
    assert acc.end_sessions(uid) == 1 and acc.session_user(two) is None
    three = acc.start_session(uid)
    acc.set_password(acc.new_token("a@s1.test"), "kata-sandi-lain-99")
    assert acc.session_user(three) is None
    assert acc.session_user("forged") is None
