"""What users type is shown as typed, never run; sizes and refusals are handled visibly."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from browser.people import People

pytestmark = pytest.mark.asyncio(loop_scope="session")

MARKUP = [
    "<img src=x onerror=alert(1)>",
    "<script>alert('hi')</script>",
    '"><svg onload=alert(1)>',
    "<b>not bold</b> &amp; &lt;not an entity&gt;",
    "javascript:alert(document.cookie)",
]
EVIL_NAME = "<img src=x onerror=alert(2)>"


async def test_markup_in_messages_and_names_shows_literally(people: People) -> None:
    alice = await people.open("alice")
    mallory = await people.open(EVIL_NAME)
    await expect(alice.user_row(EVIL_NAME).get_by_test_id("user-name")).to_have_text(EVIL_NAME)
    await expect(alice.by("system-line").last).to_have_text(f"{EVIL_NAME} joined")

    for text in MARKUP:
        await mallory.say(text)
    await expect(alice.texts).to_have_text(MARKUP)
    await expect(alice.by("message-sender").first).to_have_text(EVIL_NAME)

    # A private message and a chat request from that name: still only text.
    await mallory.open_person("alice")
    await mallory.user_row("alice").get_by_test_id("message-user").click()
    await mallory.say(MARKUP[0])
    await expect(alice.conversation(EVIL_NAME)).to_be_visible()
    await mallory.open_conversation("Lobby")
    row = await mallory.open_person("alice")
    await row.get_by_test_id("start-chat").click()
    await expect(alice.by("chat-request-text")).to_have_text(f"{EVIL_NAME} wants to chat with you.")
    await alice.by("decline-chat").click()

    # Nothing became an element: no image, no injected script or svg, no dialog (see fixture).
    for page in (alice.page, mallory.page):
        await expect(page.locator("img")).to_have_count(0)
        await expect(page.locator("script")).to_have_count(2)
        await expect(page.locator("[onerror], [onload]")).to_have_count(0)
        await expect(page.locator(".msg-text b")).to_have_count(0)


async def test_a_4000_character_message_wraps_and_4001_is_refused(people: People) -> None:
    alice = await people.open("alice")
    bob = await people.open("bob")

    longest = "w" * 3992 + " the end"
    assert len(longest) == 4000
    await alice.type(longest)
    for person in (alice, bob):
        message = person.by("message-text")
        await expect(message).to_have_text([longest])
        # Alice's line is first drawn as pending and redrawn once the server acknowledges
        # it; measure the acknowledged one, not an element that is being replaced.
        await expect(person.by("pending-message")).to_have_count(0)
        await expect(person.by("message")).to_have_count(1)
        box = await message.bounding_box()
        pane = await person.by("message-scroller").bounding_box()
        assert box is not None
        assert pane is not None
        assert box["x"] + box["width"] <= pane["x"] + pane["width"]
        assert box["height"] > 200, "the unbroken word wraps onto many lines"
        sideways = await person.by("message-scroller").evaluate(
            "pane => pane.scrollWidth - pane.clientWidth"
        )
        assert sideways == 0
        assert await person.page.evaluate("document.documentElement.scrollWidth") <= 1280

    too_long = "x" * 4001
    await alice.type(too_long)
    error = alice.by("composer-error")
    await expect(error).to_have_text(
        "Not sent: a message is at most 4000 characters; this one has 4001."
    )
    await expect(alice.by("composer-input")).to_have_value(too_long)
    await alice.by("composer-input").fill("shorter now")
    await expect(error).to_be_hidden()
    await alice.by("composer-input").press("Enter")
    await expect(bob.texts).to_have_text([longest, "shorter now"])


async def test_sign_in_refusals_are_shown_in_the_form(people: People) -> None:
    alice = await people.open("alice")
    other = await people.open("alice", sign_in=False)
    error = other.by("signin-error")

    await other.sign_in("alice", "not her password")
    await expect(error).to_have_text(
        "Could not sign in: alice is signed in elsewhere; choose another name."
    )
    await other.sign_in(" alice", "whatever")
    await expect(error).to_have_text("Could not sign in: a name cannot start or end with a space.")

    await alice.by("signout").click()
    await expect(alice.by("signin-form")).to_be_visible()
    await other.sign_in("alice", "not her password")
    await expect(error).to_contain_text("Could not sign in: wrong password for alice.")
    # The field at fault is the password, and it says so; the name is fine.
    await expect(other.by("signin-password")).to_have_attribute("aria-invalid", "true")
    await expect(other.by("signin-password")).to_be_focused()
    await expect(other.by("signin-name")).not_to_have_attribute("aria-invalid", "true")

    # Shift+Enter makes a new line; Enter sends both lines as one message.
    await other.sign_in("alice", "pw-alice")
    await other.signed_in()
    box = other.by("composer-input")
    await box.fill("first line")
    await box.press("Shift+Enter")
    await box.press_sequentially("second line")
    await expect(box).to_have_value("first line\nsecond line")
    await box.press("Enter")
    await expect(other.texts).to_have_text(["first line\nsecond line"])
