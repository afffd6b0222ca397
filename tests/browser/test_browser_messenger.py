"""The messenger's tutorial in the browser: alone, the online list, a chat request, busy, end."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from browser.people import People

pytestmark = pytest.mark.asyncio(loop_scope="session")

ALONE = "No one else is online yet — waiting for someone to join…"


async def test_messenger_tutorial_in_three_browsers(people: People) -> None:
    # Jesse opens the page: a sign-in form. Registering with a name signs in.
    jesse = await people.open("jesse", sign_in=False)
    await expect(jesse.by("signin-form")).to_be_visible()
    await jesse.screenshot("sign-in")
    await jesse.sign_in()
    await jesse.signed_in()

    # Nobody else is online: Jesse is told so.
    await expect(jesse.by("alone-notice")).to_have_text(ALONE)

    # John registers; each sees the other in the online list, and the notice goes away.
    john = await people.open("john")
    await expect(jesse.user_row("john").get_by_test_id("user-status")).to_have_text("online")
    await expect(john.user_row("jesse").get_by_test_id("user-status")).to_have_text("online")
    await expect(jesse.by("alone-notice")).to_be_hidden()
    await expect(john.by("alone-notice")).to_be_hidden()

    # Jesse clicks John and starts a chat: John gets a request naming Jesse.
    row = await jesse.open_person("john")
    await row.get_by_test_id("start-chat").click()
    await expect(jesse.by("chat-status")).to_contain_text("Waiting for john")
    dialog = john.by("chat-request-dialog")
    await expect(dialog).to_be_visible()
    await expect(john.by("chat-request-text")).to_have_text("jesse wants to chat with you.")
    await john.screenshot("chat-request-dialog")

    # John accepts: both are in the chat, and both show as busy.
    await john.by("accept-chat").click()
    await expect(dialog).to_be_hidden()
    for person, partner in ((jesse, "john"), (john, "jesse")):
        await expect(person.by("conversation-title")).to_have_text(f"Chat with {partner}")
        await expect(person.by("end-chat")).to_be_visible()
        await expect(person.by("me-status")).to_contain_text("busy")
        await expect(person.user_row(partner).get_by_test_id("user-status")).to_have_text("busy")
    await expect(jesse.by("chat-status")).to_be_hidden()

    # A third user sees both busy and cannot ask either of them for a chat.
    mary = await people.open("mary")
    for busy in ("jesse", "john"):
        await expect(mary.user_row(busy).get_by_test_id("user-status")).to_have_text("busy")
        row = await mary.open_person(busy)
        await expect(row.get_by_test_id("start-chat")).to_be_disabled()
        await expect(row.get_by_test_id("user-note")).to_have_text(f"{busy} is busy in a 1:1 chat.")

    # They chat; only the two of them see it.
    await john.say("Hello Jesse")
    await expect(jesse.message("Hello Jesse")).to_be_visible()
    await jesse.say("Yeah John")
    await john.say("What's up")
    await expect(jesse.texts).to_have_text(["Hello Jesse", "Yeah John", "What's up"])
    await expect(john.texts).to_have_text(["Hello Jesse", "Yeah John", "What's up"])
    await expect(jesse.conversation("Chat with john")).to_contain_text("live")
    await jesse.screenshot("one-to-one-chat")
    await expect(mary.by("conversation-item")).to_have_count(1)
    await expect(mary.by("message")).to_have_count(0)

    # John presses End chat: Jesse is told who ended it, and both are free again.
    await john.by("end-chat").click()
    await expect(jesse.by("chat-ended-line")).to_have_text("john ended the chat.")
    await expect(john.by("chat-ended-line")).to_have_text("You ended the chat.")
    for person in (jesse, john):
        await expect(person.by("end-chat")).to_be_hidden()
        await expect(person.by("composer-input")).to_be_disabled()
    for free in ("jesse", "john"):
        await expect(mary.user_row(free).get_by_test_id("user-status")).to_have_text("online")
        row = await mary.open_person(free)
        await expect(row.get_by_test_id("start-chat")).to_be_enabled()


async def test_a_declined_request_is_reported_to_the_requester(people: People) -> None:
    alice = await people.open("alice")
    bob = await people.open("bob")
    row = await alice.open_person("bob")
    await row.get_by_test_id("start-chat").click()
    await expect(alice.by("chat-status")).to_contain_text("Waiting for bob")
    await expect(row.get_by_test_id("start-chat")).to_be_disabled()

    await bob.by("decline-chat").click()
    await expect(bob.by("chat-request-dialog")).to_be_hidden()
    await expect(alice.by("chat-status")).to_have_text("bob declined your chat request.")
    await expect(alice.user_row("bob").get_by_test_id("user-status")).to_have_text("online")
    await alice.by("chat-status-dismiss").click()
    await expect(alice.by("chat-status")).to_be_hidden()
    await expect(bob.by("conversation-title")).to_have_text("# Lobby")


async def test_closing_the_tab_ends_the_chat_and_the_other_side_sees_who(people: People) -> None:
    alice = await people.open("alice")
    bob = await people.open("bob")
    row = await bob.open_person("alice")
    await row.get_by_test_id("start-chat").click()
    await alice.by("accept-chat").click()
    await expect(bob.by("end-chat")).to_be_visible()
    await alice.say("bye for now")
    await expect(bob.message("bye for now")).to_be_visible()

    await alice.page.close(run_before_unload=True)

    await expect(bob.by("chat-ended-line")).to_contain_text("alice left the chat")
    await expect(bob.by("end-chat")).to_be_hidden()
    await expect(bob.by("me-status")).to_have_text("online")
    await bob.open_conversation("Lobby")
    await expect(bob.by("system-line").last).to_have_text("alice left")
    await expect(bob.by("alone-notice")).to_be_visible()
