"""The browser client under Debian's Chromium (Playwright), against ``hubbub serve`` subprocesses.

Each test gets a fresh server (a real ``hubbub serve`` child process) and every person in
a test is a separate browser context (its own localStorage, as separate machines would
be). To keep the suite fast, one headless Chromium serves the whole session, and the
next test's server is started while the current test runs. Playwright's ``expect``
waits for what a person would see.

Every browser test runs in the session's event loop (the browser lives there): each
module sets ``pytestmark = pytest.mark.asyncio(loop_scope="session")``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from browser.people import CHROMIUM, LAUNCH_ARGS, People
from conftest import ServerProcess


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: `make test` installs it")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True
        )
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def people(browser: Browser, hubbub: ServerProcess) -> AsyncIterator[People]:
    crowd = People(browser, hubbub)
    yield crowd
    misbehaved = {
        p.name: {"dialogs": p.dialogs, "errors": p.page_errors}
        for p in crowd.everyone
        if p.dialogs or p.page_errors
    }
    await crowd.close()
    assert not misbehaved, f"a page raised an error or opened a dialog: {misbehaved}"
