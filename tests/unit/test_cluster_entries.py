"""Entries across processes: every process delivers each entry once, in ``seq`` order."""

from __future__ import annotations

from cluster_town import WALL, Cluster, entry, frames, seqs

from hubbub.hub import Decision, Hub, Outbox
from hubbub.hub.cluster import EntryCommitted
from hubbub.hub.effects import Append, ReadGap
from hubbub.hub.handle import handle
from hubbub.hub.ops import Op
from hubbub.hub.ordering import GAP_PAGE
from hubbub.protocol import MessageUser, Say, Typing
from hubbub.store import StoredMessage, dm_conversation


def _two() -> Cluster:
    town = Cluster("a", "b")
    town.sign_in("a", 1)
    town.sign_in("b", 2)
    town.sign_in("b", 3)
    return town


def _say(
    town: Cluster, node: str, conn: int, stored: StoredMessage
) -> tuple[Decision, dict[str, Outbox]]:
    """Say ``stored``'s text on ``node``; the store answers with ``stored``."""
    decision = handle(
        town[node], conn, Say(id=9, conversation="lobby", text=stored.text), 1.0, WALL
    )
    assert isinstance(decision.effect, Append)
    assert decision.then is not None
    after = decision.then(stored)
    return after, town.carry(node, after.out)


def test_a_message_said_on_one_process_reaches_the_room_on_the_other() -> None:
    town = _two()
    _, heard = _say(town, "a", 1, entry(1, "hello"))
    assert seqs(heard["a"], 1) == [1]
    assert seqs(heard["b"], 2) == seqs(heard["b"], 3) == [1]
    assert {"type": "ok", "id": 9, "conversation": "lobby", "seq": 1, "ts": 5.0} in [
        {k: v for k, v in f.items() if k != "duplicate"} for f in frames(heard["a"], 1)
    ]
    assert town["b"].head("lobby") == 1


def test_an_entry_that_overtakes_waits_for_the_one_before_it() -> None:
    hub = _two()["b"]
    early = hub.apply("a", EntryCommitted(entry(2)), 1.0, WALL)
    assert seqs(early.out, 2) == []
    assert early.effect == ReadGap("lobby", after=0, limit=1)
    late = hub.apply("a", EntryCommitted(entry(1)), 1.0, WALL)
    assert seqs(late.out, 2) == [1, 2]
    assert early.then is not None
    assert seqs(early.then([entry(1)]).out, 2) == []
    assert hub.head("lobby") == 2


def test_a_gap_is_read_from_the_store_and_delivered_in_order() -> None:
    hub = _two()["b"]
    hub.apply("a", EntryCommitted(entry(1)), 1.0, WALL)
    early = hub.apply("a", EntryCommitted(entry(4)), 1.0, WALL)
    meanwhile = hub.apply("a", EntryCommitted(entry(5)), 1.0, WALL)
    assert early.effect == ReadGap("lobby", after=1, limit=2)
    assert meanwhile.effect is None
    assert early.then is not None
    filled = early.then([entry(2), entry(3)])
    assert seqs(filled.out, 3) == [2, 3, 4, 5]
    assert filled.effect is None


def test_a_long_gap_is_read_page_by_page() -> None:
    hub = _two()["b"]
    last = GAP_PAGE + 2
    early = hub.apply("a", EntryCommitted(entry(last)), 1.0, WALL)
    assert early.effect == ReadGap("lobby", after=0, limit=GAP_PAGE)
    assert early.then is not None
    more = early.then([entry(seq) for seq in range(1, GAP_PAGE + 1)])
    assert more.effect == ReadGap("lobby", after=GAP_PAGE, limit=1)
    assert more.then is not None
    assert seqs(more.then([entry(GAP_PAGE + 1)]).out, 2) == [GAP_PAGE + 1, last]


def test_a_gap_the_store_cannot_fill_lets_the_waiting_entries_go() -> None:
    hub = _two()["b"]
    early = hub.apply("a", EntryCommitted(entry(3)), 1.0, WALL)
    assert early.then is not None
    assert seqs(early.then([]).out, 2) == [3]
    assert hub.head("lobby") == 3


def test_a_second_gap_opened_while_a_read_runs_is_read_too() -> None:
    hub = _two()["b"]
    hub.apply("a", EntryCommitted(entry(1)), 1.0, WALL)
    early = hub.apply("a", EntryCommitted(entry(4)), 1.0, WALL)
    for seq in (2, 3):
        hub.apply("a", EntryCommitted(entry(seq)), 1.0, WALL)
    assert hub.apply("a", EntryCommitted(entry(8)), 1.0, WALL).effect is None
    assert early.then is not None
    again = early.then([entry(2), entry(3)])
    assert seqs(again.out, 2) == []
    assert again.effect == ReadGap("lobby", after=4, limit=3)
    assert again.then is not None
    assert seqs(again.then([entry(5), entry(6), entry(7)]).out, 2) == [5, 6, 7, 8]


def test_an_entry_seen_before_is_not_delivered_again() -> None:
    hub = _two()["b"]
    hub.apply("a", EntryCommitted(entry(1)), 1.0, WALL)
    assert seqs(hub.apply("a", EntryCommitted(entry(1)), 1.0, WALL).out, 2) == []


def test_a_local_commit_waits_for_an_earlier_entry_from_another_process() -> None:
    town = _two()
    decision, heard = _say(town, "b", 2, entry(2, sender=2))
    assert seqs(heard["b"], 3) == []
    assert [f["seq"] for f in frames(heard["b"], 2) if f["type"] == "ok"] == [2]
    assert decision.effect == ReadGap("lobby", after=0, limit=1)
    assert seqs(town["b"].apply("a", EntryCommitted(entry(1)), 1.0, WALL).out, 3) == [1, 2]


def test_clients_on_both_processes_see_the_same_order() -> None:
    town = _two()
    a, b = town["a"], town["b"]
    a_heard = a.committed(entry(2)).out
    a_heard.extend(a.in_order(entry(1)).out)
    b_heard = b.in_order(entry(1)).out
    b_heard.extend(b.in_order(entry(2)).out)
    assert seqs(a_heard, 1) == seqs(b_heard, 2) == [1, 2]


def test_a_session_starting_on_the_other_process_starts_after_what_it_delivered() -> None:
    town = _two()
    _say(town, "a", 1, entry(1))
    _say(town, "a", 1, entry(2))
    town["b"].connect(40, "127.0.0.1:40", 0.0)
    town["b"].attach(40, 4, "dave", "dave", "t40", 0.0)
    assert town["b"].head("lobby") == 2


def test_a_direct_message_reaches_its_recipient_on_the_other_process() -> None:
    town = _two()
    decision = handle(town["a"], 1, MessageUser(id=3, to="bob", text="psst"), 1.0, WALL)
    assert isinstance(decision.effect, Append)
    assert decision.then is not None
    conversation = dm_conversation(1, 2)
    stored = entry(1, "psst", conversation=conversation)
    heard = town.carry("a", decision.then(stored).out)
    assert seqs(heard["b"], 2) == [1]
    assert seqs(heard["b"], 3) == []


def test_typing_reaches_listeners_on_the_other_process_but_not_the_typists_devices() -> None:
    town = _two()
    town.sign_in("b", 1, conn=10)
    decision = handle(town["a"], 1, Typing(id=4, conversation="lobby"), 1.0, WALL)
    heard = town.carry("a", decision.out)
    typing = {"type": "typing", "conversation": "lobby", "name": "alice"}
    assert frames(heard["b"], 2) == frames(heard["b"], 3) == [typing]
    assert frames(heard["b"], 10) == []


def test_a_single_process_hub_delivers_at_once_and_shares_nothing() -> None:
    hub = Hub()
    out = hub.committed(entry(5)).out
    assert out.ops == []
    assert hub.head("lobby") == 5


def test_a_gap_read_that_failed_lets_the_waiting_entries_go() -> None:
    hub = _two()["b"]
    early = hub.apply("a", EntryCommitted(entry(2)), 1.0, WALL)
    assert early.then is not None
    assert seqs(early.then(None).out, 2) == [2]
    assert seqs(hub.apply("a", EntryCommitted(entry(3)), 1.0, WALL).out, 2) == [3]


class _Unknown(Op, frozen=True):
    what: str


def test_an_op_this_hub_does_not_know_changes_nothing() -> None:
    hub = _two()["b"]
    assert not hub.apply("a", _Unknown("?"), 1.0, WALL).out
