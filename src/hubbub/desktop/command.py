"""``hubbub desktop``: start the Tk client."""

from __future__ import annotations

import click

from hubbub.desktop.settings import config_dir


@click.command()
@click.option(
    "--server",
    envvar="HUBBUB_SERVER",
    default=None,
    metavar="URL",
    help="The server to sign in to (default: the last one used, else http://127.0.0.1:8765).",
)
def desktop(server: str | None) -> None:
    """Open the desktop client (Tk). Remembers your session in $XDG_CONFIG_HOME/hubbub."""
    import tkinter

    from hubbub.desktop.app import run

    try:
        run(server, config_dir())
    except tkinter.TclError as error:
        raise click.ClickException(f"cannot open a window: {error}") from None
