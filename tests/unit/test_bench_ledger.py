"""The benchmark's delivery accounting: every loss, duplicate and stray copy is counted exactly."""

from __future__ import annotations

from array import array

from hubbub.bench.ledger import Inbox, Ledger, sent_ns
from hubbub.bench.report import Deliveries
from hubbub.protocol import Message

MS = 1_000_000


class Client:
    """What a receiver keeps: the message events and when each arrived."""

    def __init__(
        self, ledger: Ledger, name: str, lobby_head: int | None = 0, rooms: tuple[str, ...] = ()
    ) -> None:
        self.heard: list[Message] = []
        self.arrivals = array("q")
        self.inbox: Inbox = ledger.inbox(name, self.heard, self.arrivals)
        if lobby_head is not None:
            self.inbox.joined("lobby", lobby_head)
        for room in rooms:
            self.inbox.joined(room, 0)

    def hears(self, message: Message, at_ns: int = 0) -> None:
        self.heard.append(message)
        self.arrivals.append(at_ns)


def stamped(ledger: Ledger, sender: str, seq: int, conversation: str = "lobby") -> Message:
    return Message(
        conversation=conversation,
        seq=seq,
        ts=0.0,
        sender=sender,
        text=ledger.stamp(sender, seq),
    )


def test_every_owed_message_received_once_is_a_clean_tally() -> None:
    ledger = Ledger("run1")
    alice, bob = Client(ledger, "alice"), Client(ledger, "bob")
    messages = [stamped(ledger, "alice", seq) for seq in (1, 2)]
    for message in messages:
        ledger.expect_in_room("lobby", message.seq)
        alice.hears(message)
        bob.hears(message)

    assert ledger.tally() == Deliveries(expected=4, received=4, lost=0, duplicates=0, unexpected=0)


def test_a_missing_message_is_lost_and_a_second_copy_is_a_duplicate() -> None:
    ledger = Ledger("run1")
    alice, bob = Client(ledger, "alice"), Client(ledger, "bob")
    one, two, three = (stamped(ledger, "alice", seq) for seq in (1, 2, 3))
    for seq in (1, 2, 3):
        ledger.expect_in_room("lobby", seq)
    for message in (one, two, three):
        alice.hears(message)
    for message in (one, three, three):
        bob.hears(message)

    assert ledger.tally() == Deliveries(expected=6, received=5, lost=1, duplicates=1, unexpected=0)


def test_lobby_messages_stored_before_a_listener_signed_in_are_not_owed_to_it() -> None:
    ledger = Ledger("run1")
    early, late = Client(ledger, "early"), Client(ledger, "late", lobby_head=2)
    for seq in (1, 2, 3):
        ledger.expect_in_room("lobby", seq)
        early.hears(stamped(ledger, "early", seq))
    late.hears(stamped(ledger, "early", 3))

    assert ledger.expected_total == 4
    assert ledger.tally() == Deliveries(expected=4, received=4, lost=0, duplicates=0, unexpected=0)


def test_a_direct_message_that_reaches_a_third_client_is_unexpected() -> None:
    ledger = Ledger("run1")
    alice, bob = Client(ledger, "alice", None), Client(ledger, "bob", None)
    carol = Client(ledger, "carol", None)
    ledger.expect(alice.inbox, "dm:1:2", 1)
    ledger.expect(bob.inbox, "dm:1:2", 1)
    direct = stamped(ledger, "alice", 1, conversation="dm:1:2")
    for client in (alice, carol):
        client.hears(direct)

    assert ledger.tally() == Deliveries(expected=2, received=1, lost=1, duplicates=0, unexpected=1)


def test_a_room_message_is_owed_to_the_rooms_members_only() -> None:
    ledger = Ledger("run1")
    red = Client(ledger, "red", rooms=("room:a",))
    both = Client(ledger, "both", rooms=("room:a", "room:b"))
    blue = Client(ledger, "blue", rooms=("room:b",))
    in_a, in_b = stamped(ledger, "both", 1, "room:a"), stamped(ledger, "both", 1, "room:b")
    ledger.expect_in_room("room:a", 1)
    ledger.expect_in_room("room:b", 1)
    for client, heard in ((red, [in_a]), (both, [in_a, in_b]), (blue, [in_b])):
        for message in heard:
            client.hears(message)

    assert ledger.expected_total == 4
    assert ledger.tally() == Deliveries(expected=4, received=4, lost=0, duplicates=0, unexpected=0)


def test_a_room_message_reaching_a_non_member_is_unexpected_and_one_missed_is_lost() -> None:
    ledger = Ledger("run1")
    red, blue = Client(ledger, "red", rooms=("room:a",)), Client(ledger, "blue", rooms=("room:b",))
    in_a = stamped(ledger, "red", 1, "room:a")
    ledger.expect_in_room("room:a", 1)
    ledger.expect_in_room("room:b", 1)
    red.hears(in_a)
    blue.hears(in_a)

    assert ledger.tally() == Deliveries(expected=2, received=1, lost=1, duplicates=0, unexpected=1)


def test_a_room_and_the_lobby_with_the_same_seq_are_told_apart() -> None:
    ledger = Ledger("run1")
    alice = Client(ledger, "alice", rooms=("room:a",))
    ledger.expect_in_room("lobby", 1)
    ledger.expect_in_room("room:a", 1)
    alice.hears(stamped(ledger, "alice", 1, "room:a"))
    alice.hears(stamped(ledger, "alice", 1, "room:a"))

    assert ledger.tally() == Deliveries(expected=2, received=1, lost=1, duplicates=1, unexpected=0)


def test_other_peoples_messages_are_not_counted() -> None:
    ledger = Ledger("run1")
    listener = Client(ledger, "listener")
    listener.hears(Message(conversation="lobby", seq=7, ts=0.0, sender="zoe", text="hi all"))
    other_run = Ledger("run2")
    listener.hears(stamped(other_run, "zoe", 8))

    assert ledger.tally() == Deliveries(expected=0, received=0, lost=0, duplicates=0, unexpected=0)


def test_latency_is_timed_where_someone_else_receives_a_message() -> None:
    ledger = Ledger("run1")
    alice, bob = Client(ledger, "alice"), Client(ledger, "bob")
    sent_ns = 10 * MS
    message = Message(
        conversation="lobby",
        seq=1,
        ts=0.0,
        sender="alice",
        text=f"{ledger.prefix}alice 0 {sent_ns}",
    )
    ledger.expect_in_room("lobby", 1)
    alice.hears(message, at_ns=sent_ns + 1 * MS)
    bob.hears(message, at_ns=sent_ns + 3 * MS)

    assert list(ledger.latencies_ns()) == [3 * MS]


async def test_waiting_ends_once_every_owed_delivery_arrived() -> None:
    ledger = Ledger("run1")
    listener = Client(ledger, "listener")
    ledger.expect_in_room("lobby", 1)
    ledger.sending_done()
    listener.hears(stamped(ledger, "speaker", 1))

    await ledger.arrived_all(stall=60)
    await ledger.confirmed(stall=60)


async def test_waiting_gives_up_when_nothing_arrives_for_the_stall_time() -> None:
    ledger = Ledger("run1")
    Client(ledger, "listener")
    ledger.expect_in_room("lobby", 1)
    ledger.sending_done()

    await ledger.confirmed(stall=0.05)
    assert ledger.tally().lost == 1


def test_each_stamp_has_its_own_later_send_time_which_names_it() -> None:
    ledger = Ledger("run1")

    times = [sent_ns(ledger.stamp("alice", n)) for n in range(1000)]

    assert None not in times
    assert times == sorted(set(times))
    assert sent_ns("hb run1 alice 0 soon") is None
    assert sent_ns("hello there") is None
