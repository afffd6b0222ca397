"""Flood control over real sockets: the flooder is told to wait, then cut off; everyone
else, and anyone chatting at a human pace, never notices."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from abuse.attacks import flood, sign_in
from conftest import Running, wait_joined
from hubbub.client import Client, RequestFailed
from hubbub.hub.flood import FLOODING
from hubbub.hub.limits import Limits
from hubbub.protocol import ErrorCode, Message

pytestmark = pytest.mark.twice

SignedInTo = Callable[..., Awaitable[Client]]


@pytest.fixture
async def limited(start_server: Callable[..., Awaitable[Running]]) -> Running:
    """A server with the default limits."""
    return await start_server(limits=Limits())


async def test_joining_and_leaving_in_a_loop_is_limited_like_a_status_change(
    limited: Running, signed_in_to: SignedInTo
) -> None:
    owner = await signed_in_to(limited, "owner")
    room = await owner.create_room("den")
    churner = await signed_in_to(limited, "churner")

    async def churn() -> None:
        """Join and leave the room ten times in a row: a burst of five passes, not more."""
        for n in range(20):
            await (churner.leave_room if n % 2 else churner.join_room)(room.id)

    with pytest.raises(RequestFailed) as caught:
        await churn()
    assert caught.value.code == ErrorCode.RATE_LIMITED


async def test_a_flooder_is_rate_limited_then_closed_and_readers_carry_on(
    limited: Running, signed_in_to: SignedInTo
) -> None:
    server = limited
    readers = [await signed_in_to(server, f"reader{n}") for n in range(5)]
    answers, close_code = await flood(server.url, "flooder", 500)
    assert close_code == FLOODING
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{server.url}/ws") as ws:
        again = await sign_in(ws, "flooder")
    assert again["code"] == "rate_limited", "cut off for flooding: a cool-down before signing in"
    assert 0 < again["retry_after"] <= Limits().flood_cooldown
    stored = [a for a in answers if a["type"] == "ok"]
    limited = [a for a in answers if a["type"] == "error"]
    assert len(stored) == 10
    assert limited
    assert all(a["code"] == "rate_limited" for a in limited)
    assert all(0 < a["retry_after"] <= 0.5 for a in limited)
    assert len(limited) < Limits().flood_strikes
    for reader in readers:
        sent = await reader.say("still here")
        assert sent.seq > 0
    spam = await readers[0].history("lobby", limit=200)
    assert sum(m.sender == "flooder" for m in spam) == 10


async def test_people_chatting_at_a_human_pace_are_never_limited(
    limited: Running, signed_in_to: SignedInTo
) -> None:
    server = limited
    alice = await signed_in_to(server, "alice")
    bob = await signed_in_to(server, "bob")
    for n in range(14):
        await alice.say(f"alice {n}")
        await bob.message_user("alice", f"bob {n}")
        if n % 5 == 0:
            await alice.set_status("away" if n % 10 else "online")
            assert await bob.calc(f"{n}+1") == str(n + 1)
        await asyncio.sleep(0.25)
    last = await alice.wait_for(Message, lambda m: m.text == "bob 13")
    assert last.sender == "bob"


async def test_a_client_that_waits_retry_after_gets_through(
    limited: Running, signed_in_to: SignedInTo
) -> None:
    server = limited
    eager = await signed_in_to(server, "eager")
    await asyncio.gather(*(eager.say(f"burst {n}") for n in range(10)))
    with pytest.raises(RequestFailed) as caught:
        await eager.say("one too many")
    assert caught.value.code is ErrorCode.RATE_LIMITED
    assert caught.value.retry_after is not None
    await asyncio.sleep(caught.value.retry_after)
    assert (await eager.say("after waiting")).seq == 11


async def test_no_limits_lets_a_load_test_send_as_fast_as_it_likes(
    start_server: Callable[..., Awaitable[Running]], signed_in_to: SignedInTo
) -> None:
    server = await start_server(limits=Limits.off())
    loud = await signed_in_to(server, "loud")
    await signed_in_to(server, "quiet")
    await wait_joined(loud, "quiet")
    sent = await asyncio.gather(*(loud.say(f"load {n}") for n in range(200)))
    assert len({s.seq for s in sent}) == 200
