"""Rooms and moderation on two processes, straight on two pure hubs: what one commits, it
shares as ops; the other applies them, and its own members see exactly what they would
have seen had everyone been on one process."""

from __future__ import annotations

import itertools
from typing import Any

from cluster_town import NAMES, WALL, Cluster, frames
from test_hub_rooms import refused

from hubbub.hub import Decision, Hub, Outbox, handle
from hubbub.hub.admin import ACCOUNT_BANNED, follow
from hubbub.hub.cluster_rooms import reconcile
from hubbub.hub.effects import AddMember, Append
from hubbub.hub.rereads import ReadRooms
from hubbub.hub.rooms import ROOMS_PER_HOUR
from hubbub.protocol import (
    ArchiveRoom,
    Ban,
    BanAccount,
    Block,
    ClientRequest,
    CreateRoom,
    ErrorCode,
    Invite,
    JoinRoom,
    Kick,
    LeaveRoom,
    Members,
    MessageUser,
    Mute,
    RequestChat,
    Say,
    SetRole,
    SetStatus,
    SetTopic,
    SignIn,
    Unban,
    UnbanAccount,
    Unblock,
    Unmute,
)
from hubbub.store import (
    Account,
    AccountChange,
    ModerationState,
    RoomRecord,
    SignedUp,
    StoredMessage,
)


class Pair:
    """Two processes sharing one chat (cluster_town's): alice (1) on hub ``a``; bob (2)
    and carol (3) on hub ``b``; dave (4) on both, one device each (connection 4 on ``a``,
    40 on ``b``). Everyone is in the Lobby."""

    def __init__(self) -> None:
        self.town = Cluster("a", "b")
        self.a, self.b = self.town["a"], self.town["b"]
        numbers = itertools.count(1)
        for node, hub in (("a", self.a), ("b", self.b)):
            hub.new_id = lambda prefix, node=node: f"{prefix}:{node}{next(numbers)}"
        for node, account in (("a", 1), ("b", 2), ("b", 3), ("a", 4)):
            self.town.sign_in(node, account)
        self.town.sign_in("b", 4, conn=40)
        self.town.tick(0.5)
        self.told: dict[str, Outbox] = {}

    @staticmethod
    def node_of(conn: int) -> str:
        return "a" if conn in (1, 4) else "b"

    def ask(self, conn: int, request: ClientRequest, *results: Any, lost: bool = False) -> Decision:
        """Run a request on its connection's hub, answering its effects with ``results``;
        the ops it shares cross the envelope to the other hub, which applies them (unless
        they are ``lost`` on the way). A refusal's reading of the rooms finds the store
        unreadable, so the hub decides on what it knows (test_cluster_rereads.py reads)."""
        node = self.node_of(conn)
        decision = handle(self.town[node], conn, request, 1.0, WALL)
        if isinstance(decision.effect, ReadRooms) and decision.then is not None:
            decision = decision.then(None)
        sent = Outbox()
        for result in results:
            sent.extend(decision.out)
            assert decision.then is not None, f"no effect left for {result!r}"
            decision = decision.then(result)
        sent.extend(decision.out)
        if lost:
            sent.ops.clear()
        self.told = self.town.carry(node, sent, 1.0)
        return decision

    def heard(self, conn: int) -> list[dict[str, Any]]:
        return frames(self.told[self.node_of(conn)], conn)

    def say(self, conn: int, room: str, text: str, seq: int) -> None:
        """A message ``conn`` writes in ``room``, which the store gives ``seq``."""
        account = 4 if conn == 40 else conn
        stored = StoredMessage(room, seq, WALL, NAMES[account], text, None, sender_id=account)
        decision = self.ask(conn, Say(id=9, text=text, conversation=room))
        assert isinstance(decision.effect, Append)
        assert decision.then is not None
        self.told = self.town.carry(self.node_of(conn), decision.then(stored).out, 1.0)

    def make_room(self, name: str, *, private: bool = False) -> str:
        self.ask(1, CreateRoom(id=1, name=name, private=private), True)
        room: str = next(f for f in self.heard(1) if f["type"] == "ok")["room"]["id"]
        return room


def account(number: int) -> Account:
    return Account(number, NAMES[number], NAMES[number], "argon2-hash", "user")


def kinds(frames_: list[dict[str, Any]]) -> list[str]:
    return [f["type"] for f in frames_]


def test_a_room_created_on_one_process_is_joined_on_the_other_and_both_hear_it() -> None:
    pair = Pair()
    room = pair.make_room("design")
    assert pair.b.rooms.get(room) is not None
    pair.ask(2, JoinRoom(id=2, room="design"), None)
    assert kinds(pair.heard(2))[-1] == "ok"
    assert {"type": "member_joined", "room": room, "name": "bob", "status": "online"} in (
        pair.heard(1)
    )
    pair.say(2, room, "hello from b", 1)
    assert [f["text"] for f in pair.heard(1) if f["type"] == "message"] == ["hello from b"]
    pair.ask(1, Members(id=3, room=room))
    listed = next(f for f in pair.heard(1) if f["type"] == "ok")["members"]
    assert [(m["name"], m["status"]) for m in listed] == [("alice", "online"), ("bob", "online")]
    pair.ask(2, SetStatus(id=4, status="away"))
    told = pair.town.tick(2.0)
    changes = {f["room"]: f["users"] for f in frames(told["a"], 1) if f["type"] == "presence"}
    assert changes[room] == [{"name": "bob", "status": "away"}], "told in the room bob joined"


def test_a_join_on_one_process_reaches_the_joiners_devices_on_the_other() -> None:
    pair = Pair()
    room = pair.make_room("design")
    pair.ask(4, JoinRoom(id=2, room="design"), None)
    added = [f for f in pair.heard(40) if f["type"] == "room_added"]
    assert [f["room"]["name"] for f in added] == ["design"]
    pair.say(1, room, "for dave's phone too", 1)
    assert [f["text"] for f in pair.heard(40) if f["type"] == "message"] == ["for dave's phone too"]


def test_a_private_room_and_an_invite_on_one_process_show_on_the_other() -> None:
    pair = Pair()
    room = pair.make_room("secret", private=True)
    with refused(ErrorCode.UNKNOWN_ROOM):
        pair.ask(2, JoinRoom(id=2, room="secret"))
    pair.ask(1, Invite(id=3, room="secret", user="bob"), None)
    assert [f["by"] for f in pair.heard(2) if f["type"] == "room_added"] == ["alice"]
    pair.ask(2, Members(id=4, room="secret"))
    assert kinds(pair.heard(2)) == ["ok"]
    pair.say(2, room, "thanks", 1)
    assert [f["text"] for f in pair.heard(1) if f["type"] == "message"] == ["thanks"]


def test_leaving_on_one_process_stops_delivery_on_both_and_a_guests_room_goes() -> None:
    pair = Pair()
    room = pair.make_room("design")
    pair.ask(2, JoinRoom(id=2, room="design"), None)
    pair.ask(2, LeaveRoom(id=3, room="design", message="bye"), None)
    assert {"type": "member_left", "room": room, "name": "bob", "message": "bye"} in (pair.heard(1))
    pair.say(1, room, "still here?", 1)
    assert pair.heard(2) == []
    pair.b.signed_in(3).guest = True
    pair.ask(3, CreateRoom(id=4, name="#scratch"), True)
    scratch = pair.a.rooms.name_holder("#scratch", "#scratch")
    assert scratch is not None
    pair.ask(3, LeaveRoom(id=5, room="#scratch"), None, None)
    assert pair.a.rooms.name_holder("#scratch", "#scratch") is None, "the name is free on a"
    assert pair.b.rooms.name_holder("#scratch", "#scratch") is None


def test_a_topic_and_an_archive_on_one_process_hold_on_the_other() -> None:
    pair = Pair()
    room = pair.make_room("design")
    pair.ask(2, JoinRoom(id=2, room="design"), None)
    pair.ask(1, SetTopic(id=3, room="design", topic="pixels"), None)
    changed = [f for f in pair.heard(2) if f["type"] == "room_changed"]
    assert [(f["room"]["topic"], f["by"]) for f in changed] == [("pixels", "alice")]
    pair.ask(1, ArchiveRoom(id=4, room=room), None)
    assert [f["room"]["archived"] for f in pair.heard(2) if f["type"] == "room_changed"] == [True]
    with refused(ErrorCode.ROOM_ARCHIVED):
        pair.ask(3, JoinRoom(id=5, room="design"))
    with refused(ErrorCode.ROOM_ARCHIVED):
        pair.ask(2, Say(id=6, text="late", conversation=room))


def test_a_message_the_store_refuses_for_an_archive_not_heard_of_yet_is_room_archived() -> None:
    pair = Pair()
    room = pair.make_room("design")
    pair.ask(2, JoinRoom(id=2, room="design"), None)
    pair.ask(1, ArchiveRoom(id=4, room=room), None, lost=True)  # not heard on b yet
    decision = pair.ask(2, Say(id=6, text="too late", conversation=room))
    assert isinstance(decision.effect, Append)
    # What the effect raises when the store refuses the append (store/sequencing.py).
    refusal = decision.effect.archived()
    assert refusal.code is ErrorCode.ROOM_ARCHIVED
    assert refusal.message == "design was archived just now: it is read-only"


def test_a_kick_on_one_process_ejects_the_users_connections_on_the_other() -> None:
    pair = Pair()
    room = pair.make_room("design")
    pair.ask(2, JoinRoom(id=2, room="design"), None)
    pair.ask(1, Kick(id=3, room="design", user="bob", reason="spam"), 11)
    assert {
        "type": "room_removed",
        "room": room,
        "reason": "kicked",
        "by": "alice",
        "note": "spam",
    } in pair.heard(2)
    assert [f["action"] for f in pair.heard(1) if f["type"] == "moderated"] == ["kicked"]
    pair.say(1, room, "after the kick", 1)
    assert pair.heard(2) == [], "bob's connection on b no longer hears the room"
    with refused(ErrorCode.NOT_A_MEMBER):
        pair.ask(2, Say(id=4, text="let me back", conversation=room))


def test_a_ban_on_one_process_refuses_a_join_on_the_other() -> None:
    pair = Pair()
    pair.make_room("design")
    pair.ask(2, JoinRoom(id=1, room="design"), None)
    pair.ask(1, Ban(id=2, room="design", user="carol", reason="troll"), 12)
    with refused(ErrorCode.BANNED):
        pair.ask(3, JoinRoom(id=3, room="design"))
    with refused(ErrorCode.BANNED):
        pair.ask(2, Invite(id=4, room="design", user="carol"))
    pair.ask(1, Unban(id=5, room="design", user="carol"), 13)
    assert isinstance(pair.ask(3, JoinRoom(id=6, room="design")).effect, AddMember)


def test_a_join_and_a_ban_that_cross_on_the_bus_leave_the_account_out_everywhere() -> None:
    pair = Pair()
    room = pair.make_room("design")
    join = handle(pair.b, 3, JoinRoom(id=1, room="design"), 1.0, WALL)
    assert join.then is not None
    joined = join.then(None)
    ban = handle(pair.a, 1, Ban(id=2, room="design", user="carol"), 1.0, WALL)
    assert isinstance(ban.effect, ReadRooms), "a moderator's act reads the rooms first"
    assert ban.then is not None
    ban = ban.then(None)
    assert ban.then is not None
    banned = ban.then(12)
    pair.town.carry("a", banned.out)
    told = pair.town.carry("b", joined.out)
    assert "member_joined" not in [f["type"] for f in frames(told["a"], 1)]
    for hub in (pair.a, pair.b):
        design = hub.rooms.get(room)
        assert design is not None
        assert 3 not in design.members
        assert 3 in design.banned


def test_a_mute_on_one_process_silences_the_member_on_the_other_until_unmuted() -> None:
    pair = Pair()
    pair.a.admins.add(1)
    pair.b.admins.add(1)
    pair.ask(1, Mute(id=1, room="lobby", user="bob", seconds=600, reason="calm"), 13)
    assert [f["until"] for f in pair.heard(2) if f["type"] == "muted"] == [WALL + 600]
    with refused(ErrorCode.MUTED):
        pair.ask(2, Say(id=2, text="hey"))
    pair.ask(1, Unmute(id=3, room="lobby", user="bob"), 14)
    assert isinstance(pair.ask(2, Say(id=4, text="thanks")).effect, Append)


def test_a_moderator_appointed_on_one_process_moderates_on_the_other() -> None:
    pair = Pair()
    pair.make_room("design")
    pair.ask(2, JoinRoom(id=2, room="design"), None)
    pair.ask(3, JoinRoom(id=3, room="design"), None)
    with refused(ErrorCode.NOT_ALLOWED):
        pair.ask(2, Kick(id=4, room="design", user="carol"))
    pair.ask(1, SetRole(id=5, room="design", user="bob", role="moderator"), 15)
    pair.ask(2, Kick(id=6, room="design", user="carol"), 16)
    assert [f["reason"] for f in pair.heard(3) if f["type"] == "room_removed"] == ["kicked"]
    design = pair.a.rooms.name_holder("design", "design")
    assert design is not None
    assert 3 not in design.members


def test_a_block_on_one_process_refuses_direct_messages_on_the_other() -> None:
    pair = Pair()
    bob = account(2)
    pair.ask(1, Block(id=1, user="bob"), bob, None)
    with refused(ErrorCode.BLOCKED):
        pair.ask(2, MessageUser(id=2, to="alice", text="hi"))
    with refused(ErrorCode.BLOCKED):
        pair.ask(2, RequestChat(id=3, to="alice"))
    pair.ask(1, Unblock(id=4, user="bob"), bob, None)
    assert isinstance(pair.ask(2, MessageUser(id=5, to="alice", text="hi")).effect, Append)


def test_an_account_ban_reaches_the_other_process_at_once_and_its_audit_row_changes_nothing() -> (
    None
):
    pair = Pair()
    pair.a.admins.add(1)
    bob = account(2)
    pair.ask(1, BanAccount(id=1, user="bob"), bob, 21)
    assert [(conn, code) for conn, code, _ in pair.told["b"].closes] == [(2, ACCOUNT_BANNED)]
    assert 2 in pair.b.banned
    assert not follow(pair.b, [AccountChange(21, "ban_account", 2)], 2.0)
    pair.ask(1, UnbanAccount(id=2, user="bob"), bob, 22)
    assert 2 not in pair.b.banned


def test_an_account_ban_by_hubbub_admin_reaches_every_process_through_the_audit_log() -> None:
    pair = Pair()
    out = follow(pair.b, [AccountChange(21, "ban_account", 2)], 2.0)
    assert [(conn, code) for conn, code, _ in out.closes] == [(2, ACCOUNT_BANNED)]
    assert 2 in pair.b.banned


def test_a_hub_alone_shares_nothing() -> None:
    hub = Hub()
    lobby = RoomRecord("lobby", "Lobby", "lobby", "", False, None, 0.0, members=((1, "alice"),))
    hub.load([lobby], {})
    hub.connect(1, "127.0.0.1:1", 0.0)
    hub.attach(1, 1, "alice", "alice", "t", 0.0)
    decision = handle(hub, 1, CreateRoom(id=1, name="design"), 0.0, WALL)
    assert decision.then is not None
    assert not decision.then(True).out.ops
    assert not hub.tick(1.0).ops


def test_rooms_made_on_one_process_count_towards_the_hourly_limit_on_the_other() -> None:
    pair = Pair()
    for n in range(ROOMS_PER_HOUR):
        pair.ask(4, CreateRoom(id=n, name=f"r{n}"), True)
    with refused(ErrorCode.TOO_MANY_ROOMS):
        pair.ask(40, CreateRoom(id=99, name="one more"))
    with refused(ErrorCode.ROOM_NAME_TAKEN):
        pair.ask(2, CreateRoom(id=100, name="R0"))


def test_a_process_that_lost_ops_catches_up_from_the_store() -> None:
    pair = Pair()
    pair.a.admins.add(1)
    pair.b.admins.add(1)
    room = pair.make_room("design")
    pair.ask(2, JoinRoom(id=1, room="design"), None)
    pair.ask(3, JoinRoom(id=2, room="design"), None)
    pair.ask(1, Kick(id=3, room="design", user="carol"), 21, lost=True)
    pair.ask(1, Invite(id=4, room="design", user="dave"), None, lost=True)
    pair.ask(1, Mute(id=5, room="lobby", user="bob", seconds=600), 22, lost=True)
    pair.ask(1, SetTopic(id=6, room="design", topic="pixels"), None, lost=True)
    pair.ask(1, Block(id=7, user="bob"), account(2), None, lost=True)
    design = pair.a.rooms.get(room)
    assert design is not None
    stored = [
        RoomRecord("lobby", "Lobby", "lobby", "", False, None, 0.0, members=tuple(NAMES.items())),
        RoomRecord(
            room,
            "design",
            "design",
            "pixels",
            False,
            1,
            WALL,
            members=tuple(design.members.items()),
        ),
    ]
    moderation = ModerationState(
        moderators=(),
        room_bans=(),
        mutes=(("lobby", 2, WALL + 600),),
        blocks=((1, 2),),
        banned=frozenset(),
        admins=frozenset({1}),
        last_audit=22,
    )
    told = reconcile(pair.b, stored, moderation)
    assert [f["reason"] for f in frames(told, 3) if f["type"] == "room_removed"] == ["left"]
    assert [f["room"]["name"] for f in frames(told, 40) if f["type"] == "room_added"] == ["design"]
    assert {"type": "member_joined", "room": room, "name": "dave", "status": "online"} in (
        frames(told, 2)
    )
    on_b = pair.b.rooms.get(room)
    assert on_b is not None
    assert (on_b.topic, list(on_b.members)) == ("pixels", list(design.members))
    with refused(ErrorCode.MUTED):
        pair.ask(2, Say(id=8, text="hey"))
    with refused(ErrorCode.BLOCKED):
        pair.ask(2, MessageUser(id=9, to="alice", text="hi"))
    assert not reconcile(pair.b, stored, moderation), "caught up: nothing more to tell"


def test_an_op_applied_twice_changes_nothing_the_second_time() -> None:
    pair = Pair()
    room = pair.make_room("design")
    opened = pair.told["a"].ops
    pair.ask(2, JoinRoom(id=1, room="design"), None)
    joined = pair.told["b"].ops
    pair.ask(1, SetRole(id=2, room="design", user="bob", role="moderator"), 31)
    appointed = pair.told["a"].ops
    pair.ask(1, Block(id=4, user="carol"), account(3), None)
    blocked = pair.told["a"].ops
    design = pair.b.rooms.get(room)
    assert design is not None
    before = (dict(design.members), set(design.moderators), dict(pair.b.blocks))
    for op in [*opened, *joined, *appointed, *blocked]:
        pair.b.apply("a", op, 2.0, WALL)
    assert pair.b.rooms.get(room) is design
    assert (dict(design.members), set(design.moderators), dict(pair.b.blocks)) == before


def test_a_new_account_is_in_the_lobby_on_every_process() -> None:
    pair = Pair()
    pair.b.connect(9, "127.0.0.1:9", 1.0)
    erin = Account(5, "erin", "erin", "argon2-hash", "user")
    pair.ask(9, SignIn(id=1, name="erin", password="pw"), None, "argon2-hash", SignedUp(erin, "t9"))
    assert "ok" in [f["type"] for f in pair.heard(9)]
    lobby = pair.a.rooms.get("lobby")
    assert lobby is not None
    assert lobby.members[5] == "erin"
    assert {"type": "member_joined", "room": "lobby", "name": "erin", "status": "online"} in (
        pair.heard(1)
    )
