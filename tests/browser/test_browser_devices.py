"""One person, several devices: a new one finds the DMs, the current chat and the requests."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from browser.people import People

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_new_device_finds_my_dms_my_chat_and_my_chat_requests(people: People) -> None:
    alice = await people.open("alice")
    bob = await people.open("bob")
    carol = await people.open("carol")

    # Bob writes to Alice privately; Alice and Bob are in a 1:1 chat; Carol asks Alice too.
    row = await bob.open_person("alice")
    await row.get_by_test_id("message-user").click()
    await bob.say("a private note")
    await expect(alice.conversation("bob").get_by_test_id("unread-badge")).to_have_text("1")
    row = await carol.open_person("alice")
    await row.get_by_test_id("start-chat").click()
    await expect(alice.by("chat-request-dialog")).to_be_visible()

    # A second device, signed in with the password, shows the same: the DM with its
    # unread count, and the request waiting for an answer.
    tablet = await people.open("alice")
    await expect(tablet.conversation("bob").get_by_test_id("unread-badge")).to_have_text("1")
    await expect(tablet.by("chat-request-text")).to_have_text("carol wants to chat with you.")

    # Alice accepts on the tablet: the laptop follows into the chat.
    await tablet.by("accept-chat").click()
    for device in (alice, tablet):
        await expect(device.by("chat-request-dialog")).to_be_hidden()
        await expect(device.by("conversation-title")).to_have_text("Chat with carol")
    await carol.say("hello both of you")

    # A third device opens straight into the chat that is going on.
    phone = await people.open("alice")
    await expect(phone.by("conversation-title")).to_have_text("Chat with carol")
    await expect(phone.by("end-chat")).to_be_visible()
    await expect(phone.texts).to_have_text(["hello both of you"])
    await phone.say("from my phone")
    await expect(carol.texts).to_have_text(["hello both of you", "from my phone"])
    await expect(alice.texts).to_have_text(["hello both of you", "from my phone"])
