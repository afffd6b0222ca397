"""``hubbub send`` and ``hubbub calc``: one request each, for scripts.

Exit 0 on success; otherwise one line on stderr (or a JSON object on stdout with
``--json``) and a non-zero code: 1 the server refused, 2 bad usage or no credentials,
3 the server cannot be reached.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

import click

from hubbub import protocol
from hubbub.client import Client, ConnectionLost, RequestFailed
from hubbub.tui.launch import name_option, server_option
from hubbub.tui.login import LoginError, one_line, pick_name, prompt_password, sign_in
from hubbub.tui.sessions import SessionStore, server_url

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3

Action = Callable[[Client], Awaitable[tuple[str, dict[str, Any]]]]
"""Does the work on a signed-in client: the line to print, and the JSON fields."""

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


@click.command()
@click.option(
    "--to", "target", required=True, metavar="NAME|ROOM", help="@NAME or #ROOM to be sure."
)
@click.argument("words", nargs=-1, required=True, metavar="TEXT")
@server_option
@name_option
@json_option
def send(target: str, words: tuple[str, ...], server: str, name: str | None, as_json: bool) -> None:
    """Send TEXT to a person or to a room you are in.

    To a person it is a private message, held for them if they are offline. Signs in
    with the session saved by hubbub chat, else HUBBUB_PASSWORD (or a prompt on a terminal).
    """

    async def action(client: Client) -> tuple[str, dict[str, Any]]:
        shown, sent = await deliver(client, target, " ".join(words))
        fields = {"to": shown, "conversation": sent.conversation, "seq": sent.seq, "ts": sent.ts}
        return f"sent to {shown} (#{sent.seq} in {sent.conversation})", fields

    _run(server, name, as_json, action)


@click.command()
@click.argument("words", nargs=-1, required=True, metavar="EXPR")
@server_option
@name_option
@json_option
def calc(words: tuple[str, ...], server: str, name: str | None, as_json: bool) -> None:
    """Calculate EXPR on the server and print the result.

    For example: hubbub calc '2*(3+4)'. Signs in like hubbub send.
    """
    expression = " ".join(words)

    async def action(client: Client) -> tuple[str, dict[str, Any]]:
        result = await client.calc(expression)
        return result, {"expression": expression, "result": result}

    _run(server, name, as_json, action)


async def deliver(client: Client, target: str, text: str) -> tuple[str, protocol.Sent]:
    """Send to ``target``: a room of yours by name or id (``#`` forces a room), else a person
    (``@`` forces one). The name sent to, and the server's answer."""
    if target.startswith("@"):
        return target[1:], await client.message_user(target[1:], text)
    wanted = target.removeprefix("#")
    for conversation in await client.conversations():
        if conversation.kind == "room" and wanted.casefold() in (
            conversation.id.casefold(),
            conversation.name.casefold(),
        ):
            return conversation.name, await client.say(text, conversation.id)
    if target.startswith("#"):
        raise RequestFailed(protocol.ErrorCode.UNKNOWN_ROOM, f"you are in no room called {wanted}")
    return target, await client.message_user(target, text)


def _run(server: str, name: str | None, as_json: bool, action: Action) -> None:
    server, store = server_url(server), SessionStore()
    try:
        line, fields = asyncio.run(_signed_in(server, name, store, action))
    except ConnectionLost as error:
        _fail(as_json, EXIT_UNREACHABLE, "unreachable", f"cannot reach {server}: {one_line(error)}")
    except LoginError as error:
        _fail(as_json, EXIT_USAGE, "no_credentials", one_line(error))
    except RequestFailed as error:
        _fail(as_json, EXIT_REFUSED, str(error.code), one_line(error))
    except TimeoutError:
        _fail(as_json, EXIT_UNREACHABLE, "timeout", f"{server} did not answer in time")
    click.echo(json.dumps({"ok": True, **fields}) if as_json else line)


async def _signed_in(
    server: str, name: str | None, store: SessionStore, action: Action
) -> tuple[str, dict[str, Any]]:
    who = pick_name(name, store, server)
    ask = prompt_password if sys.stdin.isatty() else None
    async with Client.connect(server, reconnect=False) as client:
        await sign_in(client, who, store, password=os.environ.get("HUBBUB_PASSWORD"), ask=ask)
        return await action(client)


def _fail(as_json: bool, code: int, error: str, message: str) -> NoReturn:
    if as_json:
        click.echo(json.dumps({"ok": False, "error": error, "message": message}))
    else:
        click.echo(f"hubbub: {message}", err=True)
    raise SystemExit(code)
