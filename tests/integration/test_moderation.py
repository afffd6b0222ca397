"""Roles and moderation over real sockets against a real ``hubbub serve``: what moderators
can do, what the affected user and the room see, who is refused, and the audit log."""

from __future__ import annotations

import time

import pytest

from conftest import ServerProcess, SignedInTo
from hubbub.client import Client, Disconnected, RequestFailed
from hubbub.hub.admin import ACCOUNT_BANNED
from hubbub.protocol import (
    LOBBY,
    ErrorCode,
    MemberLeft,
    Message,
    MessageDeleted,
    Moderated,
    Muted,
    Notice,
    RoomInfo,
    RoomRemoved,
)

pytestmark = pytest.mark.twice


async def refused(request: object, code: ErrorCode) -> RequestFailed:
    with pytest.raises(RequestFailed) as caught:
        await request  # type: ignore[misc]
    assert caught.value.code == code, caught.value
    return caught.value


async def room_of_three(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> tuple[Client, Client, Client, RoomInfo]:
    """``admin`` (the server's first account), ``olga`` who owns "den", and ``bob`` in it."""
    admin = await signed_in_to(hubbub, "admin")
    olga = await signed_in_to(hubbub, "olga")
    bob = await signed_in_to(hubbub, "bob")
    room = await olga.create_room("den")
    await bob.join_room("den")
    return admin, olga, bob, room


async def roles(client: Client, room: str) -> dict[str, str]:
    return {member.name: member.role for member in await client.members(room)}


async def test_the_first_account_of_a_server_is_its_admin(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    first = await signed_in_to(hubbub, "first")
    second = await signed_in_to(hubbub, "second")
    assert (await first.audit()).entries == []
    await refused(second.audit(), ErrorCode.NOT_ALLOWED)
    await refused(second.ban_account("first"), ErrorCode.NOT_ALLOWED)


async def test_only_moderators_and_admins_set_the_lobbys_topic(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    admin = await signed_in_to(hubbub, "admin")
    bob = await signed_in_to(hubbub, "bob")
    refusal = await refused(bob.set_topic(LOBBY, "bob was here"), ErrorCode.NOT_ALLOWED)
    assert "moderators" in refusal.message
    await admin.set_role(LOBBY, "bob", "moderator")
    await bob.set_topic(LOBBY, "welcome, be kind")
    await admin.set_topic(LOBBY, "welcome")
    lobby = next(room for room in await bob.rooms() if room.id == LOBBY)
    assert lobby.topic == "welcome"


async def test_owner_appoints_a_moderator_and_members_see_the_role(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    _admin, olga, bob, room = await room_of_three(hubbub, signed_in_to)
    await refused(bob.set_role("den", "bob", "moderator"), ErrorCode.NOT_ALLOWED)
    await olga.set_role("den", "bob", "moderator")
    told = await bob.wait_for(Moderated, lambda m: m.action == "moderator")
    assert (told.room, told.name, told.by) == (room.id, "bob", "olga")
    assert await roles(bob, "den") == {"olga": "owner", "bob": "moderator"}
    await olga.set_role("den", "bob", "member")
    assert await roles(olga, "den") == {"olga": "owner", "bob": "member"}


async def test_kicked_user_is_told_the_room_sees_them_leave_and_they_may_rejoin(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    _admin, olga, bob, room = await room_of_three(hubbub, signed_in_to)
    await olga.kick("den", "bob", reason="calm down")
    removed = await bob.wait_for(RoomRemoved, lambda r: r.room == room.id)
    assert (removed.reason, removed.by, removed.note) == ("kicked", "olga", "calm down")
    await olga.wait_for(MemberLeft, lambda m: m.name == "bob" and m.room == room.id)
    line = await olga.wait_for(Moderated, lambda m: m.action == "kicked")
    assert (line.name, line.by, line.note) == ("bob", "olga", "calm down")
    await refused(bob.say("still here?", conversation=room.id), ErrorCode.NOT_A_MEMBER)
    await bob.join_room("den")
    await bob.say("back", conversation=room.id)


async def test_muted_user_cannot_say_until_unmuted_and_is_told_until_when(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    _admin, olga, bob, room = await room_of_three(hubbub, signed_in_to)
    before = time.time()
    await olga.mute("den", "bob", 600, reason="spam")
    muted = await bob.wait_for(Muted, lambda m: m.room == room.id)
    assert muted.until is not None
    assert before + 590 < muted.until < time.time() + 610
    assert (muted.by, muted.note) == ("olga", "spam")
    error = await refused(bob.say("hello?", conversation=room.id), ErrorCode.MUTED)
    assert error.retry_after is not None
    assert 590 < error.retry_after <= 600
    await bob.say("the lobby is fine", conversation=LOBBY)
    await olga.unmute("den", "bob")
    assert (await bob.wait_for(Muted, lambda m: m.until is None)).by == "olga"
    await bob.say("thanks", conversation=room.id)


async def test_banned_user_is_removed_and_cannot_rejoin_until_unbanned(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    _admin, olga, bob, room = await room_of_three(hubbub, signed_in_to)
    await olga.ban("den", "bob", reason="rude")
    removed = await bob.wait_for(RoomRemoved, lambda r: r.room == room.id)
    assert (removed.reason, removed.by, removed.note) == ("banned", "olga", "rude")
    await olga.wait_for(MemberLeft, lambda m: m.name == "bob")
    await refused(bob.join_room("den"), ErrorCode.BANNED)
    await refused(olga.invite("den", "bob"), ErrorCode.BANNED)
    await olga.unban("den", "bob")
    await bob.join_room("den")


async def test_moderator_deletes_others_messages_and_a_member_cannot(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    admin, olga, bob, room = await room_of_three(hubbub, signed_in_to)
    mine = await olga.say("owner's word", conversation=room.id)
    theirs = await bob.say("bad link", conversation=room.id)
    await refused(bob.delete_message(room.id, mine.seq), ErrorCode.NOT_ALLOWED)
    await refused(olga.edit_message(room.id, theirs.seq, "nicer"), ErrorCode.NOT_ALLOWED)
    await olga.delete_message(room.id, theirs.seq)
    gone = await bob.wait_for(MessageDeleted, lambda m: m.target == theirs.seq)
    assert gone.sender == "olga"
    [shown] = [m for m in await bob.history(room.id) if isinstance(m, Message)][-1:]
    assert shown.seq == theirs.seq
    assert shown.deleted
    [logged] = (await admin.audit()).entries
    assert (logged.actor, logged.action, logged.target, logged.room) == (
        "olga",
        "delete_message",
        "bob",
        room.id,
    )
    assert logged.reason == f"message {theirs.seq}"


async def test_a_plain_member_cannot_moderate_and_a_moderator_cannot_touch_the_owner(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    _admin, olga, bob, _room = await room_of_three(hubbub, signed_in_to)
    carol = await signed_in_to(hubbub, "carol")
    await carol.join_room("den")
    for attempt in (
        carol.kick("den", "bob"),
        carol.mute("den", "bob", 60),
        carol.ban("den", "bob"),
        carol.unban("den", "bob"),
    ):
        await refused(attempt, ErrorCode.NOT_ALLOWED)
    await olga.set_role("den", "bob", "moderator")
    await refused(bob.kick("den", "olga"), ErrorCode.NOT_ALLOWED)
    await refused(bob.ban("den", "admin"), ErrorCode.NOT_ALLOWED)
    await refused(bob.kick("den", "bob"), ErrorCode.NOT_ALLOWED)
    await refused(bob.kick("den", "nobody"), ErrorCode.NOT_A_MEMBER)
    await olga.set_role("den", "carol", "moderator")
    on_a_moderator = await refused(bob.kick("den", "carol"), ErrorCode.NOT_ALLOWED)
    assert on_a_moderator.message == (
        "only the owner of den or a server admin can act on a moderator"
    )
    await olga.set_role("den", "carol", "member")
    await bob.kick("den", "carol")
    await carol.wait_for(RoomRemoved, lambda r: r.reason == "kicked" and r.by == "bob")


async def test_admin_moderates_any_room_and_bans_an_account_server_wide(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    admin, _olga, bob, _room = await room_of_three(hubbub, signed_in_to)
    await admin.mute("den", "bob", 60)
    await bob.wait_for(Muted)
    await admin.ban_account("bob", reason="spam bot")
    notice = await bob.wait_for(Notice, lambda n: n.code == "account_banned")
    assert "banned" in notice.text
    closed = await bob.wait_for(Disconnected)
    assert (closed.code, closed.reconnecting) == (ACCOUNT_BANNED, False)
    again = Client.connect(hubbub.url, reconnect=False)
    async with again:
        await refused(again.sign_in("bob", "pw-bob"), ErrorCode.ACCOUNT_BANNED)
    await admin.unban_account("bob")
    back = Client.connect(hubbub.url, reconnect=False)
    async with back:
        await back.sign_in("bob", "pw-bob")


async def test_audit_log_keeps_who_did_what_to_whom_where_and_why(
    hubbub: ServerProcess, signed_in_to: SignedInTo
) -> None:
    admin, olga, _bob, room = await room_of_three(hubbub, signed_in_to)
    before = time.time()
    await olga.set_role("den", "bob", "moderator")
    await olga.mute("den", "bob", 60, reason="shouting")
    await olga.kick("den", "bob", reason="out")
    await admin.ban_account("bob", reason="spam")
    page = await admin.audit(limit=3)
    got = [(e.actor, e.action, e.target, e.room, e.reason) for e in page.entries]
    assert got == [
        ("admin", "ban_account", "bob", None, "spam"),
        ("olga", "kick", "bob", room.id, "out"),
        ("olga", "mute", "bob", room.id, "shouting"),
    ]
    assert all(before - 1 < e.at < time.time() + 1 for e in page.entries)
    assert page.next_before is not None
    rest = await admin.audit(before=page.next_before)
    assert [(e.action, e.target) for e in rest.entries] == [("moderator", "bob")]
    assert rest.next_before is None
    await refused(olga.audit(), ErrorCode.NOT_ALLOWED)
