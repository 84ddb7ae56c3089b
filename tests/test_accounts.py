"""Web accounts: roles, one-time password links, Argon2 passwords and the login lock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from matcher import accounts
from matcher.accounts import MAX_FAILURES, login_attempts, users
from matcher.cli import main
from matcher.engine import Engine
from matcher.errors import AuthError, MatcherError, NotFoundError, ThrottledError


def utc_now() -> datetime:
    """Now in UTC without a zone, as the accounts table stores times."""
    return datetime.now(UTC).replace(tzinfo=None)


def test_an_account_acts_for_exactly_one_thing(world_engine: Engine) -> None:
    user, link = world_engine.add_user("Kepsek@S1.test ", school_id="S1")
    assert user.email == "kepsek@s1.test" and user.role == "school" and user.school_id == "S1"
    assert link and "/set-password?token=" in link and not user.has_password
    assert user.may_act_for("school", "S1")
    assert not user.may_act_for("school", "S2") and not user.may_act_for("partner", "S1")
    with pytest.raises(MatcherError, match="exactly one"):
        world_engine.add_user("x@y.test", school_id="S1", partner_id="P-EXACT")
    with pytest.raises(MatcherError, match="exactly one"):
        world_engine.add_user("x@y.test")
    with pytest.raises(NotFoundError):
        world_engine.add_user("x@y.test", school_id="NOPE")
    with pytest.raises(NotFoundError):
        world_engine.add_user("x@y.test", regency="Atlantis")
    with pytest.raises(MatcherError, match="already exists"):
        world_engine.add_user("KEPSEK@s1.test", partner_id="P-EXACT")
    with pytest.raises(MatcherError, match="not an e-mail"):
        world_engine.add_user("kepsek", partner_id="P-EXACT")


def test_a_password_link_sets_the_password_once(world_engine: Engine) -> None:
    _, link = world_engine.add_user("a@s1.test", school_id="S1")
    assert link is not None
    token = link.split("token=")[1]
    with pytest.raises(MatcherError, match="at least 10"):
        world_engine.accounts.set_password(token, "short")
    world_engine.accounts.set_password(token, "panjang-sekali")
    assert world_engine.accounts.authenticate("a@s1.test", "panjang-sekali").school_id == "S1"
    with pytest.raises(AuthError, match="used or expired"):
        world_engine.accounts.set_password(token, "lain-lagi-123")
    with pytest.raises(AuthError):
        world_engine.accounts.token_user("not-a-token")


def test_an_expired_link_is_refused(world_engine: Engine) -> None:
    _, link = world_engine.add_user("a@s1.test", school_id="S1")
    assert link is not None
    with world_engine.store.engine.begin() as conn:
        conn.execute(sa.update(users).values(token_expires=utc_now() - timedelta(hours=1)))
    with pytest.raises(AuthError, match="expired"):
        world_engine.accounts.token_user(link.split("token=")[1])


def test_passwords_are_stored_as_argon2_hashes(world_engine: Engine) -> None:
    world_engine.add_user("a@s1.test", school_id="S1", password="rahasia-123")
    with world_engine.store.engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "rahasia-123" not in stored


def test_wrong_passwords_lock_the_account_then_it_opens_again(world_engine: Engine) -> None:
    acc = world_engine.accounts
    world_engine.add_user("a@s1.test", school_id="S1", password="rahasia-123")
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AuthError) as exc:
            acc.authenticate("a@s1.test", "salah")
        assert not isinstance(exc.value, ThrottledError)
    with pytest.raises(ThrottledError) as locked:
        acc.authenticate("a@s1.test", "salah")
    assert locked.value.retry_after == accounts.LOCK_SECONDS
    with pytest.raises(ThrottledError):  # even the right password waits
        acc.authenticate("a@s1.test", "rahasia-123")
    with world_engine.store.engine.begin() as conn:  # the lock has run out
        conn.execute(sa.update(login_attempts).values(failed_at=utc_now() - timedelta(minutes=2)))
    assert acc.authenticate("a@s1.test", "rahasia-123").email == "a@s1.test"
    acc.authenticate("a@s1.test", "rahasia-123")  # the count was reset by the success


def test_an_unknown_email_is_the_same_answer_as_a_wrong_password(world_engine: Engine) -> None:
    with pytest.raises(AuthError, match="wrong e-mail or password"):
        world_engine.accounts.authenticate("nobody@x.test", "whatever1")


def test_cli_users_add_prints_a_link_and_list_shows_it(world_engine: Engine, capsys) -> None:
    s = world_engine.settings
    base = ["--db", s.db_url, "--models", str(s.models_dir)]
    assert main(["users", "add", "--partner", "P-EXACT", "--email", "m@p.test", *base]) == 0
    out = capsys.readouterr().out
    assert "created partner account m@p.test (partner P-EXACT)" in out
    assert "http://127.0.0.1:8000/set-password?token=" in out
    assert main(["users", "add", "--regency", "Kota Surabaya", "--email", "d@k.test", *base]) == 0
    assert main(["users", "add", "--admin", "--email", "admin@x.test", *base]) == 0
    capsys.readouterr()
    assert main(["users", "list", *base]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == "m@p.test  partner  partner P-EXACT  (password not set yet)"
    assert listed[1].startswith("d@k.test  officer  regency Kota Surabaya")
    assert main(["users", "add", "--school", "NOPE", "--email", "x@y.test", *base]) == 3
    assert "no school" in capsys.readouterr().err
    assert main(["users", "add", "--school", "S1", "--email", "m@p.test", *base]) == 2


def test_demo_accounts_only_where_their_records_exist(world_engine: Engine) -> None:
    assert world_engine.ensure_demo_users() == []  # the known world has no SMP PGRI 6
    assert world_engine.accounts.list() == []
