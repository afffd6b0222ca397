"""A desktop user, a browser user and a library user in one Lobby: a room message each
way, a private message and a calculation seen only by whoever asked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from browser.people import CHROMIUM, LAUNCH_ARGS
from conftest import ServerProcess
from desktop.conftest import Desktops, Library
from desktop.drive import pane, people, pick_person, sign_in, type_and_press
from hubbub import protocol


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_desktop_browser_and_library_users_talk(
    server: ServerProcess, desktops: Desktops, library: Library, page: Page
) -> None:
    dora = desktops.open("dora", server.url)
    sign_in(desktops, dora, "dora")
    lib = library.connect(server.url, "lib")
    page.goto(server.url)
    page.get_by_test_id("signin-name").fill("webb")
    page.get_by_test_id("signin-password").fill("pw-webb")
    page.get_by_test_id("signin-submit").click()
    expect(page.get_by_test_id("me-name")).to_have_text("webb")
    desktops.until(lambda: set(people(dora)) == {"lib", "webb"}, "dora to see both online")

    # A room message from the browser reaches the desktop and the library, and back.
    composer = page.get_by_test_id("composer-input")
    composer.fill("hello from the web")
    composer.press("Enter")
    desktops.until(lambda: "webb: hello from the web" in pane(dora), "the browser's line")
    library.run(lib.wait_for(protocol.Message, lambda m: m.text == "hello from the web"))
    type_and_press(dora, "hi webb")
    expect(page.get_by_test_id("message-text").filter(has_text="hi webb")).to_be_visible()

    # A private message from the desktop reaches only the browser user.
    pick_person(dora, "webb")
    type_and_press(dora, "only for the web", "private_button")
    expect(page.get_by_test_id("conversation-item").filter(has_text="dora")).to_be_visible()

    # A calculation in the browser is answered there only.
    composer.fill("/calc 1234*1000")
    composer.press("Enter")
    expect(page.get_by_text("1234000", exact=False).first).to_be_visible()
    type_and_press(dora, "sentinel")
    seen = library.run(lib.wait_for(protocol.Message, lambda m: m.text == "sentinel"))
    assert seen.sender == "dora"
    assert "1234000" not in pane(dora)
