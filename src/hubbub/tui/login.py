"""Signing a terminal client in: a saved session token first, else the password.

The password comes from ``HUBBUB_PASSWORD`` or is asked for without echo; a new token is
saved for the next start (see :mod:`hubbub.tui.sessions`).
"""

from __future__ import annotations

import asyncio
import platform
from collections.abc import Callable

from hubbub import protocol
from hubbub.client import Client, RequestFailed
from hubbub.tui.sessions import SessionStore

AskPassword = Callable[[str], str]
"""Asks the user for ``name``'s password (blocking; run off the event loop)."""


class LoginError(Exception):
    """Signing in cannot even be tried; the message is one line for people."""


def pick_name(given: str | None, store: SessionStore, server: str) -> str:
    """The name to sign in with: the one given, else the last one used on ``server``."""
    name = given or store.last_name(server)
    if not name:
        raise LoginError("no name: give --name NAME (or set HUBBUB_NAME)")
    return name


async def sign_in(
    client: Client,
    name: str,
    store: SessionStore,
    *,
    password: str | None = None,
    ask: AskPassword | None = None,
) -> protocol.SignedIn:
    """Sign ``client`` in as ``name``; a refused password raises :class:`RequestFailed`."""
    token = store.token(client.url, name)
    if token is not None:
        try:
            reply = await client.sign_in(name, token=token)
        except RequestFailed as failure:
            if failure.code != protocol.ErrorCode.INVALID_TOKEN:
                raise
            store.forget(client.url, name)
        else:
            store.save(client.url, reply.name, reply.token)
            return reply
    if password is None:
        if ask is None:
            raise LoginError(f"no password for {name}: set HUBBUB_PASSWORD")
        password = await asyncio.to_thread(ask, name)
    reply = await client.sign_in(name, password, device=f"hubbub terminal on {platform.node()}")
    store.save(client.url, reply.name, reply.token)
    return reply


def prompt_password(name: str) -> str:
    """Ask for the password on the terminal, without echo."""
    import click

    answer: str = click.prompt(f"Password for {name}", hide_input=True)
    return answer


def one_line(error: BaseException) -> str:
    """An error as one line for people."""
    text = error.message if isinstance(error, RequestFailed) else str(error) or type(error).__name__
    return " ".join(text.split())
