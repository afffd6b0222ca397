"""Sign-in throttling on the pure hub: buckets per name and address charged before the hash,
given back when the password was right; the effects' results are fed in by hand."""

from __future__ import annotations

import pytest

from hubbub.hub import Decision, Hub, handle
from hubbub.hub.effects import FindAccount, HashPassword, VerifyPassword
from hubbub.hub.limits import Limits, Rate
from hubbub.hub.throttle import host_of
from hubbub.protocol import ErrorCode, Refusal, SignIn
from hubbub.store import Account

ANN = Account(1, "ann", "ann", "argon2-hash", "user")


def hub_with(conns: dict[int, str], limits: Limits | None = None) -> Hub:
    hub = Hub(limits=limits)
    for conn, peer in conns.items():
        hub.connect(conn, peer, 0.0)
    return hub


def password_check(hub: Hub, conn: int, name: str, now: float) -> Decision:
    """Ask to sign in with a password and answer the account lookup: the hash to run."""
    found = handle(hub, conn, SignIn(id=1, name=name, password="guess"), now, 0.0)
    assert isinstance(found.effect, FindAccount)
    assert found.then is not None
    checking = found.then(ANN if name == "ann" else None)
    assert isinstance(checking.effect, VerifyPassword | HashPassword)
    return checking


def refused(hub: Hub, conn: int, name: str, now: float) -> Refusal:
    with pytest.raises(Refusal) as caught:
        handle(hub, conn, SignIn(id=1, name=name, password="guess"), now, 0.0)
    return caught.value


def fail(hub: Hub, conn: int, now: float) -> None:
    checking = password_check(hub, conn, "ann", now)
    assert checking.then is not None
    with pytest.raises(Refusal) as caught:
        checking.then(False)
    assert caught.value.code is ErrorCode.WRONG_PASSWORD


def test_the_throttles_count_a_peers_address_and_an_ipv6_one_by_its_64() -> None:
    assert host_of("203.0.113.7:5000") == "203.0.113.7"
    assert host_of("[2001:db8::1]:5000") == "2001:db8::/64"
    assert host_of("2001:db8::2:5000") == "2001:db8::/64", "one subscriber's /64 is one address"
    assert host_of("::ffff:203.0.113.7:5000") == "203.0.113.7"
    assert host_of("-") == "-"


def test_after_five_failures_a_name_is_refused_before_any_lookup_or_hash() -> None:
    hub = hub_with({1: "203.0.113.7:1", 2: "198.51.100.2:1"})
    for _ in range(5):
        fail(hub, 1, 0.0)

    refusal = refused(hub, 2, "ann", 0.0)
    assert refusal.code is ErrorCode.TOO_MANY_ATTEMPTS
    assert refusal.retry_after == 10.0
    fail(hub, 2, 10.0)


def test_a_right_password_costs_nothing() -> None:
    hub = hub_with({1: "203.0.113.7:1"})
    for _ in range(50):
        checking = password_check(hub, 1, "ann", 0.0)
        assert checking.then is not None
        checking.then(True)
    fail(hub, 1, 0.0)


def test_concurrent_guesses_are_capped_before_any_answer() -> None:
    hub = hub_with({n: f"203.0.113.{n}:1" for n in range(1, 8)})
    for conn in range(1, 6):
        password_check(hub, conn, "ann", 0.0)
    assert refused(hub, 6, "ann", 0.0).code is ErrorCode.TOO_MANY_ATTEMPTS


def test_one_address_guessing_many_names_is_refused_past_its_allowance() -> None:
    hub = hub_with({1: "203.0.113.7:1", 2: "198.51.100.2:1"}, Limits(address_failures=Rate(3, 0.1)))
    for _ in range(3):
        fail(hub, 1, 0.0)
    assert refused(hub, 1, "bob", 0.0).code is ErrorCode.TOO_MANY_ATTEMPTS
    password_check(hub, 2, "bob", 0.0)


def test_a_full_hashing_queue_is_busy_and_costs_the_address_not_the_name() -> None:
    hub = hub_with({1: "203.0.113.7:1", 2: "198.51.100.2:1"})
    for _ in range(20):
        checking = password_check(hub, 1, "ann", 0.0)
        assert checking.then is not None
        with pytest.raises(Refusal) as caught:
            checking.then(None)
        assert (caught.value.code, caught.value.retry_after) == (ErrorCode.BUSY, 1.0)
    assert refused(hub, 1, "ann", 0.0).code is ErrorCode.TOO_MANY_ATTEMPTS
    for _ in range(5):
        fail(hub, 2, 0.0)


def test_only_a_name_and_address_with_few_attempts_may_use_the_kept_places() -> None:
    hub = hub_with({1: "203.0.113.7:1"})
    checking = password_check(hub, 1, "ann", 0.0)
    assert isinstance(checking.effect, VerifyPassword)
    assert checking.effect.clean
    assert checking.then is not None
    checking.then(True)
    for _ in range(2):
        fail(hub, 1, 0.0)
    assert hub.throttle.clean("ann", "203.0.113.7", 0.0)
    fail(hub, 1, 0.0)
    assert not hub.throttle.clean("ann", "203.0.113.7", 0.0)
    assert hub.throttle.clean("bob", "198.51.100.2", 0.0)


def test_new_accounts_per_address_are_limited() -> None:
    hub = hub_with({1: "203.0.113.7:1", 2: "198.51.100.2:1"}, Limits(sign_ups=Rate(2, 0.001)))
    password_check(hub, 1, "new1", 0.0)
    password_check(hub, 1, "new2", 0.0)
    found = handle(hub, 1, SignIn(id=1, name="new3", password="pw"), 0.0, 0.0)
    assert found.then is not None
    with pytest.raises(Refusal) as caught:
        found.then(None)
    assert caught.value.code is ErrorCode.TOO_MANY_ATTEMPTS
    password_check(hub, 2, "new3", 0.0)


def test_no_limits_lifts_the_throttle() -> None:
    hub = hub_with({1: "203.0.113.7:1"}, Limits.off())
    for _ in range(100):
        fail(hub, 1, 0.0)
