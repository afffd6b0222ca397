"""The broadcast chat's tutorial in the browser: send, calculate, specific user, all users."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from browser.people import People

pytestmark = pytest.mark.asyncio(loop_scope="session")

CLOCK = re.compile(r"^\d\d:\d\d$")


async def test_broadcast_chat_tutorial_in_three_browsers(people: People) -> None:
    # Three users connect; each arrival is announced to those already there.
    nitesh = await people.open("nitesh")
    hariom = await people.open("hariom")
    await expect(nitesh.by("system-line").last).to_have_text("hariom joined")
    rajat = await people.open("rajat")
    await expect(nitesh.by("system-line")).to_have_text(["hariom joined", "rajat joined"])
    await expect(hariom.by("system-line")).to_have_text(["rajat joined"])
    for person in (nitesh, hariom, rajat):
        await expect(person.by("online-count")).to_have_text("3")

    # Send: Nitesh broadcasts; everyone sees it with his name and a local time.
    await nitesh.say("hello all")
    for person in (nitesh, hariom, rajat):
        message = person.message("hello all")
        await expect(message.get_by_test_id("message-sender")).to_have_text("nitesh")
        await expect(message.get_by_test_id("message-time")).to_have_text(CLOCK)
    await hariom.say("hi nitesh, hi rajat")
    await expect(rajat.texts).to_have_text(["hello all", "hi nitesh, hi rajat"])

    # Calculate (the box): the answer is shown to Hariom only, set apart from messages.
    await hariom.by("calc-toggle").click()
    await hariom.by("calc-input").fill("2*(3+4)")
    await hariom.by("calc-submit").click()
    await expect(hariom.by("calc-line").last).to_contain_text("2*(3+4) = 14")
    await expect(hariom.by("calc-line").last).to_contain_text("Only you can see this")
    # ... and typed as a command; a fault names its position.
    await hariom.type("/calc sqrt(16) + 10 // 3")
    await expect(hariom.by("calc-result").last).to_have_text("7.0")
    await hariom.type("/calc 1/0")
    await expect(hariom.by("calc-error")).to_contain_text("1/0 — division by zero at 2.")
    await expect(hariom.by("composer-input")).to_have_value("")

    # Specific user: Hariom picks Rajat in the user list and messages him privately.
    row = await hariom.open_person("rajat")
    await row.get_by_test_id("message-user").click()
    await expect(hariom.by("conversation-title")).to_have_text("rajat")
    await hariom.say("only for you")
    await expect(hariom.conversation("rajat")).to_be_visible()
    dm = rajat.conversation("hariom")
    await expect(dm.get_by_test_id("unread-badge")).to_have_text("1")
    await rajat.open_conversation("hariom")
    await expect(rajat.texts).to_have_text(["only for you"])
    await expect(dm.get_by_test_id("unread-badge")).to_have_count(0)
    await rajat.say("thanks!")
    await expect(hariom.texts).to_have_text(["only for you", "thanks!"])

    # Nitesh saw neither the calculations nor the private messages.
    await expect(nitesh.by("calc-line")).to_have_count(0)
    await expect(nitesh.by("conversation-item")).to_have_count(1)
    await expect(nitesh.texts).to_have_text(["hello all", "hi nitesh, hi rajat"])
    # The README's picture is a copy of this one (test-artifacts/screenshots/).
    await nitesh.screenshot("lobby-three-users")

    # Know all users: the online list, and /users in the message box.
    await nitesh.type("/users")
    await expect(nitesh.by("users-line")).to_contain_text("Online now (3)")
    for name in ("nitesh (you) — online", "hariom — online", "rajat — online"):
        await expect(nitesh.by("users-line")).to_contain_text(name)

    # Leaving is announced to everyone still there.
    await rajat.page.close(run_before_unload=True)
    await expect(nitesh.by("system-line").last).to_have_text("rajat left")
    await expect(nitesh.user_row("rajat")).to_have_count(0)
    await expect(nitesh.by("online-count")).to_have_text("2")
    await hariom.open_conversation("Lobby")
    await expect(hariom.by("system-line").last).to_have_text("rajat left")
