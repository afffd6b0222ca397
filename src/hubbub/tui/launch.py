"""``hubbub chat``: sign in (token, ``HUBBUB_PASSWORD`` or a prompt), then the full-screen app."""

from __future__ import annotations

import asyncio
import functools
import os
import sys

import click

from hubbub.client import Client, ConnectionLost, RequestFailed
from hubbub.tui.login import LoginError, one_line, pick_name, prompt_password, sign_in
from hubbub.tui.sessions import SessionStore, server_url

DEFAULT_SERVER = "http://127.0.0.1:8765"

server_option = click.option(
    "--server",
    envvar="HUBBUB_SERVER",
    default=DEFAULT_SERVER,
    show_default=True,
    help="The server's address.",
)
name_option = click.option(
    "--name",
    envvar="HUBBUB_NAME",
    default=None,
    help="Your name (default: the last one used on this server).",
)


@click.command()
@server_option
@name_option
def chat(server: str, name: str | None) -> None:
    """Chat full-screen in the terminal.

    Inside, /help lists the commands and the footer shows the keys.
    The password is read from HUBBUB_PASSWORD or asked for without echo; the session
    token is kept in $XDG_CONFIG_HOME/hubbub/ so the next start needs no password.
    """
    server, store = server_url(server), SessionStore()
    try:
        name = pick_name(name, store, server)
    except LoginError as error:
        if not sys.stdin.isatty():
            raise click.ClickException(str(error)) from None
        name = click.prompt("Name")
    try:
        asyncio.run(_chat(server, name, store, os.environ.get("HUBBUB_PASSWORD")))
    except ConnectionLost as error:
        raise click.ClickException(f"cannot reach {server}: {one_line(error)}") from None
    except (RequestFailed, LoginError) as error:
        raise click.ClickException(one_line(error)) from None


async def _chat(server: str, name: str, store: SessionStore, password: str | None) -> None:
    from hubbub.tui.app import ChatApp  # Textual loads only for this command

    async with Client.connect(server) as client:
        reply = await sign_in(client, name, store, password=password, ask=prompt_password)
        app = ChatApp(client, reply, on_token=functools.partial(store.save, server, reply.name))
        await app.run_async()
