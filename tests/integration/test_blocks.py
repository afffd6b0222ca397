"""Blocking another user, over real sockets against a real ``hubbub serve``."""

from __future__ import annotations

import asyncio

import pytest

from conftest import ServerProcess, SignedInTo
from hubbub.client import Client, RequestFailed
from hubbub.protocol import ChatRequested, ErrorCode

pytestmark = pytest.mark.twice


async def refused(request: object, code: ErrorCode) -> RequestFailed:
    with pytest.raises(RequestFailed) as caught:
        await request  # type: ignore[misc]
    assert caught.value.code == code, caught.value
    return caught.value


async def test_a_blocked_user_can_send_no_direct_message_and_learns_only_that(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(hubbub, "alice")
    mallory = await signed_in_to(hubbub, "mallory")
    sent = await mallory.message_user("alice", "hi")
    await alice.block("Mallory")
    assert await alice.blocked() == ["mallory"]
    error = await refused(mallory.message_user("alice", "hello??"), ErrorCode.BLOCKED)
    assert "alice" in error.message
    await refused(mallory.say("in the old DM", conversation=sent.conversation), ErrorCode.BLOCKED)
    await refused(alice.message_user("mallory", "bye"), ErrorCode.BLOCKED)
    await alice.unblock("mallory")
    assert await alice.blocked() == []
    await mallory.message_user("alice", "sorry")


async def test_a_blocked_user_cannot_ask_for_a_chat_online_or_not(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(hubbub, "alice")
    mallory = await signed_in_to(hubbub, "mallory")
    await alice.block("mallory")
    await refused(mallory.request_chat("alice"), ErrorCode.BLOCKED)
    await alice.close()
    await refused(mallory.request_chat("alice"), ErrorCode.BLOCKED)
    await refused(mallory.message_user("alice", "offline now?"), ErrorCode.BLOCKED)


async def test_blocks_are_kept_across_a_restart_and_bob_is_not_affected(
    server_process: ServerProcess, signed_in_to: SignedInTo
) -> None:
    server_process.start()
    alice = await signed_in_to(server_process, "alice")
    await signed_in_to(server_process, "mallory")
    await signed_in_to(server_process, "bob")
    await alice.block("mallory")
    await asyncio.to_thread(server_process.interrupt)
    server_process.start()
    for name in ("alice", "mallory", "bob"):
        client = Client.connect(server_process.url, reconnect=False)
        async with client:
            await client.sign_in(name, f"pw-{name}")
            if name == "alice":
                assert await client.blocked() == ["mallory"]
            elif name == "mallory":
                await refused(client.message_user("alice", "again"), ErrorCode.BLOCKED)
            else:
                await client.message_user("alice", "hi from bob")


async def test_blocking_yourself_or_nobody_is_refused(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(hubbub, "alice")
    await refused(alice.block("alice"), ErrorCode.NOT_ALLOWED)
    await refused(alice.block("nobody"), ErrorCode.UNKNOWN_USER)


async def test_chat_requests_from_others_still_arrive(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(hubbub, "alice")
    await signed_in_to(hubbub, "mallory")
    bob = await signed_in_to(hubbub, "bob")
    await alice.block("mallory")
    await bob.request_chat("alice")
    assert (await alice.wait_for(ChatRequested)).requester == "bob"
