"""A browser user and a Python-library user talk: lobby, direct messages and a 1:1 chat."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from browser.people import People, password_of
from conftest import ServerProcess
from hubbub.client import Client
from hubbub.protocol import ChatEnded, ChatRequested, ChatStarted, Message

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_browser_and_library_users_chat_everywhere(
    people: People, hubbub: ServerProcess
) -> None:
    alice = await people.open("alice")
    async with Client.connect(hubbub.url) as bob:
        await bob.sign_in("bob", password_of("bob"))
        await expect(alice.user_row("bob").get_by_test_id("user-status")).to_have_text("online")
        await expect(alice.by("system-line").last).to_have_text("bob joined")

        # The lobby, both ways.
        await alice.say("hi bob")
        heard = await bob.wait_for(Message, lambda m: m.text == "hi bob")
        assert (heard.sender, heard.conversation) == ("alice", "lobby")
        await bob.say("hi alice, from Python")
        await expect(alice.texts).to_have_text(["hi bob", "hi alice, from Python"])

        # A direct message from the library shows as its own conversation, unread.
        sent = await bob.message_user("alice", "psst")
        dm = alice.conversation("bob")
        await expect(dm.get_by_test_id("unread-badge")).to_have_text("1")
        await alice.open_conversation("bob")
        await expect(alice.texts).to_have_text(["psst"])
        await alice.say("got it")
        reply = await bob.wait_for(Message, lambda m: m.text == "got it")
        assert (reply.conversation, reply.sender, reply.to) == (sent.conversation, "alice", "bob")

        # The library asks for a 1:1 chat; the browser user accepts.
        await bob.request_chat("alice")
        await expect(alice.by("chat-request-text")).to_have_text("bob wants to chat with you.")
        await alice.by("accept-chat").click()
        started = await bob.wait_for(ChatStarted)
        assert started.partner == "alice"
        await expect(alice.by("conversation-title")).to_have_text("Chat with bob")
        await bob.say("just between us", conversation=started.conversation)
        await expect(alice.message("just between us")).to_be_visible()
        await alice.say("indeed")
        private = await bob.wait_for(Message, lambda m: m.text == "indeed")
        assert private.conversation == started.conversation

        # The browser user ends it; the library is told who did.
        await alice.by("end-chat").click()
        ended = await bob.wait_for(ChatEnded)
        assert (ended.by, ended.reason) == ("alice", "ended")
        await expect(alice.by("chat-ended-line")).to_have_text("You ended the chat.")

        # The browser asks, the library declines.
        row = await alice.open_person("bob")
        await row.get_by_test_id("start-chat").click()
        request = await bob.wait_for(ChatRequested)
        assert request.requester == "alice"
        await bob.answer_chat("alice", accept=False)
        await expect(alice.by("chat-status")).to_have_text("bob declined your chat request.")

    # The library user closed its connection: the browser sees them leave.
    await alice.open_conversation("Lobby")
    await expect(alice.by("system-line").last).to_have_text("bob left")
    await expect(alice.by("alone-notice")).to_be_visible()
