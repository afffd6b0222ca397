"""A send lost in a drop is sent again after the resume, once stored; other requests are not.

No server: the Session's connections are scripted fakes that answer like the server would,
and drop when told to, after the request was carried out but before its answer.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from hubbub import protocol
from hubbub.client import Client, ConnectionLost, Reconnected, ReconnectPolicy, RequestFailed
from hubbub.client import session as session_module

FAST = ReconnectPolicy(first_delay=0.001, max_delay=0.001, max_attempts=5)


class FakeServer:
    """Stores sends once per ``client_id``; drops a connection after a request of ``drop_on``."""

    def __init__(self) -> None:
        self.connections: list[FakeConnection] = []
        self.requests: list[protocol.Request] = []
        self.stored: dict[str, protocol.Sent] = {}
        self.seqs = itertools.count(1)
        self.drop_on: list[type[protocol.Request]] = []
        self.drop_late = False
        self.refuse_resume = False

    async def connect(self, http: Any, url: str, **callbacks: Any) -> FakeConnection:
        conn = FakeConnection(self, callbacks["on_event"], callbacks["on_closed"])
        self.connections.append(conn)
        return conn

    def answer(self, request: protocol.Request) -> protocol.Ok:
        match request:
            case protocol.SignIn(token=token) if token is not None and self.refuse_resume:
                raise RequestFailed(protocol.ErrorCode.INVALID_TOKEN, "no such token")
            case protocol.SignIn():
                return protocol.SignedIn(
                    id=request.id, name=request.name, token="tok", status="online"
                )
            case protocol.Say() | protocol.MessageUser():
                return self._store(request)
            case protocol.Calc():
                return protocol.CalcResult(id=request.id, expression="1+1", result="2")
        return protocol.Ok(id=request.id)

    def _store(self, request: protocol.Say | protocol.MessageUser) -> protocol.Sent:
        key = request.client_id or f"anonymous-{request.id}"
        first = self.stored.get(key)
        if first is None:
            conversation = request.conversation if isinstance(request, protocol.Say) else "dm:1:2"
            first = protocol.Sent(id=0, conversation=conversation, seq=next(self.seqs), ts=1.0)
            self.stored[key] = first
            return protocol.Sent(
                id=request.id, conversation=first.conversation, seq=first.seq, ts=1.0
            )
        return protocol.Sent(
            id=request.id, conversation=first.conversation, seq=first.seq, ts=1.0, duplicate=True
        )

    def sends(self) -> list[str | None]:
        return [
            r.client_id for r in self.requests if isinstance(r, protocol.Say | protocol.MessageUser)
        ]


class FakeConnection:
    """What :class:`Session` uses of a connection: request, close, ``lost``, ``on_event``."""

    close_code: int | None = None

    def __init__(
        self,
        server: FakeServer,
        on_event: Callable[[Any], None],
        on_closed: Callable[[Any], None],
    ) -> None:
        self.server = server
        self.on_event = on_event
        self._on_closed = on_closed
        self.lost = False

    async def request(self, request: protocol.Request, reply: type[Any]) -> Any:
        if self.lost:
            raise ConnectionLost("the connection is closed")
        await asyncio.sleep(0)
        self.server.requests.append(request)
        answer = self.server.answer(request)
        if self.server.drop_on and isinstance(request, self.server.drop_on[0]):
            self.server.drop_on.pop(0)
            self.drop()
            raise ConnectionLost("the connection closed (code 1006)")
        return answer

    def drop(self) -> None:
        """Like a network loss: the reader notices now, or a moment after (``drop_late``)."""
        self.lost, self.close_code = True, 1006
        if self.server.drop_late:
            asyncio.get_running_loop().call_later(0.01, self._on_closed, self)
        else:
            self._on_closed(self)

    async def close(self) -> None:
        self.lost, self.close_code = True, 1000

    async def send_raw(self, data: str | bytes, *, binary: bool = False) -> None:
        pass


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    fake = FakeServer()
    monkeypatch.setattr(session_module, "connect", fake.connect)
    return fake


@pytest.fixture
async def alice(server: FakeServer) -> AsyncIterator[Client]:
    client = Client("http://hubbub.invalid", reconnect=FAST, heartbeat=None, request_timeout=2)
    await client.open()
    await client.sign_in("alice", "secret")
    yield client
    await client.close()


async def test_say_lost_in_a_drop_is_stored_once_and_answered_with_its_seq(
    server: FakeServer, alice: Client
) -> None:
    server.drop_on = [protocol.Say]
    sent = await alice.say("hello", client_id="c7f1-0042")
    assert (sent.seq, sent.duplicate) == (1, True)
    assert server.sends() == ["c7f1-0042", "c7f1-0042"]
    assert len(server.stored) == 1
    assert len(server.connections) == 2


async def test_say_makes_its_own_client_id_and_keeps_it_for_the_resend(
    server: FakeServer, alice: Client
) -> None:
    server.drop_on = [protocol.Say]
    await alice.say("hello")
    first, again = server.sends()
    assert first == again
    assert first is not None
    assert len(first) == 32
    await alice.say("another")
    assert server.sends()[2] != first


async def test_resend_gets_a_new_request_id(server: FakeServer, alice: Client) -> None:
    server.drop_on = [protocol.Say]
    await alice.say("hello")
    first, again = [r.id for r in server.requests if isinstance(r, protocol.Say)]
    assert first != again


async def test_direct_message_lost_in_a_drop_is_resent_too(
    server: FakeServer, alice: Client
) -> None:
    server.drop_on = [protocol.MessageUser]
    sent = await alice.message_user("bob", "psst", client_id="dm-1")
    assert sent.duplicate
    assert server.sends() == ["dm-1", "dm-1"]


async def test_resend_waits_for_a_drop_the_reader_notices_late(
    server: FakeServer, alice: Client
) -> None:
    server.drop_on, server.drop_late = [protocol.Say], True
    sent = await alice.say("hello", client_id="late")
    assert sent.duplicate
    assert len(server.connections) == 2


async def test_two_drops_in_a_row_are_both_survived(server: FakeServer, alice: Client) -> None:
    server.drop_on = [protocol.Say, protocol.Say]
    sent = await alice.say("hello", client_id="twice")
    assert (sent.seq, sent.duplicate) == (1, True)
    assert server.sends() == ["twice"] * 3


async def test_other_requests_lost_in_a_drop_fail_and_are_not_resent(
    server: FakeServer, alice: Client
) -> None:
    server.drop_on = [protocol.Calc]
    with pytest.raises(ConnectionLost):
        await alice.calc("1+1")
    await alice.wait_for(Reconnected)
    assert [type(r) for r in server.requests].count(protocol.Calc) == 1


async def test_say_fails_when_the_session_cannot_be_resumed(
    server: FakeServer, alice: Client
) -> None:
    server.drop_on, server.refuse_resume = [protocol.Say], True
    with pytest.raises(ConnectionLost):
        await alice.say("hello")
    assert len(server.sends()) == 1


async def test_resume_asks_for_every_entry_after_the_last_delivered(
    server: FakeServer, alice: Client
) -> None:
    conn = server.connections[0]
    conn.on_event(protocol.Message(conversation="lobby", seq=7, ts=1.0, sender="bob", text="a"))
    conn.on_event(
        protocol.MessageEdited(
            conversation="lobby", seq=8, ts=1.0, sender="bob", target=7, text="b"
        )
    )
    server.drop_on = [protocol.Say]
    await alice.say("hello")
    resume = [r for r in server.requests if isinstance(r, protocol.SignIn)][-1]
    assert resume.token == "tok"
    assert resume.since == {"lobby": 8}
