"""How the page looks and is used: themes, a phone-sized screen, keyboard and labels."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from browser.people import PHONE, People

pytestmark = pytest.mark.asyncio(loop_scope="session")

BODY_BACKGROUND = "getComputedStyle(document.body).backgroundColor"


async def brightness(page: Page) -> int:
    colour: str = await page.evaluate(BODY_BACKGROUND)
    red, green, blue = (int(part) for part in colour[colour.index("(") + 1 : -1].split(",")[:3])
    return red + green + blue


async def test_dark_theme_follows_the_system_and_the_toggle_is_remembered(
    people: People,
) -> None:
    dusk = await people.open("dusk", color_scheme="dark")
    dawn = await people.open("dawn")
    await dawn.say("evening! is the build green?")
    await dusk.say("green since 6, shipping tonight")
    await dusk.type("/calc 3 * 4 + 2")
    await expect(dusk.by("calc-result")).to_have_text("14")
    assert await brightness(dusk.page) < 150
    assert await brightness(dawn.page) > 600
    await dusk.screenshot("dark-theme")

    html = dusk.page.locator("html")
    await dusk.by("theme-toggle").click()
    await expect(html).to_have_attribute("data-theme", "light")
    assert await brightness(dusk.page) > 600
    await dusk.page.reload()
    await dusk.signed_in()
    await expect(html).to_have_attribute("data-theme", "light")
    await dusk.by("theme-toggle").click()
    await expect(html).to_have_attribute("data-theme", "dark")
    assert await brightness(dusk.page) < 150


async def test_the_page_is_usable_at_360_pixels_wide(people: People) -> None:
    phone = await people.open("pip", viewport=PHONE)
    desk = await people.open("desk")
    sidebar = phone.by("sidebar")
    await expect(sidebar).to_be_hidden()
    await expect(phone.by("composer-input")).to_be_visible()

    await phone.by("sidebar-toggle").click()
    await expect(sidebar).to_be_visible()
    await expect(phone.user_row("desk")).to_be_visible()
    row = await phone.open_person("desk")
    await row.get_by_test_id("message-user").click()
    await expect(sidebar).to_be_hidden()
    await expect(phone.by("conversation-title")).to_have_text("desk")
    await phone.say("sent from my phone, " + "supercalifragilistic" * 10)
    await expect(desk.conversation("pip").get_by_test_id("unread-badge")).to_have_text("1")
    assert await phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await phone.screenshot("phone")

    # The unread badge of another conversation shows on the menu button.
    await desk.say("lobby news")
    await expect(phone.by("sidebar-toggle-badge")).to_be_visible()
    await phone.by("sidebar-toggle").click()
    await phone.open_conversation("Lobby")
    await expect(sidebar).to_be_hidden()
    await expect(phone.texts).to_have_text(["lobby news"])


async def test_controls_are_labelled_and_reachable_by_keyboard(people: People) -> None:
    alice = await people.open("alice")
    bob = await people.open("bob")
    unnamed = await alice.page.evaluate(
        """() => [...document.querySelectorAll('button, input, textarea')]
            .filter(el => !el.closest('[hidden]'))
            .filter(el => {
                const label = el.getAttribute('aria-label')
                    || [...(el.labels || [])].map(l => l.textContent).join('')
                    || el.textContent;
                return !label || !label.trim();
            })
            .map(el => el.outerHTML)"""
    )
    assert unnamed == []

    # Keyboard only: open Bob's actions, ask him for a chat, and he answers by keyboard.
    await alice.user_row("bob").get_by_test_id("user-button").focus()
    await alice.page.keyboard.press("Enter")
    await alice.page.keyboard.press("Tab")
    await expect(alice.user_row("bob").get_by_test_id("start-chat")).to_be_focused()
    await alice.page.keyboard.press("Enter")
    await expect(bob.by("accept-chat")).to_be_focused()
    await bob.page.keyboard.press("Enter")
    await expect(alice.by("conversation-title")).to_have_text("Chat with bob")
    await alice.by("composer-input").focus()
    await alice.page.keyboard.type("typed, not clicked")
    await alice.page.keyboard.press("Enter")
    await expect(bob.texts).to_have_text(["typed, not clicked"])


async def test_away_status_shows_live_to_everyone(people: People) -> None:
    alice = await people.open("alice")
    bob = await people.open("bob")
    status = bob.user_row("alice").get_by_test_id("user-status")
    await expect(status).to_have_text("online")
    away = alice.by("away-toggle")
    await away.click()
    await expect(status).to_have_text("away")
    await expect(alice.by("me-status")).to_have_text("away")
    await expect(away).to_have_attribute("aria-pressed", "true")
    await away.click()
    await expect(status).to_have_text("online")
    await expect(away).to_have_text("Set away")
