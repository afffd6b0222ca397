"""A bare protocol client (JSON frames over aiohttp's WebSocket) for setting the scene fast.

The browser tests use it where typing into a page would only be slow (a hundred messages),
and it depends on nothing but docs/protocol.md.
"""

from __future__ import annotations

import itertools
from types import TracebackType
from typing import Any

import aiohttp


class Refused(Exception):
    def __init__(self, frame: dict[str, Any]) -> None:
        super().__init__(f"{frame.get('code')}: {frame.get('message')}")
        self.code = frame.get("code")


class Wire:
    """``async with Wire(url, "bob") as bob: await bob.say("hi")``: signed in with pw-bob
    (or with ``token``)."""

    def __init__(self, url: str, name: str, *, token: str | None = None) -> None:
        self.url = url.replace("http", "ws", 1) + "/ws"
        self.name = name
        self.token = token
        self.ids = itertools.count(1)
        self.session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.events: list[dict[str, Any]] = []

    async def __aenter__(self) -> Wire:
        self.session = aiohttp.ClientSession()
        self.ws = await self.session.ws_connect(self.url)
        try:
            if self.token:
                await self.request("sign_in", name=self.name, token=self.token)
            else:
                await self.request("sign_in", name=self.name, password=f"pw-{self.name}")
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.session is not None:
            await self.session.close()

    async def request(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Send one request and read frames (skipping events) until its answer."""
        assert self.ws is not None
        request_id = next(self.ids)
        await self.ws.send_json({"type": kind, "id": request_id, **fields})
        while True:
            frame: dict[str, Any] = await self.ws.receive_json(timeout=10)
            if frame.get("type") not in ("ok", "error"):
                self.events.append(frame)
                continue
            if frame.get("id") != request_id:
                continue
            if frame["type"] == "error":
                raise Refused(frame)
            return frame

    async def wait_for(self, kind: str, **fields: Any) -> dict[str, Any]:
        """The first event (seen or to come) of type ``kind`` whose fields have these values."""
        assert self.ws is not None

        def matches(frame: dict[str, Any]) -> bool:
            return frame.get("type") == kind and all(frame.get(k) == v for k, v in fields.items())

        for index, frame in enumerate(self.events):
            if matches(frame):
                return self.events.pop(index)
        while True:
            frame = await self.ws.receive_json(timeout=10)
            if matches(frame):
                return frame
            self.events.append(frame)

    async def say(self, text: str, conversation: str = "lobby") -> dict[str, Any]:
        return await self.request("say", text=text, conversation=conversation)
