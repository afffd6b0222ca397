"""Flood control on the pure hub: a token bucket per account and kind, time passed in."""

from __future__ import annotations

import pytest

from hubbub.hub import Hub, handle
from hubbub.hub.flood import FLOODING, Bucket, Kind, kind_of
from hubbub.hub.limits import Limits, Rate
from hubbub.protocol import Calc, ErrorCode, Refusal, Say, SetStatus, Typing, Users
from hubbub.store import RoomRecord


def town(limits: Limits | None = None) -> Hub:
    """alice on connections 1 and 2 (one account, two devices), bob on 3."""
    hub = Hub(limits=limits)
    lobby = RoomRecord(
        "lobby", "Lobby", "lobby", "", False, None, 0.0, members=((1, "alice"), (2, "bob"))
    )
    hub.load([lobby], {})
    for conn, account, name in ((1, 1, "alice"), (2, 1, "alice"), (3, 2, "bob")):
        hub.connect(conn, "127.0.0.1:1", 0.0)
        hub.attach(conn, account, name, name, f"t{conn}", 0.0)
    return hub


def say(n: int) -> Say:
    return Say(id=n, text=f"message {n}")


def refusal_for(hub: Hub, conn: int, request: Say | SetStatus | Calc, now: float) -> Refusal:
    with pytest.raises(Refusal) as caught:
        handle(hub, conn, request, now, 0.0)
    return caught.value


def test_a_bucket_gives_its_burst_then_its_rate() -> None:
    rate, bucket = Rate(3, 2.0), Bucket(3.0, 0.0)
    assert [bucket.take(rate, 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take(rate, 0.0) == pytest.approx(0.5)
    assert bucket.take(rate, 0.5) == 0.0


def test_requests_fall_into_the_documented_kinds() -> None:
    assert kind_of(say(1)) is Kind.MESSAGES
    assert kind_of(SetStatus(id=1, status="away")) is Kind.STATUS
    assert kind_of(Calc(id=1, expression="1")) is Kind.CALC
    assert kind_of(Typing(id=1, conversation="lobby")) is Kind.REQUESTS


def test_ten_messages_at_once_pass_and_the_eleventh_is_told_when_to_retry() -> None:
    hub = town()
    for n in range(10):
        handle(hub, 1, say(n), 5.0, 0.0)
    refused = refusal_for(hub, 1, say(10), 5.0)
    assert refused.code is ErrorCode.RATE_LIMITED
    assert refused.retry_after == pytest.approx(0.5, abs=0.01)
    handle(hub, 1, say(11), 5.5, 0.0)


def test_an_accounts_devices_share_one_allowance_and_others_have_their_own() -> None:
    hub = town()
    for n in range(10):
        handle(hub, 1 + n % 2, say(n), 5.0, 0.0)
    assert refusal_for(hub, 2, say(10), 5.0).code is ErrorCode.RATE_LIMITED
    handle(hub, 3, say(11), 5.0, 0.0)


def test_a_person_chatting_never_meets_the_limit() -> None:
    hub = town()
    now = 0.0
    for n in range(600):  # a message every 0.6 s for six minutes, status and calc between
        now += 0.6
        handle(hub, 1, say(n), now, 0.0)
        if n % 20 == 0:
            handle(hub, 1, SetStatus(id=n, status="away" if n % 40 else "online"), now, 0.0)
            handle(hub, 1, Calc(id=n, expression="6*7"), now, 0.0)


def test_status_changes_and_calc_have_buckets_of_their_own() -> None:
    hub = town()
    for n in range(10):
        handle(hub, 1, say(n), 1.0, 0.0)
    handle(hub, 1, SetStatus(id=1, status="away"), 1.0, 0.0)
    handle(hub, 1, Calc(id=2, expression="1+1"), 1.0, 0.0)
    for n in range(4):
        handle(hub, 1, SetStatus(id=3, status="online" if n % 2 else "away"), 1.0, 0.0)
    assert refusal_for(hub, 1, SetStatus(id=4, status="away"), 1.0).retry_after == 2.0


def test_a_connection_that_keeps_going_is_closed_with_the_flooding_code() -> None:
    hub = town(Limits(flood_strikes=3))
    for n in range(10):
        handle(hub, 1, say(n), 1.0, 0.0)
    for n in range(2):
        refusal_for(hub, 1, say(n), 1.0)
    closing = handle(hub, 1, say(99), 1.0, 0.0)
    assert closing.out.closes == [(1, FLOODING, "too many requests over the rate limit")]


def test_waiting_as_told_resets_the_strikes() -> None:
    hub = town(Limits(flood_strikes=3))
    now = 1.0
    for n in range(10):
        handle(hub, 1, say(n), now, 0.0)
    for _ in range(20):
        wait = refusal_for(hub, 1, say(0), now).retry_after
        assert wait is not None
        now += wait
        assert not handle(hub, 1, say(1), now, 0.0).out.closes


def test_no_limits_lets_everything_through() -> None:
    hub = town(Limits.off())
    for n in range(1000):
        handle(hub, 1, say(n), 1.0, 0.0)
        handle(hub, 1, Users(id=n), 1.0, 0.0)


def test_full_buckets_are_forgotten() -> None:
    hub = town()
    handle(hub, 1, say(1), 1.0, 0.0)
    hub.tick(100.0)
    assert not hub.flood._buckets
