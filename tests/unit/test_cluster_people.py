"""People across processes: who is online where, their status, holds, node loss, announce."""

from __future__ import annotations

from cluster_town import WALL, Cluster, frames, presence

from hubbub.hub import LEAVE_LINGER, Hub
from hubbub.hub.chats import Trigger
from hubbub.hub.cluster import UserGone, UserHere
from hubbub.hub.decision import Decision
from hubbub.hub.effects import Append, FindAccount
from hubbub.hub.handle import handle
from hubbub.protocol import MessageUser, SetStatus, Users
from hubbub.store import Account, session_id


def test_a_user_signed_in_on_another_process_is_online_here() -> None:
    town = Cluster("a", "b")
    town.sign_in("a", 1)
    town.sign_in("b", 2)
    assert town["a"].seen_status(2) == "online"
    assert town["a"].online("bob") is not None
    heard = town.tick(0.1)
    assert ("bob", "online") in presence(heard["a"], 1)
    assert ("alice", "online") in presence(heard["b"], 2)


def test_the_first_user_is_not_told_alone_when_someone_is_online_on_another_process() -> None:
    town = Cluster("a", "b")
    town.sign_in("a", 1)
    heard = town.sign_in("b", 2)
    assert "notice" not in [f["type"] for f in frames(heard["b"], 2)]


def test_users_lists_people_online_on_every_process() -> None:
    town = Cluster("a", "b")
    town.sign_in("a", 1)
    town.sign_in("b", 2)
    decision = handle(town["a"], 1, Users(id=7), 0.0, 0.0)
    listed = next(f for f in frames(decision.out, 1) if f["type"] == "ok")["users"]
    assert {u["name"] for u in listed} == {"alice", "bob"}


def test_signing_out_on_one_process_is_told_on_the_other_after_the_linger() -> None:
    town = Cluster("a", "b")
    town.sign_in("a", 1)
    town.sign_in("b", 2)
    town.tick(0.1)
    town.carry("b", town["b"].disconnect(2, clean=True, now=1.0), 1.0)
    assert town["a"].online("bob") is None
    assert presence(town.tick(1.1)["a"], 1) == []
    assert presence(town.tick(1.0 + LEAVE_LINGER)["a"], 1) == [("bob", "offline")]


def test_a_dropped_connection_keeps_its_user_online_everywhere_until_the_grace_ends() -> None:
    town = Cluster("a", "b")
    town.sign_in("a", 1)
    town.sign_in("b", 2)
    town.carry("b", town["b"].disconnect(2, clean=False, now=1.0), 1.0)
    assert town["a"].seen_status(2) == "online"
    town.tick(1.0 + town["b"].grace)
    assert town["a"].seen_status(2) == "offline"


def test_a_status_chosen_on_one_process_is_seen_on_the_others() -> None:
    town = Cluster("a", "b")
    town.sign_in("a", 1)
    town.sign_in("b", 2)
    town.tick(0.1)
    decision = handle(town["b"], 2, SetStatus(id=1, status="away"), 1.0, WALL)
    town.carry("b", decision.out, 1.0)
    assert town["a"].seen_status(2) == "away"
    assert presence(town.tick(1.1)["a"], 1) == [("bob", "away")]


def test_an_account_on_two_processes_is_one_user_online_while_online_on_either() -> None:
    town = Cluster("a", "b", "c")
    town.sign_in("a", 2, conn=20)
    town.sign_in("b", 2, conn=21)
    town.sign_in("c", 3)
    town.tick(0.1)
    town.carry("a", town["a"].disconnect(20, clean=True, now=1.0), 1.0)
    assert town["c"].seen_status(2) == "online"
    assert town["a"].seen_status(2) == "online"
    assert presence(town.tick(1.0 + LEAVE_LINGER)["c"], 3) == []
    town.carry("b", town["b"].disconnect(21, clean=True, now=5.0), 5.0)
    assert town["c"].seen_status(2) == town["a"].seen_status(2) == "offline"


def test_only_a_change_of_the_accounts_side_here_is_shared_not_each_connection() -> None:
    town = Cluster("a", "b")
    first = town["a"]
    laptop, phone = session_id("t1"), session_id("t2")

    def here(*sessions: str, connected: bool = True) -> list[UserHere]:
        return [
            UserHere(1, "alice", "alice", "online", connected, sessions=tuple(sorted(sessions)))
        ]

    for conn in (1, 2, 3):
        first.connect(conn, f"127.0.0.1:{conn}", 0.0)
    assert first.attach(1, 1, "alice", "alice", "t1", 0.0).ops == here(laptop)
    assert first.attach(2, 1, "alice", "alice", "t1", 0.0).ops == [], "the same session"
    assert first.disconnect(2, clean=True, now=1.0).ops == []
    assert first.attach(3, 1, "alice", "alice", "t2", 1.0).ops == here(laptop, phone)
    assert first.disconnect(3, clean=True, now=1.0).ops == here(laptop)
    parked = first.disconnect(1, clean=False, now=1.0).ops
    assert parked == here(laptop, connected=False)
    assert [type(op) for op in first.tick(1.0 + first.grace).ops] == [UserGone]


def test_a_single_process_hub_shares_nothing() -> None:
    hub = Hub()
    hub.connect(1, "127.0.0.1:1", 0.0)
    assert hub.attach(1, 1, "alice", "alice", "t1", 0.0).ops == []
    assert hub.set_status(1, "away", 0.0).ops == []
    assert hub.disconnect(1, clean=True, now=1.0).ops == []


def _message_bob(hub: Hub) -> Append:
    decision: Decision = handle(hub, 1, MessageUser(id=1, to="bob", text="hi"), 1.0, WALL)
    if isinstance(decision.effect, FindAccount):
        assert decision.then is not None
        decision = decision.then(Account(2, "bob", "bob", "x", "user"))
    assert isinstance(decision.effect, Append)
    return decision.effect


def test_a_direct_message_to_someone_connected_on_another_process_is_not_held() -> None:
    town = Cluster("a", "b")
    town.sign_in("a", 1)
    town.sign_in("b", 2)
    assert _message_bob(town["a"]).draft.hold_for == ()


def test_a_direct_message_to_someone_offline_everywhere_is_held() -> None:
    town = Cluster("a", "b")
    town.sign_in("a", 1)
    town.sign_in("b", 2)
    town.carry("b", town["b"].disconnect(2, clean=True, now=1.0), 1.0)
    assert _message_bob(town["a"]).draft.hold_for == (2,)


def test_a_direct_message_to_someone_only_dropped_on_another_process_is_held() -> None:
    town = Cluster("a", "b")
    town.sign_in("a", 1)
    town.sign_in("b", 2)
    town.carry("b", town["b"].disconnect(2, clean=False, now=1.0), 1.0)
    assert _message_bob(town["a"]).draft.hold_for == (2,)


def test_when_a_process_is_gone_its_users_go_offline_after_the_linger() -> None:
    town = Cluster("a", "b")
    town.sign_in("a", 1)
    town.sign_in("b", 2)
    town.sign_in("b", 3)
    town.sign_in("a", 3, conn=30)
    town.tick(0.1)
    out = town["a"].node_gone("b", 5.0)
    assert town["a"].seen_status(2) == "offline"
    assert town["a"].seen_status(3) == "online"
    assert presence(out, 1) == []
    assert presence(town["a"].tick(5.1), 1) == []
    assert presence(town["a"].tick(5.0 + LEAVE_LINGER), 1) == [("bob", "offline")]


def test_a_process_that_says_hello_learns_who_is_online_from_the_announces() -> None:
    town = Cluster("a", "b")
    town.sign_in("a", 1)
    town.sign_in("b", 2)
    decision = handle(town["b"], 2, SetStatus(id=1, status="away"), 1.0, WALL)
    town.carry("b", decision.out, 1.0)
    fresh = Cluster("c")["c"]
    for node in ("a", "b"):
        for op in town[node].announce():
            fresh.apply(node, op, 2.0, WALL)
    assert fresh.seen_status(1) == "online"
    assert fresh.seen_status(2) == "away"
    fresh.node_gone("b", 3.0)
    assert fresh.seen_status(2) == "offline"
    assert fresh.seen_status(1) == "online"


def test_ops_a_hub_made_itself_are_ignored_when_they_come_back() -> None:
    town = Cluster("a")
    town.sign_in("a", 1)
    assert not town["a"].apply("a", UserGone(1, Trigger.CLOSE), 1.0, WALL).out
    assert town["a"].seen_status(1) == "online"


def test_an_announce_says_who_left_while_ops_were_lost() -> None:
    town = Cluster("a", "b")
    town.sign_in("a", 1)
    town.sign_in("b", 2)
    town.sign_in("b", 3)
    town["b"].disconnect(2, clean=True, now=1.0)
    assert town["a"].seen_status(2) == "online"
    for op in town["b"].announce():
        town["a"].apply("b", op, 2.0, WALL)
    assert town["a"].seen_status(2) == "offline"
    assert town["a"].seen_status(3) == "online"
