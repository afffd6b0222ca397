"""1:1 chats and chat requests whose two sides sit on different processes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from cluster_town import WALL, Cluster, frames, presence, seqs

from hubbub.hub import Outbox
from hubbub.hub.effects import Append
from hubbub.hub.handle import handle
from hubbub.protocol import ErrorCode, Refusal, Say
from hubbub.store import StoredMessage


@contextlib.contextmanager
def refused(code: ErrorCode) -> Iterator[None]:
    with pytest.raises(Refusal) as caught:
        yield
    assert caught.value.code is code, f"{caught.value.code}: {caught.value.message}"


def _asked() -> Cluster:
    """alice (on a) has asked bob (on b); carol is on a, dave on b."""
    town = Cluster("a", "b")
    town.sign_in("a", 1)
    town.sign_in("b", 2)
    town.sign_in("a", 3)
    town.sign_in("b", 4)
    town.tick(0.5)
    town.carry("a", town["a"].request_chat(1, "bob", now=1.0), 1.0)
    return town


def _chatting() -> Cluster:
    """alice (on a) and bob (on b) are in the chat ``chat:b``."""
    town = _asked()
    town.carry("b", town["b"].answer_chat(2, "alice", True, now=2.0), 2.0)
    return town


def test_a_request_reaches_an_invitee_on_another_process() -> None:
    town = Cluster("a", "b")
    town.sign_in("a", 1)
    town.sign_in("b", 2)
    heard = town.carry("a", town["a"].request_chat(1, "bob", now=1.0), 1.0)
    assert frames(heard["b"], 2) == [{"type": "chat_request", "from": "alice", "expires_in": 60.0}]
    assert frames(heard["a"], 1) == []
    assert [r.requester for r in town["b"].pending_requests(town["b"].signed_in(2), 1.0)] == [
        "alice"
    ]


def test_accepting_on_the_other_process_starts_the_chat_on_both() -> None:
    town = _asked()
    heard = town.carry("b", town["b"].answer_chat(2, "alice", True, now=2.0), 2.0)
    started = {"type": "chat_started", "conversation": "chat:b", "with": "bob"}
    assert frames(heard["a"], 1) == [started]
    assert frames(heard["b"], 2) == [{**started, "with": "alice"}]
    assert town["a"].participants("chat:b") == (1, 2)
    assert town["a"].seen_status(2) == town["b"].seen_status(1) == "busy"
    assert presence(town.tick(2.1)["a"], 3) == [("alice", "busy"), ("bob", "busy")]


def test_someone_in_a_chat_on_another_process_cannot_be_asked() -> None:
    town = _chatting()
    with refused(ErrorCode.USER_BUSY):
        town["a"].request_chat(3, "bob", now=3.0)


def test_a_request_to_someone_who_already_asked_you_on_another_process_is_refused() -> None:
    town = _asked()
    with refused(ErrorCode.REQUEST_PENDING):
        town["b"].request_chat(2, "alice", now=2.0)


def test_declining_on_the_other_process_tells_the_requester() -> None:
    town = _asked()
    heard = town.carry("b", town["b"].answer_chat(2, "alice", False, now=2.0), 2.0)
    assert frames(heard["a"], 1) == [{"type": "chat_declined", "by": "bob", "reason": "declined"}]
    assert town["a"].pending_requests(town["a"].signed_in(1), 2.0) == []


def test_a_request_expires_by_the_requesters_process_clock() -> None:
    town = _asked()
    assert town["b"].tick(1.0 + 61.0).ops == []
    assert town["b"].pending_requests(town["b"].signed_in(2), 62.0) != []
    heard = town.carry("a", town["a"].tick(62.0), 62.0)
    assert {"type": "chat_cancelled", "from": "alice", "reason": "expired"} in frames(heard["b"], 2)
    assert {"type": "chat_declined", "by": "bob", "reason": "expired"} in frames(heard["a"], 1)


def test_accepting_closes_the_other_requests_on_every_process() -> None:
    town = _asked()
    town.carry("a", town["a"].request_chat(3, "bob", now=1.5), 1.5)
    heard = town.carry("b", town["b"].answer_chat(2, "alice", True, now=2.0), 2.0)
    assert {"type": "chat_declined", "by": "bob", "reason": "busy"} in frames(heard["a"], 3)
    assert {"type": "chat_cancelled", "from": "carol", "reason": "busy"} in frames(heard["b"], 2)
    assert town["a"].pending_requests(town["a"].signed_in(3), 2.0) == []


def test_ending_the_chat_on_one_process_tells_the_partner_on_the_other() -> None:
    town = _chatting()
    heard = town.carry("a", town["a"].end_chat(1, now=3.0), 3.0)
    ended = {"type": "chat_ended", "conversation": "chat:b", "by": "alice", "reason": "ended"}
    assert frames(heard["b"], 2) == frames(heard["a"], 1) == [ended]
    assert town["a"].seen_status(2) == town["b"].seen_status(1) == "online"


def test_closing_the_client_on_one_process_ends_the_chat_on_the_other() -> None:
    town = _chatting()
    heard = town.carry("b", town["b"].disconnect(2, clean=True, now=3.0), 3.0)
    ended = {"type": "chat_ended", "conversation": "chat:b", "by": "bob", "reason": "closed"}
    assert frames(heard["a"], 1) == [ended]
    assert town["a"].seen_status(1) == "online"


def test_a_requester_leaving_cancels_the_request_on_the_invitees_process() -> None:
    town = _asked()
    heard = town.carry("a", town["a"].disconnect(1, clean=True, now=3.0), 3.0)
    assert frames(heard["b"], 2) == [{"type": "chat_cancelled", "from": "alice", "reason": "left"}]


def test_a_chat_ends_disconnected_when_the_partners_process_is_gone() -> None:
    town = _chatting()
    out = town["a"].node_gone("b", 5.0)
    ended = {"type": "chat_ended", "conversation": "chat:b", "by": "bob", "reason": "disconnected"}
    assert frames(out, 1) == [ended]
    assert town["a"].seen_status(1) == "online"


def test_requests_made_on_a_process_that_is_gone_are_closed() -> None:
    town = _asked()
    out = town["b"].node_gone("a", 5.0)
    assert frames(out, 2) == [{"type": "chat_cancelled", "from": "alice", "reason": "left"}]


def test_messages_in_a_chat_across_processes_reach_both_sides() -> None:
    town = _chatting()
    decision = handle(town["a"], 1, Say(id=5, conversation="chat:b", text="hi"), 3.0, WALL)
    assert isinstance(decision.effect, Append)
    assert decision.then is not None
    stored = StoredMessage("chat:b", 1, 5.0, "alice", "hi", None, sender_id=1)
    heard = town.carry("a", decision.then(stored).out, 3.0)
    assert seqs(heard["a"], 1) == seqs(heard["b"], 2) == [1]
    assert seqs(heard["a"], 3) == seqs(heard["b"], 4) == []


def test_a_process_that_says_hello_learns_requests_and_chats() -> None:
    town = _chatting()
    town.carry("b", town["b"].request_chat(4, "carol", now=3.0), 3.0)
    town.tick(3.0)
    fresh = Cluster("c")["c"]
    for node in ("a", "b"):
        for op in town[node].announce():
            fresh.apply(node, op, 4.0, WALL)
    assert fresh.participants("chat:b") == (1, 2)
    assert fresh.seen_status(1) == fresh.seen_status(2) == "busy"
    fresh.connect(30, "127.0.0.1:30", 4.0)
    fresh.attach(30, 3, "carol", "carol", "t30", 4.0)
    pending = fresh.pending_requests(fresh.signed_in(30), 4.0)
    assert [(r.requester, r.invitee, r.expires_in) for r in pending] == [("dave", "carol", 60.0)]


def _announce(town: Cluster, node: str, to: str) -> Outbox:
    heard = Outbox()
    for op in town[node].announce():
        heard.extend(town[to].apply(node, op, 9.0, WALL).out)
    return heard


def test_an_accept_that_was_lost_starts_the_chat_at_the_next_announce() -> None:
    town = _asked()
    town["b"].answer_chat(2, "alice", True, now=2.0)
    heard = _announce(town, "b", "a")
    assert frames(heard, 1) == [{"type": "chat_started", "conversation": "chat:b", "with": "bob"}]
    assert town["a"].seen_status(1) == "busy"
    assert frames(_announce(town, "b", "a"), 1) == []


def test_a_request_that_closed_while_ops_were_lost_closes_at_the_next_announce() -> None:
    town = _asked()
    town.carry("b", town["b"].request_chat(4, "carol", now=1.0), 1.0)
    town["b"].tick(62.0)
    heard = _announce(town, "b", "a")
    assert frames(heard, 3) == [{"type": "chat_cancelled", "from": "dave", "reason": "expired"}]
    assert town["a"].pending_requests(town["a"].signed_in(1), 9.0) != []


def test_a_dropped_partner_whose_grace_ends_on_their_process_ends_the_chat_disconnected() -> None:
    town = _chatting()
    town.carry("b", town["b"].disconnect(2, clean=False, now=3.0), 3.0)
    assert town["a"].seen_status(2) == "busy"
    heard = town.tick(3.0 + town["b"].grace)
    ended = {"type": "chat_ended", "conversation": "chat:b", "by": "bob", "reason": "disconnected"}
    assert [f for f in frames(heard["a"], 1) if f["type"] != "presence"] == [ended]
