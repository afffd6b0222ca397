"""The sign-in form's rules: what to check before sending, and which field an error is
about (errors are shown inline, under that field). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from hubbub.client import ConnectionLost, RequestFailed
from hubbub.desktop.settings import normal_server
from hubbub.protocol import ErrorCode

Field: TypeAlias = Literal["server", "name", "password", "form"]
MAX_NAME = 32


@dataclass(frozen=True, slots=True)
class Problem:
    field: Field
    text: str


def check(server: str, name: str, password: str, *, token: str | None) -> Problem | None:
    """The first problem the form has before anything is sent, or None."""
    url = normal_server(server)
    if not url:
        return Problem("server", "Enter the server's address, e.g. http://127.0.0.1:8765")
    if not url.startswith(("http://", "https://", "ws://", "wss://")):
        return Problem("server", "The address starts with http:// or https://")
    if not name.strip():
        return Problem("name", "Enter your name")
    if name != name.strip():
        return Problem("name", "A name cannot start or end with a space")
    if len(name) > MAX_NAME:
        return Problem("name", f"A name has at most {MAX_NAME} characters")
    if not password and token is None:
        return Problem("password", "Enter a password (the first sign-in claims the name)")
    return None


def explain(error: BaseException, server: str, name: str) -> Problem:
    """The sign-in's failure, for people, under the field it is about."""
    if isinstance(error, RequestFailed):
        match error.code:
            case ErrorCode.NAME_IN_USE:
                return Problem("name", f"{name} is signed in elsewhere with another password")
            case ErrorCode.WRONG_PASSWORD:
                return Problem("password", f"Wrong password for {name}")
            case ErrorCode.INVALID_NAME:
                return Problem("name", error.message)
            case ErrorCode.INVALID_TOKEN:
                return Problem("password", "Your saved session has ended: enter your password")
            case ErrorCode.INVALID_FIELD:
                return Problem("password", error.message)
        return Problem("form", error.message)
    if isinstance(error, ConnectionLost | OSError | TimeoutError):
        return Problem("server", f"No hubbub server answers at {normal_server(server)}")
    return Problem("form", f"Could not sign in: {error}")
