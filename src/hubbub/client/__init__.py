"""The async Python client of hubbub, on which bots, tests and the other Python clients build.

Example::

    async with Client.connect("http://127.0.0.1:8765") as client:
        await client.sign_in("alice", "secret")
        await client.say("hello")
        echo = await client.wait_for(protocol.Message, lambda m: m.text == "hello")

Requests are methods returning the server's reply; events (``hubbub.protocol`` events plus
:class:`Disconnected` and :class:`Reconnected`) come from :meth:`Client.events` or
:meth:`Client.wait_for`. :class:`ClientState` turns replies and events into what a view
shows (conversations, unread, members, typing, the 1:1 chat); see :mod:`hubbub.client.state`.
"""

from hubbub.client.client import Client
from hubbub.client.errors import ConnectionLost, RequestFailed
from hubbub.client.events import ClientEvent, ConnectionChange, Disconnected, Reconnected
from hubbub.client.reconnect import ReconnectPolicy
from hubbub.client.state import ClientState

__all__ = [
    "Client",
    "ClientEvent",
    "ClientState",
    "ConnectionChange",
    "ConnectionLost",
    "Disconnected",
    "ReconnectPolicy",
    "Reconnected",
    "RequestFailed",
]
