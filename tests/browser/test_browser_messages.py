"""Messages after they are sent: typing, editing, deleting, and finding them again."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from browser.people import People
from browser.wire import Wire
from conftest import ServerProcess

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_typing_edits_and_deletes_show_live_to_everyone(people: People) -> None:
    alice = await people.open("alice")
    bob = await people.open("bob")

    # Bob sees Alice typing, until her message comes.
    typing = bob.by("typing-indicator")
    await expect(typing).to_have_text("")
    await alice.by("composer-input").press_sequentially("helo wor")
    await expect(typing).to_have_text("alice is typing…")
    await expect(alice.by("typing-indicator")).to_have_text("")
    await alice.by("composer-input").press_sequentially("ld")
    await alice.by("composer-input").press("Enter")
    await expect(bob.message("helo world")).to_be_visible()
    await expect(typing).to_have_text("")

    await alice.say("a second thought")
    await expect(bob.texts).to_have_text(["helo world", "a second thought"])
    # Only my own messages can be changed.
    await expect(
        bob.message("helo world").get_by_role("button", name="Edit message")
    ).to_have_count(0)

    # Alice edits by keyboard: the editor opens on Edit, Enter saves.
    first = alice.message("helo world")
    await first.hover()
    await first.get_by_role("button", name="Edit message").click()
    editor = alice.by("edit-input")
    await expect(editor).to_be_focused()
    await editor.fill("hello world")
    await editor.press("Enter")
    await expect(alice.by("edit-form")).to_have_count(0)
    await expect(
        alice.message("hello world").get_by_role("button", name="Edit message")
    ).to_be_focused()
    for person in (alice, bob):
        await expect(person.texts).to_have_text(["hello world", "a second thought"])
        await expect(person.message("hello world").get_by_test_id("message-edited")).to_have_text(
            " (edited)"
        )

    # Escape leaves a message as it was.
    await alice.message("a second thought").get_by_role("button", name="Edit message").click()
    await alice.by("edit-input").fill("never mind")
    await alice.by("edit-input").press("Escape")
    await expect(alice.texts).to_have_text(["hello world", "a second thought"])

    # Delete asks first, then everyone sees the tombstone.
    await alice.message("a second thought").get_by_role("button", name="Delete message").click()
    dialog = alice.by("delete-dialog")
    await expect(dialog).to_be_visible()
    await expect(alice.by("delete-quote")).to_have_text("a second thought")
    await alice.by("delete-confirm").click()
    await expect(dialog).to_be_hidden()
    for person in (alice, bob):
        await expect(person.texts).to_have_text(["hello world"])
        await expect(person.by("message-deleted")).to_have_text("message deleted")
    assert await alice.focused_control() is not None

    # A page opened later reads history as it is now.
    later = await people.open("carol")
    await expect(later.texts).to_have_text(["hello world"])
    await expect(later.by("message-edited")).to_have_count(1)
    await expect(later.by("message-deleted")).to_have_text("message deleted")


async def test_a_search_result_opens_its_conversation_at_the_message(
    people: People, hubbub: ServerProcess
) -> None:
    async with Wire(hubbub.url, "bob") as bob:
        await bob.say("the release notes are in the wiki")
        for n in range(1, 81):
            await bob.say(f"filler {n:02}")
    alice = await people.open("alice")
    await expect(alice.texts.last).to_have_text("filler 80")
    await expect(alice.message("the release notes are in the wiki")).to_have_count(0)
    await alice.create_room("elsewhere")

    await alice.by("search-toggle").click()
    await expect(alice.by("search-input")).to_be_focused()
    await alice.by("search-input").fill("release NOTES")
    await alice.by("search-input").press("Enter")
    result = alice.by("search-result")
    await expect(result).to_have_count(1)
    await expect(result).to_contain_text("bob in # Lobby")
    await expect(result.locator("mark")).to_have_text(["release", "notes"])
    await expect(alice.by("search-status")).to_have_text(
        "1 result for “release NOTES”, newest first."
    )

    await result.click()
    await expect(alice.by("conversation-title")).to_have_text("# Lobby")
    found = alice.message("the release notes are in the wiki")
    await expect(found).to_be_in_viewport()
    await expect(found).to_contain_class("msg-highlight")
    await expect(found).to_be_focused()
    await expect(alice.message("filler 80")).not_to_be_in_viewport()

    await alice.by("search-input").fill("nothing like this")
    await alice.by("search-submit").click()
    await expect(alice.by("search-status")).to_have_text("Nothing found for “nothing like this”.")
    await expect(alice.by("search-result")).to_have_count(0)
