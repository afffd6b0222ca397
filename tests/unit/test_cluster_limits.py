"""Limits counted across processes, straight on two pure hubs: what an account, a name or
an address spends on one process is charged on the other at its next tick, so a user
with connections on both gets the allowance it would get on one."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from hubbub.hub import Hub, handle
from hubbub.hub.cluster import decode_envelope, encode_envelope
from hubbub.hub.cluster_limits import Spent
from hubbub.hub.effects import Append, FindAccount, HashPassword, VerifyPassword
from hubbub.hub.flood import FLOODING
from hubbub.hub.limits import Limits, Rate
from hubbub.protocol import ClientRequest, ErrorCode, Refusal, Say, SetStatus, SignIn
from hubbub.store import Account, RoomRecord

ANN = Account(1, "ann", "ann", "argon2-hash", "user")
LIMITS = Limits(messages=Rate(4, 1.0), flood_strikes=3)
"""Four messages at once, then one a second; the third refusal in a row closes."""


def pair(limits: Limits = LIMITS) -> tuple[Hub, Hub]:
    """Two processes; ann signed in on both (connection 1 on ``a``, 2 on ``b``)."""
    a, b = Hub(node="a", limits=limits), Hub(node="b", limits=limits)
    lobby = RoomRecord("lobby", "Lobby", "lobby", "", False, None, 0.0, members=((1, "ann"),))
    for hub, conn in ((a, 1), (b, 2)):
        hub.load([lobby], {})
        hub.connect(conn, "127.0.0.1:1", 0.0)
        hub.attach(conn, 1, "ann", "ann", f"t{conn}", 0.0)
    return a, b


def tick(source: Hub, target: Hub, now: float) -> None:
    """``source``'s tick: what it shares crosses the bus and is charged on ``target``."""
    assert source.node is not None
    envelope = decode_envelope(encode_envelope(source.node, source.tick(now).ops))
    for op in envelope.ops:
        applied = target.apply(envelope.node, op, now, 0.0)
        assert not (isinstance(op, Spent) and applied.out), "a charge tells nobody anything"


def refusal(hub: Hub, conn: int, request: ClientRequest, now: float) -> Refusal:
    with pytest.raises(Refusal) as caught:
        handle(hub, conn, request, now, 0.0)
    return caught.value


def say(hub: Hub, conn: int, now: float) -> Any:
    return handle(hub, conn, Say(id=1, text="hi"), now, 0.0)


def test_messages_sent_on_one_process_count_on_the_other() -> None:
    a, b = pair()
    for _ in range(4):
        say(a, 1, 1.0)
    tick(a, b, 1.0)
    refused = refusal(b, 2, Say(id=2, text="and here"), 1.1)
    assert refused.code is ErrorCode.RATE_LIMITED
    assert refused.retry_after == pytest.approx(0.9)
    say(b, 2, 2.1)


def test_an_account_writing_on_both_gets_the_rate_of_one() -> None:
    a, b = pair()
    passed = 0
    for step in range(40):
        now = 1.0 + step * 0.25
        for hub, conn in ((a, 1), (b, 2)):
            with contextlib.suppress(Refusal):
                passed += isinstance(say(hub, conn, now).effect, Append)
        tick(a, b, now)
        tick(b, a, now)
    allowance = 4 + 10 * 1.0
    assert passed <= allowance + 4, "at most one burst more, while the two had not heard"
    assert passed >= allowance - 1


def test_kinds_are_counted_apart_and_a_hub_that_spent_nothing_shares_nothing() -> None:
    a, b = pair()
    assert not a.tick(1.0).ops
    for _ in range(4):
        say(a, 1, 1.0)
    tick(a, b, 1.0)
    handle(b, 2, SetStatus(id=3, status="away"), 1.1, 0.0)
    assert not a.tick(1.25).ops, "spending is shared once"


def test_an_account_cut_off_for_flooding_on_one_process_waits_on_the_other_at_once() -> None:
    a, b = pair()
    for _ in range(4):
        say(a, 1, 1.0)
    for _ in range(2):
        refusal(a, 1, Say(id=2, text="more"), 1.0)
    closed = handle(a, 1, Say(id=2, text="more"), 1.0, 0.0)
    assert [code for _, code, _ in closed.out.closes] == [FLOODING]
    for op in closed.out.ops:
        b.apply("a", op, 1.0, 0.0)
    b.connect(3, "127.0.0.1:2", 1.5)
    refused = refusal(b, 3, SignIn(id=4, name="ann", password="pw"), 1.5)
    assert refused.code is ErrorCode.RATE_LIMITED


def failed_sign_in(hub: Hub, conn: int, now: float) -> None:
    found = handle(hub, conn, SignIn(id=1, name="ann", password="guess"), now, 0.0)
    assert isinstance(found.effect, FindAccount)
    assert found.then is not None
    checking = found.then(ANN)
    assert isinstance(checking.effect, VerifyPassword)
    assert checking.then is not None
    with pytest.raises(Refusal):
        checking.then(False)


def test_password_failures_on_one_process_refuse_the_name_on_the_other() -> None:
    a, b = Hub(node="a"), Hub(node="b")
    a.connect(1, "203.0.113.7:1", 0.0)
    b.connect(2, "198.51.100.2:1", 0.0)
    for _ in range(3):
        failed_sign_in(a, 1, 0.0)
    tick(a, b, 0.0)
    for _ in range(2):
        failed_sign_in(b, 2, 0.0)
    tick(b, a, 0.0)
    for hub, conn in ((a, 1), (b, 2)):
        refused = refusal(hub, conn, SignIn(id=2, name="ann", password="guess"), 0.5)
        assert refused.code is ErrorCode.TOO_MANY_ATTEMPTS


def test_right_passwords_cost_no_process_anything() -> None:
    a, b = Hub(node="a"), Hub(node="b")
    a.connect(1, "203.0.113.7:1", 0.0)
    b.connect(2, "198.51.100.2:1", 0.0)
    for step in range(8):
        found = handle(a, 1, SignIn(id=1, name="ann", password="right"), step, 0.0)
        assert found.then is not None
        checking = found.then(ANN)
        assert checking.then is not None
        checking.then(True)
        a.disconnect(1, clean=True, now=step)
        a.connect(1, "203.0.113.7:1", step)
    tick(a, b, 8.0)
    for _ in range(4):
        failed_sign_in(b, 2, 8.0)


def test_sign_ups_from_one_address_count_on_every_process() -> None:
    limits = Limits(sign_ups=Rate(2, 0.001))
    a, b = Hub(node="a", limits=limits), Hub(node="b", limits=limits)
    for hub, conn in ((a, 1), (b, 2)):
        hub.connect(conn, "203.0.113.7:1", 0.0)
    for name in ("new1", "new2"):
        found = handle(a, 1, SignIn(id=1, name=name, password="pw"), 0.0, 0.0)
        assert found.then is not None
        assert isinstance(found.then(None).effect, HashPassword)
    tick(a, b, 0.0)
    found = handle(b, 2, SignIn(id=1, name="new3", password="pw"), 0.5, 0.0)
    assert found.then is not None
    with pytest.raises(Refusal) as caught:
        found.then(None)
    assert caught.value.code is ErrorCode.TOO_MANY_ATTEMPTS
