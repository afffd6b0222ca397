"""Session tokens kept between runs, so the next ``hubbub chat`` resumes without a password.

They live in ``$XDG_CONFIG_HOME/hubbub/sessions.json`` (``~/.config`` when unset), readable by
the user only: per server, the last name used and a token per name.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def config_dir() -> Path:
    """hubbub's directory in the user's config dir: ``$XDG_CONFIG_HOME/hubbub``, else
    ``~/.config/hubbub`` (as the XDG rule says, a relative ``XDG_CONFIG_HOME`` is ignored)."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "hubbub"


def server_url(text: str) -> str:
    """A server address as typed (``chat.example.org:8765``) made into an ``http://`` URL."""
    text = text.strip().rstrip("/")
    return text if "://" in text else f"http://{text}"


def server_key(url: str) -> str:
    """One spelling per server, whether given as its ``http`` or its WebSocket address."""
    url = url.rstrip("/").removesuffix("/ws")
    for websocket, http in (("ws://", "http://"), ("wss://", "https://")):
        if url.startswith(websocket):
            return http + url.removeprefix(websocket)
    return url


class SessionStore:
    """Tokens by server and name in one small JSON file; a damaged file counts as empty."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "sessions.json"

    def last_name(self, server: str) -> str | None:
        name = self._server(self._read(), server).get("last")
        return name if isinstance(name, str) else None

    def token(self, server: str, name: str) -> str | None:
        tokens = self._server(self._read(), server).get("tokens", {})
        token = tokens.get(name.casefold()) if isinstance(tokens, dict) else None
        return token if isinstance(token, str) else None

    def save(self, server: str, name: str, token: str) -> None:
        """Remember ``token`` for ``name`` on ``server``, and ``name`` as the last one used."""
        data = self._read()
        entry = data.setdefault("servers", {}).setdefault(server_key(server), {})
        entry["last"] = name
        entry.setdefault("tokens", {})[name.casefold()] = token
        self._write(data)

    def forget(self, server: str, name: str) -> None:
        """Drop a token the server no longer takes."""
        data = self._read()
        tokens = self._server(data, server).get("tokens")
        if isinstance(tokens, dict) and tokens.pop(name.casefold(), None) is not None:
            self._write(data)

    def _server(self, data: dict[str, Any], server: str) -> dict[str, Any]:
        servers = data.get("servers")
        entry = servers.get(server_key(server)) if isinstance(servers, dict) else None
        return entry if isinstance(entry, dict) else {}

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or not isinstance(data.get("servers", {}), dict):
            return {}
        return data

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=2)
        temporary.replace(self.path)
