"""Accessibility: axe-core finds no WCAG 2.1 A/AA problem in any state, in either theme;
focus never falls to the page; only new messages are announced; the list sits at the bottom."""

from __future__ import annotations

import asyncio
from typing import Literal

import pytest
from playwright.async_api import expect

from browser.people import PHONE, People, Person
from browser.wire import Wire
from conftest import ServerProcess
from hubbub.hub import LEAVE_LINGER

pytestmark = pytest.mark.asyncio(loop_scope="session")

ANNOUNCED = "document.getElementById('announcer').textContent"


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(colour: str) -> float:
        parts = [float(p) / 255 for p in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        linear = [p / 12.92 if p <= 0.03928 else ((p + 0.055) / 1.055) ** 2.4 for p in parts]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class Audit:
    """Runs axe in each named state and keeps what it finds, to report all at once."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    async def check(self, person: Person, state: str) -> None:
        violations = await person.axe()
        if violations:
            self.found[f"{person.name} / {state}"] = violations

    def report(self) -> str:
        return "\n".join(f"{state}:\n  " + "\n  ".join(v) for state, v in self.found.items())


@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_axe_finds_no_violations_in_any_state(
    people: People, theme: Literal["light", "dark"]
) -> None:
    audit = Audit()
    alice = await people.open("alice", sign_in=False, color_scheme=theme, bypass_csp=True)
    await audit.check(alice, "sign-in")
    await alice.by("signin-submit").click()
    await expect(alice.by("signin-error")).to_have_text("Type a name to sign in.")
    await expect(alice.by("signin-name")).to_have_attribute("aria-invalid", "true")
    await audit.check(alice, "sign-in refused")
    await alice.sign_in()
    await alice.signed_in()
    await expect(alice.by("alone-notice")).to_be_visible()
    await audit.check(alice, "lobby, alone")

    bob = await people.open("bob", color_scheme=theme, bypass_csp=True)
    await bob.say("hi @alice, the build is green")
    await alice.say("great, shipping it")
    await alice.by("calc-toggle").click()
    await alice.by("calc-input").fill("2*(3+4)")
    await alice.by("calc-submit").click()
    await expect(alice.by("calc-result")).to_have_text("14")
    await audit.check(alice, "lobby")

    # A room with a topic, a badge from the Lobby, its members, and the dialogs.
    await alice.create_room("design", "pixels and type")
    await bob.say("@alice one more thing")
    await expect(alice.conversation("Lobby").get_by_test_id("mention-badge")).to_be_visible()
    await alice.by("members-toggle").click()
    await expect(alice.by("member-row")).to_have_count(1)
    await audit.check(alice, "room with members panel and badges")
    await alice.by("members-close").click()
    await alice.by("invite-open").click()
    await audit.check(alice, "invite dialog")
    await alice.by("invite-cancel").click()
    await alice.by("edit-topic").click()
    await audit.check(alice, "topic dialog")
    await alice.by("topic-cancel").click()
    await alice.by("create-room").click()
    await alice.by("create-room-submit").click()
    await expect(alice.by("create-room-error")).to_be_visible()
    await audit.check(alice, "create-room dialog with an error")
    await alice.by("create-room-cancel").click()
    await alice.by("browse-rooms").click()
    await expect(alice.by("directory-room")).to_have_count(2)
    await audit.check(alice, "room directory")
    await alice.by("directory-close").click()
    await alice.say("draft text")
    await alice.message("draft text").get_by_role("button", name="Delete message").click()
    await audit.check(alice, "delete dialog")
    await alice.by("delete-cancel").click()
    await alice.message("draft text").get_by_role("button", name="Edit message").click()
    await audit.check(alice, "editing a message")
    await alice.by("edit-input").press("Escape")

    # Search results.
    await alice.by("search-toggle").click()
    await alice.by("search-input").fill("build")
    await alice.by("search-input").press("Enter")
    await expect(alice.by("search-result")).to_have_count(1)
    await audit.check(alice, "search results")
    await alice.by("search-result").click()
    await expect(alice.by("conversation-title")).to_have_text("# Lobby")
    await audit.check(alice, "a search result opened")
    await alice.by("search-close").click()

    # A 1:1 chat: the request, the chat on both sides, and after it ended.
    row = await alice.open_person("bob")
    await row.get_by_test_id("start-chat").click()
    await expect(alice.by("chat-status")).to_be_visible()
    await expect(bob.by("chat-request-dialog")).to_be_visible()
    await audit.check(alice, "waiting for an answer")
    await audit.check(bob, "chat request dialog")
    await bob.by("accept-chat").click()
    await expect(alice.by("end-chat")).to_be_visible()
    await bob.say("just us")
    await audit.check(alice, "1:1 chat")
    await alice.by("end-chat").click()
    await expect(bob.by("chat-ended-line")).to_be_visible()
    await audit.check(bob, "1:1 chat ended")

    # A direct message, and a phone-sized screen with the menu shut and open.
    await bob.by("back-to-lobby").click()
    row = await bob.open_person("alice")
    await row.get_by_test_id("message-user").click()
    await bob.say("psst")
    await audit.check(bob, "direct messages")
    phone = await people.open("pip", viewport=PHONE, color_scheme=theme, bypass_csp=True)
    await audit.check(phone, "phone")
    await phone.by("sidebar-toggle").click()
    await expect(phone.by("sidebar")).to_be_visible()
    await audit.check(phone, "phone, menu open")

    assert not audit.found, f"axe found WCAG 2.1 AA violations:\n{audit.report()}"


@pytest.mark.real_linger
async def test_focus_stays_on_a_visible_control_and_a_reload_says_nothing(
    people: People,
) -> None:
    alice = await people.open("alice")
    bob = await people.open("bob")
    await expect(alice.by("system-line")).to_have_text(["bob joined"])

    # A short history sits at the bottom of the pane, as in every chat app.
    await alice.say("only a few words")
    bottom = await alice.page.evaluate(
        """() => {
            const pane = document.getElementById('message-scroller').getBoundingClientRect();
            const last = document.querySelector('#message-list > :last-child');
            return pane.bottom - last.getBoundingClientRect().bottom;
        }"""
    )
    assert 0 <= bottom < 40, f"the last message is {bottom}px above the bottom of the pane"

    # The keyboard focus ring is a solid line that stands out from what is behind it.
    await alice.by("composer-input").press("Shift+Tab")
    ring = await alice.page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            const behind = getComputedStyle(document.querySelector('.main')).backgroundColor;
            return [style.outlineStyle, parseFloat(style.outlineWidth), style.outlineColor, behind];
        }"""
    )
    assert ring[0] == "solid", ring
    assert ring[1] >= 2, ring
    assert contrast(ring[2], ring[3]) >= 3, ring

    # Bob reloads: nobody is told he left or joined (offline is announced after the
    # server's linger, LEAVE_LINGER here; checked at the end, once that has passed).
    await bob.page.reload()
    await bob.signed_in()
    reloaded = asyncio.get_running_loop().time()

    # Focus through a 1:1 chat: asking, starting (both sides) and ending (both sides).
    row = await alice.open_person("bob")
    await row.get_by_test_id("start-chat").click()
    await expect(alice.by("chat-status")).to_contain_text("Waiting for bob")
    assert await alice.focused_control(), "focus fell to the page after Start chat"

    await expect(bob.by("accept-chat")).to_be_focused()
    await bob.page.keyboard.press("Enter")
    await expect(alice.by("end-chat")).to_be_visible()
    for person in (alice, bob):
        await expect(person.by("composer-input")).to_be_focused()

    await alice.by("end-chat").click()
    for person in (alice, bob):
        await expect(person.by("chat-ended-line")).to_be_visible()
        await expect(person.by("back-to-lobby")).to_be_focused()
    await bob.page.keyboard.press("Enter")
    await expect(bob.by("conversation-title")).to_have_text("# Lobby")
    await expect(bob.by("composer-input")).to_be_focused()

    await alice.by("back-to-lobby").click()
    waited = asyncio.get_running_loop().time() - reloaded
    await alice.page.wait_for_timeout(max(0, (LEAVE_LINGER + 0.5 - waited) * 1000))
    await expect(alice.by("system-line")).to_have_text(["bob joined"])
    await expect(alice.user_row("bob").get_by_test_id("user-status")).to_have_text("online")


async def test_focus_returns_to_the_menu_button_when_the_narrow_menu_closes(
    people: People,
) -> None:
    phone = await people.open("pip", viewport=PHONE)
    await people.open("desk")
    toggle = phone.by("sidebar-toggle")

    for close in ("Escape", "sidebar-close"):
        await toggle.click()
        await expect(phone.by("sidebar")).to_be_visible()
        assert await phone.focused_control(), "focus is not in the open menu"
        if close == "Escape":
            await phone.page.keyboard.press("Escape")
        else:
            await phone.by(close).click()
        await expect(phone.by("sidebar")).to_be_hidden()
        await expect(toggle).to_be_focused()

    # Picking a conversation or a person closes the menu too: focus lands on a visible control.
    await toggle.click()
    row = await phone.open_person("desk")
    await row.get_by_test_id("message-user").click()
    await expect(phone.by("sidebar")).to_be_hidden()
    assert await phone.focused_control(), "focus fell to the page after the menu closed"
    await toggle.click()
    await phone.conversation("Lobby").click()
    await expect(phone.by("sidebar")).to_be_hidden()
    assert await phone.focused_control(), "focus fell to the page after the menu closed"


async def test_only_new_messages_are_announced(people: People, hubbub: ServerProcess) -> None:
    async with Wire(hubbub.url, "bob") as bob:
        for n in range(1, 71):
            await bob.say(f"old {n:02}")
    alice = await people.open("alice")
    await expect(alice.texts.last).to_have_text("old 70")
    scroller = alice.page.get_by_role("region", name="Messages: # Lobby")
    await expect(scroller).to_be_visible()
    assert await alice.page.evaluate(ANNOUNCED) == ""

    # Scrolling back and switching conversations announce nothing.
    await alice.by("message-scroller").evaluate("pane => pane.scrollTo(0, 0)")
    await expect(alice.texts).to_have_count(70)
    await alice.create_room("side")
    await alice.open_room("Lobby")
    await expect(alice.texts).to_have_count(70)
    assert await alice.page.evaluate(ANNOUNCED) == ""

    # A message that arrives is announced, once.
    async with Wire(hubbub.url, "bob") as bob:
        await bob.say("brand new")
    await expect(alice.by("announcer")).to_have_text("bob: brand new")
    await alice.say("my own words")
    await expect(alice.by("announcer")).to_have_text("bob: brand new")
