"""What the outage tests share: a client with no reconnect, and sending until the server
takes a message again once what it depends on is back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from conftest import ServerProcess
from hubbub.client import Client, ClientEvent, RequestFailed
from hubbub.protocol import ErrorCode, Message, Sent

BACK_WITHIN = 60.0
"""Generous: how long a server may take to write again once PostgreSQL is back."""


def said(text: str) -> Callable[[ClientEvent], bool]:
    return lambda event: isinstance(event, Message) and event.text == text


async def connected(server: ServerProcess) -> Client:
    client = Client.connect(server.url, reconnect=False)
    await client.open()
    return client


async def say_once_back(client: Client, text: str, room: str) -> Sent:
    """Send until the server takes it: ``unavailable`` means wait ``retry_after`` and resend."""
    deadline = time.monotonic() + BACK_WITHIN
    while True:
        try:
            return await client.say(text, room, client_id=text)
        except RequestFailed as failure:
            if failure.code != ErrorCode.UNAVAILABLE or time.monotonic() > deadline:
                raise
            await asyncio.sleep(failure.retry_after or 1.0)
