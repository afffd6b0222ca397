"""Rooms in the browser: create (public and private), the directory, invite, topic, leave."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from browser.people import People

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_rooms_are_created_joined_from_the_directory_and_left(people: People) -> None:
    alice = await people.open("alice")
    bob = await people.open("bob")

    # Alice creates a public room with a topic: it is hers, in her sidebar, and open.
    await alice.create_room("design", "pixels and type")
    await expect(alice.by("conversation-subtitle")).to_have_text("pixels and type")
    await expect(alice.conversation("design")).to_have_attribute("aria-current", "page")
    await expect(alice.by("history-status")).to_have_text("This is the start of # design.")
    await alice.say("welcome to design")

    # Bob finds it in the directory and joins; both see each other there.
    await bob.by("browse-rooms").click()
    directory = bob.by("directory-dialog")
    await expect(directory).to_be_visible()
    entry = bob.by("directory-room").filter(has_text="# design")
    await expect(entry).to_contain_text("pixels and type")
    await expect(entry).to_contain_text("1 member")
    await expect(bob.by("directory-room").filter(has_text="# Lobby")).to_contain_text("Open")
    await entry.get_by_role("button", name="Join # design").click()
    await expect(directory).to_be_hidden()
    await expect(bob.by("conversation-title")).to_have_text("# design")
    await expect(bob.texts).to_have_text(["welcome to design"])
    await expect(alice.by("system-line").last).to_have_text("bob joined")
    await bob.say("glad to be here")
    await expect(alice.texts).to_have_text(["welcome to design", "glad to be here"])

    # The members panel lists both, the owner marked.
    await alice.by("members-toggle").click()
    panel = alice.by("members-panel")
    await expect(panel).to_be_visible()
    await expect(alice.by("members-summary")).to_have_text("2 members · 2 online")
    owner = alice.by("member-row").filter(has_text="alice")
    await expect(owner.get_by_test_id("member-role")).to_have_text("owner")
    await expect(alice.by("member-row").filter(has_text="bob")).to_contain_text("online")

    # Bob leaves: the room goes from his sidebar, Alice sees him go.
    await bob.by("members-toggle").click()
    await bob.by("leave-room").click()
    await expect(bob.conversation("design")).to_have_count(0)
    await expect(bob.by("conversation-title")).to_have_text("# Lobby")
    await expect(alice.by("system-line").last).to_have_text("bob left")
    await expect(alice.by("members-summary")).to_have_text("1 member · 1 online")
    # Messages to the room no longer reach him; the Lobby still does.
    await alice.say("just me now")
    await alice.open_room("Lobby")
    await alice.say("back in the lobby")
    await expect(bob.texts).to_have_text(["back in the lobby"])


async def test_a_private_room_is_hidden_until_a_member_invites_you_and_its_topic_is_shared(
    people: People,
) -> None:
    alice = await people.open("alice")
    bob = await people.open("bob")
    await alice.create_room("secret", private=True)
    await expect(alice.by("conversation-subtitle")).to_have_text("A private room.")
    await alice.say("only the invited")

    # Not in Bob's directory.
    await bob.by("browse-rooms").click()
    await expect(bob.by("directory-room").filter(has_text="# Lobby")).to_be_visible()
    await expect(bob.by("directory-room").filter(has_text="# secret")).to_have_count(0)
    await bob.by("directory-close").click()
    await expect(bob.by("directory-dialog")).to_be_hidden()

    # Inviting someone who does not exist is refused in the dialog.
    await alice.by("invite-open").click()
    await alice.by("invite-name").fill("nobody-here")
    await alice.by("invite-submit").click()
    await expect(alice.by("invite-error")).to_contain_text("Could not invite")
    await expect(alice.by("invite-name")).to_have_attribute("aria-invalid", "true")
    # Alice invites Bob: the room appears in his sidebar and he can read and write.
    await alice.by("invite-name").fill("bob")
    await alice.by("invite-submit").click()
    await expect(alice.by("invite-dialog")).to_be_hidden()
    await expect(bob.conversation("secret")).to_be_visible()
    await expect(bob.by("toast").last).to_contain_text("alice added you to # secret")
    await bob.open_room("secret")
    await expect(bob.texts).to_have_text(["only the invited"])
    await bob.say("thanks for the invite")
    await expect(alice.message("thanks for the invite")).to_be_visible()

    # Any member may change the topic: Bob does, by keyboard, and Alice sees it.
    await bob.by("edit-topic").focus()
    await bob.page.keyboard.press("Enter")
    await expect(bob.by("topic-dialog")).to_be_visible()
    await expect(bob.by("topic-input")).to_be_focused()
    await bob.page.keyboard.type("deploys on Tuesdays")
    await bob.page.keyboard.press("Enter")
    await expect(bob.by("topic-dialog")).to_be_hidden()
    await expect(bob.by("edit-topic")).to_be_focused()
    for person in (alice, bob):
        await expect(person.by("conversation-subtitle")).to_have_text("deploys on Tuesdays")
        await expect(person.by("topic-line").last).to_have_text(
            "bob set the topic: deploys on Tuesdays"
        )
