"""A request refused for a room this process may not have heard of yet is decided again
on what the store holds: the op of the change may still be on its way over the bus."""

from __future__ import annotations

from cluster_town import NAMES, WALL
from test_cluster_rooms import Pair
from test_hub_rooms import refused

from hubbub.hub import Decision, handle
from hubbub.hub.cluster_rooms import Joined
from hubbub.hub.effects import AddMember
from hubbub.hub.rereads import ReadRooms, Stored
from hubbub.protocol import CreateRoom, ErrorCode, JoinRoom, Kick, Rooms, SetRole
from hubbub.store import ModerationState, RoomRecord

NO_MODERATION = ModerationState((), (), (), (), frozenset(), frozenset(), 0)


def _in_store(pair: Pair) -> Stored:
    """The rooms as hub ``a`` (where they were made) has them: what the store holds."""
    records = [
        RoomRecord(
            room.id,
            room.name,
            room.key,
            room.topic,
            room.private,
            room.owner_id,
            WALL,
            members=tuple(room.members.items()),
        )
        for room in pair.a.rooms
    ]
    return records, NO_MODERATION


def _made_unheard(pair: Pair, name: str) -> str:
    """A room alice makes on ``a`` whose op never reaches ``b``."""
    pair.ask(1, CreateRoom(id=1, name=name), True, lost=True)
    room: str = next(f for f in pair.heard(1) if f["type"] == "ok")["room"]["id"]
    assert pair.b.rooms.get(room) is None
    return room


def _join_on_b(pair: Pair, name: str) -> Decision:
    decision = handle(pair.b, 2, JoinRoom(id=7, room=name), 1.0, WALL)
    assert isinstance(decision.effect, ReadRooms), "refused only after reading the rooms"
    return decision


def test_a_join_of_a_room_not_heard_of_yet_reads_the_rooms_and_joins() -> None:
    pair = Pair()
    room = _made_unheard(pair, "design")
    decision = _join_on_b(pair, "design")
    assert decision.then is not None
    joining = decision.then(_in_store(pair))
    assert isinstance(joining.effect, AddMember)
    assert joining.then is not None
    joined = joining.then(None)
    replies = [f for f in pair.town.carry("b", joined.out)["b"] if 2 in f.conns]
    assert any(b'"type":"ok"' in f.data and room.encode() in f.data for f in replies)
    on_b = pair.b.rooms.get(room)
    assert on_b is not None
    assert list(on_b.members) == [1, 2]


def test_a_room_change_heard_while_the_rooms_are_read_is_not_undone_by_the_read() -> None:
    pair = Pair()
    room = _made_unheard(pair, "design")
    stored_before = _in_store(pair)
    decision = _join_on_b(pair, "design")
    pair.b.apply("a", Joined(room, 3, NAMES[3], NAMES[3], "online"), 1.0, WALL)
    assert decision.then is not None
    decision.then(stored_before)
    on_b = pair.b.rooms.get(room)
    assert on_b is not None
    assert 3 in on_b.members, "carol's join came during the read and stays"


def test_a_refusal_the_store_confirms_is_given() -> None:
    pair = Pair()
    decision = _join_on_b(pair, "nowhere")
    assert decision.then is not None
    with refused(ErrorCode.UNKNOWN_ROOM):
        decision.then(_in_store(pair))


def test_a_hub_alone_refuses_at_once() -> None:
    pair = Pair()
    pair.b.node = None
    with refused(ErrorCode.UNKNOWN_ROOM):
        handle(pair.b, 2, JoinRoom(id=7, room="nowhere"), 1.0, WALL)


def test_the_directory_lists_a_room_made_on_the_other_process_a_moment_ago() -> None:
    pair = Pair()
    _made_unheard(pair, "design")
    decision = handle(pair.b, 2, Rooms(id=8), 1.0, WALL)
    assert isinstance(decision.effect, ReadRooms)
    assert decision.then is not None
    listed = pair.town.carry("b", decision.then(_in_store(pair)).out)["b"]
    assert any(b'"design"' in f.data for f in listed if 2 in f.conns)


def test_a_moderators_act_counts_a_role_given_on_the_other_process_a_moment_ago() -> None:
    pair = Pair()
    room = pair.make_room("design")
    pair.ask(2, JoinRoom(id=1, room="design"), None)
    pair.ask(3, JoinRoom(id=2, room="design"), None)
    pair.ask(1, SetRole(id=3, room="design", user="bob", role="moderator"), 15)
    pair.ask(1, SetRole(id=4, room="design", user="carol", role="moderator"), 16, lost=True)
    records, _ = _in_store(pair)
    roles = ModerationState(((room, 2), (room, 3)), (), (), (), frozenset(), frozenset(), 0)
    kick = handle(pair.b, 2, Kick(id=9, room="design", user="carol"), 1.0, WALL)
    assert isinstance(kick.effect, ReadRooms), "b thinks carol a plain member: it reads first"
    assert kick.then is not None
    with refused(ErrorCode.NOT_ALLOWED):
        kick.then((records, roles))
