"""A real IRC client from Debian, irssi in tmux, talking with a web-protocol client."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hubbub.client import Client
from hubbub.protocol import Message
from irc.conftest import IrcServer

CONFIG = """settings = {
  core = { real_name = "Ian"; user_name = "ian"; nick = "ian"; };
  "fe-common/core" = { autocreate_query_level = "MSGS DCCMSGS NOTICES"; };
};
"""
POLL = 0.1


@pytest.fixture(autouse=True)
def _irssi_is_installed() -> None:
    """A missing client is a missing install step, not a reason to skip."""
    if shutil.which("irssi") is None or shutil.which("tmux") is None:
        pytest.fail("irssi and tmux are not installed: `make test` installs them")


class Irssi:
    def __init__(self, session: str) -> None:
        self.session = session

    def type(self, text: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.session, text, "Enter"], check=True)

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.session],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    async def shows(self, text: str, within: float = 15.0) -> None:
        """Wait until the screen shows ``text``."""
        for _ in range(int(within / POLL)):
            if text in self.screen():
                return
            await asyncio.sleep(POLL)
        raise AssertionError(f"irssi never showed {text!r}:\n{self.screen()}")


@pytest.fixture
def irssi(irc_server: IrcServer, tmp_path: Path) -> Iterator[Irssi]:
    """irssi connected to the server as the guest ``ian``, in a tmux session of its own."""
    home = tmp_path / "irssi"
    home.mkdir()
    (home / "config").write_text(CONFIG)
    session = f"hubbub-irssi-{uuid.uuid4().hex[:8]}"
    command = f"irssi --home={home} -c 127.0.0.1 -p {irc_server.irc_port} -n ian"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "40", command], check=True
    )
    try:
        yield Irssi(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)


async def test_irssi_joins_the_lobby_talks_with_the_web_gets_a_dm_and_calculates(
    irc_server: IrcServer, irssi: Irssi
) -> None:
    await irssi.shows("End of /MOTD")
    async with Client(irc_server.url) as web:
        await web.sign_in("wendy", "pw-wendy")
        irssi.type("/join #lobby")
        await irssi.shows("has joined #Lobby")
        await web.say("hi from the web")
        await irssi.shows("hi from the web")
        irssi.type("hello from irssi")
        heard = await web.wait_for(Message, lambda m: m.text == "hello from irssi")
        assert heard.sender == "ian"
        await web.message_user("ian", "a word in private")
        irssi.type("/window goto wendy")
        await irssi.shows("a word in private")
        irssi.type("/msg hubbub calc 2*(3+4)")
        irssi.type("/window goto hubbub")
        await irssi.shows("2*(3+4) = 14")
