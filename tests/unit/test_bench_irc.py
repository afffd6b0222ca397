"""The benchmark's IRC client, against lines written by hand as InspIRCd sends them."""

from __future__ import annotations

import pytest

from hubbub.bench.irc import IrcWire
from hubbub.bench.ledger import Ledger
from hubbub.bench.wire import WireClosed


class Transport:
    """Collects what the wire writes."""

    def __init__(self) -> None:
        self.written = b""
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return self.aborted

    def abort(self) -> None:
        self.aborted = True


def connected(transport: Transport, nick: str = "balice") -> IrcWire:
    wire = IrcWire(nick)
    wire.connection_made(transport)  # type: ignore[arg-type]
    return wire


@pytest.fixture
def transport() -> Transport:
    return Transport()


@pytest.fixture
async def wire(transport: Transport) -> IrcWire:
    """A wire the server has welcomed."""
    wire = connected(transport)
    wire.data_received(b":bench.invalid 001 balice :Welcome to the bench IRC Network\r\n")
    await wire.registered
    transport.written = b""
    return wire


async def test_it_asks_for_echo_message_and_registers_at_the_welcome(transport: Transport) -> None:
    wire = connected(transport)

    assert transport.written == (
        b"CAP REQ :echo-message\r\nNICK balice\r\nUSER balice 0 * :balice\r\nCAP END\r\n"
    )
    wire.data_received(b":bench.invalid CAP * ACK :echo-message\r\n:bench.invalid 0")
    assert not wire.registered.done()
    wire.data_received(b"01 balice :Welcome\r\n:bench.invalid 422 balice :MOTD is missing\r\n")
    await wire.registered
    assert wire.problems == []


async def test_a_refusal_before_the_welcome_fails_the_registration(transport: Transport) -> None:
    wire = connected(transport)

    wire.data_received(b":bench.invalid 433 * balice :Nickname is already in use.\r\n")

    with pytest.raises(WireClosed, match="433"):
        await wire.registered
    assert transport.aborted


async def test_a_send_is_answered_by_its_echo_timed_by_its_stamp(
    wire: IrcWire, transport: Transport
) -> None:
    text = Ledger("run1").stamp("alice", 0)
    sent_ns = int(text.split(" ")[4])

    stored = wire.say("lobby", text)
    assert transport.written == f"PRIVMSG #lobby :{text}\r\n".encode()
    echo = f":balice!balice@127.0.0.1 PRIVMSG #lobby :{text}\r\n".encode()
    wire.data_received(echo[:20])
    assert not stored.done()
    wire.data_received(echo[20:])

    posting = await stored
    assert (posting.conversation, posting.seq, posting.text) == ("#lobby", sent_ns, text)
    assert wire.messages == [posting]
    assert len(wire.arrivals) == 1


async def test_a_private_message_has_one_conversation_at_both_ends(transport: Transport) -> None:
    alice, bob = connected(transport, "balice"), connected(Transport(), "bbob")
    for end in (alice, bob):
        end.data_received(b":bench.invalid 001 x :Welcome\r\n")
    text = Ledger("run1").stamp("alice", 7)

    stored = alice.message_user("bob", text)
    line = f":balice!balice@127.0.0.1 PRIVMSG bbob :{text}\r\n".encode()
    alice.data_received(line)
    bob.data_received(line)

    assert (await stored).conversation == "dm:balice,bbob"
    assert [m.conversation for m in bob.messages] == ["dm:balice,bbob"]
    assert bob.messages[0].seq == alice.messages[0].seq is not None


async def test_someone_elses_message_is_kept_without_a_seq(wire: IrcWire) -> None:
    wire.data_received(b":bcarol!c@127.0.0.1 PRIVMSG #lobby hello\r\n")

    assert [(m.sender, m.text, m.seq) for m in wire.messages] == [("bcarol", "hello", None)]


async def test_pings_are_answered_and_a_sync_waits_for_its_pong(
    wire: IrcWire, transport: Transport
) -> None:
    wire.data_received(b"PING :bench.invalid\r\n")
    assert transport.written == b"PONG :bench.invalid\r\n"
    transport.written = b""

    synced = wire.sync()
    token = transport.written.decode().removeprefix("PING :").strip()
    wire.data_received(f":bench.invalid PONG bench.invalid :{token}\r\n".encode())

    await synced


async def test_a_join_waits_for_the_end_of_names(wire: IrcWire, transport: Transport) -> None:
    joined = wire.join("#lobby")
    assert transport.written == b"JOIN #lobby\r\n"

    wire.data_received(b":balice!balice@127.0.0.1 JOIN #lobby\r\n")
    assert not joined.done()
    wire.data_received(b":bench.invalid 366 balice #lobby :End of /NAMES list.\r\n")

    await joined


async def test_an_error_after_the_welcome_is_a_problem(wire: IrcWire) -> None:
    wire.data_received(b":bench.invalid 401 balice bnobody :No such nick/channel\r\n")

    assert wire.problems == ["the server refused: 401 bnobody No such nick/channel"]


async def test_a_lost_connection_fails_what_is_pending(wire: IrcWire) -> None:
    stored = wire.say("lobby", "hb run1 alice 0 1")
    synced = wire.sync()

    wire.connection_lost(None)

    for pending in (stored, synced):
        with pytest.raises(WireClosed):
            await pending
    assert wire.lost.done()


async def test_on_hubbub_it_signs_in_and_takes_conversation_and_seq_from_the_msgid(
    transport: Transport,
) -> None:
    wire = IrcWire("b3fa2c1-u00001", ("3fa2c1-u00001", "token=t0k"))
    wire.connection_made(transport)  # type: ignore[arg-type]
    assert transport.written == (
        b"CAP REQ :echo-message message-tags\r\nPASS 3fa2c1-u00001:token=t0k\r\n"
        b"NICK b3fa2c1-u00001\r\nUSER b3fa2c1-u00001 0 * :b3fa2c1-u00001\r\nCAP END\r\n"
    )
    wire.data_received(
        b":irc.test 001 3fa2c1-u00001 :Welcome\r\n"
        b":irc.test 366 3fa2c1-u00001 #Lobby :End of /NAMES list\r\n"
    )
    await wire.registered
    await wire.named("#Lobby")
    text = Ledger("3fa2c1").stamp("3fa2c1-u00001", 0)

    stored = wire.say("lobby", text)
    wire.data_received(
        f"@msgid=lobby/42 :3fa2c1-u00001!u@127.0.0.1 PRIVMSG #Lobby :{text}\r\n".encode()
    )

    posting = await stored
    assert (posting.conversation, posting.seq) == ("lobby", 42)
