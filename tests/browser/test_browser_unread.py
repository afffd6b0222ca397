"""Unread and mention badges, kept in step across one person's devices, and "new messages"."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from browser.people import People, Person

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def lobby_badges(person: Person, unread: str, mentions: str | None) -> None:
    lobby = person.conversation("Lobby")
    await expect(lobby.get_by_test_id("unread-badge")).to_have_text(unread)
    if mentions is None:
        await expect(lobby.get_by_test_id("mention-badge")).to_have_count(0)
    else:
        await expect(lobby.get_by_test_id("mention-badge")).to_have_text(mentions)


async def test_unread_and_mentions_count_live_and_clear_when_read_on_another_device(
    people: People,
) -> None:
    # Carol has a laptop and a phone, both looking at a room of her own, not the Lobby.
    laptop = await people.open("carol")
    await laptop.create_room("quiet")
    phone = await people.open("carol")
    await phone.open_room("quiet")
    dave = await people.open("dave")

    await dave.say("morning all")
    await dave.say("@carol can you look at the build?")
    await dave.say("no rush")
    for device in (laptop, phone):
        await lobby_badges(device, "3", "@1")
    # The menu button tells of unread messages too, and the counts are in its name.
    await expect(laptop.page).to_have_title("(3) # quiet · hubbub")

    # A reload asks the server for the counts: they are the same.
    await laptop.page.reload()
    await laptop.signed_in()
    await expect(laptop.by("conversation-title")).to_have_text("# quiet")
    await lobby_badges(laptop, "3", "@1")

    # Reading on the phone clears the laptop's badges.
    await phone.open_room("Lobby")
    await expect(phone.conversation("Lobby").get_by_test_id("unread-badge")).to_have_count(0)
    await expect(laptop.conversation("Lobby").get_by_test_id("unread-badge")).to_have_count(0)
    await expect(laptop.conversation("Lobby").get_by_test_id("mention-badge")).to_have_count(0)

    # The mention is marked where it is read.
    mention = phone.message("@carol can you look at the build?")
    await expect(mention).to_contain_class("msg-mention")
    await expect(mention.locator("mark")).to_have_text("@carol")


async def test_new_messages_divider_sits_at_my_read_marker(people: People) -> None:
    erin = await people.open("erin")
    frank = await people.open("frank")
    await frank.say("read before")
    await expect(erin.message("read before")).to_be_visible()
    await expect(erin.by("new-divider")).to_have_count(0)

    await erin.create_room("elsewhere")
    await frank.say("first new one")
    await frank.say("second new one")
    await lobby_badges(erin, "2", None)

    await erin.open_room("Lobby")
    divider = erin.by("new-divider")
    await expect(divider).to_have_text("New messages")
    after = await divider.evaluate(
        "d => [d.previousElementSibling, d.nextElementSibling].map(e => e.textContent)"
    )
    assert "read before" in after[0]
    assert "first new one" in after[1]
    await expect(erin.conversation("Lobby").get_by_test_id("unread-badge")).to_have_count(0)

    # Messages that come while reading are simply read: no second divider.
    await frank.say("while you watch")
    await expect(erin.message("while you watch")).to_be_visible()
    await expect(divider).to_have_count(1)
    # Coming back later, everything was read: no divider.
    await erin.open_room("elsewhere")
    await erin.open_room("Lobby")
    await expect(erin.by("new-divider")).to_have_count(0)
