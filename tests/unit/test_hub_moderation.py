"""Moderation rules straight on the pure hub: who may act on whom, that nothing changes
before the store has the act and its audit row, and how account changes are followed."""

from __future__ import annotations

from test_hub_rooms import Town, frames, refused

from hubbub.hub.admin import ACCOUNT_BANNED, follow
from hubbub.hub.effects import Moderate
from hubbub.hub.rooms import Room
from hubbub.protocol import Ban, ErrorCode, Kick, Mute, Say, SetRole
from hubbub.store import AccountChange


def design_with(town: Town, *members: tuple[int, str]) -> Room:
    """Alice's room "design", with ``members`` (account id, name) in it too."""
    room = town.hub.rooms.get(town.make_room())
    assert room is not None
    for account, name in members:
        town.hub.rooms.add_member(room, account, name)
    return room


def test_nothing_changes_until_the_act_is_stored_then_the_room_is_told() -> None:
    town = Town()
    design = design_with(town, (2, "bob"))
    decision = town.ask(1, Kick(id=1, room="design", user="bob", reason="out"))
    assert isinstance(decision.effect, Moderate)
    assert (decision.effect.act.action, decision.effect.act.reason) == ("kick", "out")
    assert 2 in design.members
    town.ask(1, Kick(id=1, room="design", user="bob", reason="out"), 17)
    assert 2 not in design.members
    room = design.id
    removed = [f for f in town.heard(2) if f["type"] == "room_removed"]
    assert removed == [
        {"type": "room_removed", "room": room, "reason": "kicked", "by": "alice", "note": "out"}
    ]
    assert [f["action"] for f in town.heard(1) if f["type"] == "moderated"] == ["kicked"]


def test_only_owner_or_admin_appoints_and_moderators_spare_each_other() -> None:
    town = Town()
    design_with(town, (2, "bob"), (3, "carol"))
    with refused(ErrorCode.NOT_ALLOWED):
        town.ask(2, SetRole(id=1, room="design", user="carol", role="moderator"))
    town.ask(1, SetRole(id=1, room="design", user="bob", role="moderator"), 1)
    town.ask(1, SetRole(id=1, room="design", user="carol", role="moderator"), 2)
    with refused(ErrorCode.NOT_ALLOWED):
        town.ask(2, Ban(id=1, room="design", user="carol"))
    with refused(ErrorCode.NOT_ALLOWED):
        town.ask(2, Kick(id=1, room="design", user="alice"))
    town.hub.admins.add(3)
    with refused(ErrorCode.NOT_ALLOWED):
        town.ask(1, Mute(id=1, room="design", user="carol", seconds=60))


def test_a_mute_refuses_with_the_seconds_left_and_ends_by_itself() -> None:
    town = Town()
    town.hub.admins.add(1)
    town.ask(1, Mute(id=1, room="lobby", user="bob", seconds=100), 1)
    lobby = town.hub.rooms.get("lobby")
    assert lobby is not None
    until = lobby.muted[2]
    with refused(ErrorCode.MUTED):
        town.ask(2, Say(id=2, text="hi"))
    assert lobby.muted_until(2, until + 1) is None
    assert 2 not in lobby.muted


def test_following_the_audit_log_bans_once_and_closes_every_connection() -> None:
    town = Town()
    out = follow(town.hub, [AccountChange(5, "ban_account", 2)], 2.0)
    assert [(conn, code) for conn, code, _ in out.closes] == [(2, ACCOUNT_BANNED)]
    assert [f["code"] for f in frames(out, 2) if f["type"] == "notice"] == ["account_banned"]
    assert town.hub.user_of(2) is None
    assert town.hub.audit_seen == 5
    again = follow(town.hub, [AccountChange(5, "ban_account", 2)], 3.0)
    assert not again
    follow(town.hub, [AccountChange(6, "unban_account", 2), AccountChange(7, "grant", 3)], 4.0)
    assert 2 not in town.hub.banned
    assert town.hub.is_admin(3)
