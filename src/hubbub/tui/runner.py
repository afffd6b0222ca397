"""Carrying out what the user typed: a line of text or a slash command, against the server.

Answers meant only for the user (a calculation, the users list, search results, refusals)
become notices in the conversation shown, through the :class:`View`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from hubbub.client import Client, ClientState, ConnectionLost, RequestFailed
from hubbub.client.pane import clock
from hubbub.tui.commands import Command, Text, Unknown, help_lines, parse


class View(Protocol):
    """What the runner needs from the app."""

    def note(self, text: str) -> None:
        """Show ``text`` to this user only, in the conversation shown."""

    async def open(self, conversation: str) -> None:
        """Show ``conversation``."""

    def exit(self) -> None:
        """Leave the app."""


class Runner:
    """Runs submitted lines one at a time, in the order they were typed."""

    def __init__(
        self, client: Client, state: ClientState, view: View, now: Callable[[], float]
    ) -> None:
        self.client, self.state, self.view, self.now = client, state, view, now
        self._commands: dict[str, Callable[[Command], Awaitable[None]]] = {
            "msg": self._msg, "calc": self._calc, "users": self._users, "chat": self._chat,
            "accept": self._accept, "decline": self._decline, "end": self._end,
            "away": self._away, "back": self._back, "join": self._join, "leave": self._leave,
            "create": self._create, "topic": self._topic, "invite": self._invite,
            "rooms": self._rooms, "search": self._search, "help": self._help, "quit": self._quit,
        }  # fmt: skip

    async def run(self, line: str) -> None:
        parsed = parse(line)
        try:
            match parsed:
                case Text(text):
                    await self._send(text)
                case Unknown(name):
                    self.view.note(f"There is no /{name}; /help lists the commands")
                case Command(name):
                    await self._commands[name](parsed)
        except RequestFailed as failure:
            self.view.note(failure.message)
        except (ConnectionLost, TimeoutError):
            self.view.note("Not done: no connection to the server")

    async def answer(self, requester: str, accept: bool) -> None:
        """Accept or decline ``requester``'s chat request (from the dialog or a command)."""
        try:
            conversation = await self.client.answer_chat(requester, accept=accept)
        except RequestFailed as failure:
            self.view.note(failure.message)
            return
        finally:
            self.state.chat_answered(requester)
        if conversation is None:
            self.view.note(f"You declined {requester}'s chat request")
        else:
            await self.view.open(conversation)

    # ------------------------------------------------------------------ talking

    async def _send(self, text: str) -> None:
        shown = self.state.current
        conversation = None if shown is None else self.state.conversation(shown)
        if conversation is None:
            self.view.note("No conversation is shown: /join a room or /msg someone")
        elif conversation.kind == "chat" and conversation.archived:
            self.view.note(f"The chat with {conversation.name} is over; /chat to ask again")
        else:
            await self.client.say(text, conversation.id)

    async def _msg(self, command: Command) -> None:
        name, text = command.split()
        if not name:
            self.view.note("Usage: /msg NAME TEXT")
        elif text:
            sent = await self.client.message_user(name, text)
            if self.state.current != sent.conversation:
                self.view.note(f"→ {name} (private): {text}")
        elif (found := self._dm_with(name)) is not None:
            await self.view.open(found)
        else:
            self.view.note(f"No messages with {name} yet: /msg {name} TEXT")

    async def _calc(self, command: Command) -> None:
        if not command.args:
            self.view.note("Usage: /calc EXPR, e.g. /calc 2*(3+4)")
            return
        try:
            result = await self.client.calc(command.args)
        except RequestFailed as failure:
            self.view.note(f"{command.args}: {failure.message}")
        else:
            self.view.note(f"{command.args} = {result}")

    async def _users(self, _: Command) -> None:
        users = await self.client.users()
        me = self.state.me.name if self.state.me else ""
        shown = [f"{u.name}{' (you)' if u.name == me else ''} {u.status}" for u in users]
        self.view.note(f"Online ({len(users)}): " + ", ".join(shown))

    # ------------------------------------------------------------------ 1:1 chats

    async def _chat(self, command: Command) -> None:
        if not command.args:
            self.view.note("Usage: /chat NAME")
            return
        await self.client.request_chat(command.args)
        self.state.chat_request_sent(command.args, self.now())
        self.view.note(f"You asked {command.args} for a chat; waiting for an answer…")

    async def _accept(self, command: Command) -> None:
        await self.answer(command.args, accept=True)

    async def _decline(self, command: Command) -> None:
        await self.answer(command.args, accept=False)

    async def _end(self, _: Command) -> None:
        if self.state.chat is None:
            self.view.note("You are not in a 1:1 chat")
        else:
            await self.client.end_chat()

    async def _away(self, _: Command) -> None:
        await self.client.set_status("away")
        self.view.note("You show as away; /back to be online")

    async def _back(self, _: Command) -> None:
        await self.client.set_status("online")
        self.view.note("You show as online")

    # ------------------------------------------------------------------ rooms

    async def _join(self, command: Command) -> None:
        if not command.args:
            self.view.note("Usage: /join ROOM")
            return
        room = await self.client.join_room(command.args)
        await self.view.open(room.id)

    async def _leave(self, command: Command) -> None:
        room = command.args or self._room_shown()
        if room is not None:
            await self.client.leave_room(room)

    async def _create(self, command: Command) -> None:
        private = command.args.startswith("--private ")
        name = command.args.removeprefix("--private ").strip()
        if not name:
            self.view.note("Usage: /create [--private] ROOM")
            return
        room = await self.client.create_room(name, private=private)
        await self.view.open(room.id)

    async def _topic(self, command: Command) -> None:
        if (room := self._room_shown()) is not None:
            await self.client.set_topic(room, command.args)

    async def _invite(self, command: Command) -> None:
        if not command.args:
            self.view.note("Usage: /invite NAME")
        elif (room := self._room_shown()) is not None:
            await self.client.invite(room, command.args)
            self.view.note(f"{command.args} is in this room now")

    async def _rooms(self, _: Command) -> None:
        rooms = await self.client.rooms()
        self.view.note(f"Rooms ({len(rooms)}; /join ROOM):" if rooms else "No rooms yet")
        for room in rooms:
            flags = ["joined"] if room.joined else []
            flags += ["private"] if room.private else []
            topic = f" — {room.topic}" if room.topic else ""
            extra = f", {', '.join(flags)}" if flags else ""
            self.view.note(f"  # {room.name}{topic} ({room.members} members{extra})")

    async def _search(self, command: Command) -> None:
        if not command.args:
            self.view.note("Usage: /search TEXT")
            return
        found = await self.client.search(command.args)
        count = f"{len(found.results)}{'+' if found.next_offset is not None else ''}"
        self.view.note(f"Search “{command.args}”: {count} found")
        for hit in found.results:
            where = self.state.conversation(hit.conversation)
            name = hit.conversation if where is None else where.name
            self.view.note(f"  [{name}] {clock(hit.ts)} {hit.sender}: {hit.snippet}")

    async def _help(self, _: Command) -> None:
        for line in help_lines():
            self.view.note(line)

    async def _quit(self, _: Command) -> None:
        self.view.exit()

    # ------------------------------------------------------------------ helpers

    def _room_shown(self) -> str | None:
        shown = self.state.current
        conversation = None if shown is None else self.state.conversation(shown)
        if conversation is None or conversation.kind != "room":
            self.view.note("Show a room first (this works on the room shown)")
            return None
        return conversation.id

    def _dm_with(self, name: str) -> str | None:
        for conversation in self.state.conversations:
            if conversation.kind == "dm" and conversation.name.casefold() == name.casefold():
                return conversation.id
        return None
