"""People at browser windows: what they see (locators) and what they do (sign in, type...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Locator,
    Page,
    ViewportSize,
    expect,
)

from conftest import ServerProcess

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    # Every window is someone watching: no window's timers or rendering are slowed down.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 360, "height": 740}

expect.set_options(timeout=10_000)


def password_of(name: str) -> str:
    return f"pw-{name}"


@dataclass
class Person:
    """One person at one browser window."""

    name: str
    page: Page
    context: BrowserContext
    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ places on the page

    def by(self, test_id: str) -> Locator:
        return self.page.get_by_test_id(test_id)

    def user_row(self, name: str) -> Locator:
        return self.page.locator(f'[data-testid="user-row"][data-name="{name}"]')

    def conversation(self, title: str) -> Locator:
        """The sidebar entry whose title is exactly ``title`` ("bob" is not "Chat with bob")."""
        return self.by("conversation-item").filter(has=self.page.get_by_text(title, exact=True))

    @property
    def texts(self) -> Locator:
        """The text of every stored message in the open conversation, in order."""
        return self.by("message-text")

    def message(self, text: str) -> Locator:
        return self.by("message").filter(has=self.page.get_by_text(text, exact=True))

    # ------------------------------------------------------------------ what a person does

    async def sign_in(self, name: str | None = None, password: str | None = None) -> None:
        name = name or self.name
        await self.by("signin-name").fill(name)
        await self.by("signin-password").fill(password or password_of(name))
        await self.by("signin-submit").click()

    async def signed_in(self) -> None:
        await expect(self.by("app")).to_be_visible()
        await expect(self.by("me-name")).to_have_text(self.name)
        await expect(self.by("online-count")).not_to_have_text("")

    async def type(self, text: str) -> None:
        """Type into the message box and press Enter, as a person sends a message."""
        box = self.by("composer-input")
        await box.fill(text)
        await box.press("Enter")

    async def say(self, text: str) -> None:
        await self.type(text)
        await expect(self.message(text).last).to_be_visible()

    async def open_person(self, name: str) -> Locator:
        """Click a person in the online list; their actions open under the name."""
        row = self.user_row(name)
        button = row.get_by_test_id("user-button")
        if await button.get_attribute("aria-expanded") != "true":
            await button.click()
        return row

    async def open_conversation(self, title: str) -> None:
        await self.conversation(title).click()
        await expect(self.by("conversation-title")).to_contain_text(title)

    async def open_room(self, name: str) -> None:
        await self.conversation(name).click()
        await expect(self.by("conversation-title")).to_have_text(f"# {name}")

    async def create_room(self, name: str, topic: str = "", *, private: bool = False) -> None:
        await self.by("create-room").click()
        await self.by("room-name").fill(name)
        await self.by("room-topic").fill(topic)
        if private:
            await self.by("room-private").check()
        await self.by("create-room-submit").click()
        await expect(self.by("create-room-dialog")).to_be_hidden()
        await expect(self.by("conversation-title")).to_have_text(f"# {name}")

    async def axe(self) -> list[str]:
        """WCAG 2.1 A/AA violations axe-core finds on the page as it is now, one line each."""
        if not await self.page.evaluate("() => 'axe' in window"):
            await self.page.add_script_tag(path=str(AXE))
        found = await self.page.evaluate(
            r"""async (tags) => {
                const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
                return result.violations.map(v => `${v.id}: ` + v.nodes.map(
                    n => `${n.target.join(" ")} (${n.failureSummary.replace(/\s+/g, " ")})`
                ).join("; "));
            }""",
            WCAG_AA,
        )
        return list(found)

    async def focused_control(self) -> str | None:
        """The focused element if it is a visible control (or a focused message), else None."""
        found: str | None = await self.page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body || el === document.documentElement) return null;
                const box = el.getBoundingClientRect();
                const style = getComputedStyle(el);
                const shown = box.width > 0 && box.height > 0 && style.visibility !== "hidden"
                    && !el.closest("[hidden], [inert]")
                    && box.bottom > 0 && box.right > 0
                    && box.top < innerHeight && box.left < innerWidth;
                if (!shown || el.disabled) return null;
                const name = el.getAttribute("aria-label") || el.textContent.trim()
                    || el.getAttribute("placeholder") || "";
                return `${el.tagName.toLowerCase()}#${el.id || el.dataset.testid || ""} ${name}`;
            }"""
        )
        return found

    async def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        await self.page.screenshot(path=str(path))
        return path


class People:
    """Opens browser windows on the test's server; checks at the end that none misbehaved."""

    def __init__(self, browser: Browser, server: ServerProcess) -> None:
        self.browser = browser
        self.server = server
        self.everyone: list[Person] = []

    async def open(
        self,
        name: str,
        *,
        sign_in: bool = True,
        viewport: ViewportSize = DESKTOP,
        color_scheme: Literal["light", "dark"] = "light",
        bypass_csp: bool = False,
    ) -> Person:
        """A new browser window (context) for ``name``; ``bypass_csp`` lets axe be injected."""
        context = await self.browser.new_context(
            viewport=viewport,
            color_scheme=color_scheme,
            locale="en-GB",
            timezone_id="Europe/London",
            bypass_csp=bypass_csp,
        )
        page = await context.new_page()
        person = Person(name, page, context)
        self.watch(person, page)
        await page.goto(self.server.url + "/", wait_until="domcontentloaded")
        if sign_in:
            await person.sign_in()
            await person.signed_in()
        self.everyone.append(person)
        return person

    def watch(self, person: Person, page: Page) -> None:
        async def dismiss(dialog: Dialog) -> None:
            person.dialogs.append(dialog.message)
            await dialog.dismiss()

        def console(message: ConsoleMessage) -> None:
            if "Content Security Policy" in message.text:
                person.page_errors.append(message.text)

        page.on("dialog", dismiss)
        page.on("pageerror", lambda error: person.page_errors.append(str(error)))
        page.on("console", console)

    async def close(self) -> None:
        for person in self.everyone:
            await person.context.close()
